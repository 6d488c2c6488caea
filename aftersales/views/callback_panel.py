"""The home page's (工作台, "dashboard") card of one's own callbacks due (registered as a salesops.core.panels panel in
AftersalesConfig.ready): whoever has callbacks assigned — a rep with the day-30 callbacks of their orders included, who has
no service desk — sees those due today or overdue, a link to each and to the callback list filtered to the same rows.
Shown only when there are some; one query (the first rows and, by a window over the same rows, their exact count)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Window
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..models import Callback

HOME_ROWS = 5  # as the home page's other lists (reports.selectors.HOME_DOCUMENT_ROWS)


def due_callbacks_head(user, size: int = HOME_ROWS) -> tuple[list[Callback], int]:
    """The first `size` of `user`'s due callbacks and how many there are, in one query."""
    rows = list(selectors.my_due_callbacks(user).annotate(due_total=Window(Count("pk")))[:size])
    return rows, rows[0].due_total if rows else 0


def dashboard_panel(request, user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    rows, count = due_callbacks_head(user)
    if not rows:
        return ""
    query = urlencode({"status": Callback.Status.OPEN, "assignee": user.pk})
    context = {
        "rows": rows,
        "count": count,
        "list_url": f"{reverse('aftersales:callback_list')}?{query}",
        "today": timezone.localdate(),
    }
    return render_to_string("aftersales/_callbacks_panel.html", context, request=request)
