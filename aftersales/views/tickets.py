"""Service ticket pages: list (with the shared filter bar), create, detail with SLA, communication log, parts and actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesops.core.editing import call_for_form
from salesops.core.once import outcome
from salesops.core.pages import forbidden, form_page, post_data

from .. import forms, permissions, selectors
from ..filters import TicketFilter
from ..services import tickets as svc
from .common import NO_INPUT, Action, build_forms, paginate, plain_form, post_action


@login_required
@require_GET
def ticket_list(request):
    qs = selectors.ticket_list_for(request.user).order_by("-created_at", "-pk")
    filterset = TicketFilter(request.GET, queryset=qs, request=request)
    page, querystring = paginate(request, filterset.qs)
    selectors.with_sla(page)
    return render(
        request,
        "aftersales/ticket_list.html",
        {
            "filterset": filterset,
            "page": page,
            "querystring": querystring,
            "can_create": permissions.may_create_ticket(request.user),
        },
        status=filterset.status_code,
    )


@login_required
def ticket_create(request):
    user = request.user
    if not permissions.may_create_ticket(user):
        return forbidden(request, _("您不能登记服务工单。"))
    initial = {k: request.GET[k] for k in ("customer", "order") if request.GET.get(k)}
    form = forms.TicketForm(post_data(request), user=user, desk=permissions.is_desk(user), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        ok, result = call_for_form(form, lambda: outcome(lambda: svc.ticket_create(actor=user, customer=customer, data=data)))
        if ok:
            ticket, created = result
            if created:
                messages.success(request, _("服务工单 %(number)s 已登记。") % {"number": ticket.number})
            else:  # the same form sent again (a resend, a reload of the answer): the ticket it registered
                messages.info(
                    request, _("这份工单已经提交过，已登记为服务工单 %(number)s，没有重复登记。") % {"number": ticket.number}
                )
            return redirect(ticket.get_absolute_url())
    return form_page(request, form, title=_("登记服务工单"), cancel_url=reverse("aftersales:ticket_list"), testid="ticket-form")


TICKET_ACTIONS = {
    "assign": Action(
        plain_form(forms.TicketAssignForm),
        lambda t, d, u: svc.ticket_assign(ticket=t, actor=u, engineer=d["engineer"]),
        _("已分派。"),
    ),
    "start": Action(NO_INPUT, lambda t, d, u: svc.ticket_start(ticket=t, actor=u), _("已开始处理。")),
    "wait": Action(
        plain_form(forms.NoteForm),
        lambda t, d, u: svc.ticket_wait(ticket=t, actor=u, note=d["note"]),
        _("等待客户，SLA 已暂停。"),
    ),
    "resume": Action(NO_INPUT, lambda t, d, u: svc.ticket_resume(ticket=t, actor=u), _("SLA 已恢复计时。")),
    "resolve": Action(
        plain_form(forms.ResolveForm),
        lambda t, d, u: svc.ticket_resolve(ticket=t, actor=u, resolution=d["resolution"]),
        _("工单已解决。"),
    ),
    "close": Action(NO_INPUT, lambda t, d, u: svc.ticket_close(ticket=t, actor=u), _("工单已关闭。")),
    "reopen": Action(
        plain_form(forms.ReasonForm),
        lambda t, d, u: svc.ticket_reopen(ticket=t, actor=u, reason=d["reason"]),
        _("工单已重新打开。"),
    ),
    "cancel": Action(
        plain_form(forms.ReasonForm), lambda t, d, u: svc.ticket_cancel(ticket=t, actor=u, reason=d["reason"]), _("工单已取消。")
    ),
    "log": Action(
        plain_form(forms.CommunicationForm),
        lambda t, d, u: svc.ticket_log(
            ticket=t,
            actor=u,
            kind=d["kind"],
            summary=d["summary"],
            counterpart=d["counterpart"],
            happened_at=d["happened_at"],
            upload=d["file"],
            once_key=d["once_key"],
        ),
        _("沟通记录已保存。"),
    ),
    "add_part": Action(
        plain_form(forms.PartForm), lambda t, d, u: svc.ticket_add_part(ticket=t, actor=u, **d), _("备件已登记。")
    ),
}


def _render_ticket(request, ticket, bound=None, status=200):
    allowed = permissions.ticket_allowed_actions(ticket, request.user)
    selectors.with_sla([ticket])
    context = {
        "t": ticket,
        "actions": allowed,
        "forms": build_forms(TICKET_ACTIONS, allowed, ticket, bound),
        "communications": ticket.communications.select_related("by", "attachment"),
        "parts": ticket.parts.select_related("product", "by"),
    }
    return render(request, "aftersales/ticket_detail.html", context, status=status)


@login_required
@require_GET
def ticket_detail(request, pk):
    return _render_ticket(request, selectors.ticket_get_for(request.user, pk))


@login_required
@require_POST
def ticket_action(request, pk, action):
    ticket = selectors.ticket_get_for(request.user, pk)
    return post_action(
        request,
        ticket,
        actions=TICKET_ACTIONS,
        action=action,
        render_detail=_render_ticket,
        back=ticket.get_absolute_url(),
        allowed=permissions.ticket_allowed_actions,
    )
