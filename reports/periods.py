"""Reporting periods: a day, a week (Monday to Sunday), a month, a quarter or a year, with their bounds in the company's time zone (Asia/Shanghai).

Date columns (接单日期, 到账日期, 开票日期) are compared with `start`/`end` (inclusive); timestamp columns (发货时间,
冲减单开具时间, 回访时间) with `bounds()`, the aware start and the exclusive end, so an event at 23:59 on the last day of a
month in Shanghai belongs to that month and one at 00:00 of the 1st to the next, whatever the server's clock zone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops.core.eventtext import sentence

KINDS = ("day", "week", "month", "quarter", "year")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years reports read (a period, a digest's day, a report run's month)
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE), "week"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def validate_report_day(value: date) -> None:
    """A day reports can be read for (a form's or a serializer's validator)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("日期应在 2000–2099 年之间。"), code="invalid")


def validate_started_day(value: date) -> None:
    """A day that has begun (a form's or a serializer's validator: the digest of a day to come would have nothing in it
    and count what is open as of then) — refused with the message of Period.not_started_error."""
    if error := Period.day(value).not_started_error():
        raise ValidationError(error, code="not_started")


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(d: date) -> datetime:
    """Midnight at the start of `d` in the company's time zone (aware)."""
    return datetime.combine(d, time.min, tzinfo=company_zone())


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str

    # --- constructors -------------------------------------------------------------------------------------------------
    @classmethod
    def day(cls, d: date) -> Period:
        return cls(d, d, "day")

    @classmethod
    def week(cls, d: date) -> Period:
        """The week (Monday to Sunday) `d` is in."""
        monday = d - timedelta(days=d.weekday())
        return cls(monday, monday + timedelta(days=6), "week")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), cls.month(year, first + 2).end, "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026-11-05" a day, "2026-11" a month, "2026-Q4" a quarter, "2026" a year; ValueError with a Chinese message."""
        text = (text or "").strip()
        for pattern, kind in _PATTERNS:
            m = pattern.match(text)
            if not m:
                continue
            try:
                numbers = [int(g) for g in m.groups()]
                if not FIRST_YEAR <= numbers[0] <= LAST_YEAR:
                    break
                if kind == "day":
                    return cls.day(date(*numbers))
                if kind == "week":
                    return cls.week(date.fromisocalendar(numbers[0], numbers[1], 1))
                if kind == "month":
                    return cls.month(*numbers)
                return cls.quarter(*numbers) if kind == "quarter" else cls.year(*numbers)
            except ValueError:
                break
        raise ValueError(
            _("期间“%(text)s”无效，应为 2026-11-05、2026-W49、2026-11、2026-Q4 或 2026（2000–2099 年）。") % {"text": text}
        )

    # --- properties -----------------------------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """The inverse of parse(): "2026-11", "2026-Q4", "2026", "2026-11-05", "2026-W49" (the ISO week)."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{self.number}"
        return str(self.start.year)

    @property
    def number(self) -> int:
        """The month (1–12) of a month, the quarter (1–4) of a quarter, 0 for a year or a day."""
        if self.kind == "month":
            return self.start.month
        if self.kind == "quarter":
            return (self.start.month - 1) // 3 + 1
        return 0

    @property
    def label_sentence(self) -> tuple[str, dict]:
        """The label as (msgid, parameters): kept in a stored sentence, it reads in each reader's language."""
        y = self.start.year
        if self.kind == "day":
            return gettext_noop("%(y)s年%(m)s月%(d)s日"), {"y": y, "m": self.start.month, "d": self.start.day}
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return gettext_noop("%(y)s年第%(w)s周（%(start)s–%(end)s）"), {
                "y": year,
                "w": week,
                "start": f"{self.start:%m-%d}",
                "end": f"{self.end:%m-%d}",
            }
        if self.kind == "month":
            return gettext_noop("%(y)s年%(m)s月"), {"y": y, "m": self.start.month}
        if self.kind == "quarter":
            return gettext_noop("%(y)s年第%(q)s季度"), {"y": y, "q": self.number}
        return gettext_noop("%(y)s年"), {"y": y}

    @property
    def label(self) -> str:
        msgid, params = self.label_sentence
        return _(msgid) % params

    @property
    def label_param(self) -> dict:
        """The label as a parameter of a stored sentence (salesops.core.eventtext.sentence)."""
        return sentence(*self.label_sentence)

    @property
    def length(self) -> int:
        """How many days it covers."""
        return (self.end - self.start).days + 1

    def as_of(self, today: date | None = None) -> date:
        """The day a snapshot of the period is read at (应收账龄, 未发货额, 回款率's receivables, the funnel now): its last
        day once it is over, today (`today`, default the company's today) while it runs — as the receivables page ages
        them. The one rule every page, API and workbook follows for "the end of the period"."""
        return min(self.end, today or timezone.localdate())

    def has_started(self, today: date | None = None) -> bool:
        return self.start <= (today or timezone.localdate())

    def not_started_error(self, today: date | None = None) -> str | None:
        """Why the period's figures are refused (it has not begun: nothing has happened in it yet, and what is owed would be
        counted as owed at its end), or None. The report runs, the figures page and API and the digest say the same."""
        if self.has_started(today):
            return None
        if self.kind == "month":
            return _("不能生成尚未开始的月份（%(period)s）的报表。") % {"period": self.label}
        return _("不能生成尚未开始的期间（%(period)s）的报表。") % {"period": self.label}

    def bounds(self) -> tuple[datetime, datetime]:
        """(aware start, aware exclusive end) in Asia/Shanghai."""
        return day_start(self.start), day_start(self.end + timedelta(days=1))

    def months(self) -> list[Period]:
        """The months the period covers (a day: its month)."""
        out, y, m = [], self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    # --- neighbours -----------------------------------------------------------------------------------------------------
    def shifted(self, months: int) -> Period:
        """The same kind of period `months` months later (negative: earlier); a day moves by whole months too, a week
        to the week of its Monday's day that many months on."""
        y, m = divmod(self.start.year * 12 + self.start.month - 1 + months, 12)
        m += 1
        if self.kind in ("day", "week"):
            day = date(y, m, min(self.start.day, calendar.monthrange(y, m)[1]))
            return Period.day(day) if self.kind == "day" else Period.week(day)
        if self.kind == "month":
            return Period.month(y, m)
        if self.kind == "quarter":
            return Period.quarter(y, (m - 1) // 3 + 1)
        return Period.year(y)

    def previous(self) -> Period:
        """The period of the same length just before: the day before, last month, last quarter, last year."""
        if self.kind in ("day", "week"):
            return Period(self.start - timedelta(days=self.length), self.end - timedelta(days=self.length), self.kind)
        return self.shifted(-{"month": 1, "quarter": 3, "year": 12}[self.kind])

    def year_ago(self) -> Period:
        return self.shifted(-12)

    def __str__(self) -> str:
        return self.key
