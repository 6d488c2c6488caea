"""Helpers shared by the tests of several apps: the company's today, waiting for a condition, a real Celery worker subprocess, a stand-in
worker thread for the browser tests of background runs, and a local HTTP server that plays a group robot (企业微信 /
钉钉 / 飞书) for the outbox's webhook channel."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.db import connection, connections
from django.utils import timezone as tz
from kombu import pools

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def openapi_schema() -> dict:
    """The API's OpenAPI document as drf-spectacular generates it (public: every operation), once per test process: a
    generation costs seconds, and a dozen tests read it (the `openapi` fixture). Read it, never change it."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def current_database_url() -> str:
    """The URL of the test database this process uses, for a subprocess that must work on the same data."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_worker(redis_url: str, prefix: str = "test"):
    """`celery -A salesops worker` on a queue of its own, with the test database and the Redis db of `redis_url`; yields
    (queue, output lines)."""
    from salesops.celery import app

    queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
    # fresh broker pools for this process: an earlier test (the outbox outage test) closed a pool that kombu's global
    # registry still hands out, and a closed pool refuses to publish
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salesops.settings.test",
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": redis_url,
    }
    command = [sys.executable, "-m", "celery", "-A", "salesops", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: any("ready" in line for line in output), timeout=120), "".join(output)
        yield queue, output
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class RobotServer:
    """A group robot on 127.0.0.1: records every request (path with query, JSON body) and answers with `answers` in
    turn (status, JSON), then with `default` — e.g. a refusal first and an acceptance after it."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        self.default = (200, {"errcode": 0, "errmsg": "ok"})
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                robot.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length) or b"{}")})
                status, answer = robot.answers.pop(0) if robot.answers else robot.default
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


def pausing(step, seconds: float):
    """`step` followed by a pause: a background run's progress step slowed so the page can be seen while it works."""

    def paused(*args):
        step(*args)
        time.sleep(seconds)

    return paused


def thread_worker(work):
    """A stand-in Celery worker: `start(run_id)` runs `work(run_id)` in a thread (its own database connection, closed
    at the end) and returns the thread."""

    def run(run_id):
        try:
            work(run_id)
        finally:
            connections.close_all()

    def start(run_id):
        thread = threading.Thread(target=run, args=(run_id,), daemon=True)
        thread.start()
        return thread

    return start


def company_today(monkeypatch, day):
    """Make `day` the company's today: timezone.localdate() without arguments answers it; with a value it converts as
    ever (the figures of a period read "today" so; the timestamps written stay real)."""
    real = tz.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return day
