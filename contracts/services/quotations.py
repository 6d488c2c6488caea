"""Quotations: create and edit a draft, submit it for review (rules.quotation_route), send, accept, reject, cancel,
revise into a new version, and expire them nightly (SPEC.md "Quotation")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.services import check_opportunity_of, opportunity_quoted
from salesops.core import approvals
from salesops.core.editing import assign_fields, required_text, save_as
from salesops.core.errors import Conflict, DomainError, NotFound
from salesops.core.eventtext import msgid_of
from salesops.core.models import ApprovalRequest, Event
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.timeline import changes_between, line_changes, record_event, snapshot
from salesops.core.transitions import transition

from .. import rules
from ..models import ROUTE_JOINER, Quotation, QuotationLine
from ..permissions import can_quote, works_on
from ..selectors import QUOTATION_KIND, quotation_route_for
from .common import (
    check_header,
    check_owner_change,
    default_owner,
    page_url,
    rejection_reasons,
    require,
    stamp,
    start_review,
    visible_customer,
    withdraw_from_review,
)
from .lines import LINE_HISTORY_FIELDS, build_lines, replace_lines, set_totals

QUOTATION_FIELDS = (
    "contact",
    "owner",
    "project_name",
    "opportunity",
    "quote_date",
    "valid_until",
    "currency",
    "exchange_rate",
    "payment_terms",
    "payment_terms_text",
    "delivery_terms",
    "other_terms",
    "notes",
)


def quotation_create(*, actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> Quotation:
    """A new draft quotation. Only those who may quote (rules.may_quote) can; the customer must be visible to them.
    `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again makes nothing and
    raises core.once.Replayed with the quotation it made; the key again with other input is refused (409) and makes
    nothing (salesops.core.once)."""
    require(can_quote(actor), _("您没有报价权限：只有销售内勤、经理及以上或经授权的业务员可以报价。"))
    customer = visible_customer(actor, customer)
    lines = list(lines)
    key = data.get("once_key")
    return create_once(
        Quotation,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(customer=customer, data=data, lines=lines),
        create=lambda: _create(actor, customer, data, lines, key),
        replayed=lambda q: _("这份报价单已经提交过，已保存为报价单 %(number)s，没有重复新建。") % {"number": q.number},
    )


def _create(actor, customer, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]], key) -> Quotation:
    today = timezone.localdate()
    with transaction.atomic():
        quotation = Quotation(
            customer=customer,
            created_by=actor,
            once_key=key,
            owner=default_owner(actor, customer),
            quote_date=today,
            valid_until=today + timedelta(days=30),
            payment_terms=customer.payment_terms,
            currency=customer.currency or rules.BASE_CURRENCY,
        )
        check_owner_change(actor, data, quotation.owner_id)
        assign_fields(quotation, data, QUOTATION_FIELDS)
        _check_quotation(quotation)
        quotation.opportunity = check_opportunity_of(quotation.opportunity, customer)
        built = build_lines(
            QuotationLine,
            lines,
            customer=customer,
            on_date=quotation.quote_date,
            actor=actor,
            currency=quotation.currency,
            exchange_rate=quotation.exchange_rate,
        )
        set_totals(quotation, built)
        quotation.number = next_number("QT")
        save_as(quotation, actor)
        replace_lines(quotation, built)
        record_event(
            target=quotation,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建报价单，含税总额 %(amount)s"),
            params={"amount": quotation.amount_incl},
        )
        if quotation.opportunity_id:  # the opportunity moves to 方案报价 and names its quotation (customers floor)
            opportunity_quoted(opportunity=quotation.opportunity, actor=actor, number=quotation.number)
    return quotation


def _check_quotation(quotation: Quotation) -> None:
    check_header(quotation)
    today = timezone.localdate()
    if quotation.quote_date > today:  # as a contract is never signed in the future (rules.signing_date_error)
        raise DomainError(
            _("报价日期不能晚于今天（%(today)s），填写的是 %(value)s。") % {"today": today, "value": quotation.quote_date}
        )
    if quotation.valid_until < quotation.quote_date:
        raise DomainError(
            _("有效期（%(to)s）不能早于报价日期（%(from)s）。") % {"to": quotation.valid_until, "from": quotation.quote_date}
        )


def quotation_update(
    *, quotation: Quotation, actor, data: Mapping[str, Any], lines: Iterable[Mapping[str, Any]] | None = None
) -> Quotation:
    """Edit a draft quotation (header and, when given, all its lines). A submitted one is revised instead (new version)."""
    with transaction.atomic():
        locked = Quotation.objects.select_for_update(of=("self",)).get(pk=quotation.pk)
        require(works_on(actor, locked) and can_quote(actor), _("您没有修改该报价单的权限。"))
        if not locked.is_editable:
            raise Conflict(
                _("报价单当前状态为“%(status)s”，不能直接修改；已审核或已发送的报价单请“修订”生成新版本。")
                % {"status": locked.get_status_display()}
            )
        check_owner_change(actor, data, locked.owner_id)
        before = snapshot(locked, [n for n in QUOTATION_FIELDS if n in data] + ["amount_incl"])
        opportunity_before = locked.opportunity_id
        assign_fields(locked, data, QUOTATION_FIELDS)
        _check_quotation(locked)
        named = locked.opportunity_id and locked.opportunity_id != opportunity_before
        if named:
            locked.opportunity = check_opportunity_of(locked.opportunity, locked.customer)
        line_diff = []
        if lines is not None:
            stored = list(locked.lines.all())
            built = build_lines(
                QuotationLine,
                lines,
                customer=locked.customer,
                on_date=locked.quote_date,
                actor=actor,
                kept=stored,
                currency=locked.currency,
                exchange_rate=locked.exchange_rate,
            )
            set_totals(locked, built)
            replace_lines(locked, built)
            line_diff = line_changes(stored, built, LINE_HISTORY_FIELDS)
        save_as(locked, actor)
        changes = changes_between(locked, before) + line_diff
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改报价单"), changes=changes)
        if named:
            opportunity_quoted(opportunity=locked.opportunity, actor=actor, number=locked.number)
    return locked


def quotation_submit(*, quotation: Quotation, actor) -> Quotation:
    """Send a draft for review along rules.quotation_route; with no step needed (e.g. the GM's own) it is approved at once."""
    with transaction.atomic():

        def check(locked):
            require(works_on(actor, locked) and can_quote(actor), _("您没有提交该报价单的权限。"))
            if not locked.lines.exists():
                raise DomainError(_("报价单没有明细，不能提交。"))
            if locked.valid_until < timezone.localdate():
                raise DomainError(_("有效期（%(date)s）已过，请先修改有效期。") % {"date": locked.valid_until})

        locked = transition(
            obj=quotation,
            action="submit",
            actor=actor,
            check=check,
            before_save=lambda q: setattr(q, "submitted_at", timezone.now()),
        )
        steps = quotation_route_for(locked, actor)
        locked.approval_route = ROUTE_JOINER.join(msgid_of(s.label) for s in steps)[:200]  # msgids: approval_route_text
        locked.save(update_fields=["approval_route"])
        return start_review(
            locked,
            actor,
            kind=QUOTATION_KIND,
            steps=steps,
            title=gettext_lazy("报价单 %(number)s（%(customer)s）"),
            title_params={"number": locked.display_number, "customer": locked.customer.name},
            url=page_url("contracts:quotation_detail", locked.pk),
        )


def quotation_review_outcome(request: ApprovalRequest, outcome: str, actor) -> None:
    """What the end of a review round does to the quotation (registered with the approvals engine): approved, or
    returned to its owner with the reviewers' reasons."""
    quotation = request.target
    if outcome == ApprovalRequest.Status.APPROVED:
        transition(
            obj=quotation,
            action="approve",
            actor=actor,
            text=gettext_noop("审核通过，可以发送客户"),
            before_save=stamp("approved_at"),
        )
        approvals.notify_owner_approved(
            request,
            quotation.owner,
            title=gettext_lazy("报价单审核通过：%(number)s"),
            params={"number": quotation.display_number},
        )
    else:
        transition(
            obj=quotation,
            action="return_to_owner",
            actor=actor,
            text=gettext_noop("审核未通过，退回修改：%(reasons)s"),
            params={"reasons": rejection_reasons(request)},
        )


def quotation_withdraw(*, quotation: Quotation, actor) -> Quotation:
    """Take a quotation back from review (the pending round is cancelled and kept in the history)."""
    return withdraw_from_review(quotation, actor, QUOTATION_KIND, _("您没有撤回该报价单的权限。"))


def quotation_send(*, quotation: Quotation, actor) -> Quotation:
    def check(q):
        require(works_on(actor, q), _("您没有发送该报价单的权限。"))
        if q.valid_until < timezone.localdate():
            raise DomainError(_("报价单已过有效期，不能发送。"))

    return transition(obj=quotation, action="send", actor=actor, check=check, before_save=stamp("sent_at"))


def quotation_accept(*, quotation: Quotation, actor) -> Quotation:
    return transition(
        obj=quotation,
        action="accept",
        actor=actor,
        text=gettext_noop("客户接受报价"),
        check=lambda q: require(works_on(actor, q), _("您没有处理该报价单的权限。")),
        before_save=stamp("closed_at"),
    )


def quotation_reject(*, quotation: Quotation, actor, reason: str) -> Quotation:
    reason = required_text(reason, _("请填写客户拒绝的原因。"))

    def before(q):
        q.closed_at, q.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=quotation,
        action="reject",
        actor=actor,
        text=gettext_noop("客户拒绝：%(reason)s"),
        params={"reason": reason},
        check=lambda q: require(works_on(actor, q), _("您没有处理该报价单的权限。")),
        before_save=before,
    )


def quotation_cancel(*, quotation: Quotation, actor, reason: str) -> Quotation:
    """Void a draft quotation; the reason is required and kept, as for every other void."""
    reason = required_text(reason, _("请填写作废原因。"))

    def before(q):
        q.closed_at, q.close_reason = timezone.now(), reason[:300]

    return transition(
        obj=quotation,
        action="cancel",
        actor=actor,
        text=gettext_noop("作废：%(reason)s"),
        params={"reason": reason},
        check=lambda q: require(works_on(actor, q), _("您没有作废该报价单的权限。")),
        before_save=before,
    )


def quotation_revise(*, quotation: Quotation, actor) -> Quotation:
    """Revise an approved or sent quotation: it becomes superseded (kept readable) and a draft v+1 with the same lines starts."""
    with transaction.atomic():
        old = transition(
            obj=quotation,
            action="revise",
            actor=actor,
            text=gettext_noop("修订为新版本"),
            check=lambda q: require(works_on(actor, q) and can_quote(actor), _("您没有修订该报价单的权限。")),
        )
        copied = (
            "number",
            "customer_id",
            "contact_id",
            "owner_id",
            *QUOTATION_FIELDS[2:],
            "amount_excl",
            "tax_amount",
            "amount_incl",
        )
        new = Quotation(**{name: getattr(old, name) for name in copied}, version=old.version + 1, previous=old, created_by=actor)
        lines = list(old.lines.all())
        today = timezone.localdate()
        if new.valid_until < today:
            new.valid_until = today + (old.valid_until - old.quote_date)
        new.quote_date = today
        save_as(new, actor)
        for line in lines:
            line.pk = line.id = None
            line.quotation = new
        QuotationLine.objects.bulk_create(lines)
        record_event(
            target=new,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("由 v%(old)d 修订生成"),
            params={"old": old.version},
        )
    return new


def quotations_expire(*, today: date | None = None) -> int:
    """Expire approved or sent quotations past their validity date (daily Celery task; running twice changes nothing)."""
    today = today or timezone.localdate()
    count = 0
    for pk in Quotation.objects.filter(
        status__in=[Quotation.Status.APPROVED, Quotation.Status.SENT], valid_until__lt=today
    ).values_list("pk", flat=True):
        try:
            quotation = transition(
                obj=Quotation(pk=pk),
                action="expire",
                actor=None,
                text=gettext_noop("超过有效期，自动过期"),
                before_save=stamp("closed_at"),
            )
        except (Conflict, NotFound):
            continue  # changed by someone else meanwhile
        notify(
            recipients=[quotation.owner],
            title=gettext_lazy("报价单已过期：%(number)s"),
            params={"number": quotation.display_number},
            url=page_url("contracts:quotation_detail", pk),
        )
        count += 1
    return count
