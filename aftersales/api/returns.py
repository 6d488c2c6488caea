"""Returns, exchanges and repairs (退/换/修, RMA) with photos, approval, receiving and the outcome."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from contracts.api import ReasonInput
from orders.models import SalesOrder
from salesops.core.api import ListRowsMixin, MoneyField, QuantityField, UserNameField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.once import header_key, outcome

from .. import permissions, selectors
from ..filters import ReturnFilter
from ..models import ReturnLine, ReturnPhoto, ReturnRequest
from ..services import returns as svc
from .common import AllowedActionsField, DocumentViewSet, no_body
from .tickets import once_key_parameter


class ReturnSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    requested_by_name = UserNameField(source="requested_by")

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "outcome",
            "customer",
            "customer_name",
            "order",
            "order_number",
            "amount",
            "requested_by_name",
            "requested_at",
        ]
        read_only_fields = fields


class ReturnLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="order_line.name", read_only=True)
    quantity = QuantityField(read_only=True)
    received_quantity = QuantityField(read_only=True, allow_null=True)
    amount = MoneyField(read_only=True)

    class Meta:
        model = ReturnLine
        fields = [
            "id",
            "order_line",
            "name",
            "quantity",
            "lot_no",
            "amount",
            "received_quantity",
            "disposition",
            "tag",
            "difference_note",
        ]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="attachment.name", read_only=True)
    size = serializers.IntegerField(source="attachment.size", read_only=True)

    class Meta:
        model = ReturnPhoto
        fields = ["id", "name", "size", "width", "height"]
        read_only_fields = fields


class ReturnDetailSerializer(ReturnSerializer):
    lines = ReturnLineSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    credit_note_number = serializers.CharField(source="credit_note.number", read_only=True, default="")
    credit_note_amount = MoneyField(source="credit_note.amount", read_only=True, default=None, allow_null=True)
    replacement_order_number = serializers.CharField(source="replacement_order.number", read_only=True, default="")
    allowed_actions = AllowedActionsField(permissions.rma_allowed_actions)

    class Meta(ReturnSerializer.Meta):
        fields = [
            *ReturnSerializer.Meta.fields,
            "reason",
            "complaint",
            "submitted_at",
            "decided_at",
            "reject_reason",
            "received_at",
            "receiving_note",
            "outcome_note",
            "return_carrier",
            "return_tracking_no",
            "returned_at",
            "replacement_order",
            "replacement_order_number",
            "credit_note",
            "credit_note_number",
            "credit_note_amount",
            "cancel_reason",
            "lines",
            "photos",
            "allowed_actions",
        ]
        read_only_fields = fields


class ReturnLineInput(serializers.Serializer):
    order_line = serializers.IntegerField()
    quantity = QuantityField()
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class ReturnCreateInput(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all(), help_text="order id (must be visible)")
    kind = serializers.ChoiceField(choices=ReturnRequest.Kind.choices)
    reason = serializers.CharField()
    lines = ReturnLineInput(many=True)


class PhotoInput(serializers.Serializer):
    photo = serializers.FileField()


class ReceiveLineInput(serializers.Serializer):
    line = serializers.IntegerField()
    received_quantity = QuantityField()
    disposition = serializers.ChoiceField(choices=ReturnLine.Disposition.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReceiveInput(serializers.Serializer):
    lines = ReceiveLineInput(many=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepairReturnInput(serializers.Serializer):
    carrier = serializers.CharField(max_length=100)
    tracking_no = serializers.CharField(max_length=60)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExchangeInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RefundInput(serializers.Serializer):
    amount = MoneyField(required=False, allow_null=True, help_text="default: the value of the goods received")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """退换修: requested on a delivered order, approved by the sales VP (and GM above the threshold), received by the
    warehouse, then repaired and sent back, exchanged or refunded."""

    selector = staticmethod(selectors.rma_list_for)
    serializer_class = ReturnSerializer
    detail_serializer = ReturnDetailSerializer
    export_name = "returns"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = ReturnFilter
    ordering_fields = ["requested_at", "amount", "status"]
    ordering = ["-requested_at", "-id"]

    @extend_schema(
        request=ReturnCreateInput,
        responses={201: ReturnDetailSerializer, 200: ReturnDetailSerializer},
        parameters=[once_key_parameter("同一次申请的编号（UUID）：重发同一请求不会再申请，返回 200 和第一次创建的申请")],
    )
    def create(self, request, *args, **kwargs):
        data = self.validated_input(ReturnCreateInput)
        key = header_key(request)
        rma, created = outcome(
            lambda: svc.rma_create(
                actor=request.user,
                order=data["order"],
                kind=data["kind"],
                reason=data["reason"],
                lines=[dict(x) for x in data["lines"]],
                once_key=key,
            )
        )
        return self.respond(rma, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request={"multipart/form-data": PhotoInput}, responses={201: ReturnDetailSerializer}, summary="上传货物照片")
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        rma = self.get_object()
        svc.rma_photo_add(rma=rma, actor=request.user, upload=self.validated_input(PhotoInput)["photo"])
        return self.respond(rma, status.HTTP_201_CREATED)

    @no_body("提交销售副总审批", ReturnDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.respond(svc.rma_submit(rma=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=ReturnDetailSerializer, summary="撤销申请")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.respond(svc.rma_cancel(rma=self.get_object(), actor=request.user, **self.validated_input(ReasonInput)))

    @extend_schema(request=ReceiveInput, responses=ReturnDetailSerializer, summary="到厂清点收货")
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        data = self.validated_input(ReceiveInput)
        lines = {row["line"]: dict(row) for row in data["lines"]}
        return self.respond(svc.rma_receive(rma=self.get_object(), actor=request.user, lines=lines, note=data["note"]))

    @extend_schema(request=RepairReturnInput, responses=ReturnDetailSerializer, summary="修复寄回")
    @action(detail=True, methods=["post"], url_path="repair-return")
    def repair_return(self, request, pk=None):
        return self.respond(
            svc.rma_repair_return(rma=self.get_object(), actor=request.user, **self.validated_input(RepairReturnInput))
        )

    @extend_schema(request=ExchangeInput, responses=ReturnDetailSerializer, summary="换货（生成换货订单）")
    @action(detail=True, methods=["post"])
    def exchange(self, request, pk=None):
        return self.respond(svc.rma_exchange(rma=self.get_object(), actor=request.user, **self.validated_input(ExchangeInput)))

    @extend_schema(request=RefundInput, responses=ReturnDetailSerializer, summary="退款（红字冲减订单应收）")
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        return self.respond(svc.rma_refund(rma=self.get_object(), actor=request.user, **self.validated_input(RefundInput)))
