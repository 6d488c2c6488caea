"""The API of the performance appraisal (绩效考核): the rounds (open one, submit it to the GM — who decides through
/api/v1/approvals/) and the appraisals (score, send, confirm, object, re-confirm, reopen, leave out, include; the
filtered table as .xlsx). Every write goes through reports.services.appraisals, as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ChoiceLabelField, ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin

from . import appraisal_rules as rules
from . import appraisal_selectors, permissions
from .filters import AppraisalFilter, AppraisalRoundFilter
from .models import Appraisal, AppraisalRound, AppraisalScore
from .services import appraisals as svc


class MilestoneSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[code for code, _label, _days in rules.SCHEDULE])
    label = serializers.CharField()
    due = serializers.DateField(help_text="考核期结束后的第几个工作日（阈值），按公司工作日历")
    done_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["done", "late", "overdue", "due"])


class AppraisalRoundSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(help_text="2026-Q3 / 2026")
    period_label = serializers.SerializerMethodField()
    status_display = ChoiceLabelField(source="status")
    opened_by_name = UserNameField(source="opened_by")
    schedule = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = AppraisalRound
        fields = [
            "id",
            "period",
            "period_label",
            "kind",
            "year",
            "number",
            "status",
            "status_display",
            "opened_by",
            "opened_by_name",
            "submitted_at",
            "approved_at",
            "created_at",
            "schedule",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_period(self, obj) -> str:
        return obj.period.key

    def get_period_label(self, obj) -> str:
        return obj.period.label

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_schedule(self, obj) -> list[dict]:
        """考核实施程序: each step's day and when it was done."""
        return MilestoneSerializer(appraisal_selectors.round_schedule(obj), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.round_allowed_actions(obj, self.context["request"].user)


class RoundOpenSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=10, label=_("考核期"), help_text="2026-Q3（季度考核）或 2026（年度考核）")


class RoundSentSerializer(serializers.Serializer):
    sent = serializers.ListField(child=serializers.IntegerField(), help_text="发送的个人考核 id")
    left = serializers.ListField(child=serializers.IntegerField(), help_text="还有考核项未评分、未发送的个人考核 id")


class AppraisalRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """绩效考核 rounds. POST opens one (the sales manager; a period that has ended, once); …/submit/ sends the table to the
    GM when every appraisal is confirmed, re-confirmed or left out (the GM decides in /api/v1/approvals/). The people
    of a round: /api/v1/appraisals/?round=ID; …/send-scored/ sends every draft fully scored at once."""

    selector = staticmethod(appraisal_selectors.appraisal_rounds_for)
    serializer_class = AppraisalRoundSerializer  # a handful of rounds a year: serialized row by row (period, actions)
    filterset_class = AppraisalRoundFilter
    filter_backends = [ListFilterBackend]

    def _respond(self, round_, code=status.HTTP_200_OK):
        fresh = appraisal_selectors.appraisal_round_get_for(self.request.user, round_.pk)
        return Response(AppraisalRoundSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=RoundOpenSerializer, responses={201: AppraisalRoundSerializer})
    def create(self, request):
        period = self.validated_input(RoundOpenSerializer)["period"]
        return self._respond(svc.round_open(actor=request.user, period_key=period), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RoundSentSerializer)
    @action(detail=True, methods=["post"], url_path="send-scored")
    def send_scored(self, request, pk=None):
        """全部发本人确认: every draft with all its lines scored is sent; `left` lists the drafts still unscored."""
        sent, left = svc.round_send_scored(round_=self.get_object(), actor=request.user)
        return Response({"sent": [a.pk for a in sent], "left": [a.pk for a in left]})

    @extend_schema(request=None, responses=AppraisalRoundSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交总经理审批; 409 listing who has not confirmed."""
        return self._respond(svc.round_submit(round_=self.get_object(), actor=request.user))


class AppraisalSerializer(serializers.ModelSerializer):
    """A row of the appraisals list (the round's table)."""

    employee_name = UserNameField(source="employee")
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    status_display = ChoiceLabelField(source="status")
    grade_display = ChoiceLabelField(source="grade")
    level_change_display = ChoiceLabelField(source="level_change", allow_null=True)  # null until fixed
    appraiser_name = UserNameField(source="appraiser")

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "round",
            "employee",
            "employee_name",
            "post",
            "team",
            "team_name",
            "total",
            "grade",
            "grade_display",
            "pay_factor",
            "level_change",
            "level_change_display",
            "status",
            "status_display",
            "appraiser",
            "appraiser_name",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "pay_factor": {"help_text": "绩效工资系数（薪酬激励标准），提交总经理审批时确定，之前为 null"},
            "level_change": {"help_text": "销售级别调整 1 / 0 / -1，提交总经理审批时确定，之前为 null"},
        }


class AppraisalScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppraisalScore
        fields = ["id", "part", "name", "standard", "max_points", "measure", "value", "points", "note"]
        read_only_fields = fields


class AppraisalDetailSerializer(AppraisalSerializer):
    """The whole appraisal: its lines (a measured line's `value` is the period's rate, 0..1, its points follow from
    it), the comment, the objection and the answer, and what the requesting user may do now."""

    period = serializers.SerializerMethodField(help_text="2026-Q3 / 2026")
    scores = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(AppraisalSerializer.Meta):
        fields = AppraisalSerializer.Meta.fields + [
            "period",
            "scores",
            "comment",
            "objection",
            "reply",
            "exclude_reason",
            "sent_at",
            "answered_at",
            "settled_at",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_period(self, obj) -> str:
        return obj.round.period.key

    @extend_schema_field(AppraisalScoreSerializer(many=True))
    def get_scores(self, obj) -> list[dict]:
        return AppraisalScoreSerializer(obj.scores.all(), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.appraisal_allowed_actions(obj, self.context["request"].user)


class ScoreLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="考核项（scores[].id）")
    points = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True, label=_("得分"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("说明"))


class AppraisalScoreInputSerializer(serializers.Serializer):
    scores = ScoreLineSerializer(many=True, required=False, default=list)
    comment = serializers.CharField(required=False, allow_blank=True, label=_("评语与奖惩意见"))


class AppraisalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, label=_("原因"))


class AppraisalReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=2000, label=_("复核意见"))


class AppraisalViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """个人考核: one's own once sent, a team lead's team's, everybody's for the managers, VP and GM, those of approved
    rounds for finance. PATCH scores the lines left to the appraiser and the comment; …/send/, …/confirm/, …/object/
    (reason), …/settle/ (reply), …/reopen/ (reason), …/exclude/ (reason), …/include/ move it; GET …/export/ the table."""

    selector = staticmethod(appraisal_selectors.appraisals_for)
    serializer_class = AppraisalSerializer
    export_name = "appraisals"
    filterset_class = AppraisalFilter
    filter_backends = [ListFilterBackend]

    def get_serializer_class(self):
        return AppraisalSerializer if self.action in ("list", "export") else AppraisalDetailSerializer

    def _respond(self, appraisal):
        fresh = appraisal_selectors.appraisal_get_for(self.request.user, appraisal.pk)
        return Response(AppraisalDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=AppraisalScoreInputSerializer, responses=AppraisalDetailSerializer)
    def partial_update(self, request, pk=None):
        data = self.validated_input(AppraisalScoreInputSerializer)
        lines = {line["id"]: {k: v for k, v in line.items() if k != "id"} for line in data["scores"]}
        done = svc.appraisal_score(appraisal=self.get_object(), actor=request.user, scores=lines, comment=data.get("comment"))
        return self._respond(done)

    @extend_schema(request=None, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """发本人确认: every line scored (the measured ones again from the figures)."""
        return self._respond(svc.appraisal_send(appraisal=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """确认 (the person)."""
        return self._respond(svc.appraisal_confirm(appraisal=self.get_object(), actor=request.user))

    @extend_schema(request=AppraisalReasonSerializer, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        """提出异议 (the person), with the reason."""
        reason = self.validated_input(AppraisalReasonSerializer)["reason"]
        return self._respond(svc.appraisal_object(appraisal=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(request=AppraisalReplySerializer, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        """复核确认 of an objection (the sales manager), with the answer."""
        reply = self.validated_input(AppraisalReplySerializer)["reply"]
        return self._respond(svc.appraisal_settle(appraisal=self.get_object(), actor=request.user, reply=reply))

    @extend_schema(request=AppraisalReasonSerializer, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """重新评分, with the reason."""
        reason = self.validated_input(AppraisalReasonSerializer)["reason"]
        return self._respond(svc.appraisal_reopen(appraisal=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(request=AppraisalReasonSerializer, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def exclude(self, request, pk=None):
        """不参与考核, with the reason."""
        reason = self.validated_input(AppraisalReasonSerializer)["reason"]
        return self._respond(svc.appraisal_exclude(appraisal=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(request=None, responses=AppraisalDetailSerializer)
    @action(detail=True, methods=["post"])
    def include(self, request, pk=None):
        """恢复考核."""
        return self._respond(svc.appraisal_include(appraisal=self.get_object(), actor=request.user))


def register(router) -> None:
    router.register("appraisal-rounds", AppraisalRoundViewSet, basename="appraisal-round")
    router.register("appraisals", AppraisalViewSet, basename="appraisal")
