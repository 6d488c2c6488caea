"""In a real browser: a rep writes next month's sales plan — a key customer picked by typing, a line added with
添加明细行 — and hands it in through the confirmation dialog; once the manager approved it, the plan page charts the
plan against the shipped sales."""

import pytest

from plans.models import SalesPlan
from tests.factories import CustomerFactory
from tests.plans.test_plans import decide

from .pickers import pick

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = ".modal.show"


def test_a_rep_writes_and_hands_in_a_plan_and_reads_it_charted_once_approved(cast, page_as, live_server):
    CustomerFactory(owner=cast.alice, team=cast.east, name="苏州恒通机电")

    # when alice writes her plan: a key customer picked by typing, and an item on a row added with the button
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/plans/new/")
    assert alice.locator("#id_period").input_value()  # next month, ready
    alice.fill("#id_analysis", "年底集中采购")
    alice.fill("#id_strategy", "恒通每周拜访")
    pick(alice, "[name=lines-0-customer]", "恒通")
    alice.fill("[name=lines-0-amount]", "30000")
    alice.fill("[name=lines-0-measures]", "月中发货")
    for n in (1, 2):
        alice.click(f"[name=lines-{n}-DELETE]")
    alice.click("[data-testid=add-line]")
    alice.fill("[name=lines-3-item]", "新客户开发")
    alice.fill("[name=lines-3-amount]", "5000.50")
    alice.fill("[name=lines-3-measures]", "电话开发")
    with alice.expect_navigation():
        alice.click("[data-testid=form-submit]")
    plan = SalesPlan.objects.get()
    assert alice.locator("[data-testid=plan-planned]").inner_text() == "35,000.50"
    assert alice.locator("[data-testid=plan-line]").count() == 2

    # then she hands it in through the dialog
    alice.click("[data-testid=action-submit]")
    assert "销售部经理" in alice.locator(f"{OPEN} [data-testid=confirm-consequence]").inner_text()
    with alice.expect_navigation():
        alice.click(f"{OPEN} [data-testid=confirm-submit]")
    assert "审批中" in alice.locator("[data-testid=status-badge]").inner_text()

    # and once the manager approved it, its page follows the sales against it, charted
    decide(plan, cast.manager)
    alice.reload()
    assert "已批准" in alice.locator("[data-testid=status-badge]").inner_text()
    assert alice.locator("[data-testid=plan-actual]").inner_text() == "0.00"
    assert alice.locator("canvas").count() == 1


def test_the_home_pages_plan_panel_fits_a_phone(cast, page_as, live_server):
    """我的销售计划 on the home page, with an approved plan and its progress bar: on a 390 px phone the page does not
    scroll sideways (the table scrolls inside its card); on a laptop the table keeps its one-line rows."""
    from django.utils import timezone

    from reports.periods import Period
    from tests.plans.test_plans import line, submitted

    today = timezone.localdate()
    decide(submitted(cast.alice, line(amount="1234567.89"), period=Period.month(today.year, today.month).key), cast.manager)

    alice = page_as("alice")
    alice.set_viewport_size({"width": 390, "height": 844})
    alice.goto(f"{live_server.url}/")
    assert alice.locator("[data-testid=plans-panel-row]").count() == 2
    width, client = alice.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert width <= client, f"the home page is {width} px wide on a {client} px phone"

    alice.set_viewport_size({"width": 1366, "height": 800})
    alice.reload()
    rows = alice.locator("[data-testid=plans-panel-row]")
    assert rows.first.evaluate("r => r.offsetHeight") < 60  # no wrapped cells on a laptop
