"""What the action families share: refusing an actor, the header checks and defaults of a new document, taking a
document back from review, and the reasons of a rejected round."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.models import Contact, Customer
from customers.selectors import customer_list_for
from customers.services.common import hand_over
from salesops.core import approvals
from salesops.core.errors import DomainError, Forbidden, NotFound
from salesops.core.locking import retry_on_lock_conflict
from salesops.core.models import ApprovalRequest, ApprovalStep
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.roles import MANAGER_ROLES, Role, has_role, users_with_role
from salesops.core.transitions import transition

from .. import permissions, rules, selectors
from ..models import Contract, Quotation


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def stamp(field: str):
    return lambda obj: setattr(obj, field, timezone.now())


def page_url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def start_review(doc, actor, *, kind: str, steps, title, title_params: dict, url: str):
    """Send a submitted document along its review route (`steps`); with no step needed (within the submitter's own
    authority) it is approved at once. Returns the document as it is now."""
    if steps:
        approvals.approval_start(target=doc, kind=kind, steps=steps, actor=actor, title=title, title_params=title_params, url=url)
        return doc
    return transition(
        obj=doc,
        action="approve",
        actor=actor,
        text=gettext_noop("提交人权限内，无需审批，自动通过"),
        before_save=stamp("approved_at"),
    )


def check_header(doc) -> None:
    if doc.contact_id and not Contact.objects.filter(pk=doc.contact_id, customer_id=doc.customer_id).exists():
        raise DomainError(_("联系人不属于该客户。"))
    if doc.exchange_rate is None or doc.exchange_rate <= 0:
        raise DomainError(_("汇率必须大于 0。"))
    if doc.currency == rules.BASE_CURRENCY and doc.exchange_rate != 1:
        raise DomainError(_("人民币单据的汇率应为 1。"))
    if not doc.owner_id:
        raise DomainError(_("请选择业务员。"))
    signed, delivery = getattr(doc, "contract_date", None), getattr(doc, "delivery_date", None)
    if signed and delivery and delivery < signed:
        raise DomainError(
            _("承诺交货日期（%(delivery)s）不能早于合同日期（%(date)s）。") % {"delivery": delivery, "date": signed}
        )


def check_owner_change(actor, data: Mapping[str, Any], current_owner_id) -> None:
    """Crediting a document to another rep is for clerks and managers; a rep may keep or take it, not give it away."""
    new = data.get("owner")
    new_id = getattr(new, "pk", new)
    if "owner" in data and new_id not in (None, "", current_owner_id) and new_id != actor.pk:
        require(permissions.can_reassign(actor), _("只有销售内勤和经理可以把单据转给其他业务员。"))


def visible_customer(actor, customer) -> Customer:
    found = customer_list_for(actor).filter(pk=getattr(customer, "pk", customer)).first()
    if found is None:
        raise NotFound(_("客户不存在或您无权查看。"))
    return found


def default_owner(actor, customer: Customer):
    return actor if has_role(actor, Role.SALES_REP, Role.TEAM_LEAD) and not has_role(actor, *MANAGER_ROLES) else customer.owner


def lock_document(doc) -> None:
    """The engine's locker for a quotation or contract review: the document row, before the request and the step."""
    type(doc)._default_manager.select_for_update(of=("self",)).filter(pk=doc.pk).first()


@retry_on_lock_conflict
def withdraw_from_review(doc, actor, kind: str, refused: str):
    """Take a quotation or contract back from review (the pending round is cancelled and kept in the history).
    Lock order: the document (transition), then the request and its steps (approval_cancel), as the engine's decisions.
    Only who submitted the round or the document's rep may (permissions.can_withdraw; 403 for the others, naming them);
    the history names who withdrew, and the rep is told when someone else did."""
    with transaction.atomic():

        def check(d):
            require(permissions.works_on(actor, d), refused)
            if not permissions.can_withdraw(actor, d):
                submitter = get_user_model().objects.filter(pk=selectors.review_submitter_id(d)).first()
                raise Forbidden(
                    _("只有提交人（%(submitter)s）或负责的业务员（%(owner)s）可以撤回。")
                    % {"submitter": display_name(submitter, "—"), "owner": display_name(d.owner, "—")}
                )

        locked = transition(obj=doc, action="withdraw", actor=actor, check=check)
        pending = approvals.requests_for(locked, kind).filter(status=ApprovalRequest.Status.PENDING).first()
        if pending:
            by_submitter = pending.requested_by_id == actor.pk
            reason = (_("提交人 %(name)s 撤回") if by_submitter else _("业务员 %(name)s 撤回")) % {"name": display_name(actor)}
            approvals.approval_cancel(request_id=pending.pk, actor=actor, reason=reason)
        if locked.owner_id != actor.pk:
            is_quotation = isinstance(locked, Quotation)
            notify(
                recipients=[locked.owner],
                title=gettext_lazy("%(number)s 已被 %(name)s 撤回审核"),
                params={"number": str(locked), "name": display_name(actor)},
                url=reverse("contracts:quotation_detail" if is_quotation else "contracts:contract_detail", args=[locked.pk]),
            )
    return locked


def notify_clerks_signed(contract: Contract) -> None:
    """Tell the sales clerks that `contract` was signed and waits for its order (their work page lists it under
    已签订待下单 until every line is ordered); each gets the e-mail copy through the outbox, in the caller's transaction."""
    notify(
        recipients=users_with_role(Role.SALES_CLERK),
        title=gettext_lazy("合同已签订，请下订单：%(number)s"),
        params={"number": contract.number, "customer": contract.customer.name},
        body=gettext_lazy("客户：%(customer)s"),
        url=reverse("contracts:contract_detail", args=[contract.pk]),
    )


def rejection_reasons(request: ApprovalRequest) -> str:
    return "；".join(f"{s.label_text}：{s.comment}" for s in request.steps.filter(status=ApprovalStep.Status.REJECTED))


# --- a customer handed to another rep (the customers floor emits "customer_reassigned") --------------------------------
def documents_follow_the_customer(*, customer: Customer, old_owner, new_owner, actor, reason: str) -> int:
    """When a customer is handed to another rep (inside customers.customer_reassign's transaction, the customer locked
    first), the old rep's quotations and contracts still being worked on go with it — drafts, in review, approved,
    sent or accepted quotations, contracts not yet signed — each with a timeline event, so the old rep neither reads nor
    acts on the customer's open deals any more; a signed contract keeps the rep who won it. Returns how many moved."""
    open_documents = (
        (Quotation, Quotation.OPEN_STATUSES),
        (Contract, Contract.UNSIGNED_STATUSES),
    )
    return sum(
        hand_over(
            model.objects.filter(customer=customer, owner=old_owner, status__in=statuses),
            new_owner=new_owner,
            actor=actor,
            reason=reason,
        )
        for model, statuses in open_documents
    )
