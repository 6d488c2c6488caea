"""The API keeps its published contract (issue 9, item 4): schemathesis runs every operation of /api/schema/ against the
Django app (WSGI, inside the test's transaction) as the demo's sales manager, on the demo data, with all its checks.

Bounded and reproducible: MAX_EXAMPLES generated cases per operation (plus schemathesis's explicit and coverage cases), a
fixed seed, derandomized. Each operation starts from the same demo data (seeded once for the module; every operation's
writes are rolled back).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
SEED = 20260409

TOKEN = "schemathesis0manager0token0000000000000"  # the manager's API token (40 characters), created with the demo data

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "suppress-health-check": ["all"],
        "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {TOKEN}"}}},
        # A schema-valid body may still name a customer that does not exist, or ask for what the document's state forbids:
        # the API refuses it with 400 and the documented error shape, which is its contract.
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}},
    }
)


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Bodies are sent as JSON wherever the operation takes JSON: form encodings cannot say null or a list of objects."""
    for methods in raw_schema["paths"].values():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operation["requestBody"]["content"] = {"application/json": content["application/json"]}


schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data, seeded once for all operations in a transaction rolled back at the end; the manager's API token."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=None)
        Token.objects.create(user=get_user_model().objects.get(username="manager"), key=TOKEN)
        # The app answers inside the test's transaction: Django must not close the connection after each request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        yield
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        transaction.set_rollback(True)


@schema.parametrize()
def test_api_keeps_its_contract(case, demo_data, db):
    case.call_and_validate()
