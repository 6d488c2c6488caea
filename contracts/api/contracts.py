"""/api/v1/contracts/: 合同 with its review form, approval rounds, versions and change requests; created directly or
from an accepted quotation, classified by the rules, reviewed, signed with the scanned copy; never deleted."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from salesops.core.api import AsciiIntegerField, ChoiceLabelField, HiddenFieldsMixin, RateField, RelatedTextField
from salesops.core.export_runs_api import ExportActionMixin
from salesops.core.money import MAX_CREDIT_DAYS
from salesops.core.names import display_name
from salesops.core.once import once_key_parameter

from .. import permissions, rules, selectors, services
from ..filters import ContractFilter
from ..models import Contract, ContractReview, ContractVersion
from .changes import ChangeRequestInput, ContractChangeSerializer
from .common import (
    ApprovalsMixin,
    ContractLineSerializer,
    DocumentSerializer,
    DocumentViewSet,
    FigureHidingMixin,
    HeaderInput,
    LineInput,
    document_action,
)


class ContractLineInput(LineInput):
    delivery_date = serializers.DateField(required=False, allow_null=True, label=_("交货日期"))
    quotation_line = serializers.IntegerField(
        required=False, allow_null=True, label=_("来源报价行"), help_text=_("修改由报价单生成的合同时原样带回，用于比对差异")
    )


class ContractUpdateInput(HeaderInput):
    customer_contract_no = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("客户合同号"))
    contract_date = serializers.DateField(required=False, label=_("合同日期"))
    delivery_date = serializers.DateField(required=False, allow_null=True, label=_("承诺交货日期"))
    deposit_rate = RateField(required=False, label=_("定金比例"))
    credit_days = AsciiIntegerField(required=False, min_value=0, max_value=MAX_CREDIT_DAYS, label=_("账期(天)"))
    quality_terms = serializers.CharField(required=False, allow_blank=True, max_length=300, label=_("质量/验收条款"))
    customer_supplied_materials = serializers.BooleanField(required=False, label=_("客户提供材料(来料)"))
    beyond_technical_capability = serializers.BooleanField(required=False, label=_("超出技术能力/标准"))
    lines = ContractLineInput(many=True, required=False, label=_("明细"), help_text=_("给出时替换全部明细"))


class ContractCreateInput(ContractUpdateInput):
    customer = serializers.IntegerField(label=_("客户"))
    lines = ContractLineInput(many=True, label=_("明细"))


CONTRACT_AMOUNTS = ("amount_excl", "tax_amount", "amount_incl")


class SignInput(serializers.Serializer):
    signed_on = serializers.DateField(
        required=False, allow_null=True, default=None, label=_("签订日期"), help_text=_("不填为今天")
    )
    scan = serializers.FileField(
        required=False, allow_null=True, default=None, label=_("签字盖章的合同扫描件"), help_text=_("已上传过签订扫描件时可不填")
    )


class ContractSerializer(HiddenFieldsMixin, DocumentSerializer):
    classification_display = ChoiceLabelField(source="classification")

    def hidden_fields(self) -> set[str]:
        """The amounts, from the reviewers who judge the goods, not the price (as the page and the detail do)."""
        request = self.context.get("request")
        return set(CONTRACT_AMOUNTS) if request is not None and not selectors.sees_prices(request.user) else set()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "version",
            "quotation",
            "customer",
            "customer_name",
            "contact",
            "owner",
            "owner_name",
            "customer_contract_no",
            "project_name",
            "status",
            "status_display",
            "classification",
            "classification_display",
            "contract_date",
            "delivery_date",
            "currency",
            "exchange_rate",
            "payment_terms",
            "payment_terms_display",
            "amount_excl",
            "tax_amount",
            "amount_incl",
            "signed_on",
            "created_at",
            "updated_at",
        ]
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
    snapshot = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_snapshot(self, obj) -> dict:
        """Without prices and amounts for a reader who does not see them (selectors.snapshot_for)."""
        request = self.context.get("request")
        return selectors.snapshot_for(obj, request.user) if request is not None else obj.snapshot

    class Meta:
        model = ContractVersion
        fields = ["id", "version", "created_at", "change", "snapshot"]
        read_only_fields = fields


class ContractDetailSerializer(ApprovalsMixin, FigureHidingMixin, ContractSerializer):
    cost_fields = ("cost_total",)
    price_fields = CONTRACT_AMOUNTS
    lines = ContractLineSerializer(many=True, read_only=True)
    quotation_number = RelatedTextField(source="quotation.display_number")
    classification_reasons = serializers.SerializerMethodField()
    upgraded_by_name = serializers.SerializerMethodField()
    signed_by_name = serializers.SerializerMethodField()
    differences = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    versions = ContractVersionSerializer(many=True, read_only=True)
    changes = ContractChangeSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = ContractSerializer.Meta.fields + [
            "quotation_number",
            "deposit_rate",
            "credit_days",
            "payment_terms_text",
            "delivery_terms",
            "quality_terms",
            "other_terms",
            "customer_supplied_materials",
            "beyond_technical_capability",
            "cost_total",
            "classification_reasons",
            "upgraded_by",
            "upgraded_by_name",
            "upgrade_reason",
            "submitted_at",
            "approved_at",
            "signed_by",
            "signed_by_name",
            "closed_at",
            "close_reason",
            "created_by",
            "lines",
            "differences",
            "review",
            "allowed_actions",
            "approvals",
            "versions",
            "changes",
        ]
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
        return display_name(obj.upgraded_by)

    def get_signed_by_name(self, obj) -> str:
        return display_name(obj.signed_by)

    @extend_schema_field(DifferenceOutput(many=True))
    def get_differences(self, obj) -> list[dict]:
        return DifferenceOutput(selectors.contract_differences(obj), many=True).data

    @extend_schema_field(ContractReviewSerializer(allow_null=True))
    def get_review(self, obj) -> dict | None:
        review = ContractReview.objects.filter(contract=obj).first()
        return ContractReviewSerializer(review).data if review else None

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.contract_allowed_actions(obj, self.context["request"].user)


class ContractViewSet(ExportActionMixin, DocumentViewSet):
    """合同 with its review form, approval rounds, versions and change requests. Never deleted (cancel or terminate)."""

    selector = staticmethod(selectors.contract_list_for)
    serializer_class = ContractSerializer
    detail_serializer_class = ContractDetailSerializer
    export_name = "contracts"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = ContractFilter
    document = "contract"

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("upgraded_by", "signed_by").prefetch_related(
                "lines", "versions", "changes__requested_by", "quotation__lines"
            )
        return qs

    @extend_schema(
        request=ContractCreateInput,
        responses={201: ContractDetailSerializer, 200: ContractDetailSerializer},
        parameters=[once_key_parameter("同一次新建的编号（UUID）：重发同一请求不会再新建，返回 200 和第一次新建的合同")],
    )
    def create(self, request, *args, **kwargs):
        """New draft contract for a visible customer (from a quotation: POST /quotations/{id}/create-contract/)."""
        return self.create_document(ContractCreateInput, services.contract_create)

    @extend_schema(request=ContractUpdateInput, responses=ContractDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Edit a draft or returned contract (lines replaced when sent); the classification is recomputed."""
        return self.update_document(ContractUpdateInput, services.contract_update)

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

    submit = document_action("submit", services.contract_submit, "提交评审", ContractDetailSerializer)
    withdraw = document_action("withdraw", services.contract_withdraw, "撤回评审", ContractDetailSerializer)
    activate = document_action("activate", services.contract_activate, "开始执行", ContractDetailSerializer)
    complete = document_action("complete", services.contract_complete, "执行完毕", ContractDetailSerializer)
    terminate = document_action(
        "terminate", services.contract_terminate, "终止（需填原因）", ContractDetailSerializer, reason=True
    )
    cancel = document_action("cancel", services.contract_cancel, "作废（需填原因）", ContractDetailSerializer, reason=True)
    upgrade = document_action(
        "upgrade", services.contract_upgrade, "经理升级为特殊合同（需填原因）", ContractDetailSerializer, reason=True
    )

    @extend_schema(
        request={"multipart/form-data": SignInput},
        responses=ContractDetailSerializer,
        summary="登记签订（上传签字盖章的扫描件）",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def sign(self, request, pk=None):
        contract = self.get_object()
        validated = self.validated_input(SignInput)
        return self.respond(
            services.contract_sign(
                contract=contract, actor=request.user, signed_on=validated["signed_on"], scan=validated["scan"]
            )
        )

    @extend_schema(request=ChangeRequestInput, responses={201: ContractChangeSerializer}, summary="申请合同变更")
    @action(detail=True, methods=["post"], url_path="change-request")
    def change_request(self, request, pk=None):
        contract = self.get_object()
        validated = self.validated_input(ChangeRequestInput)
        change = services.contract_change_request(
            contract=contract,
            actor=request.user,
            reason=validated["reason"],
            header=validated["header"],
            lines=validated["lines"],
        )
        return Response(ContractChangeSerializer(change).data, status=status.HTTP_201_CREATED)
