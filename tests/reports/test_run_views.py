"""The monthly reports' pages and API: who may download what (a rep own figures, a team lead the team's, managers and
finance all — by URL and by API), the list with filters, search, pages and live progress rows, request, detail, retry."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook, load_workbook

from reports.models import ReportRun
from reports.services import runs as svc

pytestmark = pytest.mark.django_db
Kind, Status = ReportRun.Kind, ReportRun.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def xlsx() -> bytes:
    wb = Workbook()
    wb.active.title = "封面"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def done_run(scope_key, kind=Kind.STORE_SALES, period="2026-11") -> ReportRun:
    run = ReportRun(kind=kind, period=period, scope_key=scope_key, status=Status.DONE, progress=100)
    run.file.save(f"{kind}-{scope_key.replace(':', '-')}.xlsx", ContentFile(xlsx()), save=False)
    run.save()
    return run


@pytest.fixture
def runs(cast):
    """One finished report per scope: company, each team, and alice's, bob's and carol's own."""
    keys = {
        "company": "company",
        "east": f"team:{cast.east.pk}",
        "south": f"team:{cast.south.pk}",
        "alice": f"rep:{cast.alice.pk}",
        "bob": f"rep:{cast.bob.pk}",
        "carol": f"rep:{cast.carol.pk}",
    }
    return {name: done_run(key) for name, key in keys.items()}


