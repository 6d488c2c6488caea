"""/api/v1/ of the customers app: validation, services behind it, errors as {"code", "detail"}."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from customers.models import Contact, Customer, CustomerExport, InvoiceTitle, Visit, VisitPlan
from salesops.core.models import Event, Notification
from tests.factories import ContactFactory, CustomerFactory, VisitPlanFactory, make_uscc

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"


def bad_check_digit(uscc):
    return uscc[:-1] + ("1" if uscc[-1] != "1" else "2")


class TestCustomerApi:
    def test_a_rep_creates_a_customer_they_own(self, cast, api_as):
        r = api_as(cast.alice).post(CUSTOMERS, {"name": "宁波海天精工", "uscc": make_uscc(900), "grade": "A"}, format="json")

        assert r.status_code == 201, r.json()
        body = r.json()
        assert body["code"].startswith("KH-") and body["owner"] == cast.alice.pk and body["status"] == "intent"
        assert body["status_display"] == "意向客户" and body["team_name"] == "华东组"

    def test_wrong_check_digit_is_a_400_in_chinese(self, cast, api_as):
        r = api_as(cast.alice).post(CUSTOMERS, {"name": "错码", "uscc": bad_check_digit(make_uscc(1))}, format="json")
        assert r.status_code == 400
        assert r.json()["code"] == "invalid" and "统一社会信用代码校验位不正确" in r.json()["detail"]

    def test_a_duplicate_uscc_is_a_400_naming_the_existing_file(self, cast, api_as, carol_customer):
        r = api_as(cast.alice).post(CUSTOMERS, {"name": "重复", "uscc": carol_customer.uscc}, format="json")
        assert r.status_code == 400
        assert r.json()["code"] == "duplicate_uscc" and carol_customer.code in r.json()["detail"]
        assert Customer.objects.count() == 1

    def test_a_rep_cannot_give_a_new_customer_to_someone_else(self, cast, api_as):
        r = api_as(cast.alice).post(CUSTOMERS, {"name": "x", "owner": cast.bob.pk}, format="json")
        assert r.status_code == 403 and r.json()["code"] == "forbidden"

    def test_patch_goes_through_the_service_and_is_logged(self, cast, api_as, alice_customer):
        r = api_as(cast.lena).patch(f"{CUSTOMERS}{alice_customer.pk}/", {"grade": "A", "status": "inactive"}, format="json")
        assert r.status_code == 200
        assert r.json()["grade"] == "A" and r.json()["status"] == "active"  # status is read-only here
        assert Event.objects.filter(verb=Event.Verb.UPDATED, target_id=alice_customer.pk, actor=cast.lena).exists()

    def test_list_search_filter_and_ordering(self, cast, api_as):
        a = CustomerFactory(owner=cast.alice, name="A 甲", grade="A")
        b = CustomerFactory(owner=cast.alice, name="B 乙", grade="B")
        ContactFactory(customer=b, mobile="13666668888")
        client = api_as(cast.alice)

        assert [c["id"] for c in client.get(CUSTOMERS, {"search": "13666668888"}).json()["results"]] == [b.pk]
        assert [c["id"] for c in client.get(CUSTOMERS, {"q": "13666668888"}).json()["results"]] == [b.pk]
        assert [c["id"] for c in client.get(CUSTOMERS, {"grade": "A"}).json()["results"]] == [a.pk]
        assert [c["id"] for c in client.get(CUSTOMERS, {"ordering": "-name"}).json()["results"]] == [b.pk, a.pk]

    def test_reassign(self, cast, api_as, alice_customer):
        url = f"{CUSTOMERS}{alice_customer.pk}/reassign/"
        assert api_as(cast.alice).post(url, {"owner": cast.bob.pk, "reason": "x"}, format="json").status_code == 403
        assert api_as(cast.carol).post(url, {"owner": cast.carol.pk, "reason": "x"}, format="json").status_code == 404
        assert api_as(cast.lena).post(url, {"owner": cast.bob.pk}, format="json").status_code == 400

        r = api_as(cast.lena).post(url, {"owner": cast.bob.pk, "reason": "区域调整"}, format="json")

        assert r.status_code == 200 and r.json()["owner"] == cast.bob.pk
        assert Notification.objects.filter(recipient=cast.bob).exists()
        assert api_as(cast.alice).get(f"{CUSTOMERS}{alice_customer.pk}/").status_code == 404  # no longer hers

    def test_status_actions(self, cast, api_as, intent_customer):
        url = f"{CUSTOMERS}{intent_customer.pk}/"
        assert api_as(cast.alice).post(url + "activate/").json()["status"] == "active"

        again = api_as(cast.alice).post(url + "activate/")
        assert again.status_code == 409 and again.json()["code"] == "conflict"

        assert api_as(cast.alice).post(url + "deactivate/", {"reason": "x"}, format="json").status_code == 403
        assert api_as(cast.lena).post(url + "deactivate/", {}, format="json").json()["detail"] == "请填写停用原因。"
        assert api_as(cast.lena).post(url + "deactivate/", {"reason": "倒闭"}, format="json").json()["status"] == "inactive"
        assert api_as(cast.lena).post(url + "reactivate/").json()["status"] == "active"

    def test_there_is_no_delete(self, cast, api_as, alice_customer):
        assert api_as(cast.manager).delete(f"{CUSTOMERS}{alice_customer.pk}/").status_code == 405

    def test_export_is_scoped_filtered_and_logged(self, cast, api_as, alice_customer, bob_customer):
        CustomerFactory(owner=cast.alice, grade="A")

        r = api_as(cast.alice).get(f"{CUSTOMERS}export/", {"grade": "B"}, REMOTE_ADDR="192.168.1.20")

        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        codes = [
            row[0] for row in load_workbook(BytesIO(b"".join(r.streaming_content))).active.iter_rows(min_row=2, values_only=True)
        ]
        assert codes == [alice_customer.code]
        log = CustomerExport.objects.get()
        assert (log.user, log.row_count, log.ip_address, log.filters) == (cast.alice, 1, "192.168.1.20", {"grade": "B"})


class TestChildrenApi:
    def test_contacts_of_invisible_customers_cannot_be_added(self, cast, api_as, bob_customer):
        r = api_as(cast.alice).post(
            "/api/v1/contacts/", {"customer": bob_customer.pk, "name": "x", "mobile": "13912345678"}, format="json"
        )
        assert r.status_code == 400 and "customer" in r.json()["errors"]
        assert not Contact.objects.exists()

    def test_a_contact_is_added_and_edited(self, cast, api_as, alice_customer):
        client = api_as(cast.alice)
        r = client.post(
            "/api/v1/contacts/", {"customer": alice_customer.pk, "name": "王工", "mobile": "13912345678"}, format="json"
        )
        assert r.status_code == 201 and r.json()["is_primary"] is True

        r = client.patch(f"/api/v1/contacts/{r.json()['id']}/", {"mobile": "1391234"}, format="json")
        assert r.status_code == 400 and "手机号码格式不正确" in r.json()["detail"]

    def test_contact_without_any_way_to_reach_is_a_400(self, cast, api_as, alice_customer):
        r = api_as(cast.alice).post("/api/v1/contacts/", {"customer": alice_customer.pk, "name": "无"}, format="json")
        assert r.status_code == 400 and "请至少填写一种联系方式" in r.json()["detail"]

    def test_invoice_title_with_bad_tax_id(self, cast, api_as, alice_customer):
        r = api_as(cast.alice).post(
            "/api/v1/invoice-titles/",
            {"customer": alice_customer.pk, "title": "x", "tax_id": bad_check_digit(make_uscc(5)), "invoice_type": "general"},
            format="json",
        )
        assert r.status_code == 400 and "校验位不正确" in r.json()["detail"]
        assert not InvoiceTitle.objects.exists()

    def test_ship_to_address(self, cast, api_as, alice_customer):
        r = api_as(cast.alice).post(
            "/api/v1/ship-to-addresses/",
            {
                "customer": alice_customer.pk,
                "province": "浙江",
                "city": "宁波",
                "address": "北仑区 1 号",
                "consignee": "赵",
                "phone": "0574-86001234",
            },
            format="json",
        )
        assert r.status_code == 201 and r.json()["is_default"] is True

    def test_follow_up_moves_next_contact_date(self, cast, api_as, intent_customer, today):
        nxt = today + timedelta(days=5)
        r = api_as(cast.alice).post(
            "/api/v1/follow-ups/",
            {"customer": intent_customer.pk, "channel": "email", "summary": "发了样本", "next_contact_date": nxt.isoformat()},
            format="json",
        )
        assert r.status_code == 201 and r.json()["happened_on"] == today.isoformat()
        intent_customer.refresh_from_db()
        assert intent_customer.next_contact_date == nxt


class TestVisitPlanApi:
    def test_create_complete_and_409_on_completing_twice(self, cast, api_as, alice_customer, tomorrow):
        client = api_as(cast.alice)
        r = client.post(
            "/api/v1/visit-plans/",
            {"customer": alice_customer.pk, "planned_date": tomorrow.isoformat(), "purpose": "年度洽谈"},
            format="json",
        )
        assert r.status_code == 201 and r.json()["rep"] == cast.alice.pk and r.json()["status"] == "planned"
        plan_url = f"/api/v1/visit-plans/{r.json()['id']}/"

        done = client.post(plan_url + "complete/", {"outcome": "签订意向书"}, format="json")
        assert done.status_code == 201 and done.json()["customer"] == alice_customer.pk and done.json()["purpose"] == "年度洽谈"

        twice = client.post(plan_url + "complete/", {"outcome": "again"}, format="json")
        assert twice.status_code == 409 and twice.json()["code"] == "conflict"
        assert Visit.objects.count() == 1
        assert client.get(plan_url).json()["status"] == "done"
        assert client.get("/api/v1/visit-plans/", {"status": "done"}).json()["count"] == 1
        assert client.get("/api/v1/visit-plans/", {"status": "planned"}).json()["count"] == 0

    def test_cancel_and_review(self, cast, api_as, alice_customer):
        plan = VisitPlanFactory(customer=alice_customer)
        url = f"/api/v1/visit-plans/{plan.pk}/"

        assert api_as(cast.alice).post(url + "review/", {"note": "x"}, format="json").status_code == 403
        r = api_as(cast.lena).post(url + "review/", {"note": "重点跟进"}, format="json")
        assert r.status_code == 200 and r.json()["review_note"] == "重点跟进"

        assert api_as(cast.alice).post(url + "cancel/", {}, format="json").status_code == 400
        assert api_as(cast.alice).post(url + "cancel/", {"reason": "客户不在"}, format="json").json()["status"] == "cancelled"
        assert plan.__class__.objects.get(pk=plan.pk).status == VisitPlan.Status.CANCELLED

    def test_visits_from_a_plan_the_user_cannot_see_do_not_exist(self, cast, api_as, bob_customer, today):
        plan = VisitPlanFactory(customer=bob_customer)
        r = api_as(cast.alice).post("/api/v1/visits/", {"plan": plan.pk, "outcome": "x"}, format="json")
        assert r.status_code == 400 and "plan" in r.json()["errors"]
        assert (
            api_as(cast.alice).post(f"/api/v1/visit-plans/{plan.pk}/complete/", {"outcome": "x"}, format="json").status_code
            == 404
        )

    def test_visit_list_is_scoped(self, cast, api_as, alice_customer, bob_customer, today):
        client = api_as(cast.alice)
        mine = client.post("/api/v1/visits/", {"customer": alice_customer.pk, "purpose": "拜访", "outcome": "好"}, format="json")
        assert mine.status_code == 201
        api_as(cast.bob).post("/api/v1/visits/", {"customer": bob_customer.pk, "purpose": "拜访", "outcome": "好"}, format="json")

        assert [v["id"] for v in client.get("/api/v1/visits/").json()["results"]] == [mine.json()["id"]]
        assert client.get("/api/v1/visits/", {"customer": bob_customer.pk}).json()["count"] == 0


class TestListFilters:
    @pytest.mark.parametrize(
        ("url", "params", "named"),
        [
            (CUSTOMERS, {"status": "zzz"}, "status"),
            (CUSTOMERS, {"next_contact_before": "yesterday"}, "next_contact_before"),
            (CUSTOMERS, {"owner": "abc"}, "owner"),
            ("/api/v1/visits/", {"date_from": "2026-02-30"}, "date_from"),
            ("/api/v1/contacts/", {"is_primary": "maybe"}, "is_primary"),
            ("/api/v1/follow-ups/", {"channel": "pigeon"}, "channel"),
        ],
    )
    def test_an_invalid_filter_value_is_a_400_naming_it_not_every_row(self, cast, api_as, alice_customer, url, params, named):
        r = api_as(cast.alice).get(url, params)
        assert (
            r.status_code == 400 and r.json()["code"] == "invalid" and named in r.json()["detail"].split("：")[0]
        )  # "标签（name）：…" or "name：…"

    def test_yes_no_filters_take_true_false_one_zero(self, cast, api_as, alice_customer):
        primary = ContactFactory(customer=alice_customer, is_primary=True)
        other = ContactFactory(customer=alice_customer, is_primary=False)
        client = api_as(cast.alice)
        for value, expected in (("true", primary), ("1", primary), ("False", other), ("0", other)):
            assert [c["id"] for c in client.get("/api/v1/contacts/", {"is_primary": value}).json()["results"]] == [expected.pk]
        assert client.get("/api/v1/contacts/", {"is_primary": ""}).json()["count"] == 2

    def test_an_owner_not_among_the_visible_is_no_rows_not_an_error(self, cast, api_as, alice_customer):
        r = api_as(cast.alice).get(CUSTOMERS, {"owner": cast.bob.pk})
        assert r.status_code == 200 and r.json()["count"] == 0


def test_the_schema_builds(openapi):
    assert "/api/v1/visit-plans/{id}/complete/" in openapi["paths"]
