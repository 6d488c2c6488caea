"""The OpenAPI schema's kernel part: every operation documents the one error shape that salesops.core.api.exception_handler
renders (ARCHITECTURE.md rule 6), so a client reads 400/401/403/404/409 the same way everywhere."""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import is_list_serializer
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin

# The answers every operation may give besides its own: invalid input or filter, not logged in, not allowed, not found (or
# not visible to the user), conflict (the document changed state, or a lock conflict that persisted).
ERROR_STATUSES = {
    "400": "输入或筛选条件无效 / invalid input or filter",
    "401": "未登录或令牌无效 / not authenticated",
    "403": "无权执行 / not allowed",
    "404": "未找到，或无权查看 / not found or not visible",
    "409": "操作冲突 / conflict",
}


class ErrorSerializer(serializers.Serializer):
    """An error answer: a machine-readable code, the first message (in the user's language) and, for invalid input, every
    message by field."""

    code = serializers.CharField(help_text="invalid, not_found, permission_denied, not_authenticated, conflict, …")
    detail = serializers.CharField(help_text="第一条错误信息 / the first message")
    errors = serializers.JSONField(required=False, help_text="字段 → 错误信息（仅输入无效时） / messages by field (400 only)")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema plus the error answers (ERROR_STATUSES) on every operation, unless it documents its own;
    a summary served at a collection's address (`list` of a viewset that lists no model: receivables, the service desk) is
    the one object its serializer describes, not an array of them."""

    def get_operation(self, *args, **kwargs):
        """Every optional query parameter may be sent empty (`?date_to=`, as a page's filter bar does): empty means unset."""
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from a read-only choice field: its model column may still hold "" (not chosen yet)
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank and _blank_column(field):
            field = copy.copy(field)
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # a decimal sent as a string carries its bounds in its pattern: no minus sign where the minimum is 0 or more
        unsigned = isinstance(field, serializers.DecimalField) and field.min_value is not None and field.min_value >= 0
        if unsigned and str(schema.get("pattern", "")).startswith("^-?"):
            schema["pattern"] = "^" + schema["pattern"][3:]
        return schema

    def _is_list_view(self, serializer=None):
        if getattr(self.view, "action", None) == "list" and not isinstance(self.view, ListModelMixin):
            serializer = self.get_response_serializers() if serializer is None else serializer
            if isinstance(serializer, dict) and serializer:
                serializer = serializer[min(serializer, key=str)]
            return is_list_serializer(serializer)
        return super()._is_list_view(serializer)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERROR_STATUSES.items():
            if status not in responses:
                response = self._get_response_for_code(ErrorSerializer, status, ["application/json"], direction)
                responses[status] = {**response, "description": description}
        return responses


def _blank_column(field) -> bool:
    """Whether a serializer field shows a model column that may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or "." in (field.source or ""):
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
