"""/api/v1/ for sales orders, inspections, shipments, invoices, payments, the work queues and receivables.

Querysets always come from orders.selectors (what a user may not see is a 404); serializers only check the shape of the
input; every write and transition calls orders.services, whose DomainErrors become {"code", "detail"} (400 / 403 / 404 /
409) through salesops.core.api.exception_handler. Money and quantities are decimal strings, never floats. What a user may
do on an order now is permissions.order_allowed_actions; the payment gate is selectors.order_gate.
Emergency releases and credit exceptions are decided at /api/v1/approval-steps/{id}/decide/ (the kernel).
"""

from __future__ import annotations

import django_filters as filters
from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api import LineInput, ReasonInput, VisibleContactField
from contracts.models import PaymentTerms
from contracts.selectors import contract_list_for
from customers.selectors import address_list_for, invoice_title_list_for
from salesops.core.money import ZERO
from salesops.core.names import display_name

from . import permissions, rules, selectors, services
from .models import (
    CreditException,
    EmergencyRelease,
    Inspection,
    InvoiceRequest,
    OrderChange,
    OrderCheck,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)

User = get_user_model()

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
QUEUE_ITEMS = 10  # work queues show the count and the first items


def _name(user) -> str:
    return display_name(user) if user else ""


def _money(**kw):
    return serializers.DecimalField(**MONEY, **kw)


def _qty(**kw):
    return serializers.DecimalField(**QUANTITY, **kw)


# --- filters ------------------------------------------------------------------------------------------------------
class OrderFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("订单号、项目名称、客户名称或客户订单号"))
    status = filters.ChoiceFilter(choices=SalesOrder.Status.choices, label=_("状态"))
    production_status = filters.ChoiceFilter(choices=SalesOrder.ProductionStatus.choices, label=_("生产状态"))
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))
    owner = filters.NumberFilter(field_name="owner_id", label=_("业务员"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("接单日期从"))
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("接单日期至"))
    promised_ship_date_from = filters.DateFilter(field_name="promised_ship_date", lookup_expr="gte", label=_("承诺发货日期从"))
    promised_ship_date_to = filters.DateFilter(field_name="promised_ship_date", lookup_expr="lte", label=_("承诺发货日期至"))
    needs_reverification = filters.BooleanFilter(label=_("变更后待重新核单"))

    class Meta:
        model = SalesOrder
        fields = [
            "q", "status", "production_status", "customer", "owner", "received_on_from", "received_on_to",
            "promised_ship_date_from", "promised_ship_date_to", "needs_reverification",
        ]  # fmt: skip

    def search(self, queryset, name, value):
        return queryset.filter(selectors.search_q(value))


class InspectionFilter(filters.FilterSet):
    order = filters.NumberFilter(field_name="order_id", label=_("订单"))
    result = filters.ChoiceFilter(choices=Inspection.Result.choices, label=_("检验结果"))

    class Meta:
        model = Inspection
        fields = ["order", "result"]


class ShipmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Shipment.Status.choices, label=_("状态"))
    order = filters.NumberFilter(field_name="order_id", label=_("订单"))
    customer = filters.NumberFilter(field_name="order__customer_id", label=_("客户"))

    class Meta:
        model = Shipment
        fields = ["status", "order", "customer"]


class InvoiceFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=InvoiceRequest.Status.choices, label=_("状态"))
    order = filters.NumberFilter(field_name="order_id", label=_("订单"))

    class Meta:
        model = InvoiceRequest
        fields = ["status", "order"]


class PaymentFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="bank_reference", lookup_expr="icontains", label=_("银行流水号/票据号"))
    status = filters.ChoiceFilter(choices=Payment.Status.choices, label=_("状态"))
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))
    received_on_from = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("到账日期从"))
    received_on_to = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("到账日期至"))

    class Meta:
        model = Payment
        fields = ["q", "status", "customer", "received_on_from", "received_on_to"]


# --- input serializers (shape only: the rules are in services) ----------------------------------------------------
@extend_schema_field({"type": "integer"})
class _ScopedPkField(serializers.PrimaryKeyRelatedField):
    """A row among those `selector(user)` returns (the service checks it belongs to the order's customer)."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(request.user) if request else None


class IdKeyedDictField(serializers.DictField):
    """{id: value} with the ids as JSON object keys (strings of digits); returned with int keys."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(not str(key).isdigit() for key in value):
            raise serializers.ValidationError(_("键必须是数字编号。"))
        return {int(key): item for key, item in value.items()}


