"""导出 Excel of the order, shipment, invoice, payment, receivables and credit-note lists: the list's columns, amounts as
numbers in yuan format.

Registered in OrdersConfig.ready (salesops.core.exports); the rows are the list's filter set over its visibility selector
(the receivables: one row per owing or holding order the filter set keeps, computed by receivables.receivable_export_rows).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from . import receivables, rules, selectors
from .credit_note_list import credit_note_list_for
from .filters import CreditNoteFilter, InvoiceFilter, OrderFilter, PaymentFilter, ReceivableFilter, ShipmentFilter
from .models import InvoiceRequest, Payment, SalesOrder, Shipment


def order_columns() -> list[Column]:
    return [
        Column(_("订单号"), Kind.TEXT, 18, lambda o: o.number),
        Column(_("客户"), Kind.TEXT, 30, lambda o: o.customer.name),
        Column(_("合同编号"), Kind.TEXT, 18, lambda o: o.contract.number if o.contract_id else ""),
        Column(_("客户订单号"), Kind.TEXT, 14, lambda o: o.customer_po),
        Column(_("项目名称"), Kind.TEXT, 24, lambda o: o.project_name),
        Column(_("状态"), Kind.TEXT, 10, choice_label(SalesOrder, "status")),
        Column(_("生产状态"), Kind.TEXT, 10, choice_label(SalesOrder, "production_status")),
        Column(_("接单日期"), Kind.DATE, 12, lambda o: o.received_on),
        Column(_("承诺发货日期"), Kind.DATE, 12, lambda o: o.promised_ship_date),
        Column(_("付款方式"), Kind.TEXT, 10, choice_label(SalesOrder, "payment_terms")),
        Column(_("币种"), Kind.TEXT, 6, lambda o: o.currency),
        Column(_("含税金额"), Kind.MONEY, 14, lambda o: o.amount_incl),
        Column(_("负责业务员"), Kind.TEXT, 10, lambda o: display_name(o.owner)),
    ]


def shipment_columns() -> list[Column]:
    return [
        Column(_("出货单号"), Kind.TEXT, 18, lambda s: s.number),
        Column(_("订单号"), Kind.TEXT, 18, lambda s: s.order.number),
        Column(_("客户"), Kind.TEXT, 30, lambda s: s.order.customer.name),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Shipment, "status")),
        Column(_("计划发货日期"), Kind.DATE, 12, lambda s: s.planned_on),
        Column(_("承运商/货运部"), Kind.TEXT, 16, lambda s: s.carrier),
        Column(_("运单号"), Kind.TEXT, 16, lambda s: s.tracking_no),
        Column(_("件数"), Kind.INTEGER, 6, lambda s: s.packages),
        Column(_("收货人"), Kind.TEXT, 10, lambda s: s.consignee),
        Column(_("收货地址"), Kind.TEXT, 36, lambda s: f"{s.ship_to_province}{s.ship_to_city}{s.ship_to_address}"),
        Column(_("含税金额"), Kind.MONEY, 14, lambda s: s.amount_incl, total=True),
        Column(_("拒收退回金额(含税)"), Kind.MONEY, 14, lambda s: s.returned_amount, total=True),
        Column(_("净发货金额(含税)"), Kind.MONEY, 14, lambda s: s.kept_amount_incl, total=True),
        Column(_("发货时间"), Kind.DATETIME, 17, lambda s: s.shipped_at),
        Column(_("签收日期"), Kind.DATE, 12, lambda s: s.delivered_on),
    ]


def invoice_columns() -> list[Column]:
    return [
        Column(_("开票申请单号"), Kind.TEXT, 16, lambda i: i.number),
        Column(_("订单号"), Kind.TEXT, 18, lambda i: i.order.number),
        Column(_("客户"), Kind.TEXT, 30, lambda i: i.order.customer.name),
        Column(_("发票抬头"), Kind.TEXT, 30, lambda i: i.title),
        Column(_("纳税人识别号"), Kind.TEXT, 22, lambda i: i.tax_id),
        Column(_("发票类型"), Kind.TEXT, 12, choice_label(InvoiceRequest, "invoice_type")),
        Column(_("开票金额"), Kind.MONEY, 14, lambda i: i.amount),
        Column(_("状态"), Kind.TEXT, 10, choice_label(InvoiceRequest, "status")),
        Column(_("发票号码"), Kind.TEXT, 20, lambda i: i.invoice_numbers),
        Column(_("开票日期"), Kind.DATE, 12, lambda i: i.issued_on),
        Column(_("申请人"), Kind.TEXT, 10, lambda i: display_name(i.requested_by)),
        Column(_("申请时间"), Kind.DATETIME, 17, lambda i: i.requested_at),
    ]


def payment_columns() -> list[Column]:
    return [
        Column(_("回款单号"), Kind.TEXT, 16, lambda p: p.number),
        Column(_("客户"), Kind.TEXT, 30, lambda p: p.customer.name),
        Column(_("到账日期"), Kind.DATE, 12, lambda p: p.received_on),
        Column(_("金额"), Kind.MONEY, 14, lambda p: p.amount),
        Column(_("类型"), Kind.TEXT, 8, choice_label(Payment, "kind")),
        Column(_("方式"), Kind.TEXT, 10, choice_label(Payment, "method")),
        Column(_("银行流水号"), Kind.TEXT, 20, lambda p: p.bank_reference),
        Column(_("状态"), Kind.TEXT, 10, choice_label(Payment, "status")),
        Column(_("核销订单"), Kind.TEXT, 24, lambda p: "、".join(a.order.number for a in p.allocations.all())),
        Column(_("登记人"), Kind.TEXT, 10, lambda p: display_name(p.recorded_by)),
        Column(_("确认人"), Kind.TEXT, 10, lambda p: display_name(p.confirmed_by)),
        Column(_("确认时间"), Kind.DATETIME, 17, lambda p: p.confirmed_at),
    ]


def _bucket(code: str):
    return lambda r: r.buckets[code]


def receivable_columns() -> list[Column]:
    return [
        Column(_("订单号"), Kind.TEXT, 18, lambda r: r.order.number),
        Column(_("客户"), Kind.TEXT, 30, lambda r: r.order.customer.name),
        Column(_("业务员"), Kind.TEXT, 10, lambda r: display_name(r.order.owner)),
        Column(_("账期(天)"), Kind.INTEGER, 8, lambda r: r.order.credit_days),
        Column(_("已发货金额"), Kind.MONEY, 14, lambda r: r.shipped, total=True),
        Column(_("已确认回款"), Kind.MONEY, 14, lambda r: r.paid, total=True),
        Column(_("红字冲减"), Kind.MONEY, 12, lambda r: r.credited, total=True),
        *(Column(str(label), Kind.MONEY, 13, _bucket(code), total=True) for code, label, *_rest in rules.AGING_BUCKETS),
        Column(_("未收金额"), Kind.MONEY, 14, lambda r: r.open, total=True),
        Column(_("逾期金额"), Kind.MONEY, 14, lambda r: r.overdue, total=True),
        Column(_("最长账龄(天)"), Kind.INTEGER, 10, lambda r: r.oldest_days),
        Column(_("预收/应退"), Kind.MONEY, 14, lambda r: r.held, total=True),
        Column(_("余额"), Kind.MONEY, 14, lambda r: r.balance, total=True),
    ]


def credit_note_columns() -> list[Column]:
    return [
        Column(_("冲减单号"), Kind.TEXT, 18, lambda c: c.number),
        Column(_("开具时间"), Kind.DATETIME, 17, lambda c: c.created_at),
        Column(_("订单号"), Kind.TEXT, 18, lambda c: c.order.number),
        Column(_("客户"), Kind.TEXT, 30, lambda c: c.order.customer.name),
        Column(_("冲减金额(含税)"), Kind.MONEY, 14, lambda c: c.amount, total=True),
        Column(_("原因"), Kind.TEXT, 30, lambda c: c.reason),
        Column(_("来源单据"), Kind.TEXT, 18, lambda c: c.reference),
        Column(_("开具人"), Kind.TEXT, 10, lambda c: display_name(c.created_by)),
    ]


register_export(
    ListExport(
        name="orders",
        list_view="orders:order_list",
        title=gettext_lazy("销售订单"),
        source=plain(OrderFilter, selectors.order_list_for),
        columns=order_columns,
    ),
    ListExport(
        name="shipments",
        list_view="orders:shipment_list",
        title=gettext_lazy("出货单"),
        source=plain(ShipmentFilter, selectors.shipment_list_for),
        columns=shipment_columns,
    ),
    ListExport(
        name="invoices",
        list_view="orders:invoice_list",
        title=gettext_lazy("开票申请"),
        source=plain(InvoiceFilter, selectors.invoice_list_for),
        columns=invoice_columns,
    ),
    ListExport(
        name="payments",
        list_view="orders:payment_list",
        title=gettext_lazy("回款"),
        source=plain(PaymentFilter, selectors.payment_list_for),
        columns=payment_columns,
        prepare=lambda qs, params: qs.prefetch_related("allocations__order"),
    ),
    ListExport(
        name="receivables",
        list_view="orders:receivables",
        title=gettext_lazy("应收账款"),
        source=plain(ReceivableFilter, receivables.receivable_orders_for),
        columns=receivable_columns,
        rows=receivables.receivable_export_rows,
    ),
    ListExport(
        name="credit-notes",
        list_view="orders:credit_note_list",
        title=gettext_lazy("红字冲减单"),
        source=plain(CreditNoteFilter, credit_note_list_for),
        columns=credit_note_columns,
    ),
)
