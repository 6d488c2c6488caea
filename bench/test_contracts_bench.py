"""Benchmark: quotation and contract lists (pages and API) with many documents. Run: `make bench` (not part of `make test`).

Targets: 2,000 quotations and 2,000 contracts, each list < 300 ms and a query count that does not grow with the rows.
Prints the figures; fails only on the query-count bound.
Baseline 2026-11-23, 2 cores, SQLite: quotation page 29 ms / 9 queries, contract page 37 ms / 11, API 16 ms / 5 and 31 ms / 5.
"""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract, Quotation
from tests.factories import CustomerFactory

N = 2000


@pytest.fixture
def many_documents(cast):
    customers = [CustomerFactory(owner=[cast.alice, cast.bob, cast.carol][i % 3]) for i in range(30)]
    today = timezone.localdate()
    Quotation.objects.bulk_create(
        [
            Quotation(
                number=f"QT-BENCH-{i:05d}",
                customer=customers[i % 30],
                owner=customers[i % 30].owner,
                created_by=cast.clerk,
                quote_date=today,
                valid_until=today + timedelta(days=30),
                amount_incl=Decimal("11300.00"),
            )
            for i in range(N)
        ],
        batch_size=500,
    )
    Contract.objects.bulk_create(
        [
            Contract(
                number=f"HT-BENCH-{i:05d}",
                customer=customers[i % 30],
                owner=customers[i % 30].owner,
                created_by=cast.clerk,
                contract_date=today,
                amount_incl=Decimal("11300.00"),
                classification="special" if i % 4 == 0 else "general",
            )
            for i in range(N)
        ],
        batch_size=500,
    )


@pytest.mark.parametrize("url", ["/sales/quotations/", "/sales/contracts/", "/api/v1/quotations/", "/api/v1/contracts/"])
def test_document_list_speed(many_documents, cast, client_as, url):
    client = client_as(cast.manager)
    assert client.get(url).status_code == 200  # warm up
    timings = []
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(url + "?page=3")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    per_request = len(ctx.captured_queries) / 3
    print(f"\n{url}: {N} documents, median {sorted(timings)[1]:.0f} ms, {per_request:.0f} queries per request")
    assert per_request < 40
