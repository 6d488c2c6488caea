"""/api/v1/shipments/: outbound notes (出货单) created at POST /orders/{id}/shipments/, released through the payment
gate by a clerk, shipped by the warehouse, delivered; cancelled while open; goods refused at delivery received back by
the warehouse (POST …/receive-refused/, 拒收退回入库)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api import ReasonInput
from salesops.core.api import (
    INTEGER_MAX,
    AsciiIntegerField,
    ChoiceLabelField,
    ListRowsMixin,
    MoneyField,
    QuantityField,
    ScopedViewSet,
    UserNameField,
)
from salesops.core.export_runs_api import ExportActionMixin

from .. import selectors, services
from ..filters import ShipmentFilter
from ..models import RefusalReturn, RefusalReturnLine, Shipment, ShipmentLine
from ._common import AllowedActionsField, GateSerializer, IdKeyedDictField, no_body


class ShipmentLineInput(serializers.Serializer):
    quantity = QuantityField(label=_("发货数量"))
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40, label=_("批号"))


class ShipmentCreateInput(serializers.Serializer):
    lines = IdKeyedDictField(child=ShipmentLineInput(), label=_("发货明细"), help_text=_("{订单明细 id: {quantity, lot_no}}"))
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("承运商/货运部"))
    route = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("运输路线/方式"))
    freight_payer = serializers.ChoiceField(choices=Shipment.FreightPayer.choices, required=False, label=_("运费承担"))
    packages = AsciiIntegerField(required=False, min_value=1, max_value=INTEGER_MAX, label=_("件数"))
    tracking_no = serializers.CharField(required=False, allow_blank=True, max_length=60, label=_("运单号"))
    planned_on = serializers.DateField(
        required=False, allow_null=True, label=_("计划发货日期"), help_text=_("不能早于今天；早于今天时返回 400")
    )
    notes = serializers.CharField(required=False, allow_blank=True, label=_("备注"))


class ShipInput(serializers.Serializer):
    tracking_no = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        label=_("运单号"),
        help_text=_("必填，除非制单时已填写；空白或只有空格时返回 400，出货单不变"),
    )
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=100, label=_("承运商/货运部"))
    packages = AsciiIntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=INTEGER_MAX, label=_("件数")
    )


class DeliverInput(serializers.Serializer):
    delivered_on = serializers.DateField(
        required=False, allow_null=True, default=None, label=_("签收日期"), help_text=_("不填为今天")
    )
    signer = serializers.CharField(required=False, allow_blank=True, default="", max_length=50, label=_("签收人"))
    exceptions = serializers.CharField(required=False, allow_blank=True, default="", label=_("签收异常"))
    quantities = IdKeyedDictField(
        child=QuantityField(),
        required=False,
        allow_null=True,
        default=None,
        label=_("签收数量"),
        help_text=_("{出货明细 id: 数量}；不填为全部签收"),
    )


class RefusalReturnInput(serializers.Serializer):
    quantities = IdKeyedDictField(
        child=QuantityField(),
        label=_("退回入库数量"),
        help_text=_("{出货明细 id: 数量}：每行收回的拒收货物，不超过拒收未退回的数量；不填或 0 为该行本次未收回"),
    )
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, label=_("退回入库日期"), help_text=_("不填为今天")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("说明"))


class RefusalReturnLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="shipment_line.order_line.name", read_only=True)
    unit = serializers.CharField(source="shipment_line.order_line.unit", read_only=True)

    class Meta:
        model = RefusalReturnLine
        fields = ["id", "shipment_line", "name", "unit", "quantity", "amount_incl"]
        read_only_fields = fields


class RefusalReturnSerializer(serializers.ModelSerializer):
    """拒收退回入库: goods refused at delivery received back into the warehouse."""

    received_by_name = UserNameField(source="received_by")
    lines = RefusalReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = RefusalReturn
        fields = ["id", "received_on", "received_by", "received_by_name", "amount_incl", "note", "created_at", "lines"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    kept_amount = MoneyField(
        source="kept_amount_incl",
        read_only=True,
        label=_("净发货金额(含税)"),
        help_text=_("发货金额减去拒收并已退回入库的货物（amount_incl − returned_amount），与经营指标按发货口径一致"),
    )

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "customer",
            "customer_name",
            "status",
            "status_display",
            "carrier",
            "route",
            "freight_payer",
            "packages",
            "tracking_no",
            "planned_on",
            "amount_incl",
            "returned_amount",
            "kept_amount",
            "has_emergency_release",
            "released_at",
            "shipped_at",
            "delivered_on",
            "created_at",
        ]
        read_only_fields = fields


class ShipmentLineSerializer(serializers.ModelSerializer):
    line_no = serializers.IntegerField(source="order_line.line_no", read_only=True)
    name = serializers.CharField(source="order_line.name", read_only=True)
    spec = serializers.CharField(source="order_line.spec", read_only=True)
    unit = serializers.CharField(source="order_line.unit", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = [
            "id",
            "order_line",
            "line_no",
            "name",
            "spec",
            "unit",
            "quantity",
            "delivered_quantity",
            "refused_quantity",
            "returned_quantity",
            "returned_amount",
            "lot_no",
            "amount_incl",
        ]
        read_only_fields = fields


class ShipmentDetailSerializer(ShipmentSerializer):
    lines = ShipmentLineSerializer(many=True, read_only=True)
    refusal_returns = RefusalReturnSerializer(many=True, read_only=True)
    gate = serializers.SerializerMethodField()
    released_by_name = UserNameField(source="released_by")
    shipped_by_name = UserNameField(source="shipped_by")
    created_by_name = UserNameField(source="created_by")
    allowed_actions = AllowedActionsField()

    class Meta(ShipmentSerializer.Meta):
        fields = ShipmentSerializer.Meta.fields + [
            "ship_to_province",
            "ship_to_city",
            "ship_to_address",
            "consignee",
            "consignee_phone",
            "release_basis",
            "released_by",
            "released_by_name",
            "shipped_by",
            "shipped_by_name",
            "signed_by_name",
            "delivery_exceptions",
            "refusal_returns",
            "customer_notified_at",
            "notes",
            "created_by",
            "created_by_name",
            "lines",
            "gate",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(GateSerializer)
    def get_gate(self, obj) -> dict:
        return GateSerializer(selectors.order_gate(obj.order)).data


class ShipmentViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """出货单: created at POST /orders/{id}/shipments/; released through the payment gate, shipped by the warehouse."""

    selector = staticmethod(selectors.shipment_list_for)
    serializer_class = ShipmentSerializer
    export_name = "shipments"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = ShipmentFilter
    ordering_fields = ["number", "created_at", "planned_on", "shipped_at", "amount_incl"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("released_by", "shipped_by", "created_by").prefetch_related(
                "lines__order_line", "refusal_returns__received_by", "refusal_returns__lines__shipment_line__order_line"
            )
        return qs

    def get_serializer_class(self):
        return ShipmentSerializer if self.action == "list" else ShipmentDetailSerializer

    def _respond(self, shipment):
        fresh = self.get_queryset().get(pk=shipment.pk)
        return Response(ShipmentDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @no_body("放行（发货前应付款已确认或信用放行已批准）", ShipmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._respond(services.shipment_release(shipment=self.get_object(), actor=request.user))

    @extend_schema(request=ShipInput, responses=ShipmentDetailSerializer, summary="仓库确认发货")
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        shipment = self.get_object()
        data = self.validated_input(ShipInput)
        return self._respond(services.shipment_ship(shipment=shipment, actor=request.user, **data))

    @extend_schema(request=DeliverInput, responses=ShipmentDetailSerializer, summary="登记客户签收")
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        shipment = self.get_object()
        data = self.validated_input(DeliverInput)
        quantities = data["quantities"]
        return self._respond(
            services.shipment_deliver(
                shipment=shipment,
                actor=request.user,
                delivered_on=data["delivered_on"],
                signer=data["signer"],
                exceptions=data["exceptions"],
                quantities=quantities,
            )
        )

    @extend_schema(request=RefusalReturnInput, responses=ShipmentDetailSerializer, summary="拒收退回入库（仓库）")
    @action(detail=True, methods=["post"], url_path="receive-refused")
    def receive_refused(self, request, pk=None):
        shipment = self.get_object()
        data = self.validated_input(RefusalReturnInput)
        services.shipment_receive_refused(
            shipment=shipment,
            actor=request.user,
            quantities=data["quantities"],
            received_on=data["received_on"],
            note=data["note"],
        )
        return self._respond(shipment)

    @extend_schema(request=ReasonInput, responses=ShipmentDetailSerializer, summary="作废出货单（需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        shipment = self.get_object()
        data = self.validated_input(ReasonInput)
        return self._respond(services.shipment_cancel(shipment=shipment, actor=request.user, reason=data["reason"]))
