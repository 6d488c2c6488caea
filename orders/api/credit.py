"""/api/v1/ of credit exceptions (信用放行): asked at POST /orders/{id}/credit-exception/, decided at
/api/v1/approval-steps/{id}/decide/ (the kernel's approvals engine), withdrawn while pending at
POST /orders/{id}/credit-exceptions/{exception_id}/withdraw/. Also what the emergency releases share with them: the
`can_withdraw` field and the withdrawal's input."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salesops.core.api import ChoiceLabelField, MoneyField, UserNameField

from .. import permissions
from ..models import CreditException


@extend_schema_field(serializers.BooleanField())
class RequestWithdrawableField(serializers.Field):
    """Whether the requesting user may 撤回 the request now: pending, and they asked for it or are a manager
    (orders.permissions.can_withdraw_request)."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*", help_text=_("当前用户现在能否撤回该申请"))
        super().__init__(**kwargs)

    def to_representation(self, value) -> bool:
        request = self.context.get("request")
        return request is not None and permissions.can_withdraw_request(value, request.user)


class RequestWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("撤回原因"))


class CreditExceptionInput(serializers.Serializer):
    amount = MoneyField(label=_("允许欠款金额"))
    reason = serializers.CharField(allow_blank=True, label=_("申请理由"))


class CreditExceptionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="pending / approved / rejected / withdrawn")
    status_display = ChoiceLabelField(source="status")
    requested_by_name = UserNameField(source="requested_by")
    can_withdraw = RequestWithdrawableField()

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
            "can_withdraw",
        ]
        read_only_fields = fields
