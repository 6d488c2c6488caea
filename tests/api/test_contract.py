"""What schemathesis found against the published contract (issue 9, item 4), each pinned by an explicit test."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from contracts.api.common import HeaderInput
from customers.models import Customer
from salesops.core.openapi import ERROR_STATUSES

pytestmark = pytest.mark.usefixtures("demo_data", "db")


@pytest.fixture
def manager():
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="manager"))
    return client


def test_every_operation_documents_the_one_error_shape(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            for status in ERROR_STATUSES:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert openapi["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


@pytest.mark.parametrize(("path", "component"), [("/api/v1/receivables/", "Receivables"), ("/api/v1/service-desk/", "Desk")])
def test_a_summary_at_a_collection_address_is_documented_as_one_object(openapi, path, component):
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{component}"}


def test_cancel_terminate_and_change_request_require_a_reason(openapi):
    for name in ("ReasonInputRequest", "ChangeRequestInputRequest"):
        assert "reason" in openapi["components"]["schemas"][name]["required"], name


def test_an_unknown_api_address_answers_the_error_shape_in_json(manager):
    response = manager.get("/api/v1/approval-requests/0/null/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_an_unknown_api_address_is_json_with_debug_on_too(manager, settings):
    # QA: with `make run` (DEBUG on) it answered Django's HTML debug page
    settings.DEBUG = True
    response = manager.get("/api/v1/no-such-list/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "not_found", "detail": "未找到，或您无权查看。"}


def test_an_invalid_filter_is_a_400_naming_it(manager):
    response = manager.get("/api/v1/payments/", {"received_on_to": "not-a-date"})
    assert response.status_code == 400 and "received_on_to" in response.json()["errors"]


@pytest.mark.parametrize(("currency", "message"), [("0", "三位大写字母"), ("ZZ9", "三位大写字母"), ("ZZZ", "不支持的币种")])
def test_currency_codes_are_validated_on_customers_and_quotations(manager, currency, message):
    customer = Customer.objects.filter(team__isnull=False).first()
    response = manager.patch(f"/api/v1/customers/{customer.pk}/", {"currency": currency}, format="json")
    assert response.status_code == 400 and message in response.json()["errors"]["currency"][0]
    header = HeaderInput(data={"currency": currency})  # what quotations and contracts take
    assert not header.is_valid() and message in header.errors["currency"][0]
    assert Customer.objects.get(pk=customer.pk).currency == "CNY"


def test_a_customer_without_a_team_keeps_its_team_name_after_patch(manager):
    customer = Customer.objects.first()
    Customer.objects.filter(pk=customer.pk).update(team=None)
    response = manager.patch(f"/api/v1/customers/{customer.pk}/", {"notes": "补充"}, format="json")
    assert response.status_code == 200 and response.json()["team_name"] == ""


def test_a_new_price_list_counts_its_items(manager):
    response = manager.post("/api/v1/price-lists/", {"name": "新价格表", "valid_from": "2026-01-01"}, format="json")
    assert response.status_code == 201 and response.json()["item_count"] == 0


def test_search_is_documented_only_where_it_searches_and_by_both_names(openapi):
    """`search` is documented only where it searches: DRF's SearchFilter where a list has search_fields, else the list's
    filter set's `q`, which `search` stands for (QA: a client filtering payments by `search` got every row). Every list
    that searches takes both names, `q` and `search` (QA: /api/v1/visits/?q= was ignored)."""
    from django.urls import resolve

    from salesops.core.api_filters import has_q

    for path, methods in openapi["paths"].items():
        names = {p["name"] for p in methods.get("get", {}).get("parameters", ())}
        if "search" not in names and not ("page" in names and "q" in names):
            continue
        func = resolve(path.replace("{id}", "1")).func
        view = func.cls(**func.initkwargs)
        view.action = func.actions.get("get")  # a filter set chosen by the action (the approvals inbox)
        searches = getattr(view, "search_fields", None) or has_q(getattr(view, "filterset_class", None))
        assert searches, f"{path} documents search but does not search"
        assert {"q", "search"} <= names, f"{path} searches by one name only: {names & {'q', 'search'}}"
    payments = {p["name"] for p in openapi["paths"]["/api/v1/payments/"]["get"]["parameters"]}
    customers = {p["name"] for p in openapi["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"q", "search"} <= payments and {"q", "search"} <= customers
