"""Every write of the customers app (ARCHITECTURE.md "Inside an app"), and the one place that decides who may do what.

Who may do what (SPEC.md "Who uses it", "Customers", "Visits"):
  - create a customer: sales reps (they become the owner), team leads, sales clerks, managers;
  - edit a customer and its contacts, addresses, invoice titles, follow-ups and visits: the owner, the lead of the
    customer's team, managers and sales clerks ("supervisors" below are the last three);
  - reassign the owner: the lead of the customer's team (only to people of the teams they lead) and managers;
  - activate an intent customer: whoever may edit it; deactivate / reactivate: supervisors only;
  - visit plans: a rep plans their own visits, a lead for the reps of their team, a manager for anyone;
    the plan's rep, their lead or a manager completes or cancels it; only the lead or a manager reviews it (周会点评).
Seeing a customer at all is decided in selectors.customer_list_for; services assume the caller already checked it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from salesops.core.editing import assign_fields, save_as
from salesops.core.errors import DomainError, Forbidden
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.roles import Role, has_role, is_manager
from salesops.core.timeline import T, changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from .models import Contact, Customer, CustomerExport, FollowUp, FollowUpReminder, InvoiceTitle, ShipToAddress, Visit, VisitPlan
from .selectors import customer_list_for, intent_followups_due_by_owner, led_team_ids, owner_candidates_for
from .validators import compact_uscc

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
CREDIT_FIELDS = ("credit_limit", "payment_terms", "credit_days", "deposit_rate")
CONTACT_FIELDS = ("name", "title", "mobile", "phone", "email", "wechat", "qq", "is_primary", "notes")
ADDRESS_FIELDS = ("province", "city", "district", "address", "floor", "consignee", "phone", "preferred_carrier", "is_default")
INVOICE_TITLE_FIELDS = ("title", "tax_id", "bank", "account", "address_phone", "invoice_type", "is_default")
CUSTOMER_STATUS_ACTIONS = ("activate", "deactivate", "reactivate")


# --- who may do what ----------------------------------------------------------------------------------------------
def team_id_of(user) -> int | None:
    try:
        return user.profile.team_id
    except ObjectDoesNotExist:
        return None


def _team_of(user):
    try:
        return user.profile.team
    except ObjectDoesNotExist:
        return None


def _leads_customer_team(user, customer: Customer) -> bool:
    return customer.team_id is not None and customer.team_id in led_team_ids(user)


def _leads_rep(user, rep) -> bool:
    team_id = team_id_of(rep)
    return team_id is not None and team_id in led_team_ids(user)


def is_supervisor_of(user, customer: Customer) -> bool:
    """Managers, sales clerks and the lead of the customer's team."""
    return is_manager(user) or has_role(user, Role.SALES_CLERK) or _leads_customer_team(user, customer)


def can_set_credit(user) -> bool:
    return is_manager(user) or has_role(user, Role.FINANCE)


def may_update_customer(user, customer: Customer) -> bool:
    """Open the edit page: those who edit the file, and finance for the credit terms only."""
    return can_edit_customer(user, customer) or can_set_credit(user)


def _changed(customer: Customer, data: Mapping[str, Any], names) -> list[str]:
    """The fields among `names` whose value in `data` differs from the customer's (compared as the field reads them)."""
    changed = []
    for name in names:
        if name not in data:
            continue
        field = Customer._meta.get_field(name)
        try:
            value = field.to_python(data[name])
        except ValidationError:
            value = data[name]
        if value != getattr(customer, name):
            changed.append(name)
    return changed


def _check_credit_fields(actor, customer: Customer, data: Mapping[str, Any]) -> None:
    """Refuse a change of the credit limit or payment terms by someone who may not set them (equal values pass, so a
    form or API client that sends the current values back is fine)."""
    changed = [] if can_set_credit(actor) else _changed(customer, data, CREDIT_FIELDS)
    if changed:
        labels = "、".join(str(Customer._meta.get_field(name).verbose_name) for name in changed)
        raise Forbidden(_("信用额度和付款条件由经理或财务设定（%(fields)s）。") % {"fields": labels})


def can_create_customer(user) -> bool:
    return is_manager(user) or has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK)


def can_edit_customer(user, customer: Customer) -> bool:
    return customer.owner_id == user.pk or is_supervisor_of(user, customer)


def can_reassign_customer(user, customer: Customer) -> bool:
    return is_manager(user) or _leads_customer_team(user, customer)


