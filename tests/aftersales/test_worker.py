"""A real Celery worker (a subprocess, not eager mode) against the real Redis runs the beat's morning callback job end to
end on the test database; sending it again (a second beat, a redelivery) changes nothing. PostgreSQL + REDIS_URL only."""

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import pools

from aftersales.models import Callback
from salesops.celery import app
from salesops.core.models import Notification
from tests.aftersales.conftest import bulk_deliveries

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # send_task always goes to the broker; the test settings' eager mode (for other tests) does not apply to it
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def worker(on_postgres):
    """`celery -A salesops worker` on a queue of its own, with this test database and Redis db from REDIS_URL."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://"):
        pytest.skip("needs REDIS_URL (a real Redis)")
    db = connection.settings_dict
    queue = f"aftersales-test-{uuid.uuid4().hex[:8]}"
    # fresh broker pools for this process: an earlier test (the outbox outage test) closed a pool that kombu's global
    # registry still hands out, and a closed pool refuses to publish
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesops.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salesops",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: any("ready" in line for line in output), timeout=120), "".join(output)
        yield queue, output
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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
