"""/api/v1/ for customers, contacts, ship-to addresses, invoice titles, follow-ups, visit plans, visits and sales
opportunities.

Querysets always come from the selectors (what a user may not see is a 404); serializers validate; writes call services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import (
    ChoiceLabelField,
    ListRowsMixin,
    MoneyField,
    RelatedTextField,
    ScopedViewSet,
    UserNameField,
    lookup_action,
)
from salesops.core.api_filters import ListFilterBackend
from salesops.core.export_runs_api import ExportActionMixin

from . import filters, rules, selectors, services
from .models import Contact, Customer, FollowUp, InvoiceTitle, Opportunity, ShipToAddress, TechnicalQuestion, Visit, VisitPlan
from .validators import compact_uscc, validate_uscc

User = get_user_model()


# --- fields limited to what the requesting user may see -----------------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class _VisibleField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id among those the requesting user may see (others are "does not exist"); an integer
    id in the schema."""

    selector = None

    def get_queryset(self):
        request = self.context.get("request")
        return type(self).selector(request.user) if request else None


class VisibleCustomerField(_VisibleField):
    selector = staticmethod(selectors.customer_list_for)


class VisibleContactField(_VisibleField):
    selector = staticmethod(selectors.contact_list_for)


class VisiblePlanField(_VisibleField):
    selector = staticmethod(selectors.visit_plan_list_for)


class VisibleOpportunityField(_VisibleField):
    selector = staticmethod(selectors.opportunity_list_for)


# --- serializers --------------------------------------------------------------------------------------------------
class UsccField(serializers.CharField):
    """统一社会信用代码 / 税号: whitespace anywhere in a pasted code is removed before the length and check digit are checked."""

    def to_internal_value(self, data):
        return compact_uscc(super().to_internal_value(data))


class CustomerSerializer(serializers.ModelSerializer):
    uscc = UsccField(max_length=18, required=False, allow_blank=True, validators=[validate_uscc], label=_("统一社会信用代码"))
    status_display = ChoiceLabelField(source="status")
    type_display = ChoiceLabelField(source="type")
    grade_display = ChoiceLabelField(source="grade")
    owner_name = UserNameField(source="owner")
    team_name = RelatedTextField(source="team.name")

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "uscc",
            "type",
            "type_display",
            "grade",
            "grade_display",
            "status",
            "status_display",
            "industry",
            "province",
            "city",
            "address",
            "phone",
            "website",
            "source",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "credit_limit",
            "payment_terms",
            "credit_days",
            "deposit_rate",
            "currency",
            "due_diligence",
            "next_contact_date",
            "notes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "status", "owner", "team", "created_by", "created_at", "updated_at"]


class CustomerCreateSerializer(CustomerSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, label=_("负责业务员"), help_text=_("不填则为自己")
    )


class ReassignSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), label=_("新负责业务员"))
    reason = serializers.CharField(label=_("转移原因"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("原因"))


class _CustomerChildSerializer(serializers.ModelSerializer):
    """A row that belongs to one customer: chosen among visible customers on create, fixed afterwards."""

    customer = VisibleCustomerField(label=_("客户"))

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["customer"] = serializers.PrimaryKeyRelatedField(read_only=True, label=_("客户"))
        return fields


class ContactSerializer(_CustomerChildSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "title", "mobile", "phone", "email", "wechat", "qq", "is_primary", "notes"]


class ShipToAddressSerializer(_CustomerChildSerializer):
    class Meta:
        model = ShipToAddress
        fields = [
            "id",
            "customer",
            "province",
            "city",
            "district",
            "address",
            "floor",
            "consignee",
            "phone",
            "preferred_carrier",
            "is_default",
        ]


class InvoiceTitleSerializer(_CustomerChildSerializer):
    tax_id = UsccField(max_length=18, validators=[validate_uscc], label=_("税号"))

    class Meta:
        model = InvoiceTitle
        fields = ["id", "customer", "title", "tax_id", "bank", "account", "address_phone", "invoice_type", "is_default"]


class FollowUpSerializer(serializers.ModelSerializer):
    customer = VisibleCustomerField(label=_("客户"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    channel_display = ChoiceLabelField(source="channel")
    happened_on = serializers.DateField(default=timezone.localdate, label=_("跟进日期"), help_text=_("不填则为今天"))

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "customer",
            "contact",
            "channel",
            "channel_display",
            "happened_on",
            "summary",
            "next_contact_date",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]


class VisitPlanSerializer(serializers.ModelSerializer):
    customer = VisibleCustomerField(label=_("客户"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    rep = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, label=_("业务员"), help_text=_("不填则为自己")
    )
    # a plain string, so the schema's "status" enum stays the customer's (planned / done / cancelled)
    status = serializers.CharField(read_only=True, help_text="planned / done / cancelled")
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = VisitPlan
        fields = [
            "id",
            "rep",
            "customer",
            "contact",
            "period",
            "planned_date",
            "purpose",
            "status",
            "status_display",
            "review_note",
            "reviewed_by",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = ["status", "review_note", "reviewed_by", "reviewed_at", "created_at"]


class VisitSerializer(serializers.ModelSerializer):
    customer = VisibleCustomerField(required=False, label=_("客户"), help_text=_("从拜访计划记录时可不填"))
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    opportunity = VisibleOpportunityField(
        required=False, allow_null=True, label=_("销售机会"), help_text=_("为哪个销售机会拜访（同一客户、跟进中）")
    )
    plan = VisiblePlanField(required=False, allow_null=True, label=_("拜访计划"))
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("拜访目的"))
    visited_on = serializers.DateField(default=timezone.localdate, label=_("拜访日期"), help_text=_("不填则为今天"))

    class Meta:
        model = Visit
        fields = [
            "id",
            "plan",
            "rep",
            "customer",
            "contact",
            "visited_on",
            "purpose",
            "outcome",
            "next_step",
            "next_contact_date",
            "opportunity",
            "created_at",
        ]
        read_only_fields = ["rep", "created_at"]


class VisitCompleteSerializer(VisitSerializer):
    """The visit record that completes a plan (customer, rep and plan come from the plan)."""

    customer = serializers.PrimaryKeyRelatedField(read_only=True, label=_("客户"))
    plan = serializers.PrimaryKeyRelatedField(read_only=True, label=_("拜访计划"))


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("周会点评"))


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


# --- viewsets -----------------------------------------------------------------------------------------------------
class CustomerViewSet(
    ExportActionMixin,
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """客户档案. Customers are never deleted: deactivate them (POST …/deactivate/)."""

    selector = staticmethod(selectors.customer_list_for)
    serializer_class = CustomerSerializer
    filterset_class = filters.CustomerFilter
    search_fields = ["name", "short_name", "code", "uscc", "contacts__name", "contacts__mobile"]
    ordering_fields = list(selectors.CUSTOMER_ORDERING_FIELDS)
    ordering = ["-created_at", "-id"]
    export_name = "customers"  # GET …/export/: the list's filters (and ordering) as .xlsx, logged

    lookup = lookup_action(selectors.customer_lookup, "客户选择器：按名称/简称/编号输入联想（只含可见客户）")

    def get_serializer_class(self):
        return CustomerCreateSerializer if self.action == "create" else CustomerSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        serializer.instance = services.customer_create(actor=self.request.user, data=data, owner=owner)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, actor=self.request.user, data=serializer.validated_data
        )

    def _respond(self, customer):
        return Response(CustomerSerializer(customer, context=self.get_serializer_context()).data)

    @extend_schema(request=ReassignSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """转移负责人 (team lead within the team, managers)."""
        customer = self.get_object()
        data = self.validated_input(ReassignSerializer)
        return self._respond(
            services.customer_reassign(customer=customer, actor=request.user, new_owner=data["owner"], reason=data["reason"])
        )

    def _change_status(self, request, action_name):
        customer = self.get_object()
        reason = self.validated_input(ReasonSerializer)["reason"]
        return self._respond(
            services.customer_change_status(customer=customer, actor=request.user, action=action_name, reason=reason)
        )

    @extend_schema(request=ReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """转为正式客户."""
        return self._change_status(request, "activate")

    @extend_schema(request=ReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """停用 (reason required)."""
        return self._change_status(request, "deactivate")

    @extend_schema(request=ReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """重新启用."""
        return self._change_status(request, "reactivate")


class _CustomerChildViewSet(
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Contacts, addresses, invoice titles: created and edited through `create_service` / `update_service`."""

    create_service = None
    update_service = None
    instance_kwarg = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = type(self).create_service(actor=self.request.user, customer=customer, data=data)

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            actor=self.request.user, data=serializer.validated_data, **{self.instance_kwarg: serializer.instance}
        )


class ContactViewSet(_CustomerChildViewSet):
    selector = staticmethod(selectors.contact_list_for)
    serializer_class = ContactSerializer
    filterset_class = filters.ContactFilter
    search_fields = ["name", "mobile", "email", "customer__name"]
    ordering_fields = ["name", "id"]
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    instance_kwarg = "contact"


class ShipToAddressViewSet(_CustomerChildViewSet):
    selector = staticmethod(selectors.address_list_for)
    serializer_class = ShipToAddressSerializer
    filterset_class = filters.ShipToAddressFilter
    search_fields = ["address", "consignee", "city", "customer__name"]
    ordering_fields = ["province", "city", "id"]
    create_service = staticmethod(services.address_create)
    update_service = staticmethod(services.address_update)
    instance_kwarg = "address"


class InvoiceTitleViewSet(_CustomerChildViewSet):
    selector = staticmethod(selectors.invoice_title_list_for)
    serializer_class = InvoiceTitleSerializer
    filterset_class = filters.InvoiceTitleFilter
    search_fields = ["title", "tax_id", "customer__name"]
    ordering_fields = ["title", "id"]
    create_service = staticmethod(services.invoice_title_create)
    update_service = staticmethod(services.invoice_title_update)
    instance_kwarg = "invoice_title"


class FollowUpViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """意向客户跟进记录 (a record is not edited afterwards; add a new one)."""

    selector = staticmethod(selectors.followup_list_for)
    serializer_class = FollowUpSerializer
    filterset_class = filters.FollowUpFilter
    search_fields = ["summary", "customer__name"]
    ordering_fields = ["happened_on", "next_contact_date", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.followup_create(actor=self.request.user, **serializer.validated_data)


class VisitPlanViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """拜访计划, with complete (records the visit), cancel and review (周会点评)."""

    selector = staticmethod(selectors.visit_plan_list_for)
    serializer_class = VisitPlanSerializer
    filterset_class = filters.VisitPlanFilter
    search_fields = ["purpose", "customer__name"]
    ordering_fields = ["planned_date", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.visit_plan_create(actor=self.request.user, **serializer.validated_data)

    def _respond(self, plan):
        return Response(VisitPlanSerializer(plan, context=self.get_serializer_context()).data)

    @extend_schema(request=VisitCompleteSerializer, responses={201: VisitSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record the visit of this plan; 409 when the plan is already done or cancelled."""
        plan = self.get_object()
        visit = services.visit_create(actor=request.user, plan=plan, **self.validated_input(VisitCompleteSerializer))
        return Response(VisitSerializer(visit, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=ReasonSerializer, responses=VisitPlanSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        plan = self.get_object()
        reason = self.validated_input(ReasonSerializer)["reason"]
        return self._respond(services.visit_plan_cancel(actor=request.user, plan=plan, reason=reason))

    @extend_schema(request=ReviewSerializer, responses=VisitPlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        plan = self.get_object()
        note = self.validated_input(ReviewSerializer)["note"]
        return self._respond(services.visit_plan_review(actor=request.user, plan=plan, note=note))


class VisitViewSet(
    ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """拜访记录 (from a plan: pass `plan`, the plan is completed)."""

    selector = staticmethod(selectors.visit_list_for)
    serializer_class = VisitSerializer
    export_name = "visits"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = filters.VisitFilter
    search_fields = ["purpose", "outcome", "customer__name"]
    ordering_fields = ["visited_on", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.visit_create(actor=self.request.user, **serializer.validated_data)


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


class QuestionViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """技术咨询. Asked on an open opportunity the user works (POST), answered by the technical department (…/answer/),
    asked again on the answer (…/follow-up/) or withdrawn while open (…/withdraw/) by whoever asked or works the
    opportunity; never deleted."""

    selector = staticmethod(selectors.question_list_for)
    serializer_class = QuestionSerializer
    filterset_class = filters.QuestionFilter
    filter_backends = [ListFilterBackend]

    def get_serializer_class(self):
        return QuestionSerializer if self.action == "list" else QuestionDetailSerializer

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


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("technical-questions", QuestionViewSet, basename="technical-question")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("ship-to-addresses", ShipToAddressViewSet, basename="ship-to-address")
    router.register("invoice-titles", InvoiceTitleViewSet, basename="invoice-title")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
    router.register("visit-plans", VisitPlanViewSet, basename="visit-plan")
    router.register("visits", VisitViewSet, basename="visit")
