"""Invoice requests (开票, SPEC.md "Invoices and payments"): asked for delivered goods by the clerk or the rep, issued or
cancelled by finance. All invoices of an order together never exceed what the customer signed for less the credit notes
(returned and refunded goods); an invoice is not issued on a day after today.

发票号码: 8 to 20 digits (a paper VAT invoice has 8, a 数电发票 20), spaces removed, and never on two invoices that are not
cancelled (作废) — checked under the order's lock, and held by the constraint invoice_number_unique_live, so two invoices
of two orders issued at the same moment with one number cannot both pass."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from customers.models import InvoiceTitle
from salesops.core.editing import required_text, save_as
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from salesops.core.money import MONEY_BOUNDS, money_text, parse_decimal
from salesops.core.numbering import next_number
from salesops.core.timeline import choice, record_event
from salesops.core.transitions import transition

from .. import rules
from ..models import InvoiceRequest, SalesOrder
from ..permissions import is_finance, may_ask_for_order, require
from ..selectors import order_credited, order_delivered_amount, order_invoiceable_amount, order_invoiced_amount
from . import handoffs
from ._common import lock_order


def invoice_request(
    *, order: SalesOrder, actor, amount, invoice_type: str = "", invoice_title_id: int | None = None
) -> InvoiceRequest:
    """Ask finance to invoice delivered goods; all invoices of an order together never exceed what was delivered less the
    order's credit notes (selectors.order_invoiceable_amount). Numbered KP-YYYYMM-NNNN in the creating transaction."""
    amount = parse_decimal(amount, _("开票金额"), bounds=MONEY_BOUNDS.any_sign())
    if amount <= 0:
        raise DomainError(_("开票金额必须大于 0。"))
    with transaction.atomic():
        locked = lock_order(order)
        require(may_ask_for_order(locked, actor), _("只有销售内勤、经理和订单业务员可以申请开票。"))
        if not locked.prices_include_tax:
            raise DomainError(str(rules.UNTAXED_NO_INVOICE))
        # returned and refunded goods (credit notes) are not invoiced: delivered − credit notes − already invoiced
        room = order_invoiceable_amount(locked)
        if amount > room:
            credited = order_credited(locked)
            if not credited:
                raise DomainError(
                    _("开票金额 %(amount)s 超过已签收未开票金额 %(room)s。")
                    % {"amount": money_text(amount), "room": money_text(room)}
                )
            raise DomainError(
                _(
                    "开票金额 %(amount)s 超过可开票金额 %(room)s（已签收 %(delivered)s，红字冲减 %(credited)s，已开票 %(invoiced)s）。"
                )
                % {
                    "amount": money_text(amount),
                    "room": money_text(room),
                    "delivered": money_text(order_delivered_amount(locked)),
                    "credited": money_text(credited),
                    "invoiced": money_text(order_invoiced_amount(locked)),
                }
            )
        title = InvoiceTitle.objects.filter(
            pk=invoice_title_id or locked.invoice_title_id, customer_id=locked.customer_id
        ).first()
        if title is None:
            raise DomainError(_("请先为客户维护发票抬头。"))
        invoice = InvoiceRequest(
            number=next_number(InvoiceRequest.NUMBER_PREFIX),
            order=locked,
            title=title.title,
            tax_id=title.tax_id,
            bank_account=" ".join(p for p in (title.bank, title.account) if p),
            address_phone=title.address_phone,
            invoice_type=invoice_type or title.invoice_type,
            amount=amount,
            requested_by=actor,
        )
        save_as(invoice, actor)
        record_event(
            target=invoice,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("申请开票（订单 %(order)s）%(amount)s 元（%(type)s），抬头 %(title)s"),
            params={
                "order": locked.number,
                "amount": money_text(amount),
                "type": choice(invoice, "invoice_type"),
                "title": invoice.title,
            },
        )
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("申请开票 %(number)s：%(amount)s 元（%(type)s）"),
            params={"number": invoice.number, "amount": money_text(amount), "type": choice(invoice, "invoice_type")},
        )
        handoffs.invoice_requested(invoice, locked)
    return invoice


INVOICE_NUMBER = re.compile(r"[0-9]{8}|[0-9]{20}")  # a paper VAT invoice 8 digits, a 数电发票 20


