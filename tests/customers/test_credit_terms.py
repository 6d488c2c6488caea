"""Credit limit and payment terms are set by managers and finance (issue 13, item 7): a rep or team lead may create
and edit a customer but not its credit; the page shows the terms disabled, the API refuses a change with 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from customers import services
from customers.models import Customer
from salesops.core.errors import Forbidden
from tests.factories import CustomerFactory


@pytest.fixture
def alice_customer(cast):
    return CustomerFactory(owner=cast.alice, team=cast.east)


@pytest.mark.parametrize(
    "who,allowed",
    [("alice", False), ("lena", False), ("clerk", False), ("manager", True), ("finance", True), ("gm", True)],
)
def test_who_sets_the_credit_limit(cast, alice_customer, who, allowed):
    user = getattr(cast, who)
    data = {"credit_limit": Decimal("80000.00"), "payment_terms": Customer.PaymentTerms.CREDIT, "credit_days": 30}
    if allowed:
        services.customer_update(customer=alice_customer, actor=user, data=data)
        alice_customer.refresh_from_db()
        assert alice_customer.credit_limit == Decimal("80000.00") and alice_customer.credit_days == 30
    elif services.can_edit_customer(user, alice_customer):
        with pytest.raises(Forbidden, match="信用额度和付款条件由经理或财务设定"):
            services.customer_update(customer=alice_customer, actor=user, data=data)
        alice_customer.refresh_from_db()
        assert alice_customer.credit_limit == 0 and alice_customer.payment_terms == Customer.PaymentTerms.PREPAID


def test_a_rep_creates_a_customer_without_credit_and_may_send_the_current_values_back(cast):
    with pytest.raises(Forbidden):
        services.customer_create(actor=cast.alice, data={"name": "新客户甲", "credit_limit": "50000"})
    customer = services.customer_create(
        actor=cast.alice, data={"name": "新客户乙", "credit_limit": "0.00", "payment_terms": "prepaid"}
    )
    services.customer_update(customer=customer, actor=cast.alice, data={"credit_limit": "0", "grade": "A"})
    assert Customer.objects.filter(name="新客户甲").count() == 0


def test_the_page_shows_the_terms_disabled_to_a_rep_and_the_api_refuses(cast, client_as, api_as, alice_customer):
    page = client_as(cast.alice).get(reverse("customers:update", args=[alice_customer.pk])).content.decode()
    assert (
        'name="credit_limit"' in page
        and "disabled"
        in page.split('name="credit_limit"')[0].rsplit("<input", 1)[1] + page.split('name="credit_limit"')[1].split(">", 1)[0]
    )
    manager_page = client_as(cast.manager).get(reverse("customers:update", args=[alice_customer.pk])).content.decode()
    tag = manager_page.split('name="credit_limit"')[1].split(">", 1)[0]
    assert "disabled" not in tag
    response = api_as(cast.alice).patch(f"/api/v1/customers/{alice_customer.pk}/", {"credit_limit": "90000.00"}, format="json")
    assert response.status_code == 403 and "经理或财务" in response.json()["detail"]
    assert (
        api_as(cast.finance)
        .patch(f"/api/v1/customers/{alice_customer.pk}/", {"credit_limit": "90000.00"}, format="json")
        .status_code
        == 200
    )
