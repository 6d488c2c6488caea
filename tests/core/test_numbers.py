"""Numbers that do not fit are refused, never stored: typed quantities, prices, amounts and rates are checked against
their column and bounds (salesops.core.money) by the API, the pages and the services, computed amounts are checked
before saving, and what is stored always renders."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts import services as contract_services
from contracts.models import Quotation, QuotationLine
from salesops.core.errors import DomainError
from salesops.core.money import MAX_AMOUNT, QUANTITY_BOUNDS, line_amounts, parse_decimal, sum_lines
from salesops.core.templatetags.core_tags import capital_amount, money
from tests.contracts.conftest import line
from tests.contracts.test_views import header_data, lines_data

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
QUOTATIONS = "/api/v1/quotations/"


@pytest.fixture
def quoting_alice(cast):
    cast.alice.profile.may_quote = True
    cast.alice.profile.save()
    return cast.alice


@pytest.fixture
def customer(cast):
    from tests.factories import CustomerFactory

    return CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")


@pytest.fixture
def pump(db):
    from tests.factories import ProductFactory

    return ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"))


@pytest.fixture
def superuser_client(cast, client_as):
    cast.admin.is_superuser = True
    cast.admin.save()
    return client_as(cast.admin)


# --- the reported case: a quotation line of 99999999999 ------------------------------------------------------------
class TestTheReportedQuantity:
    def test_api_refuses_it_with_400_and_saves_nothing(self, api_as, quoting_alice, customer, pump):
        r = api_as(quoting_alice).post(
            QUOTATIONS, {"customer": customer.pk, "lines": [line(pump, quantity="99999999999")]}, format="json"
        )
        assert r.status_code == 400 and CJK.search(r.json()["detail"])
        assert not Quotation.objects.exists() and not QuotationLine.objects.exists()

    def test_page_refuses_it_with_400_and_saves_nothing(self, client_as, quoting_alice, customer, pump):
        data = {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "99999999999"})}
        r = client_as(quoting_alice).post(reverse("contracts:quotation_create"), data)
        assert r.status_code == 400 and "数量" in r.content.decode()
        assert not Quotation.objects.exists() and not QuotationLine.objects.exists()

    def test_service_refuses_it_naming_the_line(self, quoting_alice, customer, pump):
        with pytest.raises(DomainError, match=r"第 1 行（增压泵）.*数量不能大于 1,000,000,000"):
            contract_services.quotation_create(
                actor=quoting_alice, customer=customer, data={}, lines=[line(pump, quantity="99999999999")]
            )
        assert not Quotation.objects.exists()

    def test_a_line_amount_that_does_not_fit_is_refused_naming_the_line(self, quoting_alice, customer, pump):
        with pytest.raises(DomainError, match=r"第 2 行（安装）：金额 .* 超出上限"):
            contract_services.quotation_create(
                actor=quoting_alice,
                customer=customer,
                data={},
                lines=[line(pump), line(None, name="安装", quantity="1000000000", unit_price="1000000000")],
            )
        assert not Quotation.objects.exists()

    def test_a_total_that_does_not_fit_is_refused(self, quoting_alice, customer, pump):
        big = line(None, name="整线", quantity="600000000", unit_price="1000")
        with pytest.raises(DomainError, match=r"合计：金额 .* 超出上限"):
            contract_services.quotation_create(actor=quoting_alice, customer=customer, data={}, lines=[big, big])
        assert not Quotation.objects.exists()


# --- the helpers -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("99999999999", "不能大于"),
        ("1e30", "不是有效的数字"),
        ("-1", "不能小于"),
        ("NaN", "不是有效的数字"),
        ("Infinity", "不是有效的数字"),
        ("1.23456789", "最多 3 位小数"),
        ("", "不是有效的数字"),
        ("abc", "不是有效的数字"),
        ("１２３", "不是有效的数字"),
        (None, "不是有效的数字"),
    ],
)
def test_parse_decimal_refuses_with_a_chinese_message_naming_the_field(value, message):
    with pytest.raises(DomainError, match=f"数量.*{message}"):
        parse_decimal(value, "数量", bounds=QUANTITY_BOUNDS)


def test_parse_decimal_takes_the_bounds_themselves():
    assert parse_decimal("1000000000", "数量", bounds=QUANTITY_BOUNDS) == D("1000000000")
    assert parse_decimal(" 0.001 ", "数量", bounds=QUANTITY_BOUNDS) == D("0.001")
    assert parse_decimal(D("12.500"), "数量", bounds=QUANTITY_BOUNDS) == D("12.5")


def test_line_amounts_and_sum_lines_refuse_what_does_not_fit_money():
    fits = line_amounts(quantity=D("999999999.999"), unit_price_incl=D("1000"))
    assert fits.amount_incl == D("999999999999.00")
    with pytest.raises(DomainError, match="第 3 行：金额"):
        line_amounts(quantity=D("1000000000"), unit_price_incl=D("1000"), label="第 3 行")
    with pytest.raises(DomainError, match="合计"):
        sum_lines([fits, line_amounts(quantity=D("1"), unit_price_incl=D("1"))])
    assert sum_lines([fits]).amount_incl == fits.amount_incl <= MAX_AMOUNT


@pytest.mark.parametrize("value", ["1E+30", D("1E+40"), "NaN", D("Infinity"), "abc", 99999999999999999999])
def test_display_filters_never_raise(value):
    assert isinstance(money(value), str) and isinstance(capital_amount(value), str)


# --- what is stored always renders -----------------------------------------------------------------------------------
class TestExtremeButValidStoredValues:
    """Given a quotation whose line is the largest quantity at a price whose amount still fits MONEY,
    when anyone opens the pages showing it, then they render (no InvalidOperation, no 500)."""

    @pytest.fixture
    def huge(self, quoting_alice, customer):
        q = contract_services.quotation_create(
            actor=quoting_alice,
            customer=customer,
            data={},
            lines=[line(None, name="整线", quantity="999999999.999", unit_price="1000", discount_rate="0.9999")],
        )
        q.lines.update(discount_rate=D("0"), amount_incl=D("999999999999.00"))
        Quotation.objects.filter(pk=q.pk).update(amount_incl=MAX_AMOUNT)
        return q

    def test_pages_render(self, cast, client_as, quoting_alice, customer, huge):
        client = client_as(quoting_alice)
        for url in (
            reverse("contracts:quotation_list"),
            reverse("contracts:quotation_detail", args=[huge.pk]),
            reverse("customers:detail", args=[customer.pk]),
        ):
            r = client.get(url)
            assert r.status_code == 200, url
        assert "999,999,999,999.99" in client.get(reverse("contracts:quotation_detail", args=[huge.pk])).content.decode()

    def test_api_renders(self, api_as, quoting_alice, huge):
        body = api_as(quoting_alice).get(f"{QUOTATIONS}{huge.pk}/").json()
        assert body["amount_incl"] == "999999999999.99" and body["lines"][0]["quantity"] == "999999999.999"

    def test_admin_renders(self, superuser_client, huge):
        client = superuser_client
        for url in ("/admin/contracts/quotation/", f"/admin/contracts/quotation/{huge.pk}/change/"):
            assert client.get(url).status_code == 200, url
        # documents are read-only in admin by design: a clear 403, not a 500
        assert client.get(f"/admin/contracts/quotation/{huge.pk}/delete/").status_code == 403

    def test_customer_with_the_largest_credit_limit_renders(self, cast, client_as, superuser_client, customer):
        type(customer).objects.filter(pk=customer.pk).update(credit_limit=MAX_AMOUNT)
        assert client_as(cast.alice).get(reverse("customers:detail", args=[customer.pk])).status_code == 200
        admin = superuser_client
        for url in ("/admin/customers/customer/", f"/admin/customers/customer/{customer.pk}/change/"):
            assert admin.get(url).status_code == 200, url


def test_every_bounded_column_gives_pages_and_admin_a_field_that_refuses_malformed_numbers():
    from django.apps import apps
    from django.core.exceptions import ValidationError

    from salesops.core.money import DecimalColumn

    columns = [f for model in apps.get_models() for f in model._meta.get_fields() if isinstance(f, DecimalColumn)]
    assert len(columns) > 40
    for column in columns:
        form_field = column.formfield()
        for value in ["１２３", "1e400", "NaN", "Infinity", "1,000", "0." + "1" * 40]:
            with pytest.raises(ValidationError):
                form_field.clean(value)
        assert column.validators, column  # the model's bounds, checked by every ModelForm (pages and admin)


def test_the_customer_page_form_refuses_bad_credit_limits(cast):
    from customers.forms import CustomerForm

    for value in ["１２３", "-1", "99999999999999", "NaN", "1,000"]:
        form = CustomerForm(
            data={"name": "新客户", "type": "end_customer", "grade": "B", "credit_limit": value}, user=cast.manager
        )
        assert not form.is_valid() and "credit_limit" in form.errors, value
