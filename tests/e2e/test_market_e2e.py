"""In a real browser: a rep reports what a competitor does — the customer picked by typing, marked important — and the
lead, told of it, finds it unread on the home page, opens it (then it is read), and the manager withdraws it through
the dialog with a reason."""

import pytest

from market.models import MarketInfo
from tests.factories import CustomerFactory

from .pickers import pick

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = ".modal.show"


def test_a_rep_reports_a_competitors_move_the_lead_reads_it_and_the_manager_withdraws_it(cast, page_as, live_server):
    CustomerFactory(owner=cast.alice, team=cast.east, name="苏州恒通机电")

    # when alice reports the competitor's price cut she heard at her customer, marked important
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/market/new/")
    alice.select_option("#id_kind", "competitor")
    alice.select_option("#id_source", "visit")
    alice.fill("#id_title", "友商伺服降价 5%")
    alice.fill("#id_content", "友商本月起在华东降价约 5%，交期 6 周。")
    pick(alice, "#id_customer", "恒通")
    alice.check("#id_important")
    with alice.expect_navigation():
        alice.click("[data-testid=form-submit]")
    assert "竞争对手信息请填写竞争对手名称" in alice.locator("body").inner_text()  # refused, her typing kept
    assert alice.locator("#id_title").input_value() == "友商伺服降价 5%"
    alice.fill("#id_competitor", "友商机电")
    with alice.expect_navigation():
        alice.click("[data-testid=form-submit]")
    info = MarketInfo.objects.get()
    assert alice.locator("[data-testid=market-important]").is_visible()
    assert alice.locator("[data-testid=market-read-count]").inner_text() == "0 人"

    # then the lead has it unread on the home page, opens it, and it is read
    lena = page_as("lena")
    lena.goto(f"{live_server.url}/")
    assert lena.locator("[data-testid=market-panel-count]").inner_text() == "1"
    with lena.expect_navigation():
        lena.click("[data-testid=market-panel-row] a")
    assert lena.locator("[data-testid=market-title]").inner_text() == "友商伺服降价 5%"
    lena.goto(f"{live_server.url}/market/")
    assert lena.locator("[data-testid=market-row-unread]").count() == 0

    # and the manager withdraws it through the dialog, which asks for the reason
    manager = page_as("manager")
    manager.goto(f"{live_server.url}{info.get_absolute_url()}")
    manager.click("[data-testid=action-withdraw]")
    manager.fill(f"{OPEN} [data-testid=confirm-reason]", "消息未经核实")
    with manager.expect_navigation():
        manager.click(f"{OPEN} [data-testid=confirm-submit]")
    assert "已撤回" in manager.locator("[data-testid=status-badge]").inner_text()
    assert "消息未经核实" in manager.locator("[data-testid=market-withdrawn]").inner_text()
