"""/api/v1/inspections/: lots inspected for the visible orders (recorded at POST /orders/{id}/inspections/), signed by
the other side here; emergency releases are asked at POST /orders/{id}/emergency-release/ and withdrawn while pending
at POST /orders/{id}/emergency-releases/{release_id}/withdraw/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import ChoiceLabelField, ListRowsMixin, QuantityField, ScopedViewSet, UserNameField

from .. import selectors, services
from ..filters import InspectionFilter
from ..models import EmergencyRelease, Inspection
from ._common import AllowedActionsField, no_body
from .credit import RequestWithdrawableField


class InspectionInput(serializers.Serializer):
    line = serializers.IntegerField(label=_("订单明细"))
    lot_no = serializers.CharField(max_length=40, label=_("批号"))
    quantity = QuantityField(label=_("数量"))
    result = serializers.ChoiceField(choices=Inspection.Result.choices, label=_("检验结果"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("说明"))
    emergency_release = serializers.IntegerField(required=False, allow_null=True, default=None, label=_("对应的紧急放行"))


class EmergencyReleaseInput(serializers.Serializer):
    line = serializers.IntegerField(label=_("订单明细"))
    quantity = QuantityField(label=_("放行数量"))
    reason = serializers.CharField(allow_blank=True, label=_("紧急放行原因"))
    lot_no = serializers.CharField(required=False, allow_blank=True, default="", max_length=40, label=_("批号"))


class InspectionSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    line_name = serializers.CharField(source="line.name", read_only=True)
    result_display = ChoiceLabelField(source="result")
    qc_signed_by_name = UserNameField(source="qc_signed_by")
    warehouse_signed_by_name = UserNameField(source="warehouse_signed_by")
    is_signed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "order",
            "order_number",
            "line",
            "line_name",
            "lot_no",
            "quantity",
            "result",
            "result_display",
            "note",
            "emergency_release",
            "qc_signed_by",
            "qc_signed_by_name",
            "qc_signed_at",
            "warehouse_signed_by",
            "warehouse_signed_by_name",
            "warehouse_signed_at",
            "is_signed",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    allowed_actions = AllowedActionsField()

    class Meta(InspectionSerializer.Meta):
        fields = InspectionSerializer.Meta.fields + ["allowed_actions"]
        read_only_fields = fields


class EmergencyReleaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / approved / rejected / withdrawn")
    status_display = ChoiceLabelField(source="status")
    line_name = serializers.CharField(source="line.name", read_only=True)
    requested_by_name = UserNameField(source="requested_by")
    can_withdraw = RequestWithdrawableField()

    class Meta:
        model = EmergencyRelease
        fields = [
            "id",
            "order",
            "line",
            "line_name",
            "quantity",
            "lot_no",
            "reason",
            "status",
            "status_display",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "decided_at",
            "can_withdraw",
        ]
        read_only_fields = fields


class InspectionViewSet(ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """检验记录 of the visible orders; recorded at POST /orders/{id}/inspections/, signed by the other side here."""

    selector = staticmethod(selectors.inspection_list_for)
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        return InspectionSerializer if self.action == "list" else InspectionDetailSerializer

    @no_body("检验签字（质检或仓库，另一人）", InspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        inspection = services.inspection_sign(inspection=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data)
