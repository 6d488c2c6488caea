"""Benchmark: the manager's figures dashboard (/reports/figures/, company scope, every card and chart) over synthetic
months of 20,000 and 200,000 order lines (bench/synthetic.py: generated inside PostgreSQL, not one ORM save per row).
Run: `make bench` (PostgreSQL: see the README), or
`DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=salesops.settings.test .venv/bin/python -m pytest -q -s -p no:cacheprovider bench/test_dashboard_bench.py`.

Prints exactly `DASHBOARD lines=<n> ms=<t> queries=<q>`; fails only if the query count differs between the sizes
(each figure is one aggregate query, each grouped table one streamed query, whatever the volume).
Last run 2026-12-05, 2 cores shared with four other workers (load average 5-7), PostgreSQL 15:
    DASHBOARD lines=20000 ms=723 queries=50
    DASHBOARD lines=200000 ms=3091 queries=50
Integrated, idle machine, the same day: 247 ms and 1,071 ms, 50 queries at both sizes; that evening, idle, with the
after-sales and digest figures of the later commits (56 queries):
    DASHBOARD lines=20000 ms=216 queries=56
    DASHBOARD lines=200000 ms=732 queries=56
Before (same day, lighter load): 341 ms and 5,640 ms, 60 queries; side by side in one process at 200,000 lines the
figures took 8.1-9.4 s (44 queries) before and 1.7-3.1 s (34 queries) after: no JIT compiling of the aging query
(settings: jit=off), each figure read once per page (kpis.one_reading), the top-ten stores from the shipments and credit
notes alone (kpis.top_stores), indexes on the documents' period columns (orders 0009). Earlier: 450 / 5,484 ms with 69
queries, and 3,395 / 39,920 ms before the grouped store rows and the windowed aging.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.synthetic import synthetic_month

QUERIES: dict[int, int] = {}


@pytest.mark.parametrize("lines", [20_000, 200_000])
def test_manager_dashboard(cast, client_as, on_postgres, lines):
    month = synthetic_month(cast, lines=lines)
    client = client_as(cast.manager)
    client.get("/")  # the session and the user's roles are loaded once, as for a user already working
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(f"/reports/figures/?period={month.period_key}&scope=company")
        ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 200
    QUERIES[lines] = len(ctx.captured_queries)
    print(f"\nDASHBOARD lines={lines} ms={ms:.0f} queries={QUERIES[lines]}")
    assert len(set(QUERIES.values())) == 1, QUERIES
