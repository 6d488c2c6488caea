"""One pagination for every list (issue 12): `page_size` 1–200 on the API (400 outside) and on the pages (the default
outside, kept by the filter bar), documented in the schema of every paginated operation; `?cursor=` pages stable under
inserts for syncing clients."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/customers/"


@pytest.fixture
def customers(cast):
    return [CustomerFactory(owner=cast.alice) for _ in range(30)]


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


class TestApiPageSize:
    @pytest.mark.parametrize("size, rows", [(None, 25), ("1", 1), ("10", 10), ("200", 30)])
    def test_the_page_has_the_size_asked_for(self, customers, cast, api_as, size, rows):
        response = api_as(cast.manager).get(API, {"page_size": size} if size else {})
        assert response.status_code == 200
        assert len(response.json()["results"]) == rows
        assert response.json()["count"] == 30

    @pytest.mark.parametrize("size", ["0", "201", "1000", "-5", "abc", "１０", "2.5"])
    def test_a_size_outside_1_to_200_is_a_400_naming_the_parameter(self, customers, cast, api_as, size):
        response = api_as(cast.manager).get(API, {"page_size": size})
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert "page_size" in body["errors"]
        assert "1 到 200" in body["detail"]

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "１", "2.5"])
    def test_a_page_that_is_not_a_number_from_1_is_a_400_naming_it(self, customers, cast, api_as, page):
        response = api_as(cast.manager).get(API, {"page": page})
        assert response.status_code == 400 and "page" in response.json()["errors"]
        assert "页码应为从 1 起的整数" in response.json()["detail"]

    def test_a_page_past_the_last_is_a_404_and_last_is_the_last(self, customers, cast, api_as):
        client = api_as(cast.manager)
        assert client.get(API, {"page": "99"}).status_code == 404
        assert len(_ids(client.get(API, {"page": "last"}))) == 5

    def test_pages_do_not_overlap(self, customers, cast, api_as):
        client = api_as(cast.manager)
        first, second = client.get(API, {"page_size": 20}), client.get(API, {"page_size": 20, "page": 2})
        assert len(_ids(second)) == 10
        assert not set(_ids(first)) & set(_ids(second))

    def test_the_kernel_lists_use_it_too(self, cast, api_as):
        assert api_as(cast.manager).get("/api/v1/notifications/", {"page_size": "0"}).status_code == 400
        assert api_as(cast.manager).get("/api/v1/approval-steps/", {"page_size": "5"}).status_code == 200


class TestCursor:
    def test_a_sync_sees_every_row_once_although_rows_are_added_meanwhile(self, customers, cast, api_as):
        client = api_as(cast.manager)
        response = client.get(API, {"cursor": "", "page_size": 12})
        assert response.status_code == 200
        assert "count" not in response.json()
        seen = _ids(response)
        added = [CustomerFactory(owner=cast.alice).pk for _ in range(3)]  # inserted during the sync
        while response.json()["next"]:
            response = client.get(response.json()["next"])
            seen += _ids(response)
        assert seen == sorted(seen)  # creation order
        assert sorted(seen) == sorted([c.pk for c in customers] + added)  # nothing skipped, nothing twice

    def test_the_filters_still_apply_and_the_size_is_bounded(self, customers, cast, api_as):
        client = api_as(cast.alice)
        other = CustomerFactory(owner=cast.bob)
        response = client.get(API, {"cursor": "", "page_size": 200})
        assert other.pk not in _ids(response)
        assert len(_ids(response)) == 30
        assert client.get(API, {"cursor": "", "page_size": 201}).status_code == 400

    @pytest.mark.parametrize("page", ["2", "8.5e-260", "x"])
    def test_a_page_number_beside_a_cursor_is_refused(self, customers, cast, api_as, page):
        response = api_as(cast.manager).get(API, {"cursor": "", "page": page})
        assert response.status_code == 400
        assert "page" in response.json()["errors"]

    def test_an_empty_page_beside_a_cursor_is_unset(self, customers, cast, api_as):
        assert api_as(cast.manager).get(API, {"cursor": "", "page": ""}).status_code == 200


def test_every_paginated_operation_documents_page_size_and_cursor(openapi):
    schema = openapi
    paginated = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or not any(p["name"] == "page" for p in get.get("parameters", [])):
            continue
        paginated += 1
        params = {p["name"]: p for p in get["parameters"]}
        assert params["page_size"]["schema"]["minimum"] == 1, path
        assert params["page_size"]["schema"]["maximum"] == 200, path
        # the receivables are figures of the day (the oldest debt first), not rows a client copies: no sync cursor
        assert "cursor" in params or path == "/api/v1/receivables/", path
    assert paginated >= 20


class TestPages:
    def test_the_list_page_shows_the_size_asked_for_and_offers_the_sizes(self, customers, cast, client_as):
        response = client_as(cast.manager).get("/customers/", {"page_size": 10, "status": ""})
        assert len(response.context["page"].object_list) == 10
        assert response.context["page"].paginator.num_pages == 3
        html = response.content.decode()
        assert 'data-testid="page-size-50"' in html
        assert "page_size=10" in html  # the next-page link keeps the size
        assert "status=" in html  # … and the filters

    @pytest.mark.parametrize("size", ["500", "201", "0", "-5", "abc", "2.5"])
    def test_a_size_outside_the_bounds_gives_the_default_size_on_a_page(self, customers, cast, client_as, size):
        """Given ?page_size= outside 1–200 on a list page, then the page shows the default 25 rows, no error, and the
        pager offers only its usual sizes (no "1", no "200" it was not asked for)."""
        response = client_as(cast.manager).get("/customers/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 25
        assert [link["size"] for link in response.context["page"].size_links] == [10, 25, 50, 100, 200]
        assert 'name="page_size"' not in response.content.decode()  # the filter bar carries no size: the default

    def test_the_filter_bar_keeps_the_size_chosen(self, customers, cast, client_as):
        """Given 10 per page chosen, when 查询 is pressed (the filter form submitted), then the size stays 10."""
        html = client_as(cast.manager).get("/customers/", {"page_size": 10}).content.decode()
        form = html.split('data-testid="list-filters"', 1)[1].split("</form>", 1)[0]
        assert '<input type="hidden" name="page_size" value="10">' in form
        response = client_as(cast.manager).get("/customers/", {"page_size": 10, "q": "", "status": ""})
        assert len(response.context["page"].object_list) == 10


class TestPagesFromTheEnd:
    """core.pages.ListPaginator: a page in the second half of a completely ordered list is read in the reversed
    order (a short OFFSET) and turned back; beyond page 1 otherwise the ids first. Every page is the page Django's own
    paginator gives, with model instances and with values() rows alike."""

    @pytest.fixture
    def ranked(self, cast):
        # ties in the first ordering key (five customers per grade), the id deciding among them
        return [CustomerFactory(owner=cast.alice, grade="ABC"[i % 3]) for i in range(17)]

    @pytest.mark.parametrize("ordering, complete", [(("grade", "-id"), True), (("-grade", "pk"), True), (("grade",), False)])
    def test_every_page_is_the_plain_paginators_page(self, ranked, ordering, complete):
        from django.core.paginator import Paginator

        from customers.models import Customer
        from salesops.core.pages import ListPaginator, total_ordering

        rows = Customer.objects.order_by(*ordering)
        assert total_ordering(rows) is complete
        plain = Paginator(rows, 4)
        for values in (None, lambda queryset: queryset.values("pk", "name")):
            paginator = ListPaginator(rows, 4, values=values)
            assert paginator.num_pages == 5
            for number in paginator.page_range:
                got = [row["pk"] if values else row.pk for row in paginator.page(number)]
                if complete:
                    assert got == [c.pk for c in plain.page(number)], (ordering, number)
                else:  # no complete order: the rows of the page are read forwards (ids first), never from the end
                    assert len(got) == len(set(got)) == len(plain.page(number).object_list)
