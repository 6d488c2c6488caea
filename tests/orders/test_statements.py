"""客户对账单: a customer's statement of account for a period — the opening balance, each shipment (owed), credit note
and confirmed payment (paid) in date order with the running balance, the closing balance — on the page, as PDF and
Excel, and through the API; for who may see the customer and handles money (the hand-computed November of
tests/reports/books.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from orders.statements import customer_statement
from tests.reports.books import make_book

pytestmark = pytest.mark.django_db
NOV = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def book(cast):
    return make_book(cast)


def test_a_month_of_shipments_and_payments_adds_up_to_what_is_owed(book):
    s = customer_statement(book.jia, date(2026, 11, 1), date(2026, 11, 30))
    assert s.opening == D("0.00")
    # O1's part shipment, its payment, O6, O2 shipped at 23:59 on the 30th; O2's payment only recorded, O3 in December
    assert [(m.day.day, m.kind, m.owed, m.paid, m.balance) for m in s.moves] == [
        (10, "shipment", D("4000.00"), None, D("4000.00")),
        (12, "payment", None, D("3000.00"), D("1000.00")),
        (21, "shipment", D("1000.00"), None, D("2000.00")),
        (30, "shipment", D("5000.00"), None, D("7000.00")),
    ]
    assert (s.owed, s.paid, s.closing) == (D("10000.00"), D("3000.00"), D("7000.00"))
    december = customer_statement(book.jia, date(2026, 12, 1), date(2026, 12, 31))
    assert (december.opening, december.closing) == (D("7000.00"), D("14000.00"))  # O3 shipped at 00:00 on 12-01


def test_a_credit_note_is_paid_and_a_cancelled_order_counts_nowhere(book):
    s = customer_statement(book.yi, date(2026, 11, 1), date(2026, 11, 30))
    assert s.opening == D("2000.00")  # O5 shipped in October; O4 cancelled
    assert [(m.kind, m.number, m.paid, m.balance) for m in s.moves] == [
        ("credit", "CN-T1", D("500.00"), D("1500.00")),
        ("payment", s.moves[1].number, D("1000.00"), D("500.00")),
    ]
    assert s.closing == D("500.00")


def test_the_page_and_its_downloads(book, client_as):
    c = client_as(book.cast.clerk)
    page = c.get(f"/orders/statements/{book.jia.pk}/", NOV)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="statement-move"') == 4 and 'data-testid="statement-closing">7,000.00' in html
    pdf = c.get(f"/orders/statements/{book.jia.pk}/pdf/", NOV)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "20261101-20261130.pdf" in pdf["Content-Disposition"]
    text = PdfReader(BytesIO(pdf.content)).pages[0].extract_text()
    assert "客 户 对 账 单" in text and "甲客户" in text and "7,000.00" in text and "客户确认（盖章）" in text
    xlsx = c.get(f"/orders/statements/{book.jia.pk}/xlsx/", NOV)
    ws = load_workbook(BytesIO(xlsx.content)).active
    cells = [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]
    assert any(r[:1] == ["期初余额"] and D(str(r[-1])) == D("0.00") for r in cells)
    assert any(r[:1] == ["期末余额"] and D(str(r[-1])) == D("7000.00") for r in cells)
    assert sum(1 for r in cells if r[1:2] in (["发货"], ["回款"])) == 4
    customer_page = c.get(book.jia.get_absolute_url()).content.decode()
    assert f'href="/orders/statements/{book.jia.pk}/"' in customer_page
    by_customer = c.get("/orders/receivables/").content.decode().split('data-testid="receivables-by-customer"')[1]
    assert f'href="/orders/statements/{book.jia.pk}/" data-testid="group-statement"' in by_customer  # chasing a payment


def test_a_wrong_period_is_refused_with_its_reason(book, client_as, api_as):
    bad = {"start": "2026-11-30", "end": "2026-11-01"}
    page = client_as(book.cast.clerk).get(f"/orders/statements/{book.jia.pk}/", bad)
    assert page.status_code == 400 and "结束日期不能早于开始日期" in page.content.decode()
    answer = api_as(book.cast.clerk).get(f"/api/v1/statements/{book.jia.pk}/", bad)
    assert answer.status_code == 400 and "结束日期不能早于开始日期" in answer.json()["detail"]
    assert api_as(book.cast.clerk).get(f"/api/v1/statements/{book.jia.pk}/", {"start": "2026-13-01"}).status_code == 400


@pytest.mark.parametrize(
    "who, status",
    [("alice", 200), ("lena", 200), ("clerk", 200), ("finance", 200), ("manager", 200), ("gm", 200)]
    + [("carol", 404), ("warehouse", 403), ("qc", 403), ("service", 403)],
)
def test_who_reads_a_customers_statement(book, client_as, api_as, who, status):
    user = getattr(book.cast, who)
    assert client_as(user).get(f"/orders/statements/{book.jia.pk}/", NOV).status_code == status
    answer = api_as(user).get(f"/api/v1/statements/{book.jia.pk}/", NOV)
    assert answer.status_code == status
    if status == 200:
        body = answer.json()
        assert (body["opening"], body["owed"], body["paid"], body["closing"]) == ("0.00", "10000.00", "3000.00", "7000.00")
        assert [m["kind_display"] for m in body["moves"]] == ["发货", "回款", "发货", "发货"]
