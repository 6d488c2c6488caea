"""The API's router groups its patterns under their first path segment (salesops.core.api.Router.get_urls): a request is
matched within its group, and every address resolves and reverses as the flat list did, format suffixes included."""

from django.urls import URLResolver, resolve, reverse

from salesops.urls import router


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