# who may download which scope's report (rep alice, team lead lena of 华东组, manager, finance, warehouse)
MATRIX = {
    "alice": {"alice"},
    "lena": {"east", "alice", "bob"},
    "manager": {"company", "east", "south", "alice", "bob", "carol"},
    "finance": {"company", "east", "south", "alice", "bob", "carol"},
    "warehouse": set(),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_download_permissions_by_url_and_api(cast, runs, client_as, api_as, who):
    user = getattr(cast, who)
    page, api = client_as(user), api_as(user)
    for name, run in runs.items():
        allowed = name in MATRIX[who]
        by_url = page.get(f"/reports/runs/{run.pk}/download/")
        by_api = api.get(f"/api/v1/report-runs/{run.pk}/download/")
        assert (by_url.status_code, by_api.status_code) == ((200, 200) if allowed else (404, 404)), (who, name)
        if allowed:
            assert load_workbook(BytesIO(b"".join(by_url.streaming_content))).sheetnames == ["封面"]
            assert "attachment" in by_url["Content-Disposition"] and ".xlsx" in by_url["Content-Disposition"]
    listed = {r["id"] for r in api_as(user).get("/api/v1/report-runs/").json().get("results", [])}
    assert listed == {runs[name].pk for name in MATRIX[who]}


def test_a_run_not_finished_has_no_download(cast, client_as, api_as):
    run = ReportRun.objects.create(kind=Kind.AGING, period="2026-11", scope_key="company", status=Status.RUNNING, progress=40)
    assert client_as(cast.manager).get(f"/reports/runs/{run.pk}/download/").status_code == 404
    detail = api_as(cast.manager).get(f"/api/v1/report-runs/{run.pk}/").json()
    assert (detail["status"], detail["progress"], detail["allowed_actions"], detail["download_url"]) == ("running", 40, [], None)


class TestListPage:
    def test_filters_search_and_pages(self, cast, runs, client_as, api_as):
        for month in range(1, 30):
            ReportRun.objects.create(kind=Kind.AGING, period=f"20{month + 10}-01", scope_key="company", status=Status.FAILED)
        c = client_as(cast.manager)
        page = c.get("/reports/runs/")
        assert page.status_code == 200 and page.context["page"].paginator.count == 35
        assert len(page.context["rows"]) == 25 and "page=2" in page.content.decode()
        assert c.get("/reports/runs/?kind=store_sales").context["page"].paginator.count == 6
        assert c.get(f"/reports/runs/?scope=team:{cast.east.pk}").context["page"].paginator.count == 1
        assert c.get("/reports/runs/?status=failed&period=2015-01").context["page"].paginator.count == 1
        assert c.get("/reports/runs/?q=2015").context["page"].paginator.count == 1
        bad = c.get("/reports/runs/?period=11-2026")
        assert bad.status_code == 400 and "月份格式应为 YYYY-MM" in bad.content.decode()
        bad_api = api_as(cast.manager).get("/api/v1/report-runs/?scope=everyone")
        assert bad_api.status_code == 400 and "scope" in str(bad_api.json())
        assert api_as(cast.manager).get("/api/v1/report-runs/?kind=store_sales").json()["count"] == 6

    def test_rows_of_active_runs_poll_and_the_rest_do_not(self, cast, runs, client_as):
        c = client_as(cast.manager)
        assert "hx-trigger" not in c.get("/reports/runs/").content.decode()
        ReportRun.objects.create(kind=Kind.AGING, period="2026-10", scope_key="company", status=Status.RUNNING, progress=45)
        html = c.get("/reports/runs/").content.decode()
        assert 'hx-trigger="every 2s"' in html and "45%" in html
        rows = c.get("/reports/runs/?page=1", HTTP_HX_REQUEST="true")
        assert rows.templates[0].name == "reports/_run_rows.html" and "<html" not in rows.content.decode()

    def test_a_rep_sees_no_company_scope_to_pick_and_the_warehouse_no_page(self, cast, client_as):
        choices = dict(client_as(cast.alice).get("/reports/runs/").context["form"].fields["scope"].choices)
        assert list(choices) == [f"rep:{cast.alice.pk}"]
        assert client_as(cast.warehouse).get("/reports/runs/").status_code == 403


class TestRequestAndRetryPages:
    def test_request_then_the_same_again_opens_the_running_one(
        self, cast, client_as, monkeypatch, django_capture_on_commit_callbacks
    ):
        published = []
        monkeypatch.setattr(svc, "_publish", published.append)
        c = client_as(cast.manager)
        data = {"kind": "aging", "period": "2026-11", "scope": "company"}
        with django_capture_on_commit_callbacks(execute=True):
            first = c.post("/reports/runs/request/", data)
            second = c.post("/reports/runs/request/", data, follow=True)
        run = ReportRun.objects.get()
        assert first.status_code == 302 and first.url == f"/reports/runs/{run.pk}/" and published == [run.pk]
        assert "同一报表正在生成中" in second.content.decode()
        detail = c.get(f"/reports/runs/{run.pk}/").content.decode()
        assert 'data-status="queued"' in detail and 'hx-trigger="every 2s"' in detail

    def test_bad_request_input_is_refused_with_a_message(self, cast, client_as):
        c = client_as(cast.alice)
        bad = c.post("/reports/runs/request/", {"kind": "aging", "period": "2026-13", "scope": f"rep:{cast.alice.pk}"})
        assert bad.status_code == 400 and "月份格式应为 YYYY-MM" in bad.content.decode()
        other = c.post("/reports/runs/request/", {"kind": "aging", "period": "2026-11", "scope": "company"})
        assert other.status_code == 400 and ReportRun.objects.count() == 0

    def test_a_failed_run_shows_its_reason_and_is_retried(self, cast, client_as, monkeypatch, django_capture_on_commit_callbacks):
        monkeypatch.setattr(svc, "_publish", lambda pk: None)
        run = ReportRun.objects.create(
            kind=Kind.AGING, period="2026-11", scope_key=f"rep:{cast.alice.pk}", status=Status.FAILED, error="磁盘已满"
        )
        page = client_as(cast.alice).get(f"/reports/runs/{run.pk}/").content.decode()
        assert "磁盘已满" in page and 'data-testid="run-retry"' in page
        assert client_as(cast.bob).post(f"/reports/runs/{run.pk}/retry/").status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert client_as(cast.alice).post(f"/reports/runs/{run.pk}/retry/").status_code == 302
        run.refresh_from_db()
        assert run.status == Status.QUEUED and run.error == ""
        again = client_as(cast.alice).post(f"/reports/runs/{run.pk}/retry/")
        assert again.status_code == 409 and "只有失败的报表可以重试" in again.content.decode()

    def test_the_detail_shows_history_and_what_changed(self, cast, client_as):
        first = done_run("company")
        second = done_run("company")
        ReportRun.objects.filter(pk=second.pk).update(
            previous=first, changes=[{"key": "shipped", "label": "发货额", "old": "9500.00", "new": "10500.00"}]
        )
        html = client_as(cast.manager).get(f"/reports/runs/{second.pk}/").content.decode()
        assert "发货额" in html and "10,500.00" in html and "1 项变化" in html and "首次生成" in html

    def test_who_asked_is_named_by_full_name(self, cast, client_as):
        # given a report lena asked for and one the schedule made
        cast.lena.first_name, cast.lena.last_name = "王", "丽娜"
        cast.lena.save()
        asked = done_run("company")
        ReportRun.objects.filter(pk=asked.pk).update(requested_by=cast.lena)
        done_run("company")
        # when the manager reads the detail and the list, then lena is named, not her login
        detail = client_as(cast.manager).get(f"/reports/runs/{asked.pk}/").content.decode()
        header = detail.split('data-testid="run-header"', 1)[1].split("</dl>", 1)[0]
        history = detail.split('data-testid="run-history"', 1)[1]
        assert "王 丽娜" in header and "王 丽娜" in history and "系统定时生成" in history and ">lena<" not in detail
        listing = client_as(cast.manager).get("/reports/runs/").content.decode()
        assert "<td>王 丽娜</td>" in listing and "<td>lena</td>" not in listing


class TestApi:
    def test_request_dedupe_detail_and_retry(self, cast, api_as, monkeypatch, django_capture_on_commit_callbacks):
        published = []
        monkeypatch.setattr(svc, "_publish", published.append)
        api = api_as(cast.lena)
        body = {"kind": "achievement", "period": "2026-11", "scope": f"team:{cast.east.pk}"}
        with django_capture_on_commit_callbacks(execute=True):
            created = api.post("/api/v1/report-runs/", body, format="json")
            again = api.post("/api/v1/report-runs/", body, format="json")
        assert (created.status_code, again.status_code) == (201, 200) and created.json()["id"] == again.json()["id"]
        assert created.json()["status"] == "queued" and published == [created.json()["id"]]
        refused = api.post("/api/v1/report-runs/", {**body, "scope": "company"}, format="json")
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        invalid = api.post("/api/v1/report-runs/", {**body, "period": "2026/11"}, format="json")
        assert invalid.status_code == 400
        run_id = created.json()["id"]
        assert api.post(f"/api/v1/report-runs/{run_id}/retry/").status_code == 409
        ReportRun.objects.filter(pk=run_id).update(status=Status.FAILED, error="超时")
        assert api.get(f"/api/v1/report-runs/{run_id}/").json()["allowed_actions"] == ["retry"]
        with django_capture_on_commit_callbacks(execute=True):
            retried = api.post(f"/api/v1/report-runs/{run_id}/retry/")
        assert retried.status_code == 200 and retried.json()["status"] == "queued" and published[-1] == run_id
        assert api_as(cast.carol).get(f"/api/v1/report-runs/{run_id}/").status_code == 404


@pytest.mark.parametrize("url", ["/reports/runs/", "/reports/figures/"])
def test_the_scope_picker_reads_the_reps_at_once_whatever_their_number(cast, client_as, url):
    """The 范围 select labels every team and rep with two queries (reports.scopes.scope_choices), not one per rep."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client_as(cast.manager).get(url)
        assert response.status_code == 200 and "scope" in response.content.decode()
        return len(ctx.captured_queries)

    before = queries()
    for n in range(5):
        UserFactory(username=f"extra_rep{n}", roles=["sales_rep"], profile={"team": cast.east})
    body = client_as(cast.manager).get(url).content.decode()
    assert "extra_rep4" in body and queries() == before
