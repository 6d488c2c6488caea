"""One measured job of the monthly report benchmark (bench/test_report_bench.py), run in a process of its own so that its
peak resident memory (VmHWM, see peak_rss_mb) is its own:

    python -m bench.report_job report <run id>     the monthly per-store report end to end (reports.services.runs)
    python -m bench.report_job baseline <YYYY-MM>  the same rows from one raw SQL query into openpyxl write-only

Prints one JSON line: {"seconds": …, "peak_rss_mb": …} with the shipped total (and, for the baseline, the row count).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time

import django


def report(run_id: int) -> dict:
    from reports.models import ReportRun
    from reports.services.runs import report_run_generate

    assert report_run_generate(run_id), ReportRun.objects.get(pk=run_id).error
    return {"shipped": ReportRun.objects.get(pk=run_id).totals["shipped"]["value"]}


def baseline(period_key: str) -> dict:
    """The store rows from ONE raw SQL query — the very query behind kpis.store_rows (orders.figures
    .customer_figure_query: per-customer pivots as UNION ALL, added up and joined to the customer in SQL), run on a
    plain cursor — every row appended as it comes to a write-only sheet: no ORM rows, no server-side cursor, no styles, no
    cover, no chart, no run bookkeeping."""
    from django.db import connection
    from openpyxl import Workbook

    from orders.figures import customer_figure_query
    from reports.kpis import STORE_CUSTOMER_TYPES
    from reports.periods import Period

    period = Period.parse(period_key)
    spans = [(p.start, p.end, *p.bounds()) for p in (period, period.previous(), period.year_ago())]
    sql, params, _alias = customer_figure_query(*spans, customer_types=STORE_CUSTOMER_TYPES)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    rows, shipped = 0, 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            ws.append(row)
            rows += 1
            shipped += row[5]
    with tempfile.TemporaryFile() as out:
        wb.save(out)
    return {"rows": rows, "shipped": str(shipped)}


def warm() -> None:
    """Load, before the clock starts, what either job loads on first use (modules, the translation catalog): the jobs are
    timed doing their work, not importing Python."""
    import openpyxl.chart  # noqa: F401
    from django.conf import settings
    from django.utils import translation

    import orders.selectors  # noqa: F401
    import reports.services.runs  # noqa: F401

    translation.activate(settings.LANGUAGE_CODE)
    translation.gettext("合计")


def peak_rss_mb() -> float:
    """This process's peak resident set: VmHWM (Linux), the high-water mark of its own address space. Not ru_maxrss: the
    kernel carries the parent's peak over an exec into it, so a job started by a 300 MB pytest reported 300 MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    mode, arg = sys.argv[1], sys.argv[2]
    django.setup()
    warm()
    start = time.perf_counter()
    result = report(int(arg)) if mode == "report" else baseline(arg)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, **result}))


if __name__ == "__main__":
    main()
