"""THE outage test (ARCHITECTURE.md rule 7): with Redis stopped, actions that send mail answer as fast as with Redis up,
their messages wait as pending outbox rows, and once Redis is back every message is delivered exactly once.

A real redis-server on a free port of its own (the shared one on 6379 is never touched), Celery as in production
(not eager, Redis broker and result backend, the settings' timeouts), the Django test client over HTTP, and a real
Celery worker (in a thread) that runs the sweep as beat would ask it to. It runs on SQLite too; on PostgreSQL the
worker and the test really share rows under row locks. A smaller test shows what a refused publish costs, without Redis.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

import salesops.core.tasks  # noqa: F401 — registers the tasks the worker runs
from contracts import services as contract_services
from orders import services as order_services
from salesops.celery import app
from salesops.core import outbox
from salesops.core.models import OutboxMessage
from salesops.core.outbox import outbox_email, outbox_sweep
from tests.contracts.conftest import fill_review, line
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory
from tests.orders.conftest import pass_inspection, pay, place

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throw-away redis-server (no persistence) that the test stops and starts."""

    def __init__(self, port: int, workdir):
        self.port, self.workdir, self.process = port, workdir, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def queue_length(self) -> int:
        import redis

        return redis.Redis(port=self.port).llen("celery")


@pytest.fixture
def redis_server(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("the redis-server binary is not installed: the outage test stops and starts a real Redis")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def reset_connections():
    """Forget the pooled broker connections and the cached result backend, so the next publish uses app.conf."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextmanager
def celery_with_redis_at(url):
    """Celery as in production: not eager, Redis at `url` as broker and result backend with the settings' timeouts."""
    keys = ["task_always_eager", "broker_url", "result_backend", "broker_transport_options"]
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        result_backend=url,
        broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS,
    )
    reset_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        reset_connections()


@pytest.fixture(autouse=True)
def _publishing_not_paused(monkeypatch):
    monkeypatch.setattr(outbox, "_publish_paused_until", 0.0)


@pytest.fixture
def celery_on_redis(redis_server):
    with celery_with_redis_at(redis_server.url):
        yield redis_server


