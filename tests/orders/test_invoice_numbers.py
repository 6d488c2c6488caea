"""发票号码 as QA found them on the demo: two invoices of two customers both numbered "abc". An issued invoice's number
is 8 to 20 digits (paper VAT invoice 8, 数电发票 20), spaces removed, and on no two invoices that are not cancelled —
checked by orders.services.invoice_issue under the order's lock and held by the constraint invoice_number_unique_live
(orders 0015) when two are issued at the same moment. Also: the invoice-request errors write their amounts as money."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import InvoiceRequest, SalesOrder
from orders.services import invoices as invoice_services
from salesops.core.errors import Conflict, DomainError
from salesops.core.numbering import next_number
from tests.core.conftest import run_in_threads
from tests.factories import CustomerFactory, UserFactory

from .conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db
INVOICES = "/api/v1/invoices/"
PAPER = "04400001"  # a paper VAT invoice: 8 digits
DIGITAL = "26312000000012345678"  # 数电发票: 20 digits


def requested_invoice(cast, name: str, number: str, amount: str = "1130.00") -> InvoiceRequest:
    """An order of a customer `name` with one invoice requested (not issued)."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name=name)
    order = SalesOrder.objects.create(
        number=number, customer=customer, owner=cast.alice, received_on=timezone.localdate(), amount_incl=D(amount),
        created_by=cast.clerk,
    )  # fmt: skip
    return InvoiceRequest.objects.create(
        number=next_number("KP"), order=order, title=name, tax_id="91320500000000000X", amount=D(amount), requested_by=cast.clerk
    )


@pytest.fixture
def two(cast):
    """Two invoices waiting, of two customers and orders."""
    return (
        requested_invoice(cast, "上海测试精密机械有限公司", "SO-INV-1"),
        requested_invoice(cast, "苏州精工机械有限公司", "SO-INV-2"),
    )


# --- the number's form ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed", ["abc", "0001", "1234567", "012345678", "1234567890123456789", "123456789012345678901", "No.04400001", "0440-0001"]
)
def test_a_number_that_is_not_8_or_20_digits_is_refused(cast, two, typed):
    # given an invoice waiting; when finance issues it with a number that is not 8 to 20 digits
    with pytest.raises(DomainError, match="8 位或 20 位数字") as refused:
        services.invoice_issue(invoice=two[0], actor=cast.finance, numbers=typed)
    # then it is refused naming what was typed, and the invoice still waits
    assert typed in str(refused.value)
    assert fresh(two[0]).status == InvoiceRequest.Status.REQUESTED and fresh(two[0]).invoice_numbers == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(PAPER, PAPER), ("0440 0001", PAPER), (" 2631 2000 0000 1234 5678 ", DIGITAL), ("０４４０００１１", "04400011")],
)
def test_8_and_20_digits_are_issued_without_their_spaces(cast, two, typed, stored):
    # when finance issues with a paper invoice's 8 or a 数电发票's 20 digits, typed with spaces or full-width
    issued = services.invoice_issue(invoice=two[0], actor=cast.finance, numbers=typed)
    # then the number is stored as digits only, and the history says it
    assert (issued.status, fresh(issued).invoice_numbers) == (InvoiceRequest.Status.ISSUED, stored)


def test_who_is_not_finance_is_refused_before_the_number_is_looked_at(cast, two):
    with pytest.raises(DomainError, match="只有财务可以开票") as refused:
        services.invoice_issue(invoice=two[0], actor=cast.clerk, numbers="abc")
    assert refused.value.status_code == 403


# --- one number, one invoice ------------------------------------------------------------------------------------------
def test_a_number_already_on_another_invoice_is_refused_naming_it(cast, two):
    # given the first invoice issued as 04400001
    first, second = two
    services.invoice_issue(invoice=first, actor=cast.finance, numbers=PAPER)
    # when finance issues the second (another customer's) with the same number, typed with a space
    with pytest.raises(Conflict) as refused:
        services.invoice_issue(invoice=second, actor=cast.finance, numbers="0440 0001")
    # then it is refused, naming the number, the invoice, its order and customer; the second still waits
    message = str(refused.value)
    assert PAPER in message and first.number in message and "SO-INV-1" in message and "上海测试精密机械" in message
    assert fresh(second).status == InvoiceRequest.Status.REQUESTED


def test_a_cancelled_invoice_frees_its_number(cast, two):
    # given the first invoice issued as 04400001, then cancelled (作废)
    first, second = two
    services.invoice_issue(invoice=first, actor=cast.finance, numbers=PAPER)
    services.invoice_cancel(invoice=first, actor=cast.finance, reason="抬头开错")
    # when the second is issued with that number, then it is
    assert services.invoice_issue(invoice=second, actor=cast.finance, numbers=PAPER).invoice_numbers == PAPER


def test_the_database_holds_one_number_on_one_live_invoice(cast, two):
    # given the first invoice issued as 04400001
    first, second = two
    services.invoice_issue(invoice=first, actor=cast.finance, numbers=PAPER)
    # when a write that skips the service gives the second the same number, then the database refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceRequest.objects.filter(pk=second.pk).update(status="issued", invoice_numbers=PAPER)
    # cancelled invoices and waiting ones (no number yet, however many) are not held to it
    InvoiceRequest.objects.filter(pk=second.pk).update(status="cancelled", invoice_numbers=PAPER)
    requested_invoice(cast, "第三客户", "SO-INV-3")
    requested_invoice(cast, "第四客户", "SO-INV-4")
    assert InvoiceRequest.objects.filter(invoice_numbers="").count() == 2
    assert InvoiceRequest.objects.filter(invoice_numbers=PAPER).count() == 2


