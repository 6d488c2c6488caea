"""Demo data of the sales plans (销售计划; called after the reports demo, safe to run again): this month's sales targets
for the company, 华东组 and alice; the department's plan for the month approved by the VP and the GM and alice's own
approved by the manager — so their pages follow the shipped sales against them — and bob's plan for next month waiting
for the manager in 待我审批."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from customers.models import Customer
from reports.periods import Period
from reports.services.targets import TargetInput, target_set
from salesops.core import approvals
from salesops.core.models import Team

from . import rules, services
from .models import SalesPlan

ANALYSIS = "华东、华南两个区域需求稳定，展柜升级和包装线改造项目集中在年底招标；友商在华东降价约 5%，客户更看重交期。"
STRATEGY = "重点跟进已报价的项目，按客户分派责任人；交期由内勤每周与生产确认；华南经销商控制账期，回款优先。"


def _approve(plan: SalesPlan, *approvers) -> None:
    for approver in approvers:
        request = approvals.requests_for(plan, rules.KIND).get(status="pending")
        step = request.steps.filter(status="pending").order_by("stage").first()
        approvals.approval_decide(step_id=step.pk, actor=approver, decision="approve", comment="同意")


def _line(customer: Customer | None, amount: str, measures: str, item: str = "") -> dict:
    return {"customer": customer.pk if customer else None, "item": item, "amount": Decimal(amount), "measures": measures}


def seed(seeded: Mapping[str, Any]) -> dict:
    users = seeded["users"]
    if SalesPlan.objects.exists():
        return {}
    today = timezone.localdate()
    month, manager = Period.month(today.year, today.month), users["manager"]
    east = Team.objects.get(name="华东组")
    for level, team, rep, amount in (
        ("company", None, None, "500000"),
        ("team", east, None, "200000"),
        ("rep", east, users["alice"], "80000"),
    ):
        target_set(
            actor=manager,
            data=TargetInput(
                year=today.year,
                kind="month",
                number=today.month,
                level=level,
                team_id=team.pk if team else None,
                rep_id=rep.pk if rep else None,
                amount=Decimal(amount),
            ),
        )
    alices = list(Customer.objects.filter(owner=users["alice"]).order_by("pk")[:2])

    department = services.plan_create(
        actor=manager,
        data={"level": "company", "period": month.key, "analysis": ANALYSIS, "strategy": STRATEGY},
        lines=[
            _line(None, "300000", "华东组：展柜升级、包装线伺服两个项目争取本月签约发货", item="华东区域"),
            _line(None, "200000", "华南组：代理区域扩展，新代理首批订货", item="华南区域"),
        ],
    )
    _approve(services.plan_submit(plan=department, actor=manager), users["vp"], users["gm"])

    own = services.plan_create(
        actor=users["alice"],
        data={
            "level": "rep",
            "period": month.key,
            "analysis": "恒通展柜升级进入商务谈判，新锐泵站招标下周开标。",
            "strategy": "恒通：本周确认合同条款和交期；新锐：技术参数先和技术部对齐再报价。",
            "gap_reason": "新锐泵站招标结果未定，先按把握较大的项目计划。",
        },
        lines=[
            _line(c, amount, text)
            for c, amount, text in zip(alices, ("45000", "25000"), ("确认合同条款，月中发货", "参加招标，争取首批订单"))
        ],
    )
    _approve(services.plan_submit(plan=own, actor=users["alice"]), manager)

    after = month.end + timedelta(days=1)
    coming = Period.month(after.year, after.month)
    bobs = services.plan_create(
        actor=users["bob"],
        data={
            "level": "rep",
            "period": coming.key,
            "analysis": "老客户年底补货，新客户以样品试用为主。",
            "strategy": "每周两次电话回访老客户，样品试用客户两周内上门。",
        },
        lines=[
            _line(None, "30000", "老客户年底补货", item="老客户补货"),
            _line(None, "12000", "样品试用转订单", item="新客户试用"),
        ],
    )
    services.plan_submit(plan=bobs, actor=users["bob"])
    return {}
