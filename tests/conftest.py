"""Role personas and shared fixtures.

The cast (one per role of SPEC.md):
  alice, bob  — sales reps in team 华东组 (lead: lena)      carol — sales rep in team 华南组
  lena        — team lead of 华东组                          clerk — sales clerk (销售内勤)
  manager     — sales manager                               vp, gm — second and final approval tiers
  finance, warehouse, qc, service                           rev_technical … rev_warehouse — department reviewers
  admin       — system administrator (staff)
"""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from rest_framework.test import APIClient

from salesops.core.models import Department, StaffProfile, Team

from .helpers import RobotServer, celery_worker, openapi_schema

REVIEWER_DEPTS = ["technical", "production", "quality", "procurement", "finance", "warehouse"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The browser tests (marker e2e) run after every other test, still in pytest-django's order among themselves: they
    share one browser per process (tests/e2e/conftest.py), whose event loop must not outlive them under other tests."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


CAST = [  # username, roles, team, department — in this order, so their ids keep it
    ("lena", ["team_lead"], "east", "sales"),
    ("alice", ["sales_rep"], "east", "sales"),
    ("bob", ["sales_rep"], "east", "sales"),
    ("carol", ["sales_rep"], "south", "sales"),
    ("clerk", ["sales_clerk"], None, "sales"),
    ("manager", ["sales_manager"], None, "sales"),
    ("vp", ["sales_vp"], None, "management"),
    ("gm", ["gm"], None, "management"),
    ("finance", ["finance"], None, "finance"),
    ("warehouse", ["warehouse"], None, "warehouse"),
    ("qc", ["qc"], None, "quality"),
    ("service", ["service"], None, "service"),
    ("admin", ["admin"], None, "sales"),
    *((f"rev_{dept}", [f"reviewer_{dept}"], None, dept) for dept in REVIEWER_DEPTS),
]


@pytest.fixture
def cast(db):
    """The cast of the module docstring, written in a handful of bulk inserts (most tests start with it: one user at a
    time through UserFactory cost ~200 queries per test). Password: pass12345."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    departments = {d.code: d for d in Department.objects.filter(code__in={dept for *_, dept in CAST})}
    groups = {g.name: g for g in Group.objects.filter(name__in={role for _, roles, *_ in CAST for role in roles})}
    password = make_password("pass12345")
    users = user_model.objects.bulk_create(
        user_model(username=name, first_name=name, email=f"{name}@example.com", password=password, is_staff=name == "admin")
        for name, *_ in CAST
    )
    c = SimpleNamespace(**{user.username: user for user in users})
    c.east = Team.objects.create(name="华东组", department=departments["sales"], lead=c.lena)
    c.south = Team.objects.create(name="华南组", department=departments["sales"])
    user_model.groups.through.objects.bulk_create(
        user_model.groups.through(user_id=user.pk, group_id=groups[role].pk)
        for user, (_, roles, *_) in zip(users, CAST, strict=True)
        for role in roles
    )
    StaffProfile.objects.bulk_create(
        StaffProfile(user=user, team=getattr(c, team) if team else None, department=departments[dept])
        for user, (_, _, team, dept) in zip(users, CAST, strict=True)
    )
    return c


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`manage.py seed_demo`'s data, written once for the test module (a seeding costs seconds) in a transaction rolled
    back when the module is done; each test using `db` with it runs in a savepoint of it, so its own writes are rolled
    back. Requests answered through WSGI keep the test's connection (Django would close it after each)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        yield
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        transaction.set_rollback(True)


@pytest.fixture(scope="session")
def openapi():
    """The OpenAPI document (tests/helpers.openapi_schema), read-only."""
    return openapi_schema()


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
