"""Sales opportunities (销售机会): the pipeline's rules, who may see and do what (a matrix over the roles, by page and by
API), the list's filters, funnel and pages, and two people acting on one opportunity at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import rules, selectors, services
from customers.models import Customer, Opportunity
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event, Notification
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

S = Opportunity.Stage
SOON = timezone.localdate() + timedelta(days=30)
API = "/api/v1/opportunities/"


def _data(**kw):
    return {"title": "华东门店升级项目", "needs": "三十家门店换新展柜", "amount": D("120000.00"), "expected_close": SOON, **kw}


@pytest.fixture
def mine(cast):
    """alice's customer (华东组) and an opportunity on it; carol's customer (华南组)."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    other = CustomerFactory(owner=cast.carol, team=cast.south)
    opp = services.opportunity_create(actor=cast.alice, customer=customer, data=_data())
    return customer, opp, other


# --- rules ------------------------------------------------------------------------------------------------------------
def test_each_stage_weighs_the_amount_by_its_chance_to_the_cent():
    assert rules.weighted_amount(D("1000.05"), S.LEAD) == D("100.01")  # 100.005 rounds half up
    assert rules.weighted_amount(D("1000.00"), S.NEGOTIATION) == D("800.00")
    assert rules.weighted_amount(D("1000.00"), S.WON) == D("1000.00")
    assert rules.weighted_amount(D("1000.00"), S.LOST) == D("0.00")
    assert rules.win_rate(1, 2) == D("0.3333") and rules.win_rate(0, 0) is None and rules.win_rate(3, 0) == D("1")


def test_the_reps_estimate_replaces_the_stages_chance_while_open_only():
    assert rules.chance(S.PROPOSAL) == D("0.60") and rules.chance(S.PROPOSAL, 25) == D("0.25")
    assert rules.estimated(S.PROPOSAL, 0) and not rules.estimated(S.PROPOSAL, None) and not rules.estimated(S.WON, 25)
    assert rules.weighted_amount(D("1000.00"), S.PROPOSAL, 25) == D("250.00")
    assert rules.weighted_amount(D("999.99"), S.LEAD, 0) == D("0.00")
    assert rules.weighted_amount(D("1000.00"), S.WON, 25) == D("1000.00")  # a won deal counts whole whatever was estimated
    assert rules.weighted_amount(D("1000.00"), S.LOST, 90) == D("0.00")


