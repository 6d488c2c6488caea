"""Benchmark: 导出 Excel of a large list stays flat in memory. Run: `make bench` (not part of `make test`).

Exports 2,000 and then 20,000 customers (with a contact each) through the page's export (written in the request here:
EXPORT_DIRECT_ROWS raised; beyond 5,000 rows a worker writes the same file, core.export_runs) and prints
`EXPORT rows=<n> seconds=<s> peak_kib=<python heap peak> queries=<q>`. The rows come from `.iterator()` in chunks and
the sheet goes to a temporary file, so the peak must not grow with the rows: it fails if the peak at 20,000 rows is
more than twice the peak at 2,000, or if the queries grow beyond one per chunk.
What still grows is openpyxl's shared-string table (every distinct text of the sheet is kept once until the file is
written), not the rows. Baseline 2026-12-05, 2 shared cores, SQLite, timed under tracemalloc (which slows it ~5×):
rows=2000 7.9 s peak 23 MiB 6 queries; rows=20000 89 s peak 37 MiB 15 queries.
"""

import time
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Contact, Customer
from salesops.core.exports import EXPORT_CHUNK
from tests.factories import make_uscc


def _customers(cast, start: int, n: int) -> None:
    owners = [cast.alice, cast.bob, cast.carol]
    made = Customer.objects.bulk_create(
        [
            Customer(
                code=f"KH-EXP-{i:06d}",
                name=f"导出基准客户{i}有限公司",
                uscc=make_uscc(700000 + i),
                owner=owners[i % 3],
                created_by=owners[i % 3],
                team=cast.east if i % 3 < 2 else cast.south,
            )
            for i in range(start, start + n)
        ],
        batch_size=1000,
    )
    Contact.objects.bulk_create([Contact(customer=c, name="联系人", is_primary=True) for c in made], batch_size=1000)


def _export(client) -> tuple[float, int, int, int]:
    tracemalloc.start()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("core:list_export", args=["customers"]))
        size = sum(len(block) for block in response.streaming_content)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert response.status_code == 200 and size > 0
    return seconds, peak // 1024, len(ctx.captured_queries), size


@pytest.mark.django_db
def test_export_memory_is_flat(cast, client_as, settings):
    settings.EXPORT_DIRECT_ROWS = 100_000  # the file written in the request, as a worker writes a long list's (core.export_runs)
    client = client_as(cast.manager)
    peaks = {}
    _customers(cast, 0, 2000)
    for rows, more in ((2000, 18000), (20000, 0)):
        seconds, peak, queries, _size = _export(client)
        peaks[rows] = peak
        print(f"\nEXPORT rows={rows} seconds={seconds:.2f} peak_kib={peak} queries={queries}")
        assert queries <= 10 + 2 * (rows // EXPORT_CHUNK + 1)
        if more:
            _customers(cast, rows, more)
    assert peaks[20000] < 2 * peaks[2000]
