"""销售周报 (seed 003: 个人工作周报): the week as a period; a rep opens, writes and hands in the week's report with its
figures kept; the team lead or a sales manager comments on it or sends it back; who reads whose, who has not handed
theirs in; the pages and the API; two reviewers at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import selectors
from reports.models import WeeklyReport
from reports.periods import Period
from reports.services import weekly as svc
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event, Notification
from tests.factories import CustomerFactory, VisitFactory

pytestmark = pytest.mark.django_db

S = WeeklyReport.Status
TODAY = timezone.localdate()
THIS_WEEK = Period.week(TODAY)
API = "/api/v1/weekly-reports/"


def _written(report, actor, **kw):
    data = {"summary": "拜访三家，报价两份", "market": "友商降价 5%", "next_plan": "周二投标", **kw}
    return svc.weekly_update(report=report, actor=actor, data=data)


@pytest.fixture
def alices(cast):
    """alice's report of this week, written, with one visit of hers this week."""
    VisitFactory(customer=CustomerFactory(owner=cast.alice, team=cast.east), visited_on=THIS_WEEK.start)
    return _written(svc.weekly_open(actor=cast.alice, day=TODAY), cast.alice)


# --- the week ---------------------------------------------------------------------------------------------------------
def test_a_week_runs_monday_to_sunday_and_is_named_by_its_iso_week():
    week = Period.week(date(2026, 12, 6))  # a Sunday

    assert (week.start, week.end, week.key, week.length) == (date(2026, 11, 30), date(2026, 12, 6), "2026-W49", 7)
    assert week.label == "2026年第49周（11-30–12-06）"
    assert Period.parse("2026-w49") == week and Period.parse(week.key) == week
    assert week.previous() == Period.week(date(2026, 11, 23)) and week.previous().key == "2026-W48"
    assert Period.week(date(2027, 1, 1)).key == "2026-W53"  # the ISO year of a New Year's Friday
    assert week.year_ago() == Period.week(date(2025, 11, 30))
    with pytest.raises(ValueError, match="2026-W49"):
        Period.parse("2026-W60")


# --- writing and handing in -------------------------------------------------------------------------------------------
def test_a_rep_opens_one_report_a_week_not_a_future_one_and_only_the_field_sales_write(cast):
    first = svc.weekly_open(actor=cast.alice, day=TODAY)

    assert svc.weekly_open(actor=cast.alice, day=THIS_WEEK.start) == first
    assert (first.week, first.team, first.status) == (THIS_WEEK.start, cast.east, S.DRAFT)
    with pytest.raises(DomainError, match="还没有开始"):
        svc.weekly_open(actor=cast.alice, day=TODAY + timedelta(days=7))
    for outsider in (cast.clerk, cast.finance, cast.manager):
        with pytest.raises(Forbidden, match="只有业务员和销售组长写销售周报"):
            svc.weekly_open(actor=outsider, day=TODAY)
    assert WeeklyReport.objects.count() == 1


@pytest.mark.parametrize(("field", "message"), [("summary", "请填写本周工作总结"), ("next_plan", "请填写下周计划")])
def test_an_incomplete_week_is_not_handed_in(cast, alices, field, message):
    blank = _written(alices, cast.alice, **{field: "  "})

    with pytest.raises(DomainError, match=message):
        svc.weekly_submit(report=blank, actor=cast.alice)

    fresh = WeeklyReport.objects.get(pk=alices.pk)
    assert (fresh.status, fresh.figures, fresh.submitted_at) == (S.DRAFT, {}, None)


def test_handing_in_keeps_the_weeks_figures_and_tells_the_lead(cast, alices):
    assert selectors.week_figures(cast.alice.pk, THIS_WEEK)["visits"] == 1
    with pytest.raises(Forbidden, match="只有业务员本人"):
        svc.weekly_submit(report=alices, actor=cast.bob)

    handed = svc.weekly_submit(report=alices, actor=cast.alice)

    assert handed.status == S.SUBMITTED and handed.submitted_at
    assert handed.figures["visits"] == 1 and handed.figures["order_intake"] == "0.00"
    VisitFactory(customer=CustomerFactory(owner=cast.alice), visited_on=THIS_WEEK.end)  # a visit recorded later
    assert WeeklyReport.objects.get(pk=alices.pk).figures["visits"] == 1  # the report keeps what was handed in
    told = Notification.objects.get(recipient=cast.lena)
    assert "提交了周报" in told.title and THIS_WEEK.label in told.title
    with pytest.raises(Conflict, match="周报已提交，不能再修改或提交"):
        svc.weekly_update(report=alices, actor=cast.alice, data={"summary": "改"})
    with pytest.raises(Conflict, match="当前状态为“已提交”，不能执行“提交”"):
        svc.weekly_submit(report=alices, actor=cast.alice)