# --- services ---------------------------------------------------------------------------------------------------------
def test_an_opportunity_opens_at_the_first_stage_owned_by_the_customers_rep_with_a_number_and_an_event(cast, mine):
    customer, opp, _other = mine
    assert opp.number.startswith("JH-") and opp.status == S.LEAD
    assert opp.owner == cast.alice and opp.created_by == cast.alice

    by_lead = services.opportunity_create(actor=cast.lena, customer=customer, data=_data(title="第二期"))

    assert by_lead.owner == cast.alice and by_lead.created_by == cast.lena  # the lead opens it for the customer's rep
    told = Notification.objects.get(recipient=cast.alice)  # told once: her own opening told nobody
    assert "lena" in told.title and "第二期" in told.title and told.url == by_lead.get_absolute_url()
    event = Event.objects.get(target_id=opp.pk, verb=Event.Verb.CREATED, target_type__model="opportunity")
    assert "华东门店升级项目" in event.message and "alice" in event.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_data(title="  "), "请填写机会名称"),
        (_data(needs=""), "请填写客户需求"),
        (_data(expected_close=timezone.localdate() - timedelta(days=1)), "预计成交日期不能早于今天"),
        (_data(expected_close=None), "请填写预计成交日期"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_saves_nothing(cast, mine, data, message):
    customer = mine[0]
    before = Opportunity.objects.count()

    with pytest.raises(DomainError, match=message):
        services.opportunity_create(actor=cast.alice, customer=customer, data=data)

    assert Opportunity.objects.count() == before


def test_another_customers_contact_and_a_deactivated_customer_are_refused(cast, mine):
    customer, _opp, other = mine
    with pytest.raises(DomainError, match="不属于客户"):
        services.opportunity_create(actor=cast.alice, customer=customer, data=_data(contact=ContactFactory(customer=other)))
    services.customer_change_status(customer=customer, actor=cast.lena, action="deactivate", reason="停止合作")
    with pytest.raises(DomainError, match="已停用"):
        services.opportunity_create(actor=cast.alice, customer=Customer.objects.get(pk=customer.pk), data=_data())


def test_the_stages_move_both_ways_then_win_and_reopen_each_on_the_timeline(cast, mine):
    _customer, opp, _other = mine

    opp = services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.PROPOSAL)
    opp = services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.QUALIFIED)
    with pytest.raises(DomainError, match="已处于“需求确认”阶段"):
        services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.QUALIFIED)
    with pytest.raises(DomainError, match="赢单、输单请用对应的操作"):
        services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.WON)
    opp = services.opportunity_win(opportunity=opp, actor=cast.alice, note="客户签订合同")

    assert opp.status == S.WON and opp.close_reason == "客户签订合同" and opp.closed_at is not None
    with pytest.raises(DomainError, match="已结束（赢单），请先重新打开"):
        services.opportunity_update(opportunity=opp, actor=cast.alice, data={"amount": D("1")})
    with pytest.raises(Conflict):
        services.opportunity_win(opportunity=opp, actor=cast.alice)
    opp = services.opportunity_reopen(opportunity=opp, actor=cast.alice, reason="客户追加第二期")
    assert opp.status == S.LEAD and opp.closed_at is None
    moves = list(
        Event.objects.filter(target_id=opp.pk, verb=Event.Verb.STATUS).order_by("pk").values_list("to_status", flat=True)
    )
    assert moves == [S.PROPOSAL, S.QUALIFIED, S.WON, S.LEAD]


def test_losing_needs_the_reason_and_keeps_the_competitor(cast, mine):
    opp = mine[1]
    with pytest.raises(DomainError, match="请填写输单原因"):
        services.opportunity_lose(opportunity=opp, actor=cast.alice, reason=" ")
    assert Opportunity.objects.get(pk=opp.pk).status == S.LEAD

    lost = services.opportunity_lose(opportunity=opp, actor=cast.alice, reason="价格高于对手 8%", competitor="某友商")

    assert (lost.status, lost.close_reason, lost.competitor) == (S.LOST, "价格高于对手 8%", "某友商")


def test_an_edit_keeps_each_changed_field_old_to_new(cast, mine):
    opp = mine[1]
    services.opportunity_update(opportunity=opp, actor=cast.alice, data={"amount": D("150000.00"), "plan": "下周拜访采购"})

    event = Event.objects.filter(target_id=opp.pk, verb=Event.Verb.UPDATED).get()
    changed = {c["field"]: (c["old"], c["new"]) for c in event.changes}
    assert set(changed) == {"amount", "plan"} and changed["plan"][1] == "下周拜访采购"


def test_the_reps_estimate_is_kept_on_the_timeline_checked_and_reset_by_a_stage_move(cast, mine):
    opp = mine[1]

    services.opportunity_update(opportunity=opp, actor=cast.alice, data={"probability": 35})

    opp.refresh_from_db()
    assert opp.probability == 35 and rules.weighted_amount(opp.amount, opp.status, opp.probability) == D("42000.00")
    event = Event.objects.filter(target_id=opp.pk, verb=Event.Verb.UPDATED, target_type__model="opportunity").get()
    assert [(c["field"], c["new"]) for c in event.changes] == [("probability", "35")]
    for bad in (101, -1):
        with pytest.raises(DomainError, match="赢率须在 0 到 100 之间"):
            services.opportunity_update(opportunity=opp, actor=cast.alice, data={"probability": bad})
    opp.refresh_from_db()
    assert opp.probability == 35  # nothing changed

    services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.PROPOSAL)

    opp.refresh_from_db()
    assert opp.probability is None and rules.chance(opp.status, opp.probability) == D("0.60")  # the new stage's chance
    services.opportunity_update(opportunity=opp, actor=cast.alice, data={"probability": 90})
    services.opportunity_lose(opportunity=opp, actor=cast.alice, reason="预算取消")
    services.opportunity_reopen(opportunity=opp, actor=cast.alice, reason="预算恢复")
    opp.refresh_from_db()
    assert (opp.status, opp.probability) == (S.LEAD, None)


