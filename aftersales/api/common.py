"""Pieces the after-sales API modules share."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from salesops.core.api import ScopedViewSet, UserNameField


def no_body(summary: str, responses):
    return extend_schema(request=None, responses=responses, summary=summary)


class DocumentViewSet(ScopedViewSet):
    """A scoped viewset whose actions answer with the document's fresh detail."""

    detail_serializer = None

    def get_serializer_class(self):
        return self.serializer_class if self.action == "list" else self.detail_serializer

    def respond(self, doc, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=doc.pk)
        return Response(self.detail_serializer(fresh, context=self.get_serializer_context()).data, status=code)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class AllowedActionsField(serializers.Field):
    """`allowed_actions`: what the requesting user may do now (aftersales.permissions)."""

    def __init__(self, check, **kwargs):
        self.check = check
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.check(value, self.context["request"].user)


__all__ = ["AllowedActionsField", "DocumentViewSet", "UserNameField", "no_body"]
