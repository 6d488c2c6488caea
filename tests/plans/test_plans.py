"""销售计划 (seed 002: 部门经理根据公司年度销售目标，制定销售计划，报公司领导审批；销售代表…制定个人销售计划，报部门经理审批):
the rules of a line and a plan; a plan written, handed in against its target, approved (the sales manager; the
department's by the VP and the GM) or sent back; one live plan per period and owner; who reads and writes what, by page
and API; the progress of an approved plan against the shipped sales; two people at once."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from plans import permissions, rules, selectors
from plans import services as svc
from plans.models import SalesPlan
from reports import kpis
from reports.models import SalesTarget
from reports.periods import Period
from reports.scopes import Scope
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import ApprovalRequest, Notification
from tests.factories import CustomerFactory
from tests.reports.books import make_book

pytestmark = pytest.mark.django_db

S = SalesPlan.Status
NOV = Period.month(2026, 11)
TEXTS = {"analysis": "年底集中采购", "strategy": "重点客户每周拜访"}


def line(customer=None, amount="10000.00", measures="每周拜访", item=""):
    return {
        "customer": getattr(customer, "pk", customer),
        "item": item or ("" if customer else "新客户开发"),
        "amount": D(amount),
        "measures": measures,
    }


def drafted(user, *lines, level="rep", period="2027-01", **data) -> SalesPlan:
    return svc.plan_create(actor=user, data={"level": level, "period": period, **TEXTS, **data}, lines=list(lines) or [line()])


def submitted(user, *lines, **kw) -> SalesPlan:
    return svc.plan_submit(plan=drafted(user, *lines, **kw), actor=user)


def decide(plan, actor, decision="approve", comment=""):
    request = approvals.requests_for(plan, rules.KIND).get(status=ApprovalRequest.Status.PENDING)
    step = request.steps.filter(status="pending").order_by("stage").first()
    approvals.approval_decide(step_id=step.pk, actor=actor, decision=decision, comment=comment)
    return SalesPlan.objects.get(pk=plan.pk)


def target(cast, level, amount, *, period=(2027, 1), team=None, rep=None):
    SalesTarget.objects.create(
        year=period[0], kind="month", number=period[1], level=level, team=team, rep=rep, amount=D(amount), updated_by=cast.manager
    )


# --- rules -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, message",
    [
        ({"customer_id": None, "item": " "}, "请选择重点客户或填写计划项目"),
        ({"amount": None}, "计划金额应大于 0"),
        ({"amount": D("-1")}, "计划金额应大于 0"),
        ({"amount": D("1.005")}, "最多两位小数"),
        ({"measures": ""}, "请写明措施"),
    ],
)
def test_a_line_outside_the_rules_is_refused_with_its_reason(change, message):
    row = {"customer_id": None, "item": "华东区域", "amount": D("100"), "measures": "拜访", **change}
    with pytest.raises(ValueError, match=message):
        rules.check_line(**row)


def test_a_plan_needs_lines_texts_and_a_reason_when_it_falls_short_and_the_route_follows_the_level():
    whole = {"lines": 1, "analysis": "a", "strategy": "s", "planned": D("100"), "target": D("100"), "gap": ""}
    rules.check_plan(**whole)
    rules.check_plan(**whole | {"target": None})
    for change, message in (
        ({"lines": 0}, "至少要有一行"),
        ({"analysis": " "}, "市场分析"),
        ({"strategy": ""}, "销售策略与措施"),
        ({"target": D("100.01")}, "计划合计 100.00 元低于目标 100.01 元，请填写差距说明"),
    ):
        with pytest.raises(ValueError, match=message):
            rules.check_plan(**whole | change)
    rules.check_plan(**whole | {"target": D("200"), "gap": "新客户未定"})
    assert [s.role for s in rules.route("company")] == ["sales_vp", "gm"]
    assert [s.role for s in rules.route("team")] == [s.role for s in rules.route("rep")] == ["sales_manager"]


# --- writing and handing in ------------------------------------------------------------------------------------------------
def test_a_rep_writes_a_numbered_draft_whose_total_follows_its_lines(cast):
    mine = CustomerFactory(owner=cast.alice)
    plan = drafted(cast.alice, line(mine, "30000"), line(None, "12000.50", item="新客户开发"))
    assert plan.number.startswith("XSJH-") and plan.status == S.DRAFT
    assert (plan.level, plan.period_key, plan.team, plan.planned) == ("rep", "2027-01", cast.east, D("42000.50"))
    assert [(ln.label, ln.amount) for ln in plan.lines.all()] == [(mine.name, D("30000.00")), ("新客户开发", D("12000.50"))]
    svc.plan_update(plan=plan, actor=cast.alice, data={**TEXTS, "gap_reason": "x"}, lines=[line(mine, "5000")])
    plan.refresh_from_db()
    assert (plan.planned, plan.gap_reason, plan.lines.count()) == (D("5000.00"), "x", 1)


def test_a_wrong_line_period_level_or_customer_is_refused_and_nothing_is_saved(cast):
    carols = CustomerFactory(owner=cast.carol)
    for kwargs, message in (
        ({"period": "2027-13"}, "期间“2027-13”无效"),
        ({"period": "2027-01-05"}, "按月度、季度或年度"),
        ({"level": "company"}, "部门销售计划由销售部经理制定"),
        ({"level": "team"}, "销售组计划由该组组长制定"),
        ({"level": "nonsense"}, "请选择计划层级"),
    ):
        with pytest.raises((DomainError, Forbidden), match=message):
            drafted(cast.alice, **kwargs)
    with pytest.raises(DomainError, match="第 2 行：客户不存在"):
        drafted(cast.alice, line(), line(carols))  # another rep's customer
    with pytest.raises(DomainError, match="第 1 行：计划金额应大于 0"):
        drafted(cast.alice, line(amount="0"))
    with pytest.raises(DomainError, match="计划合计超过 999,999,999,999.99 元"):
        drafted(cast.alice, *[line(amount="999999999")] * 1001)
    with pytest.raises(DomainError, match="计划金额“abc”不是有效的数字"):
        drafted(cast.alice, {"item": "x", "amount": "abc", "measures": "m"})
    assert not SalesPlan.objects.exists()


def test_one_live_plan_per_period_and_owner_and_a_withdrawn_one_makes_room(cast):
    first = drafted(cast.alice)
    with pytest.raises(DomainError, match="2027年1月 已有这份销售计划"):
        drafted(cast.alice)
    drafted(cast.bob)  # his own
    drafted(cast.alice, period="2027-Q1")  # another period
    svc.plan_cancel(plan=first, actor=cast.alice)
    assert drafted(cast.alice).status == S.DRAFT


def test_handing_in_copies_the_target_and_asks_for_a_reason_when_the_plan_falls_short(cast):
    target(cast, "rep", "50000", team=cast.east, rep=cast.alice)
    plan = drafted(cast.alice, line(amount="40000"))
    with pytest.raises(DomainError, match="计划合计 40,000.00 元低于目标 50,000.00 元"):
        svc.plan_submit(plan=plan, actor=cast.alice)
    assert SalesPlan.objects.get(pk=plan.pk).status == S.DRAFT
    with pytest.raises(DomainError, match="请填写市场分析"):
        svc.plan_submit(
            plan=svc.plan_update(plan=plan, actor=cast.alice, data={"analysis": "", "strategy": "s", "gap_reason": "g"}),
            actor=cast.alice,
        )
    svc.plan_update(plan=plan, actor=cast.alice, data={**TEXTS, "gap_reason": "新锐招标未定"})
    done = svc.plan_submit(plan=plan, actor=cast.alice)
    assert (done.status, done.target) == (S.SUBMITTED, D("50000.00"))
    assert Notification.objects.filter(recipient=cast.manager, title__contains="销售计划审批：2027年1月 alice").exists()


def test_the_manager_approves_a_reps_plan_or_sends_it_back_with_the_reason(cast):
    plan = decide(submitted(cast.alice), cast.manager)
    assert plan.status == S.APPROVED and plan.approved_at is not None
    assert Notification.objects.filter(recipient=cast.alice, title__contains="已批准").exists()

    other = decide(submitted(cast.bob), cast.manager, "reject", "新客户开发要具体到客户")
    assert (other.status, other.return_reason) == (S.RETURNED, "新客户开发要具体到客户")
    assert Notification.objects.filter(recipient=cast.bob, title__contains="被退回", body="新客户开发要具体到客户").exists()
    svc.plan_update(plan=other, actor=cast.bob, data=TEXTS, lines=[line(CustomerFactory(owner=cast.bob))])
    assert svc.plan_submit(plan=other, actor=cast.bob).status == S.SUBMITTED
    assert decide(other, cast.manager).status == S.APPROVED


def test_the_department_plan_is_the_managers_approved_by_the_vp_then_the_gm_and_a_team_plan_the_leads(cast):
    target(cast, "company", "300000")
    plan = submitted(cast.manager, line(amount="300000"), level="company")
    assert (plan.team, plan.target, plan.owner_label) == (None, D("300000.00"), "销售部")
    with pytest.raises(Forbidden):
        decide(plan, cast.manager)  # not the manager's to decide
    plan = decide(plan, cast.vp)
    assert plan.status == S.SUBMITTED
    assert decide(plan, cast.gm).status == S.APPROVED

    team = submitted(cast.lena, level="team")
    assert (team.team, team.owner_label) == (cast.east, "华东组")
    assert decide(team, cast.manager).status == S.APPROVED
    with pytest.raises(DomainError, match="请选择您带领的销售组"):
        drafted(cast.lena, level="team", period="2027-02", team=cast.south.pk)


# --- who reads and does what ----------------------------------------------------------------------------------------------
def test_each_role_reads_the_plans_it_should_and_no_rep_another_reps(cast):
    alices = submitted(cast.alice)
    carols = submitted(cast.carol)
    bobs_draft = drafted(cast.bob)
    department = drafted(cast.manager, level="company")

    def seen(user):
        return set(selectors.plans_for(user).values_list("pk", flat=True))

    assert seen(cast.alice) == {alices.pk}
    assert seen(cast.bob) == {bobs_draft.pk}
    assert seen(cast.lena) == {alices.pk}  # the team's, once handed in
    assert seen(cast.manager) == {alices.pk, carols.pk, department.pk}
    for reader in (cast.vp, cast.gm, cast.admin):
        assert seen(reader) == {alices.pk, carols.pk}, reader
    for outsider in (cast.clerk, cast.finance, cast.warehouse, cast.qc, cast.service):
        assert seen(outsider) == set(), outsider

    department = decide(decide(svc.plan_submit(plan=department, actor=cast.manager), cast.vp), cast.gm)
    for seller in (cast.alice, cast.bob, cast.carol, cast.clerk):
        assert department.pk in seen(seller), seller  # the department's plan, once approved, for every seller
    assert department.pk not in seen(cast.finance)


def test_the_levels_a_person_writes_and_the_allowed_actions(cast):
    assert permissions.writable_levels(cast.manager) == ["company"]
    assert permissions.writable_levels(cast.lena) == ["team", "rep"]
    assert permissions.writable_levels(cast.alice) == ["rep"]
    for nobody in (cast.clerk, cast.vp, cast.gm, cast.finance, cast.service):
        assert permissions.writable_levels(nobody) == [], nobody
    plan = drafted(cast.alice)
    assert permissions.plan_allowed_actions(plan, cast.alice) == ["edit", "submit", "cancel"]
    assert permissions.plan_allowed_actions(plan, cast.manager) == []
    plan = svc.plan_submit(plan=plan, actor=cast.alice)
    assert permissions.plan_allowed_actions(plan, cast.alice) == []
    with pytest.raises(Conflict):
        svc.plan_cancel(plan=plan, actor=cast.alice)
    with pytest.raises(Forbidden):
        svc.plan_update(plan=drafted(cast.bob), actor=cast.alice, data=TEXTS)


# --- progress ------------------------------------------------------------------------------------------------------------
def test_an_approved_plan_follows_the_shipped_sales_against_the_target_the_plan_and_each_key_customer(cast):
    book = make_book(cast)  # November 2026: alice's target 8,000; 甲 shipped 10,000 (alice's 9,000, bob's 1,000)
    plan = submitted(cast.alice, line(book.jia, "12000"), line(None, "3000", item="新客户"), period=NOV.key, gap_reason="")
    assert plan.target == D("8000.00")
    assert selectors.plan_progress(plan).actual == kpis.sales_shipped(NOV, Scope.rep(cast.alice.pk))
    progress = selectors.plan_progress(decide(plan, cast.manager))
    assert progress.actual == D("9000.00")
    assert (progress.of_target, progress.of_planned) == (D("1.1250"), D("0.6000"))
    # alice's own sales to 甲 (bob's 1,000 to it are his)
    assert [(row.actual, row.rate) for row in progress.lines] == [(D("9000.00"), D("0.7500")), (None, None)]
    assert progress.chart["labels"] == ["甲客户", "新客户"] and progress.chart["series"][1]["data"] == [9000.0, None]


# --- pages -------------------------------------------------------------------------------------------------------------------
def _form(period="2027-01", rows=(("", "新客户开发", "20000", "每周拜访"),), **texts):
    data = {"level": "rep", "period": period, **TEXTS, **texts, "lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, (customer, item, amount, measures) in enumerate(rows):
        data |= {
            f"lines-{i}-customer": customer,
            f"lines-{i}-item": item,
            f"lines-{i}-amount": amount,
            f"lines-{i}-measures": measures,
        }
    return data


def test_a_rep_writes_and_hands_in_a_plan_on_the_page_and_reads_it_there(cast, client_as):
    mine = CustomerFactory(owner=cast.alice, name="苏州恒通")
    her = client_as(cast.alice)
    assert 'value="rep"' in her.get(reverse("plans:plan_create")).content.decode()
    bad = her.post(reverse("plans:plan_create"), _form(rows=(("", "", "100", "m"),)))
    assert bad.status_code == 400 and "请选择重点客户或填写计划项目" in bad.content.decode() and not SalesPlan.objects.exists()
    saved = her.post(
        reverse("plans:plan_create"),
        _form(rows=((str(mine.pk), "", "30000", "月中发货"), ("", "新客户", "5000", "电话开发"))) | {"hand_in": "1"},
    )
    plan = SalesPlan.objects.get()
    assert saved.status_code == 302 and (plan.status, plan.planned) == (S.SUBMITTED, D("35000.00"))
    page = her.get(plan.get_absolute_url()).content.decode()
    assert "苏州恒通" in page and "月中发货" in page and "35,000.00" in page and 'data-testid="no-actions"' in page

    manager = client_as(cast.manager)
    listed = manager.get(reverse("plans:plan_list"), {"level": "rep", "year": "2027", "q": "恒通"}).content.decode()
    assert plan.number in listed
    assert plan.number not in manager.get(reverse("plans:plan_list"), {"status": "approved"}).content.decode()
    decide(plan, cast.manager)
    approved = manager.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="plan-actual"' in approved and 'id="kpi-charts"' in approved


def test_the_author_edits_a_plan_sent_back_and_the_pages_refuse_whom_they_should(cast, client_as):
    plan = decide(submitted(cast.alice), cast.manager, "reject", "金额偏低")
    her = client_as(cast.alice)
    form = her.get(reverse("plans:plan_edit", args=[plan.pk])).content.decode()
    assert "金额偏低" in form and 'name="level"' not in form  # level and period are fixed once written
    her.post(reverse("plans:plan_edit", args=[plan.pk]), _form(rows=(("", "老客户", "60000", "补货"),)))
    assert SalesPlan.objects.get(pk=plan.pk).planned == D("60000.00")
    assert client_as(cast.bob).get(plan.get_absolute_url()).status_code == 404  # another rep's
    assert client_as(cast.manager).get(reverse("plans:plan_edit", args=[plan.pk])).status_code == 403
    assert client_as(cast.finance).get(reverse("plans:plan_list")).status_code == 403
    assert client_as(cast.clerk).get(reverse("plans:plan_create")).status_code == 403
    refused = client_as(cast.manager).post(reverse("plans:plan_action", args=[plan.pk, "cancel"]), follow=True)
    assert "只有制定人本人可以作废" in refused.content.decode() and SalesPlan.objects.get(pk=plan.pk).status == S.RETURNED


def test_the_export_lists_the_plans_with_their_target_and_cover(cast, client_as):
    from tests.core.test_exports import sheet_of

    target(cast, "rep", "20000", team=cast.east, rep=cast.alice)
    submitted(cast.alice, line(amount="25000"))
    ws = sheet_of(client_as(cast.manager).get(reverse("core:list_export", args=["sales-plans"])))
    header = [c.value for c in ws[1]]
    row = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=False))
    assert (row["计划期间"], row["目标额"], row["计划合计"], row["计划/目标"]) == ("2027年1月", 20000, 25000, 1.25)


def test_the_pages_are_in_english_for_an_english_reader(cast, client_as):
    plan = submitted(cast.alice)
    manager = client_as(cast.manager)
    manager.cookies["django_language"] = "en"
    listed = manager.get(reverse("plans:plan_list")).content.decode()
    detail = manager.get(plan.get_absolute_url()).content.decode()
    for english in ("Sales plan", "Planned total", "Personal sales plan"):
        assert english in listed, english
    for english in ("Market analysis", "Key customer / item", "Action"):
        assert english in detail, english


# --- the API ---------------------------------------------------------------------------------------------------------------------
def test_the_api_runs_a_plan_from_writing_to_approval(cast, api_as):
    her = api_as(cast.alice)
    body = {
        "level": "rep",
        "period": "2027-01",
        **TEXTS,
        "lines": [{"item": "新客户", "amount": "8000.00", "measures": "电话开发"}],
    }
    assert api_as(cast.clerk).post("/api/v1/sales-plans/", body, format="json").status_code == 403
    assert her.post("/api/v1/sales-plans/", {**body, "level": "company"}, format="json").status_code == 403
    bad = her.post("/api/v1/sales-plans/", {**body, "lines": [{"amount": "1", "measures": "m"}]}, format="json")
    assert bad.status_code == 400 and "请选择重点客户或填写计划项目" in str(bad.json())
    created = her.post("/api/v1/sales-plans/", body, format="json")
    assert created.status_code == 201 and created.json()["allowed_actions"] == ["edit", "submit", "cancel"]
    pk = created.json()["id"]
    assert her.post("/api/v1/sales-plans/", body, format="json").status_code == 400  # one live plan a month
    patched = her.patch(
        f"/api/v1/sales-plans/{pk}/", {"lines": [{"item": "新客户", "amount": "9000.50", "measures": "拜访"}]}, format="json"
    )
    assert patched.json()["planned"] == "9000.50" and patched.json()["analysis"] == TEXTS["analysis"]
    assert api_as(cast.bob).get(f"/api/v1/sales-plans/{pk}/").status_code == 404
    assert api_as(cast.manager).get(f"/api/v1/sales-plans/{pk}/").status_code == 404  # a draft is hers alone
    assert her.post(f"/api/v1/sales-plans/{pk}/submit/").json()["status"] == "submitted"
    step = api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"][0]
    assert {"label": "计划合计", "value": "9,000.50"} in step["summary"]
    api_as(cast.manager).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
    done = her.get(f"/api/v1/sales-plans/{pk}/").json()
    assert (
        done["status"] == "approved" and done["progress"]["actual"] == "0.00" and done["progress"]["lines"][0]["actual"] is None
    )
    listed = api_as(cast.manager).get("/api/v1/sales-plans/", {"status": "approved", "period": "2027-01"}).json()
    assert listed["count"] == 1 and listed["results"][0]["period_label"] == "2027年1月"
    assert her.post(f"/api/v1/sales-plans/{pk}/cancel/").status_code == 409


# --- two at once -------------------------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hand_ins_at_once_ask_the_approvers_once(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    plan = drafted(cast.alice)
    results = run_in_threads(4, lambda i: svc.plan_submit(plan=plan, actor=cast.alice))

    done = [r for r in results if isinstance(r, SalesPlan)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert ApprovalRequest.objects.filter(kind=rules.KIND).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_plans_for_one_month_at_once_make_one(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    results = run_in_threads(3, lambda i: drafted(cast.alice))

    assert len([r for r in results if isinstance(r, SalesPlan)]) == 1, results
    assert all(isinstance(r, DomainError) for r in results if not isinstance(r, SalesPlan)), results
    assert SalesPlan.objects.count() == 1


def test_the_home_page_shows_this_and_next_months_plans_and_links_to_write_the_missing_ones(cast, client_as):
    from django.utils import timezone

    today = timezone.localdate()
    this = Period.month(today.year, today.month)
    plan = decide(submitted(cast.alice, line(amount="20000"), period=this.key), cast.manager)

    home = client_as(cast.alice).get("/").content.decode()
    assert 'data-testid="plans-panel"' in home and plan.number in home and "20,000.00" in home
    panel = home.split('data-testid="plans-panel"', 1)[1]
    assert panel.index('<div class="table-responsive"><table') < panel.index(
        "plans-panel-row"
    )  # a phone scrolls the table, not the page
    assert home.count('data-testid="plans-panel-row"') == 2  # this month's and next month's, her own
    assert home.count('data-testid="plans-panel-write"') == 1 and f"?level=rep&amp;period={this.key}" not in home
    written = client_as(cast.alice).get(reverse("plans:plan_create"), {"level": "rep", "period": "2031-05"}).content.decode()
    assert 'value="2031-05"' in written

    lead = client_as(cast.lena).get("/").content.decode()
    assert lead.count('data-testid="plans-panel-row"') == 4 and "华东组" in lead  # the team's and her own, two months
    assert client_as(cast.manager).get("/").content.decode().count('data-level="company"') == 2
    assert 'data-testid="plans-panel"' not in client_as(cast.clerk).get("/").content.decode()


def test_the_department_plan_shows_how_the_teams_and_sellers_plans_break_it_down_to_those_who_read_them_all(
    cast, client_as, api_as
):
    department = submitted(cast.manager, line(amount="100000"), level="company")
    team = submitted(cast.lena, line(amount="40000"), level="team")
    alices = submitted(cast.alice, line(amount="30000"))
    decide(alices, cast.manager)
    submitted(cast.bob, line(amount="5000"))
    drafted(cast.carol, line(amount="99999"))  # a draft is hers alone: not counted, not shown

    breakdown = selectors.plan_breakdown(department, cast.gm)
    parts = [(p.level, p.label, p.team, p.plan.number if p.plan else None) for p in breakdown.parts]
    assert parts == [
        ("team", "华东组", "华东组", team.number),
        ("team", "华南组", "华南组", None),
        ("rep", "alice", "华东组", alices.number),
        ("rep", "bob", "华东组", SalesPlan.objects.get(author=cast.bob).number),
        ("rep", "lena", "华东组", None),
        ("rep", "carol", "华南组", None),
    ]
    assert (breakdown.written, breakdown.planned, breakdown.cover) == (3, D("35000.00"), D("0.3500"))
    by_team = selectors.plan_breakdown(team, cast.lena)
    assert [p.label for p in by_team.parts] == ["alice", "bob", "lena"] and by_team.planned == D("35000.00")
    assert selectors.plan_breakdown(department, cast.lena) is None  # not hers to read every plan
    assert selectors.plan_breakdown(alices, cast.manager) is None  # a rep's own plan has no parts

    page = client_as(cast.gm).get(department.get_absolute_url()).content.decode()
    assert page.count('data-testid="plan-part"') == 6 and page.count('data-testid="plan-part-missing"') == 3
    assert "35,000.00" in page and "99,999" not in page
    decide(decide(department, cast.vp), cast.gm)
    assert 'data-testid="plan-breakdown"' not in client_as(cast.bob).get(department.get_absolute_url()).content.decode()
    body = api_as(cast.manager).get(f"/api/v1/sales-plans/{department.pk}/").json()["breakdown"]
    assert (body["written"], body["planned"], body["cover"]) == (3, "35000.00", "0.3500")
    assert body["parts"][0] == {
        "level": "team",
        "label": "华东组",
        "team": "华东组",
        "plan": team.pk,
        "number": team.number,
        "status": "submitted",
        "planned": "40000.00",
    }
    assert api_as(cast.bob).get(f"/api/v1/sales-plans/{department.pk}/").json()["breakdown"] is None


def test_the_customer_page_shows_the_plans_naming_the_customer_to_whoever_reads_them(cast, client_as):
    key = CustomerFactory(owner=cast.alice, team=cast.east)
    quiet = CustomerFactory(owner=cast.alice, team=cast.east)
    plan = submitted(cast.alice, line(key, "45000", measures="月中发货"), line(None, "5000"))
    drafted(cast.alice, line(key, "99999"), period="2027-02")  # a draft shows to its author only

    mine = client_as(cast.alice).get(key.get_absolute_url()).content.decode()
    assert 'data-testid="plans-customer-panel"' in mine and mine.count('data-testid="panel-plan-line"') == 2
    managers = client_as(cast.manager).get(key.get_absolute_url()).content.decode()
    assert managers.count('data-testid="panel-plan-line"') == 1 and plan.number in managers and "45,000.00" in managers
    assert "99,999.00" not in managers
    assert 'data-testid="plans-customer-panel"' not in client_as(cast.manager).get(quiet.get_absolute_url()).content.decode()
    assert 'data-testid="plans-customer-panel"' not in client_as(cast.finance).get(key.get_absolute_url()).content.decode()
