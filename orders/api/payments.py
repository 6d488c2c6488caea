"""/api/v1/payments/: money received (回款) with its allocations to orders: recorded by clerks or finance, confirmed or
voided by finance; and money paid back (退款, kind refund, a negative amount): POST …/refund/ (finance) and
GET …/refundable/?customer= (the customer's orders holding money beyond what they owe)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from contracts.api import ReasonInput
from salesops.core.api import (
    ChoiceLabelField,
    ListRowsMixin,
    MoneyField,
    ScopedViewSet,
    UserNameField,
    batch_ids_field,
)
from salesops.core.errors import Forbidden
from salesops.core.export_runs_api import ExportActionMixin

from .. import permissions, selectors, services
from ..balances import orders_refundable
from ..filters import PaymentFilter
from ..models import Payment, PaymentAllocation, SalesOrder
from ..services.payments import refund_record
from ._common import AllowedActionsField, IdKeyedDictField, no_body


class PaymentCreateInput(serializers.Serializer):
    customer = serializers.IntegerField(label=_("客户"))
    amount = MoneyField(label=_("金额"))
    bank_reference = serializers.CharField(max_length=60, label=_("银行流水号/票据号"))
    received_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("到账日期"))
    kind = serializers.ChoiceField(
        choices=[c for c in Payment.Kind.choices if c[0] != Payment.Kind.REFUND], required=False, label=_("款项类型")
    )
    method = serializers.ChoiceField(choices=Payment.Method.choices, required=False, label=_("收款方式"))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("备注"))
    allocations = IdKeyedDictField(child=MoneyField(), label=_("分配到订单"), help_text=_("{订单 id: 金额}，合计等于回款金额"))


class ConfirmManyInput(serializers.Serializer):
    payment_ids = batch_ids_field(
        label=_("回款ID"),
        help_text=_("要确认到账的回款（重复的只算一次）"),
        empty=_("请选择要确认到账的回款。"),
        too_many=_("一次最多批量确认 {max_length} 笔回款；请分批处理。"),
    )


class ConfirmManyFailure(serializers.Serializer):
    payment_id = serializers.IntegerField()
    code = serializers.CharField(help_text="conflict / forbidden / not_found / error")
    detail = serializers.CharField(help_text=_("未确认的原因"))


class ConfirmManyOutput(serializers.Serializer):
    confirmed = serializers.ListField(child=serializers.IntegerField(), help_text=_("已确认到账的回款ID"))
    failed = ConfirmManyFailure(many=True, help_text=_("未确认的回款及原因（不影响其他回款）"))


class RefundCreateInput(serializers.Serializer):
    order = serializers.IntegerField(label=_("订单"))
    amount = MoneyField(label=_("退款金额"), help_text=_("退给客户的金额，大于 0，不超过订单可退金额"))
    bank_reference = serializers.CharField(max_length=60, label=_("银行流水号/票据号"))
    received_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("退款日期"))
    method = serializers.ChoiceField(choices=Payment.Method.choices, required=False, label=_("付款方式"))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("备注"))


class RefundableOrderSerializer(serializers.ModelSerializer):
    """An order of the customer holding money beyond what it owes (balances.order_refundable), in its currency."""

    order = serializers.IntegerField(source="pk", read_only=True)
    order_number = serializers.CharField(source="number", read_only=True)
    confirmed = MoneyField(read_only=True, help_text=_("已确认回款（扣除已退款）"))
    credited = MoneyField(read_only=True, help_text=_("红字冲减"))
    shipped = MoneyField(read_only=True, help_text=_("已发货（扣除拒收退回）"))
    refundable = MoneyField(read_only=True, help_text=_("可退金额"))

    class Meta:
        model = SalesOrder
        fields = ["order", "order_number", "currency", "confirmed", "credited", "shipped", "refundable"]
        read_only_fields = fields


class OrderAllocationSerializer(serializers.ModelSerializer):
    """A payment allocated to the order (seen from the order)."""

    payment_number = serializers.CharField(source="payment.number", read_only=True, help_text=_("回款单号（退款 TK-…）"))
    bank_reference = serializers.CharField(source="payment.bank_reference", read_only=True)
    payment_status = serializers.CharField(source="payment.status", read_only=True, help_text="recorded / confirmed / voided")
    payment_status_display = serializers.CharField(source="payment.get_status_display", read_only=True)
    received_on = serializers.DateField(source="payment.received_on", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = [
            "id",
            "payment",
            "payment_number",
            "bank_reference",
            "payment_status",
            "payment_status_display",
            "received_on",
            "amount",
        ]
        read_only_fields = fields


class PaymentAllocationSerializer(serializers.ModelSerializer):
    """An allocation of the payment (seen from the payment)."""

    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["id", "order", "order_number", "amount"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    kind_display = ChoiceLabelField(source="kind")
    method_display = ChoiceLabelField(source="method")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    recorded_by_name = UserNameField(source="recorded_by")
    confirmed_by_name = UserNameField(source="confirmed_by")

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "kind",
            "kind_display",
            "method",
            "method_display",
            "bank_reference",
            "amount",
            "received_on",
            "status",
            "status_display",
            "notes",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "confirmed_by",
            "confirmed_by_name",
            "confirmed_at",
            "void_reason",
        ]
        read_only_fields = fields


class PaymentDetailSerializer(PaymentSerializer):
    allocations = PaymentAllocationSerializer(many=True, read_only=True)
    allowed_actions = AllowedActionsField()

    class Meta(PaymentSerializer.Meta):
        fields = PaymentSerializer.Meta.fields + ["allocations", "allowed_actions"]
        read_only_fields = fields


class PaymentViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """回款 with its allocations to orders: recorded by clerks or finance, confirmed or voided by finance."""

    selector = staticmethod(selectors.payment_list_for)
    serializer_class = PaymentSerializer
    export_name = "payments"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
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
        data = dict(self.validated_input(PaymentCreateInput))
        customer, allocations = data.pop("customer"), data.pop("allocations")
        payment = services.payment_record(actor=request.user, customer=customer, data=data, allocations=allocations)
        return self._respond(payment, status.HTTP_201_CREATED)

    @extend_schema(request=RefundCreateInput, responses={201: PaymentDetailSerializer}, summary="办理退款（财务）")
    @action(detail=False, methods=["post"])
    def refund(self, request):
        """Finance records money paid back to the customer of an order it may see, out of what the order holds beyond
        what it owes: a confirmed payment of kind refund with the negative amount."""
        data = dict(self.validated_input(RefundCreateInput))
        order = selectors.order_get_for(request.user, data.pop("order"))
        return self._respond(refund_record(actor=request.user, order=order, data=data), status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("customer", int, required=True, description=_("客户 id"))],
        responses=RefundableOrderSerializer(many=True),
        summary="客户可退款的订单",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def refundable(self, request):
        """The orders of a customer (that the user sees) holding money beyond what they owe, by number."""
        if not permissions.handles_money(request.user):
            raise Forbidden(str(_("只有业务员、销售内勤、财务和经理可以查看回款。")))
        customer = request.query_params.get("customer", "")
        if not customer.isdigit():
            raise ValidationError({"customer": [_("请指定客户 id。")]})
        orders = selectors.order_list_for(request.user).filter(customer_id=int(customer))
        found = orders_refundable(orders.exclude(status=SalesOrder.Status.CANCELLED))
        return Response(RefundableOrderSerializer(found, many=True).data)

    @no_body("财务确认到账", PaymentDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._respond(services.payment_confirm(payment=self.get_object(), actor=request.user))

    @extend_schema(
        request=ConfirmManyInput,
        responses={200: ConfirmManyOutput},
        summary="批量确认到账（财务）",
        description="逐笔确认（每笔单独生效，一笔失败不影响其他笔）；200 时 confirmed 为已确认的回款，failed 为未确认的回款及原因"
        "（已确认或已作废、到账日期晚于今天、不存在或无权查看…）；非财务 403。",
    )
    @action(detail=False, methods=["post"], url_path="confirm-many")
    def confirm_many(self, request):
        data = self.validated_input(ConfirmManyInput)
        outcomes = services.payments_confirm_many(payment_ids=data["payment_ids"], actor=request.user)
        return Response(
            {
                "confirmed": [o.pk for o in outcomes if o.done],
                "failed": [{"payment_id": o.pk, "code": o.code, "detail": o.detail} for o in outcomes if not o.done],
            }
        )

    @extend_schema(request=ReasonInput, responses=PaymentDetailSerializer, summary="作废回款（财务，需填原因）")
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        payment = self.get_object()
        data = self.validated_input(ReasonInput)
        return self._respond(services.payment_void(payment=payment, actor=request.user, reason=data["reason"]))
