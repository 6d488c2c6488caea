"""The demo data, seeded once for the API-wide tests of this package (each test's own writes are rolled back)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token

MANAGER_TOKEN = "schemathesis0manager0token0000000000000"  # the demo manager's API token (40 characters)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data and the manager's token, in a transaction rolled back when the module is done; each test runs in a
    savepoint of it. Requests answered through WSGI keep the test's connection (Django would close it after each)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=None)
        Token.objects.create(user=get_user_model().objects.get(username="manager"), key=MANAGER_TOKEN)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        yield
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        transaction.set_rollback(True)