def invoice_number_squeezed(text: str) -> str:
    """The 发票号码 as stored: full-width digits read as digits, every space removed (not yet checked)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def invoice_number_check(text: str) -> str:
    """The 发票号码 `text` as stored (invoice_number_squeezed) if it is 8 or 20 digits (a paper VAT invoice has 8, a 数电发票
    20), else a DomainError naming what was typed."""
    number = invoice_number_squeezed(text)
    if not number:
        raise DomainError(_("请填写发票号码。"))
    if not INVOICE_NUMBER.fullmatch(number):
        raise DomainError(
            _("发票号码“%(number)s”无效：发票号码为 8 位或 20 位数字（纸质发票 8 位，数电发票 20 位）。")
            % {"number": text.strip()}
        )
    return number


def _number_holder(number: str, *, but: int) -> InvoiceRequest | None:
    """The invoice, not cancelled, other than invoice `but`, that already has `number`."""
    return (
        InvoiceRequest.objects.select_related("order__customer")
        .filter(invoice_numbers=number)
        .exclude(status=InvoiceRequest.Status.CANCELLED)
        .exclude(pk=but)
        .first()
    )


def _number_taken(number: str, holder: InvoiceRequest) -> Conflict:
    return Conflict(
        _("发票号码 %(number)s 已用于开票申请 %(invoice)s（订单 %(order)s，%(customer)s），不能重复使用。")
        % {"number": number, "invoice": holder.number, "order": holder.order.number, "customer": holder.order.customer.name}
    )


def invoice_issue(*, invoice: InvoiceRequest, actor, numbers: str, issued_on: date | None = None) -> InvoiceRequest:
    """Finance issues the invoice with its number (发票号码: 8 or 20 digits, spaces removed, on no other invoice that is not
    cancelled) and date (today when not given; a date after today, or before the day it was asked for, is refused: the
    date decides the month of 销售额（按开票）)."""
    required_text(numbers, _("请填写发票号码。"))
    number = invoice_number_squeezed(numbers)
    if issued_on is not None and issued_on > timezone.localdate():
        raise DomainError(_("开票日期不能晚于今天。"))
    asked_on = timezone.localdate(invoice.requested_at) if invoice.requested_at else None
    if issued_on is not None and asked_on is not None and issued_on < asked_on:
        raise DomainError(
            _("开票日期 %(day)s 不能早于申请开票的日期 %(asked)s。")
            % {"day": issued_on.isoformat(), "asked": asked_on.isoformat()}
        )

    def check(i):
        require(is_finance(actor), _("只有财务可以开票。"))
        invoice_number_check(numbers)
        # under the order's lock: the same number on another invoice of this order (or already committed elsewhere)
        holder = _number_holder(number, but=i.pk)
        if holder is not None:
            raise _number_taken(number, holder)

    def before(i):
        i.invoice_numbers, i.issued_on, i.issued_by = number, issued_on or timezone.localdate(), actor

    try:
        with transaction.atomic():
            lock_order(invoice.order_id)
            return transition(
                obj=invoice,
                action="issue",
                actor=actor,
                check=check,
                before_save=before,
                text=gettext_noop("已开票：%(numbers)s"),
                params={"numbers": number},
            )
    except IntegrityError:
        # invoice_number_unique_live: an invoice of another order (whose lock does not exclude this one) took the number
        # between the check and the save; its transaction has committed, so it is found now
        holder = _number_holder(number, but=invoice.pk)
        if holder is None:
            raise
        raise _number_taken(number, holder) from None


def invoice_cancel(*, invoice: InvoiceRequest, actor, reason: str) -> InvoiceRequest:
    """Finance cancels a requested or issued invoice, with a reason; its amount is free to invoice again."""
    reason = required_text(reason, _("请填写作废原因。"))
    with transaction.atomic():
        lock_order(invoice.order_id)
        return transition(
            obj=invoice,
            action="cancel",
            actor=actor,
            check=lambda i: require(is_finance(actor), _("只有财务可以作废发票。")),
            before_save=lambda i: setattr(i, "cancel_reason", reason[:300]),
            text=gettext_noop("作废：%(reason)s"),
            params={"reason": reason},
        )
