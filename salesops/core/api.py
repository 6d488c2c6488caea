"""API plumbing: the exception handler that renders every error as {"code", "detail"} (ARCHITECTURE.md rule 6),
and the scaffolding every app's API shares (scoped viewset, money/quantity/user-name fields). The one pagination class
is in core/pagination.py (DRF imports it while loading its generic views, so it cannot live here)."""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import include, re_path
from django.urls import path as url_path
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty as NOT_GIVEN
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from . import batch
from .errors import DomainError
from .locking import is_lock_conflict, lock_conflict
from .money import EXCHANGE_RATE_BOUNDS, MONEY_BOUNDS, PERCENT_BOUNDS, QUANTITY_BOUNDS, RATE_BOUNDS, Bounds
from .names import display_name


def _first_message(detail, fields=None):
    """The first message of an error tree for people: a field's message after the field's label and name
    ("数量（quantity）：请输入…": for the user and for the developer of a client), the label taken from `fields` (the
    view's serializer or filter set fields by name; nested serializers resolved), the name alone where there is none."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a row of a list (DRF's ListField keys its errors by index)
                return _("%(row)s：%(message)s") % {
                    "row": _("第 %(n)d 行") % {"n": key + 1},
                    "message": _first_message(value, fields),
                }
            field = (fields or {}).get(key)
            msg = _first_message(value, _nested_fields(field))
            if key in ("non_field_errors", "__all__"):
                return msg
            label = str(getattr(field, "label", None) or key)
            if label in (key, capfirst(str(key).replace("_", " "))):  # no label, or DRF's made from the name ("Items")
                return _("%(name)s：%(message)s") % {"name": key, "message": msg}
            return _("%(label)s（%(name)s）：%(message)s") % {"label": label, "name": key, "message": msg}
    if isinstance(detail, list | tuple) and detail:  # the first row with an error (a valid row of a list is {})
        return _first_message(next((item for item in detail if item), detail[0]), fields)
    return str(detail)


def _nested_fields(field):
    """The fields of a nested serializer (or of a list of them), else None."""
    field = getattr(field, "child", field)
    return field.fields if isinstance(field, serializers.Serializer) else None


def _error_fields(exc, context) -> dict:
    """The fields whose labels name a request's errors: the input serializer's that raised it (validated_input), the
    filter set's for a GET list, else the view's serializer's."""
    if getattr(exc, "fields", None) is not None:
        return exc.fields
    view = (context or {}).get("view")
    request = (context or {}).get("request")
    if view is None:
        return {}
    filterset_class = getattr(view, "filterset_class", None)
    if request is not None and request.method == "GET" and filterset_class is not None:
        return filterset_class.base_filters
    try:
        return view.get_serializer().fields if hasattr(view, "get_serializer") else {}
    except Exception:  # noqa: BLE001 — a view whose serializer needs more than the request: name the fields as sent
        return {}


