"""/api/v1/contract-changes/: 合同变更申请 of the visible contracts (asked for at /api/v1/contracts/{id}/change-request/);
POST …/withdraw/ takes one back while it is in review."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ChoiceLabelField, ListRowsMixin, ScopedViewSet, UserNameField
from salesops.core.api_filters import ListFilterBackend

from .. import permissions, rules, selectors, services
from ..filters import ContractChangeFilter
from ..models import ContractChange
from .common import no_body


class ChangeRequestInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, label=_("变更原因"))
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
        help_text=format_lazy(
            "{}{}{}",
            _("{明细 id: {字段: 新值}}，可变更："),
            "、".join(rules.CHANGEABLE_LINE_FIELDS),
            _("；折扣也可按百分比填写 discount_percent（5 表示 5%）"),
        ),
    )


class ContractChangeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="in_review / approved / rejected / withdrawn")
    status_display = ChoiceLabelField(source="status")
    requested_by_name = UserNameField(source="requested_by")
    department_labels = serializers.SerializerMethodField()
    line_changes = serializers.SerializerMethodField()

    class Meta:
        model = ContractChange
        row_columns = ["line_changes"]  # what get_line_changes reads
        fields = [
            "id",
            "contract",
            "from_version",
            "reason",
            "header_changes",
            "line_changes",
            "departments",
            "department_labels",
            "classification",
            "classification_reasons",
            "status",
            "status_display",
            "requested_by",
            "requested_by_name",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_department_labels(self, obj) -> list[str]:
        return [rules.department_label(code) for code in obj.departments]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_line_changes(self, obj) -> list[dict]:
        """Without prices and amounts for a reader who does not see them (selectors.change_lines_for)."""
        request = self.context.get("request")
        return selectors.change_lines_for(obj, request.user) if request is not None else obj.line_changes


class ContractChangeDetailSerializer(ContractChangeSerializer):
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ContractChangeSerializer.Meta):
        fields = ContractChangeSerializer.Meta.fields + ["allowed_actions"]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.change_allowed_actions(obj, self.context["request"].user)


class ContractChangeViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """合同变更申请 of the visible contracts; POST …/withdraw/ takes one back while it is in review."""

    selector = staticmethod(selectors.contract_change_list_for)
    serializer_class = ContractChangeSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ContractChangeFilter

    def get_serializer_class(self):
        return ContractChangeSerializer if self.action == "list" else ContractChangeDetailSerializer

    @no_body("撤回变更申请", ContractChangeDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        change = services.contract_change_withdraw(change=self.get_object(), actor=request.user)
        fresh = self.get_queryset().get(pk=change.pk)
        return Response(ContractChangeDetailSerializer(fresh, context=self.get_serializer_context()).data)
