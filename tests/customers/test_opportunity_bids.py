"""比价/投标 on a sales opportunity (seed 003, 产品报价、投标的流程 A): the rep reports it, the sales department head
decides whether to take part (a major one goes to the sales VP too); until it is decided to take part it is neither
quoted nor moved on, and a refusal loses it with the leader's reason. Rules, services, who may do what (by page and by
API), the pages, and two people asking at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from customers import rules, selectors, services
from customers.models import Opportunity
from customers.services.opportunities import BID_KIND
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import ApprovalRequest, Event, Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

S = Opportunity.Stage
B = Opportunity.Bidding
Dec = Opportunity.BidDecision
TODAY = timezone.localdate()
SOON = TODAY + timedelta(days=30)
API = "/api/v1/opportunities/"


def _data(**kw):
    return {
        "title": "市政泵站招标",
        "needs": "二十台增压泵",
        "amount": D("300000.00"),
        "expected_close": SOON,
        "bidding": B.TENDER,
        "bid_deadline": TODAY + timedelta(days=10),
        **kw,
    }


@pytest.fixture
def tender(cast):
    """A tender of alice's customer (华东组), below the major amount (500,000)."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    return services.opportunity_create(actor=cast.alice, customer=customer, data=_data())


def fresh(o):
    return Opportunity.objects.get(pk=o.pk)


def pending_round(o):
    return approvals.requests_for(o, BID_KIND).filter(status=ApprovalRequest.Status.PENDING).first()


def decide(o, actor, decision="approve", comment=""):
    request = pending_round(o)
    step = request.steps.get(stage=request.current_stage)
    approvals.approval_decide(step_id=step.pk, actor=actor, decision=decision, comment=comment)
    return fresh(o)


# --- rules ------------------------------------------------------------------------------------------------------------
def test_the_department_head_decides_and_the_vp_too_above_the_major_amount_and_nobody_decides_their_own():
    limit = D("500000")

    def codes(amount, roles=()):
        return [s.code for s in rules.bid_route(amount=D(amount), major_amount=limit, requester_roles=roles)]

    assert codes("500000") == ["sales_manager"]  # at the limit: not above it
    assert codes("500000.01") == ["sales_manager", "sales_vp"]
    assert codes("900000", ["sales_manager"]) == ["sales_vp"] and codes("1000", ["sales_manager"]) == []
    assert codes("900000", ["sales_vp"]) == [] and codes("900000", ["gm"]) == []
    vp = rules.bid_route(amount=D("600000"), major_amount=limit)[1]
    assert vp.role == "sales_vp" and vp.stage > 10 and vp.reason_params == {"amount": "600,000.00", "limit": "500,000.00"}
    assert rules.bid_undecided(B.TENDER, Dec.PENDING) and rules.bid_undecided(B.INQUIRY, Dec.UNASKED)
    assert not rules.bid_undecided(B.TENDER, Dec.GO) and not rules.bid_undecided(B.NONE, Dec.UNASKED)


# --- the fields -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_data(bid_deadline=None), "招标投标须填写投标截止日期"),
        (_data(bid_deadline=TODAY - timedelta(days=1)), "报价/投标截止日期不能早于今天"),
        (_data(bidding="auction"), "请选择比价/投标类型"),
    ],
)
def test_bad_bid_fields_are_refused_in_chinese_and_nothing_is_saved(cast, data, message):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    with pytest.raises(DomainError, match=message):
        services.opportunity_create(actor=cast.alice, customer=customer, data=data)
    assert not Opportunity.objects.exists()


def test_an_inquiry_needs_no_deadline_and_no_bid_clears_one(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    inquiry = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(bidding=B.INQUIRY, bid_deadline=None))
    plain = services.opportunity_create(actor=cast.alice, customer=customer, data=_data(bidding=B.NONE))

    assert (inquiry.bidding, inquiry.bid_deadline, inquiry.bid_decision) == (B.INQUIRY, None, Dec.UNASKED)
    assert (plain.bidding, plain.bid_deadline) == (B.NONE, None)
    assert "request_bid" in services.opportunity_allowed_actions(inquiry, cast.alice)
    assert "request_bid" not in services.opportunity_allowed_actions(plain, cast.alice)


