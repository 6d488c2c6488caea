"""/api/v1/work/{clerk,finance,warehouse}/: the work queues of the day (counts and the first items), scoped to what the
user may see; each queue only for the roles that work it (orders.permissions.sees_queue). An order of the warehouse's
待检验 (to_inspect) gives the quantity left to inspect as its `amount` and its `expected_date`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.models import Contract
from salesops.core.pages import queue_head

from .. import permissions, selectors
from ..models import Inspection, Payment, SalesOrder, Shipment

QUEUE_ITEMS = 10  # work queues show the count and the first items


class WorkItemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="order / shipment / payment / invoice / inspection / contract")
    id = serializers.IntegerField()
    number = serializers.CharField(help_text=_("单号（回款：回款单号 HK-…）或批号"))
    reference = serializers.CharField(help_text=_("银行流水号/票据号（仅回款条目，其他为空）"))
    order = serializers.IntegerField(allow_null=True)
    order_number = serializers.CharField()
    customer_name = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    amount = serializers.CharField(allow_null=True, help_text=_("金额或数量（字符串）"))
    note = serializers.CharField(help_text=_("如交期风险原因"))
    expected_date = serializers.DateField(
        allow_null=True, required=False, help_text=_("预计完工日期（仅待检验的订单，其他条目为空）")
    )


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
    row = {"type": "", "id": obj.pk, "number": "", "reference": "", "order": None, "order_number": "", "customer_name": ""}
    row["note"] = note
    row["status"] = getattr(obj, "status", "")
    row["status_display"] = str(obj.get_status_display()) if hasattr(obj, "get_status_display") else ""
    row["amount"], row["expected_date"] = None, None
    if isinstance(obj, Contract):  # signed, with quantity still to order (已签订待下单)
        row.update(type="contract", number=obj.number, customer_name=obj.customer.name, amount=str(obj.amount_incl))
    elif isinstance(obj, SalesOrder):
        row.update(type="order", number=obj.number, order=obj.pk, order_number=obj.number, customer_name=obj.customer.name)
        row["amount"] = str(obj.amount_incl)
        if hasattr(obj, "to_inspect_quantity"):  # 待检验 (selectors.orders_to_inspect): the quantity left to inspect
            row.update(amount=str(obj.to_inspect_quantity), expected_date=obj.expected_date)
            row["note"] = note or _("%(lines)s 行待检验") % {"lines": obj.to_inspect_lines}
    elif isinstance(obj, Payment):
        row.update(type="payment", number=obj.number, reference=obj.bank_reference, customer_name=obj.customer.name)
        row["amount"] = str(obj.amount)
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
    """Each queue's first QUEUE_ITEMS items and its exact count (core.pages.queue_head, as on the pages)."""
    out = []
    for code, rows in queues.items():
        items, count = queue_head(rows, QUEUE_ITEMS)
        out.append({"code": code, "count": count, "items": [_item(r) for r in items]})
    return {"today": today, "queues": out}


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
        queues = selectors.clerk_queue(request.user, today)
        queues["contracts_to_order"] = selectors.contracts_to_order(request.user)  # last, as on the page
        return Response(WorkSerializer(_queues(queues, today)).data)

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
