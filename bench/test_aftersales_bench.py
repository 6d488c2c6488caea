"""Benchmark: the set-based callback scheduler with 1,000 and 10,000 delivered orders. Run: `make bench` (PostgreSQL:
see the README), or `pytest -s bench/test_aftersales_bench.py`.

Data: delivered orders (order, line, delivered shipment, shipment line) written with bulk INSERTs; then one call of
services.callbacks.callbacks_schedule() makes every callback (2 rules: day 7 and day 30). Prints exactly
`FOLLOWUPS deliveries=<n> seconds=<s> queries=<q>`; fails if the query count differs between the sizes.
Baseline 2026-12-01, 2 shared cores, PostgreSQL 15: 1,000 → 0.19 s / 3 queries, 10,000 → 2.9 s / 3 queries
(1 query for the rules + 1 INSERT … SELECT per rule).
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.models import Callback
from aftersales.services.callbacks import callbacks_schedule
from tests.aftersales.conftest import bulk_deliveries

QUERIES: dict[int, int] = {}


@pytest.mark.parametrize("n", [1000, 10000])
def test_followups_scheduler(cast, n):
    bulk_deliveries(cast, n, prefix=f"B{n}")
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        created = callbacks_schedule()
        seconds = time.perf_counter() - start
    assert created == 2 * n and Callback.objects.count() == 2 * n
    QUERIES[n] = len(ctx.captured_queries)
    print(f"\nFOLLOWUPS deliveries={n} seconds={seconds:.3f} queries={QUERIES[n]}")
    assert len(set(QUERIES.values())) == 1, QUERIES  # the same number of queries whatever the size
