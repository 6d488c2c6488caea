"""The service desk, satisfaction callbacks and the monthly service statistics."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.pages import forbidden, queue_head

from .. import forms, permissions, rules, selectors
from ..filters import CallbackFilter
from ..services import callbacks as svc
from .common import NO_INPUT, Action, build_forms, paginate, plain_form, post_action


@login_required
@require_GET
def desk(request):
    """客服工作台: my tickets, the team's unassigned ones, SLA breaches, callbacks due today (quick entry), escalations —
    each its first rows (core.pages.QUEUE_ROWS, as on the other work pages), its exact count and a link to the list
    filtered by the queue."""
    user = request.user
    if not permissions.sees_desk(user):
        return forbidden(request, _("售后服务台只对客服和经理开放。"))
    heads = {name: queue_head(qs) for name, qs in selectors.desk_for(user).items()}
    context = {name: items for name, (items, _count) in heads.items()}
    context["counts"] = {name: count for name, (_items, count) in heads.items()}
    for name in selectors.TICKET_QUEUES:
        context[name] = selectors.with_sla(context[name])
    context["record_form"] = forms.CallbackRecordForm()
    # the quick entry's fields are the same on every callback row: drawn once (20 rows drew 20 forms of 8 fields)
    context["record_fields"] = render_to_string("aftersales/_action_fields.html", {"form": context["record_form"]})
    context["today"] = timezone.localdate()
    return render(request, "aftersales/desk.html", context)


@login_required
@require_GET
def callback_list(request):
    filterset = CallbackFilter(
        request.GET, queryset=selectors.callback_list_for(request.user).order_by("-due_on", "-pk"), request=request
    )
    page, qs = paginate(request, filterset.qs)
    return render(
        request,
        "aftersales/callback_list.html",
        {"filterset": filterset, "page": page, "querystring": qs},
        status=filterset.status_code,
    )


CALLBACK_ACTIONS = {
    "record": Action(
        form=plain_form(forms.CallbackRecordForm),
        call=lambda cb, d, user: svc.callback_record(callback=cb, actor=user, **d),
        done=_("回访已记录。"),
    ),
    "reassign": Action(
        form=lambda data, files, cb: forms.CallbackReassignForm(data, files, callback=cb),
        call=lambda cb, d, user: svc.callback_reassign(callback=cb, actor=user, assignee=d["assignee"]),
        done=_("回访已转派。"),
    ),
    "cancel": Action(
        form=plain_form(forms.ReasonForm),
        call=lambda cb, d, user: svc.callback_cancel(callback=cb, actor=user, reason=d["reason"]),
        done=_("回访已取消。"),
    ),
    "open_complaint": Action(
        form=NO_INPUT,
        call=lambda cb, d, user: svc.callback_open_complaint(callback=cb, actor=user),
        done=_("已转为投诉。"),
        to=lambda c: reverse("aftersales:complaint_detail", args=[c.pk]),
    ),
    "open_ticket": Action(
        form=NO_INPUT,
        call=lambda cb, d, user: svc.callback_open_ticket(callback=cb, actor=user),
        done=_("已转为服务工单。"),
        to=lambda t: reverse("aftersales:ticket_detail", args=[t.pk]),
    ),
}


def _render_callback(request, cb, bound=None, status=200):
    today = timezone.localdate()
    allowed = permissions.callback_allowed_actions(cb, request.user, today=today)
    # a callback whose day has not come: its maker reads from which day it may be recorded (the service's refusal)
    not_yet = "record" not in allowed and "record" in permissions.callback_allowed_actions(cb, request.user, today=cb.due_on)
    context = {
        "cb": cb,
        "actions": allowed,
        "record_not_yet": rules.callback_record_refusal(due_on=cb.due_on, today=today) if not_yet else "",
        "forms": build_forms(CALLBACK_ACTIONS, allowed, cb, bound),
        "attempts": cb.attempt_log.select_related("by"),
        "needs_follow_up": cb.status == cb.Status.DONE
        and rules.needs_follow_up(
            scores=(cb.score_product, cb.score_delivery, cb.score_service), quality_problem=cb.quality_problem
        ),
        "complaint": getattr(cb, "complaint", None),
        "ticket": getattr(cb, "ticket", None),
    }
    return render(request, "aftersales/callback_detail.html", context, status=status)


@login_required
@require_GET
def callback_detail(request, pk):
    return _render_callback(request, selectors.callback_get_for(request.user, pk))


@login_required
@require_POST
def callback_action(request, pk, action):
    cb = selectors.callback_get_for(request.user, pk)
    return post_action(
        request,
        cb,
        actions=CALLBACK_ACTIONS,
        action=action,
        render_detail=_render_callback,
        back=reverse("aftersales:callback_detail", args=[cb.pk]),
        allowed=permissions.callback_allowed_actions,
    )


@login_required
@require_GET
def stats(request):
    """Monthly service statistics per engineer (the selector the reports floor uses)."""
    form = forms.StatsForm(rules.stats_query(request.GET, today=timezone.localdate()))
    rows = []
    if form.is_valid():
        rows = selectors.service_stats(request.user, year=form.cleaned_data["year"], month=form.cleaned_data["month"])
    return render(request, "aftersales/stats.html", {"form": form, "rows": rows}, status=200 if form.is_valid() else 400)
