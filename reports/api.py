"""The reports API: sales targets (read as the page does, written through the same service) and the dashboard figures."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ListRowsMixin, MoneyField, ScopedViewSet
from salesops.core.errors import DomainError, NotFound

from . import permissions, selectors
from .filters import TargetFilter
from .models import SalesTarget
from .periods import Period
from .services import targets as target_services
from .views import period_and_scope


class TargetSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    rep_username = serializers.CharField(source="rep.username", default="", read_only=True)
    amount = MoneyField()
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
    """销售目标: company → team → rep per year / quarter / month. Creating or changing one runs the allocation rules
    (a team's targets at most the company's, a rep's at most the team's; for one owner the quarters at most the year, the
    months at most their quarter and their year); the same parameters filter as on the page."""

    selector = staticmethod(selectors.target_list_for)
    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def perform_create(self, serializer):
        serializer.instance = target_services.target_set(actor=self.request.user, data=_input(serializer.validated_data))

    def perform_update(self, serializer):
        fields = ("year", "kind", "number", "level", "team", "rep", "amount", "new_customers", "collection")
        current = {name: getattr(serializer.instance, name) for name in fields}
        serializer.instance = target_services.target_set(
            actor=self.request.user, data=_input(current | serializer.validated_data)
        )

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
    """The dashboard's figures of one period and scope: cards (exact Decimal as text, rates 0..1) and chart series."""

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
        except ValueError as exc:
            raise DomainError(str(exc)) from None
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


def register(router):
    router.register("targets", TargetViewSet, basename="target")
    router.register("figures", FiguresViewSet, basename="figures")
