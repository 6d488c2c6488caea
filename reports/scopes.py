"""Whose figures: the whole company, one sales team, or one rep — and who may see which (ARCHITECTURE.md rule 5).

- managers, the sales VP, the GM, finance and the sales clerks see the company and every team and rep in it;
- a team lead sees the teams they lead and each member of them (and their own figures);
- a rep (and anybody else who may be credited with orders) sees their own figures only;
- warehouse, QC, service and the department reviewers see no sales figures (`scope_for` returns None).

Orders count for the rep they are credited to (业绩归属业务员) and for that rep's team (员工档案 → 销售组).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from customers.selectors import OWNER_ROLES, led_team_ids
from salesops.core.models import Team
from salesops.core.names import display_name
from salesops.core.roles import MANAGER_ROLES, Role, has_role

COMPANY_VIEWER_ROLES = MANAGER_ROLES | {Role.FINANCE, Role.SALES_CLERK}
KINDS = ("company", "team", "rep")


@dataclass(frozen=True)
class Scope:
    kind: str
    team_id: int | None = None
    user_id: int | None = None

    @classmethod
    def company(cls) -> Scope:
        return cls("company")

    @classmethod
    def team(cls, team_id: int) -> Scope:
        return cls("team", team_id=int(team_id))

    @classmethod
    def rep(cls, user_id: int) -> Scope:
        return cls("rep", user_id=int(user_id))

    @classmethod
    def parse(cls, key: str) -> Scope:
        """ "company", "team:3" or "rep:7"; ValueError with a Chinese message otherwise."""
        kind, _sep, ident = (key or "").strip().partition(":")
        if kind == "company" and not ident:
            return cls.company()
        if kind in ("team", "rep") and ident.isdigit() and len(ident) <= 18:  # an id the database can hold (< 2**63)
            return cls.team(int(ident)) if kind == "team" else cls.rep(int(ident))
        raise ValueError(_("范围“%(key)s”无效，应为 company、team:<组编号> 或 rep:<用户编号>。") % {"key": key})

    @property
    def key(self) -> str:
        if self.kind == "team":
            return f"team:{self.team_id}"
        if self.kind == "rep":
            return f"rep:{self.user_id}"
        return "company"

    @property
    def label(self) -> str:
        if self.kind == "team":
            team = Team.objects.filter(pk=self.team_id).first()
            return team.name if team else _("已删除的销售组")
        if self.kind == "rep":
            return display_name(get_user_model().objects.filter(pk=self.user_id).first(), _("已删除的用户"))
        return _("全公司")

    def filters(self) -> dict[str, int]:
        """The keyword arguments the lower floors' KPI selectors take: owner_id= or team_id= (nothing for the company)."""
        if self.kind == "team":
            return {"team_id": self.team_id}
        if self.kind == "rep":
            return {"owner_id": self.user_id}
        return {}

    def __str__(self) -> str:
        return self.key


def sees_company(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and has_role(user, *COMPANY_VIEWER_ROLES))


def sells(user) -> bool:
    """Whether orders may be credited to `user` (the roles that own customers)."""
    return has_role(user, *OWNER_ROLES)


def _team_of(user_id: int) -> int | None:
    return get_user_model().objects.filter(pk=user_id).values_list("profile__team", flat=True).first()


def scope_for(user) -> Scope | None:
    """The widest scope `user` may see: the company, the (first) team they lead, their own figures — or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if sees_company(user):
        return Scope.company()
    teams = sorted(led_team_ids(user))
    if teams:
        return Scope.team(teams[0])
    return Scope.rep(user.pk) if sells(user) else None


def may_view(user, scope: Scope) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_company(user):
        return True
    teams = led_team_ids(user)
    if scope.kind == "team":
        return scope.team_id in teams
    if scope.kind == "rep":
        return scope.user_id == user.pk and (sells(user) or bool(teams)) or (bool(teams) and _team_of(scope.user_id) in teams)
    return False


def reps_of(scope: Scope):
    """The people who sell within `scope`, by username (active users with a selling role)."""
    qs = get_user_model().objects.filter(is_active=True, groups__name__in=OWNER_ROLES).distinct()
    if scope.kind == "team":
        qs = qs.filter(profile__team=scope.team_id)
    elif scope.kind == "rep":
        qs = qs.filter(pk=scope.user_id)
    return qs.order_by("username")


def sales_teams():
    """The teams figures are read for: the sales department's."""
    return Team.objects.filter(department__code="sales")


def scope_error(scope: Scope) -> str | None:
    """Why `scope` names nobody figures are read for, or None: a team must be one of the sales teams, a rep one of the
    active sellers (reps_of) — the scopes every picker offers (all_scopes)."""
    if scope.kind == "team" and not sales_teams().filter(pk=scope.team_id).exists():
        return _("范围 %(key)s 无效：没有编号为 %(id)s 的销售组。") % {"key": scope.key, "id": scope.team_id}
    if scope.kind == "rep" and not reps_of(scope).exists():
        return _("范围 %(key)s 无效：编号为 %(id)s 的用户不是在职的销售人员（业务员、销售组长、销售经理或销售副总）。") % {
            "key": scope.key,
            "id": scope.user_id,
        }
    return None


def check_scope(scope: Scope) -> Scope:
    """`scope` if it names a sales team or an active seller (scope_error); ValueError with the Chinese reason otherwise."""
    error = scope_error(scope)
    if error:
        raise ValueError(error)
    return scope


def all_scopes() -> list[Scope]:
    """Every scope there is: the company, then the sales teams by name, then the active sellers by username."""
    teams = sales_teams().order_by("name").values_list("pk", flat=True)
    return [
        Scope.company(),
        *(Scope.team(t) for t in teams),
        *(Scope.rep(u) for u in reps_of(Scope.company()).values_list("pk", flat=True)),
    ]


def scopes_visible_to(user) -> list[Scope]:
    """Every scope `user` may pick: the company, then the teams, then the reps (as far as they may see)."""
    if sees_company(user):
        return all_scopes()
    out = [Scope.team(t) for t in sorted(led_team_ids(user))]
    members = [u for t in out for u in reps_of(t).values_list("pk", flat=True)]
    if sells(user) and user.pk not in members:
        members.insert(0, user.pk)
    return out + [Scope.rep(u) for u in members]


def scope_labels(keys) -> dict[str, str]:
    """The labels of many scope keys with two queries (teams, users) instead of one per key."""
    scopes = [Scope.parse(key) for key in set(keys)]
    teams = dict(Team.objects.filter(pk__in=[s.team_id for s in scopes if s.kind == "team"]).values_list("pk", "name"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[s.user_id for s in scopes if s.kind == "rep"])}
    out = {}
    for s in scopes:
        if s.kind == "team" and s.team_id in teams:
            out[s.key] = teams[s.team_id]
        elif s.kind == "rep" and s.user_id in users:
            out[s.key] = display_name(users[s.user_id])
        else:
            out[s.key] = s.label
    return out


def scope_choices(user, scopes: list[Scope] | None = None) -> list[tuple[str, str]]:
    """(key, label) of every scope `user` may pick (scopes_visible_to; or of `scopes`), labelled with two queries
    (scope_labels)."""
    scopes = scopes_visible_to(user) if scopes is None else scopes
    labels = scope_labels(s.key for s in scopes)
    return [(s.key, labels[s.key]) for s in scopes]
