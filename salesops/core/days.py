"""The days a document may carry: 2000-01-01 to 2099-12-31. A visit "made" in 1900, a contract dated 2100 or a
quotation of 0001-01-01 is a typing error, not a record; every date a user types is held to this range where it enters
(core.editing.assign_fields for the services that copy input onto a document, `day_range_error` for the others, and
the reports' periods), before any rule of the document's own (not after today, not before the order …)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def day_range_error(day, label) -> str | None:
    """A Chinese message naming `label` when `day` (a date, or None) is outside FIRST_DAY–LAST_DAY, else None."""
    if isinstance(day, date) and not FIRST_DAY <= (day.date() if hasattr(day, "date") else day) <= LAST_DAY:
        return _("%(label)s应在 %(first)s 到 %(last)s 之间，填写的是 %(day)s。") % {
            "label": label,
            "first": FIRST_DAY.isoformat(),
            "last": LAST_DAY.isoformat(),
            "day": day.isoformat()[:10],
        }
    return None
