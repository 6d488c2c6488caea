"""Demo data of the expense claims (费用报销; safe to run again): alice's claim of a customer visit paid, bob's waiting
for the clerk to check it past its day, carol's entertainment claim with the approvers, lena's draft — so the list, each step and
the 工作台 tiles have something to show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from customers.models import Customer
from salesops.core import approvals

from . import rules, services
from .models import ExpenseClaim


def _lines(*rows) -> list[dict]:
    today = timezone.localdate()
    return [
        {"spent_on": today - timedelta(days=days), "category": category, "amount": Decimal(amount), "description": text}
        for days, category, amount, text in rows
    ]


def seed(seeded: Mapping[str, Any]) -> dict:
    users = seeded["users"]
    if ExpenseClaim.objects.exists():
        return {}
    clerk, finance = users["clerk"], users["finance"]
    customer = Customer.objects.filter(owner=users["carol"]).order_by("pk").first()

    paid = services.claim_create(
        actor=users["alice"],
        data={"title": "拜访苏州恒通、无锡新锐差旅"},
        lines=_lines(
            (20, rules.Category.TRANSPORT, "286.00", "上海—苏州往返高铁"),
            (20, rules.Category.TRAVEL, "420.00", "苏州住宿一晚"),
            (19, rules.Category.TRANSPORT, "95.50", "市内打车"),
        ),
    )
    paid = services.claim_submit(claim=paid, actor=users["alice"])
    paid = services.claim_verify(claim=paid, actor=clerk)
    step = approvals.requests_for(paid, rules.KIND).get().steps.get()
    approvals.approval_decide(step_id=step.pk, actor=users["manager"], decision="approve", comment="同意")
    services.claim_pay(claim=paid, actor=finance, reference="记-2026-1187")

    waiting = services.claim_create(
        actor=users["bob"],
        data={"title": "11 月通讯费及样品快递"},
        lines=_lines(
            (10, rules.Category.COMMUNICATION, "150.00", "11 月话费补贴"), (8, rules.Category.SAMPLES, "68.00", "样品寄送顺丰")
        ),
    )
    services.claim_submit(claim=waiting, actor=users["bob"])
    # handed in a week ago and not checked yet: its page shows the day it was due, the morning reminder reports it
    ExpenseClaim.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - timedelta(days=7))

    if customer is not None:
        treat = services.claim_create(
            actor=users["carol"],
            data={"title": "广州粤海代理区域谈判招待", "customer": customer.pk},
            lines=_lines(
                (5, rules.Category.ENTERTAINMENT, "1280.00", "商务晚餐 6 人"), (5, rules.Category.TRANSPORT, "60.00", "")
            ),
        )
        treat = services.claim_submit(claim=treat, actor=users["carol"])
        services.claim_verify(claim=treat, actor=clerk)

    services.claim_create(
        actor=users["lena"],
        data={"title": "华东组客户答谢会"},
        lines=_lines((2, rules.Category.EXHIBITION, "3500.00", "展位费（草稿，票据未齐）")),
    )
    return {}
