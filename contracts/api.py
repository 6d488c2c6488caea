"""/api/v1/ for quotations, contracts and contract change requests.

Querysets always come from contracts.selectors (what a user may not see is a 404); serializers only check the shape of
the input; every write and transition calls contracts.services, whose DomainErrors become {"code", "detail"} (400 / 403 /
404 / 409) through salesops.core.api.exception_handler. Money and quantities are decimal strings, never floats.
Approval steps are decided at /api/v1/approval-steps/{id}/decide/ (the kernel); the detail of a document lists its rounds.
"""

from __future__ import annotations

import django_filters as filters
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from catalog.selectors import can_view_cost
from customers.selectors import contact_list_for
from salesops.core import approvals
from salesops.core.names import display_name

from . import permissions, rules, selectors, services
from .models import (
    Contract,
    ContractChange,
    ContractLine,
    ContractReview,
    ContractVersion,
    PaymentTerms,
    Quotation,
    QuotationLine,
)

User = get_user_model()

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
RATE = {"max_digits": 6, "decimal_places": 4}


def _name(user) -> str:
    return display_name(user) if user else ""


# --- filters ------------------------------------------------------------------------------------------------------
class _DocumentFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label=_("搜索"), help_text=_("单号、项目名称、客户名称或编号"))
    customer = filters.NumberFilter(field_name="customer_id", label=_("客户"))
    owner = filters.NumberFilter(field_name="owner_id", label=_("业务员"))

    def search(self, queryset, name, value):
        return queryset.filter(selectors.search_q(value))


class QuotationFilter(_DocumentFilter):
    status = filters.ChoiceFilter(choices=Quotation.Status.choices, label=_("状态"))
    quote_date_from = filters.DateFilter(field_name="quote_date", lookup_expr="gte", label=_("报价日期从"))
    quote_date_to = filters.DateFilter(field_name="quote_date", lookup_expr="lte", label=_("报价日期至"))
    valid_until_from = filters.DateFilter(field_name="valid_until", lookup_expr="gte", label=_("有效期从"))
    valid_until_to = filters.DateFilter(field_name="valid_until", lookup_expr="lte", label=_("有效期至"))

    class Meta:
        model = Quotation
        fields = [
            "q", "status", "customer", "owner", "quote_date_from", "quote_date_to", "valid_until_from", "valid_until_to",
        ]  # fmt: skip


class ContractFilter(_DocumentFilter):
    status = filters.ChoiceFilter(choices=Contract.Status.choices, label=_("状态"))
    classification = filters.ChoiceFilter(choices=Contract.Classification.choices, label=_("合同类别"))
    contract_date_from = filters.DateFilter(field_name="contract_date", lookup_expr="gte", label=_("合同日期从"))
    contract_date_to = filters.DateFilter(field_name="contract_date", lookup_expr="lte", label=_("合同日期至"))

    class Meta:
        model = Contract
        fields = ["q", "status", "classification", "customer", "owner", "contract_date_from", "contract_date_to"]


class ContractChangeFilter(filters.FilterSet):
    contract = filters.NumberFilter(field_name="contract_id", label=_("合同"))
    status = filters.ChoiceFilter(choices=ContractChange.Status.choices, label=_("状态"))

    class Meta:
        model = ContractChange
        fields = ["contract", "status"]


# --- input serializers (shape only: the rules are in services) ----------------------------------------------------
@extend_schema_field(OpenApiTypes.INT)
class VisibleContactField(serializers.PrimaryKeyRelatedField):
    """A contact among those of customers the requesting user may see (the service checks it belongs to the customer)."""

    def get_queryset(self):
        request = self.context.get("request")
        return contact_list_for(request.user) if request else None


