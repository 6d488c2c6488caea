"""The demo data (tests/conftest.py demo_data), seeded once per module of this package, with the manager's API token."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

MANAGER_TOKEN = "schemathesis0manager0token0000000000000"  # the demo manager's API token (40 characters)


@pytest.fixture(scope="module")
def demo_data(demo_data, django_db_blocker):
    """The demo data and the manager's token (rolled back with the demo data when the module is done)."""
    with django_db_blocker.unblock():
        Token.objects.create(user=get_user_model().objects.get(username="manager"), key=MANAGER_TOKEN)
