"""客户对账单: a customer's statement of account for a period — the opening balance, each shipment (owed), credit note
and confirmed payment (paid) in date order with the running balance, the closing balance — on the page, as PDF and
Excel, and through the API; for who may see the customer and handles money (the hand-computed November of
tests/reports/books.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from orders.models import Payment
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


# --- refunds, the order of a day's moves, and the receivables' balance ---------------------------------------------------
def _statement_book(cast):
    """A customer with: O1 paid and credited 300 (held), O2 owing 2,000, O3 a deposit of 700 with 200 shipped (500
    held), O4 paid, credited 200 and the 200 refunded, O5 shipped 1,000 with 400 refused and received back, paid 300."""
    from orders.models import CreditNote, RefusalReturn, SalesOrder, Shipment
    from orders.services.payments import refund_record
    from tests.factories import CustomerFactory, InvoiceTitleFactory
    from tests.orders.conftest import allocated_payment

    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="温州对账测试有限公司")
    InvoiceTitleFactory(customer=customer, is_default=True)
    today = timezone.localdate()
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=5), time(9)))

    def order(number, *, shipped=None, paid=None, credit=None):
        o = SalesOrder.objects.create(
            number=number,
            customer=customer,
            owner=cast.alice,
            created_by=cast.clerk,
            status=SalesOrder.Status.PARTIALLY_SHIPPED,
            amount_incl=D("5000.00"),
            received_on=today - timedelta(days=30),
        )
        note = None
        if shipped:
            note = Shipment.objects.create(
                number=f"FH-{number}", order=o, created_by=cast.clerk, status=Shipment.Status.SHIPPED, amount_incl=D(shipped)
            )
            Shipment.objects.filter(pk=note.pk).update(shipped_at=moment)
        if paid:
            allocated_payment(o, cast, paid, ref=f"B-{number}")
        if credit:
            CreditNote.objects.create(number=f"CN-{number}", order=o, amount=D(credit), reason="退货", created_by=cast.clerk)
        return o, note

    order("ST-1", shipped="1000.00", paid="1000.00", credit="300.00")
    order("ST-2", shipped="2000.00")
    order("ST-3", shipped="200.00", paid="700.00")
    o4, _note = order("ST-4", shipped="800.00", paid="800.00", credit="200.00")
    refund_record(actor=cast.finance, order=o4, data={"amount": "200.00", "bank_reference": "TK-ST-4"})
    o5, note5 = order("ST-5", shipped="1000.00", paid="300.00")
    Shipment.objects.filter(pk=note5.pk).update(returned_amount=D("400.00"))
    RefusalReturn.objects.create(
        shipment=note5, order=o5, received_on=today - timedelta(days=5), amount_incl=D("400.00"), received_by=cast.warehouse
    )
    return customer


def test_a_refund_raises_the_balance_and_the_moves_of_a_day_keep_their_order(cast):
    # given the book above (shipments and the refusal five days ago, the rest today)
    customer = _statement_book(cast)
    today = timezone.localdate()
    s = customer_statement(customer, today - timedelta(days=30), today)
    # then the refund is a move 退款 in the owed column, after the day's payments
    refund = next(m for m in s.moves if m.kind == "refund")
    number = Payment.objects.get(bank_reference="TK-ST-4").number  # named by its number, its bank reference beside
    assert (refund.kind_label, refund.number, refund.reference, refund.owed, refund.paid) == (
        "退款",
        number,
        "TK-ST-4",
        D("200.00"),
        None,
    )
    kinds = [m.kind for m in s.moves]
    assert kinds == sorted(kinds, key=["shipment", "refused", "credit", "payment", "refund"].index)
    assert kinds.index("refused") > max(i for i, k in enumerate(kinds) if k == "shipment")  # after its own shipment
    # 5,000 shipped − 400 back + 200 refunded; 500 credited + 2,800 received
    assert (s.owed, s.paid, s.closing) == (D("4800.00"), D("3300.00"), D("1500.00"))


def test_the_receivables_balance_of_a_customer_is_its_statements_closing_balance(cast, client_as, api_as):
    # given the book above, every order visible to finance
    from orders import receivables

    customer = _statement_book(cast)
    today = timezone.localdate()
    closing = customer_statement(customer, today - timedelta(days=30), today).closing
    summary = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance)).summary(head=None)
    [group] = [g for g in summary.by_customer if g["who"] == customer]
    # then 应收 2,300 (ST-2 2,000 + ST-5 300) less 预收/应退 800 (ST-1 300 + ST-3 500) = the statement's 1,500
    assert (group["open"], group["held"], group["balance"]) == (D("2300.00"), D("800.00"), D("1500.00"))
    assert group["balance"] == closing
    assert {r.order.number: r.held for r in summary.held} == {"ST-1": D("300.00"), "ST-3": D("500.00")}
    body = api_as(cast.finance).get(f"/api/v1/statements/{customer.pk}/", {"start": today - timedelta(days=30), "end": today})
    assert body.json()["closing"] == "1500.00" and "refund" in [m["kind"] for m in body.json()["moves"]]
    html = client_as(cast.finance).get("/orders/receivables/").content.decode().split('data-testid="receivables-by-customer"')[1]
    assert 'data-testid="group-balance">1,500.00' in html
