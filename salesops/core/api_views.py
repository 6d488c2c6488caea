"""/api/v1/ of the kernel: notifications, approvals (waiting for me, decide, rounds of a document), the timeline of any
document (events, comments, attachments); the current user's account is in accounts_api.py.

Every document-bound endpoint first checks visibility with salesops.core.access.get_visible_or_404 (404 for what the user
may not see); writes call the kernel services; their DomainErrors become {"code", "detail"} through core.api.exception_handler.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import approvals, batch, export_runs_api, selectors, timeline
from .access import get_visible_or_404, reads_files
from .api import ID_MAX, ChoiceLabelField, ListRowsMixin, ScopedViewSet, UserNameField, batch_ids_field
from .api_filters import ListFilterBackend
from .errors import DomainError
from .export_runs_api import ExportActionMixin
from .filters import DecidedStepFilter, NotificationFilter, WaitingStepFilter
from .models import ApprovalRequest, ApprovalStep, Attachment, Event, Notification
from .notifications import notification_mark_read, unread_count
from .thresholds import threshold


def _target_or_404(user, ct_id, obj_id):
    ct = ContentType.objects.filter(pk=ct_id).first()
    model = ct.model_class() if ct else None
    if model is None:
        raise Http404
    return get_visible_or_404(model, user, obj_id)


# --- notifications ------------------------------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="title_text", read_only=True, help_text="标题（读者的语言）")
    body = serializers.CharField(source="body_text", read_only=True, help_text="内容（读者的语言）")
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "is_read", "read_at", "created_at"]
        read_only_fields = fields
        row_columns = ["title", "body", "title_msgid", "body_msgid", "params"]  # what title_text / body_text read

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        allow_empty=True,
        label=_("通知ID"),
        help_text=_("要标为已读的通知；不传则全部标为已读。"),
    )


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadOutput(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The current user's notifications (never anyone else's): unread first; `show` = unread / read narrows them."""

    selector = staticmethod(selectors.notifications_for)
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; the selector scopes to the user
    filter_backends = [ListFilterBackend]
    filterset_class = NotificationFilter

    @extend_schema(request=MarkReadInput, responses=MarkReadOutput)
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        marked = notification_mark_read(user=request.user, ids=self.validated_input(MarkReadInput).get("ids"))
        return Response({"marked": marked, "unread": unread_count(request.user)})

    @extend_schema(responses=UnreadCountOutput)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": unread_count(request.user)})


# --- approvals ----------------------------------------------------------------------------------------------------
class ApprovalStepSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id", read_only=True)
    title = serializers.CharField(source="request.title_text", read_only=True)
    kind = serializers.CharField(source="request.kind", read_only=True)
    label = serializers.CharField(source="label_text", read_only=True, label=_("步骤"))
    kind_label = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="request.round", read_only=True)
    url = serializers.CharField(source="request.url", read_only=True)
    requested_by_name = UserNameField(source="request.requested_by")
    status_display = ChoiceLabelField(source="status")
    assignee = serializers.CharField(source="assignee_label", read_only=True)
    department = serializers.CharField(source="assignee_department.code", read_only=True, default="")
    decided_by_name = UserNameField(source="decided_by")
    waiting_hours = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    can_decide = serializers.SerializerMethodField()
    reason = serializers.CharField(source="reason_text", read_only=True, help_text=_("为什么送到这一步（审批路线的依据）"))
    summary = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalStep
        fields = [
            "id",
            "request",
            "title",
            "kind",
            "kind_label",
            "round",
            "url",
            "requested_by_name",
            "stage",
            "code",
            "label",
            "assignee",
            "assignee_role",
            "department",
            "status",
            "status_display",
            "activated_at",
            "waiting_hours",
            "overdue",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "comment",
            "can_decide",
            "reason",
            "summary",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return approvals.kind_label(obj.request.kind)

    def get_waiting_hours(self, obj) -> float | None:
        if obj.status != ApprovalStep.Status.PENDING or not obj.activated_at:
            return None
        return round((timezone.now() - obj.activated_at).total_seconds() / 3600, 1)

    def get_overdue(self, obj) -> bool:
        hours = self.get_waiting_hours(obj)
        if hours is None:
            return False
        if "overdue_hours" not in self.context:
            self.context["overdue_hours"] = float(threshold("approval_overdue_hours"))
        return hours >= self.context["overdue_hours"]

    def get_can_decide(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request) and approvals.can_decide(obj, request.user)

    @extend_schema_field(
        {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}, "value": {"type": "string"}}}}
    )
    def get_summary(self, obj) -> list[dict]:
        """What the step approves (amount, discount, margin…), each figure only for a reader allowed to see it."""
        request = self.context.get("request")
        if request is None:
            return []
        return [{"label": label, "value": value} for label, value in approvals.summary_for(obj.request, request.user)]


class DecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ApprovalStep.Decision.choices, label=_("审批结论"))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, label=_("审批意见"))


class DecideManyInput(serializers.Serializer):
    step_ids = batch_ids_field(
        label=_("审批步骤ID"),
        help_text=format_lazy(_("要同意的审批步骤，一次最多 {max} 项（重复的只算一次）。"), max=batch.MAX),
        empty=_("请选择要同意的审批。"),
        too_many=_("一次最多批量同意 {max_length} 项；请分批处理。"),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label=_("审批意见"), help_text=_("可选，写在每一项上的同一意见")
    )

    def validate_step_ids(self, value):
        try:
            return approvals.batch_step_ids(value)
        except DomainError as e:
            raise serializers.ValidationError(str(e)) from None


class DecideManyFailure(serializers.Serializer):
    step_id = serializers.IntegerField()
    code = serializers.CharField(
        help_text=_("conflict：已被处理、还没轮到或本轮已结束；forbidden：不是您的步骤；not_found：不存在或无权查看；error：出错")
    )
    detail = serializers.CharField(help_text=_("未同意的原因"))


class DecideManyOutput(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField(), help_text=_("已同意的审批步骤ID"))
    failed = DecideManyFailure(many=True, help_text=_("未处理的审批步骤及原因（不影响其他步骤）"))


class ApprovalStepViewSet(ExportActionMixin, mixins.ListModelMixin, ScopedViewSet):
    """GET: the steps waiting for me (待我审批); `decided/`: the steps I decided (我已处理); `{id}/decide/`: decide one;
    `decide-many/`: approve many at once (批量同意, each step on its own); `export/`: the .xlsx of either (`?tab=done`: the
    decided ones) with the same filters."""

    export_name = "approvals"

    selector = staticmethod(approvals.steps_waiting_for)
    serializer_class = ApprovalStepSerializer
    queryset = ApprovalStep.objects.none()  # for the schema; the selector scopes to the user
    filter_backends = [ListFilterBackend]

    @property
    def filterset_class(self):
        return DecidedStepFilter if self.action == "decided" else WaitingStepFilter

    @extend_schema(responses=ApprovalStepSerializer(many=True))
    @action(detail=False, methods=["get"])
    def decided(self, request):
        page = self.paginate_queryset(self.filter_queryset(selectors.steps_decided_by(request.user)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=DecideInput,
        responses={200: ApprovalStepSerializer},
        description="403 当您不是该步骤的处理人；409 当该步骤已被处理或还没轮到；400 当不同意/有条件同意却没有意见。",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = self.validated_input(DecideInput)
        try:
            step_id = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        step = approvals.approval_decide(
            step_id=step_id,
            actor=request.user,
            decision=data["decision"],
            comment=data.get("comment", ""),
        )
        step = selectors.steps_decided_by(request.user).get(pk=step.pk)
        return Response(self.get_serializer(step).data)

    @extend_schema(
        request=DecideManyInput,
        responses={200: DecideManyOutput},
        description=(
            "批量同意：逐项同意（每项单独生效，一项失败不影响其他项），只能“同意”，不同意或有条件同意请逐项处理。"
            "200 时 approved 为已同意的步骤，failed 为未处理的步骤及原因（已被他人处理、不是您的步骤、还没轮到、"
            f"本轮已结束、不存在或无权查看…）；400 当列表为空、超过 {batch.MAX} 项或含非正整数。"
        ),
    )
    @action(detail=False, methods=["post"], url_path="decide-many")
    def decide_many(self, request):
        data = self.validated_input(DecideManyInput)
        outcomes = approvals.approval_decide_many(step_ids=data["step_ids"], actor=request.user, comment=data.get("comment", ""))
        return Response(
            {
                "approved": [o.pk for o in outcomes if o.done],
                "failed": [{"step_id": o.pk, "code": o.code, "detail": o.detail} for o in outcomes if not o.done],
            }
        )


class ApprovalRequestSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    status_display = ChoiceLabelField(source="status")
    requested_by_name = UserNameField(source="requested_by")
    steps = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "round",
            "status",
            "status_display",
            "title",
            "url",
            "requested_by",
            "requested_by_name",
            "current_stage",
            "created_at",
            "decided_at",
            "steps",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return approvals.kind_label(obj.kind)

    @extend_schema_field(ApprovalStepSerializer(many=True))
    def get_steps(self, obj) -> list[dict]:
        steps = list(obj.steps.all())
        for step in steps:
            step.request = obj
        return ApprovalStepSerializer(steps, many=True, context=self.context).data


class DocumentApprovalsView(APIView):
    """Every round of approval of one document, newest first, each with its steps (who, decision, comment, can_decide)."""

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, description="只看某一审批类型")],
        responses=ApprovalRequestSerializer(many=True),
    )
    def get(self, request, ct_id: int, obj_id: int):
        target = _target_or_404(request.user, ct_id, obj_id)
        rounds = approvals.requests_for(target, request.query_params.get("kind") or None)
        return Response(ApprovalRequestSerializer(rounds, many=True, context={"request": request}).data)


