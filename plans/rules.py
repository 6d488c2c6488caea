"""The rules of a sales plan (销售计划, seed 002: 部门经理根据公司年度销售目标，制定销售计划，报公司领导审批；销售代表根据部门
销售计划，制定个人销售计划，报部门经理审批；销售部门要根据公司的销售目标，合理制定月度、季度销售计划，并分解到各销售团队), pure:

- The levels (`Level`): the department's plan (the sales manager writes it, 公司领导 approve it: the sales VP, then the
  GM), a team's (its team lead; the sales manager approves) and a rep's own (the rep; the sales manager approves).
- A plan is for a month, a quarter or a year (`PERIOD_KINDS`).
- Its lines (`check_line`): a key customer or an item (重点客户/产品/区域), the amount planned above zero in yuan to the
  fen, what will be done (措施).
- The plan as a whole (`check_plan`): some line, the analysis and the measures written; a plan whose lines add up to less
  than its target says why (差距说明).
- Who approves (`route`).
- When next month's plans are due (`THRESHOLDS`: the day of the month, 下月销售计划提交日); from that day on whoever
  has not handed in theirs is reminded once.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core.approvals import StepSpec

KIND = "sales_plan"
CENTS = Decimal("0.01")
MAX_LINE = Decimal("1000000000")  # a billion yuan on one line is a typing error
PERIOD_KINDS = ("month", "quarter", "year")

# (code, name, default, description): admin-editable core.Threshold rows (seeded by plans migration 0003)
THRESHOLDS = (
    ("plan_due_day", "下月销售计划提交日(每月几号)", Decimal(25), "每月此日起仍未提交下月销售计划的，提醒制定人（一次）"),
)
THRESHOLD_DEFAULTS = {code: value for code, _name, value, _description in THRESHOLDS}


class Level:
    COMPANY = "company"
    TEAM = "team"
    REP = "rep"

    choices = [
        (COMPANY, gettext_lazy("部门销售计划")),
        (TEAM, gettext_lazy("销售组计划")),
        (REP, gettext_lazy("个人销售计划")),
    ]


def check_line(*, customer_id: int | None, item: str, amount, measures: str) -> None:
    """One line; raises ValueError with the reason (in the reader's language)."""
    if customer_id is None and not item.strip():
        raise ValueError(_("请选择重点客户或填写计划项目。"))
    if amount is None or amount <= 0:
        raise ValueError(_("计划金额应大于 0。"))
    if amount != amount.quantize(CENTS) or amount >= MAX_LINE:
        raise ValueError(_("计划金额应为不超过 10 亿元、最多两位小数的数。"))
    if not measures.strip():
        raise ValueError(_("请写明措施。"))


def check_plan(*, lines: int, analysis: str, strategy: str, planned: Decimal, target: Decimal | None, gap: str) -> None:
    """The plan as handed in: some line, the analysis and the measures, and why it falls short of its target."""
    if not lines:
        raise ValueError(_("销售计划至少要有一行计划。"))
    if not analysis.strip():
        raise ValueError(_("请填写市场分析。"))
    if not strategy.strip():
        raise ValueError(_("请填写销售策略与措施。"))
    if target is not None and planned < target and not gap.strip():
        raise ValueError(
            _("计划合计 %(planned)s 元低于目标 %(target)s 元，请填写差距说明。")
            % {"planned": f"{planned:,.2f}", "target": f"{target:,.2f}"}
        )


def route(level: str) -> list[StepSpec]:
    """The department's plan: the sales VP, then the GM (公司领导); a team's or a rep's: the sales manager (部门经理)."""
    if level == Level.COMPANY:
        why = gettext_noop("全公司的销售计划由公司领导（销售副总、总经理）审批")
        return [
            StepSpec(
                code="sales_vp",
                label=gettext_lazy("销售副总审批"),
                stage=10,
                role="sales_vp",
                department="management",
                reason=why,
            ),
            StepSpec(code="gm", label=gettext_lazy("总经理审批"), stage=20, role="gm", department="management", reason=why),
        ]
    why = gettext_noop("销售组和个人的销售计划由销售部经理审批")
    return [
        StepSpec(
            code="manager", label=gettext_lazy("销售部经理审批"), stage=10, role="sales_manager", department="sales", reason=why
        )
    ]
