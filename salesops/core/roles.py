"""The roles of SPEC.md. Each is a Django group (created by migration 0002_roles) with the permissions it needs.

Role checks go through these helpers so a newcomer finds "who is what" in one place.
"""

from __future__ import annotations

from django.db import connections, models
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from .compiled import bind, compiled, sql_of


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("业务员")
    TEAM_LEAD = "team_lead", _("销售组长")
    SALES_CLERK = "sales_clerk", _("销售内勤")
    SALES_MANAGER = "sales_manager", _("销售部经理")
    REVIEWER_TECHNICAL = "reviewer_technical", _("技术部评审")
    REVIEWER_PRODUCTION = "reviewer_production", _("生产部评审")
    REVIEWER_QUALITY = "reviewer_quality", _("质检部评审")
    REVIEWER_PROCUREMENT = "reviewer_procurement", _("采购部评审")
    REVIEWER_FINANCE = "reviewer_finance", _("财务部评审")
    REVIEWER_WAREHOUSE = "reviewer_warehouse", _("仓库评审")
    FINANCE = "finance", _("财务")
    WAREHOUSE = "warehouse", _("仓库")
    QC = "qc", _("质检员")
    SERVICE = "service", _("客服/售后")
    SALES_VP = "sales_vp", _("销售副总")
    GM = "gm", _("总经理")
    ADMIN = "admin", _("系统管理员")


# Roles that see every customer and document of the sales department.
MANAGER_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_VP, Role.GM, Role.ADMIN})
# Roles allowed to see all customers for their work (clerks process every order; finance and after-sales serve every customer).
ALL_CUSTOMERS_ROLES = MANAGER_ROLES | {Role.SALES_CLERK, Role.FINANCE, Role.SERVICE, Role.WAREHOUSE, Role.QC}
REVIEWER_ROLES = frozenset(
    {
        Role.REVIEWER_TECHNICAL,
        Role.REVIEWER_PRODUCTION,
        Role.REVIEWER_QUALITY,
        Role.REVIEWER_PROCUREMENT,
        Role.REVIEWER_FINANCE,
        Role.REVIEWER_WAREHOUSE,
    }
)


def user_roles(user) -> frozenset[str]:
    """The role codes of a user, cached on the user object for the request (read with the profile: `_load`)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_salesops_roles", None)
    if cached is None:
        cached = _load(user)
    return cached


def user_flags(user) -> frozenset[str]:
    """What besides the roles decides the menu: "may_quote" (StaffProfile.may_quote), "leads_team" (leads a sales
    team), "inactive"; read in the roles' one query."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "_salesops_flags", None) is None:
        _load(user)
    flags = set(user._salesops_flags)
    if not user.is_active:
        flags.add("inactive")
    return frozenset(flags)


def _load(user) -> frozenset[str]:
    """One query for what every page asks of its user: the group names (the roles), the staff profile (cached as
    `user.profile`, as if read by the accessor) and the ids of the teams the user leads (customers.selectors.
    led_team_ids) — one row per group and led team (a user has one or two of each)."""
    if isinstance(user, LazyObject):  # request.user: the user itself, so that the profile's `user` is not the proxy
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    accessor = type(user).profile.related  # the StaffProfile (core.models imports this module: no import back)
    StaffProfile = accessor.related_model
    profile_fields = [f.attname for f in StaffProfile._meta.concrete_fields]
    db, sql, params = _roles_query(type(user))
    with connections[db].cursor() as cursor:
        cursor.execute(sql, bind(params, user.pk))
        rows = cursor.fetchall()
    roles = frozenset(row[0] for row in rows if row[0] is not None)
    if user.is_superuser:
        roles = roles | {Role.ADMIN}
    user._salesops_roles = roles
    if getattr(user, "_salesops_led_team_ids", None) is None:
        user._salesops_led_team_ids = frozenset(row[1] for row in rows if row[1] is not None)
    flags = {"leads_team"} if user._salesops_led_team_ids else set()
    if accessor.is_cached(user):
        profile = accessor.get_cached_value(user)
    elif rows and rows[0][2] is not None:
        values = [field.to_python(value) for field, value in zip(StaffProfile._meta.concrete_fields, rows[0][2:], strict=True)]
        profile = StaffProfile.from_db(db, profile_fields, values)
        accessor.set_cached_value(user, profile)
        StaffProfile.user.field.set_cached_value(profile, user)
    else:  # no profile: left uncached, the accessor raises (or finds one made since)
        profile = None
    if profile is not None and profile.may_quote:
        flags.add("may_quote")
    user._salesops_flags = frozenset(flags)
    return roles


def _roles_query(user_model) -> tuple[str, str, tuple]:
    """The SQL of `_load`'s query, built once (salesops.core.compiled)."""

    def build(pk):
        profile = user_model.profile.related.related_model
        qs = user_model._default_manager.filter(pk=pk).values_list(
            "groups__name", "led_teams__id", *(f"profile__{f.attname}" for f in profile._meta.concrete_fields)
        )
        return (qs.db, *sql_of(qs))

    return compiled(("roles", user_model), build)


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_manager(user) -> bool:
    return has_role(user, *MANAGER_ROLES)


def users_with_role(*roles: str):
    """The active users holding any of `roles` (for "tell everyone in finance" and the like), in a stable order."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct().order_by("pk")
