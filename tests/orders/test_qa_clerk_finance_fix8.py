"""Defects QA found on the clerk's and finance's order screens: the direct-order form could not record 项目名称, 业绩归属
or a line discount (and the API dropped a misnamed discount silently), the checklist confirmed an empty project name
without saying so, 本月回款率 on the receivables ignored the filter, and the receivables' small tables squeezed the
customer's name on a phone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Payment, PaymentAllocation, SalesOrder, Shipment
from orders.receivables import collection_rate
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory

from .conftest import fresh

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/orders/"


def html(response) -> str:
    return response.content.decode()


def _create_post(customer, pump, **extra) -> dict:
    data = {
        "customer": customer.pk,
        "promised_ship_date": (timezone.localdate() + timedelta(days=15)).isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "2",
    }
    data.update(extra)
    return data


# --- 1. 项目名称, 业绩归属 and a line discount on the order form -------------------------------------------------------
def test_the_order_form_records_project_owner_and_a_line_discount(cast, client_as, customer, pump):
    clerk = client_as(cast.clerk)
    # given the new-order form: it offers 项目名称 and 业绩归属 (the reps, the customer's preselected) and 折扣(%) per line
    page = clerk.get(reverse("orders:order_create"), {"customer": customer.pk})
    form = page.context["form"]
    assert {"project_name", "owner"} <= set(form.fields)
    assert form["owner"].initial == cast.alice.pk
    assert cast.bob in form.fields["owner"].queryset and cast.finance not in form.fields["owner"].queryset
    assert 'data-testid="line-discount_percent"' in html(page)
    # when the clerk orders 2 pumps (1,130.00) at 5 % off for bob's project
    data = _create_post(customer, pump, project_name="厂房扩建", owner=cast.bob.pk, **{"lines-0-discount_percent": "5"})
    response = clerk.post(reverse("orders:order_create"), data)
    # then the order has them, and the amount is the discounted one
    order = SalesOrder.objects.get(customer=customer)
    assert response.status_code == 302
    assert (order.project_name, order.owner) == ("厂房扩建", cast.bob)
    line = order.lines.get()
    assert line.discount_rate == D("0.0500") and order.amount_incl == D("2147.00")


def test_the_order_form_defaults_the_owner_to_the_customers_rep(cast, client_as, customer, pump):
    client_as(cast.clerk).post(reverse("orders:order_create"), _create_post(customer, pump))
    order = SalesOrder.objects.get(customer=customer)
    assert order.owner == cast.alice and order.project_name == "" and order.lines.get().discount_rate == 0


def test_the_edit_form_changes_project_owner_and_discount(cast, client_as, order):
    line = order.lines.get()
    url = reverse("orders:order_edit", args=[order.pk])
    clerk = client_as(cast.clerk)
    form = clerk.get(url).context["form"]
    assert {"project_name", "owner"} <= set(form.fields) and form["owner"].value() == cast.alice.pk
    data = {
        "project_name": "二期",
        "owner": cast.bob.pk,
        "promised_ship_date": order.promised_ship_date.isoformat(),
        "deposit_amount": str(order.deposit_amount),
        "contact": order.contact_id or "",
        "ship_to": order.ship_to_id or "",
        "invoice_title": order.invoice_title_id or "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-line_id": line.pk,
        "lines-0-quantity": str(line.quantity),
        "lines-0-unit_price": str(line.unit_price),
        "lines-0-discount_percent": "3",
    }
    response = clerk.post(url, data)
    assert response.status_code == 302, html(response)
    order = fresh(order)
    assert (order.project_name, order.owner) == ("二期", cast.bob)
    assert order.lines.get().discount_rate == D("0.0300") and order.amount_incl == D("10961.00")


def test_an_edit_without_the_owner_field_keeps_the_owner(cast, client_as, order):
    data = {
        "customer_po": "PO-7",
        "promised_ship_date": order.promised_ship_date.isoformat(),
        "deposit_amount": str(order.deposit_amount),
        "contact": order.contact_id or "",
        "ship_to": order.ship_to_id or "",
        "invoice_title": order.invoice_title_id or "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    response = client_as(cast.clerk).post(reverse("orders:order_edit", args=[order.pk]), data)
    assert response.status_code == 302 and fresh(order).owner == cast.alice and fresh(order).customer_po == "PO-7"


def test_the_api_refuses_an_unknown_line_key_and_takes_discount_percent(cast, api_as, customer, pump):
    api = api_as(cast.clerk)
    body = {"customer": customer.pk, "project_name": "API项目", "owner": cast.bob.pk}
    # a discount sent as "discount": refused, naming the key, nothing ordered (it was saved at full price)
    refused = api.post(ORDERS, {**body, "lines": [{"product": pump.pk, "quantity": "1", "discount": "10"}]}, format="json")
    assert refused.status_code == 400 and "discount" in str(refused.json())
    assert "明细没有这个字段" in str(refused.json())
    assert not SalesOrder.objects.exists()
    # as discount_percent: taken
    made = api.post(ORDERS, {**body, "lines": [{"product": pump.pk, "quantity": "1", "discount_percent": "5"}]}, format="json")
    assert made.status_code == 201, made.json()
    order = SalesOrder.objects.get()
    assert order.amount_incl == D("1073.50") and order.owner == cast.bob and order.project_name == "API项目"


def test_the_api_credits_an_order_only_to_a_sales_person_the_clerk_may_pick(cast, api_as, customer, pump, order):
    api = api_as(cast.clerk)
    line = {"product": pump.pk, "quantity": "1"}
    # creating: 业绩归属 the warehouse keeper is refused at the field, nothing ordered
    refused = api.post(ORDERS, {"customer": customer.pk, "owner": cast.warehouse.pk, "lines": [line]}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()["errors"], refused.json()
    assert "业绩归属只能选择" in str(refused.json())
    assert SalesOrder.objects.filter(customer=customer).count() == 1  # the fixture's order only
    # editing: neither finance nor a departed rep; the order keeps alice
    url = f"{ORDERS}{order.pk}/"
    assert api.patch(url, {"owner": cast.finance.pk}, format="json").status_code == 400
    type(cast.bob).objects.filter(pk=cast.bob.pk).update(is_active=False)
    assert api.patch(url, {"owner": cast.bob.pk}, format="json").status_code == 400
    assert fresh(order).owner == cast.alice
    # an order already credited to someone since departed keeps them when its other fields change
    SalesOrder.objects.filter(pk=order.pk).update(owner=cast.bob)
    assert api.patch(url, {"customer_po": "PO-8"}, format="json").status_code == 200
    assert fresh(order).owner == cast.bob and fresh(order).customer_po == "PO-8"


def test_the_checklist_shows_an_empty_project_name_as_no_project(cast, client_as, order):
    page = html(client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])))
    shown = re.search(r'data-testid="check-value-project_name">([^<]*)<', page)
    assert shown and shown.group(1) == "—（无项目）"
    assert re.search(r'data-testid="check-value-attribution">alice<', page)
    SalesOrder.objects.filter(pk=order.pk).update(project_name="厂房扩建")
    page = html(client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])))
    assert 'data-testid="check-value-project_name">厂房扩建<' in page


# --- 2. 本月回款率 follows the receivables' filter --------------------------------------------------------------------
def _at(day, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def two_reps(cast):
    """alice: shipped 1,000.00, paid 600.00 this month (rate 60 %); carol: shipped 1,000.00, paid 100.00 (10 %)."""
    today = timezone.localdate()
    first = today.replace(day=1)
    n = iter(range(1, 100))

    def owing(owner, team, paid):
        customer = CustomerFactory(owner=owner, team=team, payment_terms="credit")
        order = SalesOrder.objects.create(
            number=f"SO-CR{next(n):02d}",
            customer=customer,
            owner=owner,
            created_by=cast.clerk,
            received_on=first,
            amount_incl=D("1000.00"),
            status=SalesOrder.Status.SHIPPED,
            credit_days=30,
        )
        Shipment.objects.create(
            number=f"FH-CR{next(n):02d}",
            order=order,
            status=Shipment.Status.SHIPPED,
            shipped_at=_at(first),
            amount_incl=D("1000.00"),
            created_by=cast.clerk,
        )
        payment = Payment.objects.create(
            number=next_number("HK"),
            customer=customer,
            bank_reference=f"CR-{next(n)}",
            amount=D(paid),
            received_on=first,
            status=Payment.Status.CONFIRMED,
            recorded_by=cast.clerk,
        )
        PaymentAllocation.objects.create(payment=payment, order=order, amount=D(paid))
        return customer

    return owing(cast.alice, cast.east, "600.00"), owing(cast.carol, cast.south, "100.00")


def test_the_collection_rate_follows_the_filter(cast, client_as, api_as, two_reps):
    alice_customer, _carol_customer = two_reps
    finance = client_as(cast.finance)
    # everyone's: 700 / (700 + 1,300)
    assert finance.get(reverse("orders:receivables")).context["collection_rate"] == D("0.3500")
    # alice's: 600 / (600 + 400) — on the page, the API and the function, as alice's own page says
    today = timezone.localdate()
    mine = collection_rate(cast.alice, today.replace(day=1), today)
    assert mine == D("0.6000")
    assert client_as(cast.alice).get(reverse("orders:receivables")).context["collection_rate"] == mine
    page = finance.get(reverse("orders:receivables"), {"owner": cast.alice.pk})
    assert page.context["collection_rate"] == mine and 'data-testid="total-open">400.00' in html(page)
    body = api_as(cast.finance).get("/api/v1/receivables/", {"owner": cast.alice.pk}).json()
    assert body["collection_rate"]["rate"] == "0.6000" and body["total_open"] == "400.00"
    # by team and by customer too
    assert finance.get(reverse("orders:receivables"), {"team": cast.south.pk}).context["collection_rate"] == D("0.1000")
    by_customer = api_as(cast.finance).get("/api/v1/receivables/", {"customer": alice_customer.pk}).json()
    assert by_customer["collection_rate"]["rate"] == "0.6000"


# --- 4. the receivables' small tables on a phone ---------------------------------------------------------------------
def test_the_overdue_and_held_tables_scroll_and_keep_the_customer_on_one_line(cast, client_as, two_reps):
    SalesOrder.objects.update(credit_days=0)
    Shipment.objects.update(shipped_at=_at(timezone.localdate() - timedelta(days=40)))
    page = html(client_as(cast.finance).get(reverse("orders:receivables")))
    overdue = page.split('data-testid="overdue-list"')[1].split('data-testid="held-list"')[0]
    assert '<div class="table-responsive"><table' in overdue
    assert overdue.count('<td class="text-nowrap" data-testid="customer-cell">') == 2
