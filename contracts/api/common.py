"""What the quotation, contract and change-request endpoints share: line and header input, the reason input, cost
hiding, line serializers, the approval rounds of a document, and the viewset base of the two documents."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.selectors import can_view_cost
from customers.api import VisibleContactField
from salesops.core import approvals
from salesops.core.api import (
    SMALLINT_MAX,
    AsciiIntegerField,
    ChoiceLabelField,
    ExchangeRateField,
    ListRowsMixin,
    MoneyField,
    PercentField,
    QuantityField,
    RateField,
    ScopedViewSet,
    UserNameField,
)
from salesops.core.api_filters import ListFilterBackend
from salesops.core.money import PRICE_BOUNDS, validate_currency
from salesops.core.names import display_name
from salesops.core.once import header_key, outcome

from ..models import ContractLine, PaymentTerms, QuotationLine
from ..selectors import sees_prices

User = get_user_model()


def no_body(summary: str, responses):
    return extend_schema(request=None, responses=responses, summary=summary)


# --- input (shape only: the rules are in services) ----------------------------------------------------------------
class LineInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        label=_("明细 id"),
        help_text=_("修改单据时，这一行保留的原明细 id（原明细的单位成本随之保留）；不填则按同一产品和品名、型号、规格对应"),
    )
    product = serializers.IntegerField(
        required=False, allow_null=True, label=_("产品"), help_text=_("目录产品 id；不填为非目录明细")
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("品名"))
    model = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("型号"))
    spec = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("规格"))
    unit = serializers.CharField(required=False, allow_blank=True, max_length=10, label=_("单位"))
    quantity = QuantityField(label=_("数量"))
    unit_price = MoneyField(bounds=PRICE_BOUNDS, required=False, allow_null=True, label=_("含税单价"))
    discount_percent = PercentField(
        required=False,
        allow_null=True,
        label=_("折扣(%)"),
        help_text=_("折扣百分比，5 表示 5%（0 到 100，两位小数）；与 discount_rate 同时填写时须一致"),
    )
    discount_rate = RateField(
        required=False, allow_null=True, label=_("折扣率"), help_text=_("兼容旧接口：0.05 表示 5%；建议改用 discount_percent")
    )
    tax_rate = RateField(required=False, allow_null=True, label=_("税率"), help_text="0.13 = 13%")
    unit_cost = MoneyField(bounds=PRICE_BOUNDS, required=False, allow_null=True, label=_("单位成本(含税)"))
    lead_time_days = AsciiIntegerField(
        required=False, allow_null=True, min_value=0, max_value=SMALLINT_MAX, label=_("交货期(天)")
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("备注"))
    is_service = serializers.BooleanField(
        required=False,
        default=False,
        label=_("服务/费用项"),
        help_text=_("非目录明细（不填产品）的服务或费用，如安装调试、运费：不涉及生产，不按新产品评审"),
    )

    def to_internal_value(self, data):
        """A line key the API does not know is refused (400 naming it), never dropped: a discount sent as `discount`
        would otherwise save the line at full price. Quotations, contracts and orders take the same line keys."""
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                known = "、".join(self.fields)
                raise serializers.ValidationError(
                    {key: [_("明细没有这个字段，未保存；可填写：%(fields)s") % {"fields": known}] for key in unknown}
                )
        return super().to_internal_value(data)


class HeaderInput(serializers.Serializer):
    """Header fields both documents share."""

    contact = VisibleContactField(required=False, allow_null=True, label=_("联系人"))
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, label=_("业务员"))
    project_name = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("项目名称"))
    currency = serializers.CharField(required=False, max_length=3, validators=[validate_currency], label=_("币种"))
    exchange_rate = ExchangeRateField(required=False, label=_("汇率(折人民币)"))
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False, label=_("付款方式"))
    payment_terms_text = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("付款条件说明"))
    delivery_terms = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("交货条件"))
    other_terms = serializers.CharField(required=False, allow_blank=True, label=_("其他条款"))


def split_input(validated: dict) -> tuple[dict, list[dict] | None]:
    """(header data, line rows or None) from validated input; line rows keep only the keys that were sent."""
    data = dict(validated)
    data.pop("customer", None)
    lines = data.pop("lines", None)
    return data, [dict(row) for row in lines] if lines is not None else None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, label=_("原因"))


# --- output -------------------------------------------------------------------------------------------------------
class FigureHidingMixin:
    """Sensitive figures by role: costs are for margin checks (catalog.selectors.can_view_cost); prices and amounts for
    the deal roles and the reviewers who judge prices (contracts.selectors.sees_prices)."""

    cost_fields: tuple[str, ...] = ()
    price_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None:
            hidden = (() if can_view_cost(request.user) else self.cost_fields) + (
                () if sees_prices(request.user) else self.price_fields
            )
            for name in hidden:
                data.pop(name, None)
        return data


LINE_PRICE_FIELDS = ("list_price", "unit_price", "discount_rate", "amount_excl", "tax", "amount_incl")


class QuotationLineSerializer(FigureHidingMixin, serializers.ModelSerializer):
    cost_fields = ("unit_cost",)
    price_fields = LINE_PRICE_FIELDS

    class Meta:
        model = QuotationLine
        fields = [
            "id",
            "line_no",
            "product",
            "name",
            "model",
            "spec",
            "unit",
            "quantity",
            "list_price",
            "unit_price",
            "discount_rate",
            "tax_rate",
            "unit_cost",
            "amount_excl",
            "tax",
            "amount_incl",
            "lead_time_days",
            "notes",
            "is_service",
        ]
        read_only_fields = fields


class ContractLineSerializer(QuotationLineSerializer):
    class Meta(QuotationLineSerializer.Meta):
        model = ContractLine
        fields = QuotationLineSerializer.Meta.fields + ["delivery_date", "quotation_line"]
        read_only_fields = fields


class ApprovalStepBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("用于 /api/v1/approval-steps/{id}/decide/"))
    code = serializers.CharField()
    label = serializers.CharField(source="label_text")
    reason = serializers.CharField(source="reason_text", help_text=_("为什么送到这一步（审批路线的依据）"))
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
        return display_name(obj.decided_by)

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
    requested_by_name = UserNameField(source="requested_by")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    steps = serializers.SerializerMethodField()

    def get_kind_label(self, obj) -> str:
        return approvals.kind_label(obj.kind)

    @extend_schema_field(ApprovalStepBriefSerializer(many=True))
    def get_steps(self, obj) -> list[dict]:
        steps = list(obj.steps.all())
        for step in steps:
            step.request = obj  # can_decide reads the round; it is already here
        return ApprovalStepBriefSerializer(steps, many=True, context=self.context).data


class ApprovalsMixin(serializers.Serializer):
    """`approvals`: every review round of the document with its steps."""

    approvals = serializers.SerializerMethodField()

    @extend_schema_field(ApprovalRoundSerializer(many=True))
    def get_approvals(self, obj) -> list[dict]:
        return ApprovalRoundSerializer(approvals.requests_for(obj), many=True, context=self.context).data


class DocumentSerializer(serializers.ModelSerializer):
    """Header fields both documents share in lists."""

    status_display = ChoiceLabelField(source="status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = UserNameField(source="owner")
    payment_terms_display = ChoiceLabelField(source="payment_terms")


# --- viewsets -----------------------------------------------------------------------------------------------------
class DocumentViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """A quotation or contract: list, detail, and actions that call a service and answer with the fresh detail."""

    filter_backends = [ListFilterBackend]  # the filter set orders too (its `ordering`), like the page
    document = ""  # the services' keyword for the document: "quotation" or "contract"
    detail_serializer_class = None

    def get_serializer_class(self):
        return self.serializer_class if self.action == "list" else self.detail_serializer_class

    def create_document(self, input_class, service):
        """Validate `input_class`, run `service(actor=…, customer=…, data=…, lines=…)` and answer 201 with the new draft —
        or 200 with the draft the same `Idempotency-Key` made before (salesops.core.once)."""
        validated = self.validated_input(input_class)
        data, lines = split_input(validated)
        data["once_key"] = header_key(self.request)
        doc, created = outcome(lambda: service(actor=self.request.user, customer=validated["customer"], data=data, lines=lines))
        return self.respond(doc, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def update_document(self, input_class, service):
        """Run `service(<document>=…, actor=…, data=…, lines=…)` with the header fields sent (and all lines when sent)."""
        doc = self.get_object()
        data, lines = split_input(self.validated_input(input_class))
        return self.respond(service(**{self.document: doc}, actor=self.request.user, data=data, lines=lines))

    def respond(self, doc, code=status.HTTP_200_OK):
        fresh = get_object_or_404(self.get_queryset(), pk=doc.pk)
        return Response(self.detail_serializer_class(fresh, context=self.get_serializer_context()).data, status=code)

    def act(self, service):
        """Run `service(<document>=…, actor=…)` on the document of the URL."""
        return self.respond(service(**{self.document: self.get_object()}, actor=self.request.user))

    def act_with_reason(self, service):
        """Run `service(<document>=…, actor=…, reason=…)` with the reason of the request body."""
        doc = self.get_object()
        reason = self.validated_input(ReasonInput)["reason"]
        return self.respond(service(**{self.document: doc}, actor=self.request.user, reason=reason))


def document_action(name: str, service, summary: str, responses, *, reason: bool = False):
    """The POST action `name` of a DocumentViewSet: run `service` on the document of the URL (with the reason of the
    request body when `reason`) and answer with its fresh detail. One line per action in the viewset."""

    def run(self, request, pk=None):
        return self.act_with_reason(service) if reason else self.act(service)

    run.__name__ = name
    schema = extend_schema(request=ReasonInput, responses=responses, summary=summary) if reason else no_body(summary, responses)
    return schema(action(detail=True, methods=["post"])(run))
