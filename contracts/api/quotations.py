"""/api/v1/quotations/: 报价单 created and edited through the services (only those allowed to quote), moved through
review, sending and the customer's answer, revised into new versions, turned into a contract; never deleted."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from customers.api import VisibleOpportunityField
from salesops.core.api import ChoiceLabelField, UserNameField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.once import header_key, once_key_parameter, outcome

from .. import permissions, selectors, services
from ..filters import QuotationFilter
from ..models import Quotation
from .common import (
    ApprovalsMixin,
    DocumentSerializer,
    DocumentViewSet,
    HeaderInput,
    LineInput,
    QuotationLineSerializer,
    document_action,
    no_body,
)
from .contracts import ContractDetailSerializer


class QuotationUpdateInput(HeaderInput):
    opportunity = VisibleOpportunityField(
        required=False, allow_null=True, label=_("销售机会"), help_text=_("为哪个销售机会报价（同一客户、跟进中）")
    )
    quote_date = serializers.DateField(required=False, label=_("报价日期"))
    valid_until = serializers.DateField(required=False, label=_("有效期至"))
    notes = serializers.CharField(required=False, allow_blank=True, label=_("内部备注"))
    lines = LineInput(many=True, required=False, label=_("明细"), help_text=_("给出时替换全部明细"))


class QuotationCreateInput(QuotationUpdateInput):
    customer = serializers.IntegerField(label=_("客户"))
    lines = LineInput(many=True, label=_("明细"))


class QuotationSerializer(DocumentSerializer):
    display_number = serializers.CharField(read_only=True)

    class Meta:
        model = Quotation
        fields = [
            "id",
            "number",
            "version",
            "display_number",
            "customer",
            "customer_name",
            "contact",
            "owner",
            "owner_name",
            "project_name",
            "status",
            "status_display",
            "quote_date",
            "valid_until",
            "currency",
            "exchange_rate",
            "payment_terms",
            "payment_terms_display",
            "amount_excl",
            "tax_amount",
            "amount_incl",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuotationVersionSerializer(serializers.ModelSerializer):
    display_number = serializers.CharField(read_only=True)
    status_display = ChoiceLabelField(source="status")

    class Meta:
        model = Quotation
        fields = ["id", "version", "display_number", "status", "status_display", "amount_incl", "quote_date", "created_at"]
        read_only_fields = fields


class QuotationDetailSerializer(ApprovalsMixin, QuotationSerializer):
    lines = QuotationLineSerializer(many=True, read_only=True)
    opportunity_number = serializers.CharField(source="opportunity.number", read_only=True, default=None, allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    created_by_name = UserNameField(source="created_by")
    approval_route = serializers.CharField(source="approval_route_text", read_only=True, label=_("审批路线"))

    class Meta(QuotationSerializer.Meta):
        fields = QuotationSerializer.Meta.fields + [
            "payment_terms_text",
            "delivery_terms",
            "other_terms",
            "notes",
            "opportunity",
            "opportunity_number",
            "previous",
            "approval_route",
            "submitted_at",
            "approved_at",
            "sent_at",
            "closed_at",
            "close_reason",
            "created_by",
            "created_by_name",
            "lines",
            "allowed_actions",
            "versions",
            "approvals",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.quotation_allowed_actions(obj, self.context["request"].user)

    @extend_schema_field(QuotationVersionSerializer(many=True))
    def get_versions(self, obj) -> list[dict]:
        return QuotationVersionSerializer(selectors.quotation_versions(obj), many=True).data


class QuotationViewSet(ExportActionMixin, DocumentViewSet):
    """报价单. Created and edited through the services (only those allowed to quote); never deleted (cancel a draft)."""

    selector = staticmethod(selectors.quotation_list_for)
    serializer_class = QuotationSerializer
    detail_serializer_class = QuotationDetailSerializer
    export_name = "quotations"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = QuotationFilter
    document = "quotation"

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("created_by").prefetch_related("lines")
        return qs

    @extend_schema(
        request=QuotationCreateInput,
        responses={201: QuotationDetailSerializer, 200: QuotationDetailSerializer},
        parameters=[once_key_parameter("同一次新建的编号（UUID）：重发同一请求不会再新建，返回 200 和第一次新建的报价单")],
    )
    def create(self, request, *args, **kwargs):
        """New draft (customer by id: one you may not see is a 404; without the right to quote: 403)."""
        return self.create_document(QuotationCreateInput, services.quotation_create)

    @extend_schema(request=QuotationUpdateInput, responses=QuotationDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a draft: the header fields sent, and all lines when `lines` is sent (PUT and PATCH alike)."""
        return self.update_document(QuotationUpdateInput, services.quotation_update)

    @extend_schema(request=QuotationUpdateInput, responses=QuotationDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    submit = document_action("submit", services.quotation_submit, "提交审核", QuotationDetailSerializer)
    withdraw = document_action("withdraw", services.quotation_withdraw, "撤回审核", QuotationDetailSerializer)
    send = document_action("send", services.quotation_send, "发送客户", QuotationDetailSerializer)
    accept = document_action("accept", services.quotation_accept, "客户接受", QuotationDetailSerializer)
    reject = document_action("reject", services.quotation_reject, "客户拒绝（需填原因）", QuotationDetailSerializer, reason=True)
    cancel = document_action("cancel", services.quotation_cancel, "作废草稿", QuotationDetailSerializer, reason=True)

    @no_body("修订：生成新版本（旧版本保留为已修订）", {201: QuotationDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        new = services.quotation_revise(quotation=self.get_object(), actor=request.user)
        return self.respond(new, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={201: ContractDetailSerializer, 200: ContractDetailSerializer},
        summary="由客户已接受的报价单生成合同",
        parameters=[once_key_parameter("同一次生成的编号（UUID）：重发同一请求不会再生成，返回 200 和第一次生成的合同")],
    )
    @action(detail=True, methods=["post"], url_path="create-contract")
    def create_contract(self, request, pk=None):
        quotation, key = self.get_object(), header_key(request)
        contract, created = outcome(
            lambda: services.contract_create_from_quotation(quotation=quotation, actor=request.user, once_key=key)
        )
        fresh = selectors.contract_get_for(request.user, contract.pk)
        return Response(
            ContractDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