def test_the_lead_comments_and_a_manager_sends_back_which_the_rep_completes(cast, alices):
    handed = svc.weekly_submit(report=alices, actor=cast.alice)

    returned = svc.weekly_send_back(report=handed, actor=cast.manager, reason="请补充重点客户进展")
    assert (returned.status, returned.return_reason) == (S.RETURNED, "请补充重点客户进展")
    assert Notification.objects.filter(recipient=cast.alice, title__contains="退回了您的周报").exists()
    again = svc.weekly_submit(report=_written(returned, cast.alice, summary="补充：恒通二期已签"), actor=cast.alice)
    assert again.status == S.SUBMITTED

    reviewed = svc.weekly_review(report=again, actor=cast.lena, note="做得好，周二投标注意商务标")

    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note) == (S.REVIEWED, cast.lena, "做得好，周二投标注意商务标")
    assert Notification.objects.filter(recipient=cast.alice, title__contains="点评了您的周报").exists()
    texts = list(Event.objects.filter(target_id=alices.pk, target_type__model="weeklyreport").values_list("message", flat=True))
    assert any("退回：请补充重点客户进展" in t for t in texts) and any("点评：做得好" in t for t in texts)
    with pytest.raises(Conflict, match="当前状态为“已点评”，不能执行“退回”"):
        svc.weekly_send_back(report=reviewed, actor=cast.manager, reason="再改")


def test_nobody_comments_on_their_own_week_nor_on_another_teams(cast, alices):
    svc.weekly_submit(report=alices, actor=cast.alice)
    carols = svc.weekly_submit(report=_written(svc.weekly_open(actor=cast.carol, day=TODAY), cast.carol), actor=cast.carol)
    lenas = svc.weekly_submit(report=_written(svc.weekly_open(actor=cast.lena, day=TODAY), cast.lena), actor=cast.lena)

    for who, report in ((cast.lena, carols), (cast.lena, lenas), (cast.bob, alices), (cast.clerk, alices)):
        with pytest.raises(Forbidden, match="只有该业务员的组长和销售经理"):
            svc.weekly_review(report=report, actor=who, note="好")
    assert svc.weekly_review(report=lenas, actor=cast.vp, note="好").status == S.REVIEWED  # the lead's own: a manager's


def test_who_reads_whose_and_who_has_not_handed_in(cast, alices):
    bobs = svc.weekly_open(actor=cast.bob, day=TODAY)
    carols = svc.weekly_open(actor=cast.carol, day=TODAY)
    svc.weekly_submit(report=alices, actor=cast.alice)

    def read(user):
        return set(selectors.weekly_reports_for(user).values_list("pk", flat=True))

    assert read(cast.alice) == {alices.pk} and read(cast.bob) == {bobs.pk}
    assert read(cast.lena) == {alices.pk, bobs.pk}  # her team's
    assert read(cast.manager) == read(cast.gm) == {alices.pk, bobs.pk, carols.pk}
    assert read(cast.finance) == read(cast.clerk) == set()
    assert [u.username for u in selectors.weekly_missing(cast.lena, THIS_WEEK)] == ["bob"]  # a draft is not handed in
    assert [u.username for u in selectors.weekly_missing(cast.manager, THIS_WEEK)] == ["bob", "carol", "lena"]
    assert [u.username for u in selectors.weekly_missing(cast.manager, THIS_WEEK.previous())] == [
        "alice",
        "bob",
        "carol",
        "lena",
    ]


def test_friday_reminds_each_who_has_not_handed_in_once_with_their_draft(cast, alices, settings):
    svc.weekly_submit(report=alices, actor=cast.alice)
    bobs_draft = svc.weekly_open(actor=cast.bob, day=TODAY)

    assert svc.weekly_remind_missing(day=TODAY) == 3  # bob, carol and lena; alice handed hers in
    assert svc.weekly_remind_missing(day=TODAY) == 0  # a second run, worker or retry reminds nobody again

    told = Notification.objects.filter(title__startswith="请提交本周周报")
    assert sorted(n.recipient.username for n in told) == ["bob", "carol", "lena"]
    assert told.get(recipient=cast.bob).url == bobs_draft.get_absolute_url()  # straight to the draft
    assert WeeklyReport.objects.filter(week=THIS_WEEK.start, reminded_at__isnull=False).count() == 3
    entry = settings.CELERY_BEAT_SCHEDULE["reports-remind-weekly-reports"]
    assert entry["task"] == "reports.tasks.remind_weekly_reports" and entry["schedule"].day_of_week == {5}


