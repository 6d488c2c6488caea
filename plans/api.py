"""The API of the sales plans (销售计划): list (filters, search, pages, …/export/ as .xlsx), read (with the progress of
an approved plan), write (POST a plan with its lines; PATCH a draft or one sent back, the lines replaced when given),
…/submit/ (提交审批) and …/cancel/. The approvers decide through /api/v1/approvals/. Every write goes through
plans.services, as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from reports.periods import Period
from salesops.core.api import ChoiceLabelField, ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.money import MONEY_BOUNDS

from . import permissions, selectors, services
from .filters import SalesPlanFilter
from .models import PlanLine, SalesPlan
from .rules import Level


class SalesPlanSerializer(serializers.ModelSerializer):
    """A row of the plans list."""

    period_label = serializers.SerializerMethodField()
    level_display = ChoiceLabelField(source="level")
    author_name = UserNameField(source="author")
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = SalesPlan
        fields = [
            "id",
            "number",
            "level",
            "level_display",
            "period_key",
            "period_label",
            "author",
            "author_name",
            "team",
            "team_name",
            "target",
            "planned",
            "status",
            "status_display",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields

    def get_period_label(self, obj) -> str:
        return Period.parse(obj.period_key).label


class PlanLineSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", default="", read_only=True)

    class Meta:
        model = PlanLine
        fields = ["id", "customer", "customer_name", "item", "amount", "measures"]
        read_only_fields = fields


class PlanLineProgressSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line.pk", read_only=True)
    actual = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, read_only=True)
    rate = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True, read_only=True)


class PlanProgressSerializer(serializers.Serializer):
    actual = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, help_text="期间实际发货额（扣除冲减）")
    of_target = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True, read_only=True)
    of_planned = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True, read_only=True)
    lines = PlanLineProgressSerializer(many=True, read_only=True)


class PlanPartSerializer(serializers.Serializer):
    level = serializers.CharField(read_only=True, help_text="team 或 rep")
    label = serializers.CharField(read_only=True, help_text="销售组名或业务员")
    team = serializers.CharField(read_only=True)
    plan = serializers.IntegerField(
        source="plan.pk", default=None, allow_null=True, read_only=True, help_text="已提交的计划；未制定为 null"
    )
    number = serializers.CharField(source="plan.number", default=None, allow_null=True, read_only=True)
    status = serializers.CharField(source="plan.status", default=None, allow_null=True, read_only=True)
    planned = serializers.DecimalField(
        source="plan.planned", max_digits=14, decimal_places=2, default=None, allow_null=True, read_only=True
    )


class PlanBreakdownSerializer(serializers.Serializer):
    parts = PlanPartSerializer(many=True, read_only=True)
    written = serializers.IntegerField(read_only=True, help_text="已提交的计划数")
    planned = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, help_text="个人计划合计")
    cover = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True, read_only=True, help_text="占本计划")


class SalesPlanDetailSerializer(SalesPlanSerializer):
    """The whole plan: its texts and lines, the reason it was sent back, its progress once approved, and what the
    requesting user may do now."""

    owner_label = serializers.CharField(read_only=True, help_text="计划对象：销售部、销售组名或业务员")
    lines = PlanLineSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()
    breakdown = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(SalesPlanSerializer.Meta):
        fields = SalesPlanSerializer.Meta.fields + [
            "owner_label",
            "analysis",
            "strategy",
            "gap_reason",
            "return_reason",
            "lines",
            "progress",
            "breakdown",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanProgressSerializer(allow_null=True))
    def get_progress(self, obj):
        if obj.status != SalesPlan.Status.APPROVED:
            return None
        return PlanProgressSerializer(selectors.plan_progress(obj)).data

    @extend_schema_field(PlanBreakdownSerializer(allow_null=True))
    def get_breakdown(self, obj):
        """计划分解 of a department's or team's plan, for those who read every such plan."""
        breakdown = selectors.plan_breakdown(obj, self.context["request"].user)
        return PlanBreakdownSerializer(breakdown).data if breakdown else None

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.plan_allowed_actions(obj, self.context["request"].user)


class PlanLineInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, allow_null=True, label=_("重点客户"))
    item = serializers.CharField(max_length=120, required=False, allow_blank=True, default="", label=_("计划项目"))
    amount = serializers.DecimalField(
        max_digits=MONEY_BOUNDS.max_digits,
        decimal_places=MONEY_BOUNDS.decimal_places,
        min_value=MONEY_BOUNDS.minimum,
        max_value=MONEY_BOUNDS.maximum,
        label=_("计划金额"),
    )
    measures = serializers.CharField(max_length=300, label=_("措施"))


class PlanTextsSerializer(serializers.Serializer):
    analysis = serializers.CharField(required=False, allow_blank=True, default="", label=_("市场分析"))
    strategy = serializers.CharField(required=False, allow_blank=True, default="", label=_("销售策略与措施"))
    gap_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", label=_("差距说明"))
    lines = PlanLineInputSerializer(many=True, required=False, label=_("计划明细"))


class SalesPlanInputSerializer(PlanTextsSerializer):
    level = serializers.ChoiceField(choices=Level.choices, label=_("计划层级"))
    period = serializers.CharField(max_length=10, label=_("计划期间"), help_text="月度 2027-01，季度 2027-Q1，年度 2027")
    team = serializers.IntegerField(required=False, allow_null=True, label=_("销售组"), help_text="销售组计划：您带领的组")


class SalesPlanPatchSerializer(PlanTextsSerializer):
    analysis = serializers.CharField(required=False, allow_blank=True, label=_("市场分析"))
    strategy = serializers.CharField(required=False, allow_blank=True, label=_("销售策略与措施"))
    gap_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, label=_("差距说明"))


class SalesPlanViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """销售计划: one's own; a team lead's team's; every plan handed in for the managers, the VP and the GM; the approved
    department plan and one's team's for every seller."""

    selector = staticmethod(selectors.plans_for)
    serializer_class = SalesPlanSerializer
    detail_serializer_class = SalesPlanDetailSerializer
    export_name = "sales-plans"
    filterset_class = SalesPlanFilter
    filter_backends = [ListFilterBackend]

    @extend_schema(request=SalesPlanInputSerializer, responses={201: SalesPlanDetailSerializer})
    def create(self, request):
        data = self.validated_input(SalesPlanInputSerializer)
        plan = services.plan_create(actor=request.user, data=data, lines=data.get("lines", []))
        return self.respond(plan, status.HTTP_201_CREATED)

    @extend_schema(request=SalesPlanPatchSerializer, responses=SalesPlanDetailSerializer)
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = self.validated_input(SalesPlanPatchSerializer)
        texts = {name: data.get(name, getattr(plan, name)) for name in ("analysis", "strategy", "gap_reason")}
        return self.respond(services.plan_update(plan=plan, actor=request.user, data=texts, lines=data.get("lines")))

    @extend_schema(request=None, responses=SalesPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交审批 (the author)."""
        return self.respond(services.plan_submit(plan=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=SalesPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """作废 (the author)."""
        return self.respond(services.plan_cancel(plan=self.get_object(), actor=request.user))


def register(router) -> None:
    router.register("sales-plans", SalesPlanViewSet, basename="sales-plan")