def can_change_customer_status(user, customer: Customer, action: str) -> bool:
    if action == "activate":
        return can_edit_customer(user, customer)
    return is_supervisor_of(user, customer)


def can_plan_visits_for(user, rep) -> bool:
    return rep.pk == user.pk or is_manager(user) or _leads_rep(user, rep)


def can_manage_visit_plan(user, plan: VisitPlan) -> bool:
    """Complete or cancel: the plan's rep, their team lead, a manager."""
    return can_plan_visits_for(user, plan.rep)


def can_review_visit_plan(user, plan: VisitPlan) -> bool:
    return is_manager(user) or _leads_rep(user, plan.rep)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


# --- helpers ------------------------------------------------------------------------------------------------------
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


# --- customers ----------------------------------------------------------------------------------------------------
def _normalize_uscc(data: Mapping[str, Any]) -> dict:
    data = dict(data)
    if "uscc" in data:
        data["uscc"] = compact_uscc(data["uscc"])
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
            _("您不能把客户分配给 %(name)s：组长只能分配给本组人员，业务员只能自己负责。") % {"name": display_name(owner)}
        )
    with transaction.atomic():
        customer = Customer(owner=owner, team=_team_of(owner), created_by=actor)
        _check_credit_fields(actor, customer, data)
        assign_fields(customer, data, CUSTOMER_FIELDS)
        _ensure_uscc_free(customer.uscc)
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
        assign_fields(locked, data, CUSTOMER_FIELDS)
        _ensure_uscc_free(locked.uscc, exclude_pk=locked.pk)
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
        url = locked.get_absolute_url()
        notify(
            recipients=[new_owner],
            title=_("客户“%(name)s”已转给您负责") % {"name": locked.name},
            body=_("%(actor)s 把客户 %(code)s 从 %(old)s 转给您。原因：%(reason)s")
            % {"actor": display_name(actor), "code": locked.code, "old": display_name(old_owner), "reason": reason},
            url=url,
        )
        notify(
            recipients=[old_owner] if old_owner.pk != actor.pk else [],
            title=_("客户“%(name)s”已转给 %(new)s") % {"name": locked.name, "new": display_name(new_owner)},
            body=_("原因：%(reason)s") % {"reason": reason},
        )
    return locked


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
def _child_save(*, actor, customer: Customer, instance: models.Model, data: Mapping[str, Any], fields, flag: str):
    """Create or edit one contact/address/invoice title of a customer; at most one row per customer has `flag` set
    (the primary contact, the default address, the default invoice title) — the first row gets it automatically."""
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


def contact_create(*, actor, customer: Customer, data: Mapping[str, Any]) -> Contact:
    """Add a contact; ticking 主要联系人 makes it the only primary one. Rule: whoever may edit the customer."""
    return _child_save(actor=actor, customer=customer, instance=Contact(), data=data, fields=CONTACT_FIELDS, flag="is_primary")


def contact_update(*, actor, contact: Contact, data: Mapping[str, Any]) -> Contact:
    """Edit a contact (timeline shows old → new). Rule: whoever may edit the customer."""
    return _child_save(
        actor=actor, customer=contact.customer, instance=contact, data=data, fields=CONTACT_FIELDS, flag="is_primary"
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


# --- intent follow-ups --------------------------------------------------------------------------------------------
def _ensure_next_date(next_contact_date: date | None, today: date) -> None:
    if next_contact_date and next_contact_date < today:
        raise DomainError(_("下次联系日期不能早于今天。"), code="next_contact_in_past")


def followup_create(
    *,
    actor,
    customer: Customer,
    channel: str,
    happened_on: date,
    summary: str,
    next_contact_date: date | None = None,
    contact: Contact | None = None,
) -> FollowUp:
    """Record a follow-up (意向客户跟进) by phone/SMS/e-mail/…; the customer's next contact date becomes this one's
    (unless a later follow-up already exists). Rule: whoever may edit the customer; not for deactivated customers;
    no future follow-ups, no next contact in the past. Source: SPEC.md "Customers" (intent customers … next-contact dates).
    """
    today = timezone.localdate()
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("请填写跟进内容。"), code="summary_required")
    if happened_on > today:
        raise DomainError(_("跟进日期不能晚于今天。"), code="followup_in_future")
    _ensure_next_date(next_contact_date, today)
    with transaction.atomic():
        locked = _lock_customer(customer)
        _require(can_edit_customer(actor, locked), _("您没有跟进该客户的权限。"))
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        followup = FollowUp(
            customer=locked,
            contact=contact,
            channel=channel,
            happened_on=happened_on,
            summary=summary,
            next_contact_date=next_contact_date,
            created_by=actor,
        )
        _validate(followup)
        followup.save()
        changes = []
        if not locked.followups.filter(happened_on__gt=happened_on).exists():
            changes = _set_next_contact_date(locked, next_contact_date, actor)
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("跟进（%(channel)s）：%(summary)s"),
            params={"channel": choice(followup, "channel"), "summary": summary},
            changes=changes,
        )
    return followup


