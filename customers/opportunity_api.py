"""/api/v1/ for sales opportunities (销售机会: the pipeline, 比价/投标's decision, the funnel and the forecast) and their
technical questions (技术咨询); registered by customers.api.register.

Querysets always come from the selectors (what a user may not see is a 404); serializers validate; writes call services.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ChoiceLabelField, ListRowsMixin, MoneyField, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin

from . import filters, rules, selectors, services
from .api import VisibleContactField, VisibleCustomerField, VisibleOpportunityField
from .models import Opportunity, TechnicalQuestion


class OpportunitySerializer(serializers.ModelSerializer):
    """A row of the opportunity list: the columns the list shows."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = UserNameField(source="owner")
    # a plain string, so the schema's "status" enum stays the customer's
    status = serializers.CharField(read_only=True, help_text="lead / qualified / proposal / negotiation / won / lost")
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "number",
            "title",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
            "status",
            "status_display",
            "amount",
            "expected_close",
            "bidding",
            "bid_decision",
            "created_at",
        ]
        read_only_fields = fields


class OpportunityDetailSerializer(OpportunitySerializer):
    """The whole opportunity, with its weighted amount and what the requesting user may do with it now."""

    weighted_amount = serializers.SerializerMethodField(help_text=_("预计金额 × 赢率"))
    chance = serializers.SerializerMethodField(
        help_text=_("赢率：业务员的估计（跟进中且已填写时），否则为阶段赢率；0.60 表示 60%")
    )
    allowed_actions = serializers.SerializerMethodField()
    created_by_name = UserNameField(source="created_by")

    class Meta(OpportunitySerializer.Meta):
        fields = OpportunitySerializer.Meta.fields + [
            "contact",
            "needs",
            "plan",
            "competitor",
            "close_reason",
            "closed_at",
            "probability",
            "chance",
            "weighted_amount",
            "bid_deadline",
            "created_by",
            "created_by_name",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyField())
    def get_weighted_amount(self, obj) -> str:
        return format(rules.weighted_amount(obj.amount, obj.status, obj.probability), "f")

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2))
    def get_chance(self, obj) -> str:
        return format(rules.chance(obj.status, obj.probability), ".2f")

    def get_allowed_actions(self, obj) -> list[str]:
        return services.opportunity_allowed_actions(obj, self.context["request"].user)


class OpportunityInputSerializer(serializers.Serializer):
    """Open (POST) or edit (PATCH) an opportunity; the customer is chosen on create and fixed afterwards."""

    customer = VisibleCustomerField(label=_("客户"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    title = serializers.CharField(max_length=100, label=_("机会名称"))
    needs = serializers.CharField(label=_("客户需求"))
    plan = serializers.CharField(required=False, allow_blank=True, label=_("销售计划"))
    amount = MoneyField(label=_("预计金额（含税）"))
    probability = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100,
        label=_("赢率（%）"),
        help_text=_("业务员对成交把握的估计（0–100）；null 则按阶段赢率，调整阶段后恢复为阶段赢率"),
    )
    expected_close = serializers.DateField(label=_("预计成交日期"))
    competitor = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("竞争对手"))
    bidding = serializers.ChoiceField(
        choices=Opportunity.Bidding.choices,
        required=False,
        label=_("比价/投标"),
        help_text=_("none 不涉及 / inquiry 询价比价 / tender 招标投标；比价/投标须报请领导决定参加（…/request-bid/）后才能报价"),
    )
    bid_deadline = serializers.DateField(
        required=False, allow_null=True, label=_("报价/投标截止日期"), help_text=_("招标投标必填")
    )


class OpportunityUpdateSerializer(OpportunityInputSerializer):
    customer = None


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[(s.value, s.label) for s in Opportunity.OPEN_STAGES], label=_("阶段"))


class WinSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("赢单说明"))


class LoseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("输单原因"))
    competitor = serializers.CharField(required=False, allow_blank=True, default="", max_length=100, label=_("竞争对手"))


class BidRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label=_("报请说明"))


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("原因"))


class PipelineStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = MoneyField()
    weighted = MoneyField(help_text=_("各机会的预计金额 × 赢率之和"))
    probability = serializers.DecimalField(max_digits=4, decimal_places=2, help_text=_("阶段赢率，0.60 表示 60%"))


class ForecastMonthSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("earlier（已逾期）、YYYY-MM 或 later"))
    label = serializers.CharField()
    close_from = serializers.DateField(allow_null=True, help_text=_("预计成交日期从（含）；null 表示不限"))
    close_to = serializers.DateField(allow_null=True, help_text=_("预计成交日期至（含）；null 表示不限"))
    count = serializers.IntegerField()
    amount = MoneyField()
    weighted = MoneyField(help_text=_("各机会的预计金额 × 赢率之和"))


class OpportunityViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """销售机会. Opened on a customer (POST), edited while open (PATCH), moved through the stages (…/move/), won
    (…/win/), lost with the reason (…/lose/), reopened (…/reopen/); a 比价/投标 is reported for the leaders' decision to
    take part (…/request-bid/); never deleted. GET …/pipeline/ sums the filtered
    rows by stage (count, amount, weighted amount), GET …/forecast/ the open ones by expected close month."""

    selector = staticmethod(selectors.opportunity_list_for)
    serializer_class = OpportunitySerializer
    export_name = "opportunities"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = filters.OpportunityFilter
    filter_backends = [ListFilterBackend]  # the filter set searches (q) and orders (ordering) too, like the page

    def get_serializer_class(self):
        return OpportunitySerializer if self.action in ("list", "export") else OpportunityDetailSerializer

    def _respond(self, opportunity, code=status.HTTP_200_OK):
        fresh = selectors.opportunity_get_for(self.request.user, opportunity.pk)
        return Response(OpportunityDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=OpportunityInputSerializer, responses={201: OpportunityDetailSerializer})
    def create(self, request):
        data = dict(self.validated_input(OpportunityInputSerializer))
        customer = data.pop("customer")
        return self._respond(
            services.opportunity_create(actor=request.user, customer=customer, data=data), status.HTTP_201_CREATED
        )

    @extend_schema(request=OpportunityUpdateSerializer, responses=OpportunityDetailSerializer)
    def partial_update(self, request, pk=None):
        opportunity = self.get_object()
        s = OpportunityUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        return self._respond(services.opportunity_update(opportunity=opportunity, actor=request.user, data=s.validated_data))

    @extend_schema(request=StageSerializer, responses=OpportunityDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """调整阶段: to another open stage, forward or back; 409 when it is won or lost."""
        opportunity = self.get_object()
        stage = self.validated_input(StageSerializer)["stage"]
        return self._respond(services.opportunity_move(opportunity=opportunity, actor=request.user, stage=stage))

    @extend_schema(request=WinSerializer, responses=OpportunityDetailSerializer)
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        """赢单."""
        opportunity = self.get_object()
        note = self.validated_input(WinSerializer)["note"]
        return self._respond(services.opportunity_win(opportunity=opportunity, actor=request.user, note=note))

    @extend_schema(request=LoseSerializer, responses=OpportunityDetailSerializer)
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        """输单, with the reason (required) and the competitor who won it."""
        opportunity = self.get_object()
        data = self.validated_input(LoseSerializer)
        return self._respond(services.opportunity_lose(opportunity=opportunity, actor=request.user, **data))

    @extend_schema(request=BidRequestSerializer, responses=OpportunityDetailSerializer)
    @action(detail=True, methods=["post"], url_path="request-bid")
    def request_bid(self, request, pk=None):
        """报请参与决策 on a 比价/投标: the sales manager (and above bid_major_amount the sales VP) decide through the
        approvals engine (GET /api/v1/approval-steps/, POST /api/v1/approval-steps/{id}/decide/); agreed, `bid_decision` is go and it may be quoted;
        refused, it is declined and the opportunity lost. 409 when it is no 比价/投标 or already asked."""
        opportunity = self.get_object()
        note = self.validated_input(BidRequestSerializer)["note"]
        return self._respond(services.opportunity_request_bid(opportunity=opportunity, actor=request.user, note=note))

    @extend_schema(request=RequiredReasonSerializer, responses=OpportunityDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """重新打开 a won or lost opportunity (back to 初步接洽), with the reason."""
        opportunity = self.get_object()
        reason = self.validated_input(RequiredReasonSerializer)["reason"]
        return self._respond(services.opportunity_reopen(opportunity=opportunity, actor=request.user, reason=reason))

    @extend_schema(responses=PipelineStageSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def pipeline(self, request):
        """The funnel of the filtered opportunities: per stage, how many, their amount and the weighted amount."""
        rows = selectors.opportunity_pipeline(self.filter_queryset(self.get_queryset()))
        return Response(PipelineStageSerializer(rows, many=True).data)

    @extend_schema(responses=ForecastMonthSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def forecast(self, request):
        """预计成交: the open ones among the filtered opportunities by the month they are expected to close — those
        overdue (before this month), each of the next six months from this one, and the later ones — with how many,
        their amount and the weighted amount. `close_from` / `close_to` give each row's dates for the list's filter."""
        rows = selectors.opportunity_forecast(self.filter_queryset(self.get_queryset()), timezone.localdate())
        return Response(ForecastMonthSerializer(rows, many=True).data)


# --- technical questions (技术咨询) -------------------------------------------------------------------------------------
class QuestionSerializer(serializers.ModelSerializer):
    """A row of the technical questions list."""

    opportunity_number = serializers.CharField(source="opportunity.number", read_only=True)
    opportunity_title = serializers.CharField(source="opportunity.title", read_only=True)
    customer_name = serializers.CharField(source="opportunity.customer.name", read_only=True)
    asked_by_name = UserNameField(source="asked_by")
    status = serializers.CharField(read_only=True, help_text="open / answered / withdrawn")
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = TechnicalQuestion
        fields = [
            "id",
            "number",
            "subject",
            "opportunity",
            "opportunity_number",
            "opportunity_title",
            "customer_name",
            "status",
            "status_display",
            "needed_by",
            "asked_by",
            "asked_by_name",
            "created_at",
        ]
        read_only_fields = fields


class QuestionDetailSerializer(QuestionSerializer):
    """The whole question with its answer and what the requesting user may do with it now."""

    answered_by_name = UserNameField(source="answered_by")
    allowed_actions = serializers.SerializerMethodField()

    class Meta(QuestionSerializer.Meta):
        fields = QuestionSerializer.Meta.fields + [
            "question",
            "answer",
            "answered_by",
            "answered_by_name",
            "answered_at",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return services.question_allowed_actions(obj, self.context["request"].user)


class QuestionInputSerializer(serializers.Serializer):
    opportunity = VisibleOpportunityField(label=_("销售机会"))
    subject = serializers.CharField(max_length=100, label=_("主题"))
    question = serializers.CharField(label=_("问题"))
    needed_by = serializers.DateField(required=False, allow_null=True, label=_("希望答复日期"))


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000, label=_("答复"))


class FollowUpQuestionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, label=_("追问"))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("原因"))


class QuestionViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """技术咨询. Asked on an open opportunity the user works (POST), answered by the technical department (…/answer/),
    asked again on the answer (…/follow-up/) or withdrawn while open (…/withdraw/) by whoever asked or works the
    opportunity; never deleted."""

    selector = staticmethod(selectors.question_list_for)
    serializer_class = QuestionSerializer
    export_name = "technical-questions"  # GET …/export/: the filtered questions as .xlsx (salesops.core.exports)
    filterset_class = filters.QuestionFilter
    filter_backends = [ListFilterBackend]

    def get_serializer_class(self):
        return QuestionSerializer if self.action in ("list", "export") else QuestionDetailSerializer

    def _respond(self, question, code=status.HTTP_200_OK):
        fresh = selectors.question_get_for(self.request.user, question.pk)
        return Response(QuestionDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=QuestionInputSerializer, responses={201: QuestionDetailSerializer})
    def create(self, request):
        data = dict(self.validated_input(QuestionInputSerializer))
        opportunity = data.pop("opportunity")
        return self._respond(
            services.question_ask(actor=request.user, opportunity=opportunity, data=data), status.HTTP_201_CREATED
        )

    @extend_schema(request=AnswerSerializer, responses=QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """答复 (the technical department); 409 when it is not waiting for an answer."""
        text = self.validated_input(AnswerSerializer)["answer"]
        return self._respond(services.question_answer(question=self.get_object(), actor=request.user, answer=text))

    @extend_schema(request=FollowUpQuestionSerializer, responses=QuestionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """追问 on an answer: added to the question, which waits for an answer again."""
        text = self.validated_input(FollowUpQuestionSerializer)["text"]
        return self._respond(services.question_follow_up(question=self.get_object(), actor=request.user, text=text))

    @extend_schema(request=WithdrawSerializer, responses=QuestionDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回 an open question."""
        reason = self.validated_input(WithdrawSerializer)["reason"]
        return self._respond(services.question_withdraw(question=self.get_object(), actor=request.user, reason=reason))
