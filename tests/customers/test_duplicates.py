"""客户查重 by the name's normal form (form, API, import), and the customer's form details QA found on the demo: a ship-to
phone is checked, a next contact date in the past is refused, an import error about the owner names its column."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers import services
from customers.models import Customer, ShipToAddress
from customers.validators import clean_customer_name, customer_name_key
from salesops.core.errors import DomainError
from tests.core.test_imports import customer_row, filled, preview
from tests.customers.test_views import customer_post, html

pytestmark = pytest.mark.django_db

ALICES = "苏州恒通机电设备有限公司"
COPIES = [
    "苏州恒通 机电设备有限公司",  # a space inside
    "苏州恒通机电设备有限公司。",  # trailing full stop
    "苏州恒通机电设备（有限公司）",  # brackets
    "苏州恒通机电设备(有限公司),",
    "苏州恒通机电设备有限公司\u200b",  # trailing zero-width space
    "\ufeff苏州恒通机电设备\u3000有限公司、",  # BOM, ideographic space, 、
    "ＡＢＣ苏州恒通机电设备有限公司",  # full width vs half width and case
]


@pytest.fixture
def alices(cast):
    return services.customer_create(actor=cast.alice, data={"name": ALICES})


class TestNameKey:
    @pytest.mark.parametrize("typed", COPIES[:-1])
    def test_the_ways_one_name_is_typed_share_one_key(self, typed):
        # given a name typed with spaces, brackets, punctuation or invisible characters / then it has the key of the plain one
        assert customer_name_key(typed) == customer_name_key(ALICES)

    def test_width_and_case_do_not_count_but_the_letters_do(self):
        assert customer_name_key("ＡＢＣ机电") == customer_name_key("abc机电") != customer_name_key("abd机电")

    def test_the_display_name_loses_edge_whitespace_and_zero_width_characters_only(self):
        assert clean_customer_name("\u200b 苏州恒通 机电\u200d有限公司 \ufeff") == "苏州恒通 机电有限公司"


class TestDuplicateNames:
    @pytest.mark.parametrize("typed", COPIES[:-1])
    def test_bob_cannot_file_a_copy_of_alices_customer(self, cast, alices, typed):
        # given alice's 苏州恒通机电设备有限公司 / when bob files a variant of it / then it is refused, naming alice's file
        with pytest.raises(DomainError) as e:
            services.customer_create(actor=cast.bob, data={"name": typed})
        assert e.value.code == "duplicate_name" and alices.code in str(e.value) and ALICES in str(e.value)
        assert Customer.objects.count() == 1

    def test_the_key_is_stored_and_the_display_name_cleaned(self, cast):
        # when a name with a trailing zero-width space and edge spaces is filed / then it is stored clean, its key beside it
        customer = services.customer_create(actor=cast.alice, data={"name": "  苏州新客户有限公司\u200b "})
        customer.refresh_from_db()
        assert customer.name == "苏州新客户有限公司" and customer.name_key == "苏州新客户有限公司"

    def test_a_rename_to_a_copy_is_refused_and_keeps_the_key(self, cast, alices):
        mine = services.customer_create(actor=cast.bob, data={"name": "无锡新客户"})
        with pytest.raises(DomainError):
            services.customer_update(customer=mine, actor=cast.bob, data={"name": "苏州恒通机电设备有限公司 。"})
        services.customer_update(customer=mine, actor=cast.bob, data={"name": "无锡新客户（集团）"})
        mine.refresh_from_db()
        assert mine.name_key == customer_name_key("无锡新客户集团")

    def test_a_file_filed_twice_before_the_check_stays_editable(self, cast, alices):
        # given a copy filed before 客户查重 (written past the service) / when its industry is edited / then it is saved
        old = Customer.objects.create(name=f"{ALICES} ", owner=cast.bob, created_by=cast.bob, code="KH-OLD-1")
        services.customer_update(customer=old, actor=cast.bob, data={"industry": "机电"})
        old.refresh_from_db()
        assert old.industry == "机电"

    def test_the_api_refuses_a_copy(self, cast, api_as, alices):
        r = api_as(cast.bob).post("/api/v1/customers/", {"name": COPIES[4]}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "duplicate_name"

    def test_the_form_shows_the_refusal_at_the_name_field(self, cast, client_as, alices):
        # when bob posts the form with a copy / then the message stands under 客户名称, not in the banner
        response = client_as(cast.bob).post(reverse("customers:create"), customer_post(name=COPIES[0]))
        assert response.status_code == 400 and Customer.objects.count() == 1
        form = response.context["form"]
        assert alices.code in " ".join(form.errors["name"]) and not form.non_field_errors()
        assert 'data-testid="form-errors"' not in html(response)

    def test_the_import_refuses_a_copy_at_the_name_column(self, cast, client_as, alices):
        client = client_as(cast.bob)
        response = preview(client, "customers", filled(client, "customers", {"客户": [customer_row(COPIES[2])]}))
        errors = {(e.column, e.message) for e in response.context["result"].errors}
        assert any(column == "客户名称" and alices.code in message for column, message in errors)
        assert Customer.objects.count() == 1


class TestDataMigration:
    def test_existing_rows_get_their_key_and_a_clean_name(self, cast):
        # given a row written with an edge zero-width space and no key / when the migration runs / then both are fixed
        row = Customer.objects.create(name="x", owner=cast.alice, created_by=cast.alice, code="KH-MIG-1")
        Customer.objects.filter(pk=row.pk).update(name=" 苏州恒通（机电）\u200b", name_key="")
        migration = import_module("customers.migrations.0016_customer_name_key")
        migration.fill_name_keys(global_apps, None)
        row.refresh_from_db()
        assert (row.name, row.name_key) == ("苏州恒通（机电）", "苏州恒通机电")


class TestShipToPhone:
    DATA = {"province": "江苏", "city": "苏州", "address": "星湖街 1 号", "consignee": "张三"}

    @pytest.mark.parametrize("phone", ["abc", "12345", "0512-abc"])
    def test_a_phone_that_is_no_number_is_refused(self, cast, alice_customer, phone):
        with pytest.raises(ValidationError) as e:
            services.address_create(actor=cast.alice, customer=alice_customer, data={**self.DATA, "phone": phone})
        assert "电话号码格式不正确" in e.value.message_dict["phone"][0]
        assert not ShipToAddress.objects.exists()

    @pytest.mark.parametrize("phone", ["13900139000", "0512-66668888", "(0512)65432100转8", "400-800-1234", "021 1234 5678"])
    def test_mobiles_landlines_and_service_numbers_are_accepted(self, cast, alice_customer, phone):
        services.address_create(actor=cast.alice, customer=alice_customer, data={**self.DATA, "phone": phone})

    def test_the_form_and_the_api_refuse_abc(self, cast, client_as, api_as, alice_customer):
        url = reverse("customers:address_add", args=[alice_customer.pk])
        response = client_as(cast.alice).post(url, {**self.DATA, "phone": "abc"})
        assert response.status_code == 400 and "电话号码格式不正确" in html(response)
        r = api_as(cast.alice).post(
            "/api/v1/ship-to-addresses/", {**self.DATA, "customer": alice_customer.pk, "phone": "abc"}, format="json"
        )
        assert r.status_code == 400 and not ShipToAddress.objects.exists()


class TestNextContactDate:
    def test_a_past_date_is_refused_on_create_as_visits_refuse_it(self, cast, today):
        with pytest.raises(DomainError) as e:
            services.customer_create(actor=cast.alice, data={"name": "某公司", "next_contact_date": today - timedelta(days=1)})
        assert e.value.code == "next_contact_in_past" and not Customer.objects.exists()
        assert services.customer_create(actor=cast.alice, data={"name": "某公司", "next_contact_date": today})

    def test_the_form_shows_it_at_the_field(self, cast, client_as, today):
        response = client_as(cast.alice).post(
            reverse("customers:create"), customer_post(name="某公司", next_contact_date=str(today - timedelta(days=3)))
        )
        assert response.status_code == 400 and not Customer.objects.exists()
        assert response.context["form"].errors["next_contact_date"] == ["下次联系日期不能早于今天。"]

    def test_moving_it_into_the_past_is_refused_a_past_date_left_alone_is_not(self, cast, alice_customer, today):
        with pytest.raises(DomainError):
            services.customer_update(
                customer=alice_customer, actor=cast.alice, data={"next_contact_date": today - timedelta(days=1)}
            )
        Customer.objects.filter(pk=alice_customer.pk).update(next_contact_date=today - timedelta(days=5))
        alice_customer.refresh_from_db()
        data = {"next_contact_date": alice_customer.next_contact_date, "industry": "机械"}
        services.customer_update(customer=alice_customer, actor=cast.alice, data=data)


class TestImportOwnerColumn:
    def test_an_unknown_owner_names_the_owner_column(self, cast, client_as):
        client = client_as(cast.clerk)
        response = preview(client, "customers", filled(client, "customers", {"客户": [customer_row("新公司", owner="nobody")]}))
        errors = {e.column: e.message for e in response.context["result"].errors}
        assert "nobody" in errors["负责业务员(用户名)"]

    def test_an_owner_the_rep_may_not_name_names_the_owner_column(self, cast, client_as):
        # given alice (a rep) names carol as owner / then the refusal stands in the owner column, not in an empty one
        client = client_as(cast.alice)
        response = preview(client, "customers", filled(client, "customers", {"客户": [customer_row("新公司", owner="carol")]}))
        columns = [e.column for e in response.context["result"].errors]
        assert columns == ["负责业务员(用户名)"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reps_filing_one_company_at_once_make_one_file(on_postgres, cast):
    # given no file of 常州同时有限公司 / when alice and bob file it at the same moment (one with full-width brackets)
    # then one file is made and the other is refused naming it (the name's advisory lock: no row to lock yet)
    from tests.core.conftest import run_in_threads

    names = ["常州同时（集团）有限公司", "常州同时(集团)有限公司"]
    results = run_in_threads(2, lambda i: services.customer_create(actor=[cast.alice, cast.bob][i], data={"name": names[i]}))

    made = [r for r in results if isinstance(r, Customer)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].code == "duplicate_name" and made[0].code in str(refused[0])
    assert Customer.objects.filter(name_key=customer_name_key(names[0])).count() == 1


class TestContactPhone:
    def test_a_landline_that_is_no_number_is_refused_on_contacts_and_customers(self, cast, client_as, api_as, alice_customer):
        # the contact's 座机 as the ship-to phone: "abc" is no number
        with pytest.raises(ValidationError) as e:
            services.contact_create(actor=cast.alice, customer=alice_customer, data={"name": "王工", "phone": "abc"})
        assert "电话号码格式不正确" in e.value.message_dict["phone"][0]
        response = client_as(cast.alice).post(
            reverse("customers:contact_add", args=[alice_customer.pk]), {"name": "王工", "phone": "abc"}
        )
        assert response.status_code == 400 and "电话号码格式不正确" in html(response)
        r = api_as(cast.alice).post(
            "/api/v1/contacts/", {"customer": alice_customer.pk, "name": "王工", "phone": "0512-abc"}, format="json"
        )
        assert r.status_code == 400 and "phone" in r.json()["errors"]
        assert not alice_customer.contacts.filter(name="王工").exists()
        # the company's 电话 too
        with pytest.raises(ValidationError) as e:
            services.customer_update(actor=cast.alice, customer=alice_customer, data={"phone": "abc"})
        assert "电话号码格式不正确" in e.value.message_dict["phone"][0]
        # a landline with its area code and extension is a number
        made = services.contact_create(
            actor=cast.alice, customer=alice_customer, data={"name": "王工", "phone": "(0512)65432100转8"}
        )
        assert made.phone == "(0512)65432100转8"


class TestDuplicateContact:
    def _add(self, actor, customer, **data):
        return services.contact_create(actor=actor, customer=customer, data=data)

    def test_the_same_person_twice_is_refused_naming_the_first(self, cast, client_as, api_as, alice_customer):
        first = self._add(cast.alice, alice_customer, name="李明", mobile="13912345678")
        # the same mobile, typed with spaces and +86, under another spelling of the name
        with pytest.raises(DomainError) as e:
            self._add(cast.alice, alice_customer, name="李 明（采购）", mobile="+86 139 1234 5678")
        assert "已有联系人“李明”（手机相同）" in e.value.message and e.value.field == "mobile"
        # the same name and the same e-mail, no mobile
        self._add(cast.alice, alice_customer, name="周红", email="zhou@example.com")
        with pytest.raises(DomainError, match="邮箱相同"):
            self._add(cast.alice, alice_customer, name="周红", email="ZHOU@example.com", wechat="zh1")
        # the page and the API refuse it too, at the field, and add nothing
        count = alice_customer.contacts.count()
        page = client_as(cast.alice).post(
            reverse("customers:contact_add", args=[alice_customer.pk]), {"name": "小李", "mobile": "13912345678"}
        )
        assert page.status_code == 400 and "已有联系人“李明”" in html(page)
        r = api_as(cast.alice).post(
            "/api/v1/contacts/", {"customer": alice_customer.pk, "name": "小李", "mobile": "13912345678"}, format="json"
        )
        assert r.status_code == 400 and "mobile" in r.json()["errors"]
        assert alice_customer.contacts.count() == count
        # editing another contact into the first is refused as well; editing the first itself is not
        other = self._add(cast.alice, alice_customer, name="张伟", mobile="13700000001")
        with pytest.raises(DomainError, match="手机相同"):
            services.contact_update(actor=cast.alice, contact=other, data={"mobile": "13912345678"})
        services.contact_update(actor=cast.alice, contact=first, data={"title": "采购经理"})

    def test_two_people_of_one_name_or_one_mobile_at_two_customers_are_two_contacts(self, cast, alice_customer):
        self._add(cast.alice, alice_customer, name="王工", mobile="13912345678")
        self._add(cast.alice, alice_customer, name="王工", mobile="13912345679")  # another 王工
        other_customer = services.customer_create(actor=cast.alice, data={"name": "无锡另一家机械有限公司"})
        self._add(cast.alice, other_customer, name="王工", mobile="13912345678")
        assert alice_customer.contacts.filter(name="王工").count() == 2
