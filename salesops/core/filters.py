"""What every list's filter set shares, and the filter sets of the kernel's own lists (notifications, approvals inbox).

A filter set (django-filter) serves the page and the API with the same parameter names. Its form is what the one
filter bar (templates/core/_filter_bar.html) renders, so `ListFilterSet` gives each field its Bootstrap class and a
data-testid="filter-<name>". An invalid value (a malformed date, an unknown choice) is an error, never ignored: the API
answers 400 naming the parameter (DjangoFilterBackend), the page shows the error with 400 and an empty list.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Collection
from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms.renderers import get_default_renderer
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import ChoiceField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from . import approvals
from .api import ID_MAX
from .forms import DateInput
from .models import ApprovalStep, ExportRun, Notification
from .thresholds import threshold


def control_class(widget: forms.Widget) -> str:
    """The Bootstrap class of a form control: form-select for a select, form-check-input for a checkbox, else form-control."""
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def _style(widget: forms.Widget, name: str) -> None:
    if isinstance(widget, forms.MultiWidget):
        for sub in widget.widgets:
            _style(sub, name)
        return
    if widget.is_hidden:
        return
    css = widget.attrs.get("class", "")
    if control_class(widget) not in css.split():
        widget.attrs["class"] = f"{css} {control_class(widget)}".strip()
    widget.attrs.setdefault("data-testid", f"filter-{name}")


# --- the bar's widgets, rendered in Python: the same HTML as Django's widget templates, without a template render per
# widget and per option (a bar of ten fields rendered ~40 templates, ~15 ms a page) --------------------------------------
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("text", "search", "date", "hidden", "number", "email", "url", "tel", "time", "datetime", "password")
)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option_html(option: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{conditional_escape(option["value"])}"{_attrs_html(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _plain_options(widget: dict) -> bool:
    return all(o["template_name"] == "django/forms/widgets/select_option.html" for _g, os, _i in widget["optgroups"] for o in os)


class BarRenderer:
    """The filter form's renderer: inputs, selects and their options built here (byte for byte what the templates
    give); any other template goes to Django's default renderer."""

    def __getattr__(self, name):
        return getattr(get_default_renderer(), name)

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name in _INPUT_TEMPLATES:
            value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
            return mark_safe(
                f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}{_attrs_html(widget["attrs"])}>'
            )
        if widget is not None and template_name == "django/forms/widgets/select.html" and _plain_options(widget):
            parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
            for group, options, _index in widget["optgroups"]:
                if group:
                    parts.append(f'\n  <optgroup label="{conditional_escape(group)}">')
                parts.extend(f"\n  {_option_html(option)}\n" for option in options)  # the option template's own newline
                if group:
                    parts.append("\n  </optgroup>")
            parts.append("\n</select>")
            return mark_safe("".join(parts))
        return get_default_renderer().render(template_name, context, request)


BAR_RENDERER = BarRenderer()


class SearchInput(forms.TextInput):
    input_type = "search"


class YesNoField(forms.TypedChoiceField):
    """true / false (also 1 / 0, any case); anything else is an invalid choice."""

    def to_python(self, value):
        value = super().to_python(value).strip().lower()
        return {"1": "true", "0": "false"}.get(value, value)


