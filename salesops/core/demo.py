"""Demo data, seeded floor by floor (ARCHITECTURE.md: imports point down the floors only).

Every app with demo data has a `demo.py` whose `seed(seeded)` creates that app's part of the demo through the app's services
(so the data passes the same rules as a user's), skips what is already there (found by natural key: username, customer name,
product code, project name) and returns what higher floors need; `seeded` holds what the floors below returned.
`seed_all` finds those modules among the installed apps and runs them in FLOORS order, so this kernel never imports a higher
floor by name. `manage.py seed_demo` calls it; running it again changes nothing.

This module seeds the kernel's own part: one user per role (README "Demo logins"), their departments and the two sales teams.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import Department, StaffProfile, Team

# The floors, lowest first: an app's demo may use what every app before it seeded.
FLOORS = ["salesops.core", "customers", "catalog", "contracts", "orders", "aftersales", "expenses", "reports", "plans", "market"]

DEMO_PASSWORD = "demo12345"
# username, role, full name, department, team
DEMO_USERS = [
    ("admin", "admin", "系统管理员", "management", None),
    ("lena", "team_lead", "李娜(华东组长)", "sales", "华东组"),
    ("alice", "sales_rep", "王丽(业务员)", "sales", "华东组"),
    ("bob", "sales_rep", "张斌(业务员)", "sales", "华东组"),
    ("carol", "sales_rep", "陈凯(业务员)", "sales", "华南组"),
    ("clerk", "sales_clerk", "刘芳(销售内勤)", "sales", None),
    ("manager", "sales_manager", "赵强(销售部经理)", "sales", None),
    ("vp", "sales_vp", "孙伟(销售副总)", "management", None),
    ("gm", "gm", "周总(总经理)", "management", None),
    ("finance", "finance", "吴静(财务)", "finance", None),
    ("warehouse", "warehouse", "郑涛(仓库)", "warehouse", None),
    ("qc", "qc", "冯敏(质检员)", "quality", None),
    ("service", "service", "何欢(客服)", "service", None),
    ("rev_technical", "reviewer_technical", "技术部评审", "technical", None),
    ("rev_production", "reviewer_production", "生产部评审", "production", None),
    ("rev_quality", "reviewer_quality", "质检部评审", "quality", None),
    ("rev_procurement", "reviewer_procurement", "采购部评审", "procurement", None),
    ("rev_finance", "reviewer_finance", "财务部评审", "finance", None),
    ("rev_warehouse", "reviewer_warehouse", "仓库评审", "warehouse", None),
]
DEMO_TEAM_LEADS = {"华东组": "lena"}
# Reps explicitly granted the right to quote (SPEC.md "Quotation": nobody else below manager may quote).
DEMO_QUOTING_REPS = {"alice"}


def demo_modules() -> list[ModuleType]:
    """The `demo` modules of the installed apps, lowest floor first. An app with a demo module but no floor is refused:
    where it runs decides what it may use."""
    found = [app.name for app in apps.get_app_configs() if importlib.util.find_spec(f"{app.name}.demo") is not None]
    stray = [name for name in found if name not in FLOORS]
    if stray:
        raise ImproperlyConfigured(f"Apps with a demo module but no place in salesops.core.demo.FLOORS: {', '.join(stray)}")
    return [importlib.import_module(f"{name}.demo") for name in sorted(found, key=FLOORS.index)]


@transaction.atomic
def seed_all() -> dict[str, Any]:
    """Seed every floor's demo data in one transaction; returns what the seeders handed up (users, customers, products)."""
    seeded: dict[str, Any] = {}
    for module in demo_modules():
        seeded.update(module.seed(seeded) or {})
    return seeded


def seed(seeded: Mapping[str, Any]) -> dict[str, Any]:
    """The demo users (password DEMO_PASSWORD, set only when the user is created), each in its role's group with a staff
    profile (department, team, title, right to quote), and the teams 华东组 (lead lena) and 华南组. Departments and role
    groups come from migration 0002. Returns {"users": {username: User}}."""
    User = get_user_model()
    sales = Department.objects.get(code="sales")
    users = {}
    for username, role, full_name, dept, team_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "email": f"{username}@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == "admin"
            user.save()
        user.groups.add(Group.objects.get(name=role))
        team = Team.objects.get_or_create(name=team_name, defaults={"department": sales})[0] if team_name else None
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "department": Department.objects.get(code=dept),
                "team": team,
                "title": full_name,
                "may_quote": username in DEMO_QUOTING_REPS,
            },
        )
        users[username] = user
    for team_name, lead in DEMO_TEAM_LEADS.items():
        Team.objects.filter(name=team_name).update(lead=users[lead])
    return {"users": users}
