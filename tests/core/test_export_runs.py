"""导出 Excel of a long list in the background (salesops.core.export_runs): more than EXPORT_DIRECT_ROWS rows become an
export run — queued, written by the task with its progress, downloaded by its reader only, retried when it failed —
on the page and through the API alike."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from salesops.core import export_runs, exports
from salesops.core.exports import export_named
from salesops.core.models import ExportRun, Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.usefixtures("small_direct_exports")


@pytest.fixture
def small_direct_exports(settings):
    settings.EXPORT_DIRECT_ROWS = 2  # three customers make a long list


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what the request queued after its commit (the task, eager in the tests) as the commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def customers(cast):
    return [CustomerFactory(owner=cast.alice, name=f"长列表客户{k}") for k in range(3)] + [
        CustomerFactory(owner=cast.bob, name="别人的客户")
    ]


def names_in(content: bytes) -> list[str]:
    sheet = load_workbook(BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("客户名称")
    return sorted(row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[column])


def test_a_long_list_is_exported_in_the_background_and_downloaded_from_its_page(cast, client_as, customers, committed):
    """The page's 导出 Excel opens the run (the tests' Celery is eager: written at the commit); the run page shows it
    done with the download, the file holds what the reader sees, and a notification says it is ready."""
    client = client_as(cast.alice)
    with committed():
        response = client.get(reverse("core:list_export", args=["customers"]), {"q": "长列表"})
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:export_run_detail", args=[run.pk])
    assert (run.status, run.total, run.row_count, run.params, run.progress) == ("done", 3, 3, {"q": ["长列表"]}, 100)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-run-download"' in page and "已导出 3 行" in page and "搜索：长列表" in page
    download = client.get(reverse("core:export_run_download", args=[run.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="customers-')
    assert names_in(b"".join(download.streaming_content)) == ["长列表客户0", "长列表客户1", "长列表客户2"]
    note = Notification.objects.get(recipient=cast.alice)
    assert "导出已完成" in note.title and note.url == reverse("core:export_run_detail", args=[run.pk])


def test_a_short_list_is_still_the_file_itself(cast, client_as, customers):
    response = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]), {"q": "长列表客户1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportRun.objects.exists()


def test_through_the_api_a_long_list_answers_202_with_the_run_to_poll(cast, api_as, customers, committed):
    api = api_as(cast.alice)
    with committed():
        response = api.get("/api/v1/customers/export/")
    body = response.json()
    assert response.status_code == 202 and response["Location"] == body["url"] == f"/api/v1/export-runs/{body['id']}/"
    run = api.get(body["url"]).json()
    assert (run["status"], run["row_count"], run["download"]) == ("done", 3, f"/api/v1/export-runs/{body['id']}/download/")
    download = api.get(run["download"])
    assert download.status_code == 200 and names_in(b"".join(download.streaming_content))[0] == "长列表客户0"
    listed = api.get("/api/v1/export-runs/?status=done").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]


def test_a_run_is_its_readers_alone(cast, client_as, api_as, customers, committed):
    """Another user (even the GM) cannot see, download or retry someone's export: 404 on the page and the API."""
    with committed():
        run = export_runs.export_run_request(export=export_named("customers"), actor=cast.alice, params={}, total=3)
    assert ExportRun.objects.get(pk=run.pk).status == "done"
    for user in (cast.bob, cast.gm):
        client, api = client_as(user), api_as(user)
        assert client.get(reverse("core:export_run_detail", args=[run.pk])).status_code == 404
        assert client.get(reverse("core:export_run_download", args=[run.pk])).status_code == 404
        assert api.get(f"/api/v1/export-runs/{run.pk}/").status_code == 404
        assert api.get(f"/api/v1/export-runs/{run.pk}/download/").status_code == 404
        assert api.post(f"/api/v1/export-runs/{run.pk}/retry/").status_code == 404
        assert api.get("/api/v1/export-runs/").json()["count"] == 0
    assert api_as(cast.alice).get("/api/v1/export-runs/null,null/download/").status_code == 404  # not a number: 404


def test_the_task_writes_a_run_once_and_a_failure_is_kept_with_a_retry(
    cast, client_as, api_as, customers, monkeypatch, committed
):
    """A second task (a redelivery, the sweeper) finds the run no longer queued and writes nothing; a failure is the
    run's reason on its page, with a retry that queues it again; a run that did not fail cannot be retried (409)."""
    assert export_runs.export_run_generate(ExportRun.objects.create(name="customers", title="x", requested_by=cast.alice).pk)
    done = ExportRun.objects.get()
    assert done.status == "done" and export_runs.export_run_generate(done.pk) is False and done.attempts == 1

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(export_runs, "export_file", broken)
    with committed():
        response = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]))
    failed = ExportRun.objects.exclude(pk=done.pk).get()
    assert failed.status == "failed" and "磁盘已满" in failed.error
    page = client_as(cast.alice).get(response["Location"]).content.decode()
    assert 'data-testid="export-run-retry"' in page and 'data-testid="export-run-download"' not in page
    monkeypatch.undo()
    assert api_as(cast.alice).post(f"/api/v1/export-runs/{done.pk}/retry/").status_code == 409
    with committed():
        assert client_as(cast.alice).post(reverse("core:export_run_retry", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.row_count, failed.attempts, failed.error) == ("done", 3, 2, "")  # alice sees 3


def test_the_sweep_publishes_lost_runs_again_and_fails_dead_ones(cast, settings, customers):
    now = timezone.now()
    lost = ExportRun.objects.create(name="customers", title="x", requested_by=cast.alice)
    ExportRun.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(seconds=settings.REPORT_REQUEUE_SECONDS + 1))
    dead = ExportRun.objects.create(name="customers", title="x", requested_by=cast.alice, status="running")
    ExportRun.objects.filter(pk=dead.pk).update(started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1))
    assert export_runs.export_runs_sweep(now=now) == {"requeued": 1, "failed": 1, "expired": 0}
    lost.refresh_from_db()
    dead.refresh_from_db()
    assert lost.status == "done" and dead.status == "failed"  # eager: the republished task wrote it


