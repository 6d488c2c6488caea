"""The base of every list's filter set: Bootstrap controls for the one filter bar, strict values, choices read lazily once."""

from __future__ import annotations

import django_filters
import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from salesops.core.filters import ListFilterSet, NotificationFilter, YesNoFilter
from salesops.core.models import Notification

pytestmark = pytest.mark.django_db


def _reads(counter: list, choices):
    def read():
        counter.append(1)
        return choices

    return read


class ExampleFilter(ListFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="搜索", help_text="标题的一部分")
    kind = django_filters.ChoiceFilter(field_name="title", choices=[("a", "甲"), ("b", "乙")], label="类型")
    read = YesNoFilter(field_name="read_at", lookup_expr="isnull", yes="未读", no="已读", label="未读")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="起始日期")
    recipient = django_filters.NumberFilter(field_name="recipient_id", label="收件人")

    class Meta:
        model = Notification
        fields = ["q", "kind", "read", "since", "recipient"]


def render_bar(filterset) -> str:
    return render_to_string("core/_filter_bar.html", {"filter_form": filterset.form, "request": RequestFactory().get("/x/")})


def test_the_bar_renders_bootstrap_controls_with_testids_and_chinese_labels():
    html = render_bar(ExampleFilter({}, queryset=Notification.objects.all()))
    assert '<input type="search" name="q" placeholder="标题的一部分" class="form-control" data-testid="filter-q"' in html
    assert '<select name="kind" class="form-select" data-testid="filter-kind" id="id_kind">' in html
    assert '<option value="" selected>全部</option>' in html and '<option value="b">乙</option>' in html
    assert '<input type="date" name="since" class="form-control" data-testid="filter-since"' in html
    assert ">起始日期</label>" in html and 'data-testid="filter-errors"' not in html


@pytest.mark.parametrize("params", [{"kind": "c"}, {"read": "perhaps"}, {"since": "2026-02-30"}, {"recipient": "x"}])
def test_an_invalid_value_lists_nothing_and_shows_its_error(cast, params):
    from salesops.core.notifications import notify

    notify(recipients=[cast.alice], title="a", email=False)
    filterset = ExampleFilter(params, queryset=Notification.objects.all())
    assert filterset.status_code == 400 and list(filterset.qs) == []
    html = render_bar(filterset)
    assert 'data-testid="filter-errors"' in html and "is-invalid" in html
    assert filterset.error_text().startswith(str(filterset.form[next(iter(params))].label) + "：")


def test_yes_no_takes_true_false_one_zero_and_blank_is_no_filter(cast):
    from salesops.core.notifications import notify

    notify(recipients=[cast.alice], title="a", email=False)
    qs = Notification.objects.all()
    for value, count in (("true", 1), ("1", 1), ("TRUE", 1), ("false", 0), ("0", 0), ("", 1)):
        filterset = ExampleFilter({"read": value}, queryset=qs)
        assert filterset.status_code == 200 and filterset.qs.count() == count, value