def followups_remind_due(*, day: date | None = None) -> int:
    """Tell each rep, once per day, which intent customers are due for a follow-up today or overdue.

    Idempotent: a FollowUpReminder row (unique per rep and day) is written with the notification, so a second run on the
    same day sends nothing. Returns how many reps were notified. Source: SPEC.md "Customers" (next-contact dates).
    """
    day = day or timezone.localdate()
    url = reverse("customers:followups_due")
    sent = 0
    for owner_id, customers in intent_followups_due_by_owner(day).items():
        with transaction.atomic():
            _reminder, created = FollowUpReminder.objects.get_or_create(
                user_id=owner_id, day=day, defaults={"customer_count": len(customers)}
            )
            if not created:
                continue
            lines = [
                _("%(code)s %(name)s（应联系：%(date)s）")
                % {"code": c.code, "name": c.name, "date": f"{c.next_contact_date:%Y-%m-%d}"}
                for c in customers
            ]
            notify(
                recipients=[customers[0].owner],
                title=_("今日待跟进意向客户：%(n)d 家") % {"n": len(customers)},
                body="\n".join(lines),
                url=url,
            )
            sent += 1
    return sent


# --- visit plans and visits ---------------------------------------------------------------------------------------
def visit_plan_create(
    *,
    actor,
    customer: Customer,
    planned_date: date,
    purpose: str,
    period: str = VisitPlan.Period.WEEK,
    contact: Contact | None = None,
    rep=None,
) -> VisitPlan:
    """Put a visit in a rep's monthly/weekly/daily plan (拜访计划).

    Rule: a rep plans their own visits, a team lead for the reps of their team, a manager for anyone; the rep must be able
    to see the customer; no dates in the past; not for deactivated customers. Source: SPEC.md "Visits".
    """
    rep = rep or actor
    purpose = (purpose or "").strip()
    _require(can_plan_visits_for(actor, rep), _("您只能为自己或本组业务员安排拜访计划。"))
    if not purpose:
        raise DomainError(_("请填写拜访目的。"), code="purpose_required")
    if planned_date < timezone.localdate():
        raise DomainError(_("计划日期不能早于今天。"), code="plan_in_past")
    if not customer_list_for(rep).filter(pk=customer.pk).exists():
        raise DomainError(
            _("%(rep)s 不负责客户“%(customer)s”，不能为其安排拜访。") % {"rep": display_name(rep), "customer": customer}
        )
    with transaction.atomic():
        locked = _lock_customer(customer)
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        plan = VisitPlan(rep=rep, customer=locked, contact=contact, period=period, planned_date=planned_date, purpose=purpose)
        _validate(plan)
        plan.save()
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("拜访计划（%(period)s）：%(date)s %(rep)s — %(purpose)s"),
            params={
                "period": choice(plan, "period"),
                "date": f"{planned_date:%Y-%m-%d}",
                "rep": display_name(rep),
                "purpose": purpose,
            },
        )
    return plan


def visit_plan_review(*, actor, plan: VisitPlan, note: str) -> VisitPlan:
    """The weekly-meeting review note (周会点评) on a plan; the rep is notified.

    Rule: the lead of the rep's team or a manager. Source: SPEC.md "Visits" (plans reviewed in the weekly meeting).
    """
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写点评内容。"), code="note_required")
    with transaction.atomic():
        locked = VisitPlan.objects.select_for_update(of=("self",)).select_related("rep", "customer").get(pk=plan.pk)
        _require(can_review_visit_plan(actor, locked), _("只有该业务员的组长或销售经理可以点评拜访计划。"))
        before = snapshot(locked, ["review_note"])
        locked.review_note, locked.reviewed_by, locked.reviewed_at = note, actor, timezone.now()
        locked.save(update_fields=["review_note", "reviewed_by", "reviewed_at"])
        record_event(
            target=locked.customer,
            verb=Event.Verb.COMMENT,
            actor=actor,
            text=gettext_noop("点评 %(date)s 的拜访计划：%(note)s"),
            params={"date": f"{locked.planned_date:%Y-%m-%d}", "note": note},
            changes=changes_between(locked, before),
        )
        if locked.rep_id != actor.pk:
            notify(
                recipients=[locked.rep],
                title=_("%(actor)s 点评了您的拜访计划：%(customer)s")
                % {"actor": display_name(actor), "customer": locked.customer},
                body=note,
                url=locked.get_absolute_url(),
            )
    return locked


