"""Who may do what on orders, inspections, shipments, invoices and payments (ARCHITECTURE.md rule 5), in one place.

Pages render their buttons from `<doc>_allowed_actions(doc, user)`, the API detail serializers expose the same list as
`allowed_actions`, and the services refuse with `require(...)` what these functions do not allow. Who may *see* a document
is orders.selectors (a 404); who may *do* something on a visible one is here (a 403).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Contract
from salesops.core.errors import Forbidden
from salesops.core.money import ZERO
from salesops.core.ordered import ordered_per_contract_line
from salesops.core.roles import MANAGER_ROLES, Role, has_role

from . import rules
from .models import (
    REFUSED_PENDING,
    CreditException,
    EmergencyRelease,
    Inspection,
    InvoiceRequest,
    Payment,
    SalesOrder,
    Shipment,
)


def require(allowed: bool, message: str) -> None:
    """A 403 with `message` unless `allowed`."""
    if not allowed:
        raise Forbidden(message)


# --- roles ------------------------------------------------------------------------------------------------------------
def is_clerk(user) -> bool:
    """Sales clerks and managers process orders (接单、核单、下单、跟单、发货准备)."""
    return has_role(user, Role.SALES_CLERK, *MANAGER_ROLES)


def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE)


def is_warehouse(user) -> bool:
    return has_role(user, Role.WAREHOUSE)


def require_clerk(user) -> None:
    require(is_clerk(user), _("只有销售内勤和经理可以处理订单。"))


def may_prepare_shipment(user) -> bool:
    """Outbound notes and emergency releases: clerks, managers and the warehouse."""
    return is_clerk(user) or is_warehouse(user)


def may_ask_for_order(order: SalesOrder, user) -> bool:
    """Credit exceptions and invoice requests: clerks, managers and the order's rep."""
    return is_clerk(user) or order.owner_id == user.pk


def ships_still(order: SalesOrder) -> bool:
    """Whether goods of the order may still leave: verified and not yet fully shipped (what a credit exception opens)."""
    S = SalesOrder.Status
    return order.status in (S.VERIFIED, S.PLACED, S.PARTIALLY_SHIPPED)


def may_request_credit_exception(order: SalesOrder, user) -> bool:
    """申请信用放行 is offered to those who may ask (may_ask_for_order) on an open order past verification while its
    payment gate is closed (something due is unpaid, or its notes go beyond the customer's credit limit) and not already
    covered by requests still pending; services.credit_exception_request checks the same, and the amount, under the
    order's lock."""
    if not (may_ask_for_order(order, user) and ships_still(order)):
        return False
    room, pending = credit_exception_room(order)
    return room - pending > 0


def credit_exception_room(order: SalesOrder) -> tuple[Decimal, Decimal]:
    """(what holds the order's gate — rules.credit_exception_room of balances.order_gate —, what its credit exceptions
    still pending ask for), both in the order's currency."""
    from .balances import order_gate  # balances -> receivables -> this module: read when asked

    room = rules.credit_exception_room(order_gate(order), exchange_rate=order.exchange_rate)
    pending = order.credit_exceptions.filter(status=CreditException.Status.PENDING).aggregate(s=Sum("amount"))["s"]
    return room, pending or ZERO


def may_withdraw_request(row, user) -> bool:
    """撤回 a credit exception or emergency release (ApprovedRequest) is for whoever asked for it or a manager (sales
    manager and above, admin) — not the other reps or clerks who see the order; only while it is pending (the page's
    button and the API's `can_withdraw`: can_withdraw_request). services._common.withdraw_request checks it under the order's lock."""
    return user.pk is not None and (row.requested_by_id == user.pk or has_role(user, *MANAGER_ROLES))


def can_withdraw_request(row, user) -> bool:
    """The 撤回 button of a pending request, for who may withdraw it (may_withdraw_request)."""
    return row.status == row.Status.PENDING and may_withdraw_request(row, user)


def request_allowed_actions(row, user) -> list[str]:
    """撤回 (`withdraw`) of a pending credit exception or emergency release, for who may (can_withdraw_request)."""
    return ["withdraw"] if can_withdraw_request(row, user) else []


def may_record_delivery(order: SalesOrder, user) -> bool:
    """Delivery acceptance: clerks, managers, the warehouse and the order's rep."""
    return is_clerk(user) or is_warehouse(user) or order.owner_id == user.pk


def may_record_payment(user) -> bool:
    """Money received is recorded by clerks, managers and finance (finance confirms it)."""
    return is_clerk(user) or is_finance(user)


def contract_order_refusal(contract: Contract) -> str:
    """Why no order can be taken from `contract` now ("" when it can): only signed or active contracts are ordered, and
    only while some quantity of a line is not yet on an order (services.order_create_from_contract refuses with this
    message; the page says it up front)."""
    if contract.status not in (Contract.Status.SIGNED, Contract.Status.ACTIVE):
        return _("只有已签订或执行中的合同可以下订单（当前：%(status)s）。") % {"status": contract.get_status_display()}
    if not contract_left_to_order(contract):
        return _("合同的数量已全部下单。")
    return ""


