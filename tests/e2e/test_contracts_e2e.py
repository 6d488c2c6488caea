"""In a real browser: a rep builds a quotation, the manager approves it, it becomes a special contract (a custom product never
produced), three department reviewers, the manager, the VP and the GM approve it in their own sessions, and the rep sees
it approved."""

from decimal import Decimal as D

import pytest

from contracts.models import Contract, Quotation
from tests.e2e.pickers import pick
from tests.factories import ContactFactory, CustomerFactory, ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def approve_on_page(page, url):
    """Open the document and approve the step waiting for this user (the decide form under the review opinions)."""
    page.goto(url)
    form = page.locator("[data-testid=approval-decide-form]")
    assert form.count() == 1, "exactly one step should wait for this user"
    form.locator("[data-testid=decision-approve]").check()
    form.locator("[data-testid=approval-submit]").click()
    page.wait_for_load_state()


def status_of(page) -> str:
    return page.locator("[data-testid=status-badge]").first.inner_text().strip()


def test_quotation_to_special_contract_approved_by_every_department_and_tier(cast, page_as, live_server):
    # given alice may quote, owns a customer, and the catalog has a custom product never produced
    cast.alice.profile.may_quote = True
    cast.alice.profile.save()
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
    ContactFactory(customer=customer, name="王经理")
    ProductFactory(
        code="CV-900", name="定制防爆阀", kind="custom", ever_produced=False, list_price=D("5650.00"), standard_cost=D("3000.00")
    )

    # when alice builds a quotation in the form and submits it for review
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/sales/quotations/new/?customer={customer.pk}")
    alice.fill("#id_project_name", "防爆车间改造")
    row = alice.locator("[data-testid=line-form]").first
    pick(alice, row.locator("select[name$=product]"), "CV-900")
    row.locator("input[name$=quantity]").fill("4")
    alice.click("[data-testid=form-submit]")
    alice.wait_for_url("**/sales/quotations/*/")
    assert alice.locator("[data-testid=total-incl]").inner_text().strip().endswith("22,600.00")
    quotation_url = alice.url
    alice.click("[data-testid=action-submit]")
    alice.wait_for_load_state()
    assert status_of(alice) == "审核中"

    # and the manager approves it in his own session
    manager = page_as("manager")
    approve_on_page(manager, quotation_url)
    assert status_of(manager) == "已审核"

    # and alice sends it, records the customer's acceptance and turns it into a contract
    alice.goto(quotation_url)
    alice.click("[data-testid=action-send]")
    alice.wait_for_load_state()
    alice.click("[data-testid=action-accept]")
    alice.wait_for_load_state()
    alice.click("[data-testid=action-create_contract]")
    alice.wait_for_url("**/sales/contracts/*/")
    contract_url = alice.url
    assert "特殊合同" in alice.locator("[data-testid=classification]").inner_text()
    assert "新产品开发/定制品未生产过" in alice.locator("[data-testid=classification-reasons]").inner_text()

    # and fills in the review sheet and submits the contract for review
    alice.click("[data-testid=review-edit]")
    alice.fill("#id_explicit_requirements", "防爆等级 Ex d IIB T4，交货期 60 天")
    alice.check("#id_capability_confirmed")
    alice.click("[data-testid=form-submit]")
    alice.wait_for_url(contract_url)
    alice.click("[data-testid=action-submit]")
    alice.wait_for_load_state()
    assert status_of(alice) == "评审中"
    pending = alice.locator("[data-testid=pending-reviewers]").inner_text()
    assert "技术部" in pending and "生产部" in pending and "质检部" in pending

    # then the three department reviewers, the manager, the VP and the GM approve, each in their own session
    for username in ("rev_technical", "rev_production", "rev_quality", "manager", "vp", "gm"):
        approve_on_page(page_as(username), contract_url)

    # and alice sees the contract approved, with every opinion on the page
    alice.goto(contract_url)
    assert status_of(alice) == "评审通过"
    assert alice.locator("[data-testid=approval-step][data-status=approved]").count() == 6
    assert Contract.objects.get().status == Contract.Status.APPROVED
    assert Quotation.objects.get().status == Quotation.Status.ACCEPTED
