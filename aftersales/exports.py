"""导出 Excel of the after-sales lists (callbacks, tickets, complaints, returns, annual plans), in each list's order.

Registered in AftersalesConfig.ready (salesops.core.exports): the list's filter set over its visibility selector.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from . import selectors
from .filters import CallbackFilter, ComplaintFilter, PlanFilter, ReturnFilter, TicketFilter
from .models import Callback, Complaint, ReturnRequest, ServicePlan, ServiceTicket


def _order_number(doc) -> str:
    return doc.order.number if doc.order_id else ""


def callback_columns() -> list[Column]:
    return [
        Column(_("客户"), Kind.TEXT, 30, lambda c: c.customer.name),
        Column(_("订单号"), Kind.TEXT, 18, _order_number),
        Column(_("应回访日期"), Kind.DATE, 12, lambda c: c.due_on),
        Column(_("回访人"), Kind.TEXT, 10, lambda c: display_name(c.assignee)),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Callback, "status")),
        Column(_("尝试次数"), Kind.INTEGER, 8, lambda c: c.attempts),
        Column(_("产品评分"), Kind.INTEGER, 8, lambda c: c.score_product),
        Column(_("交付评分"), Kind.INTEGER, 8, lambda c: c.score_delivery),
        Column(_("服务评分"), Kind.INTEGER, 8, lambda c: c.score_service),
        Column(_("完成时间"), Kind.DATETIME, 17, lambda c: c.done_at),
    ]


def ticket_columns() -> list[Column]:
    return [
        Column(_("工单号"), Kind.TEXT, 18, lambda t: t.number),
        Column(_("类型"), Kind.TEXT, 10, choice_label(ServiceTicket, "ticket_type")),
        Column(_("优先级"), Kind.TEXT, 8, choice_label(ServiceTicket, "priority")),
        Column(_("客户"), Kind.TEXT, 30, lambda t: t.customer.name),
        Column(_("主题"), Kind.TEXT, 30, lambda t: t.subject),
        Column(_("状态"), Kind.TEXT, 10, choice_label(ServiceTicket, "status")),
        Column(_("工程师"), Kind.TEXT, 10, lambda t: display_name(t.engineer)),
        Column(_("响应时限"), Kind.DATETIME, 17, lambda t: t.respond_by),
        Column(_("解决时限"), Kind.DATETIME, 17, lambda t: t.resolve_by),
        Column(_("创建时间"), Kind.DATETIME, 17, lambda t: t.created_at),
    ]


def complaint_columns() -> list[Column]:
    return [
        Column(_("投诉编号"), Kind.TEXT, 18, lambda c: c.number),
        Column(_("客户"), Kind.TEXT, 30, lambda c: c.customer.name),
        Column(_("订单号"), Kind.TEXT, 18, _order_number),
        Column(_("严重程度"), Kind.TEXT, 8, choice_label(Complaint, "severity")),
        Column(_("受理日期"), Kind.DATE, 12, lambda c: c.reported_on),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Complaint, "status")),
        Column(_("调查人"), Kind.TEXT, 10, lambda c: display_name(c.investigator)),
        Column(_("问题描述"), Kind.TEXT, 40, lambda c: c.description),
        Column(_("结案时间"), Kind.DATETIME, 17, lambda c: c.closed_at),
    ]


def return_columns() -> list[Column]:
    return [
        Column(_("申请编号"), Kind.TEXT, 18, lambda r: r.number),
        Column(_("类型"), Kind.TEXT, 8, choice_label(ReturnRequest, "kind")),
        Column(_("客户"), Kind.TEXT, 30, lambda r: r.customer.name),
        Column(_("订单号"), Kind.TEXT, 18, _order_number),
        Column(_("状态"), Kind.TEXT, 10, choice_label(ReturnRequest, "status")),
        Column(_("金额"), Kind.MONEY, 14, lambda r: r.amount),
        Column(_("申请人"), Kind.TEXT, 10, lambda r: display_name(r.requested_by)),
        Column(_("申请时间"), Kind.DATETIME, 17, lambda r: r.requested_at),
        Column(_("原因"), Kind.TEXT, 40, lambda r: r.reason),
    ]


def plan_columns() -> list[Column]:
    return [
        Column(_("年度"), Kind.INTEGER, 8, lambda p: p.year),
        Column(_("标题"), Kind.TEXT, 30, lambda p: p.title),
        Column(_("状态"), Kind.TEXT, 10, choice_label(ServicePlan, "status")),
        Column(_("事项数"), Kind.INTEGER, 8, lambda p: len(p.items.all())),
        Column(_("编制人"), Kind.TEXT, 10, lambda p: display_name(p.created_by)),
        Column(_("批准时间"), Kind.DATETIME, 17, lambda p: p.approved_at),
    ]


def _ordered(*fields):
    return lambda qs, params: qs.order_by(*fields)


register_export(
    ListExport(
        name="callbacks",
        list_view="aftersales:callback_list",
        title=gettext_lazy("回访"),
        source=plain(CallbackFilter, selectors.callback_list_for),
        columns=callback_columns,
        prepare=_ordered("-due_on", "-pk"),
    ),
    ListExport(
        name="tickets",
        list_view="aftersales:ticket_list",
        title=gettext_lazy("服务工单"),
        source=plain(TicketFilter, selectors.ticket_list_for),
        columns=ticket_columns,
        prepare=_ordered("-created_at", "-pk"),
    ),
    ListExport(
        name="complaints",
        list_view="aftersales:complaint_list",
        title=gettext_lazy("客户投诉"),
        source=plain(ComplaintFilter, selectors.complaint_list_for),
        columns=complaint_columns,
        prepare=_ordered("-created_at", "-pk"),
    ),
    ListExport(
        name="returns",
        list_view="aftersales:rma_list",
        title=gettext_lazy("退换修"),
        source=plain(ReturnFilter, selectors.rma_list_for),
        columns=return_columns,
        prepare=_ordered("-requested_at", "-pk"),
    ),
    ListExport(
        name="service-plans",
        list_view="aftersales:plan_list",
        title=gettext_lazy("年度售后服务计划"),
        source=plain(PlanFilter, selectors.plan_list_for),
        columns=plan_columns,
    ),
)