def contract_left_to_order(contract: Contract) -> bool:
    """Whether some line of `contract` still has quantity not on an order that is not cancelled."""
    already = ordered_per_contract_line(contract)
    return any(line.quantity - already.get(line.pk, ZERO) > 0 for line in contract.lines.all())


def can_order_from_contract(user, contract: Contract) -> bool:
    """Orders are taken from signed or active contracts with something left to order, by clerks and managers."""
    return is_clerk(user) and not contract_order_refusal(contract)


def contract_order_actions(contract: Contract, user) -> list[str]:
    """下订单 (`create_order`) among the contract's allowed actions (contracts.permissions.contract_allowed_actions asks
    through salesops.core.actions): the page's button and the API's `allowed_actions` are this one rule."""
    return ["create_order"] if can_order_from_contract(user, contract) else []


# --- work queues ------------------------------------------------------------------------------------------------------
QUEUE_REFUSALS = {
    "clerk": gettext_lazy("内勤工作台只对销售内勤和经理开放。"),
    "finance": gettext_lazy("财务工作台只对财务和经理开放。"),
    "warehouse": gettext_lazy("仓库工作台只对仓库、质检员和经理开放。"),
}


def sees_queue(user, queue: str) -> bool:
    """Who opens which work queue: clerk — clerks and managers; finance — finance and managers; warehouse — warehouse,
    QC and managers."""
    if queue == "clerk":
        return is_clerk(user)
    if queue == "finance":
        return is_finance(user) or has_role(user, *MANAGER_ROLES)
    if queue == "warehouse":
        return has_role(user, Role.WAREHOUSE, Role.QC, *MANAGER_ROLES)
    return False


def require_queue(user, queue: str) -> None:
    require(sees_queue(user, queue), str(QUEUE_REFUSALS[queue]))


# --- orders -----------------------------------------------------------------------------------------------------------
def order_allowed_actions(order: SalesOrder, user) -> list[str]:
    """What `user` may do on `order` now (pages and the API show exactly these): among them 短交关闭 (`close_short`) of a
    partially shipped order and 已核对合同变更 (`acknowledge_contract`) of an order whose contract changed since, both
    for clerks and managers."""
    out = []
    clerk = is_clerk(user)
    S = SalesOrder.Status
    if clerk and (order.status == S.RECEIVED or order.needs_reverification):
        out += ["check", "verify"]
    if clerk and order.status == S.VERIFIED and not order.needs_reverification:
        out.append("place")
    if clerk and order.status in (S.PLACED, S.PARTIALLY_SHIPPED):
        out.append("production_update")
    if may_prepare_shipment(user) and order.status in (S.PLACED, S.PARTIALLY_SHIPPED):
        out += ["create_shipment", "emergency_release"]
    if clerk and order.is_open and order.status != S.SHIPPED:
        out.append("edit")
    if may_request_credit_exception(order, user):
        out.append("credit_exception")
    if has_role(user, Role.QC, Role.WAREHOUSE) and order.status in (S.PLACED, S.PARTIALLY_SHIPPED, S.SHIPPED):
        out.append("inspect")
    if may_ask_for_order(order, user) and order.prices_include_tax and order.lines.filter(delivered_quantity__gt=0).exists():
        out.append("request_invoice")
    if clerk and order.status == S.SHIPPED:
        out.append("close")
    if clerk and may_close_short(order):
        out.append("close_short")
    if clerk and may_cancel(order):
        out.append("cancel")
    if clerk and order.is_open and order.contract_changed_since:
        out.append("acknowledge_contract")
    return out


def keeps_goods(order: SalesOrder) -> bool:
    """Whether any goods shipped for the order stay with the customer (or are on their way): a line shipped and not all
    refused at delivery and received back (拒收退回入库 lowers the line's shipped quantity)."""
    return order.lines.filter(shipped_quantity__gt=0).exists()


def _notes_open(order: SalesOrder) -> bool:
    return order.shipments.filter(status__in=(Shipment.Status.DRAFT, Shipment.Status.RELEASED)).exists()


def may_close_short(order: SalesOrder) -> bool:
    """短交关闭 is offered on a partially shipped order verified as it is, with no outbound note still open (draft or
    released: shipped or cancelled first) and goods kept by the customer (an order whose goods all came back is
    cancelled instead, may_cancel); services.order_close_short checks the same under the order's lock."""
    return (
        order.status == SalesOrder.Status.PARTIALLY_SHIPPED
        and not order.needs_reverification
        and not _notes_open(order)
        and keeps_goods(order)
    )


