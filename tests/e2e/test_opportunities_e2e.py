"""In a real browser: a rep opens a sales opportunity from a customer's page, moves it to 方案报价, sees it in the funnel,
wins it; the reopen dialog asks for the reason. A tender is reported and the manager decides on its page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Opportunity
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_rep_opens_moves_and_wins_an_opportunity(cast, page_as, live_server):
    # given alice's customer
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="浏览器机会客户有限公司")
    page = page_as("alice")

    # when she opens an opportunity from the customer's page
    page.goto(f"{live_server.url}/customers/{customer.pk}/?tab=opportunities")
    page.click("[data-testid=opportunity-add]")
    page.fill("#id_title", "门店展柜升级")
    page.fill("#id_needs", "三十家门店更换展柜")
    page.fill("#id_amount", "120000")
    page.fill("#id_expected_close", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.click("[data-testid=form-submit]")
    page.wait_for_url("**/customers/opportunities/*/")
    opp = Opportunity.objects.get(title="门店展柜升级")
    assert page.locator("[data-testid=opportunity-number]").inner_text() == opp.number
    assert "初步接洽" in page.locator("[data-testid=status-badge]").inner_text()

    # and moves it to 方案报价
    page.click("[data-testid=action-move]")
    page.select_option("#id_stage", "proposal")
    page.click("[data-testid=form-submit]")
    page.wait_for_url(f"**/customers/opportunities/{opp.pk}/")
    assert "方案报价" in page.locator("[data-testid=status-badge]").inner_text()

    # then the list's funnel counts it at that stage, with its weighted amount drawn
    page.goto(f"{live_server.url}/customers/opportunities/")
    assert page.locator("[data-testid=pipeline-proposal-count]").inner_text() == "1"
    assert page.locator("#chart-pipeline").is_visible()

    # when she wins it, the page offers only to reopen it, and the reopen dialog asks for the reason
    page.goto(f"{live_server.url}/customers/opportunities/{opp.pk}/")
    page.click("[data-testid=action-win]")
    page.fill("#id_reason", "客户签订合同")
    page.click("[data-testid=form-submit]")
    page.wait_for_url(f"**/customers/opportunities/{opp.pk}/")
    assert "赢单" in page.locator("[data-testid=status-badge]").inner_text()
    assert page.locator("[data-testid=action-move]").count() == 0
    page.click("[data-testid=action-reopen]")
    dialog = page.locator(".modal.show")
    dialog.wait_for()
    assert dialog.locator("[data-testid=confirm-reason]").evaluate("el => el.validity.valueMissing")
    dialog.locator("[data-testid=confirm-reason]").fill("客户追加第二期")
    dialog.locator("[data-testid=confirm-submit]").click()
    page.wait_for_url(f"**/customers/opportunities/{opp.pk}/")
    assert "初步接洽" in page.locator("[data-testid=status-badge]").inner_text()
    assert "客户追加第二期" in page.locator("body").inner_text()


def test_a_rep_reports_a_tender_and_the_manager_decides_on_its_page(cast, page_as, live_server):
    # given alice's tender, not reported yet: no quoting, no 赢单
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="浏览器招标客户有限公司")
    page = page_as("alice")
    page.goto(f"{live_server.url}/customers/opportunities/new/?customer={customer.pk}")
    page.fill("#id_title", "水厂泵站招标")
    page.fill("#id_needs", "增压泵十台")
    page.fill("#id_amount", "300000")
    page.fill("#id_expected_close", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.select_option("#id_bidding", "tender")
    page.fill("#id_bid_deadline", (timezone.localdate() + timedelta(days=8)).isoformat())
    page.click("[data-testid=form-submit]")
    page.wait_for_url("**/customers/opportunities/*/")
    opp = Opportunity.objects.get(title="水厂泵站招标")
    assert page.locator("[data-testid=bid-decision]").inner_text() == "未报请"
    assert page.locator("[data-testid=action-win]").count() == 0

    # when she reports it with a note
    page.click("[data-testid=action-request_bid]")
    page.fill("#id_reason", "客户点名邀请投标")
    page.click("[data-testid=form-submit]")
    page.wait_for_url(f"**/customers/opportunities/{opp.pk}/")
    assert page.locator("[data-testid=bid-decision]").inner_text() == "待领导决定"

    # then the manager decides on the opportunity's page, and she may quote and win it
    boss = page_as("manager")
    boss.goto(f"{live_server.url}/customers/opportunities/{opp.pk}/")
    step = boss.locator("[data-testid=approval-step][data-step-code=sales_manager]")
    step.locator("button[type=submit]").click()
    boss.wait_for_url(f"**/customers/opportunities/{opp.pk}/")
    assert boss.locator("[data-testid=bid-decision]").inner_text() == "决定参加"
    page.reload()
    assert page.locator("[data-testid=action-win]").count() == 1
    assert "领导已决定参加" in page.locator("[data-testid=bid-rule]").inner_text()