class LineInput(serializers.Serializer):
    product = serializers.IntegerField(
        required=False, allow_null=True, label=_("产品"), help_text=_("目录产品 id；不填为非目录明细")
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("品名"))
    model = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("型号"))
    spec = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("规格"))
    unit = serializers.CharField(required=False, allow_blank=True, max_length=10, label=_("单位"))
    quantity = serializers.DecimalField(**QUANTITY, label=_("数量"))
    unit_price = serializers.DecimalField(**MONEY, required=False, allow_null=True, label=_("含税单价"))
    discount_rate = serializers.DecimalField(**RATE, required=False, allow_null=True, label=_("折扣率"), help_text="0.05 = 5%")
    tax_rate = serializers.DecimalField(**RATE, required=False, allow_null=True, label=_("税率"), help_text="0.13 = 13%")
    unit_cost = serializers.DecimalField(**MONEY, required=False, allow_null=True, label=_("单位成本(含税)"))
    lead_time_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, label=_("交货期(天)"))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("备注"))


class ContractLineInput(LineInput):
    delivery_date = serializers.DateField(required=False, allow_null=True, label=_("交货日期"))
    quotation_line = serializers.IntegerField(
        required=False, allow_null=True, label=_("来源报价行"), help_text=_("修改由报价单生成的合同时原样带回，用于比对差异")
    )


class _HeaderInput(serializers.Serializer):
    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, label=_("业务员"))
    project_name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("项目名称"))
    currency = serializers.CharField(required=False, max_length=3, label=_("币种"))
    exchange_rate = serializers.DecimalField(max_digits=10, decimal_places=4, required=False, label=_("汇率(折人民币)"))
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False, label=_("付款方式"))
    payment_terms_text = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("付款条件说明"))
    delivery_terms = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("交货条件"))
    other_terms = serializers.CharField(required=False, allow_blank=True, label=_("其他条款"))


class QuotationUpdateInput(_HeaderInput):
    quote_date = serializers.DateField(required=False, label=_("报价日期"))
    valid_until = serializers.DateField(required=False, label=_("有效期至"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("内部备注"))
    lines = LineInput(many=True, required=False, label=_("明细"), help_text=_("给出时替换全部明细"))


class QuotationCreateInput(QuotationUpdateInput):
    customer = serializers.IntegerField(label=_("客户"))
    lines = LineInput(many=True, label=_("明细"))


class ContractUpdateInput(_HeaderInput):
    customer_contract_no = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("客户合同号"))
    contract_date = serializers.DateField(required=False, label=_("合同日期"))
    delivery_date = serializers.DateField(required=False, allow_null=True, label=_("承诺交货日期"))
    deposit_rate = serializers.DecimalField(**RATE, required=False, label=_("定金比例"))
    credit_days = serializers.IntegerField(required=False, min_value=0, label=_("账期(天)"))
    quality_terms = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("质量/验收条款"))
    customer_supplied_materials = serializers.BooleanField(required=False, label=_("客户提供材料(来料)"))
    beyond_technical_capability = serializers.BooleanField(required=False, label=_("超出技术能力/标准"))
    lines = ContractLineInput(many=True, required=False, label=_("明细"), help_text=_("给出时替换全部明细"))


class ContractCreateInput(ContractUpdateInput):
    customer = serializers.IntegerField(label=_("客户"))
    lines = ContractLineInput(many=True, label=_("明细"))


def _split(validated: dict) -> tuple[dict, list[dict] | None]:
    """(header data, line rows or None) from validated input; line rows keep only the keys that were sent."""
    data = dict(validated)
    data.pop("customer", None)
    lines = data.pop("lines", None)
    return data, [dict(row) for row in lines] if lines is not None else None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("原因"))


class SignInput(serializers.Serializer):
    signed_on = serializers.DateField(
        required=False, allow_null=True, default=None, label=_("签订日期"), help_text=_("不填为今天")
    )
    scan = serializers.FileField(
        required=False, allow_null=True, default=None, label=_("签字盖章的合同扫描件"), help_text=_("已上传过签订扫描件时可不填")
    )


class ChangeRequestInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("变更原因"))
    header = serializers.DictField(
        required=False,
        default=dict,
        label=_("合同条款变更"),
        help_text=format_lazy("{}{}", _("{字段: 新值}，可变更："), "、".join(rules.CHANGEABLE_HEADER_FIELDS)),
    )
    lines = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        default=dict,
        label=_("明细变更"),
        help_text=format_lazy("{}{}", _("{明细 id: {字段: 新值}}，可变更："), "、".join(rules.CHANGEABLE_LINE_FIELDS)),
    )


