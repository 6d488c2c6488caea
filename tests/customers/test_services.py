"""Services of the customers app: every write, its rule and its timeline entry."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import QueryDict

from customers import services
from customers.models import Contact, Customer, CustomerExport, InvoiceTitle, Visit, VisitPlan
from customers.validators import validate_mobile, validate_uscc
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.exports import export_file, export_named
from salesops.core.models import Event, Notification
from tests.factories import ContactFactory, CustomerFactory, VisitPlanFactory, make_uscc

pytestmark = pytest.mark.django_db


def events(obj, verb=None):
    qs = Event.objects.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)
    return qs.filter(verb=verb) if verb else qs


def wrong_check_digit(uscc: str) -> str:
    last = "1" if uscc[-1] != "1" else "2"
    return uscc[:-1] + last


# --- USCC -----------------------------------------------------------------------------------------------------------
class TestUsccValidator:
    def test_a_valid_code_passes_in_any_case(self):
        validate_uscc(make_uscc(42))
        validate_uscc(make_uscc(42).lower())

    def test_wrong_check_digit_is_refused_in_chinese(self):
        with pytest.raises(ValidationError) as e:
            validate_uscc(wrong_check_digit(make_uscc(42)))
        assert e.value.messages == ["统一社会信用代码校验位不正确，请核对。"]

    def test_wrong_length_says_how_long_it_is(self):
        with pytest.raises(ValidationError) as e:
            validate_uscc("91310000123")
        assert "应为18位，当前为11位" in e.value.messages[0]

    def test_letters_outside_the_charset_are_named(self):
        with pytest.raises(ValidationError) as e:
            validate_uscc("91310000OOOOOOOOOI")
        assert "不允许的字符：IO" in e.value.messages[0]

    def test_mobile_numbers(self):
        validate_mobile("138 1234 5678")
        with pytest.raises(ValidationError, match="手机号码格式不正确"):
            validate_mobile("12345")


# --- create / update ------------------------------------------------------------------------------------------------
class TestCustomerCreate:
    def test_a_rep_creates_an_intent_customer_that_they_own(self, cast):
        customer = services.customer_create(
            actor=cast.alice, data={"name": " 苏州精密机械有限公司 ", "uscc": make_uscc(500).lower()}
        )

        assert customer.code.startswith("KH-")
        assert (customer.owner, customer.team, customer.created_by) == (cast.alice, cast.east, cast.alice)
        assert customer.status == Customer.Status.INTENT
        assert customer.name == "苏州精密机械有限公司"
        assert customer.uscc == make_uscc(500)
        created = events(customer, Event.Verb.CREATED).get()
        assert customer.code in created.message and created.actor == cast.alice

    def test_codes_do_not_repeat(self, cast):
        a = services.customer_create(actor=cast.alice, data={"name": "甲公司"})
        b = services.customer_create(actor=cast.alice, data={"name": "乙公司"})
        assert a.code != b.code

    def test_a_clerk_creates_for_a_named_rep(self, cast):
        customer = services.customer_create(actor=cast.clerk, data={"name": "电话询价客户"}, owner=cast.carol)
        assert (customer.owner, customer.team, customer.created_by) == (cast.carol, cast.south, cast.clerk)

    def test_a_clerk_must_name_an_owner(self, cast):
        with pytest.raises(DomainError, match="请选择负责该客户的业务员"):
            services.customer_create(actor=cast.clerk, data={"name": "无主客户"})

    def test_a_rep_cannot_create_for_another_rep(self, cast):
        with pytest.raises(Forbidden):
            services.customer_create(actor=cast.alice, data={"name": "给 bob 的客户"}, owner=cast.bob)
        assert not Customer.objects.exists()

    def test_a_lead_creates_for_a_team_member_but_not_for_another_team(self, cast):
        assert services.customer_create(actor=cast.lena, data={"name": "组内客户"}, owner=cast.bob).owner == cast.bob
        with pytest.raises(Forbidden):
            services.customer_create(actor=cast.lena, data={"name": "别组客户"}, owner=cast.carol)

    @pytest.mark.parametrize("persona", ["finance", "service", "warehouse", "rev_technical"])
    def test_roles_outside_sales_cannot_create(self, cast, persona):
        with pytest.raises(Forbidden, match="没有新建客户的权限"):
            services.customer_create(actor=getattr(cast, persona), data={"name": "某公司"})

    def test_a_wrong_check_digit_is_refused_and_nothing_is_saved(self, cast):
        with pytest.raises(ValidationError) as e:
            services.customer_create(actor=cast.alice, data={"name": "错码公司", "uscc": wrong_check_digit(make_uscc(7))})
        assert e.value.message_dict["uscc"] == ["统一社会信用代码校验位不正确，请核对。"]
        assert not Customer.objects.exists()

    def test_the_same_uscc_twice_is_refused_even_if_the_other_customer_is_invisible(self, cast, carol_customer):
        with pytest.raises(DomainError) as e:
            services.customer_create(actor=cast.alice, data={"name": "重复公司", "uscc": carol_customer.uscc.lower()})
        assert e.value.code == "duplicate_uscc"
        assert f"已登记为客户 {carol_customer.code}" in str(e.value) and "不能重复建档" in str(e.value)
        assert Customer.objects.count() == 1

    @pytest.mark.parametrize("typed", ["广州南方贸易（集团）有限公司", " 广州南方贸易(集团)有限公司 "])
    def test_the_same_company_name_twice_is_refused_even_if_the_other_customer_is_invisible(self, cast, api_as, typed):
        carols = services.customer_create(actor=cast.carol, data={"name": "广州南方贸易（集团）有限公司"})
        with pytest.raises(DomainError) as e:
            services.customer_create(actor=cast.alice, data={"name": typed})
        assert e.value.code == "duplicate_name" and carols.code in str(e.value)
        r = api_as(cast.alice).post("/api/v1/customers/", {"name": typed}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "duplicate_name"
        # renaming another customer to it is refused too
        mine = services.customer_create(actor=cast.alice, data={"name": "苏州新客户"})
        with pytest.raises(DomainError):
            services.customer_update(customer=mine, actor=cast.alice, data={"name": typed})
        assert Customer.objects.count() == 2

    def test_payment_terms_must_be_complete(self, cast):
        with pytest.raises(ValidationError) as e:
            services.customer_create(actor=cast.manager, data={"name": "账期客户", "payment_terms": Customer.PaymentTerms.CREDIT})
        assert "请填写账期天数" in e.value.message_dict["credit_days"][0]


class TestCustomerUpdate:
    def test_changes_are_saved_and_logged_old_to_new(self, cast, alice_customer):
        services.customer_update(
            customer=alice_customer, actor=cast.manager, data={"grade": Customer.Grade.A, "credit_limit": Decimal("50000.00")}
        )

        alice_customer.refresh_from_db()
        assert alice_customer.grade == "A" and alice_customer.credit_limit == Decimal("50000.00")
        event = events(alice_customer, Event.Verb.UPDATED).get()
        assert event.actor == cast.manager
        changes = {c["field"]: (c["old"], c["new"]) for c in event.changes}
        assert changes == {"grade": ("B 一般客户", "A 重点客户"), "credit_limit": ("0.00", "50000.00")}

    def test_nothing_changed_writes_no_event(self, cast, alice_customer):
        services.customer_update(customer=alice_customer, actor=cast.alice, data={"name": alice_customer.name})
        assert not events(alice_customer, Event.Verb.UPDATED).exists()

    def test_changing_to_a_taken_uscc_is_refused(self, cast, alice_customer, bob_customer):
        with pytest.raises(DomainError, match="不能重复建档"):
            services.customer_update(customer=alice_customer, actor=cast.alice, data={"uscc": bob_customer.uscc})

    @pytest.mark.parametrize("persona", ["alice", "lena", "clerk", "manager", "vp", "gm", "admin"])
    def test_owner_lead_clerk_and_managers_may_edit(self, cast, alice_customer, persona):
        services.customer_update(customer=alice_customer, actor=getattr(cast, persona), data={"industry": "机械"})
        alice_customer.refresh_from_db()
        assert alice_customer.industry == "机械"

    @pytest.mark.parametrize("persona", ["bob", "carol", "finance", "service", "warehouse", "qc"])
    def test_others_may_not_edit(self, cast, alice_customer, persona):
        with pytest.raises(Forbidden):
            services.customer_update(customer=alice_customer, actor=getattr(cast, persona), data={"industry": "机械"})
        alice_customer.refresh_from_db()
        assert alice_customer.industry == ""


# --- reassign -------------------------------------------------------------------------------------------------------
class TestReassign:
    @pytest.mark.parametrize("actor, new_owner", [("lena", "bob"), ("lena", "lena"), ("manager", "carol"), ("vp", "bob")])
    def test_lead_within_team_and_managers_may_reassign(self, cast, alice_customer, actor, new_owner):
        actor, new_owner = getattr(cast, actor), getattr(cast, new_owner)

        services.customer_reassign(customer=alice_customer, actor=actor, new_owner=new_owner, reason="alice 调岗")

        alice_customer.refresh_from_db()
        assert alice_customer.owner == new_owner
        assert alice_customer.team == new_owner.profile.team
        event = events(alice_customer, Event.Verb.ASSIGNED).get()
        assert event.actor == actor and "alice 调岗" in event.message
        owner_change = next(c for c in event.changes if c["field"] == "owner")
        assert (owner_change["old"], owner_change["new"]) == (str(cast.alice), str(new_owner))
        assert Notification.objects.filter(recipient=new_owner, title__contains=alice_customer.name).exists()

    def test_the_previous_owner_is_told(self, cast, alice_customer):
        services.customer_reassign(customer=alice_customer, actor=cast.lena, new_owner=cast.bob, reason="调整")
        assert Notification.objects.filter(recipient=cast.alice, title__contains="已转给").exists()

    @pytest.mark.parametrize(
        "actor, new_owner",
        [("alice", "bob"), ("bob", "bob"), ("clerk", "bob"), ("finance", "bob"), ("lena", "carol"), ("carol", "carol")],
    )
    def test_others_may_not_reassign(self, cast, alice_customer, actor, new_owner):
        with pytest.raises(Forbidden):
            services.customer_reassign(
                customer=alice_customer, actor=getattr(cast, actor), new_owner=getattr(cast, new_owner), reason="想要"
            )
        alice_customer.refresh_from_db()
        assert alice_customer.owner == cast.alice
        assert not events(alice_customer, Event.Verb.ASSIGNED).exists()

    def test_a_lead_cannot_reassign_another_teams_customer(self, cast, carol_customer):
        with pytest.raises(Forbidden, match="组长或销售经理"):
            services.customer_reassign(customer=carol_customer, actor=cast.lena, new_owner=cast.alice, reason="抢客户")

    def test_a_reason_is_required(self, cast, alice_customer):
        with pytest.raises(DomainError, match="请填写转移原因"):
            services.customer_reassign(customer=alice_customer, actor=cast.manager, new_owner=cast.bob, reason="  ")

    def test_only_sales_people_can_own_customers(self, cast, alice_customer):
        with pytest.raises(Forbidden, match="销售人员"):
            services.customer_reassign(customer=alice_customer, actor=cast.manager, new_owner=cast.finance, reason="错误")


# --- status -----------------------------------------------------------------------------------------------------------
class TestStatus:
    def test_the_owner_turns_an_intent_customer_into_a_customer(self, cast, intent_customer):
        services.customer_change_status(customer=intent_customer, actor=cast.alice, action="activate")

        intent_customer.refresh_from_db()
        assert intent_customer.status == Customer.Status.ACTIVE
        event = events(intent_customer, Event.Verb.STATUS).get()
        assert (event.from_status, event.to_status) == ("intent", "active")
        assert event.message == "意向客户 → 正式客户"

    def test_activating_twice_is_a_conflict(self, cast, intent_customer):
        services.customer_change_status(customer=intent_customer, actor=cast.alice, action="activate")
        with pytest.raises(Conflict, match="正式客户"):
            services.customer_change_status(customer=intent_customer, actor=cast.alice, action="activate")

    def test_the_rep_cannot_deactivate(self, cast, alice_customer):
        with pytest.raises(Forbidden):
            services.customer_change_status(customer=alice_customer, actor=cast.alice, action="deactivate", reason="不做了")

    def test_deactivation_needs_a_reason_which_is_logged(self, cast, alice_customer):
        with pytest.raises(DomainError, match="请填写停用原因"):
            services.customer_change_status(customer=alice_customer, actor=cast.lena, action="deactivate")

        services.customer_change_status(customer=alice_customer, actor=cast.lena, action="deactivate", reason="公司注销")

        alice_customer.refresh_from_db()
        assert alice_customer.status == Customer.Status.INACTIVE
        assert events(alice_customer, Event.Verb.STATUS).get().message == "正式客户 → 停用：公司注销"

    def test_unknown_actions_are_refused(self, cast, alice_customer):
        with pytest.raises(DomainError):
            services.customer_change_status(customer=alice_customer, actor=cast.manager, action="delete")


# --- contacts, addresses, invoice titles ----------------------------------------------------------------------------
class TestChildren:
    def test_the_first_contact_becomes_primary_and_a_new_primary_replaces_it(self, cast, alice_customer):
        first = services.contact_create(
            actor=cast.alice, customer=alice_customer, data={"name": "王经理", "mobile": "13912345678"}
        )
        assert first.is_primary

        second = services.contact_create(
            actor=cast.alice, customer=alice_customer, data={"name": "李采购", "mobile": "13712345678", "is_primary": True}
        )

        first.refresh_from_db()
        assert second.is_primary and not first.is_primary
        assert Contact.objects.filter(customer=alice_customer, is_primary=True).count() == 1
        assert events(alice_customer, Event.Verb.UPDATED).filter(message__contains="新增联系人").count() == 2

    def test_a_contact_needs_a_way_to_reach_them(self, cast, alice_customer):
        with pytest.raises(ValidationError) as e:
            services.contact_create(actor=cast.alice, customer=alice_customer, data={"name": "无联系方式"})
        assert "请至少填写一种联系方式" in e.value.messages[0]

    def test_contact_edits_are_logged_old_to_new(self, cast, alice_customer):
        contact = ContactFactory(customer=alice_customer, name="王经理", mobile="13912345678")
        services.contact_update(actor=cast.alice, contact=contact, data={"mobile": "13800001111"})
        event = events(alice_customer, Event.Verb.UPDATED).get()
        assert event.changes == [{"field": "mobile", "label": "手机", "old": "13912345678", "new": "13800001111"}]

    def test_only_editors_may_add_contacts(self, cast, alice_customer):
        with pytest.raises(Forbidden):
            services.contact_create(actor=cast.finance, customer=alice_customer, data={"name": "x", "mobile": "13912345678"})

    def test_one_default_address(self, cast, alice_customer):
        data = {"province": "江苏", "city": "苏州", "address": "星湖街 1 号", "consignee": "张三", "phone": "0512-65432100"}
        a = services.address_create(actor=cast.alice, customer=alice_customer, data=data)
        b = services.address_create(actor=cast.alice, customer=alice_customer, data={**data, "address": "金鸡湖路 2 号"})
        assert a.is_default and not b.is_default

        services.address_update(actor=cast.alice, address=b, data={"is_default": True})

        a.refresh_from_db()
        b.refresh_from_db()
        assert b.is_default and not a.is_default

    def test_invoice_title_tax_id_is_checked(self, cast, alice_customer):
        with pytest.raises(ValidationError) as e:
            services.invoice_title_create(
                actor=cast.alice,
                customer=alice_customer,
                data={"title": alice_customer.name, "tax_id": wrong_check_digit(make_uscc(3)), "invoice_type": "general"},
            )
        assert e.value.message_dict["tax_id"] == ["统一社会信用代码校验位不正确，请核对。"]
        assert not InvoiceTitle.objects.exists()

    def test_a_special_vat_invoice_needs_bank_and_address(self, cast, alice_customer):
        with pytest.raises(ValidationError) as e:
            services.invoice_title_create(
                actor=cast.alice,
                customer=alice_customer,
                data={"title": alice_customer.name, "tax_id": make_uscc(3), "invoice_type": "special"},
            )
        assert set(e.value.message_dict) == {"bank", "account", "address_phone"}

    def test_a_valid_invoice_title_is_normalised_and_default(self, cast, alice_customer):
        title = services.invoice_title_create(
            actor=cast.alice,
            customer=alice_customer,
            data={"title": alice_customer.name, "tax_id": make_uscc(3).lower(), "invoice_type": "general"},
        )
        assert title.tax_id == make_uscc(3) and title.is_default


# --- follow-ups -----------------------------------------------------------------------------------------------------
class TestFollowUps:
    def test_a_follow_up_moves_the_next_contact_date(self, cast, intent_customer, today):
        next_week = today + timedelta(days=7)

        followup = services.followup_create(
            actor=cast.alice,
            customer=intent_customer,
            channel="phone",
            happened_on=today,
            summary="寄了价格表",
            next_contact_date=next_week,
        )

        intent_customer.refresh_from_db()
        assert intent_customer.next_contact_date == next_week
        assert followup.created_by == cast.alice
        event = events(intent_customer, Event.Verb.NOTE).get()
        assert "跟进（电话）：寄了价格表" in event.message
        assert event.changes[0]["field"] == "next_contact_date" and event.changes[0]["new"] == str(next_week)

    def test_an_older_follow_up_does_not_override_a_newer_one(self, cast, intent_customer, today):
        services.followup_create(
            actor=cast.alice,
            customer=intent_customer,
            channel="phone",
            happened_on=today,
            summary="新",
            next_contact_date=today + timedelta(days=3),
        )
        services.followup_create(
            actor=cast.alice,
            customer=intent_customer,
            channel="sms",
            happened_on=today - timedelta(days=5),
            summary="补录",
            next_contact_date=today + timedelta(days=30),
        )
        intent_customer.refresh_from_db()
        assert intent_customer.next_contact_date == today + timedelta(days=3)

    @pytest.mark.parametrize(
        "field, delta, message",
        [("happened_on", 1, "跟进日期不能晚于今天"), ("next_contact_date", -1, "下次联系日期不能早于今天")],
    )
    def test_dates_must_make_sense(self, cast, intent_customer, today, field, delta, message):
        kwargs = {"happened_on": today, "next_contact_date": None, field: today + timedelta(days=delta)}
        with pytest.raises(DomainError, match=message):
            services.followup_create(actor=cast.alice, customer=intent_customer, channel="phone", summary="x", **kwargs)

    def test_no_follow_ups_on_deactivated_customers(self, cast, intent_customer, today):
        services.customer_change_status(customer=intent_customer, actor=cast.lena, action="deactivate", reason="无意向")
        with pytest.raises(DomainError, match="已停用"):
            services.followup_create(actor=cast.alice, customer=intent_customer, channel="phone", happened_on=today, summary="x")

    def test_the_contact_must_belong_to_the_customer(self, cast, intent_customer, bob_customer, today):
        stranger = ContactFactory(customer=bob_customer)
        with pytest.raises(DomainError, match="不属于"):
            services.followup_create(
                actor=cast.alice, customer=intent_customer, channel="phone", happened_on=today, summary="x", contact=stranger
            )


# --- visit plans and visits -----------------------------------------------------------------------------------------
class TestVisitPlans:
    def test_a_rep_plans_a_visit_to_their_customer(self, cast, alice_customer, tomorrow):
        plan = services.visit_plan_create(actor=cast.alice, customer=alice_customer, planned_date=tomorrow, purpose="介绍新品")
        assert (plan.rep, plan.status, plan.period) == (cast.alice, VisitPlan.Status.PLANNED, VisitPlan.Period.WEEK)
        assert events(alice_customer, Event.Verb.NOTE).filter(message__contains="介绍新品").exists()

    def test_no_plans_in_the_past(self, cast, alice_customer, yesterday):
        with pytest.raises(DomainError, match="计划日期不能早于今天"):
            services.visit_plan_create(actor=cast.alice, customer=alice_customer, planned_date=yesterday, purpose="x")

    def test_a_rep_cannot_plan_for_someone_else_but_the_lead_can(self, cast, alice_customer, tomorrow):
        with pytest.raises(Forbidden):
            services.visit_plan_create(
                actor=cast.bob, customer=alice_customer, planned_date=tomorrow, purpose="x", rep=cast.alice
            )
        plan = services.visit_plan_create(
            actor=cast.lena, customer=alice_customer, planned_date=tomorrow, purpose="x", rep=cast.alice
        )
        assert plan.rep == cast.alice

    def test_a_rep_cannot_plan_a_visit_to_a_customer_they_do_not_own(self, cast, bob_customer, tomorrow):
        with pytest.raises(DomainError, match="不负责客户"):
            services.visit_plan_create(actor=cast.alice, customer=bob_customer, planned_date=tomorrow, purpose="x")

    def test_recording_the_visit_completes_the_plan(self, cast, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer, purpose="技术交流")

        visit = services.visit_create(actor=cast.alice, plan=plan, visited_on=today, outcome="客户认可方案", next_step="报价")

        plan.refresh_from_db()
        assert plan.status == VisitPlan.Status.DONE
        assert (visit.plan, visit.rep, visit.customer, visit.purpose) == (plan, cast.alice, alice_customer, "技术交流")
        status_event = events(plan, Event.Verb.STATUS).get()
        assert (status_event.from_status, status_event.to_status) == ("planned", "done")

    def test_completing_a_plan_twice_is_a_409_and_records_one_visit(self, cast, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer)
        services.visit_create(actor=cast.alice, plan=plan, visited_on=today, outcome="ok")

        with pytest.raises(Conflict) as e:
            services.visit_create(actor=cast.alice, plan=plan, visited_on=today, outcome="again")

        assert e.value.status_code == 409 and "已拜访" in str(e.value)
        assert Visit.objects.filter(plan=plan).count() == 1

    def test_cancel_then_complete_is_a_conflict(self, cast, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer)
        services.visit_plan_cancel(actor=cast.alice, plan=plan, reason="客户出差")
        plan.refresh_from_db()
        assert plan.status == VisitPlan.Status.CANCELLED
        assert events(plan, Event.Verb.STATUS).get().message == "计划中 → 已取消：客户出差"
        with pytest.raises(Conflict):
            services.visit_create(actor=cast.alice, plan=plan, visited_on=today, outcome="x")

    def test_another_rep_cannot_cancel(self, cast, alice_customer):
        plan = VisitPlanFactory(customer=alice_customer)
        with pytest.raises(Forbidden):
            services.visit_plan_cancel(actor=cast.bob, plan=plan, reason="x")

    def test_the_lead_reviews_and_the_rep_is_told(self, cast, alice_customer):
        plan = VisitPlanFactory(customer=alice_customer)

        services.visit_plan_review(actor=cast.lena, plan=plan, note="先约技术负责人")

        plan.refresh_from_db()
        assert (plan.review_note, plan.reviewed_by) == ("先约技术负责人", cast.lena) and plan.reviewed_at
        assert Notification.objects.filter(recipient=cast.alice, body="先约技术负责人").exists()

    @pytest.mark.parametrize("persona", ["alice", "bob", "clerk"])
    def test_reps_and_clerks_do_not_review(self, cast, alice_customer, persona):
        plan = VisitPlanFactory(customer=alice_customer)
        with pytest.raises(Forbidden):
            services.visit_plan_review(actor=getattr(cast, persona), plan=plan, note="x")

    def test_a_lead_does_not_review_his_own_plan_page_or_api(self, cast, client_as, api_as):
        from tests.factories import CustomerFactory

        plan = VisitPlanFactory(customer=CustomerFactory(owner=cast.lena, team=cast.east))
        with pytest.raises(Forbidden):
            services.visit_plan_review(actor=cast.lena, plan=plan, note="自审")
        assert api_as(cast.lena).post(f"/api/v1/visit-plans/{plan.pk}/review/", {"note": "自审"}).status_code == 403
        plan.refresh_from_db()
        assert (plan.review_note, plan.reviewed_by) == ("", None)
        # the manager still reviews it
        services.visit_plan_review(actor=cast.manager, plan=plan, note="可以")

    def test_a_visit_without_plan_moves_the_next_contact_date(self, cast, alice_customer, today):
        nxt = today + timedelta(days=14)
        services.visit_create(
            actor=cast.alice, customer=alice_customer, visited_on=today, purpose="回访", outcome="满意", next_contact_date=nxt
        )
        alice_customer.refresh_from_db()
        assert alice_customer.next_contact_date == nxt

    def test_no_visits_in_the_future(self, cast, alice_customer, tomorrow):
        with pytest.raises(DomainError, match="拜访日期不能晚于今天"):
            services.visit_create(actor=cast.alice, customer=alice_customer, visited_on=tomorrow, purpose="x", outcome="x")


# --- export ---------------------------------------------------------------------------------------------------------
class TestExport:
    def test_export_is_logged_and_limited_to_visible_customers(self, cast, alice_customer, bob_customer):
        out, count = export_file(
            export_named("customers"), actor=cast.alice, params=QueryDict("grade=B&q="), ip_address="10.0.0.8"
        )
        log = CustomerExport.objects.get()

        from openpyxl import load_workbook

        rows = list(load_workbook(out).active.iter_rows(values_only=True))
        assert rows[0][:2] == ("客户编号", "客户名称")
        assert [r[0] for r in rows[1:]] == [alice_customer.code]
        assert count == 1
        assert (log.user, log.row_count, log.ip_address, log.filters) == (cast.alice, 1, "10.0.0.8", {"grade": "B"})

    def test_formulas_in_customer_data_stay_text(self, cast):
        evil = CustomerFactory(owner=cast.alice, name='=HYPERLINK("http://evil")')
        out, _count = export_file(export_named("customers"), actor=cast.alice, params=QueryDict())

        from openpyxl import load_workbook

        cell = load_workbook(out).active["B2"]
        assert cell.value == evil.name and cell.data_type == "s"

    def test_the_sheet_has_a_frozen_bold_header_and_typed_columns(self, cast):
        from datetime import date

        from openpyxl import load_workbook

        CustomerFactory(owner=cast.alice, credit_limit=Decimal("150000.00"), credit_days=30, next_contact_date=date(2026, 12, 1))
        CustomerFactory(owner=cast.alice)
        out, _count = export_file(export_named("customers"), actor=cast.alice, params=QueryDict())
        log = CustomerExport.objects.get()

        ws = load_workbook(out).active
        header = [c.value for c in ws[1]]
        assert ws.title == "客户档案" and ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
        assert log.row_count == 2 and ws.max_row == 3
        row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("账期(天)")].value == 30)
        credit = row[header.index("信用额度")]
        assert credit.value == 150000 and credit.number_format == "#,##0.00"
        assert row[header.index("下次联系日期")].number_format == "yyyy-mm-dd"
        assert row[header.index("下次联系日期")].value.date() == date(2026, 12, 1)
        assert row[header.index("建档时间")].number_format == "yyyy-mm-dd hh:mm"
        assert ws.column_dimensions["B"].width == 32
