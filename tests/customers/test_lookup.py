"""The customer picker's type-ahead (issue 12): API and page JSON, visibility-scoped, at most 20 matches."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URLS = ["/api/v1/customers/lookup/", "/customers/lookup/"]


def _rows(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


@pytest.fixture
def customers(cast):
    return {
        "alice": CustomerFactory(owner=cast.alice, name="苏州恒达机械有限公司", short_name="恒达", code="KH-0001"),
        "alice2": CustomerFactory(owner=cast.alice, name="无锡华东电气有限公司", code="KH-0002"),
        "bob": CustomerFactory(owner=cast.bob, name="杭州恒达贸易有限公司", code="KH-0003"),
    }


@pytest.mark.parametrize("url", URLS)
def test_a_part_of_the_name_finds_the_visible_customers_only(customers, cast, client_as, url):
    rows = _rows(client_as(cast.alice).get(url, {"q": "恒达"}))
    assert rows == [{"id": customers["alice"].pk, "name": "苏州恒达机械有限公司", "code": "KH-0001"}]
    manager_rows = _rows(client_as(cast.manager).get(url, {"q": "恒达"}))
    assert {r["id"] for r in manager_rows} == {customers["alice"].pk, customers["bob"].pk}


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("q, expected", [("kh-0002", ["alice2"]), ("恒达 机械", ["alice"]), ("", ["alice2", "alice"])])
def test_code_words_and_empty_query(customers, cast, client_as, url, q, expected):
    rows = _rows(client_as(cast.alice).get(url, {"q": q}))
    assert [r["id"] for r in rows] == [customers[k].pk for k in expected]  # by name


@pytest.mark.parametrize("url", URLS)
def test_at_most_twenty_matches(cast, client_as, url):
    for _ in range(25):
        CustomerFactory(owner=cast.alice)
    assert len(_rows(client_as(cast.alice).get(url, {"q": "测试客户"}))) == 20


@pytest.mark.parametrize("url", URLS)
def test_a_user_without_customers_finds_nothing(customers, cast, client_as, url):
    assert _rows(client_as(cast.carol).get(url, {"q": "有限公司"})) == []


def test_anonymous_is_refused(customers, client):
    assert client.get("/api/v1/customers/lookup/").status_code in (401, 403)
    assert client.get("/customers/lookup/").status_code == 302