@extend_schema_field(OpenApiTypes.BOOL)
class YesNoFilter(django_filters.Filter):
    """A yes/no filter offered with its own words (`yes=_("在售"), no=_("停售")`), strict about the value."""

    field_class = YesNoField

    def __init__(self, *args, yes, no, **kwargs):
        kwargs.setdefault("choices", [("", gettext_lazy("全部")), ("true", yes), ("false", no)])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year): "1.5", "1e20" or a number beyond the database's integer range is invalid (400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class OrderingField(ChoiceField):
    """Accepts every allowed ordering, or several joined by commas ("status,-number"); its select offers only `shown`
    (the orderings people use on the page, with their Chinese labels) after the empty choice, if any."""

    def __init__(self, *args, shown=(), refused=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused  # (field names, message): orderings this reader may not ask for (ListFilterSet.refuse_ordering)
        if refused:
            shown = [(value, label) for value, label in shown if str(value).lstrip("-") not in refused[0]]
        if shown:
            empty = [("", self.empty_label)] if self.empty_label is not None else []
            self.widget.choices = [*empty, *shown]

    def valid_value(self, value) -> bool:
        return all(super(OrderingField, self).valid_value(part) for part in str(value).split(","))

    def validate(self, value):
        super().validate(value)
        if self.refused and value and any(part.lstrip("-") in self.refused[0] for part in str(value).split(",")):
            raise forms.ValidationError(self.refused[1], code="refused")


class OrderingFilter(django_filters.ChoiceFilter):
    """`?ordering=<field>` or `-<field>` for each of `fields` (several joined by commas), ties broken by the newest first.
    `labels` ({value: label}) are the orderings the bar's select offers; the API takes all of them."""

    field_class = OrderingField

    def __init__(self, *, fields: tuple[str, ...], labels: dict | None = None, **kwargs):
        choices = [(f"{sign}{name}", f"{sign}{name}") for name in fields for sign in ("", "-")]
        kwargs.setdefault("label", gettext_lazy("排序"))
        kwargs.setdefault("empty_label", None)
        super().__init__(choices=choices, shown=list((labels or {}).items()), **kwargs)

    def filter(self, qs, value):
        return qs.order_by(*value.split(","), "-id") if value else qs


class _Filters(dict):
    """A filter set's `base_filters`. django-filter deep-copies them for every filter set made (every page and API
    request), with every widget, choice list and lazy label in them; what a filter set changes is only each filter's
    own attributes (model, parent, the field it builds, its method's binding) and its `extra` (ListFilterSet.__init__),
    so each filter is copied with a copy of `extra` and shares the rest, which nothing changes."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copies[name] = copied = copy.copy(filter_)
            copied.extra = dict(filter_.extra)
            if filter_.method is not None:  # its FilterMethod, bound to this copy (it finds the method on the parent)
                copied.method = filter_.method
        return copies


class _OwnFields(dict):
    """The filter form's fields: built afresh for each filter set by its filters (`Filter.field`), so the form takes
    them as they are instead of deep-copying them again (Form.__init__ deep-copies `base_fields`)."""

    def __deepcopy__(self, memo):
        return dict(self)


class ListFilterSet(django_filters.FilterSet):
    """The base of every list's filter set (see the module docstring)."""

    @classmethod
    def get_filters(cls):
        return _Filters(super().get_filters())

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = _OwnFields(form_class.base_fields)
        return form_class

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name, filter_ in self.filters.items():
            # built afresh from `extra` below: a field cached on the class's filter (the schema generator builds them)
            # would be copied here without these settings
            vars(filter_).pop("_field", None)
            if isinstance(filter_, django_filters.ChoiceFilter):
                filter_.extra.setdefault("empty_label", gettext_lazy("全部"))
                if callable(filter_.extra.get("choices")):  # from the database: read once, when first needed
                    filter_.extra["choices"] = functools.cache(filter_.extra["choices"])
            if isinstance(filter_, django_filters.DateFilter):
                filter_.extra.setdefault("widget", DateInput())
            if name == "q":  # the search box, its help text as the placeholder
                filter_.extra.setdefault("widget", SearchInput(attrs={"placeholder": filter_.extra.get("help_text", "")}))
            _style(filter_.field.widget, name)

    def error_text(self) -> str:
        """The invalid values in one line: "客户等级：选择一个有效的选项…；…"."""
        labels = {name: f"{self.form[name].label}：" for name in self.form.fields}
        return "；".join(f"{labels.get(name, '')}{' '.join(errors)}" for name, errors in self.errors.items())

    def offer(self, name: str, choices) -> None:
        """Show filter `name` as a select of `choices()` ([(value, label)], read only when the bar is rendered); the
        values it accepts stay those of the filter (an id, a text), so the API is unchanged."""
        options = CallableChoiceIterator(functools.cache(lambda: [("", _("全部")), *choices()]))
        self.filters[name].field.widget = forms.Select(choices=options)
        _style(self.filters[name].field.widget, name)

    def offer_lookup(self, name: str, url: str, chosen) -> None:
        """Show filter `name` as a type-ahead select over a big table (the pickers' JSON at `url`, data-lookup-url):
        its only options are "all" and `chosen(value)` ([(value, label)] of the value asked for, if visible), so the
        bar of a list over 60,000 customers does not render 60,000 options."""
        value = str(self.data.get(name, "")) if self.data else ""
        options = CallableChoiceIterator(functools.cache(lambda: [("", _("全部")), *(chosen(value) if value.isdigit() else [])]))
        self.filters[name].field.widget = forms.Select(choices=options, attrs={"data-lookup-url": url})
        _style(self.filters[name].field.widget, name)

    def refuse_ordering(self, fields: Collection[str], message) -> None:
        """Orderings by `fields` are not for this reader (a figure they may not see: a contract's amount for the
        reviewers who judge the goods): the bar no longer offers them, and asking for one is an error saying `message`
        (400 in the API, under the field on the page), never a list ranked by what is hidden."""
        filter_ = self.filters["ordering"]
        filter_.extra["refused"] = (frozenset(fields), message)
        vars(filter_).pop("_field", None)  # built again with the refusal
        _style(filter_.field.widget, "ordering")

    def conceal(self, name: str) -> None:
        """Keep filter `name` working (a link may carry it) without showing it in the bar."""
        self.filters[name].field.widget = forms.HiddenInput()

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.renderer = BAR_RENDERER
        if self.is_bound:
            for name in form.errors:
                widget = form.fields[name].widget if name in form.fields else None
                if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return form

    @property
    def qs(self) -> QuerySet:
        """The filtered queryset; nothing at all when a value is invalid (its error is shown instead)."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def status_code(self) -> int:
        """400 for a page whose filters are invalid, else 200."""
        return 400 if self.is_bound and not self.is_valid() else 200


# --- the kernel's lists -------------------------------------------------------------------------------------------
class NotificationFilter(ListFilterSet):
    show = django_filters.ChoiceFilter(
        choices=[("all", gettext_lazy("全部（未读在前）")), ("unread", gettext_lazy("未读")), ("read", gettext_lazy("已读"))],
        method="filter_show",
        label=gettext_lazy("显示"),
        empty_label=None,
    )

    class Meta:
        model = Notification
        fields = ["show"]

    def filter_show(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(read_at__isnull=value == "unread")


class ExportRunFilter(ListFilterSet):
    """我的导出: by status, or a word of the list's name."""

    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=gettext_lazy("搜索"), help_text=gettext_lazy("列表名称")
    )
    status = django_filters.ChoiceFilter(choices=ExportRun.Status.choices, label=gettext_lazy("状态"))

    class Meta:
        model = ExportRun
        fields = ["q", "status"]


