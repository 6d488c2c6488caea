"""Callbacks (回访), the service desk and the monthly service statistics."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from contracts.api import ReasonInput
from salesops.core.api import ListRowsMixin, UserNameField
from salesops.core.errors import Forbidden
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.pages import queue_head

from .. import permissions, rules, selectors
from ..filters import CallbackFilter
from ..models import Callback, Channel
from ..services import callbacks as svc

DESK_ITEMS = 50  # the desk API gives each queue's first 50 rows (ids for the tickets) and its exact count
from .common import AllowedActionsField, DocumentViewSet
from .complaints import ComplaintDetailSerializer
from .tickets import TicketDetailSerializer

User = get_user_model()


def created_location(what: str) -> OpenApiParameter:
    """The Location header of a 201 that created another document (the schema's response header)."""
    return OpenApiParameter(
        "Location",
        OpenApiTypes.URI,
        OpenApiParameter.HEADER,
        response=[201],
        description=f"新建{what}的地址（GET 得到上面的内容）",
    )


class CallbackSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    shipment_number = serializers.CharField(source="shipment.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    assignee_name = UserNameField(source="assignee", empty=str(_("客服团队")))
    done_by_name = UserNameField(source="done_by")

    class Meta:
        model = Callback
        fields = [
            "id",
            "order",
            "order_number",
            "shipment",
            "shipment_number",
            "customer",
            "customer_name",
            "offset_days",
            "due_on",
            "queue_on",
            "assignee",
            "assignee_name",
            "status",
            "attempts",
            "escalated_at",
            "channel",
            "score_product",
            "score_delivery",
            "score_service",
            "quality_problem",
            "notes",
            "done_by_name",
            "done_at",
        ]
        read_only_fields = fields


class AttemptSerializer(serializers.Serializer):
    channel = serializers.CharField()
    reached = serializers.BooleanField()
    notes = serializers.CharField()
    by = UserNameField()
    at = serializers.DateTimeField()


class CallbackDetailSerializer(CallbackSerializer):
    allowed_actions = AllowedActionsField(permissions.callback_allowed_actions)
    attempt_log = AttemptSerializer(many=True, read_only=True)
    complaint = serializers.SerializerMethodField()
    ticket = serializers.SerializerMethodField()

    class Meta(CallbackSerializer.Meta):
        fields = [*CallbackSerializer.Meta.fields, "attempt_log", "complaint", "ticket", "allowed_actions"]
        read_only_fields = fields

    def get_complaint(self, obj) -> int | None:
        return getattr(getattr(obj, "complaint", None), "pk", None)

    def get_ticket(self, obj) -> int | None:
        return getattr(getattr(obj, "ticket", None), "pk", None)


class RecordInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    reached = serializers.BooleanField()
    score_product = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    score_delivery = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    score_service = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    quality_problem = serializers.BooleanField(default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    retry_on = serializers.DateField(required=False, allow_null=True)


class ReassignInput(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True)


class CallbackViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """满意度回访: created by the scheduler after delivery; recorded, reassigned, cancelled, or turned into a complaint or a
    ticket here."""

    selector = staticmethod(selectors.callback_list_for)
    serializer_class = CallbackSerializer
    detail_serializer = CallbackDetailSerializer
    export_name = "callbacks"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = CallbackFilter
    ordering_fields = ["due_on", "status", "done_at"]
    ordering = ["due_on", "id"]

    @extend_schema(request=RecordInput, responses=CallbackDetailSerializer, summary="记录回访（联系上则打分完成，否则改日再访）")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        return self.respond(
            svc.callback_record(callback=self.get_object(), actor=request.user, **self.validated_input(RecordInput))
        )

    @extend_schema(request=ReassignInput, responses=CallbackDetailSerializer, summary="转派回访")
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        data = self.validated_input(ReassignInput)
        return self.respond(svc.callback_reassign(callback=self.get_object(), actor=request.user, assignee=data["assignee"]))

    @extend_schema(request=ReasonInput, responses=CallbackDetailSerializer, summary="取消回访")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self.validated_input(ReasonInput)
        return self.respond(svc.callback_cancel(callback=self.get_object(), actor=request.user, reason=data["reason"]))

    @extend_schema(
        request=None,
        responses={201: ComplaintDetailSerializer},
        parameters=[created_location("投诉")],
        summary="回访转为投诉（返回新建的投诉）",
    )
    @action(detail=True, methods=["post"], url_path="open-complaint")
    def open_complaint(self, request, pk=None):
        complaint = svc.callback_open_complaint(callback=self.get_object(), actor=request.user)
        return self.created(complaint, ComplaintDetailSerializer, selectors.complaint_list_for, "complaint-detail")

    @extend_schema(
        request=None,
        responses={201: TicketDetailSerializer},
        parameters=[created_location("服务工单")],
        summary="回访转为服务工单（返回新建的工单）",
    )
    @action(detail=True, methods=["post"], url_path="open-ticket")
    def open_ticket(self, request, pk=None):
        ticket = svc.callback_open_ticket(callback=self.get_object(), actor=request.user)
        return self.created(ticket, TicketDetailSerializer, selectors.ticket_list_for, "service-ticket-detail")

    def created(self, doc, serializer, selector, route: str) -> Response:
        """201 with the new document's detail (as its own endpoint shows it to this user) and Location: that endpoint."""
        fresh = selector(self.request.user).filter(pk=doc.pk).first() or doc
        body = serializer(fresh, context=self.get_serializer_context()).data
        location = reverse(route, args=[doc.pk], request=self.request)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class DeskSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    callbacks_due = CallbackSerializer(many=True)
    mine = serializers.ListField(child=serializers.IntegerField(), help_text=_("我的工单 id（前 50 个，全部数量见 counts）"))
    team = serializers.ListField(child=serializers.IntegerField(), help_text=_("待分派工单 id（前 50 个）"))
    breaching = serializers.ListField(child=serializers.IntegerField(), help_text=_("SLA 超时/即将超时工单 id（前 50 个）"))


class DeskViewSet(viewsets.ViewSet):
    """售后服务台 (service and managers): counts, today's callbacks and the ticket queues."""

    @extend_schema(responses=DeskSerializer)
    def list(self, request):
        if not permissions.sees_desk(request.user):
            raise Forbidden(_("售后服务台只对客服和经理开放。"))
        queues = selectors.desk_for(request.user)
        heads = {
            "callbacks": queue_head(queues["callbacks"], DESK_ITEMS),
            **{name: queue_head(queues[name].values_list("pk", flat=True), DESK_ITEMS) for name in selectors.TICKET_QUEUES},
        }
        data = {
            "counts": {name: heads[name][1] if name in heads else qs.count() for name, qs in queues.items()},
            "callbacks_due": heads["callbacks"][0],
            **{name: heads[name][0] for name in selectors.TICKET_QUEUES},
        }
        return Response(DeskSerializer(data).data)


class EngineerStatsSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    name = UserNameField(source="user")
    tickets_assigned = serializers.IntegerField()
    tickets_resolved = serializers.IntegerField()
    avg_first_response_hours = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    avg_resolution_hours = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    sla_hits = serializers.IntegerField()
    sla_hit_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    callbacks_done = serializers.IntegerField()
    avg_product = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    avg_delivery = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    avg_service = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class StatsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, help_text=_("默认今年"))
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, help_text=_("默认本月"))


class StatsViewSet(viewsets.ViewSet):
    """月度服务统计 per engineer (scoped like the lists)."""

    @extend_schema(parameters=[StatsQuery], responses=EngineerStatsSerializer(many=True))
    def list(self, request):
        query = StatsQuery(data=rules.stats_query(request.query_params, today=timezone.localdate()))
        query.is_valid(raise_exception=True)
        rows = selectors.service_stats(request.user, year=query.validated_data["year"], month=query.validated_data["month"])
        return Response(EngineerStatsSerializer(rows, many=True).data)
