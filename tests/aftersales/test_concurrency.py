"""Real threads on PostgreSQL: schedulers and morning runs at the same time still give one callback per delivery and
offset, each queued once; concurrent return requests never ask back more than was delivered."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from aftersales.models import Callback, ReturnLine
from aftersales.services import callbacks as svc
from aftersales.services import returns
from salesops.core.errors import DomainError
from salesops.core.models import Event
from tests.aftersales.conftest import bulk_deliveries
from tests.core.conftest import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_eight_schedulers_at_once_make_one_callback_per_delivery_and_offset(on_postgres, cast):
    bulk_deliveries(cast, 40)

    results = run_in_threads(8, lambda i: svc.callbacks_schedule())

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 80 and Callback.objects.count() == 80
    assert Callback.objects.values("shipment", "offset_days").distinct().count() == 80


def test_four_morning_runs_at_once_queue_each_callback_once(on_postgres, cast):
    bulk_deliveries(cast, 30, delivered_on=timezone.localdate() - timedelta(days=7))
    svc.callbacks_schedule()

    results = run_in_threads(4, lambda i: svc.callbacks_queue_due())

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 30  # the day-7 callbacks; day 30 is not due
    assert Callback.objects.filter(status=Callback.Status.OPEN).count() == 30
    assert Event.objects.filter(to_status=Callback.Status.OPEN).count() == 30


def test_concurrent_return_requests_never_exceed_the_delivered_quantity(on_postgres, cast, delivered):
    order, _shipment = delivered
    line = order.lines.get()  # 10 delivered

    results = run_in_threads(
        6,
        lambda i: returns.rma_create(
            actor=cast.service, order=order, kind="return", reason="质量问题", lines=[{"order_line": line.pk, "quantity": "3"}]
        ),
    )

    won = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 3 and len(refused) == 3, results
    assert sum(ReturnLine.objects.values_list("quantity", flat=True)) == D("9")