def test_the_report_charts_the_reps_last_eight_weeks_as_handed_in(cast, alices, client_as):
    last = svc.weekly_open(actor=cast.alice, day=THIS_WEEK.start - timedelta(days=7))
    svc.weekly_submit(report=_written(last, cast.alice), actor=cast.alice)
    WeeklyReport.objects.filter(pk=last.pk).update(figures={**last.figures, "visits": 4, "order_intake": "1234.50"})

    activity, money = selectors.weekly_trend_charts(alices, selectors.week_figures(cast.alice.pk, THIS_WEEK))

    assert len(activity["labels"]) == 8 and activity["labels"][-1] == THIS_WEEK.key.split("-")[1]
    visits = activity["series"][0]
    assert visits["label"] == "拜访次数" and visits["data"][-2:] == [4, 1] and visits["data"][0] is None  # a gap: none
    assert money["series"][0]["data"][-2] == 1234.5
    page = client_as(cast.alice).get(alices.get_absolute_url()).content.decode()
    assert 'data-testid="chart-weekly-activity"' in page and 'id="kpi-charts"' in page


@pytest.mark.parametrize(
    ("who", "opens", "reads_alices", "reviews_alices"),
    [
        ("alice", True, True, False),  # her own: she writes, she does not comment on it
        ("bob", True, False, False),  # another rep of her team
        ("carol", True, False, False),  # a rep of another team
        ("lena", True, True, True),  # her team's lead
        ("clerk", False, False, False),
        ("manager", False, True, True),
        ("vp", False, True, True),
        ("gm", False, True, True),
        ("finance", False, False, False),
        ("warehouse", False, False, False),
        ("qc", False, False, False),
        ("service", False, False, False),
        ("rev_technical", False, False, False),
    ],
)
def test_each_role_against_each_weekly_action(cast, alices, api_as, who, opens, reads_alices, reviews_alices):
    svc.weekly_submit(report=alices, actor=cast.alice)
    client = api_as(getattr(cast, who))

    opened = client.post(API, {}, format="json")
    read = client.get(f"{API}{alices.pk}/")
    reviewed = client.post(f"{API}{alices.pk}/review/", {"note": "阅"}, format="json")

    assert opened.status_code == ((200 if who == "alice" else 201) if opens else 403)
    assert read.status_code == (200 if reads_alices else 404)
    assert reviewed.status_code == (200 if reviews_alices else 403 if reads_alices else 404)
    assert WeeklyReport.objects.get(pk=alices.pk).status == (S.REVIEWED if reviews_alices else S.SUBMITTED)


def test_a_lead_reads_the_weeks_figures_side_by_side_with_their_totals(cast, alices, client_as, api_as):
    alices = svc.weekly_submit(report=alices, actor=cast.alice)
    bobs = svc.weekly_submit(report=_written(svc.weekly_open(actor=cast.bob, day=TODAY), cast.bob), actor=cast.bob)
    carols = svc.weekly_submit(report=_written(svc.weekly_open(actor=cast.carol, day=TODAY), cast.carol), actor=cast.carol)
    WeeklyReport.objects.filter(pk=alices.pk).update(figures={**alices.figures, "visits": 3, "order_intake": "1000.10"})
    WeeklyReport.objects.filter(pk=bobs.pk).update(figures={**bobs.figures, "visits": 2, "order_intake": "0.25"})

    summary = selectors.weekly_summary(cast.lena, THIS_WEEK)

    assert [row["report"].rep.username for row in summary["rows"]] == ["alice", "bob"]  # her team's, carol's not
    totals = dict(zip([key for key, _l, _k in selectors.WEEK_FIGURES], summary["totals"], strict=True))
    assert totals["visits"] == (5, "count") and totals["order_intake"] == (D("1000.35"), "money")
    assert len(selectors.weekly_summary(cast.manager, THIS_WEEK)["rows"]) == 3 and carols
    page = client_as(cast.lena).get(reverse("reports:weekly_list"), {"week": THIS_WEEK.key}).content.decode()
    assert 'data-testid="weekly-summary"' in page and page.count('data-testid="weekly-summary-row"') == 2
    assert "1,000.35" in page
    by_api = api_as(cast.lena).get(f"{API}summary/", {"week": THIS_WEEK.key}).json()
    assert [r["rep_name"] for r in by_api["rows"]] == ["alice", "bob"] and by_api["totals"]["order_intake"] == "1000.35"
    assert api_as(cast.alice).get(f"{API}summary/").json()["rows"] == []  # a rep reads only her own


