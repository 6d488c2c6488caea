"""Setting sales targets (销售目标) — one service for the page, the API and the Excel import (reports/imports.py).

The rule: within one period (year / quarter / month), the targets of the teams add up to at most the company's, and the
targets of a team's reps to at most the team's — for the amount, and for new customers and collection where the parent
sets them. A team target needs the company's, a rep target the team's.

Across lengths, for one subject (the company, a team, a rep) and one year: its quarters add up to at most its year
target, the months of a quarter to at most the quarter's and its months to at most the year's — where the longer target
is set (none is required). The checks run under the row locks of the targets they compare with, taken in one query in
pk order together with the row itself (ARCHITECTURE.md rule 11): the level parent, the subject's quarter and year
containing the period. So two people splitting one target at once cannot together exceed it, and lowering a target
below what its parts already hold is refused the same way. On PostgreSQL the changes of one subject's year are also
serialised by an advisory lock taken first, because a row lock cannot hold a target that does not exist yet (a year
target and one of its quarters created at the same moment would not see each other).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import DomainError, Forbidden
from salesops.core.money import MONEY_BOUNDS, quantize

from ..models import SalesTarget
from ..periods import Period
from ..permissions import may_set_target

LENGTH_NAMES = {"quarter": gettext_lazy("季度"), "month": gettext_lazy("月份")}
MEASURES = (
    ("amount", gettext_lazy("销售额目标")),
    ("new_customers", gettext_lazy("新客户数目标")),
    ("collection", gettext_lazy("回款目标")),
)


@dataclass(frozen=True)
class TargetInput:
    year: int
    kind: str
    number: int
    level: str
    team_id: int | None = None
    rep_id: int | None = None
    amount: Decimal = Decimal(0)
    new_customers: int | None = None
    collection: Decimal | None = None

    @property
    def period(self) -> Period:
        if self.kind == "year":
            return Period.year(self.year)
        return Period.quarter(self.year, self.number) if self.kind == "quarter" else Period.month(self.year, self.number)


def _period_of(data: TargetInput) -> dict:
    return {"year": data.year, "kind": data.kind, "number": data.number}


def _check_input(data: TargetInput) -> TargetInput:
    if data.kind not in SalesTarget.Kind.values or data.level not in SalesTarget.Level.values:
        raise DomainError(_("目标周期或层级无效。"))
    valid_number = {"year": data.number == 0, "quarter": 1 <= data.number <= 4, "month": 1 <= data.number <= 12}
    if not valid_number[data.kind] or not 2000 <= data.year <= 2100:
        raise DomainError(_("目标期间无效：年度目标的季度/月份填 0，季度填 1–4，月份填 1–12。"))
    for name, label in MEASURES:
        value = getattr(data, name)
        if value is not None and not (0 <= value <= MONEY_BOUNDS.maximum):
            raise DomainError(_("%(label)s不能为负数，也不能超过 %(max)s。") % {"label": label, "max": MONEY_BOUNDS.maximum})
    if data.level == "rep":
        if data.rep_id is None:
            raise DomainError(_("业务员目标请选择业务员。"))
        team_id = get_user_model().objects.filter(pk=data.rep_id).values_list("profile__team", flat=True).first()
        if team_id is None:
            raise DomainError(_("该业务员不属于任何销售组，不能分配目标。"))
        return TargetInput(**{**data.__dict__, "team_id": team_id})
    if data.level == "team" and data.team_id is None:
        raise DomainError(_("销售组目标请选择销售组。"))
    if data.level == "company":
        return TargetInput(**{**data.__dict__, "team_id": None, "rep_id": None})
    return TargetInput(**{**data.__dict__, "rep_id": None})


def _subject(data: TargetInput) -> dict:
    """The lookup of the target's owner: the company, a team or a rep (a rep's targets follow the rep, not the team)."""
    if data.level == "rep":
        return {"level": "rep", "rep": data.rep_id}
    return {"level": data.level, "team": data.team_id}


def _containers(kind: str, number: int) -> list[tuple[str, int]]:
    """The longer periods of the same year that contain (kind, number): a month's quarter and year, a quarter's year."""
    if kind == "month":
        return [("quarter", (number - 1) // 3 + 1), ("year", 0)]
    return [("year", 0)] if kind == "quarter" else []


def period_parts(kind: str, number: int) -> list[tuple[str, list[int]]]:
    """The shorter periods inside (kind, number) of one year: a year's quarters and months, a quarter's months."""
    if kind == "year":
        return [("quarter", [1, 2, 3, 4]), ("month", list(range(1, 13)))]
    return [("month", list(range(3 * number - 2, 3 * number + 1)))] if kind == "quarter" else []


ADVISORY_LOCK_CLASS = 0x5354  # "ST": the sales targets' advisory locks


def _lock_subject_year(data: TargetInput) -> None:
    """PostgreSQL: wait for the other changes of this subject's targets of this year (a transaction advisory lock, taken
    before any row lock). Row locks hold only rows that exist; this keeps a year target and its quarter created at the
    same moment from missing each other. SQLite lets one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return
    owner = data.rep_id if data.level == "rep" else data.team_id
    key = zlib.crc32(f"{data.year}:{data.level}:{owner}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CLASS, key])


@dataclass
class Locked:
    parent: SalesTarget | None  # the level parent: the company's target of the period for a team, the team's for a rep
    containers: list[SalesTarget]  # the subject's targets of the quarter / year containing the period, where set
    target: SalesTarget | None  # the row itself, when it exists


def _lock(data: TargetInput) -> Locked:
    """Lock the rows the target is checked against and the row itself, in one query in pk order; a DomainError if the
    level parent is not set."""
    period, subject = _period_of(data), _subject(data)
    wanted = Q(**period, **subject)
    if data.level == "team":
        wanted |= Q(**period, level="company")
    elif data.level == "rep":
        wanted |= Q(**period, level="team", team=data.team_id)
    for kind, number in _containers(data.kind, data.number):
        wanted |= Q(year=data.year, kind=kind, number=number, **subject)
    rows = list(SalesTarget.objects.select_for_update().filter(wanted).order_by("pk"))
    same_period = [t for t in rows if t.kind == data.kind]  # the row itself and its level parent (another level)
    parent = next((t for t in same_period if t.level != data.level), None)
    if parent is None and data.level != "company":
        if data.level == "team":
            raise DomainError(_("请先设定%(period)s的全公司目标，再分配到销售组。") % {"period": data.period.label})
        raise DomainError(_("请先设定该销售组%(period)s的目标，再分配到业务员。") % {"period": data.period.label})
    return Locked(
        parent=parent,
        containers=[t for t in rows if t.kind != data.kind],
        target=next((t for t in same_period if t.level == data.level), None),
    )


def _children(data: TargetInput):
    qs = SalesTarget.objects.filter(**_period_of(data))
    if data.level == "company":
        return qs.filter(level="team")
    if data.level == "team":
        return qs.filter(level="rep", team=data.team_id)
    return qs.none()


def _siblings(data: TargetInput, parent: SalesTarget):
    qs = SalesTarget.objects.filter(**_period_of(data), level=data.level)
    if data.level == "rep":
        qs = qs.filter(team=parent.team_id).exclude(rep=data.rep_id)
    else:
        qs = qs.exclude(team=data.team_id)
    return qs


MONEY_MEASURES = ("amount", "collection")


def _sums(qs) -> dict:
    """The sums of the measures (None where no target sets one); money to the fen, whatever the database returns."""
    sums = qs.aggregate(**{name: Sum(name) for name, _label in MEASURES})
    return {name: quantize(v) if name in MONEY_MEASURES and v is not None else v for name, v in sums.items()}


def _check_allocation(data: TargetInput, parent: SalesTarget | None) -> None:
    if parent is not None:
        taken = _sums(_siblings(data, parent))
        for name, label in MEASURES:
            cap, value = getattr(parent, name), getattr(data, name)
            if cap is None or value is None:
                continue
            free = cap - (taken[name] or 0)
            if value > free:
                raise DomainError(
                    _("%(label)s超出上级目标：%(parent)s为 %(cap)s，已分配 %(taken)s，尚可分配 %(free)s。")
                    % {"label": label, "parent": parent.owner_label, "cap": cap, "taken": taken[name] or 0, "free": free}
                )
    held = _sums(_children(data))
    for name, label in MEASURES:
        value = getattr(data, name)
        if value is not None and held[name] is not None and value < held[name]:
            raise DomainError(
                _("%(label)s不能低于已分配给下级的合计 %(held)s，请先调低下级目标。") % {"label": label, "held": held[name]}
            )


def _length_name(kind: str) -> str:
    return str(LENGTH_NAMES[kind])


def _check_lengths(data: TargetInput, containers: list[SalesTarget]) -> None:
    """Its parts of the same length within each longer target of the subject at most that target; itself at least the
    sum of its own parts of each shorter length (see the module's rule)."""
    for container in containers:
        numbers = dict(period_parts(container.kind, container.number))[data.kind]
        others = SalesTarget.objects.filter(year=data.year, kind=data.kind, number__in=numbers, **_subject(data))
        taken = _sums(others.exclude(number=data.number))
        for name, label in MEASURES:
            cap, value = getattr(container, name), getattr(data, name)
            if cap is None or value is None:
                continue
            free = cap - (taken[name] or 0)
            if value > free:
                raise DomainError(
                    _(
                        "%(label)s超出%(period)s目标：%(owner)s%(period)s为 %(cap)s，其他%(length)s已分配 %(taken)s，"
                        "尚可分配 %(free)s。"
                    )
                    % {
                        "label": label,
                        "period": container.period.label,
                        "owner": container.owner_label,
                        "cap": cap,
                        "length": _length_name(data.kind),
                        "taken": taken[name] or 0,
                        "free": free,
                    }
                )
    for kind, numbers in period_parts(data.kind, data.number):
        held = _sums(SalesTarget.objects.filter(year=data.year, kind=kind, number__in=numbers, **_subject(data)))
        for name, label in MEASURES:
            value = getattr(data, name)
            if value is not None and held[name] is not None and value < held[name]:
                raise DomainError(
                    _("%(label)s不能低于%(period)s各%(length)s目标的合计 %(held)s，请先调低%(length)s目标。")
                    % {"label": label, "period": data.period.label, "length": _length_name(kind), "held": held[name]}
                )


@transaction.atomic
def target_set(*, actor, data: TargetInput) -> SalesTarget:
    """Create or change the target of one period and one company / team / rep (see the module's rules)."""
    data = _check_input(data)
    if not may_set_target(actor, data.level, data.team_id):
        raise Forbidden(_("您无权设定该目标：公司和销售组目标由销售经理、副总或总经理设定，组长可把本组目标分配给组员。"))
    _lock_subject_year(data)
    locked = _lock(data)
    parent, target = locked.parent, locked.target
    owner = {"level": data.level, "team_id": data.team_id, "rep_id": data.rep_id}
    _check_allocation(data, parent)
    _check_lengths(data, locked.containers)
    values = {
        "amount": quantize(data.amount),
        "new_customers": data.new_customers,
        "collection": quantize(data.collection) if data.collection is not None else None,
        "updated_by": actor,
    }
    if target is None:
        return SalesTarget.objects.create(**_period_of(data), **owner, **values)
    for key, value in {**owner, **values}.items():
        setattr(target, key, value)
    target.save()
    return target


@transaction.atomic
def target_delete(*, actor, target: SalesTarget) -> None:
    """Remove a target nothing is allocated from (a team's reps' targets go first)."""
    target = SalesTarget.objects.select_for_update().get(pk=target.pk)
    if not may_set_target(actor, target.level, target.team_id):
        raise Forbidden(_("您无权删除该目标。"))
    data = TargetInput(year=target.year, kind=target.kind, number=target.number, level=target.level, team_id=target.team_id)
    if _children(data).exists():
        raise DomainError(_("该目标已分配到下级，请先删除下级目标。"))
    target.delete()
