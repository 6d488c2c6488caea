"""Template tags shared by every document page: the timeline, approval opinions, money formatting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django import template
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from salesops.core import approvals
from salesops.core import timeline as timeline_service
from salesops.core.access import reads_files
from salesops.core.exports import NOT_FILTERS, export_name_for_view
from salesops.core.models import ApprovalStep
from salesops.core.money import amount_in_words, money_text, percent_text
from salesops.core.names import display_name
from salesops.core.pages import querystring, row_url

register = template.Library()


@register.inclusion_tag("core/_timeline.html", takes_context=True)
def timeline(context, obj, allow_comment=True, allow_attach=True):
    """Events (with field changes old → new, as the reader may read them), comments and attachments of `obj`, with forms
    to add a comment or a file."""
    ct = ContentType.objects.get_for_model(obj)
    request = context.get("request")
    reader = getattr(request, "user", None) or AnonymousUser()  # no reader known: only what anybody may see
    return {
        "obj": obj,
        "ct_id": ct.pk,
        "events": timeline_service.events_for(obj, reader)[:200],
        "attachments": timeline_service.attachments_for(obj) if reads_files(type(obj), reader) else [],
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
    """1234567.8 -> 1,234,567.80 (Decimal, half up): salesops.core.money.money_text."""
    return money_text(value)


@register.filter
def percent(rate):
    """Decimal("0.125") -> 12.5% (salesops.core.money.percent_text); not {% widthratio %}, which rounds to a whole percent."""
    return percent_text(rate)


@register.filter
def capital_amount(value):
    try:
        return amount_in_words(Decimal(str(value or 0)))
    except (InvalidOperation, ValueError, IndexError):
        return ""


# One colour per kind of state; a document's status value picks its tone (a model may override with STATUS_TONES, and
# for another field such as production_status with PRODUCTION_STATUS_TONES).
STATUS_TONES = {
    "secondary": {"draft", "returned", "received", "inactive", "open", "pending", "withdrawn"},
    "warning": {"in_review", "partial", "intent", "waiting", "held", "requested", "in_progress"},
    "info": {"approved", "sent", "signed", "verified", "assigned", "released", "issued", "recorded"},
    "primary": {"placed", "shipped_partial"},
    "success": {"accepted", "active", "completed", "shipped", "delivered", "confirmed", "resolved", "done", "passed"},
    "danger": {"rejected", "terminated", "cancelled", "void", "voided", "expired", "failed", "dead"},
    "dark": {"closed"},
}
_TONE_CLASS = {
    "secondary": "bg-secondary",
    "warning": "bg-warning text-dark",
    "info": "bg-info text-dark",
    "primary": "bg-primary",
    "success": "bg-success",
    "danger": "bg-danger",
    "dark": "bg-dark",
}


def status_tone(obj, field: str = "status") -> str:
    value = getattr(obj, field)
    tones = getattr(type(obj), f"{field.upper()}_TONES", None) or {}
    if value in tones:
        return tones[value]
    return next((tone for tone, values in STATUS_TONES.items() if value in values), "light")


@register.simple_tag
def status_badge(obj, field: str = "status", testid: str = "status-badge"):
    """<span class="badge …">label</span> for `obj.<field>`: the label from the field's own choices, or — for a derived
    status that is a Choices member (Product.sale_status, PriceList.validity_on(day)) — the member's own label."""
    value = getattr(obj, field)
    key = (type(obj), field, value, testid, get_language())
    badge = _BADGES.get(key)
    if badge is None:  # a list shows the same few statuses on every row: rendered once per status and language
        display = getattr(obj, f"get_{field}_display", None)
        label = display() if display is not None else getattr(value, "label", value)
        css = _TONE_CLASS.get(status_tone(obj, field), "bg-light text-dark border")
        badge = _BADGES[key] = format_html(
            '<span class="badge status-badge {}" data-testid="{}" data-status="{}">{}</span>', css, testid, value, label
        )
    return badge


_BADGES: dict = {}


# --- a list's rows: what is the same on many rows is computed once (issue 12: lists at 60,000 documents) ------------
@register.filter
def detail_url(pk, url_name: str) -> str:
    """{{ q.pk|detail_url:"contracts:quotation_detail" }}: the row's URL, reversed once per list (core.pages.row_url)."""
    return row_url(url_name)(pk)


@register.filter(expects_localtime=True)
def ymd(value) -> str:
    """{{ d|ymd }}: what {{ d|date:"Y-m-d" }} gives (a datetime in the current time zone, "" for no date), without
    the date formatter (~0.2 ms a call; a list formats a few dates on every row)."""
    try:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    except AttributeError:
        return ""


