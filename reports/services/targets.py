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

A target is named by its period and owner: the form's 设定 and the API's POST create one (an existing one is a 409, to
be changed instead), the form's 修改 and the API's PUT/PATCH change one's figures (never its period or owner), and the
Excel import sets each row's (an exported file imports back). A rep target's team is the rep's: another is refused.
Refusals about one field are TargetError (its `field`), so the form, the API and the import name it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.selectors import OWNER_ROLES
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.locking import advisory_lock
from salesops.core.money import MONEY_BOUNDS, quantize
from salesops.core.names import display_name

from ..models import SalesTarget
from ..periods import Period
from ..permissions import may_set_target

LENGTH_NAMES = {"quarter": gettext_lazy("季度"), "month": gettext_lazy("月份")}
MAX_NEW_CUSTOMERS = 1_000_000  # a count of customers, not money: the form, the API and the import take the same bound
MEASURES = (
    ("amount", gettext_lazy("销售额目标")),
    ("new_customers", gettext_lazy("新客户数目标")),
    ("collection", gettext_lazy("回款目标")),
)


class TargetError(DomainError):
    """A refusal about one field of the target (`field`: "amount", "team", "rep"…): the form puts it on that field, the
    API names it in `errors`, the import on that column."""

    def __init__(self, message, *, field: str, code: str | None = None):
        super().__init__(message, code=code, field=field)


KEY_FIELDS = ("year", "kind", "number", "level", "team", "rep")  # what names a target: its period and its owner


def rep_target_holders():
    """Who may hold a rep target: the active sellers (业务员, 销售组长, 销售经理, 副总: customers.selectors.OWNER_ROLES)
    who belong to a sales team — a rep's target is split from their team's. By name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=OWNER_ROLES, profile__team__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
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


def _check_measures(data: TargetInput) -> None:
    """Money targets from 0 to the money bound, to the fen (a third decimal is refused, never rounded); the new-customer
    target a count from 0 to MAX_NEW_CUSTOMERS."""
    for name, label in MEASURES:
        value = getattr(data, name)
        if value is None:
            continue
        if name == "new_customers":
            if isinstance(value, bool) or int(value) != value or not 0 <= value <= MAX_NEW_CUSTOMERS:
                raise TargetError(
                    _("%(label)s是客户个数，应为 0 到 %(max)s 之间的整数。") % {"label": label, "max": MAX_NEW_CUSTOMERS},
                    field=name,
                )
            continue
        if not (0 <= value <= MONEY_BOUNDS.maximum):
            raise TargetError(
                _("%(label)s不能为负数，也不能超过 %(max)s。") % {"label": label, "max": MONEY_BOUNDS.maximum}, field=name
            )
        if quantize(value) != value:
            raise TargetError(
                _("%(label)s最多两位小数（精确到分），%(value)s 不能保存。") % {"label": label, "value": value}, field=name
            )


def _check_input(data: TargetInput) -> TargetInput:
    """The target's period, owner and measures as given, refused field by field (TargetError); the team of a rep target is
    the rep's — given another, it is refused, never replaced."""
    if data.kind not in SalesTarget.Kind.values:
        raise TargetError(_("目标周期无效。"), field="kind")
    if data.level not in SalesTarget.Level.values:
        raise TargetError(_("目标层级无效。"), field="level")
    if not 2000 <= data.year <= 2100:
        raise TargetError(_("目标年份应在 2000 到 2100 之间。"), field="year")
    valid_number = {"year": data.number == 0, "quarter": 1 <= data.number <= 4, "month": 1 <= data.number <= 12}
    if not valid_number[data.kind]:
        raise TargetError(_("目标期间无效：年度目标的季度/月份填 0，季度填 1–4，月份填 1–12。"), field="number")
    _check_measures(data)
    if data.level == "rep":
        if data.rep_id is None:
            raise TargetError(_("业务员目标请选择业务员。"), field="rep")
        rep = rep_target_holders().filter(pk=data.rep_id).select_related("profile__team").first()
        if rep is None:
            raise TargetError(
                _("业务员目标只能设给在职、属于销售组的销售人员（业务员、销售组长等）；所选用户不是。"), field="rep"
            )
        team = rep.profile.team
        if data.team_id is not None and data.team_id != team.pk:
            raise TargetError(
                _("%(rep)s属于%(team)s：业务员目标的销售组就是业务员所在的组，请留空或填写%(team)s。")
                % {"rep": display_name(rep), "team": team.name},
                field="team",
            )
        return TargetInput(**{**data.__dict__, "team_id": team.pk})
    if data.rep_id is not None:
        raise TargetError(_("只有业务员目标填写业务员。"), field="rep")
    if data.level == "team" and data.team_id is None:
        raise TargetError(_("销售组目标请选择销售组。"), field="team")
    if data.level == "company" and data.team_id is not None:
        raise TargetError(_("全公司目标不填写销售组。"), field="team")
    return data


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


