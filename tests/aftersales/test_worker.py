"""A real Celery worker (a subprocess, not eager mode) against the real Redis runs the beat's morning callback job end to
end on the test database; sending it again (a second beat, a redelivery) changes nothing. PostgreSQL + REDIS_URL only."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from aftersales.models import Callback
from salesops.celery import app
from salesops.core.models import Notification
from tests.aftersales.conftest import bulk_deliveries
from tests.helpers import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # send_task always goes to the broker; the test settings' eager mode (for other tests) does not apply to it
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]


def test_the_worker_runs_the_beat_job_and_a_second_run_changes_nothing(worker, cast):
    queue, output = worker
    # given three orders delivered a week ago (written and committed before the worker looks)
    bulk_deliveries(cast, 3, delivered_on=timezone.localdate() - timedelta(days=7))
    entry = settings.CELERY_BEAT_SCHEDULE["aftersales-callbacks-morning"]

    # when beat's task is sent to the broker and the worker runs it
    app.send_task(entry["task"], queue=queue)
    assert wait_for(lambda: sum("succeeded" in line for line in output) >= 1), "".join(output)

    # then every delivery has its two callbacks, the day-7 ones are in the service team's queue, service was told once
    assert Callback.objects.count() == 6 and Callback.objects.filter(status=Callback.Status.OPEN).count() == 3
    assert Notification.objects.filter(recipient=cast.service, title__contains="今日待回访：3").count() == 1

    # when the job is delivered twice more (a second beat, a redelivered message)
    app.send_task(entry["task"], queue=queue)
    app.send_task(entry["task"], queue=queue)
    assert wait_for(lambda: sum("succeeded" in line for line in output) >= 3), "".join(output)

    # then nothing was created or queued twice
    assert Callback.objects.count() == 6 and Callback.objects.filter(status=Callback.Status.OPEN).count() == 3
    assert Notification.objects.filter(recipient=cast.service, title__contains="今日待回访").count() == 1
