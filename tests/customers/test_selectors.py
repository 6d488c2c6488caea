"""Reads: visibility scoping, search, the due list and the day's visit plans (also used by the dashboard)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customers import selectors
from customers.models import Customer, VisitPlan
from tests.factories import ContactFactory, CustomerFactory, VisitPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(cast):
    """alice 2 customers, bob 1, carol 1, lena 1 (all team-assigned from the owner's profile)."""
    return {
        "alice": CustomerFactory.create_batch(2, owner=cast.alice),
        "bob": [CustomerFactory(owner=cast.bob)],
        "carol": [CustomerFactory(owner=cast.carol)],
        "lena": [CustomerFactory(owner=cast.lena)],
    }


class TestCustomerVisibility:
    @pytest.mark.parametrize(
        "persona, owners",
        [
            ("alice", ["alice"]),
            ("bob", ["bob"]),
            ("carol", ["carol"]),
            ("lena", ["alice", "bob", "lena"]),
            ("clerk", ["alice", "bob", "carol", "lena"]),
            ("manager", ["alice", "bob", "carol", "lena"]),
            ("finance", ["alice", "bob", "carol", "lena"]),
            ("service", ["alice", "bob", "carol", "lena"]),
            ("rev_technical", []),
        ],
    )
    def test_who_sees_which_customers(self, cast, book, persona, owners):
        seen = selectors.customer_list_for(getattr(cast, persona))
        expected = {c.pk for owner in owners for c in book[owner]}
        assert set(seen.values_list("pk", flat=True)) == expected

    def test_a_lead_sees_a_customer_of_their_team_even_when_owned_by_an_outsider(self, cast):
        customer = CustomerFactory(owner=cast.carol, team=cast.east)
        assert selectors.customer_list_for(cast.lena).filter(pk=customer.pk).exists()

    def test_inactive_users_see_nothing(self, cast, book):
        cast.manager.is_active = False
        assert not selectors.customer_list_for(cast.manager).exists()

    def test_children_follow_their_customer(self, cast, book):
        contact = ContactFactory(customer=book["bob"][0])
        assert selectors.contact_list_for(cast.bob).filter(pk=contact.pk).exists()
        assert selectors.contact_list_for(cast.lena).filter(pk=contact.pk).exists()
        assert not selectors.contact_list_for(cast.alice).filter(pk=contact.pk).exists()
        assert not selectors.contact_list_for(cast.carol).exists()


class TestSearch:
    def test_by_contact_mobile_code_and_uscc_without_duplicates(self, cast):
        customer = CustomerFactory(owner=cast.alice, name="常州某某公司")
        ContactFactory(customer=customer, name="张伟", mobile="13955551234")
        ContactFactory(customer=customer, name="张敏", mobile="13955551235")
        CustomerFactory(owner=cast.alice, name="别的公司")
        qs = Customer.objects.all()

        assert list(qs.filter(selectors.customer_search_q("1395555"))) == [customer]
        assert list(qs.filter(selectors.customer_search_q("张"))) == [customer]
        assert list(qs.filter(selectors.customer_search_q(customer.code))) == [customer]
        assert list(qs.filter(selectors.customer_search_q(customer.uscc.lower()))) == [customer]
        assert qs.filter(selectors.customer_search_q("")).count() == 2

    def test_ordering_accepts_only_known_fields(self, cast):
        b = CustomerFactory(owner=cast.alice, name="B公司")
        a = CustomerFactory(owner=cast.alice, name="A公司")
        qs = Customer.objects.all()
        assert list(selectors.customer_ordered(qs, "name")) == [a, b]
        assert list(selectors.customer_ordered(qs, "owner__password")) == list(qs)


class TestFollowupsDue:
    def test_a_rep_sees_own_intent_customers_due_today_or_overdue(self, cast, today):
        overdue = CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today - timedelta(days=3))
        due = CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today)
        CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=today + timedelta(days=1))
        CustomerFactory(owner=cast.alice, status=Customer.Status.ACTIVE, next_contact_date=today)
        CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=None)
        bobs = CustomerFactory(owner=cast.bob, status=Customer.Status.INTENT, next_contact_date=today)

        assert list(selectors.followups_due(cast.alice, today)) == [overdue, due]
        assert list(selectors.followups_due(cast.bob, today)) == [bobs]
        assert set(selectors.followups_due(cast.lena, today)) == {overdue, due, bobs}
        assert set(selectors.followups_due(cast.manager, today)) == {overdue, due, bobs}
        assert not selectors.followups_due(cast.carol, today).exists()


class TestVisitPlansForDay:
    def test_only_the_users_open_plans_of_that_day(self, cast, today):
        customer = CustomerFactory(owner=cast.alice)
        mine = VisitPlanFactory(customer=customer, planned_date=today)
        VisitPlanFactory(customer=customer, planned_date=today + timedelta(days=1))
        VisitPlanFactory(customer=customer, planned_date=today, status=VisitPlan.Status.DONE)
        VisitPlanFactory(customer=CustomerFactory(owner=cast.bob), planned_date=today)

        assert list(selectors.visit_plans_for_day(cast.alice, today)) == [mine]
        assert not selectors.visit_plans_for_day(cast.lena, today).exists()

    def test_the_month_calendar_places_plans_on_their_days(self, cast, today):
        plan = VisitPlanFactory(customer=CustomerFactory(owner=cast.alice), planned_date=today)
        plans = selectors.visit_plans_in_month(cast.alice, today.year, today.month)

        weeks = selectors.visit_plan_calendar(plans, today.year, today.month, today)

        cell = next(d for week in weeks for d in week if d.day == today)
        assert cell.plans == [plan] and cell.is_today and cell.in_month
        assert all(len(week) == 7 for week in weeks)
        assert list(selectors.visit_plans_in_month(cast.bob, today.year, today.month)) == []
        assert list(selectors.visit_plans_in_month(cast.lena, today.year, today.month)) == [plan]


class TestOwnerCandidates:
    def test_who_can_be_given_a_customer(self, cast):
        names = lambda user: set(selectors.owner_candidates_for(user).values_list("username", flat=True))
        assert names(cast.alice) == {"alice"}
        assert names(cast.lena) == {"lena", "alice", "bob"}
        assert {"alice", "bob", "carol", "lena", "manager", "vp"} == names(cast.manager)
        assert "finance" not in names(cast.clerk)
        assert names(cast.finance) == set()
