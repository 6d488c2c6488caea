"""/api/v1/receivables/: what visible orders still owe for goods shipped, aged by shipment date, per order, customer
and rep, what they hold for their customers beyond what they owe (预收/应退), with this month's collection rate; filtered like the page (orders.filters.ReceivableFilter), and
/api/v1/receivables/export/ the same rows as .xlsx."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from salesops.core.api import MoneyField, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.names import display_name
from salesops.core.pages import MAX_PAGE_SIZE, MIN_PAGE_SIZE, PAGE_SIZE, page_window
from salesops.core.pagination import Pagination

from .. import receivables, rules
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
    credited = MoneyField(help_text=_("红字冲减"))
    open = MoneyField()
    overdue = MoneyField()
    oldest_days = serializers.IntegerField()
    buckets = serializers.DictField(child=MoneyField(), help_text="0_30 / 31_60 / 61_90 / 90_plus")
    held = MoneyField(help_text=_("预收/应退：已确认回款（扣除退款）与红字冲减超过已发货的部分"))


class ReceivableGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="who.pk")
    name = serializers.SerializerMethodField()
    open = MoneyField()
    overdue = MoneyField()
    buckets = serializers.DictField(child=MoneyField())
    held = MoneyField(help_text=_("预收/应退"))
    balance = MoneyField(help_text=_("余额：应收减预收/应退（已发货订单；未发货订单的定金见客户对账单）"))

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
    total_held = MoneyField(help_text=_("预收/应退合计"))
    total_balance = MoneyField(help_text=_("余额：应收减预收/应退"))
    count = serializers.IntegerField(help_text=_("有欠款的订单数（全部页）"))
    next = serializers.URLField(allow_null=True, help_text=_("下一页"))
    previous = serializers.URLField(allow_null=True, help_text=_("上一页"))
    items = ReceivableSerializer(many=True, help_text=_("本页的订单，账龄最长的在前（page、page_size 分页）"))
    customer_count = serializers.IntegerField(help_text=_("有欠款或预收/应退的客户数"))
    by_customer = ReceivableGroupSerializer(many=True, help_text=_("应收余额最大的 50 个客户（全部客户见客户账龄报表）"))
    by_owner = ReceivableGroupSerializer(many=True)
    held_count = serializers.IntegerField(help_text=_("有预收/应退的订单数"))
    held = ReceivableSerializer(many=True, help_text=_("预收/应退金额最大的 50 个订单（全部见导出 Excel）"))
    collection_rate = CollectionRateSerializer()


class ReceivablesViewSet(ExportActionMixin, viewsets.GenericViewSet):
    """应收账款: per order (aged by shipment date), per customer and per rep, and this month's collection rate."""

    filter_backends = [ListFilterBackend]  # `q` or `search`, as every list
    filterset_class = ReceivableFilter
    pagination_class = None
    serializer_class = ReceivablesSerializer
    export_name = "receivables"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)

    def get_queryset(self):
        return receivables.receivable_orders_for(self.request.user)

    @extend_schema(
        responses=ReceivablesSerializer,
        filters=True,
        parameters=[
            OpenApiParameter("page", int, description=_("页码，从 1 开始")),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": MIN_PAGE_SIZE, "maximum": MAX_PAGE_SIZE, "default": PAGE_SIZE},
                description=_("每页条数，1–200，默认 25；超出范围返回 400"),
            ),
        ],
    )
    def list(self, request):
        """The totals and groups of every receivable the filters keep, and one page of them (the oldest debt first)."""
        if Pagination.cursor_query_param in request.query_params:
            raise ValidationError({Pagination.cursor_query_param: [_("应收账款按页码分页（page），不支持游标 cursor")]})
        today = timezone.localdate()
        table = receivables.ReceivableTable(self.filter_queryset(self.get_queryset()), today)
        pager = Pagination()
        summary = table.summary(*page_window(request.query_params.get(pager.page_query_param), pager.get_page_size(request)))
        items = pager.paginate_queryset(table, request, view=self)
        totals = summary.totals
        data = {
            "today": today,
            "buckets": [{"code": code, "label": str(label)} for code, label, *_rest in rules.AGING_BUCKETS],
            "total_open": totals["open"],
            "total_overdue": totals["overdue"],
            "total_held": totals["held"],
            "total_balance": totals["balance"],
            "count": pager.page.paginator.count,
            "next": pager.get_next_link(),
            "previous": pager.get_previous_link(),
            "items": items,
            "customer_count": summary.customer_count,
            "by_customer": summary.by_customer,
            "by_owner": summary.by_owner,
            "held_count": summary.held_count,
            "held": summary.held,
            "collection_rate": {
                "start": today.replace(day=1),
                "end": today,
                "rate": receivables.collection_rate(
                    # the filters narrow the money collected as they narrowed the receivable (the totals)
                    request.user,
                    today.replace(day=1),
                    today,
                    narrow=self.filter_queryset,
                    receivable=totals["open"],
                ),
            },
        }
        return Response(ReceivablesSerializer(data).data)
