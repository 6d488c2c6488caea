"""Report runs: a request is queued once per report, month and scope while it runs; generation saves progress and keeps a
failure's reason; a failed run is retried; a closed month generated again says what changed; the monthly schedule is
idempotent per month and scope; the sweep republishes lost tasks and fails dead workers' runs."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connections
from django.utils import timezone

from orders.models import Shipment
from reports import workbooks
from reports.models import ReportRun
from reports.periods import Period
from reports.scopes import Scope
from reports.services import runs as svc
from salesops.core import outbox
from salesops.core.errors import Conflict, DomainError, Forbidden
from tests.core.test_outbox_outage import celery_with_redis_at, free_port
from tests.reports.books import at, make_book

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)
COMPANY = Scope.company()
Kind, Status = ReportRun.Kind, ReportRun.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(monkeypatch):
    """The generation tasks published after commit (not run: as if no worker had picked them up yet)."""
    ids = []
    monkeypatch.setattr(svc, "_publish", ids.append)
    return ids


def request(capture, kind=Kind.STORE_SALES, period=NOV, scope=COMPANY, actor=None):
    with capture(execute=True):
        return svc.report_run_request(kind=kind, period=period, scope=scope, actor=actor)


class TestRequest:
    def test_two_requests_while_one_is_queued_give_one_run_and_one_task(
        self, cast, published, django_capture_on_commit_callbacks
    ):
        first, created = request(django_capture_on_commit_callbacks, actor=cast.manager)
        again, created_again = request(django_capture_on_commit_callbacks, actor=cast.gm)
        assert created and not created_again and again.pk == first.pk
        assert published == [first.pk] and ReportRun.objects.count() == 1
        # another scope or another report is another run
        other, created_other = request(django_capture_on_commit_callbacks, scope=Scope.team(cast.east.pk), actor=cast.manager)
        assert created_other and other.pk != first.pk

    def test_once_done_a_new_request_generates_again(self, cast, django_capture_on_commit_callbacks):
        first, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        second, created = request(django_capture_on_commit_callbacks, actor=cast.manager)
        assert created and second.pk != first.pk
        assert ReportRun.objects.filter(status=Status.DONE).count() == 2

    def test_refused_for_a_future_month_and_for_a_scope_not_visible(self, cast, published, django_capture_on_commit_callbacks):
        today = timezone.localdate()
        future = Period.month(today.year + 1, today.month)
        with pytest.raises(DomainError, match="尚未开始的月份"):
            request(django_capture_on_commit_callbacks, period=future, actor=cast.manager)
        with pytest.raises(Forbidden):
            request(django_capture_on_commit_callbacks, scope=COMPANY, actor=cast.alice)
        with pytest.raises(Forbidden):
            request(django_capture_on_commit_callbacks, scope=Scope.rep(cast.bob.pk), actor=cast.alice)
        assert published == [] and ReportRun.objects.count() == 0

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_concurrent_requests_make_one_run(self, on_postgres, cast, published):
        barrier = threading.Barrier(4)
        results = []

        def go(user):
            try:
                barrier.wait()
                results.append(svc.report_run_request(kind=Kind.AGING, period=NOV, scope=COMPANY, actor=user)[0].pk)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=go, args=(u,)) for u in (cast.manager, cast.gm, cast.vp, cast.finance)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(results)) == 1 and len(results) == 4
        assert ReportRun.objects.count() == 1 and len(published) == 1


class TestGenerate:
    def test_progress_is_saved_while_it_runs(self, cast, published, monkeypatch, settings, django_capture_on_commit_callbacks):
        settings.REPORT_PROGRESS_SECONDS = 0  # every step saved (by default at most one a second)
        run, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        seen = []
        real = svc._set_progress

        def spy(run_id, percent):
            real(run_id, percent)
            seen.append((ReportRun.objects.get(pk=run_id).status, ReportRun.objects.get(pk=run_id).progress))

        monkeypatch.setattr(svc, "_set_progress", spy)
        assert svc.report_run_generate(run.pk) is True
        assert seen and all(status == Status.RUNNING for status, _p in seen)
        assert [p for _s, p in seen] == sorted(p for _s, p in seen) and 0 < seen[-1][1] < 100
        run.refresh_from_db()
        assert (run.status, run.progress, run.attempts) == (Status.DONE, 100, 1) and run.file.name.endswith(".xlsx")
        # a second task for the same run (a redelivery) does nothing
        assert svc.report_run_generate(run.pk) is False

    def test_a_quick_run_saves_no_step_between_claim_and_result(
        self, cast, published, monkeypatch, settings, django_capture_on_commit_callbacks
    ):
        settings.REPORT_PROGRESS_SECONDS = 60
        run, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        steps = []
        monkeypatch.setattr(svc, "_set_progress", lambda run_id, percent: steps.append(percent))
        assert svc.report_run_generate(run.pk) is True
        run.refresh_from_db()
        assert steps == [] and (run.status, run.progress) == (Status.DONE, 100)

    def test_a_failure_keeps_its_reason_and_a_retry_generates_it(
        self, cast, published, monkeypatch, django_capture_on_commit_callbacks
    ):
        run, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)

        def broken(*args, **kwargs):
            raise RuntimeError("数据库连接中断")

        monkeypatch.setitem(workbooks.BUILDERS, Kind.STORE_SALES, broken)
        assert svc.report_run_generate(run.pk) is False
        run.refresh_from_db()
        assert run.status == Status.FAILED and "数据库连接中断" in run.error and not run.file
        # while it is failed, a new request makes a new run; retrying the old one is then refused (one active at a time)
        monkeypatch.undo()
        monkeypatch.setattr(svc, "_publish", published.append)
        with django_capture_on_commit_callbacks(execute=True):
            svc.report_run_retry(run=run, actor=cast.manager)
        run.refresh_from_db()
        assert (run.status, run.error, run.progress) == (Status.QUEUED, "", 0) and published[-1] == run.pk
        assert svc.report_run_generate(run.pk) is True
        run.refresh_from_db()
        assert run.status == Status.DONE and run.attempts == 2

    def test_retry_is_refused_for_a_run_that_did_not_fail_and_for_others_scopes(
        self, cast, published, django_capture_on_commit_callbacks
    ):
        run, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        with pytest.raises(Conflict):
            svc.report_run_retry(run=run, actor=cast.manager)
        ReportRun.objects.filter(pk=run.pk).update(status=Status.FAILED, error="x")
        with pytest.raises(Forbidden):
            svc.report_run_retry(run=run, actor=cast.alice)
        # a failed run whose report is running again cannot be retried alongside
        request(django_capture_on_commit_callbacks, actor=cast.manager)
        with pytest.raises(Conflict, match="排队或进行中"):
            svc.report_run_retry(run=run, actor=cast.manager)

    def test_a_closed_month_generated_again_gives_the_same_figures_or_says_what_changed(
        self, cast, django_capture_on_commit_callbacks
    ):
        book = make_book(cast)
        first, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        same, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        same.refresh_from_db()
        assert same.previous_id == first.pk and same.changes == [] and same.totals == ReportRun.objects.get(pk=first.pk).totals
        # when a late shipment of November is recorded afterwards
        Shipment.objects.create(
            number="FH-LATE",
            order=book.o1,
            status="shipped",
            shipped_at=at(2026, 11, 28),
            amount_incl=D("1000.00"),
            created_by=cast.clerk,
        )
        changed, _c = request(django_capture_on_commit_callbacks, actor=cast.manager)
        changed.refresh_from_db()
        assert changed.previous_id == same.pk
        by_key = {c["key"]: c for c in changed.changes}
        assert by_key["shipped"] == {"key": "shipped", "label": "发货额", "old": "9500.00", "new": "10500.00"}


class TestSchedule:
    def test_the_first_of_the_month_queues_last_month_once_per_report_and_scope(self, cast, published):
        queued = svc.reports_schedule_month(today=date(2026, 12, 1))
        scopes = {"company", f"team:{cast.east.pk}", f"team:{cast.south.pk}"}
        assert queued == len(scopes) * len(Kind.values)
        assert set(ReportRun.objects.values_list("scope_key", flat=True)) == scopes
        assert set(ReportRun.objects.values_list("period", flat=True)) == {"2026-11"}
        assert set(ReportRun.objects.values_list("requested_by", flat=True)) == {None}
        # when beat runs again (a second beat, a redelivery), also after some runs finished or failed
        ReportRun.objects.filter(kind=Kind.AGING).update(status=Status.DONE)
        ReportRun.objects.filter(kind=Kind.SERVICE).update(status=Status.FAILED)
        assert svc.reports_schedule_month(today=date(2026, 12, 1)) == 0
        assert ReportRun.objects.count() == len(scopes) * len(Kind.values)
        # the next month is a new month
        assert svc.reports_schedule_month(today=date(2027, 1, 1)) == queued

    def test_beat_runs_it_on_the_first_at_two(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["reports-schedule-monthly"]
        assert entry["task"] == "reports.tasks.schedule_monthly_reports"
        assert entry["schedule"].day_of_month == {1} and entry["schedule"].hour == {2} and entry["schedule"].minute == {0}


class TestSweep:
    def test_lost_tasks_are_published_again_and_dead_workers_runs_fail(self, cast, published, settings):
        now = timezone.now()
        lost = ReportRun.objects.create(kind=Kind.AGING, period="2026-10", scope_key="company")
        ReportRun.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(minutes=10))
        fresh = ReportRun.objects.create(kind=Kind.SERVICE, period="2026-10", scope_key="company")
        stuck = ReportRun.objects.create(kind=Kind.STORE_SALES, period="2026-10", scope_key="company", status=Status.RUNNING)
        ReportRun.objects.filter(pk=stuck.pk).update(started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60))
        assert svc.report_runs_sweep(now=now) == {"requeued": 1, "failed": 1}
        assert published == [lost.pk] and fresh.pk not in published
        stuck.refresh_from_db()
        assert stuck.status == Status.FAILED and "重试" in stuck.error


def test_a_request_never_waits_on_a_broker_that_is_down(cast, monkeypatch, django_capture_on_commit_callbacks):
    """No redis-server: nothing listens on the port. The request commits its queued run at once; the sweep publishes
    it again later (here: the first publish is refused and logged, the run stays queued)."""
    monkeypatch.setattr(outbox, "_publish_paused_until", 0.0)
    with celery_with_redis_at(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            run, created = svc.report_run_request(kind=Kind.AGING, period=NOV, scope=COMPANY, actor=cast.manager)
        elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert created and run.status == Status.QUEUED and elapsed < 1.0, elapsed
