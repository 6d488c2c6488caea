"""/api/v1/statements/{customer id}/?start=&end=: a customer's statement of account (客户对账单, orders.statements) —
the opening balance, each movement with the running balance, the period's totals and the closing balance; the PDF and
the workbook are the page's downloads. A customer the user may not see is a 404; a role that does not handle money, 403."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from customers.selectors import customer_get_for
from salesops.core.api import MoneyField
from salesops.core.errors import DomainError, Forbidden

from .. import permissions
from ..forms import StatementPeriodForm
from ..statement_views import NOT_YOURS
from ..statements import customer_statement, last_month


class StatementMoveSerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.CharField(
        help_text="shipment（发货）/ refused（拒收退回）/ credit（红字冲减）/ payment（回款）/ refund（退款，记在应收一栏）"
    )
    kind_display = serializers.CharField(source="kind_label")
    number = serializers.CharField(help_text="出货单号、冲减单号或回款单号（回款 HK-…，退款 TK-…）")
    reference = serializers.CharField(help_text="银行流水号/票据号（回款、退款；其他为空）")
    order = serializers.CharField(help_text="订单号（回款、退款：所分配的订单，以“、”分隔）")
    owed = MoneyField(allow_null=True)
    paid = MoneyField(allow_null=True)
    balance = MoneyField()


class StatementSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    start = serializers.DateField()
    end = serializers.DateField()
    opening = MoneyField()
    moves = StatementMoveSerializer(many=True)
    owed = MoneyField(help_text="本期发货（减拒收退回）与退款")
    paid = MoneyField(help_text="本期回款与冲减")
    shipped = MoneyField(help_text="本期发货")
    refused = MoneyField(help_text="本期拒收退回")
    refunded = MoneyField(help_text="本期退款")
    credited = MoneyField(help_text="本期红字冲减")
    received = MoneyField(help_text="本期回款")
    closing = MoneyField(help_text="期末余额：为负表示预收款")


class StatementViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="开始日期（默认上月第一天）"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="结束日期（默认上月最后一天）"),
        ],
        responses=StatementSerializer,
        summary="客户对账单",
    )
    def retrieve(self, request, pk=None):
        customer = customer_get_for(request.user, pk)
        if not permissions.handles_money(request.user):
            raise Forbidden(str(NOT_YOURS))
        start, end = last_month()
        given = {name: request.query_params[name] for name in ("start", "end") if request.query_params.get(name)}
        form = StatementPeriodForm({"start": start, "end": end} | given)
        if not form.is_valid():
            raise DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors), code="period")
        found = customer_statement(customer, form.cleaned_data["start"], form.cleaned_data["end"])
        return Response(StatementSerializer(found).data)