def test_the_funnel_weighs_each_opportunity_by_its_own_chance(cast, mine):
    customer = mine[0]
    for probability in (None, 50, 50):
        o = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(amount=D("1000.00")))
        services.opportunity_move(opportunity=o, actor=cast.alice, stage=S.NEGOTIATION)
        services.opportunity_update(opportunity=o, actor=cast.alice, data={"probability": probability})

    funnel = {row["stage"]: row for row in selectors.opportunity_pipeline(Opportunity.objects.all())}
    rep = selectors.opportunity_rep_rows(timezone.now() - timedelta(days=1), timezone.now())[0]

    assert (funnel[S.NEGOTIATION]["count"], funnel[S.NEGOTIATION]["amount"]) == (3, D("3000.00"))
    assert funnel[S.NEGOTIATION]["weighted"] == D("1800.00")  # 800 at the stage's 80 % + 500 + 500 estimated
    assert funnel[S.NEGOTIATION]["probability"] == D("0.80")
    assert funnel[S.LEAD]["weighted"] == D("12000.00")
    assert (rep["open_count"], rep["open_amount"], rep["weighted"]) == (4, D("123000.00"), D("13800.00"))


def test_handing_the_customer_to_another_rep_takes_its_open_opportunities_along(cast, mine):
    customer, opp, _other = mine
    won = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(title="已赢"))
    services.opportunity_win(opportunity=won, actor=cast.alice)

    services.customer_reassign(customer=customer, actor=cast.lena, new_owner=cast.bob, reason="alice 调岗")

    assert Opportunity.objects.get(pk=opp.pk).owner == cast.bob
    assert Opportunity.objects.get(pk=won.pk).owner == cast.alice  # a closed one keeps the rep who worked it
    event = Event.objects.get(target_id=opp.pk, verb=Event.Verb.ASSIGNED, target_type__model="opportunity")
    assert "bob" in event.message and "alice 调岗" in event.message


# --- who sees and who acts: the matrix --------------------------------------------------------------------------------
SEES = {"alice", "lena", "clerk", "manager", "vp", "gm", "admin"}
ACTS = SEES  # the rep, the lead of the team, clerks and managers (admin is one)
ROLES = ["alice", "bob", "carol", "lena", "clerk", "manager", "vp", "gm", "finance", "warehouse", "qc", "service", "admin"]


@pytest.mark.parametrize("who", ROLES)
def test_who_sees_and_who_acts_on_alices_opportunity_by_page_and_by_api(cast, mine, client_as, api_as, who):
    opp = mine[1]
    user = getattr(cast, who)
    page = client_as(user).get(reverse("customers:opportunity_detail", args=[opp.pk]))
    detail = api_as(user).get(f"{API}{opp.pk}/")
    move = api_as(user).post(f"{API}{opp.pk}/move/", {"stage": "proposal"}, format="json")

    if who not in SEES:
        assert page.status_code == 404 and detail.status_code == 404 and move.status_code == 404
        assert opp.pk not in [row["id"] for row in api_as(user).get(API).json()["results"]]
        assert not selectors.opportunity_list_for(user).filter(pk=opp.pk).exists()
        return
    assert page.status_code == 200 and detail.status_code == 200
    if who in ACTS:
        assert detail.json()["allowed_actions"] == ["edit", "move", "win", "lose"]
        assert move.status_code == 200 and move.json()["status"] == "proposal"
    else:
        assert detail.json()["allowed_actions"] == []
        assert move.status_code == 403 and "只有负责业务员" in move.json()["detail"]
        assert Opportunity.objects.get(pk=opp.pk).status == S.LEAD


