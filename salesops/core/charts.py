"""The data of a chart as the pages draw it (static/js/kpi_charts.js reads it from the page's "kpi-charts" JSON): one
shape for the dashboard's charts (reports.selectors.figure_charts) and a list's own (the opportunities' funnel)."""

from __future__ import annotations


def chart(key: str, title: str, labels: list, series: list[dict], kind: str = "bar", url: str = "") -> dict:
    """One chart's data for Chart.js; `empty` when every value is missing or zero (the page says "暂无数据")."""
    empty = not any(v for s in series for v in s["data"] if v is not None)
    return {"key": key, "title": str(title), "type": kind, "labels": labels, "series": series, "empty": empty, "url": url}


def chart_number(value) -> float | None:
    """A chart point (Chart.js draws numbers; the cards and the API keep the exact Decimal)."""
    return None if value is None else float(value)


def rows_chart(key: str, title: str, rows: list[dict], label: str, series: list[tuple[str, str]], **kw) -> dict:
    """A chart of rows (dicts): each row's `label` entry on the axis, one series per (entry, name) of `series`."""
    return chart(
        key,
        title,
        [str(row[label]) for row in rows],
        [{"label": str(name), "data": [chart_number(row[entry]) for row in rows]} for entry, name in series],
        **kw,
    )


def series_chart(key: str, title: str, points: list[tuple[str, object]], name: str, **kw) -> dict:
    """A chart of one series from (label, value) points."""
    return chart(
        key,
        title,
        [str(label) for label, _v in points],
        [{"label": str(name), "data": [chart_number(v) for _l, v in points]}],
        **kw,
    )
