"""Benchmark: the customer list (page and API) with many customers. Run: `make bench` (not part of `make test`).

Targets: 5,000 customers, list page and API page each < 300 ms, queries per page
independent of the number of rows (no N+1). Prints the figures; fails only on the query-count bound.
Baseline 2026-11-23, 2 cores, SQLite: page 47 ms / 10 queries, API 27 ms / 5 queries.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from tests.factories import make_uscc

N = 5000


@pytest.fixture
def many_customers(cast):
    owners = [cast.alice, cast.bob, cast.carol]
    Customer.objects.bulk_create(
        [
            Customer(
                code=f"KH-BENCH-{i:05d}",
                name=f"基准客户{i}有限公司",
                uscc=make_uscc(500000 + i),
                owner=owners[i % 3],
                created_by=owners[i % 3],
                team=cast.east if i % 3 < 2 else cast.south,
            )
            for i in range(N)
        ],
        batch_size=1000,
    )


@pytest.mark.parametrize("url", ["/customers/", "/api/v1/customers/"])
def test_customer_list_speed(many_customers, cast, client_as, url):
    client = client_as(cast.manager)
    client.get(url)  # warm up
    timings = []
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(url + "?page=3")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    per_request_queries = len(ctx.captured_queries) / 5
    print(f"\n{url}: {N} customers, median {sorted(timings)[2]:.0f} ms, {per_request_queries:.0f} queries per request")
    assert per_request_queries < 30
