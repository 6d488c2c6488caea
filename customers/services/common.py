"""Helpers the customers services share: validation, locking the customer, transition messages."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops.core.editing import save_as
from salesops.core.errors import DomainError
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.timeline import changes_between, choice, record_event, snapshot

from ..models import Contact, Customer


def _validate(obj: models.Model) -> None:
    """full_clean(), skipping protected FSM status fields: they move only through transitions and cannot be re-assigned."""
    obj.full_clean(exclude=[f.name for f in obj._meta.concrete_fields if getattr(f, "protected", False)])


def _ensure_open(customer: Customer) -> None:
    if customer.status == Customer.Status.INACTIVE:
        raise DomainError(_("客户“%(name)s”已停用，不能再跟进或安排拜访。如业务恢复，请先重新启用。") % {"name": customer.name})


def _ensure_contact_of(contact: Contact | None, customer: Customer) -> None:
    if contact is not None and contact.customer_id != customer.pk:
        raise DomainError(_("联系人“%(contact)s”不属于客户“%(customer)s”。") % {"contact": contact, "customer": customer})


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update(of=("self",)).select_related("team", "owner").get(pk=customer.pk)


def _set_next_contact_date(customer: Customer, new_date: date | None, actor) -> list[dict]:
    """Move the customer's next contact date (the locked row); returns the old → new change for the timeline."""
    before = snapshot(customer, ["next_contact_date"])
    customer.next_contact_date = new_date
    changes = changes_between(customer, before)
    if changes:
        save_as(customer, actor, update_fields=["next_contact_date", "updated_at"])
    return changes


def _transition_message(obj, action: str, reason: str = "") -> dict:
    """The `text`/`params` of "意向客户 → 停用：原因" for a transition about to run on the locked `obj`."""
    meta = getattr(obj, action)._django_fsm
    move = meta.get_transition(obj.status)
    if move is None:
        return {}  # transition() refuses the move with a clear 409
    params = {"from": choice(obj), "to": choice(obj, value=move.target)}
    if reason:
        return {"text": gettext_noop("%(from)s → %(to)s：%(reason)s"), "params": {**params, "reason": reason}}
    return {"text": gettext_noop("%(from)s → %(to)s"), "params": params}


def _ensure_next_date(next_contact_date: date | None, today: date) -> None:
    if next_contact_date and next_contact_date < today:
        raise DomainError(_("下次联系日期不能早于今天。"), code="next_contact_in_past")


def hand_over(documents: models.QuerySet, *, new_owner, actor, reason: str) -> int:
    """Hand the documents of a customer handed to another rep (customer_reassign, the customer locked first) to the new
    rep: each locked in pk order, its owner changed and a timeline event written. Returns how many moved."""
    moved = 0
    for doc in documents.select_for_update().order_by("pk"):
        doc.owner = new_owner
        save_as(doc, actor, update_fields=["owner", "updated_at"])
        record_event(
            target=doc,
            verb=Event.Verb.ASSIGNED,
            actor=actor,
            text=gettext_noop("随客户转给 %(owner)s：%(reason)s"),
            params={"owner": display_name(new_owner), "reason": reason},
        )
        moved += 1
    return moved
