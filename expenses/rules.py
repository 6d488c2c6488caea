"""The rules of a sales expense claim (费用报销, seed 004: 销售内勤…负责销售费用报销的审核…有权拒绝不符合公司规定的报销申请;
seed 001: 遵守公司的销售政策和流程要求，包括价格政策、销售折扣和报销要求), pure:

- A claim's lines (`check_line`): a category, the day it was spent (not in the future, not older than the claim period
  — 报销时效, a threshold), an amount above zero in yuan to the fen, what it was for (required for 其他).
- A claim (`check_claim`): at least one line; 业务招待 (entertaining) names the customer entertained.
- Who approves (`route`): the sales manager; a claim above the VP amount (a threshold) also the sales VP.
- How long a claim may wait (`WAITING`): the clerk checks it within some working days of its submission, finance pays
  it within some working days of its approval (thresholds); past that day the people who act on it are reminded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.approvals import StepSpec

KIND = "expense_claim"
CENTS = Decimal("0.01")
MAX_LINE = Decimal("1000000")  # a line of a million yuan or more is a typing error, not an expense

# (code, name, default, description): admin-editable core.Threshold rows (seeded by expenses migration 0001)
THRESHOLDS = (
    ("expense_max_age_days", "报销时效(天)", Decimal(90), "费用发生后超过此天数不能再报销"),
    (
        "expense_vp_amount",
        "报销需销售副总审批的金额(元)",
        Decimal(5000),
        "报销单合计超过此金额，销售部经理批准后还需销售副总批准",
    ),
    ("expense_check_days", "报销审核时限(工作日)", Decimal(2), "提交后超过此工作日数仍未审核，提醒销售内勤和销售部经理"),
    ("expense_pay_days", "报销付款时限(工作日)", Decimal(5), "批准后超过此工作日数仍未付款，提醒财务"),
)
THRESHOLD_DEFAULTS = {code: value for code, _name, value, _description in THRESHOLDS}


class Waiting(NamedTuple):
    """A stage a claim waits in for somebody: since when (the claim's field), for how many working days at most (the
    threshold), the name of its last day, and who is reminded past it (roles)."""

    since: str
    days: str
    label: str
    roles: tuple[str, ...]


WAITING = {  # by the claim's status
    "submitted": Waiting("submitted_at", "expense_check_days", gettext_lazy("审核期限"), ("sales_clerk", "sales_manager")),
    "approved": Waiting("approved_at", "expense_pay_days", gettext_lazy("付款期限"), ("finance",)),
}


class Category:
    TRANSPORT = "transport"
    TRAVEL = "travel"
    ENTERTAINMENT = "entertainment"
    COMMUNICATION = "communication"
    SAMPLES = "samples"
    EXHIBITION = "exhibition"
    OTHER = "other"

    choices = [
        (TRANSPORT, gettext_lazy("交通费")),
        (TRAVEL, gettext_lazy("差旅住宿")),
        (ENTERTAINMENT, gettext_lazy("业务招待")),
        (COMMUNICATION, gettext_lazy("通讯费")),
        (SAMPLES, gettext_lazy("样品费")),
        (EXHIBITION, gettext_lazy("展会费")),
        (OTHER, gettext_lazy("其他")),
    ]


def check_line(*, category: str, spent_on: date | None, amount, description: str, today: date, max_age_days: int) -> None:
    """One line as the clerk would accept it; raises ValueError with the reason (in the reader's language)."""
    if category not in dict(Category.choices):
        raise ValueError(_("请选择费用类别。"))
    if spent_on is None:
        raise ValueError(_("请填写费用发生日期。"))
    if spent_on > today:
        raise ValueError(_("费用发生日期不能晚于今天。"))
    if spent_on < today - timedelta(days=max_age_days):
        raise ValueError(_("%(day)s 的费用已超过报销时效（%(days)s 天）。") % {"day": spent_on.isoformat(), "days": max_age_days})
    if amount is None or amount <= 0:
        raise ValueError(_("金额应大于 0。"))
    if amount != amount.quantize(CENTS) or amount >= MAX_LINE:
        raise ValueError(_("金额应为不超过 1,000,000 元、最多两位小数的数。"))
    if category == Category.OTHER and not description.strip():
        raise ValueError(_("“其他”类费用请写明用途。"))


def check_claim(*, categories: list[str], has_customer: bool) -> None:
    """The claim as a whole: some line, and the customer entertained for 业务招待."""
    if not categories:
        raise ValueError(_("报销单至少要有一行费用。"))
    if Category.ENTERTAINMENT in categories and not has_customer:
        raise ValueError(_("业务招待费请选择招待的客户。"))


def route(total: Decimal, vp_amount: Decimal, *, by_manager: bool = False) -> list[StepSpec]:
    """The sales manager approves; above `vp_amount` the sales VP too. A sales manager's own claim goes to the VP alone
    (nobody approves their own: salesops.core.approvals)."""
    vp = {"code": "sales_vp", "label": gettext_lazy("销售副总审批"), "role": "sales_vp", "department": "management"}
    if by_manager:
        return [StepSpec(**vp, stage=10, reason=gettext_noop("报销人是销售部经理，本人不能审批，报销售副总审批"))]
    steps = [
        StepSpec(
            code="manager",
            label=gettext_lazy("销售部经理审批"),
            stage=10,
            role="sales_manager",
            department="sales",
            reason=gettext_noop("费用报销由销售部经理审批"),
        )
    ]
    if total > vp_amount:
        figures = {"amount": f"{total:,.2f}", "limit": f"{vp_amount:,.2f}"}
        steps.append(StepSpec(**vp, stage=20, reason=gettext_noop("金额 %(amount)s 元超过 %(limit)s 元"), reason_params=figures))
    return steps
