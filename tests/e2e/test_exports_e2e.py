"""In a real browser: a rep exports a list too long to write while she waits — 导出 Excel opens the export run, whose
progress changes on the page without reloading it (queued → running n% → done), then the file downloads and opens."""

import pytest
from openpyxl import load_workbook

from salesops.core import export_runs, exports
from salesops.core.models import ExportRun
from tests.factories import CustomerFactory
from tests.helpers import pausing, thread_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def slow_worker(monkeypatch, settings, tmp_path):
    """The export task goes to a stand-in worker: a thread started by `start(run_id)` that writes the run, pausing after
    each progress step (one per row here) so the page can be seen while it runs."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_DIRECT_ROWS = 2
    settings.REPORT_PROGRESS_SECONDS = 0
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
    published = []
    monkeypatch.setattr(export_runs, "_publish", published.append)
    real = export_runs._progress
    monkeypatch.setattr(export_runs, "_progress", lambda run: pausing(real(run), 1.0))
    return published, thread_worker(export_runs.export_run_generate)


def test_a_rep_exports_a_long_list_watches_it_and_downloads_it(cast, page_as, live_server, slow_worker, tmp_path):
    published, start = slow_worker
    for k in range(4):
        CustomerFactory(owner=cast.alice, name=f"导出客户{k}")
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/customers/")

    # when she exports her customer list, the export run opens, queued
    with alice.expect_navigation():
        alice.click("[data-testid=list-export]")
    run = ExportRun.objects.get()
    assert published == [run.pk] and f"/core/exports/runs/{run.pk}/" in alice.url
    alice.wait_for_selector("[data-testid=run-progress][data-status=queued]")
    alice.evaluate("window.notReloaded = true")

    # then, while a worker writes it, the page shows it running with its percentage, then done — without reloading
    worker = start(run.pk)
    running = alice.wait_for_selector("[data-testid=run-progress][data-status=running]", timeout=20000)
    assert "生成中" in running.inner_text() and "%" in running.inner_text()
    alice.wait_for_selector("[data-testid=export-run-download]", timeout=30000)
    worker.join(timeout=30)
    assert alice.evaluate("window.notReloaded") is True

    # and the file downloads and opens with her four customers
    with alice.expect_download() as download:
        alice.click("[data-testid=export-run-download]")
    path = tmp_path / "customers.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("customers-")
    sheet = load_workbook(path).active
    column = [c.value for c in sheet[1]].index("客户名称")
    assert sorted(r[column] for r in sheet.iter_rows(min_row=2, values_only=True)) == [f"导出客户{k}" for k in range(4)]