def test_the_export_has_the_texts_and_the_figures_as_numbers(cast, alices, client_as):
    from tests.core.test_exports import sheet_of

    handed = svc.weekly_submit(report=alices, actor=cast.alice)
    WeeklyReport.objects.filter(pk=alices.pk).update(figures={**handed.figures, "order_intake": "1234.50"})

    ws = sheet_of(client_as(cast.lena).get(reverse("core:list_export", args=["weekly-reports"]), {"week": THIS_WEEK.key}))

    header = [c.value for c in ws[1]]
    [row] = list(ws.iter_rows(min_row=2))
    assert row[header.index("周")].value == THIS_WEEK.key and row[header.index("业务员")].value == "alice"
    assert row[header.index("拜访次数")].value == 1 and row[header.index("本周工作总结")].value == "拜访三家，报价两份"
    intake = row[header.index("接单额")]
    assert intake.value == 1234.5 and intake.number_format == "#,##0.00"


# --- pages --------------------------------------------------------------------------------------------------------------
def test_the_rep_writes_and_hands_in_on_the_page_and_the_lead_comments_there(cast, client_as):
    VisitFactory(customer=CustomerFactory(owner=cast.alice), visited_on=TODAY)
    rep = client_as(cast.alice)
    listing = rep.get(reverse("reports:weekly_list")).content.decode()
    assert 'data-testid="weekly-write"' in listing and 'data-testid="weekly-missing"' not in listing

    opened = rep.post(reverse("reports:weekly_open"))
    report = WeeklyReport.objects.get(rep=cast.alice)
    assert opened.status_code == 302 and opened.url == reverse("reports:weekly_edit", args=[report.pk])
    form = rep.get(opened.url).content.decode()
    assert 'data-testid="weekly-figure-visits"' in form and 'data-testid="weekly-hand-in"' in form

    incomplete = rep.post(opened.url, {"summary": "拜访一家", "market": "", "next_plan": "", "hand_in": "1"})
    assert incomplete.status_code == 400 and "请填写下周计划" in incomplete.content.decode()
    assert WeeklyReport.objects.get(pk=report.pk).status == S.DRAFT
    done = rep.post(opened.url, {"summary": "拜访一家", "market": "", "next_plan": "跟进报价", "hand_in": "1"})
    assert done.status_code == 302 and WeeklyReport.objects.get(pk=report.pk).status == S.SUBMITTED
    page = rep.get(report.get_absolute_url()).content.decode()
    assert "提交时的数据" in page and 'data-testid="no-actions"' in page
    visits_link = f"{reverse('customers:visits')}?rep={cast.alice.pk}&amp;date_from={THIS_WEEK.start}&amp;date_to={THIS_WEEK.end}"
    assert visits_link in page  # the week's visits behind the figure
    listed = rep.get(reverse("customers:visits"), {"rep": cast.alice.pk, "date_from": THIS_WEEK.start, "date_to": THIS_WEEK.end})
    assert listed.status_code == 200 and listed.content.decode().count('data-testid="visit-row"') == 1

    lead = client_as(cast.lena)
    listing = lead.get(reverse("reports:weekly_list"), {"week": THIS_WEEK.key}).content.decode()
    assert 'data-testid="weekly-missing"' in listing and "bob" in listing and 'data-testid="weekly-row"' in listing
    assert 'data-testid="action-review"' in lead.get(report.get_absolute_url()).content.decode()
    reviewed = lead.post(reverse("reports:weekly_review", args=[report.pk]), {"note": "继续保持"})
    assert reviewed.status_code == 302
    assert 'data-testid="weekly-review"' in rep.get(report.get_absolute_url()).content.decode()

    assert client_as(cast.carol).get(report.get_absolute_url()).status_code == 404
    assert client_as(cast.finance).get(reverse("reports:weekly_list")).status_code == 403
    assert client_as(cast.bob).post(reverse("reports:weekly_review", args=[report.pk]), {"note": "x"}).status_code == 404