# --- the decision -----------------------------------------------------------------------------------------------------
def test_a_reported_tender_waits_for_the_department_head_and_is_neither_quoted_nor_moved_on_meanwhile(cast, tender):
    asked = services.opportunity_request_bid(opportunity=tender, actor=cast.alice, note="预算已落实，竞争对手两家")

    assert asked.bid_decision == Dec.PENDING
    request = pending_round(tender)
    assert [(s.code, s.status) for s in request.steps.all()] == [("sales_manager", "pending")]
    assert "市政泵站招标" in request.title and "招标投标" in request.title
    assert [s.request_id for s in approvals.steps_waiting_for(cast.manager)] == [request.pk]
    told = Notification.objects.get(recipient=cast.manager)
    assert "待您审批" in told.title and told.url == tender.get_absolute_url()
    assert Event.objects.filter(target_id=tender.pk, target_type__model="opportunity", message__contains="竞争对手两家").exists()
    summary = dict(approvals.summary_for(request, cast.manager))
    assert summary["比价/投标"] == "招标投标" and summary["预计金额"] == "300,000.00" and summary["负责业务员"] == "alice"

    for refused in (
        lambda: services.opportunity_move(opportunity=tender, actor=cast.alice, stage=S.PROPOSAL),
        lambda: services.opportunity_win(opportunity=tender, actor=cast.alice),
        lambda: services.opportunity_quoted(opportunity=tender, actor=cast.clerk, number="QT-TEST"),
    ):
        with pytest.raises(DomainError, match="须先报请领导决定参加（目前：待领导决定）"):
            refused()
    services.opportunity_move(opportunity=tender, actor=cast.alice, stage=S.QUALIFIED)  # before 方案报价 it moves
    with pytest.raises(DomainError, match="参与决策已是“待领导决定”"):
        services.opportunity_request_bid(opportunity=tender, actor=cast.alice)
    with pytest.raises(DomainError, match="不能修改比价/投标类型"):
        services.opportunity_update(opportunity=tender, actor=cast.alice, data={"bidding": B.INQUIRY})
    assert fresh(tender).bidding == B.TENDER

    decided = decide(tender, cast.manager)

    assert decided.bid_decision == Dec.GO
    assert Notification.objects.filter(recipient=cast.alice, title__contains="审批已通过").exists()
    moved = services.opportunity_move(opportunity=tender, actor=cast.alice, stage=S.PROPOSAL)
    assert moved.status == S.PROPOSAL
    assert services.opportunity_quoted(opportunity=tender, actor=cast.clerk, number="QT-TEST").status == S.PROPOSAL


def test_a_major_tender_goes_on_to_the_vp_whose_refusal_loses_it_with_the_reason(cast, tender):
    services.opportunity_update(opportunity=tender, actor=cast.alice, data={"amount": D("800000.00")})
    services.opportunity_request_bid(opportunity=tender, actor=cast.lena)  # her lead reports it for her

    after_manager = decide(tender, cast.manager)
    assert after_manager.bid_decision == Dec.PENDING  # the company leadership is next
    assert [s.code for s in approvals.steps_waiting_for(cast.vp)] == ["sales_vp"]
    reason = next(s for s in pending_round(tender).steps.all() if s.code == "sales_vp").reason_text
    assert "800,000.00" in reason and "500,000.00" in reason

    lost = decide(tender, cast.vp, "reject", "利润太薄，不参加")

    assert (lost.status, lost.bid_decision) == (S.LOST, Dec.DECLINED)
    assert "领导决定不参加招标投标" in lost.close_reason and "利润太薄" in lost.close_reason and lost.closed_at
    told = Notification.objects.filter(recipient=cast.alice).values_list("title", flat=True)
    assert any("领导决定不参加招标投标，已记为输单" in t for t in told)  # the rep, since her lead asked
    assert Notification.objects.filter(recipient=cast.lena, title__contains="审批被驳回").exists()

    reopened = services.opportunity_reopen(opportunity=tender, actor=cast.alice, reason="招标方重新发标")
    assert (reopened.status, reopened.bid_decision) == (S.LEAD, Dec.UNASKED)
    services.opportunity_request_bid(opportunity=tender, actor=cast.alice)
    assert pending_round(tender).round == 2


