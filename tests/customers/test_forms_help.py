"""Forms that help on the customer pages: a pasted USCC / tax id with spaces is compacted before it is checked (form and
service alike), and the visit log takes its customer from the type-ahead and offers that customer's contacts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from customers import services
from customers.models import Customer, InvoiceTitle, Visit
from customers.validators import compact_uscc
from tests.customers.test_views import customer_post
from tests.factories import ContactFactory, CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db


def spaced(code: str) -> str:
    """A code as pasted from a PDF or a business licence photo: groups of four, a tab and a line break."""
    return " " + " ".join(code[i : i + 4] for i in range(0, 18, 4)).replace(" ", "\t", 1) + "\n"


def test_compact_uscc_removes_every_whitespace_and_uppercases():
    assert compact_uscc(" 9131 0000\tma1f\u3000L12X 3Q\n") == "91310000MA1FL12X3Q"
    assert compact_uscc(None) == ""


def test_a_pasted_uscc_with_spaces_is_trimmed_before_checking(cast, client_as):
    code = make_uscc(77)
    response = client_as(cast.alice).post(
        reverse("customers:create"), customer_post(name="昆山新能源有限公司", uscc=spaced(code))
    )
    assert response.status_code == 302 and Customer.objects.get().uscc == code


def test_a_wrong_uscc_with_spaces_still_gets_the_check_digit_message(cast, client_as):
    code = make_uscc(77)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client_as(cast.alice).post(
        reverse("customers:create"), customer_post(name="昆山新能源有限公司", uscc=spaced(wrong))
    )
    assert response.status_code == 400 and "校验位不正确" in response.content.decode()
    assert not Customer.objects.exists()


def test_the_service_compacts_the_uscc_and_the_tax_id(cast):
    code = make_uscc(78)
    customer = services.customer_create(actor=cast.alice, data={"name": "苏州新材料有限公司", "uscc": spaced(code)})
    assert customer.uscc == code
    title = services.invoice_title_create(
        actor=cast.alice, customer=customer, data={"title": customer.name, "tax_id": spaced(code), "invoice_type": "general"}
    )
    assert title.tax_id == code


def test_the_invoice_title_form_compacts_a_pasted_tax_id(cast, client_as):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    code = make_uscc(79)
    response = client_as(cast.alice).post(
        reverse("customers:invoice_title_add", args=[customer.pk]),
        {"title": customer.name, "tax_id": spaced(code), "invoice_type": "general"},
    )
    assert response.status_code == 302 and InvoiceTitle.objects.get(customer=customer).tax_id == code


def test_the_visit_log_takes_the_customer_from_the_type_ahead_with_its_contacts(cast, client_as):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
    contact = ContactFactory(customer=customer, name="王经理")
    stranger = ContactFactory(customer=CustomerFactory(owner=cast.alice, team=cast.east), name="李工")
    client = client_as(cast.alice)
    page = client.get(reverse("customers:visit_create")).content.decode()
    assert f'data-lookup-url="{reverse("customers:lookup")}"' in page and 'data-party="contacts"' in page
    assert "苏州精工机械有限公司" not in page  # a type-ahead, not a select of every customer
    data = {"customer": customer.pk, "visited_on": "2026-12-01", "purpose": "回访", "outcome": "满意"}
    refused = client.post(reverse("customers:visit_create"), {**data, "contact": stranger.pk})
    assert refused.status_code == 400 and "所选联系人不属于该客户" in refused.content.decode()
    saved = client.post(reverse("customers:visit_create"), {**data, "contact": contact.pk})
    assert saved.status_code == 302 and Visit.objects.get().contact == contact
    assert re.search(
        r"<option value=\"\d+\" selected>苏州精工机械有限公司",
        client.get(reverse("customers:visit_create"), {"customer": customer.pk}).content.decode(),
    )


def test_the_api_compacts_a_pasted_uscc_before_checking_it(cast, api_as):
    code = make_uscc(80)
    r = api_as(cast.alice).post("/api/v1/customers/", {"name": "宁波海天精工", "uscc": spaced(code)}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["uscc"] == code
