"""Complaints (投诉) and their corrective/preventive actions (CAPA)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from catalog.models import Product
from contracts.api import ReasonInput
from contracts.api.common import ApprovalRoundSerializer
from customers.models import Customer
from orders.models import SalesOrder
from salesops.core import approvals
from salesops.core.api import ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.once import header_key, outcome
from salesops.core.roles import Role

from .. import permissions, rules, selectors
from ..filters import ComplaintFilter, CorrectiveActionFilter, MyActionFilter
from ..models import Channel, Complaint, CorrectiveAction
from ..services import complaints as svc
from .common import AllowedActionsField, DocumentViewSet, no_body
from .tickets import once_key_parameter

User = get_user_model()


class ComplaintSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    investigator_name = UserNameField(source="investigator")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "status",
            "severity",
            "channel",
            "reported_on",
            "customer",
            "customer_name",
            "order",
            "product",
            "lot_no",
            "description",
            "investigator",
            "investigator_name",
            "created_at",
        ]
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer):
    """A row of the CAPA list (read as columns, core.api.ListRowsMixin); the detail adds what the reader may do now."""

    owner_name = UserNameField(source="owner")
    verified_by_name = UserNameField(source="verified_by")

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "complaint",
            "kind",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "result",
            "done_at",
            "verification",
            "verified_by_name",
            "verified_at",
        ]
        read_only_fields = fields


class CorrectiveActionDetailSerializer(CorrectiveActionSerializer):
    allowed_actions = AllowedActionsField(permissions.action_allowed_actions)

    class Meta(CorrectiveActionSerializer.Meta):
        fields = [*CorrectiveActionSerializer.Meta.fields, "allowed_actions"]
        read_only_fields = fields


class ComplaintDetailSerializer(ComplaintSerializer):
    """The complaint with its actions, its root cause (`cause_by`/`cause_by_name`/`cause_at`: who wrote it and when — they
    may not approve the answer), its answer and the answer's approval by the leadership: `answer_status` (none /
    pending / approved / rejected) and `answer_approvals`, every round newest first with its steps (`can_decide`, the
    step id for POST /api/v1/approval-steps/{id}/decide/); `answer_approver` who approves the answer (sales_vp, or gm
    when the VP wrote its root cause or the answer or submitted it; null when nobody may) and `answer_approver_hint`, the
    page's sentence saying so."""

    actions = CorrectiveActionDetailSerializer(many=True, read_only=True)
    cause_by_name = UserNameField(source="cause_by")
    answered_by_name = UserNameField(source="answered_by")
    answer_status_display = serializers.CharField(source="get_answer_status_display", read_only=True)
    answer_approvals = serializers.SerializerMethodField()
    close_blockers = serializers.SerializerMethodField()
    answer_approver = serializers.SerializerMethodField(
        help_text="谁审批答复：sales_vp（销售副总）；原因分析或答复由销售副总撰写（或由其提交）时为 gm（总经理）；"
        "销售副总和总经理都参与撰写时无人可以审批，为 null"
    )
    answer_approver_name = serializers.SerializerMethodField(
        help_text="审批答复的角色名称（销售副总、总经理），无人可以审批时为 null"
    )
    answer_approver_hint = serializers.SerializerMethodField(help_text="页面上的提示：谁批准答复后方可关闭投诉")
    allowed_actions = AllowedActionsField(permissions.complaint_allowed_actions)

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "source_callback",
            "root_cause",
            "cause_by",
            "cause_by_name",
            "cause_at",
            "answer",
            "answered_by_name",
            "answered_at",
            "answer_status",
            "answer_status_display",
            "answer_approvals",
            "answer_approver",
            "answer_approver_name",
            "answer_approver_hint",
            "closed_at",
            "cancel_reason",
            "actions",
            "close_blockers",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_close_blockers(self, obj) -> list[str]:
        return rules.complaint_close_blockers(
            root_cause=obj.root_cause,
            answer=obj.answer,
            actions=[(a.kind, a.status) for a in obj.actions.all()],  # prefetched (selectors.complaint_detail_for)
            answer_approved=obj.answer_approved,
        )

    def _approver(self, obj) -> str | None:
        """permissions.complaint_answer_approver, asked once per complaint for the three fields."""
        cache = self.__dict__.setdefault("_approvers", {})
        if obj.pk not in cache:
            cache[obj.pk] = permissions.complaint_answer_approver(obj)
        return cache[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=list(rules.COMPLAINT_ANSWER_APPROVER_ROLES), allow_null=True))
    def get_answer_approver(self, obj) -> str | None:
        return self._approver(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_answer_approver_name(self, obj) -> str | None:
        approver = self._approver(obj)
        return str(Role(approver).label) if approver else None

    def get_answer_approver_hint(self, obj) -> str:
        return rules.complaint_answer_close_hint(self._approver(obj))

    @extend_schema_field(ApprovalRoundSerializer(many=True))
    def get_answer_approvals(self, obj) -> list[dict]:
        rounds = approvals.requests_for(obj, rules.COMPLAINT_ANSWER_KIND)
        return ApprovalRoundSerializer(rounds, many=True, context=self.context).data


class ComplaintCreateInput(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Complaint.Severity.choices, default=Complaint.Severity.MINOR)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    reported_on = serializers.DateField(required=False, allow_null=True)
    order = serializers.PrimaryKeyRelatedField(queryset=SalesOrder.objects.all(), required=False, allow_null=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class CauseInput(serializers.Serializer):
    root_cause = serializers.CharField()


class ActionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CorrectiveAction.Kind.choices)
    description = serializers.CharField()
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField()


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField()


class ComplaintViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """客户投诉: QC investigates, records the root cause, plans actions, answers the customer, submits the answer to the
    sales VP (`submit-answer/`; decided at /api/v1/approval-steps/{id}/decide/) and closes once it is approved."""

    selector = staticmethod(selectors.complaint_list_for)
    serializer_class = ComplaintSerializer
    detail_serializer = ComplaintDetailSerializer
    export_name = "complaints"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = ComplaintFilter
    ordering_fields = ["created_at", "reported_on", "severity", "status"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        """The list reads its columns; a complaint read whole (its detail, every action's answer) comes with its people
        and actions (selectors.complaint_detail_for)."""
        if self.action in ("list", "export"):
            return super().get_queryset()
        return selectors.complaint_detail_for(self.request.user)

    @extend_schema(
        request=ComplaintCreateInput,
        responses={201: ComplaintDetailSerializer, 200: ComplaintDetailSerializer},
        parameters=[once_key_parameter("同一次登记的编号（UUID）：重发同一请求不会再登记，返回 200 和第一次登记的投诉")],
    )
    def create(self, request, *args, **kwargs):
        data = dict(self.validated_input(ComplaintCreateInput))
        customer = data.pop("customer")
        data["once_key"] = header_key(request)
        complaint, created = outcome(lambda: svc.complaint_create(actor=request.user, customer=customer, data=data))
        return self.respond(complaint, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @no_body("质检开始调查", ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        return self.respond(svc.complaint_investigate(complaint=self.get_object(), actor=request.user))

    @extend_schema(request=CauseInput, responses=ComplaintDetailSerializer, summary="原因分析")
    @action(detail=True, methods=["post"], url_path="root-cause")
    def root_cause(self, request, pk=None):
        return self.respond(
            svc.complaint_record_cause(complaint=self.get_object(), actor=request.user, **self.validated_input(CauseInput))
        )

    @extend_schema(
        request=ActionInput,
        responses={201: ComplaintDetailSerializer, 200: ComplaintDetailSerializer},
        summary="添加纠正/预防措施",
        parameters=[once_key_parameter("同一次添加的编号（UUID）：重发同一请求不会再添加，返回 200 和投诉")],
    )
    @action(detail=True, methods=["post"])
    def actions(self, request, pk=None):
        complaint = self.get_object()
        data = dict(self.validated_input(ActionInput))
        data["once_key"] = header_key(request)
        _action, created = outcome(lambda: svc.action_add(complaint=complaint, actor=request.user, **data))
        return self.respond(complaint, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=AnswerInput, responses=ComplaintDetailSerializer, summary="答复客户")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self.respond(
            svc.complaint_answer(complaint=self.get_object(), actor=request.user, **self.validated_input(AnswerInput))
        )

    @no_body(
        "提交答复（处理意见）给主管领导审批（销售副总；副总撰写或提交的由总经理审批：answer_approver）", ComplaintDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="submit-answer")
    def submit_answer(self, request, pk=None):
        return self.respond(svc.complaint_submit_answer(complaint=self.get_object(), actor=request.user))

    @no_body("关闭投诉（措施全部验证有效，答复已经主管领导批准）", ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.respond(svc.complaint_close(complaint=self.get_object(), actor=request.user))

    @extend_schema(request=ReasonInput, responses=ComplaintDetailSerializer, summary="撤销投诉")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.respond(
            svc.complaint_cancel(complaint=self.get_object(), actor=request.user, **self.validated_input(ReasonInput))
        )


class ResultInput(serializers.Serializer):
    result = serializers.CharField()


class VerifyInput(serializers.Serializer):
    effective = serializers.BooleanField()
    verification = serializers.CharField()


class CorrectiveActionViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, DocumentViewSet):
    """纠正/预防措施 of visible complaints: the owner finishes, QC verifies (effective, or sent back). The list leaves
    out `allowed_actions` (the detail and the actions' answers give it)."""

    selector = staticmethod(selectors.capa_list_for)
    serializer_class = CorrectiveActionSerializer
    detail_serializer = CorrectiveActionDetailSerializer
    filterset_class = CorrectiveActionFilter
    ordering = ["due_on", "id"]

    @extend_schema(request=ResultInput, responses=CorrectiveActionDetailSerializer, summary="完成措施")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self.respond(svc.action_finish(action=self.get_object(), actor=request.user, **self.validated_input(ResultInput)))

    @extend_schema(request=VerifyInput, responses=CorrectiveActionDetailSerializer, summary="效果验证")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.respond(svc.action_verify(action=self.get_object(), actor=request.user, **self.validated_input(VerifyInput)))


class MyCorrectiveActionSerializer(serializers.ModelSerializer):
    """A row of 我的整改措施: the action, its complaint and customer, its due day and whether it is past it."""

    complaint_number = serializers.CharField(source="complaint.number", read_only=True)
    customer_name = serializers.CharField(source="complaint.customer.name", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="已逾期：过了完成期限仍未完成")

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "complaint",
            "complaint_number",
            "customer_name",
            "kind",
            "description",
            "due_on",
            "overdue",
            "status",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.status == CorrectiveAction.Status.OPEN and obj.due_on < timezone.localdate()


class MyCorrectiveActionViewSet(ListRowsMixin, mixins.ListModelMixin, ScopedViewSet):
    """我的整改措施: the corrective/preventive actions the requesting user owns that are still to be done (overdue ones
    `overdue`), the soonest due first — only one's own, whoever asks. 完成 is POST /api/v1/corrective-actions/{id}/finish/."""

    selector = staticmethod(selectors.my_actions_for)
    serializer_class = MyCorrectiveActionSerializer
    filterset_class = MyActionFilter
    ordering_fields = ["due_on", "created_at"]
    ordering = ["due_on", "id"]