def test_closing_it_while_the_leaders_decide_withdraws_their_round(cast, tender):
    services.opportunity_request_bid(opportunity=tender, actor=cast.alice)

    lost = services.opportunity_lose(opportunity=tender, actor=cast.alice, reason="客户取消招标")

    assert (lost.status, lost.bid_decision) == (S.LOST, Dec.UNASKED)
    assert approvals.requests_for(tender, BID_KIND).get().status == ApprovalRequest.Status.CANCELLED
    assert not approvals.steps_waiting_for(cast.manager).exists()


def test_another_kind_of_bid_is_decided_again_and_the_timeline_says_so(cast, tender):
    services.opportunity_request_bid(opportunity=tender, actor=cast.alice)
    decide(tender, cast.manager)

    changed = services.opportunity_update(opportunity=tender, actor=cast.alice, data={"bidding": B.INQUIRY})

    assert (changed.bidding, changed.bid_decision) == (B.INQUIRY, Dec.UNASKED)
    event = Event.objects.filter(target_id=tender.pk, target_type__model="opportunity", verb=Event.Verb.UPDATED).last()
    fields = {c["field"] for c in event.changes}
    assert {"bidding", "bid_decision"} <= fields


def test_a_managers_own_report_is_decided_at_once_and_a_vps_even_when_major(cast, tender):
    decided = services.opportunity_request_bid(opportunity=tender, actor=cast.manager)

    assert decided.bid_decision == Dec.GO and not approvals.requests_for(tender, BID_KIND).exists()
    assert Event.objects.filter(
        target_id=tender.pk, target_type__model="opportunity", message__contains="决定参加招标投标"
    ).exists()

    big = services.opportunity_create(actor=cast.alice, customer=tender.customer, data=_data(amount=D("900000.00")))
    assert services.opportunity_request_bid(opportunity=big, actor=cast.vp).bid_decision == Dec.GO
    big2 = services.opportunity_create(actor=cast.alice, customer=tender.customer, data=_data(amount=D("900000.00")))
    services.opportunity_request_bid(opportunity=big2, actor=cast.manager)
    assert [s.code for s in pending_round(big2).steps.all()] == ["sales_vp"]  # above the limit the VP still decides


# --- who may ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("alice", "pending"),  # her own
        ("lena", "pending"),  # her lead
        ("clerk", "pending"),
        ("manager", "go"),  # the department head decides his own
        ("bob", 404),  # another rep of the team: not his customer
        ("carol", 404),
        ("finance", 404),
        ("service", 404),
        ("warehouse", 404),
    ],
)
def test_who_may_report_a_tender_by_api_and_by_page(cast, tender, api_as, client_as, who, outcome):
    user = getattr(cast, who)
    response = api_as(user).post(f"{API}{tender.pk}/request-bid/", {"note": "请决定"}, format="json")
    page = client_as(user).get(reverse("customers:opportunity_request_bid", args=[tender.pk]))

    if outcome == 404:
        assert response.status_code == 404 and page.status_code == 404
        assert fresh(tender).bid_decision == Dec.UNASKED
    else:
        assert response.status_code == 200, response.content
        assert response.json()["bid_decision"] == outcome and fresh(tender).bid_decision == outcome
        assert page.status_code == 200  # the form; posting it again is refused (asked already)


def test_a_department_reviewer_may_not_report_it(cast, tender):
    with pytest.raises(Forbidden):
        services.opportunity_request_bid(opportunity=tender, actor=cast.rev_technical)
    assert fresh(tender).bid_decision == Dec.UNASKED


