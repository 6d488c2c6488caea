"""In a real browser: a manager requests the monthly store report, watches its progress change on the page without
reloading it (queued → running n% → done), downloads the file and it opens with openpyxl with the KPI figures; a rep
hands in the week's report from its form and the lead comments on it."""

from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from reports import kpis
from reports.models import ReportRun
from reports.periods import Period
from reports.scopes import Scope
from reports.services import runs as svc
from salesops.core.charts import percent_points
from tests.helpers import pausing, thread_worker
from tests.reports.books import make_book

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def slow_worker(monkeypatch, settings, tmp_path):
    """The generation task is published to a stand-in worker: a thread started by `start(run_id)` that generates the run,
    pausing after each progress step so the page can be seen while it runs."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_PROGRESS_SECONDS = 0  # every step saved, then the pause
    published = []
    monkeypatch.setattr(svc, "_publish", published.append)
    monkeypatch.setattr(svc, "_set_progress", pausing(svc._set_progress, 1.5))
    return published, thread_worker(svc.report_run_generate)


def test_a_manager_requests_a_report_watches_it_and_downloads_it(cast, page_as, live_server, slow_worker, tmp_path):
    published, start = slow_worker
    make_book(cast)
    manager = page_as("manager")
    manager.goto(f"{live_server.url}/reports/runs/")

    # when the manager asks for November's store report of the company
    manager.select_option("#id_kind", "store_sales")
    manager.fill("#id_period", "2026-11")
    manager.select_option("#id_scope", "company")
    with manager.expect_navigation():
        manager.click("[data-testid=report-request-submit]")
    run = ReportRun.objects.get()
    assert published == [run.pk]
    manager.wait_for_selector("[data-testid=run-progress][data-status=queued]")
    manager.evaluate("window.notReloaded = true")

    # then, while a worker generates it, the page shows it running with its percentage, then done — without reloading
    worker = start(run.pk)
    running = manager.wait_for_selector("[data-testid=run-progress][data-status=running]", timeout=20000)
    assert "生成中" in running.inner_text() and "%" in running.inner_text()
    manager.wait_for_selector("[data-testid=run-progress][data-status=done]", timeout=30000)
    worker.join(timeout=30)
    assert manager.evaluate("window.notReloaded") is True

    # and the file downloads and opens, its totals those of the KPI selectors
    with manager.expect_download() as download:
        manager.click("[data-testid=run-download]")
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["封面", "门店销售", "图表"]
    totals = next(r for r in wb["门店销售"].iter_rows(values_only=True) if r and r[0] == "合计")
    assert D(str(totals[3])) == kpis.sales_shipped(Period.month(2026, 11), Scope.company()) == D("9500.00")


def test_a_rep_writes_and_hands_in_the_weeks_report_and_the_lead_comments(cast, page_as, live_server):
    from reports.models import WeeklyReport

    # when alice writes this week's report and hands it in from the form
    page = page_as("alice")
    page.goto(f"{live_server.url}/reports/weekly/")
    page.click("[data-testid=weekly-write]")
    page.wait_for_url("**/reports/weekly/*/edit/")
    assert page.locator("[data-testid=weekly-figure-visits]").is_visible()
    page.fill("#id_summary", "拜访三家客户，报价两份")
    page.fill("#id_next_plan", "周二投标文件定稿")
    page.click("[data-testid=weekly-hand-in]")
    report = WeeklyReport.objects.get(rep=cast.alice)
    page.wait_for_url(f"**/reports/weekly/{report.pk}/")
    assert "已提交" in page.locator("[data-testid=status-badge]").inner_text()

    # then her lead comments on it from its page
    lead = page_as("lena")
    lead.goto(f"{live_server.url}/reports/weekly/{report.pk}/")
    lead.click("[data-testid=action-review]")
    lead.fill("#id_note", "投标注意商务标")
    lead.click("[data-testid=form-submit]")
    lead.wait_for_url(f"**/reports/weekly/{report.pk}/")
    assert "投标注意商务标" in lead.locator("[data-testid=weekly-review]").inner_text()
    assert WeeklyReport.objects.get(pk=report.pk).status == WeeklyReport.Status.REVIEWED


def test_the_on_time_delivery_chart_reads_percentages(cast, page_as, live_server):
    """准时交货率 is drawn as percentages on a 0–100 % axis (salesops.core.charts.percent_points), not as 0..1."""
    make_book(cast)
    manager = page_as("manager")
    manager.goto(f"{live_server.url}/reports/figures/?period=2026-11")
    manager.wait_for_selector("#chart-on_time")
    axis = manager.evaluate("() => { const c = Chart.getChart('chart-on_time'); return [c.options.scales.y.max]; }")
    november = kpis.on_time_delivery(Period.month(2026, 11), Scope.company())
    drawn = manager.evaluate("() => Chart.getChart('chart-on_time').data.datasets[0].data.at(-1)")
    assert axis[0] == 100 and drawn == float(percent_points([("11", november)])[0][1])
    ticks = manager.evaluate("() => Chart.getChart('chart-on_time').scales.y.ticks.map(t => t.label)")
    assert ticks[-1] == "100%"
