"""The API of the expense claims (费用报销): list (filters, search, pages, …/export/ as .xlsx), read, write (POST a
claim with its lines; PATCH a draft or one sent back, the lines replaced when given), and the moves — …/submit/,
…/verify/ (审核通过, the clerk), …/send-back/ (reason), …/pay/ (finance), …/cancel/. The approvers decide through
/api/v1/approvals/. Every write goes through expenses.services, as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from salesops.core.api import ChoiceLabelField, ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.money import MONEY_BOUNDS

from . import permissions, selectors, services
from .filters import ExpenseClaimFilter
from .models import ExpenseClaim, ExpenseLine
from .rules import Category


class ExpenseClaimSerializer(serializers.ModelSerializer):
    """A row of the claims list."""

    claimant_name = UserNameField(source="claimant")
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    customer_name = serializers.CharField(source="customer.name", default="", read_only=True)
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = ExpenseClaim
        fields = [
            "id",
            "number",
            "title",
            "claimant",
            "claimant_name",
            "team",
            "team_name",
            "customer",
            "customer_name",
            "total",
            "status",
            "status_display",
            "submitted_at",
            "paid_on",
        ]
        read_only_fields = fields


class ExpenseLineSerializer(serializers.ModelSerializer):
    category_display = ChoiceLabelField(source="category")

    class Meta:
        model = ExpenseLine
        fields = ["id", "spent_on", "category", "category_display", "amount", "description"]
        read_only_fields = fields


class ExpenseClaimDetailSerializer(ExpenseClaimSerializer):
    """The whole claim: its lines, who checked, approved and paid it, the reason it was sent back, and what the
    requesting user may do now."""

    lines = serializers.SerializerMethodField()
    checked_by_name = UserNameField(source="checked_by")
    paid_by_name = UserNameField(source="paid_by")
    allowed_actions = serializers.SerializerMethodField()
    due_on = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta(ExpenseClaimSerializer.Meta):
        fields = ExpenseClaimSerializer.Meta.fields + [
            "lines",
            "return_reason",
            "checked_by",
            "checked_by_name",
            "checked_at",
            "approved_at",
            "paid_by",
            "paid_by_name",
            "payment_ref",
            "created_at",
            "updated_at",
            "allowed_actions",
            "due_on",
            "overdue",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True, help_text="待审核：内勤应审核之日；待付款：财务应付款之日"))
    def get_due_on(self, obj):
        wait = self._wait(obj)
        return wait.due.isoformat() if wait else None

    def get_overdue(self, obj) -> bool:
        wait = self._wait(obj)
        return bool(wait and wait.overdue)

    def _wait(self, obj):
        if not hasattr(obj, "_wait"):
            obj._wait = selectors.claim_wait(obj)
        return obj._wait

    @extend_schema_field(ExpenseLineSerializer(many=True))
    def get_lines(self, obj) -> list[dict]:
        return ExpenseLineSerializer(obj.lines.all(), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.claim_allowed_actions(obj, self.context["request"].user)


class ExpenseLineInputSerializer(serializers.Serializer):
    spent_on = serializers.DateField(label=_("发生日期"))
    category = serializers.ChoiceField(choices=Category.choices, label=_("费用类别"))
    amount = serializers.DecimalField(
        max_digits=MONEY_BOUNDS.max_digits,
        decimal_places=MONEY_BOUNDS.decimal_places,
        min_value=MONEY_BOUNDS.minimum,
        max_value=MONEY_BOUNDS.maximum,
        label=_("金额"),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label=_("用途说明"))


class ExpenseClaimInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, label=_("报销事由"))
    customer = serializers.IntegerField(required=False, allow_null=True, label=_("相关客户"), help_text="业务招待费必填")
    lines = ExpenseLineInputSerializer(many=True, required=False, label=_("费用明细"))


class ExpenseClaimPatchSerializer(ExpenseClaimInputSerializer):
    title = serializers.CharField(max_length=200, required=False, label=_("报销事由"))


class ExpenseReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("退回原因"))


class ExpensePaySerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=60, label=_("付款凭证号"))
    paid_on = serializers.DateField(required=False, allow_null=True, label=_("付款日期"), help_text="不填为今天")


class ExpenseClaimViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """费用报销: one's own claims; a team lead's team's; every claim for clerks, finance, managers, the VP and the GM."""

    selector = staticmethod(selectors.claims_for)
    serializer_class = ExpenseClaimSerializer
    detail_serializer_class = ExpenseClaimDetailSerializer
    export_name = "expense-claims"
    filterset_class = ExpenseClaimFilter
    filter_backends = [ListFilterBackend]

    @extend_schema(request=ExpenseClaimInputSerializer, responses={201: ExpenseClaimDetailSerializer})
    def create(self, request):
        data = self.validated_input(ExpenseClaimInputSerializer)
        claim = services.claim_create(actor=request.user, data=data, lines=data.get("lines", []))
        return self.respond(claim, status.HTTP_201_CREATED)

    @extend_schema(request=ExpenseClaimPatchSerializer, responses=ExpenseClaimDetailSerializer)
    def partial_update(self, request, pk=None):
        claim = self.get_object()
        data = self.validated_input(ExpenseClaimPatchSerializer)
        fields = {"title": data.get("title", claim.title), "customer": data.get("customer", claim.customer_id)}
        done = services.claim_update(claim=claim, actor=request.user, data=fields, lines=data.get("lines"))
        return self.respond(done)

    @extend_schema(request=None, responses=ExpenseClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交 (the claimant)."""
        return self.respond(services.claim_submit(claim=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=ExpenseClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """审核通过 (a sales clerk): the claim goes to the approvers."""
        return self.respond(services.claim_verify(claim=self.get_object(), actor=request.user))

    @extend_schema(request=ExpenseReturnSerializer, responses=ExpenseClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """退回 (a sales clerk), with the reason."""
        reason = self.validated_input(ExpenseReturnSerializer)["reason"]
        return self.respond(services.claim_send_back(claim=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(request=ExpensePaySerializer, responses=ExpenseClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """付款 (finance): the voucher number, the day (today unless given)."""
        data = self.validated_input(ExpensePaySerializer)
        done = services.claim_pay(
            claim=self.get_object(), actor=request.user, reference=data["reference"], paid_on=data.get("paid_on")
        )
        return self.respond(done)

    @extend_schema(request=None, responses=ExpenseClaimDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """作废 (the claimant)."""
        return self.respond(services.claim_cancel(claim=self.get_object(), actor=request.user))


def register(router) -> None:
    router.register("expense-claims", ExpenseClaimViewSet, basename="expense-claim")
