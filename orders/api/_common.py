"""What the order API modules share: fields for {id: value} input and scoped primary keys, the payment gate output,
allowed actions, and the schema of a body-less POST."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from salesops.core.api import MoneyField

from .. import permissions


@extend_schema_field({"type": "integer"})
class ScopedPkField(serializers.PrimaryKeyRelatedField):
    """A row among those `selector(user)` returns (the service checks it belongs to the order's customer)."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(request.user) if request else None


class IdKeyedDictField(serializers.DictField):
    """{id: value} with the ids as JSON object keys (strings of digits); returned with int keys."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if any(not str(key).isdigit() for key in value):
            raise serializers.ValidationError(_("键必须是数字编号。"))
        return {int(key): item for key, item in value.items()}


class GateSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text=_("是否可以放行发货"))
    due = MoneyField(help_text=_("发货前应付"))
    paid = MoneyField(help_text=_("财务已确认到账"))
    exception = MoneyField(help_text=_("已批准信用放行"))
    reason = serializers.CharField(help_text=_("不能放行的原因"))


def no_body(summary: str, responses):
    return extend_schema(request=None, responses=responses, summary=summary)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class AllowedActionsField(serializers.Field):
    """What the requesting user may do on the document now (orders.permissions.<doc>_allowed_actions)."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, value) -> list[str]:
        return permissions.allowed_actions(value, self.context["request"].user)