class OrderHeaderInput(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, label=_("业绩归属业务员")
    )
    project_name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("项目名称"))
    customer_po = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("客户订单号"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    ship_to = _ScopedPkField(address_list_for, required=False, allow_null=True, label=_("收货地址"))
    invoice_title = _ScopedPkField(invoice_title_list_for, required=False, allow_null=True, label=_("发票抬头"))
    prices_include_tax = serializers.BooleanField(required=False, label=_("单价含税"))
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False, label=_("付款方式"))
    deposit_amount = _money(required=False, label=_("定金金额"))
    credit_days = serializers.IntegerField(required=False, min_value=0, label=_("账期(天)"))
    promised_ship_date = serializers.DateField(required=False, allow_null=True, label=_("承诺发货日期"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("备注"))


class OrderCreateInput(OrderHeaderInput):
    customer = serializers.IntegerField(label=_("客户"))
    lines = LineInput(many=True, label=_("明细"), help_text=_("标准品明细；定制品请由合同下订单"))


class OrderFromContractInput(serializers.Serializer):
    contract = serializers.IntegerField(label=_("合同"))
    lines = IdKeyedDictField(
        child=_qty(),
        required=False,
        allow_null=True,
        default=None,
        label=_("下单数量"),
        help_text=_("{合同明细 id: 数量}；不填为合同剩余的全部数量"),
    )
    data = OrderHeaderInput(required=False, default=dict, label=_("订单抬头"))


class OrderLineChangeInput(serializers.Serializer):
    quantity = _qty(required=False, allow_null=True, label=_("数量"))
    unit_price = _money(required=False, allow_null=True, label=_("含税单价"))
    discount_rate = serializers.DecimalField(max_digits=6, decimal_places=4, required=False, allow_null=True, label=_("折扣率"))


class OrderUpdateInput(OrderHeaderInput):
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
    return {k: v for k, v in validated.items() if k not in ("customer", "lines", "reason")}


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


class InspectionInput(serializers.Serializer):
    line = serializers.IntegerField(label=_("订单明细"))
    lot_no = serializers.CharField(max_length=40, label=_("批号"))
    quantity = _qty(label=_("数量"))
    result = serializers.ChoiceField(choices=Inspection.Result.choices, label=_("检验结果"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("说明"))
    emergency_release = serializers.IntegerField(required=False, allow_null=True, default=None, label=_("对应的紧急放行"))


class EmergencyReleaseInput(serializers.Serializer):
    line = serializers.IntegerField(label=_("订单明细"))
    quantity = _qty(label=_("放行数量"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("紧急放行原因"))
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40, label=_("批号"))


class CreditExceptionInput(serializers.Serializer):
    amount = _money(label=_("允许欠款金额"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("申请理由"))


class ShipmentLineInput(serializers.Serializer):
    quantity = _qty(label=_("发货数量"))
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40, label=_("批号"))


class ShipmentCreateInput(serializers.Serializer):
    lines = IdKeyedDictField(child=ShipmentLineInput(), label=_("发货明细"), help_text=_("{订单明细 id: {quantity, lot_no}}"))
    carrier = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("承运商/货运部"))
    route = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("运输路线/方式"))
    freight_payer = serializers.ChoiceField(choices=Shipment.FreightPayer.choices, required=False, label=_("运费承担"))
    packages = serializers.IntegerField(required=False, min_value=1, label=_("件数"))
    tracking_no = serializers.CharField(required=False, allow_blank=True, max_length=60, label=_("运单号"))
    planned_on = serializers.DateField(required=False, allow_null=True, label=_("计划发货日期"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("备注"))


class InvoiceRequestInput(serializers.Serializer):
    amount = _money(label=_("开票金额(含税)"))
    invoice_type = serializers.ChoiceField(
        choices=InvoiceRequest.InvoiceType.choices, required=False, allow_blank=True, default="", label=_("发票类型")
    )
    invoice_title = serializers.IntegerField(
        required=False, allow_null=True, default=None, label=_("发票抬头"), help_text=_("不填为订单的发票抬头")
    )


class ShipInput(serializers.Serializer):
    tracking_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=60, label=_("运单号"))
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=100, label=_("承运商/货运部"))
    packages = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, label=_("件数"))