def test_offered_choices_are_read_once_when_rendered_and_never_for_a_valid_query():
    reads = []

    class Offering(ExampleFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.offer("recipient", _reads(reads, [(7, "alice")]))

    filterset = Offering({"recipient": "7"}, queryset=Notification.objects.all())
    assert filterset.status_code == 200 and reads == []  # the API never reads them
    html = render_bar(filterset)
    assert '<option value="7" selected>alice</option>' in html and reads == [1]


def test_choices_from_the_database_are_read_once_per_filter_set():
    reads = []

    class FromData(ListFilterSet):
        kind = django_filters.ChoiceFilter(field_name="title", choices=_reads(reads, [("a", "甲")]), label="类型")

        class Meta:
            model = Notification
            fields = ["kind"]

    filterset = FromData({"kind": "a"}, queryset=Notification.objects.all())
    assert filterset.status_code == 200
    render_bar(filterset)
    assert reads == [1]
    assert FromData({"kind": "z"}, queryset=Notification.objects.all()).status_code == 400


@pytest.mark.parametrize(("params", "kept"), [({"recipient": "5"}, True), ({}, False)])
def test_a_concealed_filter_still_filters_and_is_carried_only_when_given(params, kept):
    filterset = ExampleFilter(params, queryset=Notification.objects.all())
    filterset.conceal("recipient")
    html = render_bar(filterset)
    assert ('<input type="hidden" name="recipient" value="5"' in html) is kept
    assert 'data-testid="filter-recipient"' not in html and ('name="recipient"' in html) is kept


def test_the_controls_survive_the_schema_generator_building_the_class_fields_first():
    for filter_ in ExampleFilter.base_filters.values():
        filter_.field  # noqa: B018 — what drf-spectacular does when it describes the filters
    html = render_bar(ExampleFilter({}, queryset=Notification.objects.all()))
    assert '<option value="" selected>全部</option>' in html and '<input type="date" name="since"' in html


# --- what each filter set copies (issue 12: every list page, every request) -------------------------------------------
def test_a_filter_set_deep_copies_neither_its_filters_nor_its_form_fields(cast, monkeypatch):
    """django-filter deep-copies the class's filters and Django the form's fields, with every widget, choice list and
    label in them, for every page; a filter set copies each filter with its own `extra` and builds its fields once."""
    monkeypatch.setattr(
        django_filters.filters.Filter, "__deepcopy__", lambda self, memo: pytest.fail("filter deep-copied"), raising=False
    )
    monkeypatch.setattr(forms.Field, "__deepcopy__", lambda self, memo: pytest.fail("field deep-copied"))
    filterset = ExampleFilter({"q": "x", "kind": "a", "since": "2026-01-02"}, queryset=Notification.objects.all())
    assert 'value="x"' in render_bar(filterset) and filterset.is_valid()
    assert list(filterset.qs) == []


def test_what_a_filter_set_changes_stays_in_it(cast):
    first = ExampleFilter({"kind": "zzz"}, queryset=Notification.objects.all())
    first.offer("recipient", lambda: [(cast.alice.pk, "alice")])
    first.filters["kind"].extra["help_text"] = "only here"
    first_bar = render_bar(first)  # with its error: the kind's control gets is-invalid
    assert "is-invalid" in first_bar and "alice" in first_bar
    second = ExampleFilter(queryset=Notification.objects.all())
    bar = render_bar(second)
    assert "is-invalid" not in bar and "alice" not in bar and "only here" not in bar
    assert "help_text" not in ExampleFilter.base_filters["kind"].extra
    assert "is-invalid" not in str(ExampleFilter.base_filters["kind"].extra)
    assert bar == render_bar(ExampleFilter(queryset=Notification.objects.all()))


def test_a_method_filter_calls_its_own_filter_set(cast):
    """A filter with `method=` finds the method on the filter set it was copied for (FilterMethod bound to the copy)."""
    Notification.objects.create(recipient=cast.alice, title="unread")
    Notification.objects.create(recipient=cast.alice, title="read", read_at=timezone.now())
    unread = NotificationFilter({"show": "unread"}, queryset=Notification.objects.all())
    read = NotificationFilter({"show": "read"}, queryset=Notification.objects.all())
    assert unread.filters["show"].filter.f is unread.filters["show"] and unread.filters["show"].parent is unread
    assert [n.title for n in unread.qs] == ["unread"] and [n.title for n in read.qs] == ["read"]


def _list_filter_sets():
    import importlib

    from django.apps import apps

    for app in apps.get_app_configs():
        try:
            importlib.import_module(f"{app.name}.filters")
        except ModuleNotFoundError:
            continue

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    return [cls for cls in every(ListFilterSet) if cls.__module__.split(".")[0] not in ("tests",)]


def test_every_whole_number_filter_of_the_lists_is_strict():
    """An id or a year is a whole number within the database's range: a plain NumberFilter took "1.5" as 1, and a number
    beyond the integer range raised OverflowError (a 500) on the expense, plan, target, weekly-report and appraisal lists."""
    loose = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _list_filter_sets()
        for name, f in cls.base_filters.items()
        if type(f) is django_filters.NumberFilter and (str(f.field_name).endswith("_id") or name == "year")
    ]
    assert loose == [], "use salesops.core.filters.IntegerFilter for ids and years"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/expense-claims/?team=",
        "/api/v1/sales-plans/?author=",
        "/api/v1/targets/?team=",
        "/api/v1/weekly-reports/?rep=",
        "/api/v1/appraisals/?round=",
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999", "1.5", "-1"])
def test_an_id_out_of_range_or_not_whole_is_a_400(cast, api_as, path, value):
    response = api_as(cast.manager).get(path + value)
    assert response.status_code == 400, response.content
