"""The reports API: sales targets (read as the page does, written through the same service), the dashboard figures and
the weekly reports (销售周报)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import AsciiIntegerField, ChoiceLabelField, ListRowsMixin, MoneyField, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.errors import DomainError, NotFound
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.names import display_name

from . import permissions, selectors
from .filters import TargetFilter, WeeklyReportFilter
from .models import SalesTarget, WeeklyReport
from .periods import Period
from .services import targets as target_services
from .services import weekly as weekly_services
from .views import ParameterError, period_and_scope


class TargetSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    rep_username = serializers.CharField(source="rep.username", default="", read_only=True)
    rep_name = UserNameField(source="rep")
    amount = MoneyField()
    new_customers = AsciiIntegerField(
        min_value=0,
        max_value=target_services.MAX_NEW_CUSTOMERS,
        required=False,
        allow_null=True,
        help_text=_("新客户数目标（个）"),
    )
    collection = MoneyField(required=False, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = SalesTarget
        fields = [
            "id",
            "year",
            "kind",
            "number",
            "level",
            "team",
            "team_name",
            "rep",
            "rep_username",
            "rep_name",
            "amount",
            "new_customers",
            "collection",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = ["id", "updated_at"]
        validators = []  # the service upserts one target per period and owner, and checks the allocation rule

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.target_allowed_actions(obj, self.context["request"].user)


def _input(data: dict) -> target_services.TargetInput:
    return target_services.TargetInput(
        year=data["year"],
        kind=data["kind"],
        number=data.get("number") or 0,
        level=data["level"],
        team_id=data["team"].pk if data.get("team") else None,
        rep_id=data["rep"].pk if data.get("rep") else None,
        amount=data["amount"],
        new_customers=data.get("new_customers"),
        collection=data.get("collection"),
    )


class TargetViewSet(
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """销售目标: company → team → rep per year / quarter / month. POST creates one (a period and owner that have a target
    already: 409 — change that one); PUT/PATCH change a target's figures, never its period or owner (year, kind, number,
    level, team, rep: 400 naming the field — delete it and create another); a rep target's team is the rep's (another is
    a 400 naming `team`). Both run the allocation rules (a team's targets at most the company's, a rep's at most the
    team's; for one owner the quarters at most the year, the months at most their quarter and their year); the same
    parameters filter as on the page."""

    selector = staticmethod(selectors.target_list_for)
    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    @staticmethod
    def _set(**kwargs):
        try:
            return target_services.target_set(**kwargs)
        except target_services.TargetError as exc:  # a refusal about one field names it, as a serializer's would
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None

    def perform_create(self, serializer):
        data = _input(serializer.validated_data)
        serializer.instance = self._set(actor=self.request.user, data=data, create=True)

    def perform_update(self, serializer):
        fields = ("year", "kind", "number", "level", "team", "rep", "amount", "new_customers", "collection")
        current = {name: getattr(serializer.instance, name) for name in fields}
        data = _input(current | serializer.validated_data)
        serializer.instance = self._set(actor=self.request.user, data=data, target=serializer.instance)

    def perform_destroy(self, instance):
        target_services.target_delete(actor=self.request.user, target=instance)

    @extend_schema(
        parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="2026、2026-Q4 或 2026-11")],
        responses=OpenApiTypes.OBJECT,
        summary="目标分配情况（已分配 / 未分配）：按层级（公司 → 销售组 → 业务员），以及年度、季度目标分解到季度和月份（lengths）",
    )
    @action(detail=False, methods=["get"])
    def allocation(self, request):
        try:
            period = Period.parse(request.query_params.get("period", ""))
        except ValueError as exc:
            raise DomainError(str(exc)) from None
        data = selectors.target_allocation(request.user, period)

        def part(p):
            if p is None:
                return None
            ser = TargetSerializer(p["target"], context={"request": request}).data if p["target"] else None
            return {"target": ser, "allocated": str(p["allocated"]), "unallocated": _text(p["unallocated"])}

        lengths = [
            {
                "target": TargetSerializer(row["target"], context={"request": request}).data,
                "parts": [
                    {"kind": p["kind"], "allocated": str(p["allocated"]), "unallocated": str(p["unallocated"])}
                    for p in row["parts"]
                ],
            }
            for row in selectors.target_length_allocation(request.user, period)
        ]
        return Response(
            {
                "period": period.key,
                "company": part(data["company"]),
                "teams": [part(t) for t in data["teams"]],
                "lengths": lengths,
            }
        )


def _text(value):
    return None if value is None else str(value)


class FiguresViewSet(viewsets.ViewSet):
    """The dashboard's figures of one period and scope: cards (exact Decimal as text, rates 0..1) and chart series (a chart with unit "%" in percent, 0–100)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="2026-11（默认本月）、2026-Q4、2026 或 2026-11-05"),
            OpenApiParameter("scope", OpenApiTypes.STR, description="company、team:<id> 或 rep:<id>（默认本人可见的最大范围）"),
        ],
        responses=OpenApiTypes.OBJECT,
        summary="仪表盘指标",
    )
    def list(self, request):
        try:
            period, scope = period_and_scope(request)
        except ParameterError as exc:
            raise serializers.ValidationError({exc.field: [str(exc)]}) from None
        except Http404:
            raise NotFound(_not_visible()) from None
        data = selectors.figures_for(period, scope, timezone.localdate())
        cards = [{k: _text(v) if k in ("value", "target", "actual", "yoy") else v for k, v in c.items()} for c in data["cards"]]
        return Response(
            {"period": period.key, "scope": scope.key, "scope_label": scope.label, "cards": cards, "charts": data["charts"]},
            status=status.HTTP_200_OK,
        )


