"""In a real browser: a rep creates a customer with a contact, sees it listed, and cannot open another rep's customer."""

import pytest

from tests.factories import CustomerFactory, make_uscc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_rep_creates_customer_with_contact_and_cannot_open_another_reps(cast, page_as, live_server):
    # given carol (another team's rep) owns a customer
    carols = CustomerFactory(owner=cast.carol, name="华南客户有限公司")
    page = page_as("alice")

    # when alice creates a customer through the form
    page.goto(f"{live_server.url}/customers/")
    page.click("[data-testid=customer-create]")
    page.fill("#id_name", "浏览器测试客户有限公司")
    page.fill("#id_uscc", make_uscc(424242))
    page.click("[data-testid=form-submit]")
    page.wait_for_url("**/customers/*/")
    assert "浏览器测试客户有限公司" in page.content()

    # and adds a contact to it
    page.click("[data-testid=tab-contacts]")
    page.click("[data-testid=contact-add]")
    page.fill("#id_name", "赵经理")
    page.fill("#id_mobile", "13912345678")
    page.click("[data-testid=form-submit]")
    page.wait_for_url("**/customers/*/**")
    if not page.locator("[data-testid=pane-contacts]").is_visible():
        page.click("[data-testid=tab-contacts]")
    assert page.locator("[data-testid=pane-contacts]").get_by_text("赵经理").first.is_visible()

    # then the list shows it (and only her customers)
    page.goto(f"{live_server.url}/customers/")
    rows = page.locator("[data-testid=customer-row]")
    assert rows.count() == 1
    assert "浏览器测试客户有限公司" in rows.first.inner_text()

    # and carol's customer is a 404 for her, by URL
    response = page.goto(f"{live_server.url}/customers/{carols.pk}/")
    assert response.status == 404
    assert "华南客户有限公司" not in page.content()
