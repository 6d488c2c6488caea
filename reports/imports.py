"""导入 Excel of sales targets (salesops.core.imports): the template, the row-by-row preview and the all-or-nothing commit
of the page (/core/imports/targets/) and the API (/api/v1/imports/targets/).

One sheet, 销售目标, with the columns of the targets export (reports.selectors.targets_workbook), so an exported file
imports back. Every row goes through reports.services.targets.target_set in order, so the rules of the form hold and a
later row sees the earlier ones: who may set which target, a team's targets within the company's and a rep's within the
team's, and for one owner the quarters within the year and the months within their quarter and year — a file sets the
company first, then its teams, then their reps, and the longer periods before the shorter ones.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.imports import Field, Importer, SheetSpec, register_importer
from salesops.core.models import Team
from salesops.core.sheets import Kind

from .models import SalesTarget
from .permissions import may_manage_targets
from .services.targets import TargetInput, target_set


def _owner(values: dict) -> tuple[int | None, int | None]:
    """(team pk, rep pk) named by the row for its level; a ValidationError on the column that names nobody."""
    level = values["level"]
    if level == "team":
        name = values.get("team", "")
        team_id = Team.objects.filter(name=name).values_list("pk", flat=True).first()
        if team_id is None:
            message = _("销售组“%(name)s”不存在。") % {"name": name} if name else _("销售组目标请填写销售组。")
            raise ValidationError({"team": message})
        return team_id, None
    if level == "rep":
        username = values.get("rep", "")
        rep_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
        if rep_id is None:
            message = _("业务员“%(name)s”不存在。") % {"name": username} if username else _("业务员目标请填写业务员的用户名。")
            raise ValidationError({"rep": message})
        return None, rep_id
    return None, None


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
    return target_set(actor=actor, data=data)


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
        Field("team", gettext_lazy("销售组"), width=14, note=gettext_lazy("销售组目标填写销售组名称")),
        Field("rep", gettext_lazy("业务员(用户名)"), width=16, note=gettext_lazy("业务员目标填写业务员的用户名")),
        Field("amount", gettext_lazy("销售额目标"), Kind.MONEY, required=True, example=1000000, width=16),
        Field("new_customers", gettext_lazy("新客户数目标"), Kind.INTEGER, width=12),
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
