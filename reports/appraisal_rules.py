"""The rules of the performance appraisal (绩效考核, seed 002 销售人员绩效考核方案 and seed 004 内勤绩效考核), pure:

- The form (DEFAULT_CRITERIA): 工作绩效 45, 工作态度 20, 工作能力 35 points. A seller's 工作绩效 is measured (尽量采用
  可衡量的量化指标进行考核): the sales target achieved, the collection rate, the new customers against their target, the
  customers' satisfaction. A clerk's is the accuracy of the orders they verified (准确率) and how completely the orders
  were carried through (完成率, scored by the appraiser). The other parts are scored by the appraiser.
- A measured line scores its points times the rate, at most its points (`points_for`); without a figure (no target
  set, nothing verified) the appraiser scores it by hand.
- The grade (`grade_for`): 优秀 A, 良好 B, 合格 C, 不合格 D by the bands in the thresholds (90 / 80 / 60, editable).
- Who approves the table (`round_route`): the GM (考核结果上报总经理审批后生效).
- Who is appraised (`POSTS`): the sellers (业务员, 销售组长) and the clerks (销售内勤).
- What a grade means (DEFAULT_PAY_RULES, 销售人员薪酬激励制度): the factor of the performance pay and the change of
  sales level, by grade, for a quarter and for a year (the seed names the table without its figures; these are the
  figures a new database starts with, edited in admin).
- When (`schedule`, 考核实施程序): 考核期结束后的2个工作日内…发给销售人员本人进行确认；确认工作必须在考核期结束后的第3个
  工作日完成；第5个工作日…将整体统计表提交公司总经理和财务部门 — the working days are thresholds, counted on the
  company's working calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.approvals import StepSpec
from salesops.core.roles import Role

POINTS = Decimal("0.01")
ROUND_KIND = "appraisal_round"
POSTS = {Role.SALES_REP: "seller", Role.TEAM_LEAD: "seller", Role.SALES_CLERK: "clerk"}

# (post, part, name, standard, points, measure) — the lines a new database starts with (reports migration 0005)
DEFAULT_CRITERIA = [
    ("seller", "performance", "销售目标完成率", "考核期发货销售额 ÷ 销售目标，满额得满分", 25, "achievement"),
    ("seller", "performance", "回款率", "考核期回款 ÷（回款 + 期末应收）", 10, "collection"),
    ("seller", "performance", "新客户开发", "考核期新增客户数 ÷ 新客户数目标", 5, "new_customers"),
    ("seller", "performance", "客户满意度", "考核期回访平均分 ÷ 5", 5, "satisfaction"),
    ("seller", "attitude", "纪律性", "遵守考勤与公司制度", 5, ""),
    ("seller", "attitude", "责任心", "对客户和订单负责到底", 5, ""),
    ("seller", "attitude", "积极性", "主动开拓、主动跟进", 5, ""),
    ("seller", "attitude", "团队协作", "与同事、其他部门的协作配合", 5, ""),
    ("seller", "ability", "专业知识", "产品型号、参数与应用的掌握", 10, ""),
    ("seller", "ability", "沟通谈判能力", "与客户沟通、报价与谈判", 10, ""),
    ("seller", "ability", "市场开拓与信息收集", "市场调研、竞争对手与客户信息的收集与分析", 10, ""),
    ("seller", "ability", "计划与执行", "拜访计划、周报与工作计划的执行", 5, ""),
    ("clerk", "performance", "订单处理准确率", "本人核单的订单核单后无需变更的比例", 25, "order_accuracy"),
    ("clerk", "performance", "订单完成率", "订单确认、生产跟进、发货物流跟进、催促开票的完成情况", 20, ""),
    ("clerk", "attitude", "纪律性", "遵守考勤与公司制度", 5, ""),
    ("clerk", "attitude", "责任心", "单据及时、准确、完整", 5, ""),
    ("clerk", "attitude", "服务意识", "对业务员和客户的响应", 5, ""),
    ("clerk", "attitude", "团队协作", "与销售团队、其他部门的协作配合", 5, ""),
    ("clerk", "ability", "业务知识", "产品、价格与订单流程的掌握", 10, ""),
    ("clerk", "ability", "沟通协调", "与客户、生产、财务、仓库的协调", 10, ""),
    ("clerk", "ability", "系统与办公软件", "销售系统、Excel 等的运用", 10, ""),
    ("clerk", "ability", "文书与报告", "邮件、报表与工作报告", 5, ""),
]

# (kind, grade, 绩效工资系数, 销售级别调整, note) — the 薪酬激励标准 a new database starts with (reports migration 0006)
DEFAULT_PAY_RULES = [
    ("quarter", "A", Decimal("1.20"), 0, "季度绩效工资按 1.2 倍发放"),
    ("quarter", "B", Decimal("1.00"), 0, "季度绩效工资全额发放"),
    ("quarter", "C", Decimal("0.80"), 0, "季度绩效工资按 0.8 倍发放"),
    ("quarter", "D", Decimal("0.50"), 0, "季度绩效工资按 0.5 倍发放，约谈改进"),
    ("year", "A", Decimal("1.20"), 1, "晋升一个销售级别，年终奖另按公司全年盈利状况确定"),
    ("year", "B", Decimal("1.00"), 0, "级别不变"),
    ("year", "C", Decimal("0.80"), 0, "级别不变，制定改进计划"),
    ("year", "D", Decimal("0.50"), -1, "降一个销售级别；作为调职、辞退的依据"),
]

# (milestone, label, threshold of its working day after the period's end); the GM's approval has no date of its own
SCHEDULE = (
    ("send", gettext_lazy("考核表汇总并发本人确认"), "appraisal_send_days"),
    ("confirm", gettext_lazy("本人确认（含异议再确认）"), "appraisal_confirm_days"),
    ("submit", gettext_lazy("提交总经理审批"), "appraisal_submit_days"),
)


@dataclass(frozen=True)
class Milestone:
    """A step of the round's timetable: when it is due, when it was done, and its state — "done" (on time), "late"
    (done after the day), "overdue" (not done, the day has passed) or "due"."""

    code: str
    label: str
    due: date
    done_on: date | None
    state: str


def milestone(code: str, label, due: date, done_on: date | None, today: date) -> Milestone:
    if done_on is not None:
        state = "done" if done_on <= due else "late"
    else:
        state = "overdue" if today > due else "due"
    return Milestone(code=code, label=str(label), due=due, done_on=done_on, state=state)


def points_for(rate: Decimal | None, max_points: Decimal) -> Decimal | None:
    """A measured line's points: its points times the rate (at most its points, at least 0), to the hundredth; None
    without a figure."""
    if rate is None:
        return None
    share = min(max(Decimal(rate), Decimal(0)), Decimal(1))
    return (Decimal(max_points) * share).quantize(POINTS, rounding=ROUND_HALF_UP)


def grade_for(total: Decimal, *, a: Decimal, b: Decimal, c: Decimal) -> str:
    """A at or above `a`, B at or above `b`, C at or above `c`, else D."""
    for grade, floor in (("A", a), ("B", b), ("C", c)):
        if total >= floor:
            return grade
    return "D"


def check_points(points: Decimal | None, max_points: Decimal, name: str) -> None:
    """A hand score is between 0 and the line's points, to the hundredth."""
    if points is None:
        return
    if points < 0 or points > max_points:
        raise ValueError(_("「%(name)s」的得分应在 0 到 %(max)s 之间。") % {"name": name, "max": f"{max_points.normalize():f}"})
    if points != points.quantize(POINTS):
        raise ValueError(_("「%(name)s」的得分最多两位小数。") % {"name": name})


def round_route() -> list[StepSpec]:
    """考核结果上报总经理审批后生效."""
    return [StepSpec(code="gm", label=gettext_lazy("总经理审批"), stage=10, role="gm", department="management")]
