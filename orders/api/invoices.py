"""/api/v1/invoices/: invoice requests (开票) asked at POST /orders/{id}/invoice-request/, issued or cancelled by finance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api import ReasonInput
from salesops.core.api import ChoiceLabelField, ListRowsMixin, MoneyField, ScopedViewSet, UserNameField
from salesops.core.export_runs_api import ExportActionMixin

from .. import selectors, services
from ..filters import InvoiceFilter
from ..models import InvoiceRequest
from ._common import AllowedActionsField


class InvoiceRequestInput(serializers.Serializer):
    amount = MoneyField(label=_("开票金额(含税)"))
    invoice_type = serializers.ChoiceField(
        choices=InvoiceRequest.InvoiceType.choices, required=False, allow_blank=True, default="", label=_("发票类型")
    )
    invoice_title = serializers.IntegerField(
        required=False, allow_null=True, default=None, label=_("发票抬头"), help_text=_("不填为订单的发票抬头")
    )


class IssueInput(serializers.Serializer):
    numbers = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("发票号码"))
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("开票日期"))


class InvoiceSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    invoice_type_display = ChoiceLabelField(source="invoice_type")
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    requested_by_name = UserNameField(source="requested_by")
    issued_by_name = UserNameField(source="issued_by")

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "customer_name",
            "title",
            "tax_id",
            "bank_account",
            "address_phone",
            "invoice_type",
            "invoice_type_display",
            "amount",
            "status",
            "status_display",
            "invoice_numbers",
            "issued_on",
            "issued_by",
            "issued_by_name",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "cancel_reason",
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    allowed_actions = AllowedActionsField()

    class Meta(InvoiceSerializer.Meta):
        fields = InvoiceSerializer.Meta.fields + ["allowed_actions"]
        read_only_fields = fields


class InvoiceViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """开票申请: requested at POST /orders/{id}/invoice-request/, issued or cancelled by finance."""

    selector = staticmethod(selectors.invoice_list_for)
    serializer_class = InvoiceSerializer
    export_name = "invoices"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = InvoiceFilter
    ordering_fields = ["requested_at", "issued_on", "amount", "id"]
    ordering = ["-requested_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("issued_by")

    def get_serializer_class(self):
        return InvoiceSerializer if self.action == "list" else InvoiceDetailSerializer

    def _respond(self, invoice):
        return Response(self.get_serializer(self.get_queryset().get(pk=invoice.pk)).data)

    @extend_schema(request=IssueInput, responses=InvoiceDetailSerializer, summary="开票（财务）")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        invoice = self.get_object()
        data = self.validated_input(IssueInput)
        return self._respond(
            services.invoice_issue(invoice=invoice, actor=request.user, numbers=data["numbers"], issued_on=data["issued_on"])
        )

    @extend_schema(request=ReasonInput, responses=InvoiceDetailSerializer, summary="作废（财务，需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = self.get_object()
        data = self.validated_input(ReasonInput)
        return self._respond(services.invoice_cancel(invoice=invoice, actor=request.user, reason=data["reason"]))
