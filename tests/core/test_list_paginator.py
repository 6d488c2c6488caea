"""core.pages.ListPaginator (issue 12): every page holds the same rows, in the same order, as Django's own paginator,
whether it reads page 1 directly, a page before the middle by ids, or a page past the middle backwards from the end
(its rows, or its ids first when many rows follow it) —
with ties and NULLs in the ordering columns, on the model's default ordering and on an explicit one; and the rows'
dates formatted by {{ d|ymd }} as by {{ d|date:"Y-m-d" }}."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer
from salesops.core import pages
from salesops.core.pages import ListPaginator
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(cast):
    rows = [CustomerFactory(owner=cast.alice) for _ in range(23)]
    for i, customer in enumerate(rows):  # ties in grade and dates, NULL dates, a shared created_at
        customer.grade = "ABC"[i % 3]
        customer.next_contact_date = None if i % 4 == 0 else date(2026, 1, 1) + timedelta(days=i % 5)
        customer.save()
    Customer.objects.filter(pk__in=[c.pk for c in rows[:10]]).update(created_at=rows[0].created_at)
    return rows


@pytest.mark.parametrize(
    "ordering",
    [None, ("grade", "id"), ("-grade", "-id"), ("next_contact_date", "-id"), ("-next_contact_date", "id")],
)
@pytest.mark.parametrize("size", [1, 4, 7, 25])
@pytest.mark.parametrize("tail_direct", [pages.TAIL_ROWS_READ_DIRECTLY, 0], ids=["tail-rows", "tail-ids"])
def test_every_page_holds_the_rows_of_djangos_paginator(customers, ordering, size, tail_direct, monkeypatch):
    monkeypatch.setattr(pages, "TAIL_ROWS_READ_DIRECTLY", tail_direct)  # 0: every page past the middle by its ids
    rows = Customer.objects.select_related("owner")
    rows = rows if ordering is None else rows.order_by(*ordering)
    expected = Paginator(rows, size)
    ours = ListPaginator(rows, size)
    assert ours.num_pages == expected.num_pages
    seen = []
    for number in expected.page_range:
        page = [c.pk for c in ours.page(number)]
        assert page == [c.pk for c in expected.page(number)], (ordering, size, number)
        seen += page
    assert sorted(seen) == sorted(c.pk for c in customers)


def test_a_page_far_from_the_end_skips_the_following_rows_by_their_ids(customers, monkeypatch):
    monkeypatch.setattr(pages, "TAIL_ROWS_READ_DIRECTLY", 2)
    rows = Customer.objects.select_related("owner").order_by("id")
    ids = list(rows.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:  # page 15 of 23: 8 rows follow it, past the middle
        assert [c.pk for c in ListPaginator(rows, 1).page(15)] == [ids[14]]
    skipping = [q["sql"] for q in ctx.captured_queries if "OFFSET" in q["sql"]]
    assert len(skipping) == 1 and "JOIN" not in skipping[0]  # the skipped rows are index entries, not joined rows
    with CaptureQueriesContext(connection) as ctx:  # page 22: one row follows, read with the page's joins at once
        assert [c.pk for c in ListPaginator(rows, 1).page(22)] == [ids[21]]
    assert [q["sql"] for q in ctx.captured_queries if "JOIN" in q["sql"] and "OFFSET" in q["sql"]]


@pytest.mark.parametrize(
    "value",
    [None, "", date(2026, 3, 7), date(987, 1, 2), datetime(2026, 3, 7, 17, 30, tzinfo=UTC), datetime(2026, 3, 7, 9, 5)],
)
def test_ymd_gives_what_the_date_filter_gives(value, settings):
    """{{ d|ymd }} (the list rows' dates) is {{ d|date:"Y-m-d" }}: an aware datetime in the current time zone (17:30
    UTC is the next day in Shanghai), nothing for no date."""
    template = engines["django"].from_string('{% load core_tags %}[{{ d|ymd }}][{{ d|date:"Y-m-d" }}]')
    with timezone.override("Asia/Shanghai"):
        ours, django_s = template.render({"d": value})[1:-1].split("][")
    assert ours == django_s


@pytest.mark.parametrize(("size", "counted"), [(23, False), (30, False), (22, True), (5, True)])
def test_a_first_page_that_holds_every_row_is_counted_by_its_rows(customers, size, counted):
    """Page 1 reads one row more than it shows: when it does not come (23 rows, a page of 23 or 30), there is no COUNT;
    when it does, the count is the COUNT's. Either way the page and the count are Django's."""
    rows = Customer.objects.order_by("id")
    with CaptureQueriesContext(connection) as queries:
        page = ListPaginator(rows, size).page(1)
        shown, count, pages_ = [c.pk for c in page], page.paginator.count, page.paginator.num_pages
    expected = Paginator(rows, size).page(1)
    assert shown == [c.pk for c in expected] and (count, pages_) == (23, expected.paginator.num_pages)
    assert page.has_next() == expected.has_next()
    assert any("COUNT(" in q["sql"] for q in queries.captured_queries) is counted
    assert len(queries.captured_queries) == (2 if counted else 1)
