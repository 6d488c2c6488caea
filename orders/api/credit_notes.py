"""/api/v1/credit-notes/: the credit notes (红字冲减单) of the orders the user sees, filtered like the page
(orders.filters.CreditNoteFilter), searched, paged, and …/export/ the same rows as .xlsx. Issued by
orders.services.credit_note_create (a return refunded), never here."""

from __future__ import annotations

from rest_framework import mixins, serializers

from salesops.core.api import ListRowsMixin, MoneyField, ScopedViewSet, UserNameField
from salesops.core.export_runs_api import ExportActionMixin

from ..credit_note_list import credit_note_list_for
from ..filters import CreditNoteFilter
from ..models import CreditNote


class CreditNoteListSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    amount = MoneyField(read_only=True)
    created_by_name = UserNameField(source="created_by")

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "created_at",
            "order",
            "order_number",
            "customer",
            "customer_name",
            "amount",
            "reason",
            "reference",
            "created_by",
            "created_by_name",
        ]
        read_only_fields = fields


class CreditNoteViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """红字冲减单: number, date, order, customer, amount, reason, source and who issued it; the order's visibility."""

    selector = staticmethod(credit_note_list_for)
    serializer_class = CreditNoteListSerializer
    export_name = "credit-notes"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = CreditNoteFilter
    ordering_fields = ["created_at", "amount", "id"]
    ordering = ["-created_at", "-id"]
