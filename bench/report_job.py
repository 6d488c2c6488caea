"""One measured job of the monthly report benchmark (bench/test_report_bench.py), run in a process of its own so that its
peak resident memory (ru_maxrss) is its own:

    python -m bench.report_job report <run id>     the monthly per-store report end to end (reports.services.runs)
    python -m bench.report_job baseline <YYYY-MM>  the same rows from one raw SQL query into openpyxl write-only

Prints one JSON line: {"seconds": …, "peak_rss_mb": …, "rows": …}.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time

import django


def report(run_id: int) -> int:
    from reports.models import ReportRun
    from reports.services.runs import report_run_generate

    assert report_run_generate(run_id), ReportRun.objects.get(pk=run_id).error
    return len(ReportRun.objects.get(pk=run_id).totals)


def baseline(period_key: str) -> int:
    """The SQL of the store rows (the query reports.kpis.store_rows runs), executed raw, every row appended as it is to a
    write-only sheet: no ORM rows, no styles, no cover, no chart."""
    from django.db import connection
    from openpyxl import Workbook

    from orders.selectors import customer_figures
    from reports.periods import Period

    period = Period.parse(period_key)
    spans = [(p.start, p.end, *p.bounds()) for p in (period, period.previous(), period.year_ago())]
    sql, params = customer_figures(*spans).query.sql_with_params()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            ws.append(row)
            rows += 1
    with tempfile.TemporaryFile() as out:
        wb.save(out)
    return rows


def main() -> None:
    mode, arg = sys.argv[1], sys.argv[2]
    django.setup()
    start = time.perf_counter()
    rows = report(int(arg)) if mode == "report" else baseline(arg)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "rows": rows}))


if __name__ == "__main__":
    main()