def _lock_subject_year(data: TargetInput) -> None:
    """Wait for the other changes of this subject's targets of this year (core.locking.advisory_lock, taken before any
    row lock). Row locks hold only rows that exist; this keeps a year target and its quarter created at the same moment
    from missing each other."""
    owner = data.rep_id if data.level == "rep" else data.team_id
    advisory_lock("sales_targets", f"{data.year}:{data.level}:{owner}")


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
            message = _("请先设定%(period)s的全公司目标，再分配到销售组。") % {"period": data.period.label}
            raise TargetError(message, field="level")
        raise TargetError(_("请先设定该销售组%(period)s的目标，再分配到业务员。") % {"period": data.period.label}, field="team")
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
                raise TargetError(
                    _("%(label)s超出上级目标：%(parent)s为 %(cap)s，已分配 %(taken)s，尚可分配 %(free)s。")
                    % {"label": label, "parent": parent.owner_label, "cap": cap, "taken": taken[name] or 0, "free": free},
                    field=name,
                )
    held = _sums(_children(data))
    for name, label in MEASURES:
        value = getattr(data, name)
        if value is not None and held[name] is not None and value < held[name]:
            raise TargetError(
                _("%(label)s不能低于已分配给下级的合计 %(held)s，请先调低下级目标。") % {"label": label, "held": held[name]},
                field=name,
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
                raise TargetError(
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
                    },
                    field=name,
                )
    for kind, numbers in period_parts(data.kind, data.number):
        held = _sums(SalesTarget.objects.filter(year=data.year, kind=kind, number__in=numbers, **_subject(data)))
        for name, label in MEASURES:
            value = getattr(data, name)
            if value is not None and held[name] is not None and value < held[name]:
                raise TargetError(
                    _("%(label)s不能低于%(period)s各%(length)s目标的合计 %(held)s，请先调低%(length)s目标。")
                    % {"label": label, "period": data.period.label, "length": _length_name(kind), "held": held[name]},
                    field=name,
                )


def _key_change(data: TargetInput, target: SalesTarget) -> str | None:
    """The first of KEY_FIELDS in which `data` names another target than `target` (None: the same one). A rep target is
    the rep's (_subject): its team follows the rep's, so a rep who moved keeps their targets."""
    given = {"year": data.year, "kind": data.kind, "number": data.number, "level": data.level}
    given |= {"team": data.team_id, "rep": data.rep_id}
    held = {"year": target.year, "kind": target.kind, "number": target.number, "level": target.level}
    held |= {"team": target.team_id, "rep": target.rep_id}
    names = [name for name in KEY_FIELDS if not (name == "team" and target.level == "rep")]
    return next((name for name in names if given[name] != held[name]), None)


@transaction.atomic
def target_set(*, actor, data: TargetInput, target: SalesTarget | None = None, create: bool = False) -> SalesTarget:
    """Set the target of one period and one company / team / rep (see the module's rules): with `create`, a new one —
    refused (409) when the period and owner have a target already; with `target`, that target's figures — its period
    and owner stay (a change of them is refused: delete it and set another); with neither (the Excel import, whose
    exported rows import back), the period and owner's target whether it exists or not."""
    if target is not None and target.level == "rep" and data.team_id == target.team_id:
        data = replace(data, team_id=None)  # the team it was set under: a rep who moved since keeps the target
    data = _check_input(data)
    if target is not None and (field := _key_change(data, target)) is not None:
        raise TargetError(
            _("目标的期间和对象（年份、周期、季度/月份、层级、销售组、业务员）不能修改；如需调整，请删除后重新设定。"),
            field=field,
        )
    if not may_set_target(actor, data.level, data.team_id):
        raise Forbidden(_("您无权设定该目标：公司和销售组目标由销售经理、副总或总经理设定，组长可把本组目标分配给组员。"))
    _lock_subject_year(data)
    locked = _lock(data)
    if target is not None and locked.target is None:
        raise NotFound(_("该目标已被删除。"))
    parent, target = locked.parent, locked.target
    if create and target is not None:
        raise Conflict(
            _("%(period)s%(owner)s已有目标（销售额目标 %(amount)s），请修改该目标，不要重复设定。")
            % {"period": target.period.label, "owner": target.owner_label, "amount": target.amount},
            code="target_exists",
        )
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
