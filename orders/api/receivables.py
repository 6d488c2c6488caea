"""/api/v1/receivables/: what visible orders still owe for goods shipped, aged by shipment date, per order, customer
and rep, with this month's collection rate; filtered like the page (orders.filters.ReceivableFilter), and
/api/v1/receivables/export/ the same rows as .xlsx."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from salesops.core.api import MoneyField, UserNameField
from salesops.core.exports import ExportActionMixin
from salesops.core.money import ZERO
from salesops.core.names import display_name

from .. import rules, selectors
from ..filters import ReceivableFilter


class ReceivableSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order.pk")
    order_number = serializers.CharField(source="order.number")
    customer = serializers.IntegerField(source="order.customer_id")
    customer_name = serializers.CharField(source="order.customer.name")
    owner = serializers.IntegerField(source="order.owner_id")
    owner_name = UserNameField(source="order.owner")
    credit_days = serializers.IntegerField(source="order.credit_days")
    shipped = MoneyField()
    paid = MoneyField()
    open = MoneyField()
    overdue = MoneyField()
    oldest_days = serializers.IntegerField()
    buckets = serializers.DictField(child=MoneyField(), help_text="0_30 / 31_60 / 61_90 / 90_plus")


class ReceivableGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="who.pk")
    name = serializers.SerializerMethodField()
    open = MoneyField()
    overdue = MoneyField()
    buckets = serializers.DictField(child=MoneyField())

    def get_name(self, obj) -> str:
        who = obj["who"]
        return who.name if hasattr(who, "name") else display_name(who)


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
    total_open = MoneyField()
    total_overdue = MoneyField()
    items = ReceivableSerializer(many=True)
    by_customer = ReceivableGroupSerializer(many=True)
    by_owner = ReceivableGroupSerializer(many=True)
    collection_rate = CollectionRateSerializer()


class ReceivablesViewSet(ExportActionMixin, viewsets.GenericViewSet):
    """应收账款: per order (aged by shipment date), per customer and per rep, and this month's collection rate."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = ReceivableFilter
    pagination_class = None
    serializer_class = ReceivablesSerializer
    export_name = "receivables"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)

    def get_queryset(self):
        return selectors.receivable_orders_for(self.request.user)

    @extend_schema(responses=ReceivablesSerializer, filters=True)
    def list(self, request):
        today = timezone.localdate()
        items = selectors.receivables_of(self.filter_queryset(self.get_queryset()), today)
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