def test_the_home_page_shows_a_writer_their_week_and_a_lead_who_has_not_handed_in(cast, alices, client_as):
    rep = client_as(cast.alice).get("/").content.decode()
    assert 'data-testid="todo-weekly-mine"' in rep and "草稿" in rep and 'data-testid="todo-weekly-missing"' not in rep
    assert "未写" in client_as(cast.bob).get("/").content.decode()
    svc.weekly_submit(report=alices, actor=cast.alice)

    lead = client_as(cast.lena).get("/").content.decode()
    boss = client_as(cast.manager).get("/").content.decode()

    assert 'data-testid="todo-weekly-missing"' in lead and f"?week={THIS_WEEK.key}" in lead
    assert 'data-testid="todo-weekly-mine"' in lead  # a lead writes one too
    assert 'data-testid="todo-weekly-mine"' not in boss and 'data-testid="todo-weekly-missing"' in boss
    assert 'data-testid="todo-weekly' not in client_as(cast.finance).get("/").content.decode()


def test_a_manager_sends_it_back_from_the_page(cast, alices, client_as):
    svc.weekly_submit(report=alices, actor=cast.alice)
    boss = client_as(cast.manager)

    back = boss.post(
        reverse("reports:weekly_action", args=[alices.pk, "send_back"]),
        {"reason": "数据不全"},
        HTTP_REFERER=alices.get_absolute_url(),
    )

    assert back.status_code == 302 and WeeklyReport.objects.get(pk=alices.pk).status == S.RETURNED
    page = client_as(cast.alice).get(alices.get_absolute_url()).content.decode()
    assert "数据不全" in page and 'data-testid="action-edit"' in page and 'data-testid="action-submit"' in page


# --- API ----------------------------------------------------------------------------------------------------------------
def test_the_api_opens_writes_hands_in_comments_and_lists(cast, api_as):
    alice = api_as(cast.alice)
    made = alice.post(API, {}, format="json")
    assert made.status_code == 201 and made.json()["week_key"] == THIS_WEEK.key and made.json()["figures_live"]
    assert alice.post(API, {"week": THIS_WEEK.key}, format="json").status_code == 200  # the same report
    assert alice.post(API, {"week": "2026-13"}, format="json").status_code == 400
    pk = made.json()["id"]
    assert alice.post(f"{API}{pk}/submit/", format="json").status_code == 400  # nothing written yet
    written = alice.patch(f"{API}{pk}/", {"summary": "总结", "next_plan": "计划"}, format="json")
    assert written.status_code == 200 and written.json()["allowed_actions"] == ["edit", "submit"]

    handed = alice.post(f"{API}{pk}/submit/", format="json")

    assert handed.status_code == 200 and handed.json()["status"] == "submitted" and not handed.json()["figures_live"]
    assert {f["key"] for f in handed.json()["figures"]} >= {"visits", "order_intake", "collected"}
    assert alice.post(f"{API}{pk}/submit/", format="json").status_code == 409
    lead = api_as(cast.lena)
    assert [r["id"] for r in lead.get(API, {"week": THIS_WEEK.key, "status": "submitted"}).json()["results"]] == [pk]
    assert [m["name"] for m in lead.get(f"{API}missing/").json()] == ["bob"]
    assert api_as(cast.carol).get(f"{API}{pk}/").status_code == 404
    assert api_as(cast.carol).post(f"{API}{pk}/review/", {"note": "x"}, format="json").status_code == 404
    assert lead.post(f"{API}{pk}/review/", {"note": ""}, format="json").status_code == 400

    reviewed = lead.post(f"{API}{pk}/review/", {"note": "好"}, format="json")

    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by_name"] == "lena"
    assert api_as(cast.manager).post(f"{API}{pk}/send-back/", {"reason": "x"}, format="json").status_code == 409
    assert api_as(cast.finance).get(API).json()["count"] == 0


# --- at once --------------------------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_comment_and_a_return_at_once_give_one_outcome(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    report = svc.weekly_submit(report=_written(svc.weekly_open(actor=cast.alice, day=TODAY), cast.alice), actor=cast.alice)

    def act(i):
        if i % 2:
            return svc.weekly_review(report=report, actor=cast.lena, note="好")
        return svc.weekly_send_back(report=report, actor=cast.manager, reason="补充")

    results = run_in_threads(4, act)

    done = [r for r in results if isinstance(r, WeeklyReport)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert WeeklyReport.objects.get(pk=report.pk).status == done[0].status
    assert Event.objects.filter(target_id=report.pk, target_type__model="weeklyreport", verb=Event.Verb.STATUS).count() == 2
