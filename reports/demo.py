"""Demo data of the reports floor (called by the demo registry after the after-sales demo data; safe to run again):
last week's weekly reports (销售周报) — alice's handed in and commented on by her lead lena, carol's handed in and
waiting for a comment — so the list, the comments and this week's missing ones have something to show; and last
quarter's appraisal (绩效考核) under way: alice's confirmed, carol's objected to, bob's waiting for him, lena's and the
clerk's still being scored; the quarter before approved by the GM, each grade's pay fixed (the table finance pays from,
and the grades the open round compares with)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from salesops.core import approvals

from . import appraisal_rules
from .models import Appraisal, AppraisalRound, WeeklyReport
from .periods import Period
from .services import appraisals, weekly

# rep, summary, market, next week's plan, the lead's comment ("" = not commented yet)
DEMO_WEEKLY = [
    (
        "alice",
        "拜访苏州恒通、无锡新锐各一次；恒通展柜升级进入商务谈判，二期包装线伺服报价已发。",
        "友商 A 在华东的伺服报价下调约 5%，客户更看重交期。",
        "周二确认无锡新锐泵站招标的技术参数；周四跟进恒通展柜合同条款。",
        "恒通的交期要提前和生产确认，别在合同里承诺做不到的日期。",
    ),
    (
        "carol",
        "广州粤海的代理区域扩展谈了两轮，对方要求佛山、东莞独家。",
        "华南经销商普遍压库存，回款周期拉长到 60 天左右。",
        "准备代理政策草案，周三报销售经理审核。",
        "",
    ),
]


def seed(seeded: Mapping[str, Any]) -> dict[str, Any]:
    users = seeded["users"]
    last_week = timezone.localdate() - timedelta(days=7)
    for username, summary, market, plan, comment in DEMO_WEEKLY:
        rep = users[username]
        if WeeklyReport.objects.filter(rep=rep).exists():
            continue
        report = weekly.weekly_open(actor=rep, day=last_week)
        report = weekly.weekly_update(report=report, actor=rep, data={"summary": summary, "market": market, "next_plan": plan})
        report = weekly.weekly_submit(report=report, actor=rep)
        if comment:
            weekly.weekly_review(report=report, actor=users["lena"], note=comment)
    _seed_appraisal(users)
    return {}


# person, share of the points given to the lines scored by hand, what the person does ("" = not sent yet)
DEMO_APPRAISALS = [
    ("alice", "0.9", "confirm"),
    ("carol", "0.7", "object"),
    ("bob", "0.8", "wait"),
    ("lena", "0.85", ""),
]


# the quarter before: the share each person's hand-scored lines got (the clerk's too); everyone confirmed
DEMO_EARLIER = {"alice": "0.95", "carol": "0.6", "bob": "0.85", "lena": "0.9", "clerk": "0.9"}


def _by_hand(appraisal: Appraisal, share: str) -> dict:
    """The lines left to the appraiser, each scored at `share` of its points (to the half point)."""
    return {
        s.pk: {"points": (s.max_points * Decimal(share)).quantize(Decimal("0.5"))}
        for s in appraisal.scores.all()
        if not s.measured
    }


def _seed_approved_round(users, quarter: Period) -> None:
    manager = users["manager"]
    round_ = appraisals.round_open(actor=manager, period_key=quarter.key)
    for appraisal in round_.appraisals.select_related("employee"):
        share = DEMO_EARLIER.get(appraisal.employee.username, "0.8")
        appraisal = appraisals.appraisal_score(
            appraisal=appraisal, actor=manager, scores=_by_hand(appraisal, share), comment="按季度考核方案评分。"
        )
        appraisal = appraisals.appraisal_send(appraisal=appraisal, actor=manager)
        appraisals.appraisal_confirm(appraisal=appraisal, actor=appraisal.employee)
    round_ = appraisals.round_submit(round_=round_, actor=manager)
    step = approvals.requests_for(round_, appraisal_rules.ROUND_KIND).get().steps.get()
    approvals.approval_decide(step_id=step.pk, actor=users["gm"], decision="approve", comment="同意，按薪酬激励标准执行。")


def _seed_appraisal(users) -> None:
    today = timezone.localdate()
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()
    if AppraisalRound.objects.exists():
        return
    _seed_approved_round(users, quarter.previous())
    manager = users["manager"]
    round_ = appraisals.round_open(actor=manager, period_key=quarter.key)
    for username, share, move in DEMO_APPRAISALS:
        appraisal = Appraisal.objects.get(round=round_, employee=users[username])
        appraisal = appraisals.appraisal_score(
            appraisal=appraisal,
            actor=manager,
            scores=_by_hand(appraisal, share),
            comment="本季度客户开拓积极，回款跟进还需加强。",
        )
        if not move:
            continue
        appraisal = appraisals.appraisal_send(appraisal=appraisal, actor=manager)
        if move == "confirm":
            appraisals.appraisal_confirm(appraisal=appraisal, actor=users[username])
        elif move == "object":
            appraisals.appraisal_object(
                appraisal=appraisal, actor=users[username], reason="华南经销商回款周期普遍拉长，回款率的分数请结合区域情况复核。"
            )
