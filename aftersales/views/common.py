"""The one mechanism of the detail pages' actions: each action is a small form posted to `<doc>/<pk>/<action>/`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from salesops.core.editing import call_for_form
from salesops.core.once import Replayed
from salesops.core.pages import form_status, querystring
from salesops.core.pages import paginate as paginate_rows

from .. import forms


@dataclass(frozen=True)
class Action:
    """`form(data, files, doc)` parses the input; `call(doc, cleaned_data, user)` runs the service; `done` is the message;
    `to(result)` where to go after success (default: back to the document)."""

    form: Callable[..., Any]
    call: Callable[..., Any]
    done: str
    to: Callable[[Any], str] | None = None


def plain_form(cls):
    return lambda data, files, doc: cls(data, files)


NO_INPUT = plain_form(forms.EmptyForm)


def build_forms(actions: dict[str, Action], allowed: list[str], doc, bound: dict | None = None) -> dict:
    """A fresh form for every allowed action (the bound, failed one where given)."""
    out = {name: spec.form(None, None, doc) for name, spec in actions.items() if name in allowed}
    out.update(bound or {})
    return out


def post_action(request, doc, *, actions: dict[str, Action], action: str, render_detail, back: str, allowed=None):
    """Validate the action's form and run its service; on an error show the document again with the form's message
    and the service error's status (403 not allowed, 409 wrong state, 400 bad input).

    A form sent again (its hidden `once_key` already used: a resend, a reload of the answer) adds nothing: the page goes
    on to where the first one went, with the service's "already submitted" message (salesops.core.once).

    `allowed(doc, user)` (the app's permissions) tells whether the page still offers the action: when it no longer does
    (a second 转为投诉, a 完成 already made — the document moved on), its form is not drawn, so the refusal is said at
    the top of the page (a message) over the document as it is now."""
    spec = actions.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST, request.FILES, doc)
    if form.is_valid():
        replayed: list[Replayed] = []

        def call():
            try:
                return spec.call(doc, form.cleaned_data, request.user)
            except Replayed as e:  # the same submission again: what the first one made
                replayed.append(e)
                return e.obj

        ok, result = call_for_form(form, call)
        if ok:
            if replayed:
                messages.info(request, str(replayed[0]))
            else:
                messages.success(request, spec.done)
            nxt = request.POST.get("next", "")
            if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                return redirect(nxt)
            return redirect(spec.to(result) if spec.to else back)
        if allowed is not None and getattr(form, "error_status", None):
            doc.refresh_from_db()
            if action not in _offered(allowed(doc, request.user)):
                for error in form.non_field_errors():
                    messages.error(request, error)
                return render_detail(request, doc, status=form.error_status)
    return render_detail(request, doc, bound={action: form}, status=form_status(form))


def _offered(allowed: list[str]) -> set[str]:
    """The actions whose form a page draws: a 退回 (send_back) is the 验证 form's other answer."""
    return set(allowed) | ({"verify"} if "send_back" in allowed else set())


def paginate(request, qs):
    return paginate_rows(request, qs), querystring(request, "page")