# --- timeline -----------------------------------------------------------------------------------------------------
class EventSerializer(serializers.ModelSerializer):
    verb_display = serializers.CharField(source="get_verb_display", read_only=True)
    actor_name = UserNameField(source="actor")
    message = serializers.CharField(source="text", read_only=True)  # rendered in the request's language
    changes = serializers.ListField(source="rendered_changes", child=serializers.DictField(), read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "verb",
            "verb_display",
            "actor",
            "actor_name",
            "message",
            "from_status",
            "to_status",
            "changes",
            "created_at",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    uploaded_by_name = UserNameField(source="uploaded_by")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "size",
            "content_type",
            "uploaded_by",
            "uploaded_by_name",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("api-attachment-download", args=[obj.pk])


class CommentInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=5000, trim_whitespace=True, label=_("评论内容"))


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(label=_("文件"), allow_empty_file=True)
    kind = serializers.ChoiceField(
        choices=Attachment.Kind.choices, required=False, default=Attachment.Kind.GENERAL, label=_("附件类型")
    )


class TimelineView(APIView):
    """The events of one document (transitions, edits with old → new, comments, approvals), newest first, paginated;
    without the changes the document's app hides from the reader (timeline.events_for)."""

    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, ct_id: int, obj_id: int):
        target = _target_or_404(request.user, ct_id, obj_id)
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(timeline.events_for(target, request.user), request, view=self)
        return paginator.get_paginated_response(EventSerializer(page, many=True).data)


class TimelineCommentsView(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(request=CommentInput, responses={201: EventSerializer})
    def post(self, request, ct_id: int, obj_id: int):
        target = _target_or_404(request.user, ct_id, obj_id)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = timeline.comment_add(target=target, actor=request.user, text=data.validated_data["text"])
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class TimelineAttachmentsView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request, ct_id: int, obj_id: int):
        target = _target_or_404(request.user, ct_id, obj_id)
        if not reads_files(type(target), request.user):  # sees the document, not its files (access.reads_files)
            return Response([])
        return Response(AttachmentSerializer(timeline.attachments_for(target), many=True).data)

    @extend_schema(request={"multipart/form-data": AttachmentInput}, responses={201: AttachmentSerializer})
    def post(self, request, ct_id: int, obj_id: int):
        target = _target_or_404(request.user, ct_id, obj_id)
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = timeline.attachment_add(
            target=target, actor=request.user, upload=data.validated_data["file"], kind=data.validated_data["kind"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadView(APIView):
    """The file of an attachment, if the user may see its document."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        from .views import attachment_file_response

        return attachment_file_response(request.user, pk)


def register(router):
    """Register the kernel viewsets on the /api/v1/ router (the non-router paths are in core/api_urls.py)."""
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("approval-steps", ApprovalStepViewSet, basename="approval-step")
    export_runs_api.register(router)
