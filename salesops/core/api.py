"""API plumbing: the exception handler that renders every error as {"code", "detail"} (ARCHITECTURE.md rule 6),
and the scaffolding every app's API shares (scoped viewset, money/quantity/user-name fields). The one pagination class
is in core/pagination.py (DRF imports it while loading its generic views, so it cannot live here)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .locking import is_lock_conflict, lock_conflict
from .money import EXCHANGE_RATE_BOUNDS, MONEY_BOUNDS, PERCENT_BOUNDS, QUANTITY_BOUNDS, RATE_BOUNDS, Bounds
from .names import display_name


def _first_message(detail):
    if isinstance(detail, dict):
        for key, value in detail.items():
            msg = _first_message(value)
            return msg if key in ("non_field_errors", "__all__") else f"{key}: {msg}"
    if isinstance(detail, list | tuple) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if is_lock_conflict(exc):  # the last resort: a deadlock the services did not absorb is a 409, never a 500
        exc = lock_conflict()
    if isinstance(exc, DomainError):
        return Response({"code": exc.code, "detail": str(exc)}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response({"code": "invalid", "detail": _first_message(detail), "errors": detail}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或您无权查看。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "detail": _first_message(exc.detail), "errors": exc.detail}
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = {"code": code, "detail": str(exc.detail)}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["code"] = "not_authenticated"
    return response


# --- shared scaffolding for every app's API (ARCHITECTURE.md: shared scaffolding lives once in salesops.core) ------------


class ScopedViewSet(viewsets.GenericViewSet):
    """`selector(user)` gives the queryset: what the user may not see does not exist here (404)."""

    selector = None

    def get_queryset(self):
        return type(self).selector(self.request.user)

    def validated_input(self, serializer_class, data=None) -> dict:
        """Validate the request body (or `data`) with an input serializer; a 400 with the field's message when invalid."""
        s = serializer_class(data=self.request.data if data is None else data, context=self.get_serializer_context())
        s.is_valid(raise_exception=True)
        return s.validated_data


class AsciiDigitsMixin:
    """A number field that takes plain ASCII numbers only: Python reads "１２３" (full-width or other scripts' digits) as 123,
    which nobody typing it meant."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedDecimalField(AsciiDigitsMixin, serializers.DecimalField):
    """A DecimalField that takes plain ASCII numbers only ("１２３" is refused, not read as 123)."""


class AsciiIntegerField(AsciiDigitsMixin, serializers.IntegerField):
    """An IntegerField that takes plain ASCII digits only; give it `max_value` (SMALLINT_MAX / INTEGER_MAX for the column)."""


ID_MAX = 2**63 - 1  # a primary key (BigAutoField)
SMALLINT_MAX = 32767  # a PositiveSmallIntegerField column
INTEGER_MAX = 2147483647  # a (Positive)IntegerField column


def use_ascii_number_fields() -> None:
    """Every ModelSerializer maps a model's decimal and integer columns to the ASCII-only fields above (called once, from
    CoreConfig.ready), so no serializer of any app reads "１２３" as a number."""
    from django.db import models

    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.DecimalField] = BoundedDecimalField
    for field in (
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
    ):
        mapping[field] = AsciiIntegerField


def _bounded(bounds: Bounds, kwargs) -> BoundedDecimalField:
    kwargs.setdefault("min_value", bounds.minimum)
    kwargs.setdefault("max_value", bounds.maximum)
    return BoundedDecimalField(max_digits=bounds.max_digits, decimal_places=bounds.decimal_places, **kwargs)


def MoneyField(*, bounds: Bounds = MONEY_BOUNDS, **kwargs) -> serializers.DecimalField:
    """An amount in the API: 14 digits, 2 decimals, within `bounds` (core.money), a string on output."""
    return _bounded(bounds, kwargs)


def QuantityField(**kwargs) -> serializers.DecimalField:
    """A quantity in the API: three decimals, 0 to core.money.MAX_QUANTITY."""
    return _bounded(QUANTITY_BOUNDS, kwargs)


def RateField(**kwargs) -> serializers.DecimalField:
    """A rate in the API (0.13 = 13 %): four decimals, 0 to 1."""
    return _bounded(RATE_BOUNDS, kwargs)


def PercentField(**kwargs) -> serializers.DecimalField:
    """A rate typed as a percentage in the API (12.5 = 12.5 %): two decimals, 0 to 100 (core.money.PERCENT_BOUNDS)."""
    return _bounded(PERCENT_BOUNDS, kwargs)


def ExchangeRateField(**kwargs) -> serializers.DecimalField:
    """An exchange rate to yuan in the API (core.money.EXCHANGE_RATE_BOUNDS)."""
    return _bounded(EXCHANGE_RATE_BOUNDS, kwargs)


@extend_schema_field(OpenApiTypes.STR)
class UserNameField(serializers.Field):
    """A user shown by name (read-only): `UserNameField(source="owner")`."""

    def __init__(self, empty: str = "", **kwargs):
        kwargs["read_only"] = True
        self.empty = empty
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        # named here, not in to_representation: DRF renders a None attribute as null without asking the field
        return display_name(super().get_attribute(instance), self.empty)

    def to_representation(self, value) -> str:
        return value


# --- type-ahead for the pickers: GET …/lookup/?q= → at most core.selectors.LOOKUP_LIMIT {id, name, code} ------------
class LookupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


def lookup_action(find, summary: str):
    """A viewset action `lookup` answering `find(user, q)` unpaginated (for the pickers' type-ahead)."""

    @extend_schema(
        summary=summary,
        parameters=[OpenApiParameter("q", str, description=_("名称或编号的一部分；空则按名称/编号顺序给出前 20 个"))],
        responses=LookupSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def lookup(self, request):
        return Response(LookupSerializer(find(request.user, request.query_params.get("q", "")), many=True).data)

    return lookup


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.Field):
    """The label of a choice field of the serializer's model, read-only: `status_display = ChoiceLabelField(source="status")`.
    The labels are translated once per serializer (per request), not looked up through get_FOO_display on every row."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        choices = parent.Meta.model._meta.get_field(self.source).flatchoices
        self.labels = {value: str(label) for value, label in choices}

    def to_representation(self, value) -> str:
        return self.labels.get(value, "" if value in (None, "") else str(value))


@extend_schema_field(OpenApiTypes.STR)
class RelatedTextField(serializers.ReadOnlyField):
    """A text reached through an optional relation (`source="team.name"`), `empty` when the relation is missing — in every
    answer, also to a PATCH (where DRF would leave out a field whose `default` stands in for the missing relation)."""

    def __init__(self, empty: str = "", **kwargs):
        self.empty = empty
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        for attr in self.source_attrs:
            if instance is None:
                return self.empty
            instance = getattr(instance, attr)
        return self.empty if instance is None else instance