# --- output serializers -------------------------------------------------------------------------------------------
class _CostHidingMixin:
    """Costs are for margin checks: only those catalog.selectors.can_view_cost allows see them."""

    cost_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not can_view_cost(request.user):
            for name in self.cost_fields:
                data.pop(name, None)
        return data


class QuotationLineSerializer(_CostHidingMixin, serializers.ModelSerializer):
    cost_fields = ("unit_cost",)

    class Meta:
        model = QuotationLine
        fields = [
            "id", "line_no", "product", "name", "model", "spec", "unit", "quantity", "list_price", "unit_price", "discount_rate",
            "tax_rate", "unit_cost", "amount_excl", "tax", "amount_incl", "lead_time_days", "notes",
        ]  # fmt: skip
        read_only_fields = fields


class ContractLineSerializer(QuotationLineSerializer):
    class Meta(QuotationLineSerializer.Meta):
        model = ContractLine
        fields = QuotationLineSerializer.Meta.fields + ["delivery_date", "quotation_line"]
        read_only_fields = fields


class ApprovalStepBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("用于 /api/v1/approval-steps/{id}/decide/"))
    code = serializers.CharField()
    label = serializers.CharField()
    stage = serializers.IntegerField()
    status = serializers.CharField(help_text="waiting / pending / approved / approved_with_conditions / rejected / skipped …")
    status_display = serializers.CharField(source="get_status_display")
    assignee = serializers.CharField(source="assignee_label")
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)
    decided_by_name = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()
    can_decide = serializers.SerializerMethodField()

    def get_decided_by_name(self, obj) -> str:
        return _name(obj.decided_by)

    def get_can_decide(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request) and approvals.can_decide(obj, request.user)


class ApprovalRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    round = serializers.IntegerField()
    status = serializers.CharField(help_text="pending / approved / rejected / cancelled")
    status_display = serializers.CharField(source="get_status_display")
    requested_by = serializers.IntegerField(source="requested_by_id")
    requested_by_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    steps = serializers.SerializerMethodField()

    def get_kind_label(self, obj) -> str:
        return approvals.kind_label(obj.kind)

    def get_requested_by_name(self, obj) -> str:
        return _name(obj.requested_by)

    @extend_schema_field(ApprovalStepBriefSerializer(many=True))
    def get_steps(self, obj) -> list[dict]:
        steps = list(obj.steps.all())
        for step in steps:
            step.request = obj  # can_decide reads the round; it is already here
        return ApprovalStepBriefSerializer(steps, many=True, context=self.context).data


