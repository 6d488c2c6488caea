"""Invoice requests (开票申请) and payments (回款) have a document number of their own, drawn by the service that creates
them (salesops.core.numbering.next_number): KP-YYYYMM-NNNN for an invoice request, HK-YYYYMM-NNNN for money received
and TK-YYYYMM-NNNN for a refund (a Payment of kind refund). The lists show it first, linking to the detail page, the
detail page names it, the API and the exports carry it, and the lists' search finds it. Migration 0020 numbers the
rows written before (number_existing), from the counters next_number draws from."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from importlib import import_module
from io import BytesIO

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders import services
from orders.models import InvoiceRequest, Payment
from orders.services.payments import refund_record
from salesops.core.errors import Conflict
from salesops.core.models import DocumentSequence, Event
from salesops.core.numbering import next_number

from .conftest import fresh, record

pytestmark = pytest.mark.django_db

MONTH = timezone.localdate().strftime("%Y%m")


def n(prefix: str, k: int, month: str = MONTH) -> str:
    return f"{prefix}-{month}-{k:04d}"


@pytest.fixture
def invoices(cast, delivered):
    """Two invoice requests of the delivered order."""
    first = services.invoice_request(order=delivered, actor=cast.clerk, amount="1000.00")
    second = services.invoice_request(order=delivered, actor=cast.clerk, amount="2000.00")
    return first, second


@pytest.fixture
def second_order(cast, customer, pump):
    """Another order of the same customer (11,300.00), nothing paid."""
    return services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])


# --- the services -------------------------------------------------------------------------------------------------------
def test_invoice_requests_are_numbered_kp_in_sequence(cast, invoices):
    # given two invoice requests asked one after the other / then they are KP-<this month>-0001 and -0002, stored
    first, second = invoices
    assert (fresh(first).number, fresh(second).number) == (n("KP", 1), n("KP", 2))
    assert str(first).startswith(n("KP", 1))
    # and the next invoice request of any order continues the same counter
    assert next_number(InvoiceRequest.NUMBER_PREFIX) == n("KP", 3)


def test_the_order_timeline_names_the_invoice_requests_number(cast, invoices, delivered):
    # when an invoice is asked for / then the order's history names it by its number, not by its amount alone
    event = Event.objects.filter(target_id=delivered.pk, msgid__startswith="申请开票 %(number)s").get(params__number=n("KP", 1))
    assert event.params["amount"] == "1,000.00"


def test_payments_are_hk_and_refunds_tk_each_in_their_own_sequence(cast, order):
    # given a deposit recorded and confirmed on an order not shipped
    deposit = record(cast, order, "3000.00", "BANK-DEP-1")
    services.payment_confirm(payment=deposit, actor=cast.finance)
    # when finance pays 1,000 of it back, and another receipt is recorded
    refund = refund_record(actor=cast.finance, order=order, data={"amount": "1000.00", "bank_reference": "REF-1"})
    later = record(cast, order, "500.00", "BANK-DEP-2")
    # then the receipts are HK in sequence, the refund TK, each counter its own
    assert (deposit.number, fresh(later).number) == (n("HK", 1), n("HK", 2))
    assert fresh(refund).number == n("TK", 1) and refund.kind == Payment.Kind.REFUND
    assert str(fresh(refund)).startswith(n("TK", 1))
    numbers = list(Payment.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 3


def test_a_refused_payment_gives_its_number_back(cast, order):
    # given a payment recorded
    record(cast, order, "1000.00", "BANK-DUP")
    # when the same bank reference is entered again, it is refused
    with pytest.raises(Conflict):
        record(cast, order, "1000.00", "BANK-DUP")
    # then the next payment takes the number after the first: no gap
    assert record(cast, order, "500.00", "BANK-OK").number == n("HK", 2)


# --- pages ----------------------------------------------------------------------------------------------------------------
def first_cell_link(page: str, testid: str) -> list[tuple[str, str]]:
    """(href, text) of every `testid` link of the page."""
    return re.findall(rf'<a href="([^"]+)"[^>]*data-testid="{testid}">([^<]+)</a>', page)


def test_the_invoice_list_and_detail_show_the_number(cast, client_as, invoices):
    first, second = invoices
    # when finance opens the invoice list / then each row starts with its number, linking to its page
    page = client_as(cast.finance).get(reverse("orders:invoice_list")).content.decode()
    links = first_cell_link(page, "invoice-number")
    detail = reverse("orders:invoice_detail", args=[first.pk])
    assert (detail, n("KP", 1)) in links and (reverse("orders:invoice_detail", args=[second.pk]), n("KP", 2)) in links
    header = re.search(r"<thead.*?</thead>", page, re.DOTALL).group(0)
    assert header.index("开票申请单号") < header.index("订单")
    # and the detail page's title names it
    body = client_as(cast.finance).get(detail).content.decode()
    assert f'data-testid="invoice-number">{n("KP", 1)}</span>' in body
    assert re.search(rf"<title>[^<]*{n('KP', 1)}", body)


def test_the_payment_list_and_detail_show_the_number(cast, client_as, delivered):
    payment = Payment.objects.get()
    page = client_as(cast.finance).get(reverse("orders:payment_list")).content.decode()
    assert (reverse("orders:payment_detail", args=[payment.pk]), n("HK", 1)) in first_cell_link(page, "payment-number")
    header = re.search(r"<thead.*?</thead>", page, re.DOTALL).group(0)
    assert header.index("回款单号") < header.index("银行流水号/票据号")
    body = client_as(cast.finance).get(reverse("orders:payment_detail", args=[payment.pk])).content.decode()
    assert f'data-testid="payment-number">{n("HK", 1)}</span>' in body


def test_the_finance_work_page_names_payments_and_invoices_by_number(cast, client_as, second_order, invoices):
    # given a payment waiting for finance and invoice requests waiting to be issued
    waiting = record(cast, second_order, "100.00", "BANK-WAIT")
    # when finance opens the work page / then the rows name them by number
    page = client_as(cast.finance).get(reverse("orders:finance_queue")).content.decode()
    assert (reverse("orders:payment_detail", args=[waiting.pk]), waiting.number) in first_cell_link(page, "payment-number")
    assert (reverse("orders:invoice_detail", args=[invoices[0].pk]), n("KP", 1)) in first_cell_link(page, "invoice-number")


def test_the_lists_are_searched_by_number_on_the_page(cast, client_as, invoices, delivered):
    second = invoices[1]
    page = client_as(cast.finance).get(reverse("orders:invoice_list"), {"q": n("KP", 2)}).content.decode()
    assert re.findall(r'data-invoice-id="(\d+)"', page) == [str(second.pk)]
    page = client_as(cast.finance).get(reverse("orders:payment_list"), {"q": n("HK", 1)}).content.decode()
    assert first_cell_link(page, "payment-number") == [
        (reverse("orders:payment_detail", args=[Payment.objects.get().pk]), n("HK", 1))
    ]
    page = client_as(cast.finance).get(reverse("orders:payment_list"), {"q": "HK-000000"}).content.decode()
    assert 'data-testid="list-empty"' in page


# --- the API --------------------------------------------------------------------------------------------------------------
def test_the_api_lists_shows_and_searches_the_numbers(cast, api_as, invoices, second_order):
    order = second_order
    api = api_as(cast.finance)
    first, second = invoices
    # the invoice list and detail carry the number, read-only
    listed = api.get("/api/v1/invoices/").json()["results"]
    assert {row["number"] for row in listed} == {n("KP", 1), n("KP", 2)}
    assert api.get(f"/api/v1/invoices/{first.pk}/").json()["number"] == n("KP", 1)
    found = api.get("/api/v1/invoices/", {"q": n("KP", 2)}).json()
    assert [row["id"] for row in found["results"]] == [second.pk]
    # a payment recorded through the API answers with its number; the list finds it by number, part of it too
    other = record(cast, order, "100.00", "BANK-API-0")
    created = api.post(
        "/api/v1/payments/",
        {"customer": order.customer_id, "amount": "200.00", "bank_reference": "BANK-API-1", "allocations": {order.pk: "200.00"}},
        format="json",
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert number == n("HK", int(other.number[-4:]) + 1)
    assert api.get(f"/api/v1/payments/{created.json()['id']}/").json()["number"] == number
    assert [row["number"] for row in api.get("/api/v1/payments/", {"q": number}).json()["results"]] == [number]
    assert [row["id"] for row in api.get("/api/v1/payments/", {"q": other.number[-7:]}).json()["results"]] == [other.pk]
    # the bank reference is still searched as before
    assert [row["number"] for row in api.get("/api/v1/payments/", {"q": "BANK-API-1"}).json()["results"]] == [number]


def test_an_api_refund_answers_with_its_tk_number(cast, api_as, order):
    deposit = record(cast, order, "3000.00", "BANK-DEP-API")
    services.payment_confirm(payment=deposit, actor=cast.finance)
    r = api_as(cast.finance).post(
        "/api/v1/payments/refund/", {"order": order.pk, "amount": "100.00", "bank_reference": "REF-API"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["number"] == n("TK", 1)


# --- exports --------------------------------------------------------------------------------------------------------------
def sheet(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def test_the_exports_carry_the_number_first(cast, client_as, invoices):
    ws = sheet(client_as(cast.finance).get(reverse("core:list_export", args=["invoices"])))
    assert ws[1][0].value == "开票申请单号"
    assert sorted(row[0] for row in ws.iter_rows(min_row=2, values_only=True) if str(row[0] or "").startswith("KP-")) == [
        n("KP", 1),
        n("KP", 2),
    ]
    ws = sheet(client_as(cast.finance).get(reverse("core:list_export", args=["payments"])))
    assert ws[1][0].value == "回款单号"
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if str(row[0] or "").startswith("HK-")] == [n("HK", 1)]


# --- the migration ---------------------------------------------------------------------------------------------------------
def backfill():
    import_module("orders.migrations.0020_invoice_payment_numbers").number_existing(global_apps, None)


def test_the_migration_numbers_old_rows_after_the_counter_and_advances_it(cast, invoices, delivered):
    # given an invoice request and a payment written before numbers existed (no number), while this month's counters
    # already stand at 2 invoice requests and 1 payment
    old_invoice, old_payment = invoices[0], Payment.objects.get()
    InvoiceRequest.objects.filter(pk=old_invoice.pk).update(number="")
    Payment.objects.filter(pk=old_payment.pk).update(number="")
    # when the migration numbers them
    backfill()
    # then each takes the next number of its counter, its history rows carry it, and next_number continues after it
    assert fresh(old_invoice).number == n("KP", 3) and fresh(old_payment).number == n("HK", 2)
    assert set(old_invoice.history.values_list("number", flat=True)) == {n("KP", 3)}
    assert set(old_payment.history.values_list("number", flat=True)) == {n("HK", 2)}
    assert next_number("KP") == n("KP", 4) and next_number("HK") == n("HK", 3)
    # and the rows already numbered keep their numbers: running it again changes nothing
    backfill()
    assert fresh(invoices[1]).number == n("KP", 2) and fresh(old_invoice).number == n("KP", 3)


def test_the_migration_numbers_an_old_refund_tk_in_the_month_it_was_recorded(cast, order):
    # given a refund recorded last month, before numbers existed
    deposit = record(cast, order, "3000.00", "BANK-MIG")
    services.payment_confirm(payment=deposit, actor=cast.finance)
    refund = refund_record(actor=cast.finance, order=order, data={"amount": "100.00", "bank_reference": "REF-MIG"})
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    moment = timezone.make_aware(datetime.combine(last_month, time(12)))
    Payment.objects.filter(pk=refund.pk).update(number="", recorded_at=moment)
    # when the migration runs / then it is the first TK number of that month, and that month's counter says so
    backfill()
    month = last_month.strftime("%Y%m")
    assert fresh(refund).number == n("TK", 1, month)
    assert DocumentSequence.objects.get(prefix="TK", period=month).last_number == 1
