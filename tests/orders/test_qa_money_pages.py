"""QA on the demo: the money pages reconcile.

- 应收账款, section 按订单: a row shows what the export shows for it — 已发货金额 − 已确认回款 − 红字冲减 = its age buckets
  = 未收金额 (the credit note was missing, so 9,690.50 − 6,000.00 ≠ 1,590.40); the customers' and reps' tables add up
  the same way (应收余额 = its buckets, 余额 = 应收余额 − 预收/应退, a customer's 应收余额 = its orders').
- 对账单: each figure of the summary is what its label says — 本期发货 the shipments only, 本期退款 the refunds paid back,
  besides 拒收退回, 红字冲减 and 回款 — on the page and the PDF, and a refund's (or a payment's) row names the order it is
  allocated to.
"""

from __future__ import annotations

import html as html_module
import re
from datetime import datetime, time, timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from orders import receivables
from orders.exports import receivable_columns
from orders.models import CreditNote, Payment, PaymentAllocation, SalesOrder, Shipment
from orders.statements import customer_statement
from salesops.core.money import ZERO
from salesops.core.numbering import next_number
from salesops.core.sheets import Kind
from tests.factories import CustomerFactory, InvoiceTitleFactory
from tests.orders.conftest import allocated_payment

pytestmark = pytest.mark.django_db


