"""导出 Excel of the quotation and contract lists: the list's columns, amounts as numbers (registered in ready)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from . import selectors
from .filters import ContractFilter, QuotationFilter
from .models import Contract, Quotation


def _document_columns(model, number: str, day: str, day_of) -> list[Column]:
    return [
        Column(number, Kind.TEXT, 18, lambda d: d.number),
        Column(_("版本"), Kind.INTEGER, 6, lambda d: d.version),
        Column(_("客户"), Kind.TEXT, 30, lambda d: d.customer.name),
        Column(_("项目名称"), Kind.TEXT, 24, lambda d: d.project_name),
        Column(_("状态"), Kind.TEXT, 10, choice_label(model, "status")),
        Column(day, Kind.DATE, 12, day_of),
        Column(_("币种"), Kind.TEXT, 6, lambda d: d.currency),
        Column(_("不含税金额"), Kind.MONEY, 14, lambda d: d.amount_excl, key="amount_excl"),
        Column(_("税额"), Kind.MONEY, 12, lambda d: d.tax_amount, key="tax_amount"),
        Column(_("含税金额"), Kind.MONEY, 14, lambda d: d.amount_incl, key="amount_incl"),
        Column(_("负责业务员"), Kind.TEXT, 10, lambda d: display_name(d.owner)),
        Column(_("创建时间"), Kind.DATETIME, 17, lambda d: d.created_at),
    ]


def quotation_columns() -> list[Column]:
    columns = _document_columns(Quotation, _("报价单号"), _("报价日期"), lambda q: q.quote_date)
    return [*columns[:6], Column(_("有效期至"), Kind.DATE, 12, lambda q: q.valid_until), *columns[6:]]


def contract_columns() -> list[Column]:
    columns = _document_columns(Contract, _("合同编号"), _("合同日期"), lambda c: c.contract_date)
    return [
        *columns[:5],
        Column(_("合同类别"), Kind.TEXT, 10, choice_label(Contract, "classification")),
        *columns[5:],
        Column(_("交货日期"), Kind.DATE, 12, lambda c: c.delivery_date),
    ]


def _with_people(qs, params):
    return qs.select_related("customer", "owner")


register_export(
    ListExport(
        name="quotations",
        list_view="contracts:quotation_list",
        title=gettext_lazy("报价单"),
        source=plain(QuotationFilter, selectors.quotation_list_for),
        columns=quotation_columns,
        prepare=_with_people,
    ),
    ListExport(
        name="contracts",
        list_view="contracts:contract_list",
        title=gettext_lazy("合同"),
        source=plain(ContractFilter, selectors.contract_list_for),
        columns=contract_columns,
        prepare=_with_people,
        hidden=lambda user: set() if selectors.sees_prices(user) else {"amount_excl", "tax_amount", "amount_incl"},
    ),
)