def visit_plan_cancel(*, actor, plan: VisitPlan, reason: str) -> VisitPlan:
    """Cancel a planned visit (with a reason) through the transition helper; 409 if it already happened or was cancelled.

    Rule: the plan's rep, their team lead or a manager. Source: SPEC.md "Visits".
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写取消原因。"), code="reason_required")
    with transaction.atomic():
        current = VisitPlan.objects.select_for_update(of=("self",)).select_related("rep", "customer").get(pk=plan.pk)
        cancelled = transition(
            obj=current,
            action="cancel",
            actor=actor,
            check=lambda p: _require(can_manage_visit_plan(actor, p), _("您不能取消别人的拜访计划。")),
            **_transition_message(current, "cancel", reason),
        )
        record_event(
            target=current.customer,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("取消 %(date)s 的拜访计划：%(reason)s"),
            params={"date": f"{current.planned_date:%Y-%m-%d}", "reason": reason},
        )
    return cancelled


def visit_create(
    *,
    actor,
    visited_on: date,
    outcome: str,
    customer: Customer | None = None,
    plan: VisitPlan | None = None,
    purpose: str = "",
    contact: Contact | None = None,
    next_step: str = "",
    next_contact_date: date | None = None,
) -> Visit:
    """Record a visit that happened (拜访记录); from a plan it completes the plan (409 when it was already completed or
    cancelled). A next contact date moves the customer's next contact date.

    Rule: from a plan — the plan's rep, their lead or a manager (the visit is the plan rep's); without a plan — whoever may
    edit the customer (the visit is the actor's). No future dates; not for deactivated customers. Source: SPEC.md "Visits".
    """
    today = timezone.localdate()
    outcome, next_step = (outcome or "").strip(), (next_step or "").strip()
    if plan is not None:
        if customer is not None and customer.pk != plan.customer_id:
            raise DomainError(_("拜访记录的客户与拜访计划不一致。"))
        customer, rep = plan.customer, plan.rep
        purpose = (purpose or "").strip() or plan.purpose
        contact = contact or plan.contact
    else:
        if customer is None:
            raise DomainError(_("请选择客户。"), code="customer_required")
        rep = actor
        purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_("请填写拜访目的。"), code="purpose_required")
    if not outcome:
        raise DomainError(_("请填写拜访结果。"), code="outcome_required")
    if visited_on > today:
        raise DomainError(_("拜访日期不能晚于今天。"), code="visit_in_future")
    _ensure_next_date(next_contact_date, today)
    with transaction.atomic():
        locked = _lock_customer(customer)
        if plan is not None:
            plan = transition(
                obj=plan,
                action="complete",
                actor=actor,
                check=lambda p: _require(can_manage_visit_plan(actor, p), _("您不能替别人完成拜访计划。")),
            )
        else:
            _require(can_edit_customer(actor, locked), _("您没有为该客户记录拜访的权限。"))
        _ensure_open(locked)
        _ensure_contact_of(contact, locked)
        visit = Visit(
            plan=plan,
            rep=rep,
            customer=locked,
            contact=contact,
            visited_on=visited_on,
            purpose=purpose,
            outcome=outcome,
            next_step=next_step,
            next_contact_date=next_contact_date,
        )
        _validate(visit)
        visit.save()
        changes = _set_next_contact_date(locked, next_contact_date, actor) if next_contact_date else []
        record_event(
            target=locked,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("拜访记录：%(date)s %(rep)s — %(purpose)s；结果：%(outcome)s"),
            params={"date": f"{visited_on:%Y-%m-%d}", "rep": display_name(rep), "purpose": purpose, "outcome": outcome},
            changes=changes,
        )
    return visit