def _approval_kinds() -> list[tuple[str, str]]:
    """The registered kinds (every request's kind has its handler): no DISTINCT over every request ever made."""
    kinds = approvals.kinds()
    return sorted(((kind, approvals.kind_label(kind)) for kind in kinds), key=lambda choice: choice[1])


class _StepFilter(ListFilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("搜索"), help_text=gettext_lazy("单据标题或步骤"))
    # choices from the database, read only when a value is checked or the bar rendered
    kind = django_filters.ChoiceFilter(field_name="request__kind", choices=_approval_kinds, label=gettext_lazy("审批类型"))

    class Meta:
        model = ApprovalStep
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(request__title__icontains=value) | Q(label__icontains=value))


def _overdue_only_label() -> str:
    return _("只看超时（超过 %(h)s 小时）") % {"h": floatformat(threshold("approval_overdue_hours"), -2)}


class WaitingStepFilter(_StepFilter):
    """待我审批: search, kind, overdue only."""

    overdue = YesNoFilter(
        method="filter_overdue", yes=lazy(_overdue_only_label, str)(), no=gettext_lazy("只看未超时"), label=gettext_lazy("超时")
    )

    class Meta(_StepFilter.Meta):
        fields = ["q", "kind", "overdue"]

    def filter_overdue(self, queryset, name, value):
        due = timezone.now() - timedelta(hours=float(threshold("approval_overdue_hours")))
        return queryset.filter(activated_at__lte=due) if value else queryset.filter(activated_at__gt=due)


class DecidedStepFilter(_StepFilter):
    """我已处理: search, kind, my decision."""

    result = django_filters.ChoiceFilter(
        field_name="status",
        choices=[
            (ApprovalStep.Status.APPROVED, ApprovalStep.Status.APPROVED.label),
            (ApprovalStep.Status.APPROVED_WITH_CONDITIONS, ApprovalStep.Status.APPROVED_WITH_CONDITIONS.label),
            (ApprovalStep.Status.REJECTED, ApprovalStep.Status.REJECTED.label),
        ],
        label=gettext_lazy("我的结论"),
    )

    class Meta(_StepFilter.Meta):
        fields = ["q", "kind", "result"]
