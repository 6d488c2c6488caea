"""Fixtures of the customers tests: a few customers owned by the cast (see tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer
from tests.factories import CustomerFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def yesterday(today):
    return today - timedelta(days=1)


@pytest.fixture
def tomorrow(today):
    return today + timedelta(days=1)


@pytest.fixture
def alice_customer(cast):
    """An active customer of alice (team 华东组)."""
    return CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司")


@pytest.fixture
def bob_customer(cast):
    return CustomerFactory(owner=cast.bob, name="无锡宏远贸易有限公司")


@pytest.fixture
def carol_customer(cast):
    return CustomerFactory(owner=cast.carol, name="广州南方电器有限公司")


@pytest.fixture
def intent_customer(cast):
    """An intent customer (意向客户) of alice."""
    return CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, name="杭州意向科技有限公司")
