"""导入 Excel of sales targets (salesops.core.imports): the template, the row-by-row preview and the all-or-nothing commit
of the page (/core/imports/targets/) and the API (/api/v1/imports/targets/).

One sheet, 销售目标, with the columns of the targets export (reports.selectors.targets_workbook), so an exported file
imports back. Every row goes through reports.services.targets.target_set in order, so the rules of the form hold and a
later row sees the earlier ones: who may set which target, a team's targets within the company's and a rep's within the
team's, and for one owner the quarters within the year and the months within their quarter and year — a file sets the
company first, then its teams, then their reps, and the longer periods before the shorter ones. What the form refuses
is refused here, on its row and column (money to the fen, counts as whole numbers, a rep row's 销售组 the rep's own);
two rows of one period and owner in a file are an error, never the last one winning.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.errors import DomainError
from salesops.core.imports import Field, Importer, SheetSpec, register_importer
from salesops.core.models import Team
from salesops.core.sheets import Kind

from .models import SalesTarget
from .permissions import may_manage_targets
from .services.targets import TargetError, TargetInput, target_set


def _team_named(name: str) -> int:
    team_id = Team.objects.filter(name=name).values_list("pk", flat=True).first()
    if team_id is None:
        raise ValidationError({"team": _("销售组“%(name)s”不存在。") % {"name": name}})
    return team_id


def _owner(values: dict) -> tuple[int | None, int | None]:
    """(team pk, rep pk) named by the row for its level; a ValidationError on the column that names nobody. A rep row's
    销售组 may be left empty (the rep's team) or name the rep's team — another is refused by the service, never replaced."""
    level, team_name = values["level"], values.get("team", "")
    if level == "team":
        if not team_name:
            raise ValidationError({"team": _("销售组目标请填写销售组。")})
        return _team_named(team_name), None
    if level == "rep":
        username = values.get("rep", "")
        rep_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        if rep_id is None:
            message = _("业务员“%(name)s”不存在。") % {"name": username} if username else _("业务员目标请填写业务员的用户名。")
            raise ValidationError({"rep": message})
        return (_team_named(team_name) if team_name else None), rep_id
    if team_name or values.get("rep"):
        raise ValidationError({"team" if team_name else "rep": _("全公司目标不填写销售组和业务员。")})
    return None, None


# The column a refusal names when the service names no field (who may set it, a missing parent): the row's owner.
OWNER_COLUMN = {"company": "level", "team": "team", "rep": "rep"}


def _save_target(actor, values: dict, context: dict) -> SalesTarget:
    team_id, rep_id = _owner(values)
    data = TargetInput(
        year=values["year"],
        kind=values["kind"],
        number=values.get("number", 0),
        level=values["level"],
        team_id=team_id,
        rep_id=rep_id,
        amount=values["amount"],
        new_customers=values.get("new_customers"),
        collection=values.get("collection"),
    )
    # one row per target in a file: a second row of the same period and owner would silently replace the first
    key = (data.year, data.kind, data.number, data.level, rep_id if data.level == "rep" else team_id)
    seen = context.setdefault("targets", {})
    if key in seen:
        raise ValidationError(
            {
                OWNER_COLUMN[data.level]: _(
                    "与第 %(line)s 行是同一个目标（同一期间、同一对象），一个文件中每个目标只能填写一行。"
                )
                % {"line": seen[key]}
            }
        )
    seen[key] = context.get("line", "?")
    try:
        return target_set(actor=actor, data=data)
    except TargetError as exc:
        raise ValidationError({exc.field: str(exc)}) from None
    except DomainError as exc:  # not the importer's to set (Forbidden), or a missing parent: on the owner's column
        raise ValidationError({OWNER_COLUMN[data.level]: str(exc)}) from None


TARGETS = SheetSpec(
    "targets",
    gettext_lazy("销售目标"),
    [
        Field("year", gettext_lazy("年份"), Kind.INTEGER, required=True, example=2027, width=8),
        Field("kind", gettext_lazy("周期"), required=True, choices=lambda: SalesTarget.Kind.choices, example="年度", width=8),
        Field(
            "number",
            gettext_lazy("季度/月份"),
            Kind.INTEGER,
            example=0,
            width=10,
            note=gettext_lazy("年度填 0 或留空，季度填 1–4，月份填 1–12"),
        ),
        Field("level", gettext_lazy("层级"), required=True, choices=lambda: SalesTarget.Level.choices, example="公司", width=8),
        Field(
            "team",
            gettext_lazy("销售组"),
            width=14,
            note=gettext_lazy(
                "销售组目标填写销售组名称；业务员目标可留空（即业务员所在的组），填写时须是其所在的组；全公司目标留空"
            ),
        ),
        Field("rep", gettext_lazy("业务员(用户名)"), width=16, note=gettext_lazy("业务员目标填写业务员的用户名")),
        Field("amount", gettext_lazy("销售额目标"), Kind.MONEY, required=True, example=1000000, width=16),
        Field("new_customers", gettext_lazy("新客户数目标"), Kind.INTEGER, width=12, note=gettext_lazy("客户个数，整数")),
        Field("collection", gettext_lazy("回款目标"), Kind.MONEY, width=16),
    ],
    save=_save_target,
)

register_importer(
    Importer(
        name="targets",
        title=gettext_lazy("销售目标"),
        sheets=[TARGETS],
        allowed=may_manage_targets,
        denied=gettext_lazy("您无权导入目标：公司和销售组目标由销售经理、副总或总经理设定，组长可把本组目标分配给组员。"),
        list_view="reports:targets",
    )
)
