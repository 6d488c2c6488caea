"""Pages of the reports floor: the to-do dashboard (工作台), the figures dashboard, targets (list with what is not yet
allocated, form, Excel export; the import is salesops.core.imports', declared in reports/imports.py) and the KPI glossary. Access check → form → service → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from salesops.core.errors import DomainError
from salesops.core.navigation import open_links
from salesops.core.pages import forbidden, form_page, paginate, post_data, querystring

from . import permissions, selectors
from .filters import TargetFilter
from .forms import TargetForm
from .glossary import GLOSSARY, SCOPE_NOTE
from .periods import Period
from .scopes import Scope, check_scope, may_view, scope_choices, scope_for
from .services import targets as target_services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def dashboard(request):
    """The user's work for today (工作台), with this month's headline figures of the user's widest scope."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    headline = None
    if scope is not None:
        period = Period.month(today.year, today.month)
        headline = {
            "period": period,
            "scope": scope,
            "cards": open_links(request.user, selectors.figure_cards(period, scope, today, selectors.HEADLINE_CARDS)),
        }
    return render(
        request, "reports/dashboard.html", {"today": today, "headline": headline, **selectors.todo_for(request.user, today)}
    )


# The figures filter's fields, as its form labels them (the error box names the one that is wrong).
FIGURE_PARAMETERS = {"period": gettext_lazy("期间"), "scope": gettext_lazy("范围")}


class ParameterError(ValueError):
    """A figures request's parameter that is malformed or names nobody: `field` ("period" or "scope") and the message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def period_and_scope(request) -> tuple[Period, Scope]:
    """The ?period= (default this month) and ?scope= (default the user's widest) of a figures request; 404 for a scope
    the user may not see (or for a user who sees no figures), ParameterError for a malformed one or for a team or rep
    that does not exist (reports.scopes.check_scope), and for a period that has not begun (Period.not_started_error:
    nothing happened in it yet, and what is owed would read as overdue at its end — as the report runs refuse it)."""
    today = timezone.localdate()
    try:
        period = Period.parse(request.GET["period"]) if request.GET.get("period") else Period.month(today.year, today.month)
    except ValueError as exc:
        raise ParameterError("period", str(exc)) from None
    if error := period.not_started_error(today):
        raise ParameterError("period", error)
    if request.GET.get("scope"):
        try:
            scope = Scope.parse(request.GET["scope"])
        except ValueError as exc:
            raise ParameterError("scope", str(exc)) from None
    else:
        scope = scope_for(request.user)
        if scope is None:
            raise Http404
    if not may_view(request.user, scope):
        raise Http404
    try:
        check_scope(scope)
    except ValueError as exc:
        raise ParameterError("scope", str(exc)) from None
    return period, scope


@login_required
@require_GET
def figures(request):
    """The figures dashboard of one period and scope (cards and Chart.js charts; each links to its documents)."""
    try:
        period, scope = period_and_scope(request)
    except ParameterError as exc:  # shown above the filters, as a list's invalid filter is: the user corrects it there
        context = {
            "filter_errors": [(FIGURE_PARAMETERS[exc.field], str(exc))],
            "invalid_field": exc.field,
            "period_text": request.GET.get("period", ""),
            "scope_key": request.GET.get("scope", ""),
            "cards": [],
            "charts": [],
            "scope_choices": scope_choices(request.user),
        }
        return render(request, "reports/figures.html", context, status=400)
    data = selectors.figures_for(period, scope, timezone.localdate())
    data["cards"], data["charts"] = open_links(request.user, data["cards"]), open_links(request.user, data["charts"])
    choices = scope_choices(request.user)
    context = {**data, "scope_choices": choices, "period_text": period.key, "scope_key": scope.key}
    return render(request, "reports/figures.html", context)


@login_required
@require_GET
def glossary(request):
    return render(request, "reports/glossary.html", {"entries": GLOSSARY, "scope_note": SCOPE_NOTE})


# --- targets ---------------------------------------------------------------------------------------------------------------
def _target_period(request) -> Period:
    today = timezone.localdate()
    try:
        period = Period.parse(request.GET.get("period", ""))
    except ValueError:
        return Period.month(today.year, today.month)
    return period if period.kind != "day" else Period.month(period.start.year, period.start.month)


@login_required
@require_GET
def target_list(request):
    user = request.user
    filterset = TargetFilter(request.GET, queryset=selectors.target_list_for(user), request=request)
    page = paginate(request, filterset.qs)
    for target in page:
        target.actions = permissions.target_allowed_actions(target, user)
    period = _target_period(request)
    return render(
        request,
        "reports/target_list.html",
        {
            "page": page,
            "filterset": filterset,
            "querystring": querystring(request, "page"),
            "period": period,
            "allocation": selectors.target_allocation(user, period),
            "lengths": selectors.target_length_allocation(user, period),
            "may_manage": permissions.may_manage_targets(user),
        },
        status=filterset.status_code,
    )


@login_required
def target_edit(request, pk=None):
    user = request.user
    target = selectors.target_get_for(user, pk) if pk else None
    if target is not None and "edit" not in permissions.target_allowed_actions(target, user):
        return forbidden(request, _("您无权修改该目标。"))
    if target is None and not permissions.may_manage_targets(user):
        return forbidden(request, _("您无权设定目标。"))
    initial = {}
    if target is not None:
        initial = {f: getattr(target, f) for f in ("year", "kind", "number", "level", "team", "rep", "amount")}
        initial |= {"new_customers": target.new_customers, "collection": target.collection}
    form = TargetForm(post_data(request), initial=initial, target=target)
    if form.is_valid():
        try:
            # 设定 creates (an existing target of the period and owner is refused: change it instead); 修改 changes one
            target_services.target_set(actor=user, data=form.to_input(), target=target, create=target is None)
        except target_services.TargetError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            form.error_status = exc.status_code
        except DomainError as exc:
            form.add_error(None, str(exc))
            form.error_status = exc.status_code
        else:
            return redirect(reverse("reports:targets") + f"?period={form.to_input().period.key}")
    return form_page(
        request,
        form,
        title=_("修改销售目标") if target else _("设定销售目标"),
        cancel_url=reverse("reports:targets"),
        grid=True,
        testid="target-form",
    )


@login_required
@require_POST
def target_delete(request, pk):
    target = selectors.target_get_for(request.user, pk)
    try:
        target_services.target_delete(actor=request.user, target=target)
    except DomainError as exc:
        return render(request, "core/error.html", {"error": str(exc)}, status=exc.status_code)
    return redirect("reports:targets")


@login_required
@require_GET
def target_export(request):
    filterset = TargetFilter(request.GET, queryset=selectors.target_list_for(request.user), request=request)
    if filterset.status_code != 200:
        return render(request, "core/error.html", {"error": filterset.error_text()}, status=400)
    response = HttpResponse(selectors.targets_workbook(filterset.qs), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="targets.xlsx"'
    return response