def test_a_rep_cannot_open_one_on_another_reps_customer_nor_reach_it_by_url(cast, mine, client_as, api_as):
    _customer, _opp, other = mine
    carols = services.opportunity_create(actor=cast.carol, customer=other, data=_data(title="华南项目"))

    assert (
        api_as(cast.alice).post(API, {**_data(), "customer": other.pk, "expected_close": str(SOON)}, format="json").status_code
        == 400
    )
    with pytest.raises(Forbidden):
        services.opportunity_create(actor=cast.alice, customer=other, data=_data())
    assert client_as(cast.alice).get(reverse("customers:opportunity_detail", args=[carols.pk])).status_code == 404
    assert client_as(cast.alice).get(reverse("customers:opportunity_action", args=[carols.pk, "win"])).status_code == 404
    assert api_as(cast.alice).post(f"{API}{carols.pk}/win/", {}, format="json").status_code == 404
    listed = [row["number"] for row in api_as(cast.alice).get(API).json()["results"]]
    assert carols.number not in listed and mine[1].number in listed


# --- API --------------------------------------------------------------------------------------------------------------
def test_the_api_opens_edits_moves_loses_and_reopens(cast, mine, api_as):
    customer = mine[0]
    api = api_as(cast.alice)

    created = api.post(
        API, {**_data(), "customer": customer.pk, "expected_close": str(SOON), "amount": "88000.50"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "lead" and body["amount"] == "88000.50" and body["weighted_amount"] == "8800.05"
    pk = body["id"]

    edited = api.patch(f"{API}{pk}/", {"competitor": "某友商", "amount": "90000"}, format="json")
    assert edited.status_code == 200 and edited.json()["competitor"] == "某友商" and edited.json()["amount"] == "90000.00"
    assert (edited.json()["probability"], edited.json()["chance"]) == (None, "0.10")
    estimated = api.patch(f"{API}{pk}/", {"probability": 45}, format="json").json()
    assert (estimated["probability"], estimated["chance"], estimated["weighted_amount"]) == (45, "0.45", "40500.00")
    too_high = api.patch(f"{API}{pk}/", {"probability": 150}, format="json")
    assert too_high.status_code == 400 and "probability" in too_high.json().get("errors", too_high.json())
    assert Opportunity.objects.get(pk=pk).probability == 45
    back = api.patch(f"{API}{pk}/", {"probability": None}, format="json").json()
    assert (back["probability"], back["chance"]) == (None, "0.10")
    assert api.post(f"{API}{pk}/move/", {"stage": "won"}, format="json").status_code == 400
    assert api.post(f"{API}{pk}/lose/", {}, format="json").status_code == 400
    lost = api.post(f"{API}{pk}/lose/", {"reason": "预算取消"}, format="json")
    assert lost.status_code == 200 and lost.json()["status"] == "lost" and lost.json()["allowed_actions"] == ["reopen"]
    again = api.post(f"{API}{pk}/lose/", {"reason": "再点一次"}, format="json")
    assert again.status_code == 409 and "不能执行" in again.json()["detail"]
    assert api.patch(f"{API}{pk}/", {"amount": "1"}, format="json").status_code == 400
    reopened = api.post(f"{API}{pk}/reopen/", {"reason": "预算恢复"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "lead"


def test_bad_api_input_names_the_field_and_saves_nothing(cast, mine, api_as):
    customer = mine[0]
    before = Opportunity.objects.count()
    answer = api_as(cast.alice).post(
        API, {"customer": customer.pk, "title": "x", "needs": "y", "amount": "abc", "expected_close": str(SOON)}, format="json"
    )
    assert answer.status_code == 400 and "amount" in answer.json().get("errors", answer.json())
    assert Opportunity.objects.count() == before


def test_the_list_filters_searches_pages_and_sums_the_funnel(cast, mine, api_as):
    customer = mine[0]
    for i, stage in enumerate([S.QUALIFIED, S.PROPOSAL, S.PROPOSAL]):
        o = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(title=f"项目{i}", amount=D("1000.00")))
        services.opportunity_move(opportunity=o, actor=cast.alice, stage=stage)
    api = api_as(cast.manager)

    assert api.get(API, {"status": "proposal"}).json()["count"] == 2
    assert api.get(API, {"q": "项目1"}).json()["count"] == 1
    assert api.get(API, {"is_open": "false"}).json()["count"] == 0
    assert len(api.get(API, {"page_size": 2}).json()["results"]) == 2
    assert api.get(API, {"status": "nonsense"}).status_code == 400
    funnel = {row["stage"]: row for row in api.get(f"{API}pipeline/").json()}
    assert (
        funnel["proposal"]["count"] == 2
        and funnel["proposal"]["amount"] == "2000.00"
        and funnel["proposal"]["weighted"] == "1200.00"
    )
    assert funnel["lead"]["amount"] == "120000.00" and funnel["lead"]["weighted"] == "12000.00"
    assert funnel["won"]["count"] == 0
    by_close = [row["title"] for row in api.get(API, {"ordering": "-amount"}).json()["results"]]
    assert by_close[0] == "华东门店升级项目"
    assert api.get(API, {"ordering": "nonsense"}).status_code == 400
    export = api.get(f"{API}export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_forecasts_the_filtered_open_opportunities_by_expected_close_month(cast, mine, api_as):
    _customer, opp, other = mine  # alice's 120,000.00 at 初步接洽, expected in SOON's month
    services.opportunity_create(actor=cast.carol, customer=other, data=_data(amount=D("5000.00")))
    month = f"{SOON:%Y-%m}"

    everyone = {row["key"]: row for row in api_as(cast.manager).get(f"{API}forecast/").json()}
    alice = {row["key"]: row for row in api_as(cast.alice).get(f"{API}forecast/").json()}
    searched = {row["key"]: row for row in api_as(cast.manager).get(f"{API}forecast/", {"q": opp.number}).json()}

    assert list(everyone) == ["earlier", *list(everyone)[1:-1], "later"] and len(everyone) == 8
    assert (everyone[month]["count"], everyone[month]["amount"], everyone[month]["weighted"]) == (2, "125000.00", "12500.00")
    assert everyone[month]["close_from"] == f"{SOON:%Y-%m}-01" and everyone["earlier"]["close_from"] is None
    assert (alice[month]["count"], alice[month]["amount"]) == (1, "120000.00")  # a rep: own customers' only
    assert searched[month]["count"] == 1 and sum(row["count"] for row in searched.values()) == 1
    finance = api_as(cast.finance).get(f"{API}forecast/")
    assert finance.status_code == 200 and not any(row["count"] for row in finance.json())  # sees no opportunity


# --- pages ------------------------------------------------------------------------------------------------------------
def test_the_pages_list_open_show_and_act(cast, mine, client_as):
    customer, opp, _other = mine
    browser = client_as(cast.alice)

    listing = browser.get(reverse("customers:opportunity_list"))
    html = listing.content.decode()
    assert listing.status_code == 200 and opp.number in html and 'data-testid="pipeline-lead-count">1<' in html
    assert 'id="kpi-charts"' in html

    form = browser.get(reverse("customers:opportunity_create") + f"?customer={customer.pk}")
    assert form.status_code == 200
    bad = browser.post(
        reverse("customers:opportunity_create"),
        {"customer": customer.pk, "title": "新项目", "needs": "", "amount": "1", "expected_close": str(SOON)},
    )
    assert bad.status_code == 400 and "该字段是必填项" in bad.content.decode()
    fields = {"customer": customer.pk, "title": "新项目", "needs": "换展柜", "amount": "5000", "expected_close": str(SOON)}
    too_sure = browser.post(reverse("customers:opportunity_create"), {**fields, "probability": "120"})
    assert too_sure.status_code == 400 and "100" in too_sure.content.decode()
    assert not Opportunity.objects.filter(title="新项目").exists()
    made = browser.post(reverse("customers:opportunity_create"), {**fields, "probability": "70"})
    new = Opportunity.objects.get(title="新项目")
    assert made.status_code == 302 and made["Location"] == new.get_absolute_url() and new.probability == 70

    detail = browser.get(new.get_absolute_url()).content.decode()
    assert "业务员估计赢率 70%" in detail and ">3,500.00<" in detail.replace(" ", "")
    for testid in ("action-edit", "action-move", "action-win", "action-lose", "opportunity-visit-plan", "opportunity-visit"):
        assert f'data-testid="{testid}"' in detail
    moved = browser.post(reverse("customers:opportunity_move", args=[new.pk]), {"stage": "negotiation"})
    assert moved.status_code == 302 and Opportunity.objects.get(pk=new.pk).status == S.NEGOTIATION
    refused = browser.post(reverse("customers:opportunity_lose", args=[new.pk]), {"reason": ""})
    assert refused.status_code == 400 and Opportunity.objects.get(pk=new.pk).status == S.NEGOTIATION
    browser.post(reverse("customers:opportunity_win", args=[new.pk]), {"reason": ""})
    won = browser.get(new.get_absolute_url()).content.decode()
    assert 'data-testid="action-reopen"' in won and "赢单" in won and "商务谈判 → 赢单" in won
    tab = browser.get(reverse("customers:detail", args=[customer.pk]) + "?tab=opportunities").content.decode()
    assert 'data-testid="pane-opportunities"' in tab and new.number in tab


def test_the_home_page_reminds_a_rep_of_own_opportunities_closing_this_month_overdue_first(cast, mine, client_as):
    customer, opp, _other = mine
    today = timezone.localdate()
    overdue = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(title="逾期项目", expected_close=today))
    Opportunity.objects.filter(pk=overdue.pk).update(expected_close=today - timedelta(days=3))
    services.opportunity_create(
        actor=cast.alice, customer=customer, data=_data(title="下月项目", expected_close=today + timedelta(days=40))
    )
    Opportunity.objects.filter(pk=opp.pk).update(expected_close=today)
    lost = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(title="已输项目", expected_close=today))
    services.opportunity_lose(opportunity=lost, actor=cast.alice, reason="预算取消")

    listing = client_as(cast.alice).get(reverse("customers:opportunity_list")).content.decode()
    assert listing.count('data-testid="close-overdue"') == 1  # the open one past its date, not the lost one
    listed = [o.title for o in selectors.opportunities_closing(cast.alice, today)]
    html = client_as(cast.alice).get("/").content.decode()

    assert listed == ["逾期项目", "华东门店升级项目"]
    assert 'data-testid="todo-opportunities"' in html and "逾期项目" in html and "已逾期" in html and "下月项目" not in html
    assert "逾期项目" not in client_as(cast.bob).get("/").content.decode()


def test_finance_has_no_opportunity_menu_nor_list(cast, client_as):
    page = client_as(cast.finance).get(reverse("customers:opportunity_list"))
    assert page.status_code == 403
    assert 'data-testid="nav-opportunities"' not in client_as(cast.finance).get("/").content.decode()
    assert 'data-testid="nav-opportunities"' in client_as(cast.alice).get("/").content.decode()


# --- at once ----------------------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_winning_and_losing_at_once_give_one_outcome(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    opp = services.opportunity_create(actor=cast.alice, customer=customer, data=_data())

    def act(i):
        if i % 2:
            return services.opportunity_win(opportunity=opp, actor=cast.alice)
        return services.opportunity_lose(opportunity=opp, actor=cast.lena, reason="组长判断")

    results = run_in_threads(4, act)

    done = [r for r in results if isinstance(r, Opportunity)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    final = Opportunity.objects.get(pk=opp.pk)
    assert final.status == done[0].status
    assert Event.objects.filter(target_id=opp.pk, verb=Event.Verb.STATUS).count() == 1


# --- 导入 Excel ---------------------------------------------------------------------------------------------------------
def test_a_rep_imports_opportunities_of_own_customers_all_or_nothing(cast, mine, client_as, settings, tmp_path):
    from tests.core.test_imports import filled, preview, token_of

    settings.MEDIA_ROOT = tmp_path / "media"
    customer, _opp, other = mine
    browser = client_as(cast.alice)
    assert 'data-testid="opportunity-import"' in browser.get(reverse("customers:opportunity_list")).content.decode()
    before = Opportunity.objects.count()
    row = [customer.code, "三期扩产", "再加一条线", "", 50000, SOON.isoformat(), "商务谈判", "某友商", "65%"]

    refused = preview(browser, "opportunities", filled(browser, "opportunities", {"销售机会": [row, [other.name, *row[1:]]]}))
    assert "不是您可见的已有客户" in refused.content.decode() and 'data-testid="import-commit"' not in refused.content.decode()
    assert Opportunity.objects.count() == before

    shown = preview(browser, "opportunities", filled(browser, "opportunities", {"销售机会": [row]}))
    assert 'data-testid="import-ready"' in shown.content.decode() and Opportunity.objects.count() == before
    done = browser.post(reverse("core:import_commit", args=["opportunities"]), {"token": token_of(shown)})

    assert done.status_code == 302 and done.url == reverse("customers:opportunity_list")
    imported = Opportunity.objects.get(title="三期扩产")
    assert (imported.customer, imported.owner, imported.status, imported.amount, imported.probability) == (
        customer,
        cast.alice,
        S.NEGOTIATION,
        D("50000.00"),
        65,  # the rep's estimate at the sheet's stage, not reset by the move to it
    )
    assert client_as(cast.finance).get(reverse("core:import_upload", args=["opportunities"])).status_code == 403


# --- visits for an opportunity --------------------------------------------------------------------------------------------
def test_a_visit_for_an_opportunity_is_on_its_timeline_and_page(cast, mine, client_as, api_as):
    customer, opp, other = mine
    today = timezone.localdate()
    browser = client_as(cast.alice)

    form = browser.get(reverse("customers:visit_create"), {"customer": customer.pk, "opportunity": opp.pk}).content.decode()
    assert f'<option value="{opp.pk}" selected>' in form
    posted = browser.post(
        reverse("customers:visit_create"),
        {
            "customer": customer.pk,
            "opportunity": opp.pk,
            "visited_on": today.isoformat(),
            "purpose": "技术交流",
            "outcome": "确认了参数",
        },
    )
    assert posted.status_code == 302
    note = Event.objects.get(target_id=opp.pk, target_type__model="opportunity", verb=Event.Verb.NOTE)
    assert "技术交流" in note.message and "确认了参数" in note.message
    page = browser.get(opp.get_absolute_url()).content.decode()
    assert 'data-testid="opportunity-visit-row"' in page and "确认了参数" in page

    by_api = api_as(cast.alice).post(
        "/api/v1/visits/",
        {
            "customer": customer.pk,
            "opportunity": opp.pk,
            "visited_on": str(today),
            "purpose": "报价沟通",
            "outcome": "客户要求降价",
        },
        format="json",
    )
    assert by_api.status_code == 201 and by_api.json()["opportunity"] == opp.pk
    carols = services.opportunity_create(actor=cast.carol, customer=other, data=_data())
    assert (
        api_as(cast.alice)
        .post(
            "/api/v1/visits/",
            {"customer": customer.pk, "opportunity": carols.pk, "visited_on": str(today), "purpose": "x", "outcome": "y"},
            format="json",
        )
        .status_code
        == 400
    )  # not an opportunity she can see
    services.opportunity_lose(opportunity=opp, actor=cast.alice, reason="预算取消")
    with pytest.raises(DomainError, match="已结束（输单）"):
        services.visit_create(
            actor=cast.alice, customer=customer, opportunity=opp, visited_on=today, purpose="回访", outcome="无"
        )