def _not_visible() -> str:
    return _("未找到，或您无权查看。")


# --- weekly reports (销售周报) ------------------------------------------------------------------------------------------
class WeeklyReportSerializer(serializers.ModelSerializer):
    """A row of the weekly reports list."""

    rep_name = UserNameField(source="rep")
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft / submitted / returned / reviewed")
    status_display = ChoiceLabelField(source="status")
    reviewed_by_name = UserNameField(source="reviewed_by")

    class Meta:
        model = WeeklyReport
        fields = [
            "id",
            "week",
            "rep",
            "rep_name",
            "team",
            "team_name",
            "status",
            "status_display",
            "submitted_at",
            "reviewed_by",
            "reviewed_by_name",
        ]
        read_only_fields = fields


class WeekFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text="count / money")
    value = serializers.CharField(help_text="金额为两位小数的文本，次数为整数的文本")


class WeeklyReportDetailSerializer(WeeklyReportSerializer):
    """The whole report: the texts, the week's figures (as handed in; live while a draft), the comment, and what the
    requesting user may do with it now."""

    week_key = serializers.SerializerMethodField(help_text="2026-W49")
    figures = serializers.SerializerMethodField()
    figures_live = serializers.SerializerMethodField(help_text="true：草稿，按单据实时统计；false：提交时保存的数据")
    allowed_actions = serializers.SerializerMethodField()

    class Meta(WeeklyReportSerializer.Meta):
        fields = WeeklyReportSerializer.Meta.fields + [
            "week_key",
            "summary",
            "market",
            "next_plan",
            "figures",
            "figures_live",
            "review_note",
            "reviewed_at",
            "return_reason",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_week_key(self, obj) -> str:
        return obj.period.key

    @extend_schema_field(WeekFigureSerializer(many=True))
    def get_figures(self, obj) -> list[dict]:
        figures = obj.figures or selectors.week_figures(obj.rep_id, obj.period)
        return [
            {key: str(value) if key == "value" else value for key, value in row.items() if key != "url"}
            for row in selectors.week_figure_rows(figures)
        ]

    def get_figures_live(self, obj) -> bool:
        return not obj.figures

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.weekly_allowed_actions(obj, self.context["request"].user)


class WeeklyOpenSerializer(serializers.Serializer):
    week = serializers.CharField(required=False, allow_blank=True, default="", help_text="2026-W49；默认本周")


class WeeklyReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, label=_("本周工作总结"))
    market = serializers.CharField(required=False, allow_blank=True, label=_("市场与竞争信息"))
    next_plan = serializers.CharField(required=False, allow_blank=True, label=_("下周计划"))


class WeeklyReviewSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, label=_("点评"))


class WeeklyReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("退回原因"))


class MissingRepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WeeklySummarySerializer(serializers.Serializer):
    week = serializers.CharField(help_text="2026-W49")
    rows = serializers.ListField(child=serializers.DictField(), help_text="report, rep, rep_name, figures {key: value}")
    totals = serializers.DictField(help_text="{key: value}：各项合计，金额为两位小数的文本")


class WeeklyReportViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """销售周报. POST opens the user's report of a week (this week by default; the existing one if already opened), PATCH
    writes a draft or a returned one, …/submit/ hands it in (the week's figures kept), …/review/ comments on one handed
    in and …/send-back/ returns it (the rep's team lead or a sales manager, VP or GM). GET …/missing/?week= lists who
    has not handed in that week's, GET …/summary/?week= the figures of those who have (for a lead or a manager)."""

    selector = staticmethod(selectors.weekly_reports_for)
    serializer_class = WeeklyReportSerializer
    detail_serializer_class = WeeklyReportDetailSerializer
    export_name = "weekly-reports"  # GET …/export/: the filtered reports as .xlsx (salesops.core.exports)
    filterset_class = WeeklyReportFilter
    filter_backends = [ListFilterBackend]

    @staticmethod
    def _week(text: str) -> Period:
        try:
            week = Period.parse(text) if text else Period.week(timezone.localdate())
        except ValueError as exc:
            raise DomainError(str(exc)) from None
        if week.kind != "week":
            raise DomainError(_("周应写作 2026-W49（年份和第几周）。"))
        return week

    @extend_schema(request=WeeklyOpenSerializer, responses={201: WeeklyReportDetailSerializer})
    def create(self, request):
        week = self._week(self.validated_input(WeeklyOpenSerializer)["week"])
        existed = WeeklyReport.objects.filter(rep=request.user, week=week.start).exists()
        report = weekly_services.weekly_open(actor=request.user, day=week.start)
        return self.respond(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=WeeklyReportInputSerializer, responses=WeeklyReportDetailSerializer)
    def partial_update(self, request, pk=None):
        data = self.validated_input(WeeklyReportInputSerializer)
        return self.respond(weekly_services.weekly_update(report=self.get_object(), actor=request.user, data=data))

    @extend_schema(request=None, responses=WeeklyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交: the summary and next week's plan are required; 409 when already handed in."""
        return self.respond(weekly_services.weekly_submit(report=self.get_object(), actor=request.user))

    @extend_schema(request=WeeklyReviewSerializer, responses=WeeklyReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """点评 a report handed in."""
        note = self.validated_input(WeeklyReviewSerializer)["note"]
        return self.respond(weekly_services.weekly_review(report=self.get_object(), actor=request.user, note=note))

    @extend_schema(request=WeeklyReturnSerializer, responses=WeeklyReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """退回 a report handed in, with the reason."""
        reason = self.validated_input(WeeklyReturnSerializer)["reason"]
        return self.respond(weekly_services.weekly_send_back(report=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(
        parameters=[OpenApiParameter("week", OpenApiTypes.STR, description="2026-W49（默认本周）")],
        responses=WeeklySummarySerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request):
        """The week's reports handed in, side by side (a lead's team, a manager's all): each rep's figures as handed in
        and their totals; money as text to the fen."""
        if not permissions.reads_others_weekly(request.user):
            return Response({"week": "", "rows": [], "totals": {}})
        week = self._week(request.query_params.get("week", ""))
        data = selectors.weekly_summary(request.user, week)
        keys = [key for key, _label, _kind in selectors.WEEK_FIGURES]

        def cells(values):
            return {key: None if value is None else str(value) for key, (value, _kind) in zip(keys, values, strict=True)}

        rows = [
            {
                "report": row["report"].pk,
                "rep": row["report"].rep_id,
                "rep_name": display_name(row["report"].rep),
                "figures": cells(row["cells"]),
            }
            for row in data["rows"]
        ]
        return Response({"week": week.key, "rows": rows, "totals": cells(data["totals"])})

    @extend_schema(
        parameters=[OpenApiParameter("week", OpenApiTypes.STR, description="2026-W49（默认本周）")],
        responses=MissingRepSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def missing(self, request):
        """Who has not handed in the week's report, among those whose reports the user reads (a lead, a manager)."""
        if not permissions.reads_others_weekly(request.user):
            return Response([])
        week = self._week(request.query_params.get("week", ""))
        return Response([{"id": u.pk, "name": display_name(u)} for u in selectors.weekly_missing(request.user, week)])


def register(router):
    router.register("targets", TargetViewSet, basename="target")
    router.register("figures", FiguresViewSet, basename="figures")
    router.register("weekly-reports", WeeklyReportViewSet, basename="weekly-report")
