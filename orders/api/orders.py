"""/api/v1/orders/: sales orders with the checklist, production tracking, and the actions that start the documents below
them (inspections, emergency releases, credit exceptions, shipments, invoice requests). Never deleted (cancel before
anything shipped)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api import LineInput, ReasonInput, VisibleContactField
from contracts.models import PaymentTerms
from contracts.selectors import contract_list_for
from customers.selectors import address_list_for, invoice_title_list_for
from salesops.core.api import (
    AsciiIntegerField,
    ChoiceLabelField,
    ExchangeRateField,
    ListRowsMixin,
    MoneyField,
    PercentField,
    QuantityField,
    RateField,
    RelatedTextField,
    ScopedViewSet,
    UserNameField,
)
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.money import MAX_CREDIT_DAYS, PRICE_BOUNDS
from salesops.core.once import header_key, once_key_parameter, outcome

from .. import rules, selectors, services
from ..filters import OrderFilter
from ..models import OrderChange, OrderCheck, ProductionUpdate, SalesOrder, SalesOrderLine
from ._common import AllowedActionsField, GateSerializer, IdKeyedDictField, ScopedPkField, no_body
from .credit import CreditExceptionInput, CreditExceptionSerializer, RequestWithdrawInput
from .inspections import (
    EmergencyReleaseInput,
    EmergencyReleaseSerializer,
    InspectionDetailSerializer,
    InspectionInput,
    InspectionSerializer,
)
from .invoices import InvoiceDetailSerializer, InvoiceRequestInput, InvoiceSerializer
from .payments import OrderAllocationSerializer
from .shipments import ShipmentCreateInput, ShipmentDetailSerializer, ShipmentSerializer

User = get_user_model()


TERMS_HELP = _("默认取合同（由合同下单）或客户档案的付款条件；直接接单只有经理或财务可以另行约定，由合同生成的订单不能修改")


class OrderHeaderInput(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, label=_("业绩归属业务员")
    )
    project_name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("项目名称"))
    customer_po = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("客户订单号"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    ship_to = ScopedPkField(address_list_for, required=False, allow_null=True, label=_("收货地址"))
    invoice_title = ScopedPkField(invoice_title_list_for, required=False, allow_null=True, label=_("发票抬头"))
    prices_include_tax = serializers.BooleanField(
        required=False,
        label=_("单价含税"),
        help_text=_("false：单价不含税，约定不开票（不能申请开票）；true（默认）：核单要有发票抬头"),
    )
    payment_terms = serializers.ChoiceField(
        choices=PaymentTerms.choices, required=False, label=_("付款方式"), help_text=TERMS_HELP
    )
    deposit_amount = MoneyField(required=False, label=_("定金金额"), help_text=TERMS_HELP)
    credit_days = AsciiIntegerField(
        required=False, min_value=0, max_value=MAX_CREDIT_DAYS, label=_("账期(天)"), help_text=TERMS_HELP
    )
    promised_ship_date = serializers.DateField(required=False, allow_null=True, label=_("承诺发货日期"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("备注"))


def _exchange_rate_input():
    return ExchangeRateField(
        required=False,
        allow_null=True,
        label=_("汇率(折人民币)"),
        help_text=_("直接接单：1 单位客户结算币种折合人民币；币种不是人民币时必填（大于 0）。由合同生成的订单取合同的汇率"),
    )


class OrderCreateInput(OrderHeaderInput):
    customer = serializers.IntegerField(label=_("客户"))
    exchange_rate = _exchange_rate_input()
    lines = LineInput(many=True, label=_("明细"), help_text=_("标准品明细；定制品请由合同下订单"))


class OrderFromContractInput(serializers.Serializer):
    contract = serializers.IntegerField(label=_("合同"))
    lines = IdKeyedDictField(
        child=QuantityField(),
        required=False,
        allow_null=True,
        default=None,
        label=_("下单数量"),
        help_text=_("{合同明细 id: 数量}；不填为合同剩余的全部数量"),
    )
    data = OrderHeaderInput(required=False, default=dict, label=_("订单抬头"))


class OrderLineChangeInput(serializers.Serializer):
    quantity = QuantityField(required=False, allow_null=True, label=_("数量"))
    unit_price = MoneyField(bounds=PRICE_BOUNDS, required=False, allow_null=True, label=_("含税单价"))
    discount_percent = PercentField(
        required=False,
        allow_null=True,
        label=_("折扣(%)"),
        help_text=_("折扣百分比，5 表示 5%（0 到 100，两位小数）；与 discount_rate 同时填写时须一致"),
    )
    discount_rate = RateField(
        required=False, allow_null=True, label=_("折扣率"), help_text=_("兼容旧接口：0.05 表示 5%；建议改用 discount_percent")
    )


class OrderUpdateInput(OrderHeaderInput):
    exchange_rate = _exchange_rate_input()
    lines = IdKeyedDictField(
        child=OrderLineChangeInput(),
        required=False,
        default=dict,
        label=_("明细变更"),
        help_text=_("{订单明细 id: {字段: 新值}}"),
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("变更原因"), help_text=_("核单后修改必填")
    )


def _header(validated: dict) -> dict:
    return {k: v for k, v in validated.items() if k not in ("customer", "lines", "reason") and (k, v) != ("exchange_rate", None)}


PARTY_CHOICES = [(code, label) for code, label in rules.PARTY_LABELS.items()]


class CheckInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=[(i.code, i.label) for i in rules.CHECK_ITEMS], label=_("核对项目"))
    parties = serializers.ListField(
        child=serializers.ChoiceField(choices=PARTY_CHOICES),
        default=list,
        label=_("已确认对象"),
        help_text="rep / customer / production",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, label=_("说明"))


class PlaceInput(serializers.Serializer):
    requested_date = serializers.DateField(required=False, allow_null=True, default=None, label=_("要求生产完成日期"))
    from_stock = serializers.BooleanField(required=False, default=False, label=_("库存发货"))


class ProductionUpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=SalesOrder.ProductionStatus.choices, label=_("生产状态"))
    expected_date = serializers.DateField(required=False, allow_null=True, default=None, label=_("预计完工日期"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("延误原因/说明"))


class OrderLineSerializer(serializers.ModelSerializer):
    net_unit_price = MoneyField(
        bounds=PRICE_BOUNDS, read_only=True, rounding=ROUND_HALF_UP, help_text=_("折后单价：含税单价扣除折扣后的单价")
    )
    remaining_quantity = QuantityField(read_only=True)
    shippable_quantity = QuantityField(read_only=True)

    class Meta:
        model = SalesOrderLine
        fields = [
            "id",
            "line_no",
            "contract_line",
            "product",
            "name",
            "model",
            "spec",
            "unit",
            "quantity",
            "list_price",
            "unit_price",
            "discount_rate",
            "net_unit_price",
            "tax_rate",
            "amount_excl",
            "tax",
            "amount_incl",
            "lead_time_days",
            "notes",
            "passed_quantity",
            "released_quantity",
            "shipped_quantity",
            "delivered_quantity",
            "remaining_quantity",
            "shippable_quantity",
        ]
        read_only_fields = fields


class OrderCheckSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    checked_by_name = UserNameField(source="checked_by")

    class Meta:
        model = OrderCheck
        fields = [
            "id",
            "item",
            "label",
            "with_rep",
            "with_customer",
            "with_production",
            "note",
            "checked_by",
            "checked_by_name",
            "checked_at",
        ]
        read_only_fields = fields

    def get_label(self, obj) -> str:
        return rules.check_label(obj.item)


class ChecklistSerializer(serializers.Serializer):
    items = OrderCheckSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField(), help_text=_("尚未确认的项目（确认对象）；为空即可核单"))


class ProductionUpdateSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    reported_by_name = UserNameField(source="reported_by")

    class Meta:
        model = ProductionUpdate
        fields = ["id", "status", "status_display", "expected_date", "reason", "reported_by", "reported_by_name", "reported_at"]
        read_only_fields = fields


class OrderChangeSerializer(serializers.ModelSerializer):
    changed_by_name = UserNameField(source="changed_by")
    reverified_by_name = UserNameField(source="reverified_by")

    class Meta:
        model = OrderChange
        fields = [
            "id",
            "reason",
            "changes",
            "changed_by",
            "changed_by_name",
            "changed_at",
            "reverified_by",
            "reverified_by_name",
            "reverified_at",
        ]
        read_only_fields = fields


class PaidSerializer(serializers.Serializer):
    confirmed = MoneyField(help_text=_("财务已确认到账"))
    recorded = MoneyField(help_text=_("已登记（含待财务确认）"))
    outstanding = MoneyField(help_text=_("订单金额减去已登记回款"))
    delivered = MoneyField(help_text=_("已签收金额"))
    invoiced = MoneyField(help_text=_("已申请/已开票金额（不含作废）"))


class OrderSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    production_status_display = ChoiceLabelField(source="production_status")
    payment_terms_display = ChoiceLabelField(source="payment_terms")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_number = RelatedTextField(source="contract.number")
    owner_name = UserNameField(source="owner")

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "contract",
            "contract_number",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
            "project_name",
            "customer_po",
            "status",
            "status_display",
            "production_status",
            "production_status_display",
            "received_on",
            "promised_ship_date",
            "expected_date",
            "payment_terms",
            "payment_terms_display",
            "currency",
            "amount_excl",
            "tax_amount",
            "amount_incl",
            "needs_reverification",
            "change_count",
            "has_emergency_release",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    checklist = serializers.SerializerMethodField()
    production_updates = ProductionUpdateSerializer(many=True, read_only=True)
    inspections = InspectionSerializer(many=True, read_only=True)
    emergency_releases = EmergencyReleaseSerializer(many=True, read_only=True)
    credit_exceptions = CreditExceptionSerializer(many=True, read_only=True)
    shipments = ShipmentSerializer(many=True, read_only=True)
    invoices = InvoiceSerializer(many=True, read_only=True)
    allocations = OrderAllocationSerializer(many=True, read_only=True)
    paid = serializers.SerializerMethodField()
    gate = serializers.SerializerMethodField()
    changes = OrderChangeSerializer(many=True, read_only=True)
    allowed_actions = AllowedActionsField()
    contract_changed = serializers.BooleanField(
        source="contract_changed_since",
        read_only=True,
        help_text=_("合同在下单（或上次核对）后已变更为新版本，订单待核对；核单或“已核对合同变更”后为 false"),
    )
    verified_by_name = UserNameField(source="verified_by")
    placed_by_name = UserNameField(source="placed_by")
    created_by_name = UserNameField(source="created_by")

    class Meta(OrderSerializer.Meta):
        fields = OrderSerializer.Meta.fields + [
            "contract_version",
            "contract_changed",
            "contact",
            "ship_to",
            "invoice_title",
            "prices_include_tax",
            "exchange_rate",
            "deposit_amount",
            "credit_days",
            "requested_date",
            "notes",
            "verified_by",
            "verified_by_name",
            "verified_at",
            "placed_by",
            "placed_by_name",
            "placed_at",
            "shipped_at",
            "closed_at",
            "cancel_reason",
            "created_by",
            "created_by_name",
            "lines",
            "checklist",
            "production_updates",
            "inspections",
            "emergency_releases",
            "credit_exceptions",
            "shipments",
            "invoices",
            "allocations",
            "paid",
            "gate",
            "changes",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ChecklistSerializer)
    def get_checklist(self, obj) -> dict:
        items = sorted(obj.checks.all(), key=lambda c: rules.CHECK_CODES.index(c.item) if c.item in rules.CHECK_CODES else 99)
        return {"items": OrderCheckSerializer(items, many=True).data, "missing": selectors.order_missing_checks(obj)}

    @extend_schema_field(PaidSerializer)
    def get_paid(self, obj) -> dict:
        return PaidSerializer(
            {
                "confirmed": selectors.order_paid(obj),
                "recorded": selectors.order_paid(obj, confirmed_only=False),
                "outstanding": selectors.order_outstanding(obj),
                "delivered": selectors.order_delivered_amount(obj),
                "invoiced": selectors.order_invoiced_amount(obj),
            }
        ).data

    @extend_schema_field(GateSerializer)
    def get_gate(self, obj) -> dict:
        return GateSerializer(selectors.order_gate(obj)).data


class OrderViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """销售订单 with checklist, production tracking, inspections, shipments, invoices, payments and the payment gate.
    Never deleted (cancel before anything shipped)."""

    selector = staticmethod(selectors.order_list_for)
    serializer_class = OrderSerializer
    export_name = "orders"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = OrderFilter  # sorts too (`ordering`, the page's parameter); the default is the model's order
    filter_backends = [ListFilterBackend]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("verified_by", "placed_by", "created_by").prefetch_related(
                "lines",
                "checks__checked_by",
                "production_updates__reported_by",
                "inspections__line",
                "inspections__qc_signed_by",
                "inspections__warehouse_signed_by",
                "emergency_releases__line",
                "emergency_releases__requested_by",
                "credit_exceptions__requested_by",
                "shipments",
                "invoices__requested_by",
                "invoices__issued_by",
                "allocations__payment",
                "changes__changed_by",
                "changes__reverified_by",
            )
        return qs

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def _respond(self, order, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=order.pk)
        return Response(OrderDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _add_to_order(self, input_class, service, serializer_class):
        """Run `service(order=…, actor=…, **input)` on the order of the URL; answer 201 with the row it created."""
        created = service(order=self.get_object(), actor=self.request.user, **self.validated_input(input_class))
        return Response(serializer_class(created, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OrderCreateInput,
        responses={201: OrderDetailSerializer, 200: OrderDetailSerializer},
        parameters=[once_key_parameter("同一次下单的编号（UUID）：重发同一请求不会再下单，返回 200 和第一次创建的订单")],
    )
    def create(self, request, *args, **kwargs):
        """Direct order of standard catalog items for a visible customer (custom items: POST /orders/from-contract/)."""
        data = self.validated_input(OrderCreateInput)
        header = {**_header(data), "once_key": header_key(request)}
        order, created = outcome(
            lambda: services.order_create(
                actor=request.user, customer=data["customer"], data=header, lines=[dict(row) for row in data["lines"]]
            )
        )
        return self._respond(order, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=OrderFromContractInput,
        responses={201: OrderDetailSerializer, 200: OrderDetailSerializer},
        summary="由合同生成订单",
        parameters=[once_key_parameter("同一次下单的编号（UUID）：重发同一请求不会再下单，返回 200 和第一次创建的订单")],
    )
    @action(detail=False, methods=["post"], url_path="from-contract")
    def from_contract(self, request):
        data = self.validated_input(OrderFromContractInput)
        contract = contract_list_for(request.user).filter(pk=data["contract"]).first()
        if contract is None:
            raise Http404
        header = {**data["data"], "once_key": header_key(request)}
        order, created = outcome(
            lambda: services.order_create_from_contract(contract=contract, actor=request.user, data=header, lines=data["lines"])
        )
        return self._respond(order, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=OrderUpdateInput, responses=OrderDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit an order: the header fields sent and {line id: {quantity, unit_price, discount_rate}}; after verification
        a reason is required and the order must be verified again."""
        order = self.get_object()
        data = self.validated_input(OrderUpdateInput)
        lines = {k: dict(v) for k, v in data["lines"].items()} if data["lines"] else None
        return self._respond(
            services.order_update(order=order, actor=request.user, data=_header(data), lines=lines, reason=data["reason"])
        )

    @extend_schema(request=OrderUpdateInput, responses=OrderDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(request=CheckInput, responses=OrderDetailSerializer, summary="核单：确认一个项目")
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(CheckInput)
        services.order_check(order=order, actor=request.user, item=data["item"], parties=data["parties"], note=data["note"])
        return self._respond(order)

    @no_body("核单完成", OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._respond(services.order_verify(order=self.get_object(), actor=request.user))

    @extend_schema(request=PlaceInput, responses=OrderDetailSerializer, summary="下单生产（或库存发货）")
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(PlaceInput)
        return self._respond(services.order_place(order=order, actor=request.user, **data))

    @extend_schema(request=ProductionUpdateInput, responses={201: ProductionUpdateSerializer}, summary="生产跟单")
    @action(detail=True, methods=["post"], url_path="production-update")
    def production_update(self, request, pk=None):
        return self._add_to_order(ProductionUpdateInput, services.production_update, ProductionUpdateSerializer)

    @extend_schema(request=InspectionInput, responses={201: InspectionDetailSerializer}, summary="记录检验（质检或仓库签字一方）")
    @action(detail=True, methods=["post"])
    def inspections(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(InspectionInput)
        inspection = services.inspection_record(
            order=order,
            actor=request.user,
            line_id=data["line"],
            lot_no=data["lot_no"],
            quantity=data["quantity"],
            result=data["result"],
            note=data["note"],
            emergency_release_id=data["emergency_release"],
        )
        data = InspectionDetailSerializer(inspection, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmergencyReleaseInput, responses={201: EmergencyReleaseSerializer}, summary="申请紧急放行")
    @action(detail=True, methods=["post"], url_path="emergency-release")
    def emergency_release(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(EmergencyReleaseInput)
        release = services.emergency_release_request(
            order=order,
            actor=request.user,
            line_id=data["line"],
            quantity=data["quantity"],
            reason=data["reason"],
            lot_no=data["lot_no"],
        )
        return Response(
            EmergencyReleaseSerializer(release, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=CreditExceptionInput, responses={201: CreditExceptionSerializer}, summary="申请信用放行")
    @action(detail=True, methods=["post"], url_path="credit-exception")
    def credit_exception(self, request, pk=None):
        return self._add_to_order(CreditExceptionInput, services.credit_exception_request, CreditExceptionSerializer)

    def _withdraw(self, rows, row_id, call, serializer_class):
        """撤回 one pending request of the order of the URL (404 when the order is not visible or the request is not
        its own); the service answers 403 (not the requester nor a manager) or 409 (no longer pending)."""
        order = self.get_object()
        row = rows(order).filter(pk=row_id).first()
        if row is None:
            raise Http404
        data = self.validated_input(RequestWithdrawInput)
        withdrawn = call(row, data["reason"])
        fresh = rows(order).select_related("requested_by").get(pk=withdrawn.pk)
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=RequestWithdrawInput,
        responses=CreditExceptionSerializer,
        summary="撤回信用放行申请（申请人或经理，审批中才可撤回）",
        parameters=[OpenApiParameter("exception_id", int, OpenApiParameter.PATH, description="信用放行申请的编号")],
    )
    @action(detail=True, methods=["post"], url_path=r"credit-exceptions/(?P<exception_id>[0-9]+)/withdraw")
    def withdraw_credit_exception(self, request, pk=None, exception_id=None):
        return self._withdraw(
            lambda o: o.credit_exceptions.all(),
            exception_id,
            lambda row, reason: services.credit_exception_withdraw(exception=row, actor=request.user, reason=reason),
            CreditExceptionSerializer,
        )

    @extend_schema(
        request=RequestWithdrawInput,
        responses=EmergencyReleaseSerializer,
        summary="撤回紧急放行申请（申请人或经理，审批中才可撤回）",
        parameters=[OpenApiParameter("release_id", int, OpenApiParameter.PATH, description="紧急放行申请的编号")],
    )
    @action(detail=True, methods=["post"], url_path=r"emergency-releases/(?P<release_id>[0-9]+)/withdraw")
    def withdraw_emergency_release(self, request, pk=None, release_id=None):
        return self._withdraw(
            lambda o: o.emergency_releases.select_related("line"),
            release_id,
            lambda row, reason: services.emergency_release_withdraw(release=row, actor=request.user, reason=reason),
            EmergencyReleaseSerializer,
        )

    @extend_schema(
        request=ShipmentCreateInput,
        responses={201: ShipmentDetailSerializer, 200: ShipmentDetailSerializer},
        summary="制作出货单",
        parameters=[once_key_parameter("同一次制单的编号（UUID）：重发同一请求不会再制作出货单，返回 200 和第一次创建的出货单")],
    )
    @action(detail=True, methods=["post"])
    def shipments(self, request, pk=None):
        order = self.get_object()
        data = dict(self.validated_input(ShipmentCreateInput))
        lines = {k: dict(v) for k, v in data.pop("lines").items()}
        data["once_key"] = header_key(request)
        shipment, created = outcome(lambda: services.shipment_create(order=order, actor=request.user, lines=lines, data=data))
        fresh = selectors.shipment_list_for(request.user).get(pk=shipment.pk)
        return Response(
            ShipmentDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=InvoiceRequestInput, responses={201: InvoiceDetailSerializer}, summary="申请开票")
    @action(detail=True, methods=["post"], url_path="invoice-request")
    def invoice_request(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(InvoiceRequestInput)
        invoice = services.invoice_request(
            order=order,
            actor=request.user,
            amount=data["amount"],
            invoice_type=data["invoice_type"],
            invoice_title_id=data["invoice_title"],
        )
        return Response(
            InvoiceDetailSerializer(invoice, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ReasonInput, responses=OrderDetailSerializer, summary="取消订单（需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self.validated_input(ReasonInput)
        return self._respond(services.order_cancel(order=order, actor=request.user, reason=data["reason"]))

    @no_body("关闭订单", OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.order_close(order=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=OrderDetailSerializer, summary="短交关闭（需填原因）")
    @action(detail=True, methods=["post"], url_path="close-short")
    def close_short(self, request, pk=None):
        """Give up the backordered remainder of a partially shipped order: each line's quantity becomes what was shipped,
        the order is fully shipped (services.order_close_short)."""
        order = self.get_object()
        data = self.validated_input(ReasonInput)
        return self._respond(services.order_close_short(order=order, actor=request.user, reason=data["reason"]))

    @no_body("已核对合同变更", OrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="acknowledge-contract")
    def acknowledge_contract(self, request, pk=None):
        """The order was checked against the current version of its contract (`contract_changed` becomes false)."""
        return self._respond(services.order_acknowledge_contract(order=self.get_object(), actor=request.user))