def _qa_book(cast):
    """The demo's case: QA-1 shipped 7,590.40 five days ago and 2,100.10 four days ago, paid 6,000.00 and credited
    2,100.10 (1,590.40 still owed); QA-2 a deposit of 1,000.00 paid back (退款) today. Also QA-3 of another customer
    of alice, shipped 500.00 and not paid."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="宁波对账测试有限公司")
    InvoiceTitleFactory(customer=customer, is_default=True)
    other = CustomerFactory(owner=cast.alice, team=cast.east, name="嘉兴对账测试有限公司")
    today = timezone.localdate()

    def order(number, who=customer):
        return SalesOrder.objects.create(
            number=number,
            customer=who,
            owner=cast.alice,
            created_by=cast.clerk,
            status=SalesOrder.Status.PARTIALLY_SHIPPED,
            amount_incl=D("20000.00"),
            received_on=today - timedelta(days=30),
        )

    def ship(o, number, amount, days_ago):
        note = Shipment.objects.create(
            number=number, order=o, created_by=cast.clerk, status=Shipment.Status.SHIPPED, amount_incl=D(amount)
        )
        moment = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(9)))
        Shipment.objects.filter(pk=note.pk).update(shipped_at=moment)

    qa1 = order("QA-1")
    ship(qa1, "FH-QA-1", "7590.40", 5)
    ship(qa1, "FH-QA-2", "2100.10", 4)
    allocated_payment(qa1, cast, "6000.00", ref="B-QA-1")
    CreditNote.objects.create(number="CN-QA-1", order=qa1, amount=D("2100.10"), reason="质量折让", created_by=cast.clerk)
    qa2 = order("QA-2")
    allocated_payment(qa2, cast, "1000.00", ref="B-QA-2")
    refund = Payment.objects.create(
        number=next_number("TK"),
        customer=customer,
        kind=Payment.Kind.REFUND,
        bank_reference="TK-QA-2",
        amount=D("-1000.00"),
        received_on=today,
        recorded_by=cast.finance,
        status=Payment.Status.CONFIRMED,
    )
    PaymentAllocation.objects.create(payment=refund, order=qa2, amount=D("-1000.00"))
    qa3 = order("QA-3", other)
    ship(qa3, "FH-QA-3", "500.00", 40)
    return customer


def _money(amount: D) -> str:
    return f"{amount:,.2f}"


def _row(html: str, testid: str, number: str) -> str:
    match = re.search(rf'<tr data-testid="{testid}" data-number="{number}">(.*?)</tr>', html, re.DOTALL)
    assert match, number
    return match.group(1)


def _cell(row: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">([^<]*)<', row)


# --- 应收账款 -----------------------------------------------------------------------------------------------------------
def test_a_receivable_row_shows_the_credit_note_and_reconciles_as_the_export(cast, client_as):
    # given QA-1: 9,690.50 shipped, 6,000.00 paid, 2,100.10 credited
    _qa_book(cast)
    # when finance opens the receivables page
    html = client_as(cast.finance).get("/orders/receivables/").content.decode()
    table = html.split('data-testid="receivable-orders"')[1].split("</table>")[0]
    assert "红字冲减" in table and "未收金额" in table
    row = _row(table, "receivable-row", "QA-1")
    # then the row shows the credit note, and shipped − paid − credited = its buckets = what is open
    assert _cell(row, "row-shipped") == ["9,690.50"]
    assert _cell(row, "row-paid") == ["6,000.00"]
    assert _cell(row, "row-credited") == ["2,100.10"]
    assert _cell(row, "row-bucket") == ["1,590.40", "0.00", "0.00", "0.00"]
    assert _cell(row, "row-open") == ["1,590.40"]


def test_every_figure_the_export_shows_of_an_owing_order_the_page_shows(cast, client_as):
    # given the book; the export's rows of the orders finance sees
    _qa_book(cast)
    orders = receivables.receivable_orders_for(cast.finance)
    html = client_as(cast.finance).get("/orders/receivables/").content.decode()
    table = html.split('data-testid="receivable-orders"')[1].split("</table>")[0]
    header = html_module.unescape(table.split("</thead>")[0])
    for r in receivables.receivable_export_rows(orders):
        if r.open == ZERO:  # an order holding money: the 预收/应退 table's
            continue
        row = _row(table, "receivable-row", r.order.number)
        # then each money column of the export with a figure on this owing order is on the page's row, under its title
        for column in receivable_columns():
            value = column.value(r)
            if column.kind != Kind.MONEY or str(column.header) in ("预收/应退", "余额"):  # 0 and = 未收金额 on an owing row
                continue
            assert str(column.header).removesuffix("金额") in header, column.header
            assert _money(value) in row, (column.header, value)
        assert r.shipped - r.paid - r.credited == r.open


def test_the_customers_and_reps_tables_add_up_as_the_orders(cast, client_as):
    # given the book
    customer = _qa_book(cast)
    summary = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance)).summary(head=None)
    owing = receivables.receivable_export_rows(receivables.receivable_orders_for(cast.finance))
    # then each group's 应收余额 is its buckets, its 余额 the 应收余额 less 预收/应退, and a customer's the sum of its orders'
    for group in summary.by_customer + summary.by_owner:
        assert group["open"] == sum(group["buckets"].values(), ZERO)
        assert group["balance"] == group["open"] - group["held"]
    [mine] = [g for g in summary.by_customer if g["who"] == customer]
    assert mine["open"] == sum((r.open for r in owing if r.order.customer_id == customer.pk), ZERO) == D("1590.40")
    [alice] = [g for g in summary.by_owner if g["who"] == cast.alice]
    assert alice["open"] == D("2090.40") and alice["balance"] == D("2090.40")
    # and the page shows them
    html = client_as(cast.finance).get("/orders/receivables/").content.decode()
    by_customer = html.split('data-testid="receivables-by-customer"')[1].split("</table>")[0]
    assert 'data-testid="group-balance">1,590.40' in by_customer
    by_owner = html.split('data-testid="receivables-by-owner"')[1].split("</table>")[0]
    assert 'data-testid="group-balance">2,090.40' in by_owner


# --- 对账单 --------------------------------------------------------------------------------------------------------------
def test_the_statement_summary_says_what_its_labels_say(cast):
    # given the book: 9,690.50 shipped, 1,000.00 refunded, 2,100.10 credited, 7,000.00 received in the period
    customer = _qa_book(cast)
    today = timezone.localdate()
    s = customer_statement(customer, today - timedelta(days=30), today)
    # then 本期发货 is the shipments only and the refund is a figure of its own
    assert (s.opening, s.shipped, s.refused, s.refunded, s.credited, s.received, s.closing) == (
        D("0.00"),
        D("9690.50"),
        D("0.00"),
        D("1000.00"),
        D("2100.10"),
        D("7000.00"),
        D("1590.40"),
    )
    assert s.opening + s.shipped - s.refused + s.refunded - s.credited - s.received == s.closing
    # the columns' totals are unchanged (the 应收 column holds the refund)
    assert (s.owed, s.paid) == (D("10690.50"), D("9100.10"))
    assert [key for key, _label, _amount in s.summary()] == ["shipped", "refused", "refunded", "credited", "received"]
    # and a refund's and a payment's row name it by its number (its bank reference beside) and the order it is allocated to
    numbers = dict(Payment.objects.values_list("bank_reference", "number"))
    assert {(m.number, m.reference): m.order for m in s.moves if m.kind in ("refund", "payment")} == {
        (numbers["B-QA-1"], "B-QA-1"): "QA-1",
        (numbers["B-QA-2"], "B-QA-2"): "QA-2",
        (numbers["TK-QA-2"], "TK-QA-2"): "QA-2",
    }
    assert all(m.reference == "" for m in s.moves if m.kind not in ("refund", "payment"))


def test_the_statement_page_and_pdf_show_each_figure_under_its_label(cast, client_as):
    customer = _qa_book(cast)
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    c = client_as(cast.finance)
    html = c.get(f"/orders/statements/{customer.pk}/", period).content.decode()
    summary = html.split('data-testid="statement-summary"')[1].split('data-testid="statement-table"')[0]
    # then the cards: 本期发货 9,690.50 (not 10,690.50), 本期退款 1,000.00, 本期红字冲减, 本期回款
    assert "本期发货" in summary and 'data-testid="statement-shipped">9,690.50' in summary
    assert "本期退款" in summary and 'data-testid="statement-refunded">1,000.00' in summary
    assert "本期红字冲减" in summary and 'data-testid="statement-credited">2,100.10' in summary
    assert "本期回款" in summary and 'data-testid="statement-received">7,000.00' in summary
    assert 'data-testid="statement-closing">1,590.40' in summary and "10,690.50" not in summary
    # and the refund's row names its order
    refund = re.search(r'data-kind="refund">(.*?)</tr>', html, re.DOTALL).group(1)
    assert "QA-2" in refund and "—" not in refund
    # the PDF has the same summary
    pdf = c.get(f"/orders/statements/{customer.pk}/pdf/", period)
    text = "".join(PdfReader(BytesIO(pdf.content)).pages[0].extract_text().split())
    for label in ("本期发货", "本期退款", "本期红字冲减", "本期回款", "9,690.50", "1,000.00", "1,590.40", "QA-2"):
        assert label in text, label


def test_the_statement_workbook_and_api_give_the_same_figures(cast, client_as, api_as):
    customer = _qa_book(cast)
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    xlsx = client_as(cast.finance).get(f"/orders/statements/{customer.pk}/xlsx/", period)
    ws = load_workbook(BytesIO(xlsx.content)).active
    cells = [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]
    figures = {r[0]: D(str(r[-1])) for r in cells if len(r) == 2 and isinstance(r[-1], int | float)}
    assert (figures["本期发货"], figures["本期退款"], figures["本期红字冲减"], figures["本期回款"]) == (
        D("9690.50"),
        D("1000.00"),
        D("2100.10"),
        D("7000.00"),
    )
    assert figures["期末余额"] == D("1590.40") and any("应收(发货/退款)" in r for r in cells)
    body = api_as(cast.finance).get(f"/api/v1/statements/{customer.pk}/", period).json()
    assert (body["shipped"], body["refunded"], body["credited"], body["received"], body["closing"]) == (
        "9690.50",
        "1000.00",
        "2100.10",
        "7000.00",
        "1590.40",
    )
