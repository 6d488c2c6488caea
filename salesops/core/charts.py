"""The data of a chart as the pages draw it (static/js/kpi_charts.js reads it from the page's "kpi-charts" JSON): one
shape for the dashboard's charts (reports.selectors.figure_charts) and a list's own (the opportunities' funnel)."""

from __future__ import annotations

from decimal import Decimal

from .money import quantize

PERCENT_POINT = Decimal("0.1")


def chart(key: str, title: str, labels: list, series: list[dict], kind: str = "bar", url: str = "", unit: str = "") -> dict:
    """One chart's data for Chart.js; `empty` when every value is missing or zero (the page says "暂无数据"); `unit` "%"
    for a chart of rates given as percentages (percent_points: the axis runs 0–100 % and the points read "85.0%")."""
    empty = not any(v for s in series for v in s["data"] if v is not None)
    return {
        "key": key,
        "title": str(title),
        "type": kind,
        "labels": labels,
        "series": series,
        "empty": empty,
        "url": url,
        "unit": unit,
    }


def percent_points(points: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """(label, rate 0..1) points as percentages to one decimal, half up as the cards read them (0.8525 -> 85.3)."""
    return [(label, None if v is None else quantize(Decimal(v) * 100, PERCENT_POINT)) for label, v in points]


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
