"""Service tickets (服务工单) with their SLA, communication log and spare parts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from catalog.models import Product
from contracts.api import ReasonInput
from customers.models import Customer
from orders.models import SalesOrder
from salesops.core.api import ListRowsMixin, QuantityField, UserNameField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.once import header_key, once_key_parameter, outcome

from .. import permissions, selectors
from ..filters import TicketFilter
from ..models import Priority, ServiceTicket, TicketCommunication, TicketPart, TicketType
from ..services import tickets as svc
from .common import AllowedActionsField, DocumentViewSet, no_body

User = get_user_model()


class TicketSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default="")
    engineer_name = UserNameField(source="engineer")
    response_sla = serializers.SerializerMethodField(help_text="ok / warning / breached / met / missed / paused")
    resolution_sla = serializers.SerializerMethodField(help_text="ok / warning / breached / met / missed / paused")

    class Meta:
        model = ServiceTicket
        fields = [
            "id",
            "number",
            "ticket_type",
            "priority",
            "status",
            "customer",
            "customer_name",
            "order",
            "order_number",
            "product",
            "lot_no",
            "subject",
            "engineer",
            "engineer_name",
            "respond_by",
            "resolve_by",
            "first_response_at",
            "resolved_at",
            "paused_since",
            "response_sla",
            "resolution_sla",
            "created_at",
        ]
        read_only_fields = fields

    def _sla(self, obj):
        if not hasattr(obj, "response_sla"):
            if "sla_warn" not in self.context:  # read once for the whole list, not once per row
                self.context["sla_warn"] = selectors.sla_warn()
            selectors.with_sla([obj], warn=self.context["sla_warn"])
        return obj

    def get_response_sla(self, obj) -> str:
        return self._sla(obj).response_sla

    def get_resolution_sla(self, obj) -> str:
        return self._sla(obj).resolution_sla


class CommunicationSerializer(serializers.ModelSerializer):
    by_name = UserNameField(source="by")

    class Meta:
        model = TicketCommunication
        fields = ["id", "kind", "happened_at", "counterpart", "summary", "attachment", "by_name"]
        read_only_fields = fields


class PartSerializer(serializers.ModelSerializer):
    quantity = QuantityField(read_only=True)
    by_name = UserNameField(source="by")

    class Meta:
        model = TicketPart
        fields = ["id", "product", "name", "quantity", "lot_no", "note", "by_name", "at"]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    allowed_actions = AllowedActionsField(permissions.ticket_allowed_actions)
    communications = CommunicationSerializer(many=True, read_only=True)
    parts = PartSerializer(many=True, read_only=True)
    created_by_name = UserNameField(source="created_by")

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "contact_name",
            "contact_phone",
            "source_callback",
            "resolution",
            "closed_at",
            "reopen_count",
            "paused_seconds",
            "cancel_reason",
            "created_by_name",
            "communications",
            "parts",
            "allowed_actions",
        ]
        read_only_fields = fields


class TicketCreateInput(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), help_text="customer id (must be visible)")
    ticket_type = serializers.ChoiceField(choices=TicketType.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all(), required=False, allow_null=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    engineer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)


class AssignInput(serializers.Serializer):
    engineer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class NoteInput(serializers.Serializer):
    # required (the service says so for a blank one, in the user's language): waiting stops the SLA clock
    note = serializers.CharField(allow_blank=True, max_length=300, help_text="等待客户的原因（必填：等待期间 SLA 暂停计时）")


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField()


class LogInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TicketCommunication.Kind.choices)
    summary = serializers.CharField()
    counterpart = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    happened_at = serializers.DateTimeField(required=False, allow_null=True)
    file = serializers.FileField(required=False, allow_null=True)


class PartInput(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    quantity = QuantityField()
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class TicketViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """服务工单: consulting, training, commissioning, repair, on-site support, spare parts; SLA on the working calendar."""

    selector = staticmethod(selectors.ticket_list_for)
    serializer_class = TicketSerializer
    detail_serializer = TicketDetailSerializer
    export_name = "tickets"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = TicketFilter
    ordering_fields = ["created_at", "respond_by", "resolve_by", "priority", "status"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=TicketCreateInput,
        responses={201: TicketDetailSerializer, 200: TicketDetailSerializer},
        parameters=[once_key_parameter("同一次登记的编号（UUID）：重发同一请求不会再登记，返回 200 和第一次登记的工单")],
    )
    def create(self, request, *args, **kwargs):
        data = dict(self.validated_input(TicketCreateInput))
        customer = data.pop("customer")
        data["once_key"] = header_key(request)
        ticket, created = outcome(lambda: svc.ticket_create(actor=request.user, customer=customer, data=data))
        return self.respond(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=AssignInput, responses=TicketDetailSerializer, summary="分派服务工程师")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self.validated_input(AssignInput)
        return self.respond(svc.ticket_assign(ticket=self.get_object(), actor=request.user, engineer=data["engineer"]))

    @no_body("开始处理", TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.respond(svc.ticket_start(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=NoteInput, responses=TicketDetailSerializer, summary="等待客户（SLA 暂停）")
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        return self.respond(svc.ticket_wait(ticket=self.get_object(), actor=request.user, **self.validated_input(NoteInput)))

    @no_body("客户已回复（SLA 恢复）", TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self.respond(svc.ticket_resume(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=ResolveInput, responses=TicketDetailSerializer, summary="已解决")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self.respond(
            svc.ticket_resolve(ticket=self.get_object(), actor=request.user, **self.validated_input(ResolveInput))
        )

    @no_body("关闭工单", TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.respond(svc.ticket_close(ticket=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=TicketDetailSerializer, summary="重新打开（规定天数内）")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.respond(svc.ticket_reopen(ticket=self.get_object(), actor=request.user, **self.validated_input(ReasonInput)))

    @extend_schema(request=ReasonInput, responses=TicketDetailSerializer, summary="取消工单")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.respond(svc.ticket_cancel(ticket=self.get_object(), actor=request.user, **self.validated_input(ReasonInput)))

    @extend_schema(
        request={"multipart/form-data": LogInput, "application/json": LogInput},
        responses={201: TicketDetailSerializer, 200: TicketDetailSerializer},
        summary="服务沟通记录（电话/传真/收件/发件/上门）",
        parameters=[once_key_parameter("同一次记录的编号（UUID）：重发同一请求不会再记录，返回 200 和工单")],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def communications(self, request, pk=None):
        data = dict(self.validated_input(LogInput))
        ticket = self.get_object()
        data["once_key"] = header_key(request)
        _entry, created = outcome(
            lambda: svc.ticket_log(ticket=ticket, actor=request.user, upload=data.pop("file", None), **data)
        )
        return self.respond(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=PartInput,
        responses={201: TicketDetailSerializer, 200: TicketDetailSerializer},
        summary="登记使用备件",
        parameters=[once_key_parameter("同一次登记的编号（UUID）：重发同一请求不会再登记，返回 200 和工单")],
    )
    @action(detail=True, methods=["post"])
    def parts(self, request, pk=None):
        ticket = self.get_object()
        data = dict(self.validated_input(PartInput))
        data["once_key"] = header_key(request)
        _part, created = outcome(lambda: svc.ticket_add_part(ticket=ticket, actor=request.user, **data))
        return self.respond(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
