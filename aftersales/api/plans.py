"""The annual after-sales service plan."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from contracts.api import ReasonInput
from salesops.core.api import ListRowsMixin, UserNameField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.once import header_key, outcome

from .. import permissions, selectors
from ..filters import PlanFilter
from ..models import ServicePlan, ServicePlanItem
from ..services import plans as svc
from .common import AllowedActionsField, DocumentViewSet, no_body
from .tickets import once_key_parameter

User = get_user_model()


class PlanItemSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    target = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    owner_name = UserNameField(source="owner")

    class Meta:
        model = ServicePlanItem
        fields = ["month", "activity", "owner", "owner_name", "target"]


class PlanSerializer(serializers.ModelSerializer):
    created_by_name = UserNameField(source="created_by")

    class Meta:
        model = ServicePlan
        fields = ["id", "year", "title", "status", "created_by_name", "created_at", "approved_at"]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    items = PlanItemSerializer(many=True, read_only=True)
    allowed_actions = AllowedActionsField(permissions.plan_allowed_actions)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "goals", "content", "cancel_reason", "items", "allowed_actions"]
        read_only_fields = fields


class PlanInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)
    goals = serializers.CharField()
    content = serializers.CharField()
    items = PlanItemSerializer(many=True, required=False)


class PlanViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """年度售后服务计划: written by service, approved by the sales VP and the GM."""

    selector = staticmethod(selectors.plan_list_for)
    serializer_class = PlanSerializer
    detail_serializer = PlanDetailSerializer
    export_name = "service-plans"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = PlanFilter
    ordering = ["-year", "-id"]

    @extend_schema(
        request=PlanInput,
        responses={201: PlanDetailSerializer, 200: PlanDetailSerializer},
        parameters=[once_key_parameter("同一次编制的编号（UUID）：重发同一请求不会再编制，返回 200 和第一次编制的计划")],
    )
    def create(self, request, *args, **kwargs):
        data = dict(self.validated_input(PlanInput))
        items = [dict(i) for i in data.pop("items", [])]
        data["once_key"] = header_key(request)
        plan, created = outcome(lambda: svc.plan_create(actor=request.user, data=data, items=items))
        return self.respond(plan, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PlanInput, responses=PlanDetailSerializer)
    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = dict(self.validated_input(PlanInput))
        items = [dict(i) for i in data.pop("items")] if "items" in data else None
        return self.respond(svc.plan_update(plan=plan, actor=request.user, data=data, items=items))

    @no_body("提交领导审批（销售副总、总经理）", PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.respond(svc.plan_submit(plan=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=PlanDetailSerializer, summary="作废（草稿或被驳回的计划）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.validated_input(ReasonInput)
        return self.respond(svc.plan_cancel(plan=self.get_object(), actor=request.user, reason=data["reason"]))
