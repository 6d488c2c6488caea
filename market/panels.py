"""The 市场信息 cards other pages show (salesops.core.panels, registered in MarketConfig.ready):

- the home page ("dashboard"): the entries this reader has not opened yet, newest first (shown only when there are some);
- the customer page ("customer_detail"): the entries naming the customer, as far as the reader may read them, with a
  link to report one. Shown to every reader of market information;
- a weekly report ("weekly_report"): the entries its rep reported that week, beside the report's own 市场与竞争信息
  (shown where there are some, or to the rep with a link to report one)."""

from __future__ import annotations

from django.template.loader import render_to_string

from .permissions import reads_market
from .selectors import UNREAD_SHOWN, infos_for, unread_count, unread_for

ROWS = 5


def dashboard_panel(request, user) -> str:
    if not reads_market(user):
        return ""
    rows = list(unread_for(user)[:ROWS])
    if not rows:
        return ""
    count = len(rows) if len(rows) < ROWS else unread_count(user)
    context = {"rows": rows, "count": count, "shown": UNREAD_SHOWN}
    return render_to_string("market/_dashboard_panel.html", context, request=request)


def customer_panel(request, customer) -> str:
    user = getattr(request, "user", None)
    if user is None or not reads_market(user):
        return ""
    entries = infos_for(user).filter(customer=customer).defer("content")
    rows = list(entries[:ROWS])
    count = len(rows) if len(rows) < ROWS else entries.count()
    return render_to_string("market/_customer_panel.html", {"customer": customer, "rows": rows, "count": count}, request=request)


def weekly_panel(request, report) -> str:
    user = getattr(request, "user", None)
    if user is None or not reads_market(user):
        return ""
    start, end = report.period.bounds()
    entries = infos_for(user).filter(reported_by=report.rep_id, created_at__gte=start, created_at__lt=end).defer("content")
    rows = list(entries[:ROWS])
    mine = report.rep_id == user.pk
    if not rows and not mine:
        return ""
    count = len(rows) if len(rows) < ROWS else entries.count()
    context = {"report": report, "rows": rows, "count": count, "mine": mine}
    return render_to_string("market/_weekly_panel.html", context, request=request)
