"""Every document of /api/v1/ is looked up by its id in plain ASCII digits: "2\\x0b", "２" or "2 " is not document 2.
The router groups its patterns under their first path segment (salesops.core.api.Router.get_urls): a request is matched
within its group, and every address resolves and reverses as the flat list did, format suffixes included."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, URLResolver, resolve, reverse
from rest_framework.test import APIClient

from salesops.urls import router
from tests.factories import CustomerFactory


def _detail_url(viewset, basename) -> str | None:
    """The URL of the viewset's first route on one document (retrieve or a detail action), for document 2."""
    for route in router.get_routes(viewset):
        if route.detail and router.get_method_map(viewset, route.mapping):
            name = route.name.format(basename=basename)
            return reverse(name, kwargs={"pk": 2})
    return None


ID_VIEWSETS = [
    (prefix, viewset, url)
    for prefix, viewset, basename in router.registry
    if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and (url := _detail_url(viewset, basename))
]


def test_every_viewset_of_the_api_is_checked():
    assert len(ID_VIEWSETS) >= 25
    prefixes = {prefix for prefix, _v, _u in ID_VIEWSETS}
    assert {"customers", "orders", "contracts", "approval-steps", "expense-claims", "appraisals"} <= prefixes


@pytest.mark.parametrize(("prefix", "viewset", "url"), ID_VIEWSETS, ids=[p for p, _v, _u in ID_VIEWSETS])
def test_a_document_is_looked_up_by_ascii_digits_only(prefix, viewset, url):
    assert resolve(url).func.cls is viewset
    assert f"/{prefix}/2/" in url
    for odd in ("2\x0b", "２", "2 ", "+2", "abc"):
        try:
            match = resolve(url.replace(f"/{prefix}/2/", f"/{prefix}/{odd}/"))
        except Resolver404:
            continue
        assert match.kwargs.get("pk") is None, f"{url} answers for {odd!r}"


@pytest.mark.django_db
def test_a_customer_asked_for_with_a_vertical_tab_is_not_found(cast):
    customer = CustomerFactory(owner=cast.alice)
    client = APIClient()
    client.force_authenticate(cast.alice)
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    response = client.get(f"/api/v1/customers/{customer.pk}%0B/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_patterns_are_grouped_by_their_first_segment():
    top = router.urls
    groups = [p for p in top if isinstance(p, URLResolver)]
    assert {str(p.pattern) for p in groups} >= {"orders/", "customers/", "work/", "approval-steps/"}
    assert max(len(g.url_patterns) for g in groups) < 80  # what one request is matched against, not the ~1,000


def test_addresses_resolve_and_reverse_as_before():
    cases = {
        "/api/v1/orders/": ("order-list", {}),
        "/api/v1/orders/12/": ("order-detail", {"pk": "12"}),
        "/api/v1/orders.json": ("order-list", {"format": "json"}),
        "/api/v1/orders/12.json": ("order-detail", {"pk": "12", "format": "json"}),
        "/api/v1/work/warehouse/": ("work-warehouse", {}),
        "/api/v1/": ("api-root", {}),
        "/api/v1/me/": ("api-me", {}),
    }
    for address, (name, kwargs) in cases.items():
        match = resolve(address)
        assert (match.url_name, match.kwargs) == (name, kwargs), address
    assert reverse("order-detail", args=[3]) == "/api/v1/orders/3/"
    assert reverse("order-list", kwargs={"format": "json"}) == "/api/v1/orders.json"