@register.filter
def choice(obj, field: str) -> str:
    """{{ customer|choice:"type" }}: get_type_display(), looked up once per model, field, value and language."""
    value = getattr(obj, field)
    key = (type(obj), field, value, get_language())
    label = _CHOICES.get(key)
    if label is None:
        label = _CHOICES[key] = str(getattr(obj, f"get_{field}_display")())
    return label


_CHOICES: dict = {}


@register.simple_tag
def once(template_name: str, *key, **context):
    """{% once "contracts/_class_badge.html" c.classification doc=c %}: a small include whose HTML is decided by the
    values in `key` alone (a status, a state), rendered once per values and language and reused on every row."""
    cache_key = (template_name, key, get_language())
    html = _ONCE.get(cache_key)
    if html is None:
        if len(_ONCE) > 1000:
            _ONCE.clear()
        html = _ONCE[cache_key] = mark_safe(render_to_string(template_name, context))
    return html


_ONCE: dict = {}


_STAMP_PK, _STAMP_TEXT = 2147483646, "zzStampTextzz"


@register.simple_tag(takes_context=True)
def stamp(context, template_name: str, row, key, name: str, text: str):
    """{% stamp "orders/_payment_buttons.html" p actions "p" "bank_reference" %}: a row's include whose HTML depends
    only on `key` (e.g. the actions allowed), the row's pk and its field `text`, rendered once per key in a request
    with a stand-in row and stamped with each row's pk and text (escaped) — a list of 100 rows rendered its action forms
    and confirm dialogs 100 times. The include sees the stand-in as `name` (only its pk and `text`)."""
    cache = context.request.__dict__.setdefault("_salesops_stamps", {})
    cache_key = (template_name, name, text, repr(key), get_language())
    html = cache.get(cache_key)
    if html is None:
        template = context.template.engine.get_template(template_name)
        with context.push({name: SimpleNamespace(pk=_STAMP_PK, **{text: _STAMP_TEXT})}):
            html = cache[cache_key] = template.render(context)
    return mark_safe(html.replace(str(_STAMP_PK), str(row.pk)).replace(_STAMP_TEXT, conditional_escape(getattr(row, text))))


@register.simple_tag(takes_context=True)
def nav_menu_html(context) -> str:
    """The main menu's links (core/_nav_menu.html) for the context's `nav_menu`: rendered once per menu key (the
    context's `nav_menu_key`: roles, flags, language, URLs — navigation.menu_key) and reused, the menu itself then not
    even built; without a key, once per distinct menu (its labels, URLs and order) and language."""
    key = context.get("nav_menu_key")
    if key is None:
        menu = context.get("nav_menu") or []
        key = (repr(list(menu)), get_language())
    html = _NAV_MENUS.get(key)
    if html is None:
        if len(_NAV_MENUS) > 200:  # a handful of menus exist (one per mix of roles); bound it all the same
            _NAV_MENUS.clear()
        html = _NAV_MENUS[key] = mark_safe(render_to_string("core/_nav_menu.html", {"nav_menu": context.get("nav_menu") or []}))
    return html


_NAV_MENUS: dict = {}


@register.simple_tag(takes_context=True)
def list_export_url(context) -> str:
    """The 导出 Excel link of the list page being rendered (core.exports, by the page's URL name) with its current
    filters, or "" when the list has no export."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = export_name_for_view(match.view_name) if match else None
    if name is None:
        return ""
    query = querystring(request, *NOT_FILTERS)
    return reverse("core:list_export", args=[name]) + (f"?{query}" if query else "")


class FixedNode(template.Node):
    """See `fixed`."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.html: dict[tuple, str] = {}

    def render(self, context):
        key = (get_language(), get_urlconf(), get_script_prefix())
        html = self.html.get(key)
        if html is None:
            if len(self.html) > 50:
                self.html.clear()
            html = self.html[key] = mark_safe(self.nodelist.render(context.new()))
        return html


@register.tag
def fixed(parser, token):
    """{% fixed %}…{% endfixed %}: a part of a template that depends only on the language and the URLs (links by
    {% url %}, {% static %} files, {% translate %} words), rendered once per language and URL configuration and then
    reused — base.html's ~20 of them on every page. It sees none of the page's variables (rendered in an empty context),
    so a variable put inside by mistake renders empty at once rather than one user's value for everyone."""
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    return FixedNode(nodelist)


@register.filter
def person(user, empty: str = "—") -> str:
    """A person by name (salesops.core.names.display_name); `empty` when there is nobody: {{ cb.assignee|person:_("客服团队") }}."""
    return display_name(user, empty)
