"""A quotation made for a sales opportunity (销售机会): the opportunity moves to 方案报价 and names it; a contract of that
quotation signed wins the opportunity; an opportunity of another customer, or one already closed, is refused; the pages
and the API carry the link both ways."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Quotation
from customers import services as customer_services
from customers.models import Opportunity
from salesops.core import approvals
from salesops.core.errors import DomainError
from salesops.core.models import Event, Notification

from .conftest import decide, fresh, line

pytestmark = pytest.mark.django_db
S = Opportunity.Stage


def _opportunity(actor, customer, **kw):
    data = {
        "title": "泵站改造",
        "needs": "十台增压泵",
        "amount": D("11300.00"),
        "expected_close": timezone.localdate() + timedelta(days=30),
    }
    return customer_services.opportunity_create(actor=actor, customer=customer, data={**data, **kw})


def test_a_quotation_for_an_opportunity_moves_it_to_proposal_and_is_named_on_its_timeline(
    cast, quoting_alice, customer, make_quotation
):
    opp = _opportunity(cast.alice, customer)

    q = make_quotation(quoting_alice, opportunity=opp)

    assert q.opportunity == opp and fresh(opp).status == S.PROPOSAL
    event = Event.objects.get(target_id=opp.pk, target_type__model="opportunity", to_status=S.PROPOSAL)
    assert q.number in event.message and "方案报价" in event.message
    # a second quotation (or one for an opportunity already past 方案报价) only names itself
    customer_services.opportunity_move(opportunity=opp, actor=cast.alice, stage=S.NEGOTIATION)
    q2 = make_quotation(quoting_alice, opportunity=opp)
    assert fresh(opp).status == S.NEGOTIATION
    assert Event.objects.filter(
        target_id=opp.pk, target_type__model="opportunity", verb=Event.Verb.NOTE, message__contains=q2.number
    ).exists()


def test_another_customers_or_a_closed_opportunity_is_refused_and_nothing_is_saved(
    cast, quoting_alice, customer, carol_customer, make_quotation
):
    carols = _opportunity(cast.carol, carol_customer)
    lost = _opportunity(cast.alice, customer)
    customer_services.opportunity_lose(opportunity=lost, actor=cast.alice, reason="预算取消")
    before = Quotation.objects.count()

    with pytest.raises(DomainError, match="不属于该客户"):
        make_quotation(quoting_alice, opportunity=carols)
    with pytest.raises(DomainError, match="已结束（输单）"):
        make_quotation(quoting_alice, opportunity=lost)

    assert Quotation.objects.count() == before
    assert fresh(carols).status == S.LEAD


def test_signing_the_contract_of_its_quotation_wins_the_opportunity(cast, quoting_alice, customer, make_quotation):
    opp = _opportunity(cast.alice, customer)
    q = make_quotation(quoting_alice, opportunity=opp)
    services.quotation_submit(quotation=q, actor=quoting_alice)
    decide(q, services.QUOTATION_KIND, cast.manager)
    services.quotation_send(quotation=q, actor=quoting_alice)
    q = services.quotation_accept(quotation=q, actor=quoting_alice)
    contract = services.contract_create_from_quotation(quotation=q, actor=quoting_alice)
    services.contract_review_update(
        contract=contract, actor=cast.alice, data={"explicit_requirements": "按图纸生产", "capability_confirmed": True}
    )
    contract = services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)

    contract = services.contract_sign(  # the clerk registers the signing
        contract=contract, actor=cast.clerk, signed_on=None, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n")
    )

    won = fresh(opp)
    assert won.status == S.WON and contract.number in won.close_reason and won.closed_at is not None
    told = Notification.objects.get(recipient=cast.alice, title__contains="已赢单")  # the rep learns it was won
    assert contract.number in told.title and told.url == won.get_absolute_url()


def test_the_pages_and_the_api_carry_the_link_both_ways(cast, quoting_alice, customer, client_as, api_as, pump):
    opp = _opportunity(cast.alice, customer)
    browser = client_as(quoting_alice)

    panel = browser.get(reverse("customers:opportunity_detail", args=[opp.pk])).content.decode()
    create = reverse("contracts:quotation_create") + f"?customer={customer.pk}&opportunity={opp.pk}"
    assert 'data-testid="opportunity-quotations"' in panel and create in panel
    form = browser.get(reverse("contracts:quotation_create"), {"customer": customer.pk, "opportunity": opp.pk}).content.decode()
    assert f'<option value="{opp.pk}" selected>' in form
    parties = browser.get(reverse("customers:parties"), {"customer": customer.pk}).json()
    assert [row["id"] for row in parties["opportunities"]] == [opp.pk]
    assert client_as(cast.finance).get(reverse("customers:parties"), {"customer": customer.pk}).json()["opportunities"] == []

    answer = api_as(quoting_alice).post(
        "/api/v1/quotations/", {"customer": customer.pk, "opportunity": opp.pk, "lines": [line(pump)]}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["opportunity"] == opp.pk and answer.json()["opportunity_number"] == opp.number
    q = Quotation.objects.get(pk=answer.json()["id"])
    page = browser.get(reverse("contracts:quotation_detail", args=[q.pk])).content.decode()
    assert 'data-testid="quotation-opportunity"' in page
    assert (
        'data-testid="quotation-opportunity"'
        not in client_as(cast.finance).get(reverse("contracts:quotation_detail", args=[q.pk])).content.decode()
    )
    assert q.number in browser.get(reverse("customers:opportunity_detail", args=[opp.pk])).content.decode()
    customer_services.opportunity_lose(opportunity=opp, actor=cast.alice, reason="预算取消")
    closed = browser.get(reverse("customers:opportunity_detail", args=[opp.pk])).content.decode()
    assert 'data-testid="opportunity-quotations"' in closed and 'data-testid="opportunity-quotation-create"' not in closed
    # another rep's API names no opportunity of alice's customer
    assert api_as(cast.carol).post(
        "/api/v1/quotations/", {"customer": customer.pk, "opportunity": opp.pk, "lines": [line(pump)]}, format="json"
    ).status_code in (400, 403, 404)


def test_a_tender_is_quoted_only_once_the_leaders_decided_to_take_part(cast, quoting_alice, customer, make_quotation):
    tender = _opportunity(
        cast.alice, customer, bidding=Opportunity.Bidding.TENDER, bid_deadline=timezone.localdate() + timedelta(days=5)
    )
    before = Quotation.objects.count()

    with pytest.raises(DomainError, match="须先报请领导决定参加（目前：未报请）"):
        make_quotation(quoting_alice, opportunity=tender)

    assert Quotation.objects.count() == before and fresh(tender).status == S.LEAD  # nothing saved
    customer_services.opportunity_request_bid(opportunity=tender, actor=cast.alice)
    with pytest.raises(DomainError, match="目前：待领导决定"):
        make_quotation(quoting_alice, opportunity=tender)
    request = approvals.requests_for(tender, "opportunity_bid").get()
    approvals.approval_decide(step_id=request.steps.get().pk, actor=cast.manager, decision="approve")

    q = make_quotation(quoting_alice, opportunity=tender)

    assert q.opportunity == tender and fresh(tender).status == S.PROPOSAL