class _DocumentSerializer(serializers.ModelSerializer):
    """Header fields both documents share in lists."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.SerializerMethodField()
    payment_terms_display = serializers.CharField(source="get_payment_terms_display", read_only=True)

    def get_owner_name(self, obj) -> str:
        return _name(obj.owner)


class QuotationSerializer(_DocumentSerializer):
    display_number = serializers.CharField(read_only=True)

    class Meta:
        model = Quotation
        fields = [
            "id", "number", "version", "display_number", "customer", "customer_name", "contact", "owner", "owner_name",
            "project_name", "status", "status_display", "quote_date", "valid_until", "currency", "exchange_rate",
            "payment_terms", "payment_terms_display", "amount_excl", "tax_amount", "amount_incl", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class QuotationVersionSerializer(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Quotation
        fields = ["id", "version", "display_number", "status", "status_display", "amount_incl", "quote_date", "created_at"]
        read_only_fields = fields


class QuotationDetailSerializer(QuotationSerializer):
    lines = QuotationLineSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()

    class Meta(QuotationSerializer.Meta):
        fields = QuotationSerializer.Meta.fields + [
            "payment_terms_text", "delivery_terms", "other_terms", "notes", "previous", "approval_route", "submitted_at",
            "approved_at", "sent_at", "closed_at", "close_reason", "created_by", "created_by_name", "lines", "allowed_actions",
            "versions", "approvals",
        ]  # fmt: skip
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.quotation_allowed_actions(obj, self._user())

    @extend_schema_field(QuotationVersionSerializer(many=True))
    def get_versions(self, obj) -> list[dict]:
        return QuotationVersionSerializer(selectors.quotation_versions(obj), many=True).data

    @extend_schema_field(ApprovalRoundSerializer(many=True))
    def get_approvals(self, obj) -> list[dict]:
        return ApprovalRoundSerializer(approvals.requests_for(obj), many=True, context=self.context).data

    def get_created_by_name(self, obj) -> str:
        return _name(obj.created_by)


class ContractSerializer(_DocumentSerializer):
    classification_display = serializers.CharField(source="get_classification_display", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id", "number", "version", "quotation", "customer", "customer_name", "contact", "owner", "owner_name",
            "customer_contract_no", "project_name", "status", "status_display", "classification", "classification_display",
            "contract_date", "delivery_date", "currency", "exchange_rate", "payment_terms", "payment_terms_display",
            "amount_excl", "tax_amount", "amount_incl", "signed_on", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()


class DifferenceOutput(serializers.Serializer):
    where = serializers.CharField(help_text=_("合同条款或明细品名"))
    field = serializers.CharField()
    quoted = serializers.CharField()
    contracted = serializers.CharField()


class ContractReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractReview
        fields = [*services.REVIEW_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class ContractVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractVersion
        fields = ["id", "version", "created_at", "change", "snapshot"]
        read_only_fields = fields


class ContractChangeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="in_review / approved / rejected / withdrawn")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by_name = serializers.SerializerMethodField()
    department_labels = serializers.SerializerMethodField()

    class Meta:
        model = ContractChange
        fields = [
            "id", "contract", "from_version", "reason", "header_changes", "line_changes", "departments", "department_labels",
            "status", "status_display", "requested_by", "requested_by_name", "created_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_requested_by_name(self, obj) -> str:
        return _name(obj.requested_by)

    def get_department_labels(self, obj) -> list[str]:
        return [rules.department_label(code) for code in obj.departments]


class ContractDetailSerializer(_CostHidingMixin, ContractSerializer):
    cost_fields = ("cost_total",)
    lines = ContractLineSerializer(many=True, read_only=True)
    quotation_number = serializers.CharField(source="quotation.display_number", read_only=True, default="")
    classification_reasons = serializers.SerializerMethodField()
    upgraded_by_name = serializers.SerializerMethodField()
    signed_by_name = serializers.SerializerMethodField()
    differences = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    versions = ContractVersionSerializer(many=True, read_only=True)
    changes = ContractChangeSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = ContractSerializer.Meta.fields + [
            "quotation_number", "deposit_rate", "credit_days", "payment_terms_text", "delivery_terms", "quality_terms",
            "other_terms", "customer_supplied_materials", "beyond_technical_capability", "cost_total",
            "classification_reasons", "upgraded_by", "upgraded_by_name", "upgrade_reason", "submitted_at", "approved_at",
            "signed_by", "signed_by_name", "closed_at", "close_reason", "created_by", "lines", "differences", "review",
            "allowed_actions", "approvals", "versions", "changes",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReasonOutput(many=True))
    def get_classification_reasons(self, obj) -> list[dict]:
        """The rules that made it special (with their detail), and the manager's upgrade if any."""
        rows = [
            {"code": r["code"], "label": rules.reason_label(r["code"]), "detail": r.get("detail", "")}
            for r in obj.classification_reasons
        ]
        if obj.upgraded_by_id:
            rows.append(
                {"code": rules.Reason.MANUAL, "label": rules.reason_label(rules.Reason.MANUAL), "detail": obj.upgrade_reason}
            )
        return rows

    def get_upgraded_by_name(self, obj) -> str:
        return _name(obj.upgraded_by)

    def get_signed_by_name(self, obj) -> str:
        return _name(obj.signed_by)

    @extend_schema_field(DifferenceOutput(many=True))
    def get_differences(self, obj) -> list[dict]:
        return DifferenceOutput(selectors.contract_differences(obj), many=True).data

    @extend_schema_field(ContractReviewSerializer(allow_null=True))
    def get_review(self, obj) -> dict | None:
        review = ContractReview.objects.filter(contract=obj).first()
        return ContractReviewSerializer(review).data if review else None

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.contract_allowed_actions(obj, self.context["request"].user)

    @extend_schema_field(ApprovalRoundSerializer(many=True))
    def get_approvals(self, obj) -> list[dict]:
        return ApprovalRoundSerializer(approvals.requests_for(obj), many=True, context=self.context).data


