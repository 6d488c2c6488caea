"""Dates a user types are held to 2000–2099 (salesops.core.days), on every document that takes its input through
core.editing.assign_fields and on visits; a contract's promised delivery is not before its date. QA found a contract
dated 2100 delivering in 1900, a quotation of 0001-01-01, a visit in 1900 and an order promised for 2100 accepted."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from contracts import services
from contracts.models import Contract, Quotation
from customers import services as customer_services
from customers.models import Visit
from orders import services as order_services
from orders.models import SalesOrder
from salesops.core.days import day_range_error
from salesops.core.errors import DomainError
from tests.contracts.conftest import line


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (date(1999, 12, 31), True),
        (date(2000, 1, 1), False),
        (date(2099, 12, 31), False),
        (date(2100, 1, 1), True),
        (date(1, 1, 1), True),
        (None, False),
    ],
)
def test_the_range(day, refused):
    error = day_range_error(day, "合同日期")
    assert bool(error) is refused
    if refused:
        assert error == f"合同日期应在 2000-01-01 到 2099-12-31 之间，填写的是 {day.isoformat()}。"


def test_a_contract_of_2100_is_refused_naming_the_field(cast, customer, pump):
    with pytest.raises(DomainError, match="合同日期应在 2000-01-01 到 2099-12-31 之间，填写的是 2100-01-01") as e:
        services.contract_create(
            actor=cast.alice, customer=customer, data={"contract_date": date(2100, 1, 1)}, lines=[line(pump)]
        )
    assert e.value.field == "contract_date" and not Contract.objects.exists()


def test_a_promised_delivery_before_the_contract_date_is_refused(cast, customer, pump):
    today = timezone.localdate()
    with pytest.raises(DomainError, match="承诺交货日期（.*）不能早于合同日期"):
        services.contract_create(
            actor=cast.alice, customer=customer, data={"delivery_date": today - timedelta(days=1)}, lines=[line(pump)]
        )
    assert not Contract.objects.exists()


def test_the_api_refuses_a_contract_edit_into_2100_and_changes_nothing(cast, api_as, customer, pump):
    contract = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    r = api_as(cast.alice).patch(
        f"/api/v1/contracts/{contract.pk}/", {"contract_date": "2100-01-01", "delivery_date": "1900-01-01"}, format="json"
    )
    assert r.status_code == 400 and "2000-01-01 到 2099-12-31" in r.json()["detail"]
    contract.refresh_from_db()
    assert contract.contract_date == timezone.localdate() and contract.delivery_date is None


def test_a_quotation_of_year_one_is_refused(cast, make_quotation):
    with pytest.raises(DomainError, match="报价日期应在 2000-01-01 到 2099-12-31 之间，填写的是 0001-01-01"):
        make_quotation(cast.clerk, quote_date=date(1, 1, 1))
    assert not Quotation.objects.exists()


def test_a_visit_in_1900_is_refused(cast, customer):
    with pytest.raises(DomainError, match="拜访日期应在 2000-01-01 到 2099-12-31 之间"):
        customer_services.visit_create(actor=cast.alice, customer=customer, visited_on=date(1900, 1, 1), purpose="p", outcome="o")
    assert not Visit.objects.exists()


def test_an_order_promised_for_2100_is_refused(cast, customer, pump):
    with pytest.raises(DomainError, match="承诺发货日期应在 2000-01-01 到 2099-12-31 之间"):
        order_services.order_create(
            actor=cast.clerk, customer=customer, data={"promised_ship_date": date(2100, 1, 1)}, lines=[line(pump, quantity="1")]
        )
    assert not SalesOrder.objects.exists()
