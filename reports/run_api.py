"""/api/v1/ for the monthly reports and the daily digest.

- `report-runs/`: list (the same filters as the page), POST to request a report (201 a new run; 200 the run already
  queued or running for the same report, month and scope), detail with status and progress, `retry/` (a failed run),
  `download/` (the workbook of a finished run). What a user may not see is a 404; `allowed_actions` as on the page.
- `daily-digest/?day=YYYY-MM-DD`: the digest of any day in the user's widest scope.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.errors import Forbidden

from . import permissions, selectors
from .filters import MONTH, SCOPE, ReportRunFilter
from .models import ReportRun
from .periods import Period, validate_report_day, validate_started_day
from .scopes import Scope, check_scope
from .services import runs as svc


class ReportRunSerializer(serializers.ModelSerializer):
    requested_by_name = UserNameField(source="requested_by", empty=str(_("系统定时生成")))

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "period",
            "scope_key",
            "status",
            "progress",
            "error",
            "requested_by",
            "requested_by_name",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ReportRunDetailSerializer(ReportRunSerializer):
    allowed_actions = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta(ReportRunSerializer.Meta):
        fields = [*ReportRunSerializer.Meta.fields, "totals", "changes", "previous", "allowed_actions", "download_url"]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.report_run_allowed_actions(obj, self.context["request"].user)

    def get_download_url(self, obj) -> str | None:
        if "download" not in self.get_allowed_actions(obj):
            return None
        return self.context["request"].build_absolute_uri(f"/api/v1/report-runs/{obj.pk}/download/")


class RequestInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportRun.Kind.choices)
    period = serializers.CharField(validators=[MONTH], help_text=_("月份，例如 2026-11"))
    scope = serializers.CharField(
        validators=[SCOPE],
        required=False,
        help_text=_(
            "company、team:<id>（销售组）或 rep:<id>（在职的销售人员）；不填时为您可以生成的最大范围"
            "（可看全公司者为全公司，销售组长为所带的组，业务员为本人）"
        ),
    )

    def validate_scope(self, value: str) -> str:
        """A sales team or an active seller that exists (reports.scopes.check_scope); who may request it is the service's."""
        try:
            check_scope(Scope.parse(value))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


class ReportRunViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """月度报表的生成记录：申请生成（同一报表生成中时不重复）、查看进度、重试失败的、下载。"""

    selector = staticmethod(selectors.report_run_list_for)
    filterset_class = ReportRunFilter
    ordering_fields = ["created_at", "period", "status"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        return ReportRunSerializer if self.action == "list" else ReportRunDetailSerializer

    def _detail(self, run, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=run.pk)
        return Response(ReportRunDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=RequestInput, responses={201: ReportRunDetailSerializer, 200: ReportRunDetailSerializer})
    def create(self, request):
        data = self.validated_input(RequestInput)
        scope = Scope.parse(data["scope"]) if data.get("scope") else permissions.default_report_scope(request.user)
        run, created = svc.report_run_request(
            kind=data["kind"], period=Period.parse(data["period"]), scope=scope, actor=request.user
        )
        return self._detail(run, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses=ReportRunDetailSerializer, summary="重试失败的报表")
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        return self._detail(svc.report_run_retry(run=self.get_object(), actor=request.user))

    @extend_schema(responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        run = self.get_object()
        if "download" not in permissions.report_run_allowed_actions(run, request.user):
            raise Http404
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=selectors.report_file_name(run))


class AtRiskSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    number = serializers.CharField()
    reason = serializers.CharField()


class DigestOpportunitiesSerializer(serializers.Serializer):
    won_count = serializers.IntegerField(help_text=_("当日赢单的销售机会数"))
    won_amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("当日赢单的预计金额合计"))
    lost_count = serializers.IntegerField(help_text=_("当日输单的销售机会数"))


class DigestSerializer(serializers.Serializer):
    day = serializers.DateField()
    scope = serializers.CharField(source="scope.key")
    scope_label = serializers.CharField(source="scope.label")
    sales = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("当日销售额（按发货，扣除红字冲减）"))
    intake = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("当日接单额"))
    unshipped = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("当日结束时的未发货额"))
    verify_overdue_count = serializers.IntegerField()
    at_risk_count = serializers.IntegerField()
    at_risk = serializers.SerializerMethodField()
    opportunities = DigestOpportunitiesSerializer()

    @extend_schema_field(AtRiskSerializer(many=True))
    def get_at_risk(self, figures) -> list[dict]:
        return [{"order": order.pk, "number": order.number, "reason": reason} for order, reason in figures["at_risk"]]


class DigestQuery(serializers.Serializer):
    day = serializers.DateField(required=False, validators=[validate_report_day, validate_started_day])


class DigestViewSet(viewsets.ViewSet):
    """日报：任一天的销售额、接单额、未发货额、核单超期和交期风险（用户可见的最大范围）。"""

    @extend_schema(parameters=[OpenApiParameter("day", OpenApiTypes.DATE)], responses=DigestSerializer)
    def list(self, request):
        query = DigestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.digest_for(request.user, query.validated_data.get("day") or timezone.localdate())
        if figures is None:
            raise Forbidden(_("您的角色不查看销售报表。"))
        return Response(DigestSerializer(figures).data)


def register(router) -> None:
    router.register("report-runs", ReportRunViewSet, basename="report-run")
    router.register("daily-digest", DigestViewSet, basename="daily-digest")