# --- API --------------------------------------------------------------------------------------------------------------
def test_the_api_reports_decides_and_filters_bids(cast, tender, api_as):
    alice = api_as(cast.alice)
    detail = alice.get(f"{API}{tender.pk}/").json()
    assert (detail["bidding"], detail["bid_decision"], detail["bid_deadline"]) == ("tender", "", str(_data()["bid_deadline"]))
    assert detail["allowed_actions"][0] == "request_bid"
    bad = alice.patch(f"{API}{tender.pk}/", {"bid_deadline": None}, format="json")
    assert bad.status_code == 400 and "招标投标须填写投标截止日期" in bad.content.decode()
    plain = alice.post(
        API,
        {
            "customer": tender.customer_id,
            **{k: str(v) for k, v in _data(bidding="none", bid_deadline=None).items() if v is not None},
        },
        format="json",
    )
    assert plain.status_code == 201, plain.content
    not_a_bid = alice.post(f"{API}{plain.json()['id']}/request-bid/", {}, format="json")
    assert not_a_bid.status_code == 400 and "不涉及比价/投标" in not_a_bid.content.decode()

    assert alice.post(f"{API}{tender.pk}/request-bid/", {}, format="json").json()["bid_decision"] == "pending"
    assert [r["number"] for r in alice.get(API, {"bid_decision": "pending"}).json()["results"]] == [tender.number]
    assert alice.get(API, {"bid_decision": "unasked"}).json()["count"] == 0
    step = api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"][0]
    assert {"label": "比价/投标", "value": "招标投标"} in step["summary"]

    decided = api_as(cast.manager).post(
        f"/api/v1/approval-steps/{step['id']}/decide/",
        {"decision": "approve_with_conditions", "comment": "报价不低于成本加 15%"},
        format="json",
    )

    assert decided.status_code == 200, decided.content
    assert alice.get(f"{API}{tender.pk}/").json()["bid_decision"] == "go"
    assert alice.get(API, {"bidding": "tender", "bid_decision": "go"}).json()["count"] == 1
    later = services.opportunity_create(
        actor=cast.alice, customer=tender.customer, data=_data(title="后截止", bid_deadline=TODAY + timedelta(days=20))
    )
    by_deadline = [r["number"] for r in alice.get(API, {"ordering": "bid_deadline"}).json()["results"]]
    assert by_deadline.index(tender.number) < by_deadline.index(later.number)


# --- pages ------------------------------------------------------------------------------------------------------------
def test_the_rep_reports_it_on_the_page_and_the_manager_decides_there(cast, tender, client_as):
    rep = client_as(cast.alice)
    page = rep.get(tender.get_absolute_url()).content.decode()
    assert 'data-testid="opportunity-bid"' in page and 'data-testid="bid-decision" data-status="">未报请' in page
    assert "须先报请领导决定是否参加" in page and "还有 10 天" in page
    assert 'data-testid="action-request_bid"' in page and 'data-testid="action-win"' not in page  # not won undecided
    assert 'data-testid="quotation-awaits-bid"' in page and 'data-testid="opportunity-quotation-create"' not in page
    form = rep.get(reverse("customers:opportunity_request_bid", args=[tender.pk])).content.decode()
    assert "由销售部经理决定是否参加" in form and "500,000.00" in form and "记为输单" in form

    posted = rep.post(reverse("customers:opportunity_request_bid", args=[tender.pk]), {"reason": "客户点名邀请"})

    assert posted.status_code == 302 and fresh(tender).bid_decision == Dec.PENDING
    page = rep.get(tender.get_absolute_url()).content.decode()
    assert 'data-testid="action-request_bid"' not in page and "等待领导决定是否参加" in page
    assert 'data-testid="approval-step"' in page and 'name="decision"' not in page  # she cannot decide it

    boss = client_as(cast.manager)
    assert 'name="decision"' in boss.get(tender.get_absolute_url()).content.decode()
    step = pending_round(tender).steps.get()
    done = boss.post(
        reverse("core:approval_decide", args=[step.pk]),
        {"decision": "approve", "next": tender.get_absolute_url()},
    )
    assert done.status_code == 302 and fresh(tender).bid_decision == Dec.GO
    page = client_as(cast.clerk).get(tender.get_absolute_url()).content.decode()
    assert "领导已决定参加，可以报价" in page and 'data-testid="opportunity-quotation-create"' in page

    listed = rep.get(reverse("customers:opportunity_list"), {"bid_decision": "go"}).content.decode()
    assert 'data-testid="row-bid"' in listed and tender.number in listed
    rep.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = rep.get(tender.get_absolute_url()).content.decode()
    assert "Tender" in english and "Taking part" in english and "10 days left" in english


