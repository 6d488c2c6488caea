"""/api/v1/ for customers, contacts, ship-to addresses, invoice titles, follow-ups, visit plans and visits; the sales
opportunities and their technical questions are opportunity_api.py's (registered here).

Querysets always come from the selectors (what a user may not see is a 404); serializers validate; writes call services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import (
    ChoiceLabelField,
    ListRowsMixin,
    RelatedTextField,
    ScopedViewSet,
    UserNameField,
    lookup_action,
)
from salesops.core.export_runs_api import ExportActionMixin

from . import filters, selectors, services
from .models import Contact, Customer, FollowUp, InvoiceTitle, ShipToAddress, Visit, VisitPlan
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
    search_fields = list(selectors.CUSTOMER_SEARCH_FIELDS)
    ordering_fields = list(selectors.CUSTOMER_ORDERING_FIELDS)
    ordering = ["-created_at", "-id"]
    export_name = "customers"  # GET …/export/: the list's filters (and ordering) as .xlsx, logged

    lookup = lookup_action(
        selectors.customer_lookup, "客户选择器：按名称/简称/编号/信用代码/联系人姓名或手机输入联想（只含可见客户）"
    )

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
    search_fields = list(selectors.VISIT_SEARCH_FIELDS)
    ordering_fields = ["visited_on", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.visit_create(actor=self.request.user, **serializer.validated_data)


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("customers", CustomerViewSet, basename="customer")
    from .opportunity_api import OpportunityViewSet, QuestionViewSet

    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("technical-questions", QuestionViewSet, basename="technical-question")
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("ship-to-addresses", ShipToAddressViewSet, basename="ship-to-address")
    router.register("invoice-titles", InvoiceTitleViewSet, basename="invoice-title")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
    router.register("visit-plans", VisitPlanViewSet, basename="visit-plan")
    router.register("visits", VisitViewSet, basename="visit")
