"""Template tags shared by every document page: the timeline, approval opinions, money formatting."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.contenttypes.models import ContentType

from salesops.core import approvals
from salesops.core import timeline as timeline_service
from salesops.core.models import ApprovalStep
from salesops.core.money import amount_in_words, quantize

register = template.Library()


@register.inclusion_tag("core/_timeline.html", takes_context=True)
def timeline(context, obj, allow_comment=True, allow_attach=True):
    """Events (with field changes old → new), comments and attachments of `obj`, with forms to add a comment or a file."""
    ct = ContentType.objects.get_for_model(obj)
    return {
        "obj": obj,
        "ct_id": ct.pk,
        "events": timeline_service.events_for(obj)[:200],
        "attachments": timeline_service.attachments_for(obj),
        "allow_comment": allow_comment,
        "allow_attach": allow_attach,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("core/_approvals.html", takes_context=True)
def approval_rounds(context, obj, kind=None):
    """Every round of review/approval of `obj` (newest first) with the opinions side by side, stage by stage,
    and a decide form on the steps the user may act on now."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rounds = list(approvals.requests_for(obj, kind))
    for r in rounds:
        r.kind_label = approvals.kind_label(r.kind)
        r.step_list = list(r.steps.all())
        for step in r.step_list:
            step.request = r
            step.user_can_decide = user is not None and user.is_authenticated and approvals.can_decide(step, user)
    return {
        "rounds": rounds,
        "decisions": ApprovalStep.Decision.choices,
        "next": request.get_full_path() if request else "",
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def panels(context, page, obj):
    """The panels other apps registered for `page` (salesops.core.panels), e.g. a customer's quotations on its page."""
    from salesops.core.panels import render_panels

    return render_panels(page, context.get("request"), obj)


@register.filter
def money(value):
    """1234567.8 -> 1,234,567.80 (Decimal, half up)."""
    if value in (None, ""):
        return ""
    q = quantize(Decimal(str(value)))
    return f"{q:,.2f}"


@register.filter
def capital_amount(value):
    return amount_in_words(Decimal(str(value or 0)))