def exception_handler(exc, context):
    if is_lock_conflict(exc):  # the last resort: a deadlock the services did not absorb is a 409, never a 500
        exc = lock_conflict()
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": str(exc)}
        if exc.field:  # the refusal is about one input field: named as a serializer's error would be
            body["errors"] = {exc.field: [str(exc)]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(
            {"code": "invalid", "detail": _first_message(detail, _error_fields(exc, context)), "errors": detail}, status=400
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或您无权查看。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": _first_message(exc.detail, _error_fields(exc, context)),
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = {"code": code, "detail": str(exc.detail)}
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.data["code"] = "not_authenticated"
    return response


# --- shared scaffolding for every app's API (ARCHITECTURE.md: shared scaffolding lives once in salesops.core) ------------


class Router(DefaultRouter):
    """The API's router: a document is looked up by its id in plain ASCII digits. DRF's default pattern takes any text up to
    the next "/", and the database reads "2\x0b" or "２" as 2, so …/orders/2%0B/ would answer for order 2. A viewset looked
    up by another field (lookup_field) or giving its own lookup_value_regex keeps it."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and not hasattr(viewset, "lookup_value_regex"):
            return self._base_pattern.format(
                lookup_prefix=lookup_prefix,
                lookup_url_kwarg=getattr(viewset, "lookup_url_kwarg", None) or "pk",
                lookup_value="[0-9]+",
            )
        return super().get_lookup_regex(viewset, lookup_prefix)

    def get_urls(self):
        """The patterns grouped under their first path segment ("orders/", "work/", …): Django tries a group's patterns
        only when the path starts with it (a string comparison), so a request is matched against a few dozen patterns,
        not the whole API's ~1,000 one after the other (…/orders/ 0.41 -> 0.11 ms). Within a group the order is the
        router's; the API root and the lists' format suffixes ("orders.json") follow as they are (no path matches two)."""
        groups: dict[str, list] = {}
        rest = []
        for pattern in super().get_urls():
            regex = str(pattern.pattern)
            found = _FIRST_SEGMENT.match(regex)
            if found is None:
                rest.append(pattern)
            else:  # "^orders/(?P<pk>[0-9]+)/$" -> "orders/" + "^(?P<pk>[0-9]+)/$"
                inner = re_path("^" + regex[found.end() :], pattern.callback, pattern.default_args, pattern.name)
                groups.setdefault(found["segment"], []).append(inner)
        return [url_path(f"{segment}/", include(patterns)) for segment, patterns in groups.items()] + rest


_FIRST_SEGMENT = re.compile(r"^\^(?P<segment>[a-z0-9_-]+)/")


class ScopedViewSet(viewsets.GenericViewSet):
    """`selector(user)` gives the queryset: what the user may not see does not exist here (404). With
    `detail_serializer_class`, `serializer_class` is the list's row (list and export) and the detail one the whole
    document (read, and the answer to every write: `respond`)."""

    selector = None
    detail_serializer_class = None

    def get_queryset(self):
        return type(self).selector(self.request.user)

    def get_serializer_class(self):
        if self.detail_serializer_class is not None and self.action not in ("list", "export"):
            return self.detail_serializer_class
        return super().get_serializer_class()

    def respond(self, obj, code=status.HTTP_200_OK) -> Response:
        """The document after a write, whole, as the user reads it now (read again through the selector)."""
        fresh = get_object_or_404(self.get_queryset(), pk=obj.pk)
        serializer_class = self.detail_serializer_class or self.serializer_class
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, status=code)

    def validated_input(self, serializer_class, data=None) -> dict:
        """Validate the request body (or `data`) with an input serializer; a 400 with the field's message when invalid."""
        s = serializer_class(data=self.request.data if data is None else data, context=self.get_serializer_context())
        if not s.is_valid():
            error = exceptions.ValidationError(s.errors)
            error.fields = s.fields  # the labels the message names the fields by (exception_handler)
            raise error
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


def batch_ids_field(*, label, help_text, empty, too_many) -> serializers.ListField:
    """The ids of a batch (salesops.core.batch: 批量同意, 批量确认到账): a list of 1 to batch.MAX document ids, each in
    ASCII digits; `empty` and `too_many` (with {max_length}) the messages of a list that is empty or too long."""
    return serializers.ListField(
        child=AsciiIntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=False,
        max_length=batch.MAX,
        label=label,
        help_text=help_text,
        error_messages={
            "empty": empty,
            "not_a_list": format_lazy(gettext_lazy("请以列表提交{label}。"), label=label),
            "max_length": too_many,
        },
    )


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


# --- list rows: the `list` action read with values() and formatted without DRF's per-field work (issue 12) ----------
class HiddenFieldsMixin:
    # A serializer leaving out some fields for some readers: `hidden_fields()` (asked once per answer, from the context)
    # names them; the full serializer and the list rows (ListRowsMixin) both honour it. (A comment, not a docstring:
    # drf-spectacular would describe every such serializer's schema with it.)

    def hidden_fields(self) -> set[str]:
        return set()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self.hidden_fields():
            data.pop(name, None)
        return data


class _Row:
    """The light object a model property or a SerializerMethodField reads: the row's columns as attributes, a foreign
    key's id also as `<name>_id`, and the columns read through a relation (`product__list_price`) on a light object of
    their own (`obj.product.list_price`; None when the relation is missing), as on a model instance."""


_ANNOTATION = object()  # the "model field" of a column the queryset annotates (Meta.row_annotations)


_SKIP = object()  # DRF leaves the field out (a relation on the way is missing, no default, not nullable)
_IDENTITY_FIELDS = (serializers.ReadOnlyField, serializers.ChoiceField, serializers.BooleanField, serializers.RelatedField)


def _user_name(first: str | None, last: str | None, username: str | None, empty: str) -> str:
    """core.names.display_name of a user read as columns: the full name (as User.get_full_name), else the username."""
    if username is None:
        return empty
    return f"{first} {last}".strip() or username


class RowPlan:
    """How the rows of a list serializer are read with `values()` and formatted into exactly what the serializer gives
    (same keys, order and values — compared in tests/api/test_list_rows.py), without model instances or DRF's per-field
    machinery. Built once per serializer class and language (choice labels are translated when the plan is built).

    Each readable field becomes a column of values(): a model field or a path through relations (`source="order.number"`
    → `order__number`; a missing nullable relation gives the field's default, else null when allowed, else no key, as
    DRF does), or a name in `Meta.row_annotations` (a column the list's queryset annotates, e.g. `item_count`); a
    ChoiceLabelField gives its label, a UserNameField the user's name (three columns), a RelatedTextField its `empty`
    when the relation is missing. A model property or a SerializerMethodField reads a light object holding the row's
    columns (`obj.number`, `obj.team_id`, `obj.product.list_price`…): what it needs must be among the serializer's
    fields or in `Meta.row_columns` (paths written `product__list_price`). Anything else (source="*", files, to-many
    relations, a to_representation of its own other than HiddenFieldsMixin's) is refused when the plan is built.
    """

    _plans: dict = {}

    @classmethod
    def of(cls, serializer_class) -> RowPlan:
        from django.utils.translation import get_language

        key = (serializer_class, get_language())
        plan = cls._plans.get(key)
        if plan is None:
            plan = cls._plans[key] = cls(serializer_class)
        return plan

    def __init__(self, serializer_class):
        if serializer_class.to_representation not in (
            serializers.Serializer.to_representation,
            HiddenFieldsMixin.to_representation,
        ):
            raise TypeError(f"{serializer_class.__name__} formats its rows itself (to_representation)")
        serializer = serializer_class(context={})
        self.model = serializer.Meta.model
        self.annotations = frozenset(getattr(serializer.Meta, "row_annotations", ()))
        self.columns: dict[str, None] = dict.fromkeys(["pk"])  # an ordered set
        for path in getattr(serializer.Meta, "row_columns", ()):
            self._add(path.split("__"))
        self.needs_object = False
        self.may_skip = False
        self.methods: list[tuple[int, str]] = []  # (position, method name): bound to the answer's serializer
        self.names: list[str] = []
        self.getters: list = []
        for field in serializer.fields.values():
            if not field.write_only:
                self.names.append(field.field_name)
                self.getters.append(self._getter(field))
        self._object_shape()

    def _object_shape(self) -> None:
        """What the light object of a row holds besides the columns: each foreign key's id as `<name>_id`, and the
        columns read through relations nested by relation ({"product": {"list_price": "product__list_price"}})."""
        self.ids: list[tuple[str, str]] = []
        self.nested: dict = {}
        for key in self.columns:
            if key == "pk" or key in self.annotations:
                continue
            model, parts = self.model, key.split("__")
            for part in parts[:-1]:
                model = model._meta.get_field(part).related_model
            field = model._meta.get_field(parts[-1])
            leaf = field.attname if field.is_relation else parts[-1]
            if len(parts) == 1:
                if leaf != key:
                    self.ids.append((key, leaf))
                continue
            node = self.nested
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[leaf] = key

    def _object(self, row: dict) -> _Row:
        obj = _Row()
        obj.__dict__.update(row)
        for key, attname in self.ids:
            obj.__dict__[attname] = row[key]
        if self.nested:
            obj.__dict__.update(self._related(self.nested, row, ""))
        return obj

    def _related(self, node: dict, row: dict, prefix: str) -> dict:
        out = {}
        for name, sub in node.items():
            if isinstance(sub, dict):
                key = f"{prefix}{name}"
                if row.get(key, 0) is None:  # the relation's own column (read when nullable) says it is missing
                    out[name] = None
                    continue
                related = _Row()
                related.__dict__.update(self._related(sub, row, f"{key}__"))
                out[name] = related
            else:
                out[name] = row[sub]
        return out

    def _add(self, path: list[str]) -> tuple[str, list[str], object]:
        """Adds the column of `path` (attribute names from the plan's model): its values() key, the keys of the nullable
        relations on the way, and the model field at the end (None for a property of the model, read on the object)."""
        model, keys, nullable, field = self.model, [], [], None
        if len(path) == 1 and path[0] in self.annotations:
            self.columns[path[0]] = None
            return path[0], [], _ANNOTATION
        for i, part in enumerate(path):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                if len(path) == 1 and isinstance(getattr(model, part, None), property):
                    self.needs_object = True
                    return part, [], None
                raise TypeError(f"{self.model.__name__}: {'.'.join(path)} is not a column") from None
            if not field.concrete or field.many_to_many:
                raise TypeError(f"{self.model.__name__}: {'.'.join(path)} is not a column")
            keys.append(field.name)
            if field.is_relation and i < len(path) - 1:
                self.columns["__".join(keys)] = None  # the relation's id (`obj.<name>_id`; None when it is missing)
                if field.null:
                    nullable.append("__".join(keys))
                model = field.related_model
        key = "__".join(keys)
        self.columns[key] = None
        return key, nullable, field

    def _getter(self, f):
        if isinstance(f, serializers.SerializerMethodField):
            self.needs_object = True
            self.methods.append((len(self.getters), f.method_name))
            return None
        if f.source == "*" or isinstance(f, serializers.FileField | serializers.ManyRelatedField | serializers.BaseSerializer):
            raise TypeError(f"{type(f).__name__} {f.field_name}: not readable as columns")
        if isinstance(f, UserNameField):
            key = self._add([*f.source_attrs, "username"])[0]
            first, last = self._add([*f.source_attrs, "first_name"])[0], self._add([*f.source_attrs, "last_name"])[0]
            empty = f.empty
            return lambda row, obj: _user_name(row[first], row[last], row[key], empty)
        key, nullable, model_field = self._add(f.source_attrs)
        fmt = f.to_representation
        if model_field is None:  # a model property, read on the row's object
            prop = getattr(self.model, key)
            return lambda row, obj: None if (v := prop.fget(obj)) is None else fmt(v)
        if isinstance(f, RelatedTextField):
            empty = f.empty
            return lambda row, obj: empty if (v := row[key]) is None else v
        if (
            isinstance(f, _IDENTITY_FIELDS)
            or (isinstance(f, serializers.CharField) and isinstance(model_field, models.CharField | models.TextField))
            or (isinstance(f, serializers.IntegerField) and isinstance(model_field, models.IntegerField))
        ):
            fmt = None  # DRF's to_representation gives the column's value back unchanged
        if nullable:  # DRF: a missing relation on the way gives the default, else null when allowed, else no key
            if f.default is not NOT_GIVEN and callable(f.default):
                raise TypeError(f"{f.field_name}: a callable default is not read as a column")
            missing = f.default if f.default is not NOT_GIVEN else (None if f.allow_null else _SKIP)
            if missing is not None and missing is not _SKIP and fmt is not None:
                missing = fmt(missing)
            self.may_skip = self.may_skip or missing is _SKIP

            def get(row, obj):
                if any(row[k] is None for k in nullable):
                    return missing
                v = row[key]
                return v if v is None or fmt is None else fmt(v)

            return get
        if fmt is None:
            return lambda row, obj: row[key]
        return lambda row, obj: None if (v := row[key]) is None else fmt(v)

    def values(self, queryset):
        """The rows of `queryset` as the dicts the plan formats (with each row's `pk`)."""
        return queryset.prefetch_related(None).values(*self.columns)

    def format(self, rows, serializer) -> list[dict]:
        """The rows as `serializer` (the list serializer with the answer's context) gives them: it runs the method
        fields and names the hidden fields."""
        getters = list(self.getters)
        for position, method in self.methods:
            bound = getattr(serializer, method)
            getters[position] = lambda row, obj, bound=bound: bound(obj)
        hidden = serializer.hidden_fields() if isinstance(serializer, HiddenFieldsMixin) else ()
        pairs = [(name, get) for name, get in zip(self.names, getters, strict=True) if name not in hidden]
        out = []
        for row in rows:
            obj = self._object(row) if self.needs_object else None
            item = {name: get(row, obj) for name, get in pairs}
            if self.may_skip:
                item = {name: value for name, value in item.items() if value is not _SKIP}
            out.append(item)
        return out


class ListRowsMixin:
    """A list viewset whose `list` action reads the page with values() (RowPlan of its list serializer) and formats it
    without DRF's per-field work; the answer is the serializer's, field for field (the schema keeps documenting the
    serializer). Counted on the filtered queryset as it is; beyond page 1 the page's ids first (core.pagination)."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        serializer_class = self.get_serializer_class()
        plan = RowPlan.of(serializer_class)
        serializer = serializer_class(context=self.get_serializer_context())
        paginator = self.paginator
        if paginator is None:
            return Response(plan.format(plan.values(queryset), serializer))
        if hasattr(paginator, "paginate_rows"):
            rows = paginator.paginate_rows(queryset, plan.values, request, view=self)
        else:
            rows = paginator.paginate_queryset(plan.values(queryset), request, view=self)
        return paginator.get_paginated_response(plan.format(rows, serializer))


class ListFilterSchema(DjangoFilterExtension):
    """The schema of api_filters.ListFilterBackend: django-filter's parameters, and `search`, which stands for the filter
    set's `q` on a list without DRF's search (every list searches by either name)."""

    target_class = "salesops.core.api_filters.ListFilterBackend"
    match_subclasses = True
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        from .api_filters import Q_PARAM, SEARCH_PARAM, search_alias_parameter

        params = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        if not getattr(auto_schema.view, "search_fields", None) and any(p["name"] == Q_PARAM for p in params):
            params.append(search_alias_parameter(SEARCH_PARAM, Q_PARAM))
        return params