class DeliverInput(serializers.Serializer):
    delivered_on = serializers.DateField(
        required=False, allow_null=True, default=None, label=_("签收日期"), help_text=_("不填为今天")
    )
    signer = serializers.CharField(required=False, allow_blank=True, default="", max_length=50, label=_("签收人"))
    exceptions = serializers.CharField(required=False, allow_blank=True, default="", label=_("签收异常"))
    quantities = IdKeyedDictField(
        child=_qty(),
        required=False,
        allow_null=True,
        default=None,
        label=_("签收数量"),
        help_text=_("{出货明细 id: 数量}；不填为全部签收"),
    )


class IssueInput(serializers.Serializer):
    numbers = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("发票号码"))
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("开票日期"))


class PaymentCreateInput(serializers.Serializer):
    customer = serializers.IntegerField(label=_("客户"))
    amount = _money(label=_("金额"))
    bank_reference = serializers.CharField(max_length=60, label=_("银行流水号/票据号"))
    received_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("到账日期"))
    kind = serializers.ChoiceField(choices=Payment.Kind.choices, required=False, label=_("款项类型"))
    method = serializers.ChoiceField(choices=Payment.Method.choices, required=False, label=_("收款方式"))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("备注"))
    allocations = IdKeyedDictField(child=_money(), label=_("分配到订单"), help_text=_("{订单 id: 金额}，合计等于回款金额"))


# --- output serializers -------------------------------------------------------------------------------------------
class GateSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text=_("是否可以放行发货"))
    due = _money(help_text=_("发货前应付"))
    paid = _money(help_text=_("财务已确认到账"))
    exception = _money(help_text=_("已批准信用放行"))
    reason = serializers.CharField(help_text=_("不能放行的原因"))


class OrderLineSerializer(serializers.ModelSerializer):
    remaining_quantity = _qty(read_only=True)
    shippable_quantity = _qty(read_only=True)

    class Meta:
        model = SalesOrderLine
        fields = [
            "id", "line_no", "contract_line", "product", "name", "model", "spec", "unit", "quantity", "list_price",
            "unit_price", "discount_rate", "tax_rate", "amount_excl", "tax", "amount_incl", "lead_time_days", "notes",
            "passed_quantity", "released_quantity", "shipped_quantity", "delivered_quantity", "remaining_quantity",
            "shippable_quantity",
        ]  # fmt: skip
        read_only_fields = fields


class OrderCheckSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    checked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderCheck
        fields = [
            "id", "item", "label", "with_rep", "with_customer", "with_production", "note", "checked_by", "checked_by_name",
            "checked_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_label(self, obj) -> str:
        return rules.check_label(obj.item)

    def get_checked_by_name(self, obj) -> str:
        return _name(obj.checked_by)


class ChecklistSerializer(serializers.Serializer):
    items = OrderCheckSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField(), help_text=_("尚未确认的项目（确认对象）；为空即可核单"))


class ProductionUpdateSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reported_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ProductionUpdate
        fields = ["id", "status", "status_display", "expected_date", "reason", "reported_by", "reported_by_name", "reported_at"]
        read_only_fields = fields

    def get_reported_by_name(self, obj) -> str:
        return _name(obj.reported_by)


class InspectionSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    line_name = serializers.CharField(source="line.name", read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    qc_signed_by_name = serializers.SerializerMethodField()
    warehouse_signed_by_name = serializers.SerializerMethodField()
    is_signed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id", "order", "order_number", "line", "line_name", "lot_no", "quantity", "result", "result_display", "note",
            "emergency_release", "qc_signed_by", "qc_signed_by_name", "qc_signed_at", "warehouse_signed_by",
            "warehouse_signed_by_name", "warehouse_signed_at", "is_signed", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_qc_signed_by_name(self, obj) -> str:
        return _name(obj.qc_signed_by)

    def get_warehouse_signed_by_name(self, obj) -> str:
        return _name(obj.warehouse_signed_by)


class EmergencyReleaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / approved / rejected")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    line_name = serializers.CharField(source="line.name", read_only=True)
    requested_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyRelease
        fields = [
            "id", "order", "line", "line_name", "quantity", "lot_no", "reason", "status", "status_display", "requested_by",
            "requested_by_name", "requested_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by_name(self, obj) -> str:
        return _name(obj.requested_by)


class CreditExceptionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / approved / rejected")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CreditException
        fields = [
            "id", "order", "amount", "reason", "status", "status_display", "requested_by", "requested_by_name", "requested_at",
            "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by_name(self, obj) -> str:
        return _name(obj.requested_by)


class ShipmentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id", "number", "order", "order_number", "customer", "customer_name", "status", "status_display", "carrier",
            "route", "freight_payer", "packages", "tracking_no", "planned_on", "amount_incl", "has_emergency_release",
            "released_at", "shipped_at", "delivered_on", "created_at",
        ]  # fmt: skip
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
            "lot_no",
            "amount_incl",
        ]
        read_only_fields = fields


class ShipmentDetailSerializer(ShipmentSerializer):
    lines = ShipmentLineSerializer(many=True, read_only=True)
    gate = serializers.SerializerMethodField()
    released_by_name = serializers.SerializerMethodField()
    shipped_by_name = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()

    class Meta(ShipmentSerializer.Meta):
        fields = ShipmentSerializer.Meta.fields + [
            "ship_to_province", "ship_to_city", "ship_to_address", "consignee", "consignee_phone", "release_basis",
            "released_by", "released_by_name", "shipped_by", "shipped_by_name", "signed_by_name", "delivery_exceptions",
            "customer_notified_at", "notes", "created_by", "created_by_name", "lines", "gate",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(GateSerializer)
    def get_gate(self, obj) -> dict:
        return GateSerializer(selectors.order_gate(obj.order)).data

    def get_released_by_name(self, obj) -> str:
        return _name(obj.released_by)

    def get_shipped_by_name(self, obj) -> str:
        return _name(obj.shipped_by)

    def get_created_by_name(self, obj) -> str:
        return _name(obj.created_by)


class InvoiceSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    invoice_type_display = serializers.CharField(source="get_invoice_type_display", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    issued_by_name = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceRequest
        fields = [
            "id", "order", "order_number", "customer_name", "title", "tax_id", "bank_account", "address_phone", "invoice_type",
            "invoice_type_display", "amount", "status", "status_display", "invoice_numbers", "issued_on", "issued_by",
            "issued_by_name", "requested_by", "requested_by_name", "requested_at", "cancel_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by_name(self, obj) -> str:
        return _name(obj.requested_by)

    def get_issued_by_name(self, obj) -> str:
        return _name(obj.issued_by)


class OrderAllocationSerializer(serializers.ModelSerializer):
    """A payment allocated to the order (seen from the order)."""

    bank_reference = serializers.CharField(source="payment.bank_reference", read_only=True)
    payment_status = serializers.CharField(source="payment.status", read_only=True, help_text="recorded / confirmed / voided")
    payment_status_display = serializers.CharField(source="payment.get_status_display", read_only=True)
    received_on = serializers.DateField(source="payment.received_on", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["id", "payment", "bank_reference", "payment_status", "payment_status_display", "received_on", "amount"]
        read_only_fields = fields


class PaymentAllocationSerializer(serializers.ModelSerializer):
    """An allocation of the payment (seen from the payment)."""

    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["id", "order", "order_number", "amount"]
        read_only_fields = fields


class OrderChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.SerializerMethodField()
    reverified_by_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderChange
        fields = [
            "id", "reason", "changes", "changed_by", "changed_by_name", "changed_at", "reverified_by", "reverified_by_name",
            "reverified_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_changed_by_name(self, obj) -> str:
        return _name(obj.changed_by)

    def get_reverified_by_name(self, obj) -> str:
        return _name(obj.reverified_by)


class PaidSerializer(serializers.Serializer):
    confirmed = _money(help_text=_("财务已确认到账"))
    recorded = _money(help_text=_("已登记（含待财务确认）"))
    outstanding = _money(help_text=_("订单金额减去已登记回款"))
    delivered = _money(help_text=_("已签收金额"))
    invoiced = _money(help_text=_("已申请/已开票金额（不含作废）"))


class OrderSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    production_status_display = serializers.CharField(source="get_production_status_display", read_only=True)
    payment_terms_display = serializers.CharField(source="get_payment_terms_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True, default="")
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = SalesOrder
        fields = [
            "id", "number", "contract", "contract_number", "customer", "customer_name", "owner", "owner_name", "project_name",
            "customer_po", "status", "status_display", "production_status", "production_status_display", "received_on",
            "promised_ship_date", "expected_date", "payment_terms", "payment_terms_display", "currency", "amount_excl",
            "tax_amount", "amount_incl", "needs_reverification", "change_count", "has_emergency_release", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_owner_name(self, obj) -> str:
        return _name(obj.owner)


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
    allowed_actions = serializers.SerializerMethodField()
    verified_by_name = serializers.SerializerMethodField()
    placed_by_name = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = OrderSerializer.Meta.fields + [
            "contact", "ship_to", "invoice_title", "prices_include_tax", "exchange_rate", "deposit_amount", "credit_days",
            "requested_date", "notes", "verified_by", "verified_by_name", "verified_at", "placed_by", "placed_by_name",
            "placed_at", "shipped_at", "closed_at", "cancel_reason", "created_by", "created_by_name", "lines", "checklist",
            "production_updates", "inspections", "emergency_releases", "credit_exceptions", "shipments", "invoices",
            "allocations", "paid", "gate", "changes", "allowed_actions",
        ]  # fmt: skip
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

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.order_allowed_actions(obj, self.context["request"].user)

    def get_verified_by_name(self, obj) -> str:
        return _name(obj.verified_by)

    def get_placed_by_name(self, obj) -> str:
        return _name(obj.placed_by)

    def get_created_by_name(self, obj) -> str:
        return _name(obj.created_by)


class PaymentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()
    confirmed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id", "customer", "customer_name", "kind", "kind_display", "method", "method_display", "bank_reference", "amount",
            "received_on", "status", "status_display", "notes", "recorded_by", "recorded_by_name", "recorded_at",
            "confirmed_by", "confirmed_by_name", "confirmed_at", "void_reason",
        ]  # fmt: skip
        read_only_fields = fields

    def get_recorded_by_name(self, obj) -> str:
        return _name(obj.recorded_by)

    def get_confirmed_by_name(self, obj) -> str:
        return _name(obj.confirmed_by)


class PaymentDetailSerializer(PaymentSerializer):
    allocations = PaymentAllocationSerializer(many=True, read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = PaymentSerializer.Meta.fields + ["allocations"]
        read_only_fields = fields


# --- work queues and receivables ------------------------------------------------------------------------------------
class WorkItemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="order / shipment / payment / invoice / inspection")
    id = serializers.IntegerField()
    number = serializers.CharField(help_text=_("单号、银行流水号或批号"))
    order = serializers.IntegerField(allow_null=True)
    order_number = serializers.CharField()
    customer_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text=_("金额或数量（字符串）"))
    note = serializers.CharField(help_text=_("如交期风险原因"))


class WorkQueueSerializer(serializers.Serializer):
    code = serializers.CharField()
    count = serializers.IntegerField()
    items = WorkItemSerializer(many=True)


class WorkSerializer(serializers.Serializer):
    today = serializers.DateField()
    queues = WorkQueueSerializer(many=True)


def _item(obj, note: str = "") -> dict:
    if isinstance(obj, tuple):  # (order, reason) of orders_at_risk
        return _item(obj[0], obj[1])
    row = {"type": "", "id": obj.pk, "number": "", "order": None, "order_number": "", "customer_name": "", "note": note}
    row["status"] = getattr(obj, "status", "")
    row["status_display"] = str(obj.get_status_display()) if hasattr(obj, "get_status_display") else ""
    row["amount"] = None
    if isinstance(obj, SalesOrder):
        row.update(type="order", number=obj.number, order=obj.pk, order_number=obj.number, customer_name=obj.customer.name)
        row["amount"] = str(obj.amount_incl)
    elif isinstance(obj, Payment):
        row.update(type="payment", number=obj.bank_reference, customer_name=obj.customer.name, amount=str(obj.amount))
    elif isinstance(obj, Inspection):
        row.update(type="inspection", number=obj.lot_no, order=obj.order_id, order_number=obj.order.number)
        row.update(customer_name=obj.order.customer.name, amount=str(obj.quantity), note=note or obj.line.name)
        row["status"], row["status_display"] = obj.result, str(obj.get_result_display())
    else:  # Shipment, InvoiceRequest
        kind = "shipment" if isinstance(obj, Shipment) else "invoice"
        row.update(type=kind, number=getattr(obj, "number", "") or str(obj), order=obj.order_id, order_number=obj.order.number)
        row.update(customer_name=obj.order.customer.name)
        row["amount"] = str(obj.amount_incl if kind == "shipment" else obj.amount)
    return row


def _queues(queues: dict, today) -> dict:
    out = []
    for code, rows in queues.items():
        count = rows.count() if hasattr(rows, "count") and not isinstance(rows, list) else len(rows)
        out.append({"code": code, "count": count, "items": [_item(r) for r in list(rows[:QUEUE_ITEMS])]})
    return {"today": today, "queues": out}


class ReceivableSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order.pk")
    order_number = serializers.CharField(source="order.number")
    customer = serializers.IntegerField(source="order.customer_id")
    customer_name = serializers.CharField(source="order.customer.name")
    owner = serializers.IntegerField(source="order.owner_id")
    owner_name = serializers.SerializerMethodField()
    credit_days = serializers.IntegerField(source="order.credit_days")
    shipped = _money()
    paid = _money()
    open = _money()
    overdue = _money()
    oldest_days = serializers.IntegerField()
    buckets = serializers.DictField(child=_money(), help_text="0_30 / 31_60 / 61_90 / 90_plus")

    def get_owner_name(self, obj) -> str:
        return _name(obj.order.owner)


class ReceivableGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="who.pk")
    name = serializers.SerializerMethodField()
    open = _money()
    overdue = _money()
    buckets = serializers.DictField(child=_money())

    def get_name(self, obj) -> str:
        who = obj["who"]
        return who.name if hasattr(who, "name") else _name(who)


class BucketSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CollectionRateSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True, help_text=_("回款率，0.9500 = 95%"))


class ReceivablesSerializer(serializers.Serializer):
    today = serializers.DateField()
    buckets = BucketSerializer(many=True)
    total_open = _money()
    total_overdue = _money()
    items = ReceivableSerializer(many=True)
    by_customer = ReceivableGroupSerializer(many=True)
    by_owner = ReceivableGroupSerializer(many=True)
    collection_rate = CollectionRateSerializer()


# --- viewsets -----------------------------------------------------------------------------------------------------
class _ScopedViewSet(viewsets.GenericViewSet):
    """`selector(user)` gives the queryset: what the user may not see does not exist here (404)."""

    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)

    def _input(self, serializer_class):
        s = serializer_class(data=self.request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        return s.validated_data


def _no_body(summary: str, responses):
    return extend_schema(request=None, responses=responses, summary=summary)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """销售订单 with checklist, production tracking, inspections, shipments, invoices, payments and the payment gate.
    Never deleted (cancel before anything shipped)."""

    selector = staticmethod(selectors.order_list_for)
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering_fields = list(selectors.ORDER_ORDERING_FIELDS)
    ordering = ["-received_on", "-id"]

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

    @extend_schema(request=OrderCreateInput, responses={201: OrderDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Direct order of standard catalog items for a visible customer (custom items: POST /orders/from-contract/)."""
        data = self._input(OrderCreateInput)
        order = services.order_create(
            actor=request.user, customer=data["customer"], data=_header(data), lines=[dict(row) for row in data["lines"]]
        )
        return self._respond(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderFromContractInput, responses={201: OrderDetailSerializer}, summary="由合同生成订单")
    @action(detail=False, methods=["post"], url_path="from-contract")
    def from_contract(self, request):
        data = self._input(OrderFromContractInput)
        contract = contract_list_for(request.user).filter(pk=data["contract"]).first()
        if contract is None:
            raise Http404
        order = services.order_create_from_contract(
            contract=contract, actor=request.user, data=dict(data["data"]), lines=data["lines"]
        )
        return self._respond(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdateInput, responses=OrderDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit an order: the header fields sent and {line id: {quantity, unit_price, discount_rate}}; after verification
        a reason is required and the order must be verified again."""
        order = self.get_object()
        data = self._input(OrderUpdateInput)
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
        data = self._input(CheckInput)
        services.order_check(order=order, actor=request.user, item=data["item"], parties=data["parties"], note=data["note"])
        return self._respond(order)

    @_no_body("核单完成", OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._respond(services.order_verify(order=self.get_object(), actor=request.user))

    @extend_schema(request=PlaceInput, responses=OrderDetailSerializer, summary="下单生产（或库存发货）")
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None):
        order = self.get_object()
        data = self._input(PlaceInput)
        return self._respond(services.order_place(order=order, actor=request.user, **data))

    @extend_schema(request=ProductionUpdateInput, responses={201: ProductionUpdateSerializer}, summary="生产跟单")
    @action(detail=True, methods=["post"], url_path="production-update")
    def production_update(self, request, pk=None):
        order = self.get_object()
        data = self._input(ProductionUpdateInput)
        update = services.production_update(order=order, actor=request.user, **data)
        return Response(ProductionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InspectionInput, responses={201: InspectionSerializer}, summary="记录检验（质检或仓库签字一方）")
    @action(detail=True, methods=["post"])
    def inspections(self, request, pk=None):
        order = self.get_object()
        data = self._input(InspectionInput)
        inspection = services.inspection_record(
            order=order, actor=request.user, line_id=data["line"], lot_no=data["lot_no"], quantity=data["quantity"],
            result=data["result"], note=data["note"], emergency_release_id=data["emergency_release"],
        )  # fmt: skip
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmergencyReleaseInput, responses={201: EmergencyReleaseSerializer}, summary="申请紧急放行")
    @action(detail=True, methods=["post"], url_path="emergency-release")
    def emergency_release(self, request, pk=None):
        order = self.get_object()
        data = self._input(EmergencyReleaseInput)
        release = services.emergency_release_request(
            order=order, actor=request.user, line_id=data["line"], quantity=data["quantity"], reason=data["reason"],
            lot_no=data["lot_no"],
        )  # fmt: skip
        return Response(EmergencyReleaseSerializer(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CreditExceptionInput, responses={201: CreditExceptionSerializer}, summary="申请信用放行")
    @action(detail=True, methods=["post"], url_path="credit-exception")
    def credit_exception(self, request, pk=None):
        order = self.get_object()
        data = self._input(CreditExceptionInput)
        exception = services.credit_exception_request(order=order, actor=request.user, **data)
        return Response(CreditExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ShipmentCreateInput, responses={201: ShipmentDetailSerializer}, summary="制作出货单")
    @action(detail=True, methods=["post"])
    def shipments(self, request, pk=None):
        order = self.get_object()
        data = dict(self._input(ShipmentCreateInput))
        lines = {k: dict(v) for k, v in data.pop("lines").items()}
        shipment = services.shipment_create(order=order, actor=request.user, lines=lines, data=data)
        fresh = selectors.shipment_list_for(request.user).get(pk=shipment.pk)
        return Response(
            ShipmentDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=InvoiceRequestInput, responses={201: InvoiceSerializer}, summary="申请开票")
    @action(detail=True, methods=["post"], url_path="invoice-request")
    def invoice_request(self, request, pk=None):
        order = self.get_object()
        data = self._input(InvoiceRequestInput)
        invoice = services.invoice_request(
            order=order, actor=request.user, amount=data["amount"], invoice_type=data["invoice_type"],
            invoice_title_id=data["invoice_title"],
        )  # fmt: skip
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonInput, responses=OrderDetailSerializer, summary="取消订单（需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        data = self._input(ReasonInput)
        return self._respond(services.order_cancel(order=order, actor=request.user, reason=data["reason"]))

    @_no_body("关闭订单", OrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.order_close(order=self.get_object(), actor=request.user))


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """检验记录 of the visible orders; recorded at POST /orders/{id}/inspections/, signed by the other side here."""

    selector = staticmethod(selectors.inspection_list_for)
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @_no_body("检验签字（质检或仓库，另一人）", InspectionSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        inspection = services.inspection_sign(inspection=self.get_object(), actor=request.user)
        return Response(InspectionSerializer(self.get_queryset().get(pk=inspection.pk)).data)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """出货单: created at POST /orders/{id}/shipments/; released through the payment gate, shipped by the warehouse."""

    selector = staticmethod(selectors.shipment_list_for)
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["number", "created_at", "planned_on", "shipped_at", "amount_incl"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("released_by", "shipped_by", "created_by").prefetch_related("lines__order_line")
        return qs

    def get_serializer_class(self):
        return ShipmentSerializer if self.action == "list" else ShipmentDetailSerializer

    def _respond(self, shipment):
        fresh = self.get_queryset().get(pk=shipment.pk)
        return Response(ShipmentDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @_no_body("放行（发货前应付款已确认或信用放行已批准）", ShipmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._respond(services.shipment_release(shipment=self.get_object(), actor=request.user))

    @extend_schema(request=ShipInput, responses=ShipmentDetailSerializer, summary="仓库确认发货")
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        shipment = self.get_object()
        data = self._input(ShipInput)
        return self._respond(services.shipment_ship(shipment=shipment, actor=request.user, **data))

    @extend_schema(request=DeliverInput, responses=ShipmentDetailSerializer, summary="登记客户签收")
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        shipment = self.get_object()
        data = self._input(DeliverInput)
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

    @extend_schema(request=ReasonInput, responses=ShipmentDetailSerializer, summary="作废出货单（需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        shipment = self.get_object()
        data = self._input(ReasonInput)
        return self._respond(services.shipment_cancel(shipment=shipment, actor=request.user, reason=data["reason"]))


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """开票申请: requested at POST /orders/{id}/invoice-request/, issued or cancelled by finance."""

    selector = staticmethod(selectors.invoice_list_for)
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    ordering_fields = ["requested_at", "issued_on", "amount", "id"]
    ordering = ["-requested_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("issued_by")

    def _respond(self, invoice):
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data)

    @extend_schema(request=IssueInput, responses=InvoiceSerializer, summary="开票（财务）")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        invoice = self.get_object()
        data = self._input(IssueInput)
        return self._respond(
            services.invoice_issue(invoice=invoice, actor=request.user, numbers=data["numbers"], issued_on=data["issued_on"])
        )

    @extend_schema(request=ReasonInput, responses=InvoiceSerializer, summary="作废（财务，需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = self.get_object()
        data = self._input(ReasonInput)
        return self._respond(services.invoice_cancel(invoice=invoice, actor=request.user, reason=data["reason"]))


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """回款 with its allocations to orders: recorded by clerks or finance, confirmed or voided by finance."""

    selector = staticmethod(selectors.payment_list_for)
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["received_on", "amount", "recorded_at", "id"]
    ordering = ["-received_on", "-id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related("allocations__order")
        return qs

    def get_serializer_class(self):
        return PaymentSerializer if self.action == "list" else PaymentDetailSerializer

    def _respond(self, payment, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=payment.pk)
        return Response(PaymentDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=PaymentCreateInput, responses={201: PaymentDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Record money received, all of it allocated to orders of the customer; finance confirms it afterwards."""
        data = dict(self._input(PaymentCreateInput))
        customer, allocations = data.pop("customer"), data.pop("allocations")
        payment = services.payment_record(actor=request.user, customer=customer, data=data, allocations=allocations)
        return self._respond(payment, status.HTTP_201_CREATED)

    @_no_body("财务确认到账", PaymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._respond(services.payment_confirm(payment=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=PaymentDetailSerializer, summary="作废回款（财务，需填原因）")
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        payment = self.get_object()
        data = self._input(ReasonInput)
        return self._respond(services.payment_void(payment=payment, actor=request.user, reason=data["reason"]))


class WorkViewSet(viewsets.GenericViewSet):
    """The work queues of the day (counts and the first items), scoped to what the user may see."""

    filter_backends: list = []
    pagination_class = None
    serializer_class = WorkSerializer

    @extend_schema(responses=WorkSerializer, summary="销售内勤工作台")
    @action(detail=False, methods=["get"])
    def clerk(self, request):
        permissions.require_queue(request.user, "clerk")
        today = timezone.localdate()
        return Response(WorkSerializer(_queues(selectors.clerk_queue(request.user, today), today)).data)

    @extend_schema(responses=WorkSerializer, summary="财务工作台")
    @action(detail=False, methods=["get"])
    def finance(self, request):
        permissions.require_queue(request.user, "finance")
        today = timezone.localdate()
        return Response(WorkSerializer(_queues(selectors.finance_queue(request.user), today)).data)

    @extend_schema(responses=WorkSerializer, summary="仓库/质检工作台")
    @action(detail=False, methods=["get"])
    def warehouse(self, request):
        permissions.require_queue(request.user, "warehouse")
        today = timezone.localdate()
        return Response(WorkSerializer(_queues(selectors.warehouse_queue(request.user), today)).data)


class ReceivablesViewSet(viewsets.GenericViewSet):
    """应收账款: per order (aged by shipment date), per customer and per rep, and this month's collection rate."""

    filter_backends: list = []
    pagination_class = None
    serializer_class = ReceivablesSerializer

    @extend_schema(responses=ReceivablesSerializer)
    def list(self, request):
        today = timezone.localdate()
        items = selectors.receivables(request.user, today)
        data = {
            "today": today,
            "buckets": [{"code": code, "label": str(label)} for code, label, *_rest in rules.AGING_BUCKETS],
            "total_open": sum((r.open for r in items), ZERO),
            "total_overdue": sum((r.overdue for r in items), ZERO),
            "items": items,
            "by_customer": selectors.receivables_by(items, "customer"),
            "by_owner": selectors.receivables_by(items, "owner"),
            "collection_rate": {
                "start": today.replace(day=1),
                "end": today,
                "rate": selectors.collection_rate(request.user, today.replace(day=1), today),
            },
        }
        return Response(ReceivablesSerializer(data).data)


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("orders", OrderViewSet, basename="order")
    router.register("inspections", InspectionViewSet, basename="inspection")
    router.register("shipments", ShipmentViewSet, basename="shipment")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("work", WorkViewSet, basename="work")
    router.register("receivables", ReceivablesViewSet, basename="receivables")