@pytest.fixture
def world(cast):
    """Two special contracts ready to submit (new product → three department reviews) and two released shipments of a paid
    order whose contact has an e-mail address; whatever the set-up itself queued is delivered and forgotten."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司", payment_terms="prepaid")
    ContactFactory(customer=customer, name="王经理", email="wang@customer.example", is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    pump = ProductFactory(code="BP-100", name="增压泵", list_price="1130.00", standard_cost="700.00", monthly_capacity="1000")
    valve = ProductFactory(code="CV-900", name="定制阀门", kind="custom", ever_produced=False, list_price="0", standard_cost="0")
    contracts = []
    for _ in range(2):
        c = contract_services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={},
            lines=[line(pump), line(valve, quantity="2", unit_price="5000")],
        )
        fill_review(c, cast.alice)
        contracts.append(c)
    order = order_services.order_create(
        actor=cast.clerk, customer=customer, data={"promised_ship_date": None}, lines=[{"product": pump.pk, "quantity": "10"}]
    )
    order = place(order, cast.clerk)
    pay(order, cast, "11300")
    pass_inspection(order, cast, "10")
    shipments = []
    for _ in range(2):
        s = order_services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "5"})
        shipments.append(order_services.shipment_release(shipment=s, actor=cast.clerk))
    outbox_sweep()
    mail.outbox.clear()
    return contracts, shipments


def submit_url(contract):
    return reverse("contracts:contract_action", args=[contract.pk, "submit"])


def ship_url(shipment):
    return reverse("orders:shipment_ship", args=[shipment.pk])


def timed(client, url, data=None):
    started = time.perf_counter()
    response = client.post(url, data or {})
    return response, time.perf_counter() - started


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_down_delays_mail_and_loses_none(cast, client_as, world, celery_on_redis):
    from celery.contrib.testing.worker import start_worker

    redis = celery_on_redis
    (contract_up, contract_down), (shipment_up, shipment_down) = world
    alice, warehouse = client_as(cast.alice), client_as(cast.warehouse)
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    # (the first request of a process loads templates and URL patterns: not part of what is measured)
    assert alice.get(reverse("contracts:contract_detail", args=[contract_up.pk])).status_code == 200
    assert warehouse.get(reverse("orders:shipment_detail", args=[shipment_up.pk])).status_code == 200

    # given Redis up: the same two actions, timed, publish their delivery tasks to Redis (no worker runs yet)
    submitted_up, submit_up = timed(alice, submit_url(contract_up))
    shipped_up, ship_up = timed(warehouse, ship_url(shipment_up), {"tracking_no": "SF-UP", "packages": "1"})
    assert submitted_up.status_code == shipped_up.status_code == 302
    up_rows = set(OutboxMessage.objects.values_list("pk", flat=True)) - before
    assert len(up_rows) == 4 and redis.queue_length() == 4  # three reviewers + the customer; four tasks waiting in Redis

    # when Redis stops and the same actions are done again
    redis.stop()
    submitted_down, submit_down = timed(alice, submit_url(contract_down))
    shipped_down, ship_down = timed(warehouse, ship_url(shipment_down), {"tracking_no": "SF-DOWN", "packages": "1"})

    # then the requests succeed, not held by the broker: once they waited ~20 s on its reconnects and passed gunicorn's
    # timeout (a 5 s margin: a loaded CI machine once took 1.1 s more for the same request with Redis up)
    assert submitted_down.status_code == shipped_down.status_code == 302
    assert submit_down < submit_up + 5.0, (submit_down, submit_up)
    assert ship_down < ship_up + 5.0, (ship_down, ship_up)
    # and their messages wait in the outbox
    down = OutboxMessage.objects.exclude(pk__in=before | up_rows)
    assert sorted(down.values_list("recipient", flat=True)) == [
        "rev_production@example.com",
        "rev_quality@example.com",
        "rev_technical@example.com",
        "wang@customer.example",
    ]
    assert set(down.values_list("status", "attempts")) == {("pending", 0)}
    assert down.get(recipient="wang@customer.example").dedupe_key == f"shipment-notice:{shipment_down.pk}"
    assert mail.outbox == []

    # when Redis is back and a real worker runs: the tasks published before the outage, then the sweep beat asks for
    redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        app.send_task("salesops.core.tasks.sweep_outbox", ignore_result=True)
        deadline = time.monotonic() + 60
        while OutboxMessage.objects.filter(status="pending").exists() or redis.queue_length():
            assert time.monotonic() < deadline, list(OutboxMessage.objects.values_list("recipient", "status"))
            time.sleep(0.2)

    # then every message went out exactly once
    rows = OutboxMessage.objects.exclude(pk__in=before)
    assert rows.count() == 8 and set(rows.values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(rows.values_list("recipient", flat=True))
    shipping = [m for m in mail.outbox if m.to == ["wang@customer.example"]]
    assert sorted("SF-UP" in m.body for m in shipping) == [False, True] and all("售后服务热线" in m.body for m in shipping)
    # and sweeping again sends nothing new
    assert outbox_sweep() == 0 and len(mail.outbox) == 8


@pytest.mark.django_db
def test_a_refusing_broker_costs_the_request_nothing_and_publishing_pauses(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """No redis-server needed: nothing listens on the port. The first publish fails at once and is logged; the next ones
    are not even tried for a few seconds (a broker that times out instead of refusing costs one timeout, not one each)."""
    tries = []
    with celery_with_redis_at(f"redis://127.0.0.1:{free_port()}/0"):
        real_send_task = app.send_task
        monkeypatch.setattr(app, "send_task", lambda *a, **kw: tries.append(a) or real_send_task(*a, **kw))
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            rows = [outbox_email(to=f"c{i}@customer.example", subject="发货通知", body="货已发出") for i in range(3)]
        elapsed = time.perf_counter() - started
    # (a refusal costs milliseconds; the margin is for a loaded machine — what this guards is a publish retrying for
    # many seconds, or one try per message)
    assert len(callbacks) == 3 and len(tries) == 1 and elapsed < 5.0, (tries, elapsed)
    assert "not published, the sweeper will deliver it" in caplog.text
    assert {OutboxMessage.objects.get(pk=r.pk).status for r in rows} == {"pending"} and mail.outbox == []
    # once the pause is over, publishing is tried again
    monkeypatch.setattr(outbox, "_publish_paused_until", time.monotonic() - 1)
    with celery_with_redis_at(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        outbox_email(to="c9@customer.example", subject="发货通知", body="货已发出")
    assert len(tries) == 2
