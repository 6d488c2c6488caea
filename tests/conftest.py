"""Role personas and shared fixtures.

The cast (one per role of SPEC.md):
  alice, bob  — sales reps in team 华东组 (lead: lena)      carol — sales rep in team 华南组
  lena        — team lead of 华东组                          clerk — sales clerk (销售内勤)
  manager     — sales manager                               vp, gm — second and final approval tiers
  finance, warehouse, qc, service                           rev_technical … rev_warehouse — department reviewers
  admin       — system administrator (staff)
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from salesops.core.models import Department, Team

from .factories import UserFactory
from .helpers import RobotServer, celery_worker

REVIEWER_DEPTS = ["technical", "production", "quality", "procurement", "finance", "warehouse"]


@pytest.fixture
def cast(db):
    sales = Department.objects.get(code="sales")
    east = Team.objects.create(name="华东组", department=sales)
    south = Team.objects.create(name="华南组", department=sales)

    def user(username, roles, *, team=None, dept="sales", **profile):
        return UserFactory(
            username=username,
            first_name=username,
            roles=roles,
            profile={"team": team, "department": Department.objects.get(code=dept), **profile},
        )

    c = SimpleNamespace()
    c.lena = user("lena", ["team_lead"], team=east)
    east.lead = c.lena
    east.save()
    c.alice = user("alice", ["sales_rep"], team=east)
    c.bob = user("bob", ["sales_rep"], team=east)
    c.carol = user("carol", ["sales_rep"], team=south)
    c.clerk = user("clerk", ["sales_clerk"])
    c.manager = user("manager", ["sales_manager"])
    c.vp = user("vp", ["sales_vp"], dept="management")
    c.gm = user("gm", ["gm"], dept="management")
    c.finance = user("finance", ["finance"], dept="finance")
    c.warehouse = user("warehouse", ["warehouse"], dept="warehouse")
    c.qc = user("qc", ["qc"], dept="quality")
    c.service = user("service", ["service"], dept="service")
    c.admin = user("admin", ["admin"])
    c.admin.is_staff = True
    c.admin.save()
    for dept in REVIEWER_DEPTS:
        setattr(c, f"rev_{dept}", user(f"rev_{dept}", [f"reviewer_{dept}"], dept=dept))
    c.east, c.south = east, south
    return c


@pytest.fixture
def api():
    """An APIClient; call api.force_authenticate(user) or use `api_as`."""
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_as(client):
    """A Django test client logged in as the given user (session auth, like the browser)."""

    def make(user):
        from django.test import Client

        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite has no row locks")


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (zh-hans); a request in English must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def worker(on_postgres):
    """A real Celery worker (subprocess) on a queue of its own, with this test database and the Redis of REDIS_URL;
    yields (queue, output lines). Tests using it run with transaction=True so the worker sees their rows."""
    import os

    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://"):
        pytest.skip("needs REDIS_URL (a real Redis)")
    with celery_worker(redis_url) as running:
        yield running


@pytest.fixture
def robot():
    """A local HTTP server playing a group robot (tests/helpers.py RobotServer)."""
    with RobotServer() as server:
        yield server
