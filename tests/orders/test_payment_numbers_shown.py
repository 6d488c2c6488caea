"""Wherever a user sees a payment (回款 HK-…, 退款 TK-…) or an invoice request (开票申请 KP-…), it is named by its number:
the customer statement (page, PDF, Excel, API) with the bank reference beside it, the order page's allocations (linked
to the payment's page for who may open it), the messages after each step, the notifications and the order's history,
the refusal of a bank reference entered twice, the order and work-queue API; the invoice pages no longer show the
small #id beside the number."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from orders import services
from orders.models import InvoiceRequest, Payment
from orders.services.payments import refund_record
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event, Notification

from .conftest import fresh, record

pytestmark = pytest.mark.django_db

MONTH = timezone.localdate().strftime("%Y%m")


def n(prefix: str, k: int) -> str:
    return f"{prefix}-{MONTH}-{k:04d}"


def said(response) -> str:
    """The message the step left (the last: the earlier ones wait unread, the redirects not followed)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def refunded(cast, order):
    """The order (11,300.00, not shipped): a deposit of 3,000.00 received (HK-…-0001, BANK-ST-1, confirmed) and 1,000.00
    of it paid back (TK-…-0001, REF-ST-1)."""
    deposit = record(cast, order, "3000.00", "BANK-ST-1")
    services.payment_confirm(payment=deposit, actor=cast.finance)
    refund_record(actor=cast.finance, order=order, data={"amount": "1000.00", "bank_reference": "REF-ST-1"})
    return fresh(order)


def period() -> dict:
    today = timezone.localdate()
    return {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()}


# --- 对账单 ---------------------------------------------------------------------------------------------------------------
def test_the_statement_names_a_payment_and_a_refund_by_number_with_the_bank_reference(cast, client_as, api_as, refunded):
    c = client_as(cast.finance)
    url = reverse("orders:statement", args=[refunded.customer_id])
    # the page: the 单号 cell holds the number, the bank reference under it
    page = c.get(url, period()).content.decode()
    payment = re.search(r'data-kind="payment">(.*?)</tr>', page, re.DOTALL).group(1)
    refund = re.search(r'data-kind="refund">(.*?)</tr>', page, re.DOTALL).group(1)
    assert re.search(rf'data-testid="statement-number">{n("HK", 1)}<', payment)
    assert re.search(r'data-testid="statement-reference">流水号 BANK-ST-1<', payment)
    assert re.search(rf'data-testid="statement-number">{n("TK", 1)}<', refund) and "流水号 REF-ST-1" in refund
    # the PDF: both
    pdf = c.get(reverse("orders:statement_download", args=[refunded.customer_id, "pdf"]), period())
    text = "".join(PdfReader(BytesIO(pdf.content)).pages[0].extract_text().split())
    for shown in (n("HK", 1), "BANK-ST-1", n("TK", 1), "REF-ST-1"):
        assert shown in text, shown
    # the workbook: the number under 单号, the bank reference in a column of its own; the totals still add up
    xlsx = c.get(reverse("orders:statement_download", args=[refunded.customer_id, "xlsx"]), period())
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(r for r in rows if "单号" in r)
    number_at, reference_at = header.index("单号"), header.index("银行流水号/票据号")
    moves = {r[number_at]: r[reference_at] for r in rows if str(r[number_at] or "").startswith(("HK-", "TK-"))}
    assert moves == {n("HK", 1): "BANK-ST-1", n("TK", 1): "REF-ST-1"}
    closing = next(r for r in rows if r[0] == "期末余额")
    assert D(str([v for v in closing if v is not None][-1])) == D("-2000.00")  # 2,000.00 received in advance
    # the API: the number, and the bank reference as `reference` ("" for a shipment or a credit note)
    body = api_as(cast.finance).get(f"/api/v1/statements/{refunded.customer_id}/", period()).json()
    assert [(m["kind"], m["number"], m["reference"]) for m in body["moves"]] == [
        ("payment", n("HK", 1), "BANK-ST-1"),
        ("refund", n("TK", 1), "REF-ST-1"),
    ]


