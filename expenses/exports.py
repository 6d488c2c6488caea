"""导出 Excel of the expense claims (registered in CoreConfig.ready, salesops.core.exports): one row per claim with its
total and the amount of each category, who checked it and when it was paid — the table finance reconciles."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.exports import ListExport, choice_label, plain, register_export
from salesops.core.names import display_name
from salesops.core.sheets import Column, Kind

from .filters import ExpenseClaimFilter
from .models import ExpenseClaim
from .rules import Category
from .selectors import claims_for


def _category(code: str):
    def cell(claim):
        amounts = [line.amount for line in claim.lines.all() if line.category == code]
        return sum(amounts, Decimal("0.00")) if amounts else None

    return cell


def claim_columns() -> list[Column]:
    return [
        Column(_("报销单号"), Kind.TEXT, 16, lambda c: c.number),
        Column(_("报销人"), Kind.TEXT, 10, lambda c: display_name(c.claimant)),
        Column(_("销售组"), Kind.TEXT, 10, lambda c: c.team.name if c.team_id else ""),
        Column(_("报销事由"), Kind.TEXT, 30, lambda c: c.title),
        Column(_("相关客户"), Kind.TEXT, 20, lambda c: c.customer.name if c.customer_id else ""),
        Column(_("报销金额"), Kind.MONEY, 12, lambda c: c.total),
        *(Column(str(label), Kind.MONEY, 10, _category(code)) for code, label in Category.choices),
        Column(_("状态"), Kind.TEXT, 10, choice_label(ExpenseClaim, "status")),
        Column(_("提交时间"), Kind.DATETIME, 17, lambda c: c.submitted_at),
        Column(_("审核内勤"), Kind.TEXT, 10, lambda c: display_name(c.checked_by, "")),
        Column(_("付款日期"), Kind.DATE, 12, lambda c: c.paid_on),
        Column(_("付款凭证号"), Kind.TEXT, 14, lambda c: c.payment_ref),
    ]


register_export(
    ListExport(
        name="expense-claims",
        list_view="expenses:claim_list",
        title=gettext_lazy("费用报销"),
        source=plain(ExpenseClaimFilter, claims_for),
        columns=claim_columns,
        prepare=lambda qs, params: qs.select_related("checked_by").prefetch_related("lines"),
    )
)