# --- viewsets -----------------------------------------------------------------------------------------------------
class _ScopedViewSet(viewsets.GenericViewSet):
    """`selector(user)` gives the queryset: what the user may not see does not exist here (404)."""

    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)


def _no_body(summary: str, responses):
    return extend_schema(request=None, responses=responses, summary=summary)


class QuotationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """报价单. Created and edited through the services (only those allowed to quote); never deleted (cancel a draft)."""

    selector = staticmethod(selectors.quotation_list_for)
    serializer_class = QuotationSerializer
    filterset_class = QuotationFilter
    ordering_fields = list(selectors.QUOTATION_ORDERING_FIELDS)
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("created_by").prefetch_related("lines")
        return qs

    def get_serializer_class(self):
        return QuotationSerializer if self.action == "list" else QuotationDetailSerializer

    def _respond(self, quotation, code=status.HTTP_200_OK):
        fresh = selectors.quotation_get_for(self.request.user, quotation.pk)
        return Response(QuotationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=QuotationCreateInput, responses={201: QuotationDetailSerializer})
    def create(self, request, *args, **kwargs):
        """New draft (customer by id: one you may not see is a 404; without the right to quote: 403)."""
        s = QuotationCreateInput(data=request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        data, lines = _split(s.validated_data)
        quotation = services.quotation_create(actor=request.user, customer=s.validated_data["customer"], data=data, lines=lines)
        return self._respond(quotation, status.HTTP_201_CREATED)

    @extend_schema(request=QuotationUpdateInput, responses=QuotationDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a draft: the header fields sent, and all lines when `lines` is sent (PUT and PATCH alike)."""
        quotation = self.get_object()
        s = QuotationUpdateInput(data=request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        data, lines = _split(s.validated_data)
        return self._respond(services.quotation_update(quotation=quotation, actor=request.user, data=data, lines=lines))

    @extend_schema(request=QuotationUpdateInput, responses=QuotationDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def _simple(self, service):
        return self._respond(service(quotation=self.get_object(), actor=self.request.user))

    def _with_reason(self, request, service):
        quotation = self.get_object()
        s = ReasonInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._respond(service(quotation=quotation, actor=request.user, reason=s.validated_data["reason"]))

    @_no_body("提交审核", QuotationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._simple(services.quotation_submit)

    @_no_body("撤回审核", QuotationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._simple(services.quotation_withdraw)

    @_no_body("发送客户", QuotationDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._simple(services.quotation_send)

    @_no_body("客户接受", QuotationDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._simple(services.quotation_accept)

    @extend_schema(request=ReasonInput, responses=QuotationDetailSerializer, summary="客户拒绝（需填原因）")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._with_reason(request, services.quotation_reject)

    @extend_schema(request=ReasonInput, responses=QuotationDetailSerializer, summary="作废草稿")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._with_reason(request, services.quotation_cancel)

    @_no_body("修订：生成新版本（旧版本保留为已修订）", {201: QuotationDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        new = services.quotation_revise(quotation=self.get_object(), actor=request.user)
        return self._respond(new, status.HTTP_201_CREATED)

    @_no_body("由客户已接受的报价单生成合同", {201: ContractDetailSerializer})
    @action(detail=True, methods=["post"], url_path="create-contract")
    def create_contract(self, request, pk=None):
        contract = services.contract_create_from_quotation(quotation=self.get_object(), actor=request.user)
        fresh = selectors.contract_get_for(request.user, contract.pk)
        return Response(
            ContractDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """合同 with its review form, approval rounds, versions and change requests. Never deleted (cancel or terminate)."""

    selector = staticmethod(selectors.contract_list_for)
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering_fields = list(selectors.CONTRACT_ORDERING_FIELDS)
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("upgraded_by", "signed_by").prefetch_related(
                "lines", "versions", "changes__requested_by", "quotation__lines"
            )
        return qs

    def get_serializer_class(self):
        return ContractSerializer if self.action == "list" else ContractDetailSerializer

    def _respond(self, contract, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=contract.pk)
        return Response(ContractDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ContractCreateInput, responses={201: ContractDetailSerializer})
    def create(self, request, *args, **kwargs):
        """New draft contract for a visible customer (from a quotation: POST /quotations/{id}/create-contract/)."""
        s = ContractCreateInput(data=request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        data, lines = _split(s.validated_data)
        contract = services.contract_create(actor=request.user, customer=s.validated_data["customer"], data=data, lines=lines)
        return self._respond(contract, status.HTTP_201_CREATED)

    @extend_schema(request=ContractUpdateInput, responses=ContractDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a draft or returned contract (lines replaced when sent); the classification is recomputed."""
        contract = self.get_object()
        s = ContractUpdateInput(data=request.data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        data, lines = _split(s.validated_data)
        return self._respond(services.contract_update(contract=contract, actor=request.user, data=data, lines=lines))

    @extend_schema(request=ContractUpdateInput, responses=ContractDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(request=ContractReviewSerializer, responses=ContractReviewSerializer, summary="填写合同评审单")
    @action(detail=True, methods=["put", "patch"])
    def review(self, request, pk=None):
        contract = self.get_object()
        s = ContractReviewSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        review = services.contract_review_update(contract=contract, actor=request.user, data=s.validated_data)
        return Response(ContractReviewSerializer(review).data)

    def _simple(self, service):
        return self._respond(service(contract=self.get_object(), actor=self.request.user))

    def _with_reason(self, request, service):
        contract = self.get_object()
        s = ReasonInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._respond(service(contract=contract, actor=request.user, reason=s.validated_data["reason"]))

    @_no_body("提交评审", ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._simple(services.contract_submit)

    @_no_body("撤回评审", ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._simple(services.contract_withdraw)

    @_no_body("开始执行", ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._simple(services.contract_activate)

    @_no_body("执行完毕", ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._simple(services.contract_complete)

    @extend_schema(request=ReasonInput, responses=ContractDetailSerializer, summary="终止（需填原因）")
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._with_reason(request, services.contract_terminate)

    @extend_schema(request=ReasonInput, responses=ContractDetailSerializer, summary="作废（需填原因）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._with_reason(request, services.contract_cancel)

    @extend_schema(request=ReasonInput, responses=ContractDetailSerializer, summary="经理升级为特殊合同（需填原因）")
    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        return self._with_reason(request, services.contract_upgrade)

    @extend_schema(
        request={"multipart/form-data": SignInput},
        responses=ContractDetailSerializer,
        summary="登记签订（上传签字盖章的扫描件）",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def sign(self, request, pk=None):
        contract = self.get_object()
        s = SignInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._respond(
            services.contract_sign(
                contract=contract, actor=request.user, signed_on=s.validated_data["signed_on"], scan=s.validated_data["scan"]
            )
        )

    @extend_schema(request=ChangeRequestInput, responses={201: ContractChangeSerializer}, summary="申请合同变更")
    @action(detail=True, methods=["post"], url_path="change-request")
    def change_request(self, request, pk=None):
        contract = self.get_object()
        s = ChangeRequestInput(data=request.data)
        s.is_valid(raise_exception=True)
        change = services.contract_change_request(
            contract=contract,
            actor=request.user,
            reason=s.validated_data["reason"],
            header=s.validated_data["header"],
            lines=s.validated_data["lines"],
        )
        return Response(ContractChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ContractChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _ScopedViewSet):
    """合同变更申请 of the visible contracts; POST …/withdraw/ takes one back while it is in review."""

    selector = staticmethod(selectors.contract_change_list_for)
    serializer_class = ContractChangeSerializer
    filterset_class = ContractChangeFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    @_no_body("撤回变更申请", ContractChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        change = services.contract_change_withdraw(change=self.get_object(), actor=request.user)
        return Response(ContractChangeSerializer(self.get_queryset().get(pk=change.pk)).data)


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("quotations", QuotationViewSet, basename="quotation")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("contract-changes", ContractChangeViewSet, basename="contract-change")