def test_the_list_of_my_exports_has_filters_search_and_pages(cast, client_as, customers):
    for title in ("客户档案", "订单"):
        ExportRun.objects.create(name="customers", title=title, requested_by=cast.alice, status="done", row_count=9)
    ExportRun.objects.create(name="customers", title="客户档案", requested_by=cast.bob, status="done")
    client = client_as(cast.alice)
    page = client.get(reverse("core:export_run_list"), {"q": "客户", "status": "done"}).content.decode()
    assert page.count('data-testid="export-run-row"') == 1 and 'data-testid="nav-export-runs"' in page
    assert client.get(reverse("core:export_run_list"), {"status": "later"}).status_code == 400


def test_progress_is_saved_as_the_rows_are_written(cast, client_as, customers, committed, settings, monkeypatch):
    settings.REPORT_PROGRESS_SECONDS = 0  # every step saved (by default at most one a second)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)  # a step per row (by default every 2,000 rows)
    seen, real = [], export_runs._progress

    def spy(run):
        step = real(run)

        def saved(written):
            step(written)
            seen.append(ExportRun.objects.get(pk=run.pk).progress)

        return saved

    monkeypatch.setattr(export_runs, "_progress", spy)
    with committed():
        client_as(cast.alice).get(reverse("core:list_export", args=["customers"]))
    assert seen == [33, 66, 99] and ExportRun.objects.get().progress == 100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_given_the_same_run_write_it_once(on_postgres, cast, customers):
    """A redelivered task running beside the first: one claims the run and writes the file, the other does nothing."""
    run = ExportRun.objects.create(name="customers", title="客户档案", requested_by=cast.alice, total=3)
    barrier, results = threading.Barrier(2), []

    def go():
        try:
            barrier.wait()
            results.append(export_runs.export_run_generate(run.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.refresh_from_db()
    assert sorted(results) == [False, True] and (run.status, run.attempts, run.row_count) == ("done", 1, 3)
    assert Notification.objects.filter(recipient=cast.alice).count() == 1


def test_a_second_click_while_the_export_is_being_written_opens_the_same_run(cast, client_as, customers):
    """Not committed here, so the first run stays queued: the same list and filters give it back; other filters, or
    another reader, make their own."""
    url = reverse("core:list_export", args=["customers"])
    first = client_as(cast.alice).get(url, {"q": "长列表"})["Location"]
    assert client_as(cast.alice).get(url, {"q": "长列表", "page": "3"})["Location"] == first
    assert client_as(cast.alice).get(url)["Location"] != first
    assert client_as(cast.gm).get(url, {"q": "长列表"})["Location"] != first
    assert ExportRun.objects.count() == 3


def test_a_file_is_deleted_some_days_after_it_was_written_and_the_run_says_so(
    cast, client_as, api_as, customers, committed, settings
):
    with committed():
        run = export_runs.export_run_request(export=export_named("customers"), actor=cast.alice, params={}, total=3)
    run.refresh_from_db()
    path = run.file.path
    later = run.finished_at + timedelta(days=settings.EXPORT_KEEP_DAYS, seconds=1)
    assert export_runs.export_runs_sweep(now=later - timedelta(seconds=2))["expired"] == 0
    assert export_runs.export_runs_sweep(now=later)["expired"] == 1
    run.refresh_from_db()
    assert not run.file and not Path(path).exists() and run.status == "done"
    page = client_as(cast.alice).get(reverse("core:export_run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="export-run-expired"' in page and 'data-testid="export-run-download"' not in page
    assert client_as(cast.alice).get(reverse("core:export_run_download", args=[run.pk])).status_code == 404
    assert api_as(cast.alice).get(f"/api/v1/export-runs/{run.pk}/").json()["download"] is None


def test_the_run_names_its_filters_as_the_list_does(cast, client_as):
    """A choice by its label (several values joined), a search as it was typed."""
    run = ExportRun.objects.create(
        name="orders", title="销售订单", requested_by=cast.clerk, params={"status": ["placed", "partial"], "q": ["泵"]}
    )
    page = client_as(cast.clerk).get(reverse("core:export_run_detail", args=[run.pk])).content.decode()
    run.refresh_from_db()  # the parameters as the database gives them back
    assert export_runs.export_run_filters(run) == [("搜索", "泵"), ("状态", "已下单生产、部分发货")]
    assert "搜索：泵；状态：已下单生产、部分发货" in page
