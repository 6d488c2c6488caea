"""In a real browser: a rep writes an expense claim, adding a line with 添加明细行, and hands it in; the clerk checks it
through the confirmation dialog, and after the manager's approval finance pays it from its form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from expenses.models import ExpenseClaim
from tests.expenses.test_claims import decide

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = ".modal.show"


def test_a_rep_claims_the_clerk_checks_and_finance_pays_in_the_browser(cast, page_as, live_server):
    day = (timezone.localdate() - timedelta(days=3)).isoformat()

    # when alice writes a claim of two lines, the second added with the button, and hands it in
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/expenses/new/")
    alice.fill("#id_title", "苏州客户拜访差旅")
    alice.fill("[name=lines-0-spent_on]", day)
    alice.select_option("[name=lines-0-category]", "transport")
    alice.fill("[name=lines-0-amount]", "286")
    alice.fill("[name=lines-0-description]", "高铁往返")
    for n in (1, 2):
        alice.click(f"[name=lines-{n}-DELETE]")  # the two empty rows of a new claim are not wanted
    alice.click("[data-testid=add-line]")
    alice.fill("[name=lines-3-spent_on]", day)
    alice.select_option("[name=lines-3-category]", "travel")
    alice.fill("[name=lines-3-amount]", "420.50")
    with alice.expect_navigation():
        alice.click("[data-testid=claim-hand-in]")
    claim = ExpenseClaim.objects.get()
    assert "待内勤审核" in alice.locator("[data-testid=status-badge]").inner_text()
    assert alice.locator("[data-testid=claim-total]").inner_text() == "706.50"
    assert alice.locator("[data-testid=claim-line]").count() == 2

    # then the clerk checks it through the dialog
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}/expenses/{claim.pk}/")
    clerk.click("[data-testid=action-verify]")
    assert "符合公司报销规定" in clerk.locator(f"{OPEN} [data-testid=confirm-consequence]").inner_text()
    with clerk.expect_navigation():
        clerk.click(f"{OPEN} [data-testid=confirm-submit]")
    assert ExpenseClaim.objects.get().status == ExpenseClaim.Status.CHECKED

    # and once the manager approved it, finance pays it from its form
    decide(claim, cast.manager)
    finance = page_as("finance")
    finance.goto(f"{live_server.url}/expenses/{claim.pk}/")
    finance.click("[data-testid=action-pay]")
    finance.fill("#id_reference", "记-2026-88")
    with finance.expect_navigation():
        finance.click("[data-testid=form-submit]")
    assert "已付款" in finance.locator("[data-testid=status-badge]").inner_text()
    assert "记-2026-88" in finance.locator("[data-testid=claim-paid]").inner_text()
