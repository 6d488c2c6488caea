"""HTML pages: forms, Chinese errors with nothing saved, the allowed actions, tabs, calendar, lists."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from customers import views
from customers.models import Contact, Customer, CustomerExport, InvoiceTitle, Visit, VisitPlan
from salesops.core.models import Event
from tests.factories import ContactFactory, CustomerFactory, VisitFactory, VisitPlanFactory, make_uscc

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def bad_check_digit(uscc):
    return uscc[:-1] + ("1" if uscc[-1] != "1" else "2")


class TestCustomerList:
    def test_rows_create_button_and_export_link(self, cast, client_as, alice_customer):
        page = html(client_as(cast.alice).get(reverse("customers:list")))
        assert page.count('data-testid="customer-row"') == 1 and alice_customer.name in page
        assert 'data-testid="customer-create"' in page and 'data-testid="list-export"' in page

    def test_no_create_button_for_finance(self, cast, client_as, alice_customer):
        page = html(client_as(cast.finance).get(reverse("customers:list")))
        assert 'data-testid="customer-create"' not in page and alice_customer.name in page

    def test_search_by_contact_name_and_filters(self, cast, client_as):
        wanted = CustomerFactory(owner=cast.alice, grade="A", province="浙江")
        ContactFactory(customer=wanted, name="欧阳娜娜")
        CustomerFactory(owner=cast.alice, grade="C", province="江苏")
        client = client_as(cast.alice)

        for params in ({"q": "欧阳"}, {"grade": "A"}, {"province": "浙江"}, {"q": wanted.code, "status": "active"}):
            page = html(client.get(reverse("customers:list"), params))
            assert page.count('data-testid="customer-row"') == 1 and f'data-customer-id="{wanted.pk}"' in page, params

    def test_owner_and_team_filters_only_for_those_who_see_others(self, cast, client_as, alice_customer, bob_customer):
        assert 'data-testid="filter-owner"' not in html(client_as(cast.alice).get(reverse("customers:list")))
        page = html(client_as(cast.lena).get(reverse("customers:list"), {"owner": cast.bob.pk}))
        assert (
            'data-testid="filter-owner"' in page and page.count('data-testid="customer-row"') == 1 and bob_customer.name in page
        )

    def test_the_filter_bar_comes_from_the_filter_set(self, cast, client_as, alice_customer):
        page = html(client_as(cast.lena).get(reverse("customers:list"), {"grade": "B"}))
        assert 'data-testid="list-filters"' in page and 'data-testid="filter-ordering"' in page
        assert '<select name="grade" class="form-select" data-testid="filter-grade" id="id_grade">' in page
        assert '<option value="B" selected>' in page and ">客户等级</label>" in page
        assert '<input type="date" name="next_contact_before" class="form-control"' in page
        assert f'<option value="{cast.alice.pk}">' in page  # lena leads alice's team: alice is offered as owner

    @pytest.mark.parametrize("params", [{"status": "zzz"}, {"next_contact_before": "2026-02-30"}, {"owner": "abc"}])
    def test_an_invalid_filter_value_is_shown_and_lists_nothing(self, cast, client_as, alice_customer, params):
        response = client_as(cast.alice).get(reverse("customers:list"), params)
        page = html(response)
        assert response.status_code == 400 and 'data-testid="filter-errors"' in page and "is-invalid" in page
        assert 'data-testid="customer-row"' not in page and 'data-testid="customer-empty"' in page

    def test_an_invalid_filter_exports_nothing(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]), {"grade": "Z"})
        assert response.status_code == 400 and "筛选条件有误，未导出：客户等级：" in html(response)
        assert not CustomerExport.objects.exists()

    def test_the_status_badge(self, cast, client_as, alice_customer):
        page = html(client_as(cast.alice).get(reverse("customers:list")))
        assert (
            '<span class="badge status-badge bg-success" data-testid="customer-status" data-status="active">正式客户</span>'
            in page
        )

    def test_pagination_25_per_page(self, cast, client_as):
        CustomerFactory.create_batch(27, owner=cast.alice)
        client = client_as(cast.alice)
        assert html(client.get(reverse("customers:list"))).count('data-testid="customer-row"') == 25
        assert html(client.get(reverse("customers:list"), {"page": 2})).count('data-testid="customer-row"') == 2

    def test_export_downloads_excel_and_logs(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]), {"grade": "B", "page": "3"})
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
        log = CustomerExport.objects.get()
        assert (log.user, log.row_count, log.filters) == (cast.alice, 1, {"grade": "B"})


def customer_post(**fields) -> dict:
    """The new-customer form as posted, with `fields` (name, uscc …) over the defaults."""
    return {
        "type": "end_customer",
        "grade": "B",
        "source": "phone",
        "payment_terms": "prepaid",
        "credit_limit": "0",
        "credit_days": "0",
        "deposit_rate": "0",
        "currency": "CNY",
        **fields,
    }


class TestCustomerForms:
    def test_a_rep_creates_a_customer(self, cast, client_as):
        response = client_as(cast.alice).post(
            reverse("customers:create"),
            customer_post(name="昆山新能源有限公司", uscc=make_uscc(77)),
        )

        customer = Customer.objects.get()
        assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
        assert customer.owner == cast.alice and customer.code.startswith("KH-")

    def test_the_rep_gets_no_owner_choice_the_clerk_does(self, cast, client_as):
        assert 'name="owner"' not in html(client_as(cast.alice).get(reverse("customers:create")))
        assert 'name="owner"' in html(client_as(cast.clerk).get(reverse("customers:create")))

    def test_wrong_check_digit_shows_the_chinese_error_and_saves_nothing(self, cast, client_as):
        response = client_as(cast.alice).post(
            reverse("customers:create"), {"name": "错码公司", "uscc": bad_check_digit(make_uscc(3))}
        )
        assert response.status_code == 400
        assert "统一社会信用代码校验位不正确，请核对。" in html(response)
        assert not Customer.objects.exists()

    def test_a_duplicate_uscc_is_refused_on_the_form(self, cast, client_as, carol_customer):
        response = client_as(cast.alice).post(
            reverse("customers:create"),
            customer_post(name="撞单公司", uscc=carol_customer.uscc),
        )
        assert response.status_code == 400 and "不能重复建档" in html(response) and 'data-testid="form-errors"' in html(response)
        assert Customer.objects.count() == 1

    def test_service_errors_come_back_as_non_field_errors(self, cast, client_as):
        response = client_as(cast.clerk).post(
            reverse("customers:create"),
            customer_post(name="x", owner=cast.finance.pk),
        )
        assert response.status_code == 400 and not Customer.objects.exists()  # finance is not an owner choice

    def test_edit_saves_and_is_on_the_timeline(self, cast, client_as, alice_customer):
        client = client_as(cast.lena)
        form = client.get(reverse("customers:update", args=[alice_customer.pk])).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
        data.update(grade="A", industry="注塑")

        response = client.post(reverse("customers:update", args=[alice_customer.pk]), data)

        assert response.status_code == 302
        alice_customer.refresh_from_db()
        assert (alice_customer.grade, alice_customer.industry) == ("A", "注塑")
        detail = html(client.get(reverse("customers:detail", args=[alice_customer.pk]), {"tab": "timeline"}))
        assert "B 一般客户" in detail and "A 重点客户" in detail

    def test_the_deposit_rate_is_typed_and_shown_as_a_percentage(self, cast, client_as, alice_customer):
        # given the manager sets 30 (%) on alice's customer's edit page
        url = reverse("customers:update", args=[alice_customer.pk])
        manager = client_as(cast.manager)
        form = manager.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
        data.update(payment_terms="deposit", deposit_rate="30")
        assert manager.post(url, data).status_code == 302
        # then the rate kept is 0.30, shown again as 30; 300 is refused
        alice_customer.refresh_from_db()
        assert alice_customer.deposit_rate == D("0.3000")
        assert 'name="deposit_rate" value="30"' in html(manager.get(url))
        page = manager.post(url, {**data, "deposit_rate": "300"})
        assert page.status_code == 400 and "应在 0% 到 100% 之间。" in html(page)
        # and alice, who may not change it (shown disabled), saves her own edit without touching it
        alice = client_as(cast.alice)
        form = alice.get(url).context["form"]
        assert form.fields["deposit_rate"].disabled
        data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields and not form.fields[k].disabled}
        assert alice.post(url, {**data, "industry": "注塑"}).status_code == 302
        alice_customer.refresh_from_db()
        assert (alice_customer.deposit_rate, alice_customer.industry) == (D("0.3000"), "注塑")

    def test_reassign_page(self, cast, client_as, alice_customer):
        assert client_as(cast.alice).get(reverse("customers:reassign", args=[alice_customer.pk])).status_code == 403
        response = client_as(cast.lena).post(
            reverse("customers:reassign", args=[alice_customer.pk]), {"owner": cast.bob.pk, "reason": "调整"}
        )
        assert response.status_code == 302
        alice_customer.refresh_from_db()
        assert alice_customer.owner == cast.bob

    def test_deactivate_asks_for_a_reason(self, cast, client_as, alice_customer):
        url = reverse("customers:change_status", args=[alice_customer.pk, "deactivate"])
        assert client_as(cast.alice).get(url).status_code == 403
        assert client_as(cast.lena).post(url, {"reason": ""}).status_code == 400
        assert client_as(cast.lena).post(url, {"reason": "不再合作"}).status_code == 302
        alice_customer.refresh_from_db()
        assert alice_customer.status == Customer.Status.INACTIVE

    def test_activating_twice_shows_a_409(self, cast, client_as, intent_customer):
        url = reverse("customers:change_status", args=[intent_customer.pk, "activate"])
        client = client_as(cast.alice)
        assert client.post(url).status_code == 302
        second = client.post(url)
        assert second.status_code == 409 and "不能执行" in html(second)


class TestCustomerDetail:
    def test_tabs_actions_and_timeline(self, cast, client_as, intent_customer):
        ContactFactory(customer=intent_customer, name="周总")
        page = html(client_as(cast.alice).get(reverse("customers:detail", args=[intent_customer.pk])))
        for tab in ("info", "contacts", "addresses", "invoice", "followups", "visits", "timeline"):
            assert f'data-testid="tab-{tab}"' in page
        assert 'data-testid="timeline"' in page and "周总" in page
        assert 'data-testid="customer-action-activate"' in page and 'data-testid="customer-edit"' in page
        assert 'data-testid="customer-action-deactivate"' not in page and 'data-testid="customer-reassign"' not in page

    def test_the_lead_gets_reassign_and_deactivate(self, cast, client_as, alice_customer):
        page = html(client_as(cast.lena).get(reverse("customers:detail", args=[alice_customer.pk])))
        assert 'data-testid="customer-reassign"' in page and 'data-testid="customer-action-deactivate"' in page

    def test_finance_sees_but_gets_no_actions(self, cast, client_as, alice_customer):
        page = html(client_as(cast.finance).get(reverse("customers:detail", args=[alice_customer.pk])))
        assert 'data-testid="customer-edit"' not in page and 'data-testid="contact-add"' not in page

    def test_active_tab_from_the_query_string(self, cast, client_as, alice_customer):
        page = html(client_as(cast.alice).get(reverse("customers:detail", args=[alice_customer.pk]), {"tab": "contacts"}))
        assert 'class="nav-link active" data-bs-toggle="tab" href="#pane-contacts"' in page


class TestChildPages:
    def test_add_a_contact(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).post(
            reverse("customers:contact_add", args=[alice_customer.pk]),
            {"name": "吴经理", "mobile": "13800138000", "is_primary": "on"},
        )
        assert response.status_code == 302 and response["Location"].endswith("?tab=contacts")
        assert Contact.objects.get().name == "吴经理"

    def test_bad_mobile_is_shown_in_chinese(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).post(
            reverse("customers:contact_add", args=[alice_customer.pk]), {"name": "吴", "mobile": "123"}
        )
        assert response.status_code == 400 and "手机号码格式不正确" in html(response)

    def test_invoice_title_with_wrong_tax_id_is_refused(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).post(
            reverse("customers:invoice_title_add", args=[alice_customer.pk]),
            {"title": alice_customer.name, "tax_id": bad_check_digit(make_uscc(9)), "invoice_type": "general"},
        )
        assert response.status_code == 400 and "校验位不正确" in html(response)
        assert not InvoiceTitle.objects.exists()

    def test_special_invoice_missing_bank_is_refused(self, cast, client_as, alice_customer):
        response = client_as(cast.alice).post(
            reverse("customers:invoice_title_add", args=[alice_customer.pk]),
            {"title": alice_customer.name, "tax_id": make_uscc(9), "invoice_type": "special"},
        )
        assert response.status_code == 400 and "开具增值税专用发票必须填写此项" in html(response)

    def test_edit_an_address(self, cast, client_as, alice_customer):
        from tests.factories import ShipToAddressFactory

        address = ShipToAddressFactory(customer=alice_customer)
        response = client_as(cast.alice).post(
            reverse("customers:address_edit", args=[address.pk]),
            {"province": "江苏", "city": "苏州", "address": "新地址 8 号", "consignee": "王收货", "phone": "0512-66666666"},
        )
        assert response.status_code == 302
        address.refresh_from_db()
        assert address.address == "新地址 8 号"


class TestFollowUps:
    def test_due_page_and_recording_a_follow_up(self, cast, client_as, today):
        due = CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today - timedelta(days=2))
        CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today + timedelta(days=2))
        client = client_as(cast.alice)

        page = html(client.get(reverse("customers:followups_due")))
        assert page.count('data-testid="followup-due-row"') == 1 and due.name in page and "逾期 2 天" in page

        next_date = today + timedelta(days=7)
        due_url = reverse("customers:followups_due")
        response = client.post(
            reverse("customers:followup_add", args=[due.pk]) + f"?next={due_url}",
            {
                "channel": "phone",
                "happened_on": today.isoformat(),
                "summary": "客户要样品",
                "next_contact_date": next_date.isoformat(),
            },
        )

        assert response.status_code == 302 and response["Location"] == due_url
        due.refresh_from_db()
        assert due.next_contact_date == next_date
        assert 'data-testid="followup-due-row"' not in html(client.get(due_url))

    def test_follow_up_in_the_future_is_refused(self, cast, client_as, intent_customer, tomorrow):
        response = client_as(cast.alice).post(
            reverse("customers:followup_add", args=[intent_customer.pk]),
            {"channel": "phone", "happened_on": tomorrow.isoformat(), "summary": "x"},
        )
        assert response.status_code == 400 and "跟进日期不能晚于今天" in html(response)


class TestVisitPages:
    def test_calendar_and_list_with_month_navigation(self, cast, client_as, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer, planned_date=today, purpose="送样")
        client = client_as(cast.alice)

        calendar = client.get(reverse("customers:visit_plans"))
        assert calendar.status_code == 200
        assert f'data-date="{today:%Y-%m-%d}"' in html(calendar) and 'data-testid="calendar-plan"' in html(calendar)

        listing = html(client.get(reverse("customers:visit_plans"), {"view": "list", "month": f"{today:%Y-%m}"}))
        assert f'data-plan-id="{plan.pk}"' in listing and 'data-testid="plan-complete"' in listing
        assert 'data-testid="plan-review"' not in listing  # reps do not review their own plans

        next_month = html(client.get(reverse("customers:visit_plans"), {"view": "list", "month": calendar.context["next_month"]}))
        assert 'data-testid="visit-plan-row"' not in next_month
        assert client.get(reverse("customers:visit_plans"), {"month": "bad"}).status_code == 200

    def test_a_busy_month_shows_a_days_first_plans_and_pages_the_list(self, cast, client_as, alice_customer, today):
        """A manager's month of every rep's plans: each calendar day shows its first plans and links to the rest (the
        list of that day), and the list is paged like every list."""
        VisitPlanFactory.create_batch(30, customer=alice_customer, planned_date=today)
        client, url = client_as(cast.manager), reverse("customers:visit_plans")
        day = re.search(rf'data-date="{today:%Y-%m-%d}".*?</td>', html(client.get(url)), re.DOTALL).group(0)
        assert day.count('data-testid="calendar-plan"') == views.CALENDAR_PLANS_PER_DAY
        assert f"还有 {30 - views.CALENDAR_PLANS_PER_DAY} 条" in day and f"day={today:%Y-%m-%d}" in day
        listing = client.get(url, {"view": "list", "month": f"{today:%Y-%m}", "day": f"{today:%Y-%m-%d}"})
        assert listing.context["page"].paginator.count == 30 and len(listing.context["plans"]) == 25
        assert html(listing).count('data-testid="visit-plan-row"') == 25 and 'data-testid="pagination"' in html(listing)
        second = client.get(url, {"view": "list", "day": f"{today:%Y-%m-%d}", "page": 2, "month": f"{today:%Y-%m}"})
        assert len(second.context["plans"]) == 5 and all(p.can_review for p in second.context["plans"])
        other_day = client.get(url, {"view": "list", "day": "1999-01-01"})  # not in the month: the whole month
        assert other_day.context["day"] is None and other_day.status_code == 200

    def test_the_lead_sees_the_team_plans_and_reviews(self, cast, client_as, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer, planned_date=today)
        client = client_as(cast.lena)
        listing = html(client.get(reverse("customers:visit_plans"), {"view": "list"}))
        assert f'data-plan-id="{plan.pk}"' in listing and 'data-testid="plan-review"' in listing

        response = client.post(reverse("customers:visit_plan_review", args=[plan.pk]), {"note": "带上技术员"})

        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.review_note == "带上技术员"
        assert client_as(cast.bob).get(reverse("customers:visit_plan_review", args=[plan.pk])).status_code == 404

    def test_create_a_plan(self, cast, client_as, alice_customer, tomorrow):
        response = client_as(cast.alice).post(
            reverse("customers:visit_plan_create") + f"?customer={alice_customer.pk}",
            {"customer": alice_customer.pk, "period": "week", "planned_date": tomorrow.isoformat(), "purpose": "季度回访"},
        )
        assert response.status_code == 302
        assert VisitPlan.objects.get().rep == cast.alice

    def test_a_plan_in_the_past_is_refused(self, cast, client_as, alice_customer, yesterday):
        response = client_as(cast.alice).post(
            reverse("customers:visit_plan_create"),
            {"customer": alice_customer.pk, "period": "week", "planned_date": yesterday.isoformat(), "purpose": "x"},
        )
        assert response.status_code == 400 and "计划日期不能早于今天" in html(response)

    def test_record_the_visit_of_a_plan_then_409(self, cast, client_as, alice_customer, today):
        plan = VisitPlanFactory(customer=alice_customer)
        url = reverse("customers:visit_create") + f"?plan={plan.pk}"
        data = {"visited_on": today.isoformat(), "outcome": "客户确认下单意向", "purpose": ""}
        client = client_as(cast.alice)

        assert client.post(url, data).status_code == 302
        plan.refresh_from_db()
        assert plan.status == VisitPlan.Status.DONE and Visit.objects.get().plan == plan

        again = client.post(url, data)
        assert again.status_code == 409 and "已拜访" in html(again)

    def test_cancel_page(self, cast, client_as, alice_customer):
        plan = VisitPlanFactory(customer=alice_customer)
        assert (
            client_as(cast.alice).post(reverse("customers:visit_plan_cancel", args=[plan.pk]), {"reason": "改期"}).status_code
            == 302
        )
        plan.refresh_from_db()
        assert plan.status == VisitPlan.Status.CANCELLED

    def test_visit_log(self, cast, client_as, alice_customer, bob_customer):
        mine = VisitFactory(customer=alice_customer, outcome="谈妥价格")
        VisitFactory(customer=bob_customer, outcome="bob 的拜访")
        page = html(client_as(cast.alice).get(reverse("customers:visits")))
        assert page.count('data-testid="visit-row"') == 1 and mine.outcome in page

    def test_visit_log_filters_by_rep_and_dates(self, cast, client_as, alice_customer, bob_customer, today):
        alices = VisitFactory(customer=alice_customer, rep=cast.alice, visited_on=today)
        VisitFactory(customer=bob_customer, rep=cast.bob, visited_on=today - timedelta(days=10))
        client = client_as(cast.lena)
        page = html(client.get(reverse("customers:visits")))
        assert 'data-testid="filter-rep"' in page and page.count('data-testid="visit-row"') == 2
        page = html(client.get(reverse("customers:visits"), {"rep": cast.alice.pk}))
        assert page.count('data-testid="visit-row"') == 1 and f'data-visit-id="{alices.pk}"' in page
        page = html(client.get(reverse("customers:visits"), {"date_from": (today - timedelta(days=1)).isoformat()}))
        assert page.count('data-testid="visit-row"') == 1 and f'data-visit-id="{alices.pk}"' in page
        assert 'data-testid="filter-rep"' not in html(client_as(cast.alice).get(reverse("customers:visits")))

    def test_a_malformed_visit_date_is_a_visible_error(self, cast, client_as, alice_customer):
        VisitFactory(customer=alice_customer)
        response = client_as(cast.alice).get(reverse("customers:visits"), {"date_to": "31/12/2026"})
        page = html(response)
        assert response.status_code == 400 and 'data-testid="filter-errors"' in page and "拜访日期至" in page
        assert 'data-testid="visit-row"' not in page

    def test_record_a_visit_without_plan(self, cast, client_as, alice_customer, today):
        response = client_as(cast.alice).post(
            reverse("customers:visit_create"),
            {"customer": alice_customer.pk, "visited_on": today.isoformat(), "purpose": "拜访", "outcome": "顺利"},
        )
        assert response.status_code == 302
        assert Event.objects.filter(target_id=alice_customer.pk, message__contains="拜访记录").exists()


@pytest.mark.parametrize(
    "name, params, status",
    [
        # invalid filter values: a visible error (400), never ignored
        ("customers:list", {"owner": "abc", "team": "x", "page": "abc", "ordering": "password", "status": "zzz"}, 400),
        ("customers:visits", {"date_from": "bad", "rep": "-1", "page": "999"}, 400),
        # parameters that only steer the page fall back to its default
        ("customers:visit_plans", {"rep": "abc", "month": "9999-12", "view": "nope"}, 200),
        ("customers:visit_plans", {"month": "2026-13"}, 200),
        ("customers:visit_plan_create", {"customer": "999999"}, 404),
    ],
)
def test_bad_query_parameters_never_break_a_page(cast, client_as, alice_customer, name, params, status):
    response = client_as(cast.lena).get(reverse(name), params)
    assert response.status_code == status
