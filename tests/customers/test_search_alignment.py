"""One search for the customer list, its picker and the API (QA of the lists): every word typed is found in one of the
fields, whichever of them a clerk types (a contact's mobile, the USCC); the API's lists take `q` and `search` alike; the
product picker finds the spec as the product list does; the visit list has a search box, a customer picker and a count."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import ContactFactory, CustomerFactory, ProductFactory, VisitFactory, VisitPlanFactory

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _ids(response) -> set[int]:
    return {row["id"] for row in _rows(response)}


@pytest.fixture
def hengtong(cast):
    """alice's 苏州恒通机械有限公司 (contact 李建国, 13912345678) and a customer that only shares a word."""
    customer = CustomerFactory(owner=cast.alice, name="苏州恒通机械有限公司", short_name="恒通", uscc="91320500MA1XYZ1234")
    ContactFactory(customer=customer, name="李建国", mobile="13912345678")
    other = CustomerFactory(owner=cast.alice, name="苏州精工有限公司")
    ContactFactory(customer=other, name="张三", mobile="13700000000")
    return customer, other


class TestCustomerSearch:
    def test_the_list_finds_a_customer_by_two_words_like_the_orders_picker_and_api(self, cast, client_as, api_as, hengtong):
        """Given 苏州恒通机械, when "苏州 恒通" is searched on the list, the picker and the API, then each finds it and
        only it (the other 苏州 customer lacks 恒通)."""
        customer, _other = hengtong
        page = client_as(cast.alice).get("/customers/", {"q": "苏州 恒通"})
        assert page.status_code == 200 and [c.pk for c in page.context["page"]] == [customer.pk]
        assert _ids(client_as(cast.alice).get("/customers/lookup/", {"q": "苏州 恒通"})) == {customer.pk}
        assert _ids(api_as(cast.alice).get("/api/v1/customers/", {"search": "苏州 恒通"})) == {customer.pk}
        assert _ids(api_as(cast.alice).get("/api/v1/customers/", {"q": "苏州 恒通"})) == {customer.pk}

    def test_a_word_of_the_name_and_a_word_of_a_contact_together(self, cast, client_as, hengtong):
        customer, _other = hengtong
        page = client_as(cast.alice).get("/customers/", {"q": "恒通 李建国"})
        assert [c.pk for c in page.context["page"]] == [customer.pk]

    @pytest.mark.parametrize("url", ["/customers/lookup/", "/api/v1/customers/lookup/"])
    @pytest.mark.parametrize("text", ["13912345678", "1391234", "91320500MA1XYZ1234", "91320500ma1xyz", "李建国"])
    def test_the_picker_finds_the_caller_by_mobile_uscc_or_contact_name(self, cast, client_as, hengtong, url, text):
        """Given a clerk taking a phone order, when they type the caller's mobile (or its start), the USCC or the
        contact's name into the customer picker, then the customer is offered, once."""
        customer, _other = hengtong
        rows = _rows(client_as(cast.alice).get(url, {"q": text}))
        assert [row["id"] for row in rows] == [customer.pk]

    def test_the_picker_keeps_to_the_visible_customers(self, cast, client_as, hengtong):
        assert _rows(client_as(cast.carol).get("/customers/lookup/", {"q": "13912345678"})) == []


class TestApiSearchParameter:
    """Every API list takes `q` and `search` (the filter sets' `q`, DRF's `search` where a list has search fields)."""

    def test_visits_and_visit_plans_take_q_as_well_as_search(self, cast, api_as, hengtong):
        customer, other = hengtong
        mine = VisitFactory(customer=customer, rep=cast.alice, purpose="技术交流")
        VisitFactory(customer=other, rep=cast.alice, purpose="回访")
        plan = VisitPlanFactory(customer=customer, rep=cast.alice)
        VisitPlanFactory(customer=other, rep=cast.alice)
        api = api_as(cast.alice)
        for param in ("q", "search"):
            assert _ids(api.get("/api/v1/visits/", {param: "恒通"})) == {mine.pk}, param
            assert _ids(api.get("/api/v1/visit-plans/", {param: "恒通"})) == {plan.pk}, param

    def test_a_list_searching_by_q_takes_search_too(self, cast, api_as, hengtong):
        """Given the opportunities (a filter set's `q`, no DRF search fields), then `search` finds what `q` finds."""
        from customers import services

        customer, other = hengtong
        made = {}
        for who, title in ((customer, "恒通水泵改造"), (other, "精工产线")):
            data = {
                "title": title,
                "needs": "需求",
                "amount": Decimal("1000.00"),
                "expected_close": date.today() + timedelta(days=30),
            }
            made[title] = services.opportunity_create(actor=cast.alice, customer=who, data=data)
        wanted = made["恒通水泵改造"]
        api = api_as(cast.alice)
        assert _ids(api.get("/api/v1/opportunities/", {"search": "水泵"})) == {wanted.pk}
        assert _ids(api.get("/api/v1/opportunities/", {"q": "水泵"})) == {wanted.pk}

    def test_the_schema_documents_both_names(self, openapi):
        for path in ("/api/v1/visits/", "/api/v1/visit-plans/", "/api/v1/customers/", "/api/v1/opportunities/"):
            names = {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}
            assert {"q", "search"} <= names, (path, names)


class TestProductPicker:
    @pytest.mark.parametrize("url", ["/catalog/products/lookup/", "/api/v1/products/lookup/"])
    def test_it_finds_the_spec_as_the_product_list_does(self, cast, client_as, url):
        motor = ProductFactory(code="M-1", name="电机", spec="2.2kW 380V")
        ProductFactory(code="M-2", name="电机", spec="750W 220V")
        assert [r["id"] for r in _rows(client_as(cast.alice).get(url, {"q": "电机 2.2kW"}))] == [motor.pk]
        page = client_as(cast.alice).get("/catalog/products/", {"q": "电机 2.2kW"})
        assert [p.pk for p in page.context["page"]] == [motor.pk]


class TestVisitList:
    @pytest.fixture
    def visits(self, cast, hengtong):
        customer, other = hengtong
        return (
            VisitFactory(customer=customer, rep=cast.alice, purpose="技术交流", outcome="客户要求报价"),
            VisitFactory(customer=other, rep=cast.bob, purpose="回访", outcome="暂无需求"),
        )

    def test_the_page_has_a_search_box_a_customer_picker_and_the_count(self, cast, client_as, visits):
        html = client_as(cast.manager).get("/customers/visits/").content.decode()
        assert 'type="search" name="q"' in html
        assert 'name="customer"' in html and 'data-lookup-url="/customers/lookup/"' in html
        assert 'type="number" name="customer"' not in html
        assert 'data-testid="visit-count"' in html and "共 2 次" in html

    @pytest.mark.parametrize("text", ["恒通", "技术交流", "报价", "苏州 报价"])
    def test_search_finds_by_customer_purpose_or_outcome(self, cast, client_as, visits, text):
        response = client_as(cast.manager).get("/customers/visits/", {"q": text})
        assert [v.pk for v in response.context["page"]] == [visits[0].pk]

    def test_the_customer_filter_shows_the_chosen_customer_and_filters(self, cast, client_as, visits):
        customer = visits[0].customer
        response = client_as(cast.manager).get("/customers/visits/", {"customer": customer.pk})
        assert [v.pk for v in response.context["page"]] == [visits[0].pk]
        assert f'<option value="{customer.pk}" selected>{customer}</option>' in response.content.decode()