def test_a_number_taken_between_the_check_and_the_save_is_a_conflict_naming_it(cast, two, monkeypatch):
    """The order locks of two orders do not exclude each other: the check can pass for both; the constraint stops the
    second, answered as the check would."""
    first, second = two
    services.invoice_issue(invoice=first, actor=cast.finance, numbers=PAPER)
    real = invoice_services._number_holder
    calls = []

    def blind_once(number, *, but):
        calls.append(number)
        return None if len(calls) == 1 else real(number, but=but)  # the check does not see the first yet

    monkeypatch.setattr(invoice_services, "_number_holder", blind_once)
    with pytest.raises(Conflict, match=f"发票号码 {PAPER} 已用于开票申请 {first.number}"):
        services.invoice_issue(invoice=second, actor=cast.finance, numbers=PAPER)
    assert fresh(second).status == InvoiceRequest.Status.REQUESTED and len(calls) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_invoices_issued_at_once_with_one_number_give_one_issued(on_postgres, cast):
    # given two invoices of two orders; when two finance users issue them with the same number at the same moment
    first = requested_invoice(cast, "甲门店", "SO-INV-A")
    second = requested_invoice(cast, "乙门店", "SO-INV-B")
    finance2 = UserFactory(username="finance2", roles=["finance"])
    pairs = [(first, cast.finance), (second, finance2)]
    results = run_in_threads(2, lambda i: services.invoice_issue(invoice=pairs[i][0], actor=pairs[i][1], numbers=PAPER))
    # then one is issued, the other refused with a clear conflict (never a database error)
    won = [r for r in results if isinstance(r, InvoiceRequest)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    assert f"发票号码 {PAPER} 已用于开票申请 {won[0].number}" in str(lost[0])
    assert InvoiceRequest.objects.filter(invoice_numbers=PAPER).count() == 1


def test_the_migration_names_numbers_already_on_two_live_invoices(on_postgres, cast, two):
    # given two live invoices numbered "abc" before the rule (the constraint not yet there: dropped in this transaction)
    migration = importlib.import_module("orders.migrations.0015_invoice_number_unique")
    [constraint] = [c for c in InvoiceRequest._meta.constraints if c.name == "invoice_number_unique_live"]
    with connection.schema_editor() as editor:
        editor.remove_constraint(InvoiceRequest, constraint)
    InvoiceRequest.objects.filter(pk__in=[two[0].pk, two[1].pk]).update(status="issued", invoice_numbers="abc")
    # when the migration runs, then it stops naming the number and both invoices (not a bare index error)
    with pytest.raises(RuntimeError, match=f"'abc': #{two[0].pk}, #{two[1].pk}"):
        migration.refuse_duplicates(django_apps, None)
    # once finance cancelled the wrong one, it passes
    InvoiceRequest.objects.filter(pk=two[1].pk).update(status="cancelled")
    migration.refuse_duplicates(django_apps, None)


# --- page and API -----------------------------------------------------------------------------------------------------
def test_the_page_and_the_api_refuse_a_duplicate_with_the_message(cast, two, client_as, api_as):
    first, second = two
    services.invoice_issue(invoice=first, actor=cast.finance, numbers=PAPER)
    # the API: 409 with the Chinese message
    answer = api_as(cast.finance).post(f"{INVOICES}{second.pk}/issue/", {"numbers": PAPER}, format="json")
    assert answer.status_code == 409 and first.number in answer.json()["detail"]
    answer = api_as(cast.finance).post(f"{INVOICES}{second.pk}/issue/", {"numbers": "abc"}, format="json")
    assert answer.status_code == 400 and "8 位或 20 位数字" in answer.json()["detail"]
    # the page /orders/invoices/<id>/issue/ (the form on /orders/invoices/<id>/): the same message, nothing issued
    page = client_as(cast.finance).post(reverse("orders:invoice_issue", args=[second.pk]), {"numbers": PAPER})
    assert page.status_code == 409 and first.number in page.content.decode()
    assert fresh(second).status == InvoiceRequest.Status.REQUESTED
    ok = client_as(cast.finance).post(reverse("orders:invoice_issue", args=[second.pk]), {"numbers": DIGITAL})
    assert ok.status_code == 302 and fresh(second).invoice_numbers == DIGITAL
    assert second.number in client_as(cast.finance).get(reverse("orders:invoice_detail", args=[second.pk])).content.decode()


# --- 4. amounts in the invoice-request errors are money ---------------------------------------------------------------
def test_an_invoice_request_over_what_was_signed_for_writes_the_amounts_as_money(cast, order):
    # given an order of 10 pumps (11,300.00) placed, paid, inspected and delivered in full
    place(order, cast.clerk)
    pay(order, cast, "11300.00")
    pass_inspection(order, cast, "10")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-1")
    services.shipment_deliver(shipment=note, actor=cast.clerk, delivered_on=None, signer="王经理")
    # when 20000 is asked for, then the message writes both amounts with thousands and fen
    with pytest.raises(DomainError) as refused:
        services.invoice_request(order=fresh(order), actor=cast.clerk, amount="20000")
    assert "开票金额 20,000.00 超过已签收未开票金额 11,300.00" in str(refused.value)