def may_cancel(order: SalesOrder) -> bool:
    """取消订单 is offered before anything ships, and on a partially shipped order whose goods all came back (refused
    at delivery and received back) with no outbound note open; services.order_cancel checks the same, and the money
    allocated, under the order's lock."""
    S = SalesOrder.Status
    if order.status in (S.RECEIVED, S.VERIFIED, S.PLACED):
        return True
    return order.status == S.PARTIALLY_SHIPPED and not _notes_open(order) and not keeps_goods(order)


# --- inspections ------------------------------------------------------------------------------------------------------
def inspection_side(user) -> str | None:
    """Which signature of an inspection `user` gives: "qc", "warehouse", or None."""
    if has_role(user, Role.QC):
        return "qc"
    if is_warehouse(user):
        return "warehouse"
    return None


def can_sign_inspection(inspection: Inspection, user) -> bool:
    """The other side's signature is missing, `user` gives it, and did not sign the first side."""
    side = inspection_side(user)
    if side is None or getattr(inspection, f"{side}_signed_by_id"):
        return False
    first = inspection.warehouse_signed_by_id if side == "qc" else inspection.qc_signed_by_id
    return first != user.pk


def inspection_allowed_actions(inspection: Inspection, user) -> list[str]:
    return ["sign"] if can_sign_inspection(inspection, user) else []


# --- shipments --------------------------------------------------------------------------------------------------------
def shipment_allowed_actions(shipment: Shipment, user) -> list[str]:
    """Release (clerks), ship (warehouse), record the delivery, cancel an open note (clerks), receive refused goods
    back (warehouse)."""
    S = Shipment.Status
    clerk = is_clerk(user)
    out = []
    if clerk and shipment.status == S.DRAFT:
        out.append("release")
    if is_warehouse(user) and shipment.status == S.RELEASED:
        out.append("ship")
    if shipment.status == S.SHIPPED and may_record_delivery(shipment.order, user):
        out.append("deliver")
    if clerk and shipment.status in (S.DRAFT, S.RELEASED):
        out.append("cancel")
    if may_receive_refused(shipment, user):
        out.append("receive_refused")
    return out


def may_receive_refused(shipment: Shipment, user) -> bool:
    """拒收退回入库: the warehouse receives back goods refused at delivery, on a delivered note with some still to come
    back (services.shipment_receive_refused checks the same under the order's lock)."""
    delivered = shipment.status == Shipment.Status.DELIVERED
    return is_warehouse(user) and delivered and shipment.lines.filter(REFUSED_PENDING).exists()


# --- invoices and payments --------------------------------------------------------------------------------------------
def invoice_allowed_actions(invoice: InvoiceRequest, user) -> list[str]:
    """Finance issues a requested invoice and cancels one that is not cancelled yet."""
    if not is_finance(user):
        return []
    out = ["issue"] if invoice.status == InvoiceRequest.Status.REQUESTED else []
    if invoice.status != InvoiceRequest.Status.CANCELLED:
        out.append("cancel")
    return out


def payment_allowed_actions(payment: Payment, user) -> list[str]:
    """Finance confirms recorded money and voids what is not voided yet, unless balances.void_refusal says why not
    (a receipt partly refunded, a refund of a cancelled order)."""
    if not is_finance(user):
        return []
    from .balances import void_refusal  # balances -> receivables -> this module: read when asked

    out = ["confirm"] if payment.status == Payment.Status.RECORDED else []
    if payment.status != Payment.Status.VOIDED and not void_refusal(payment):
        out.append("void")
    return out


def allowed_actions(doc, user) -> list[str]:
    """`<doc>_allowed_actions` of any document of this app (for templates: `{% allowed_actions doc as actions %}`)."""
    for model, rule in (
        (SalesOrder, order_allowed_actions),
        (Shipment, shipment_allowed_actions),
        (Payment, payment_allowed_actions),
        (InvoiceRequest, invoice_allowed_actions),
        (Inspection, inspection_allowed_actions),
        (CreditException, request_allowed_actions),
        (EmergencyRelease, request_allowed_actions),
    ):
        if isinstance(doc, model):
            return rule(doc, user)
    raise TypeError(f"no allowed actions for {type(doc).__name__}")


def may_issue_credit_note(user) -> bool:
    return has_role(user, Role.SALES_CLERK, Role.FINANCE, *MANAGER_ROLES)


# --- menus (<app>/menu.py shows these items only to them) ----------------------------------------
def handles_money(user) -> bool:
    """Payments, invoices and receivables: sales, the clerk, finance and the managers."""
    return has_role(user, Role.SALES_REP, Role.TEAM_LEAD, Role.SALES_CLERK, Role.FINANCE, *MANAGER_ROLES)


def reads_orders(user) -> bool:
    return has_role(
        user,
        Role.SALES_REP,
        Role.TEAM_LEAD,
        Role.SALES_CLERK,
        Role.FINANCE,
        Role.WAREHOUSE,
        Role.QC,
        Role.SERVICE,
        Role.REVIEWER_PRODUCTION,
        *MANAGER_ROLES,
    )
