"""Customers (客户档案): create, update, reassign, status, export log; contacts, ship-to addresses, invoice titles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from salesops.core import hooks
from salesops.core.editing import assign_fields, save_as
from salesops.core.errors import DomainError, Forbidden
from salesops.core.locking import advisory_lock
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.timeline import T, changes_between, record_event, snapshot
from salesops.core.transitions import transition

from .. import rules
from ..models import Contact, Customer, CustomerExport, InvoiceTitle, ShipToAddress
from ..selectors import owner_candidates_for
from ..validators import clean_customer_name, compact_uscc, customer_name_key
from .access import (
    CREDIT_FIELDS,
    _changed,
    _check_credit_fields,
    _require,
    _team_of,
    can_change_customer_status,
    can_create_customer,
    can_edit_customer,
    can_reassign_customer,
    can_set_credit,
)
from .common import _ensure_next_date, _lock_customer, _transition_message, _validate
from .opportunities import opportunities_follow_the_customer

CUSTOMER_FIELDS = (
    "name",
    "short_name",
    "uscc",
    "type",
    "grade",
    "industry",
    "province",
    "city",
    "address",
    "phone",
    "website",
    "source",
    "credit_limit",
    "payment_terms",
    "credit_days",
    "deposit_rate",
    "currency",
    "due_diligence",
    "next_contact_date",
    "notes",
)
# Credit limit and payment terms are set by managers and finance (SPEC.md roles; issue 13 item 7): a rep proposes a
# customer, the people who carry the credit risk decide on its terms.
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat", "qq", "is_primary", "notes")
ADDRESS_FIELDS = ("province", "city", "district", "address", "floor", "consignee", "phone", "preferred_carrier", "is_default")
INVOICE_TITLE_FIELDS = ("title", "tax_id", "bank", "account", "address_phone", "invoice_type", "is_default")
CUSTOMER_STATUS_ACTIONS = ("activate", "deactivate", "reactivate")


# --- customers ----------------------------------------------------------------------------------------------------
def _normalize_uscc(data: Mapping[str, Any]) -> dict:
    """The USCC without whitespace, upper case; the name cleaned of edge whitespace and zero-width characters."""
    data = dict(data)
    if "uscc" in data:
        data["uscc"] = compact_uscc(data["uscc"])
    if "name" in data:
        data["name"] = clean_customer_name(data["name"])
    return data


def _ensure_uscc_free(uscc: str, *, exclude_pk: int | None = None) -> None:
    """One customer file per company: the USCC is unique over all customers, visible or not."""
    if not uscc:
        return
    existing = Customer.objects.filter(uscc=uscc).exclude(pk=exclude_pk).select_related("owner").first()
    if existing:
        raise DomainError(
            _(
                "统一社会信用代码 %(uscc)s 已登记为客户 %(code)s（负责业务员：%(owner)s），不能重复建档。"
                "如需跟进该客户，请联系销售主管转移负责人。"
            )
            % {"uscc": uscc, "code": existing.code, "owner": display_name(existing.owner)},
            code="duplicate_uscc",
        )


def _ensure_name_free(name: str, *, exclude_pk: int | None = None) -> None:
    """One customer file per company (客户查重, so two reps do not both work one company): names are compared by their
    normal form (validators.customer_name_key: width, whitespace, zero-width characters, brackets, trailing punctuation
    and case do not count), over all customers, visible or not; the file and who owns it are said, as for the USCC.
    Inside the caller's transaction: the name's lock is held until it commits the new or renamed file."""
    key = customer_name_key(name)
    if not key:
        return
    advisory_lock("customer_name", key)  # two files of one name created at once: the second waits, then finds the first
    existing = Customer.objects.filter(name_key=key).exclude(pk=exclude_pk).select_related("owner").order_by("pk").first()
    if existing:
        raise DomainError(
            _("客户“%(name)s”已建档（%(code)s，负责业务员：%(owner)s），不能重复建档。如需跟进该客户，请联系销售主管转移负责人。")
            % {"name": existing.name, "code": existing.code, "owner": display_name(existing.owner)},
            code="duplicate_name",
        )


def customer_create(*, actor, data: Mapping[str, Any], owner=None) -> Customer:
    """Open a customer file (客户建档), status 意向客户, number from the KH sequence.

    Rule: reps, team leads, clerks and managers may create; a rep owns what they create, the others may name an owner
    among selectors.owner_candidates_for(actor). The USCC is checked (GB 32100 check digit) and unique over all customers;
    the customer belongs to its owner's team. Source: SPEC.md "Customers (客户档案)".
    """
    _require(can_create_customer(actor), _("您没有新建客户的权限。"))
    data = _normalize_uscc(data)
    owner = owner or actor
    if not owner_candidates_for(actor).filter(pk=owner.pk).exists():
        if owner == actor:
            raise DomainError(_("请选择负责该客户的业务员。"), code="owner_required")
        raise Forbidden(
            _("您不能把客户分配给 %(name)s：组长只能分配给本组人员，业务员只能自己负责。") % {"name": display_name(owner)},
            field="owner",  # the form and the import show it at the owner (forms.at_fields)
        )
    with transaction.atomic():
        customer = Customer(owner=owner, team=_team_of(owner), created_by=actor)
        _check_credit_fields(actor, customer, data)
        assign_fields(customer, data, CUSTOMER_FIELDS)
        _ensure_uscc_free(customer.uscc)
        _ensure_name_free(customer.name)
        _ensure_next_date(customer.next_contact_date, timezone.localdate())
        customer.code = next_number("KH")
        _validate(customer)
        try:
            with transaction.atomic():
                save_as(customer, actor)
        except IntegrityError:  # a concurrent file with the same USCC won the race
            _ensure_uscc_free(customer.uscc)
            raise
        record_event(
            target=customer,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("新建客户档案 %(code)s，负责业务员：%(owner)s"),
            params={"code": customer.code, "owner": display_name(owner)},
        )
    return customer


def customer_update(*, customer: Customer, actor, data: Mapping[str, Any]) -> Customer:
    """Edit a customer's file; the timeline keeps every changed field old → new.

    Rule: the owner, the lead of its team, managers and clerks may edit; owner, team, code and status are not edited here
    (see customer_reassign and customer_change_status). Source: SPEC.md "Customers"; ARCHITECTURE.md rule 3.
    """
    data = _normalize_uscc(data)
    with transaction.atomic():
        locked = _lock_customer(customer)
        other_fields = [name for name in CUSTOMER_FIELDS if name not in CREDIT_FIELDS]
        _require(
            can_edit_customer(actor, locked) or (can_set_credit(actor) and not _changed(locked, data, other_fields)),
            _("您可以查看该客户，但没有修改权限（只有负责业务员、本组组长、销售内勤和经理可以修改）。"),
        )
        _check_credit_fields(actor, locked, data)
        before = snapshot(locked, [name for name in CUSTOMER_FIELDS if name in data])
        old_key, old_next = locked.name_key, locked.next_contact_date
        assign_fields(locked, data, CUSTOMER_FIELDS)
        _ensure_uscc_free(locked.uscc, exclude_pk=locked.pk)
        if customer_name_key(locked.name) != old_key:  # a rename; a file filed twice before 客户查重 stays editable
            _ensure_name_free(locked.name, exclude_pk=locked.pk)
        if locked.next_contact_date != old_next:  # a date set before and passed since does not block other edits
            _ensure_next_date(locked.next_contact_date, timezone.localdate())
        _validate(locked)
        changes = changes_between(locked, before)
        if changes:
            save_as(locked, actor)
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改客户资料"), changes=changes)
    return locked


def customer_reassign(*, customer: Customer, actor, new_owner, reason: str) -> Customer:
    """Hand a customer to another rep (转移负责人); logged old → new with the reason, both reps are notified.

    Rule: a team lead within the teams they lead, managers anywhere; the new owner must be an active sales person.
    Source: SPEC.md "Who uses it" (team_lead: sees and reassigns the team's customers).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写转移原因。"), code="reason_required")
    with transaction.atomic():
        locked = _lock_customer(customer)
        _require(can_reassign_customer(actor, locked), _("只有本组组长或销售经理可以转移客户负责人。"))
        if new_owner.pk == locked.owner_id:
            raise DomainError(_("%(name)s 已经是该客户的负责人。") % {"name": display_name(new_owner)})
        if not owner_candidates_for(actor).filter(pk=new_owner.pk).exists():
            raise Forbidden(
                _("不能把客户转给 %(name)s：新负责人必须是在职的销售人员，组长只能在本组内转移。")
                % {"name": display_name(new_owner)}
            )
        old_owner = locked.owner
        before = snapshot(locked, ["owner", "team"])
        locked.owner, locked.team = new_owner, _team_of(new_owner)
        save_as(locked, actor)
        record_event(
            target=locked,
            verb=Event.Verb.ASSIGNED,
            actor=actor,
            text=gettext_noop("转移原因：%(reason)s"),
            params={"reason": reason},
            changes=changes_between(locked, before),
        )
        opportunities_follow_the_customer(customer=locked, old_owner=old_owner, new_owner=new_owner, actor=actor, reason=reason)
        # the quotations and contracts still being worked on follow too (contracts subscribes)
        hooks.emit("customer_reassigned", customer=locked, old_owner=old_owner, new_owner=new_owner, actor=actor, reason=reason)
        url = locked.get_absolute_url()
        notify(
            recipients=[new_owner],
            title=gettext_lazy("客户“%(name)s”已转给您负责"),
            body=gettext_lazy("%(actor)s 把客户 %(code)s 从 %(old)s 转给您。原因：%(reason)s"),
            params={
                "name": locked.name,
                "actor": display_name(actor),
                "code": locked.code,
                "old": display_name(old_owner),
                "reason": reason,
            },
            url=url,
        )
        notify(
            recipients=[old_owner] if old_owner.pk != actor.pk else [],
            title=gettext_lazy("客户“%(name)s”已转给 %(new)s"),
            body=gettext_lazy("原因：%(reason)s"),
            params={"name": locked.name, "new": display_name(new_owner), "reason": reason},
        )
    return locked


def customer_lock(customer_id: int) -> None:
    """Lock a customer before a document of theirs whose action may change the customer (customer_won): the customer
    first, then its documents — the order customer_reassign locks them in (ARCHITECTURE.md rule 11)."""
    Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()


def customer_won(*, customer: Customer, actor, text: str, params: dict) -> Customer:
    """A deal was made with an intent customer (意向客户: a contract signed, a direct order taken, in that document's
    transaction, the customer locked first by customer_lock): the customer becomes 正式客户, the event saying why
    (`text` % `params`, e.g. 签订合同 HT-…); nothing for a customer already active or stopped. No right of the actor's is
    needed: the deal is what makes them a customer."""
    with transaction.atomic():
        locked = _lock_customer(customer)
        if locked.status != Customer.Status.INTENT:
            return locked
        return transition(obj=locked, action="activate", actor=actor, text=text, params=params)


def customer_change_status(*, customer: Customer, actor, action: str, reason: str = "") -> Customer:
    """转为正式客户 / 停用 / 重新启用 through the transition helper (locked, 409 when the status moved on).

    Rule: activating needs edit rights; deactivating (with a reason) and reactivating need a supervisor
    (team lead, clerk, manager). Source: SPEC.md "Customers"; ARCHITECTURE.md rule 1.
    """
    if action not in CUSTOMER_STATUS_ACTIONS:
        raise DomainError(_("未知的操作：%(action)s") % {"action": action})
    reason = (reason or "").strip()
    if action == "deactivate" and not reason:
        raise DomainError(_("请填写停用原因。"), code="reason_required")

    def check(locked: Customer) -> None:
        if action == "activate":
            _require(can_change_customer_status(actor, locked, action), _("您没有修改该客户状态的权限。"))
        else:
            _require(
                can_change_customer_status(actor, locked, action), _("只有本组组长、销售内勤或销售经理可以停用或重新启用客户。")
            )

    with transaction.atomic():
        current = _lock_customer(customer)
        return transition(obj=current, action=action, actor=actor, check=check, **_transition_message(current, action, reason))


def customer_export_logged(*, actor, row_count: int, filters: Mapping[str, Any], ip_address: str | None) -> CustomerExport:
    """Log who exported which customers (SPEC.md: every export of customer data is logged). The export itself is the
    customer list's (customers.exports, through salesops.core.exports): the rows the exporter may list, nothing more."""
    return CustomerExport.objects.create(
        user=actor,
        row_count=row_count,
        filters={k: v for k, v in dict(filters).items() if v not in ("", None, [])},
        ip_address=ip_address,
    )


# --- contacts, ship-to addresses, invoice titles ------------------------------------------------------------------
def _child_save(*, actor, customer: Customer, instance: models.Model, data: Mapping[str, Any], fields, flag: str, check=None):
    """Create or edit one contact/address/invoice title of a customer; at most one row per customer has `flag` set
    (the primary contact, the default address, the default invoice title) — the first row gets it automatically.
    `check(row, siblings)`: the row's own rule against the customer's other rows, under the customer's lock."""
    model = type(instance)
    label = model._meta.verbose_name
    with transaction.atomic():
        locked_customer = _lock_customer(customer)
        _require(can_edit_customer(actor, locked_customer), _("您可以查看该客户，但没有修改权限。"))
        siblings = model.objects.filter(customer=locked_customer)
        creating = instance.pk is None
        if not creating:
            instance = siblings.select_for_update().get(pk=instance.pk)
        before = snapshot(instance, [name for name in fields if name in data])
        assign_fields(instance, data, fields)
        instance.customer = locked_customer
        if creating and not siblings.filter(**{flag: True}).exists():
            setattr(instance, flag, True)
        _validate(instance)
        if check:
            check(instance, siblings.exclude(pk=instance.pk))
        save_as(instance, actor)
        if getattr(instance, flag):
            for other in siblings.filter(**{flag: True}).exclude(pk=instance.pk):
                setattr(other, flag, False)
                save_as(other, actor, update_fields=[flag])
        if creating:
            message = {"text": gettext_noop("新增%(what)s：%(obj)s"), "params": {"what": T(label), "obj": str(instance)}}
            changes = []
        else:
            message = {"text": gettext_noop("修改%(what)s：%(obj)s"), "params": {"what": T(label), "obj": str(instance)}}
            changes = changes_between(instance, before)
        if creating or changes:
            record_event(target=locked_customer, verb=Event.Verb.UPDATED, actor=actor, **message, changes=changes)
    return instance


def _refuse_duplicate_contact(contact: Contact, others) -> None:
    """One person is one contact of a customer (customers.rules.duplicate_contact_way): added again, the existing one
    is named, to be edited instead."""
    for other in others:
        way = rules.duplicate_contact_way(contact, other)
        if way:
            raise DomainError(
                _("该客户已有联系人“%(name)s”（%(way)s相同），请修改该联系人，不要重复添加。")
                % {"name": other.name, "way": Contact._meta.get_field(way).verbose_name},
                field=way,
            )


def contact_create(*, actor, customer: Customer, data: Mapping[str, Any]) -> Contact:
    """Add a contact; ticking 主要联系人 makes it the only primary one; the same person twice is refused
    (_refuse_duplicate_contact). Rule: whoever may edit the customer."""
    return _child_save(
        actor=actor,
        customer=customer,
        instance=Contact(),
        data=data,
        fields=CONTACT_FIELDS,
        flag="is_primary",
        check=_refuse_duplicate_contact,
    )


def contact_update(*, actor, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Edit a contact (timeline shows old → new); it may not become another contact of the customer. Rule: whoever
    may edit the customer."""
    return _child_save(
        actor=actor,
        customer=contact.customer,
        instance=contact,
        data=data,
        fields=CONTACT_FIELDS,
        flag="is_primary",
        check=_refuse_duplicate_contact,
    )


def address_create(*, actor, customer: Customer, data: Mapping[str, Any]) -> ShipToAddress:
    """Add a ship-to address; one default per customer. Rule: whoever may edit the customer."""
    return _child_save(
        actor=actor, customer=customer, instance=ShipToAddress(), data=data, fields=ADDRESS_FIELDS, flag="is_default"
    )


def address_update(*, actor, address: ShipToAddress, data: Mapping[str, Any]) -> ShipToAddress:
    """Edit a ship-to address. Rule: whoever may edit the customer."""
    return _child_save(
        actor=actor, customer=address.customer, instance=address, data=data, fields=ADDRESS_FIELDS, flag="is_default"
    )


def _normalize_tax_id(data: Mapping[str, Any]) -> dict:
    data = dict(data)
    if "tax_id" in data:
        data["tax_id"] = compact_uscc(data["tax_id"])
    return data


def invoice_title_create(*, actor, customer: Customer, data: Mapping[str, Any]) -> InvoiceTitle:
    """Add an invoice title (发票抬头); the tax id is a USCC with a valid check digit; a special VAT invoice needs
    bank, account and address/phone. One default per customer. Rule: whoever may edit the customer."""
    return _child_save(
        actor=actor,
        customer=customer,
        instance=InvoiceTitle(),
        data=_normalize_tax_id(data),
        fields=INVOICE_TITLE_FIELDS,
        flag="is_default",
    )


def invoice_title_update(*, actor, invoice_title: InvoiceTitle, data: Mapping[str, Any]) -> InvoiceTitle:
    """Edit an invoice title (same rules as invoice_title_create)."""
    return _child_save(
        actor=actor,
        customer=invoice_title.customer,
        instance=invoice_title,
        data=_normalize_tax_id(data),
        fields=INVOICE_TITLE_FIELDS,
        flag="is_default",
    )