def test_the_form_takes_the_bid_fields_and_refuses_a_tender_without_its_deadline(cast, client_as):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    rep = client_as(cast.alice)
    fields = {
        "customer": customer.pk,
        "title": "学校采购比价",
        "needs": "十台",
        "amount": "50000",
        "expected_close": SOON.isoformat(),
        "bidding": "tender",
    }

    refused = rep.post(reverse("customers:opportunity_create"), fields)

    assert refused.status_code == 400 and "招标投标须填写投标截止日期" in refused.content.decode()
    assert not Opportunity.objects.exists()
    made = rep.post(reverse("customers:opportunity_create"), {**fields, "bid_deadline": (TODAY + timedelta(days=2)).isoformat()})
    assert made.status_code == 302
    assert Opportunity.objects.get().bid_deadline == TODAY + timedelta(days=2)


def test_the_home_page_lists_the_reps_bids_to_report_being_decided_or_due_soon(cast, tender, client_as):
    customer = tender.customer
    later = services.opportunity_create(
        actor=cast.alice, customer=customer, data=_data(title="远期招标", bid_deadline=TODAY + timedelta(days=40))
    )
    services.opportunity_request_bid(opportunity=later, actor=cast.manager)  # decided at once, due in 40 days
    soon = services.opportunity_create(
        actor=cast.alice,
        customer=customer,
        data=_data(title="近期比价", bidding=B.INQUIRY, bid_deadline=TODAY + timedelta(days=3)),
    )
    services.opportunity_request_bid(opportunity=soon, actor=cast.manager)  # decided, but due in 3 days
    services.opportunity_create(actor=cast.carol, customer=CustomerFactory(owner=cast.carol), data=_data(title="别人的"))

    listed = [o.title for o in selectors.bids_to_act_on(cast.alice, TODAY)]

    assert listed == ["近期比价", "市政泵站招标"]  # the nearest deadline first; the far decided one and carol's are not
    html = client_as(cast.alice).get("/").content.decode()
    assert 'data-testid="todo-bids"' in html and "近期比价" in html and "未报请" in html and "远期招标" not in html
    assert 'data-testid="todo-bids"' not in client_as(cast.bob).get("/").content.decode()  # none of his own
    Opportunity.objects.filter(pk=soon.pk).update(bid_deadline=TODAY - timedelta(days=1))
    late = client_as(cast.alice).get("/").content.decode()
    assert Opportunity.objects.get(pk=soon.pk).bid_overdue and not later.bid_overdue
    assert 'text-danger fw-bold">截止 ' + (TODAY - timedelta(days=1)).strftime("%m-%d") in late


def test_a_tender_is_imported_with_its_deadline_and_only_before_proposal(cast, client_as, settings, tmp_path):
    from tests.core.test_imports import filled, preview, token_of

    settings.MEDIA_ROOT = tmp_path / "media"
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    browser = client_as(cast.alice)
    deadline = (TODAY + timedelta(days=9)).isoformat()
    row = [customer.code, "水厂招标", "增压泵十台", "", 80000, SOON.isoformat(), "需求确认", "", "", "招标投标", deadline]

    refused = preview(
        browser, "opportunities", filled(browser, "opportunities", {"销售机会": [[*row[:6], "方案报价", *row[7:]]]})
    )
    assert "须先报请领导决定参加" in refused.content.decode() and not Opportunity.objects.exists()
    shown = preview(browser, "opportunities", filled(browser, "opportunities", {"销售机会": [row]}))
    done = browser.post(reverse("core:import_commit", args=["opportunities"]), {"token": token_of(shown)})

    assert done.status_code == 302
    imported = Opportunity.objects.get(title="水厂招标")
    assert (imported.status, imported.bidding, str(imported.bid_deadline), imported.bid_decision) == (
        S.QUALIFIED,
        B.TENDER,
        deadline,
        Dec.UNASKED,
    )


# --- at once ----------------------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reports_at_once_open_one_round(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    opp = services.opportunity_create(actor=cast.alice, customer=customer, data=_data())

    results = run_in_threads(4, lambda i: services.opportunity_request_bid(opportunity=opp, actor=[cast.alice, cast.lena][i % 2]))

    done = [r for r in results if isinstance(r, Opportunity)]
    assert len(done) == 1 and all(isinstance(r, (DomainError, Conflict)) for r in results if r not in done), results
    assert approvals.requests_for(opp, BID_KIND).count() == 1 and fresh(opp).bid_decision == Dec.PENDING
