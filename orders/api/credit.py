"""/api/v1/ of credit exceptions (信用放行): asked at POST /orders/{id}/credit-exception/, decided at
/api/v1/approval-steps/{id}/decide/ (the kernel's approvals engine)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from salesops.core.api import ChoiceLabelField, MoneyField, UserNameField

from ..models import CreditException


class CreditExceptionInput(serializers.Serializer):
    amount = MoneyField(label=_("允许欠款金额"))
    reason = serializers.CharField(allow_blank=True, label=_("申请理由"))


class CreditExceptionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / approved / rejected")
    status_display = ChoiceLabelField(source="status")
    requested_by_name = UserNameField(source="requested_by")

    class Meta:
        model = CreditException
        fields = [
            "id",
            "order",
            "amount",
            "reason",
            "status",
            "status_display",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "decided_at",
        ]
        read_only_fields = fields