# --- the order page ----------------------------------------------------------------------------------------------------------
def allocation_rows(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="allocation-row".*?</tr>', page, re.DOTALL)


def test_the_order_page_names_each_allocation_by_its_payment_number_linked_for_who_may_open_it(cast, client_as, refunded):
    deposit, refund = Payment.objects.get(number=n("HK", 1)), Payment.objects.get(number=n("TK", 1))
    url = reverse("orders:order_detail", args=[refunded.pk])
    # finance: each allocation's number links to its payment's page, the bank reference beside it, a refund says so
    rows = allocation_rows(client_as(cast.finance).get(url).content.decode())
    assert len(rows) == 2
    for payment, row in zip((deposit, refund), rows, strict=True):
        link = f'<a href="{reverse("orders:payment_detail", args=[payment.pk])}"'
        assert link in row and f'data-testid="allocation-payment">{payment.number}</a>' in row
        assert payment.bank_reference in row
    assert "退款" in rows[1] and "退款" not in rows[0]
    # the warehouse sees the order but not payments: the number, not a link it could not open
    page = client_as(cast.warehouse).get(url)
    assert page.status_code == 200
    rows = allocation_rows(page.content.decode())
    assert all("/orders/payments/" not in row for row in rows)
    assert [re.search(r'data-testid="allocation-payment">([^<]+)<', row).group(1) for row in rows] == [n("HK", 1), n("TK", 1)]


def test_the_order_api_gives_each_allocation_its_payment_number(cast, api_as, refunded):
    body = api_as(cast.finance).get(f"/api/v1/orders/{refunded.pk}/").json()
    assert sorted((a["payment_number"], a["bank_reference"], a["amount"]) for a in body["allocations"]) == [
        (n("HK", 1), "BANK-ST-1", "3000.00"),
        (n("TK", 1), "REF-ST-1", "-1000.00"),
    ]


# --- messages, notifications, history --------------------------------------------------------------------------------------
def test_the_payment_pages_messages_name_the_number_and_the_bank_reference(cast, client_as, order):
    clerk, finance = client_as(cast.clerk), client_as(cast.finance)
    recorded = clerk.post(
        reverse("orders:payment_create") + f"?customer={order.customer_id}",
        {
            "amount": "3000.00",
            "bank_reference": "BANK-MSG-1",
            "received_on": timezone.localdate(),
            "kind": "deposit",
            "method": "bank",
            f"alloc_{order.pk}": "3000.00",
        },
    )
    payment = Payment.objects.get(bank_reference="BANK-MSG-1")
    assert recorded.status_code == 302 and said(recorded) == f"回款 {n('HK', 1)} 已登记（BANK-MSG-1），待财务确认。"
    confirmed = finance.post(reverse("orders:payment_confirm", args=[payment.pk]))
    assert said(confirmed) == f"回款 {n('HK', 1)}（BANK-MSG-1）已确认到账。"
    refunded = finance.post(
        reverse("orders:refund_create", args=[order.pk]),
        {"amount": "1000.00", "bank_reference": "REF-MSG-1", "received_on": timezone.localdate(), "method": "bank"},
    )
    assert refunded.status_code == 302 and said(refunded) == f"退款 {n('TK', 1)} 已登记：1,000.00 元（REF-MSG-1）。"
    refund = Payment.objects.get(bank_reference="REF-MSG-1")
    # voiding: the form's title and the message name the refund by its number
    form = finance.get(reverse("orders:payment_void", args=[refund.pk])).content.decode()
    assert f"作废退款：{n('TK', 1)}（REF-MSG-1）" in form
    voided = finance.post(reverse("orders:payment_void", args=[refund.pk]), {"reason": "录错"})
    assert said(voided) == f"退款 {n('TK', 1)}（REF-MSG-1）已作废。"
    voided = finance.post(reverse("orders:payment_void", args=[payment.pk]), {"reason": "录错"})
    assert said(voided) == f"回款 {n('HK', 1)}（BANK-MSG-1）已作废。"


def test_the_payment_lists_void_dialog_names_the_number(cast, client_as, order):
    payment = record(cast, order, "100.00", "BANK-DLG-1")
    page = client_as(cast.finance).get(reverse("orders:payment_list")).content.decode()
    dialog = re.search(rf'id="confirm-void-{payment.pk}".*?</form>', page, re.DOTALL).group(0)
    assert payment.number in dialog and "BANK-DLG-1" not in dialog


def test_the_invoice_pages_messages_name_the_request_by_number(cast, client_as, delivered):
    clerk, finance = client_as(cast.clerk), client_as(cast.finance)
    asked = clerk.post(
        reverse("orders:invoice_create", args=[delivered.pk]),
        {"amount": "1000.00", "invoice_type": "special", "invoice_title": delivered.customer.invoice_titles.get().pk},
    )
    assert asked.status_code == 302 and said(asked) == f"开票申请 {n('KP', 1)} 已提交财务。"
    invoice = InvoiceRequest.objects.get()
    issued = finance.post(reverse("orders:invoice_issue", args=[invoice.pk]), {"numbers": "00012345"})
    assert said(issued) == f"开票申请 {n('KP', 1)} 已开票，发票号码 00012345。"
    cancelled = finance.post(reverse("orders:invoice_cancel", args=[invoice.pk]), {"reason": "抬头错误"})
    assert said(cancelled) == f"开票申请 {n('KP', 1)} 已作废。"


def test_finance_is_told_of_payments_and_invoice_requests_by_number(cast, delivered):
    # the payment recorded: its number, the bank reference beside
    assert Notification.objects.filter(recipient=cast.finance, title__startswith=f"回款待确认 {n('HK', 1)}：").exists()
    told = Notification.objects.get(recipient=cast.finance, title__startswith="回款待确认")
    assert "BANK-DLV-1" in told.title and told.params["number"] == n("HK", 1)
    # the invoice request: its number, linking to its page (where finance issues it)
    invoice = services.invoice_request(order=delivered, actor=cast.clerk, amount="1000.00")
    told = Notification.objects.get(recipient=cast.finance, title__startswith="开票申请")
    assert told.title.startswith(f"开票申请 {invoice.number}：订单 {delivered.number}")
    assert told.url == reverse("orders:invoice_detail", args=[invoice.pk])


def test_the_orders_history_names_each_payment_and_refund_by_number(cast, refunded):
    texts = [e.text for e in Event.objects.filter(target_id=refunded.pk, msgid__regex=r"^(登记回款|财务确认到账|财务已退款)")]
    assert f"登记回款 {n('HK', 1)}：3,000.00 元（BANK-ST-1），待财务确认" in texts
    assert f"财务确认到账 {n('HK', 1)}：3,000.00 元（BANK-ST-1）" in texts
    assert any(t.startswith(f"财务已退款 {n('TK', 1)}：1,000.00 元（REF-ST-1，") for t in texts)


def test_a_bank_reference_entered_twice_is_refused_naming_the_payment_that_holds_it(cast, order, refunded):
    with pytest.raises(Conflict, match=f"银行流水号 BANK-ST-1 已登记为回款 {n('HK', 1)}，不能重复登记"):
        record(cast, order, "10.00", "bank-st-1")
    with pytest.raises(Conflict, match=f"银行流水号 REF-ST-1 已登记为退款 {n('TK', 1)}，不能重复登记"):
        refund_record(actor=cast.finance, order=order, data={"amount": "10.00", "bank_reference": "REF-ST-1"})
    # a voided payment holds nothing any more
    services.payment_void(payment=Payment.objects.get(number=n("TK", 1)), actor=cast.finance, reason="录错")
    assert record(cast, order, "10.00", "REF-ST-1").number == n("HK", 2)


def test_an_order_amount_below_its_payments_names_them_by_number(cast, order):
    record(cast, order, "3000.00", "BANK-LOW-1")
    with pytest.raises(DomainError, match=rf"低于已分配的回款 3,000.00 元（{n('HK', 1)}）"):
        services.order_update(
            order=order, actor=cast.clerk, data={}, lines={order.lines.get().pk: {"quantity": "1"}}, reason="改数量"
        )


# --- the invoice pages --------------------------------------------------------------------------------------------------------
def test_the_invoice_pages_show_the_number_and_no_small_id(cast, client_as, delivered):
    invoice = services.invoice_request(order=delivered, actor=cast.clerk, amount="1000.00")
    finance = client_as(cast.finance)
    detail = finance.get(reverse("orders:invoice_detail", args=[invoice.pk])).content.decode()
    title = re.search(r'data-testid="invoice-number">[^<]+</span>(.*?)</h1>', detail, re.DOTALL)
    assert f'data-testid="invoice-number">{invoice.number}</span>' in detail and 'data-testid="invoice-id"' not in detail
    assert title is None or f"#{invoice.pk}" not in title.group(1)
    listed = finance.get(reverse("orders:invoice_list")).content.decode()
    row = re.search(r'<tr data-testid="invoice-row".*?</tr>', listed, re.DOTALL).group(0)
    assert invoice.number in row and f"#{invoice.pk}<" not in row and invoice.tax_id in row


# --- the work queue API ------------------------------------------------------------------------------------------------------
def test_the_finance_queue_api_names_a_payment_by_number_with_its_reference(cast, api_as, order):
    payment = record(cast, order, "100.00", "BANK-Q-1")
    queues = {q["code"]: q for q in api_as(cast.finance).get("/api/v1/work/finance/").json()["queues"]}
    [item] = [i for i in queues["payments_to_confirm"]["items"] if i["id"] == payment.pk]
    assert (item["type"], item["number"], item["reference"]) == ("payment", payment.number, "BANK-Q-1")
    assert all(i["reference"] == "" for i in queues["invoices_to_issue"]["items"])


def test_the_order_pages_invoice_panel_names_each_request_by_number_linked_for_who_may_open_it(cast, client_as, delivered):
    services.invoice_request(order=delivered, actor=cast.clerk, amount="1000.00", invoice_type="special")
    invoice = InvoiceRequest.objects.get()
    url = reverse("orders:order_detail", args=[delivered.pk])
    panel = client_as(cast.clerk).get(url).content.decode().split('data-testid="order-invoices"')[1].split("</table>")[0]
    assert f'href="{reverse("orders:invoice_detail", args=[invoice.pk])}"' in panel and invoice.number == n("KP", 1)
    assert f'data-testid="invoice-request-link">{invoice.number}</a>' in panel
    # the warehouse sees the order, not invoice requests: the number, not a link it could not open
    panel = client_as(cast.warehouse).get(url).content.decode().split('data-testid="order-invoices"')[1].split("</table>")[0]
    assert invoice.number in panel and reverse("orders:invoice_detail", args=[invoice.pk]) not in panel
