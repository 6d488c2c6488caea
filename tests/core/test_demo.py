"""The demo data (salesops.core.demo and each app's demo.py) behind `manage.py seed_demo` and the README's demo walkthrough."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from catalog.models import PriceList, Product
from contracts.models import Contract, Quotation
from contracts.services import quotation_cancel
from customers.models import Customer, Opportunity
from orders.models import Inspection, Payment, SalesOrder, Shipment
from orders.selectors import clerk_queue, finance_queue, held_shipments
from salesops.core import demo
from salesops.core.approvals import requests_for, steps_waiting_for
from salesops.core.models import ApprovalStep, Team

SEEDED_APPS = {
    "auth",
    "authtoken",
    "core",
    "customers",
    "catalog",
    "contracts",
    "orders",
    "aftersales",
    "expenses",
    "reports",
    "plans",
    "market",
}
# README "Demo logins": username → role
README_LOGINS = {
    "admin": "admin",
    "alice": "sales_rep",
    "bob": "sales_rep",
    "carol": "sales_rep",
    "lena": "team_lead",
    "clerk": "sales_clerk",
    "manager": "sales_manager",
    "vp": "sales_vp",
    "gm": "gm",
    "finance": "finance",
    "warehouse": "warehouse",
    "qc": "qc",
    "service": "service",
    "rev_technical": "reviewer_technical",
    "rev_production": "reviewer_production",
    "rev_quality": "reviewer_quality",
    "rev_procurement": "reviewer_procurement",
    "rev_finance": "reviewer_finance",
    "rev_warehouse": "reviewer_warehouse",
}


def row_counts() -> dict[str, int]:
    """Rows of every table the demo writes to, including many-to-many tables (user ↔ group)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in SEEDED_APPS
    }


def seed_demo() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data ready" in out.getvalue()


@pytest.fixture
def seeded(demo_data, db):
    return {u.username: u for u in get_user_model().objects.all()}


def test_demo_modules_run_in_floor_order():
    names = [module.__name__ for module in demo.demo_modules()]
    assert names == [
        "salesops.core.demo",
        "customers.demo",
        "catalog.demo",
        "contracts.demo",
        "orders.demo",
        "aftersales.demo",
        "expenses.demo",
        "reports.demo",
        "plans.demo",
        "market.demo",
    ]


def test_an_app_with_demo_data_but_no_floor_is_refused(monkeypatch):
    # given FLOORS without orders, whose demo needs everything below it
    monkeypatch.setattr(demo, "FLOORS", [name for name in demo.FLOORS if name != "orders"])
    # when the seeders are gathered, then the command refuses to guess where orders runs
    with pytest.raises(ImproperlyConfigured, match="orders"):
        demo.demo_modules()


def test_seed_demo_twice_changes_nothing(db):
    # given the demo loaded once
    seed_demo()
    first = row_counts()
    # when it is loaded again, then no row is added or lost (and no IntegrityError)
    seed_demo()
    assert row_counts() == first
    assert first["auth.User"] == len(README_LOGINS)
    assert first["customers.Customer"] == 4
    assert first["customers.Opportunity"] == 7
    assert first["reports.WeeklyReport"] == 2  # last week's of alice (commented on) and carol (waiting)
    assert first["expenses.ExpenseClaim"] == 4  # paid, waiting for the clerk, with the manager, a draft
    assert first["plans.SalesPlan"] == 3  # the department's and alice's approved, bob's with the manager
    assert first["market.MarketInfo"] == 3  # a policy, a competitor's price cut (important), a customer's need
    assert first["reports.AppraisalRound"] == 2 and first["reports.Appraisal"] == 10  # last quarter's under way, one approved
    assert first["contracts.Quotation"] == 3
    assert first["orders.SalesOrder"] == 3  # two from the orders demo, one delivered by the after-sales demo


def test_a_second_run_leaves_the_walked_through_demo_alone(seeded):
    # given alice cancelled the demo's draft quotation while trying the app
    draft = Quotation.objects.get(project_name="二期产线改造")
    quotation_cancel(quotation=draft, actor=seeded["alice"], reason="试用")
    counts = row_counts()
    # when the demo is loaded again (make run does it every time), then nothing is recreated and the quotation stays cancelled
    seed_demo()
    assert row_counts() == counts
    draft.refresh_from_db()
    assert draft.status == Quotation.Status.CANCELLED


def test_every_readme_login_works_with_its_role(seeded):
    assert set(seeded) == set(README_LOGINS)
    for username, role in README_LOGINS.items():
        user = seeded[username]
        assert user.check_password("demo12345"), username
        assert list(user.groups.values_list("name", flat=True)) == [role], username
    assert seeded["admin"].is_staff and seeded["admin"].is_superuser
    assert not any(u.is_staff for name, u in seeded.items() if name != "admin")
    # alice may quote; the other reps may not
    assert [u.username for u in seeded.values() if u.profile.may_quote] == ["alice"]
    east, south = Team.objects.get(name="华东组"), Team.objects.get(name="华南组")
    assert east.lead == seeded["lena"]
    assert {u.username for u in seeded.values() if u.profile.team_id == east.pk} == {"lena", "alice", "bob"}
    assert {u.username for u in seeded.values() if u.profile.team_id == south.pk} == {"carol"}


def test_a_second_run_keeps_passwords_changed_since(seeded):
    # given alice changed her password after the demo was loaded
    alice = seeded["alice"]
    alice.set_password("mine-now-123")
    alice.save()
    # when the demo is loaded again (make run does it every time), then her password stays hers
    seed_demo()
    alice.refresh_from_db()
    assert alice.check_password("mine-now-123")


def test_customers_and_products(seeded):
    statuses = dict(Customer.objects.values_list("name", "status"))
    assert statuses == {
        "苏州恒通机电设备有限公司": "active",
        "无锡新锐自动化科技有限公司": "intent",
        "杭州华泰工业专卖店": "active",
        "广州粤海贸易有限公司": "active",
    }
    assert Customer.objects.get(status="intent").next_contact_date == date.today()
    for customer in Customer.objects.all():
        assert customer.contacts.filter(is_primary=True).count() == 1
        assert customer.addresses.filter(is_default=True).count() == 1
        assert customer.invoice_titles.filter(is_default=True).count() == 1
    stages = dict(Opportunity.objects.values_list("title", "status"))
    assert sorted(stages.values()) == ["lead", "lead", "lost", "negotiation", "proposal", "qualified", "won"]
    tender = Opportunity.objects.get(bidding="tender")  # reported, waiting for the sales manager, then the VP
    assert (tender.bid_decision, tender.bid_deadline) == ("pending", date.today() + timedelta(days=12))
    custom = Product.objects.get(code="P-2001")
    assert (custom.kind, custom.ever_produced) == ("custom", False)
    prices = PriceList.objects.get(name="经销商价格表").items.values_list("product__code", "unit_price")
    assert sorted(prices) == [("P-1001", Decimal("2034.00")), ("P-1002", Decimal("3051.00")), ("P-1003", Decimal("10800.00"))]


def test_quotations_and_the_special_contract_waiting_for_three_departments(seeded):
    quotations = dict(Quotation.objects.values_list("project_name", "status"))
    assert quotations == {"二期产线改造": "draft", "包装线伺服升级": "sent", "防爆车间配电": "accepted"}
    contract = Contract.objects.get()
    assert (contract.project_name, contract.status, contract.classification) == ("防爆车间配电", "in_review", "special")
    steps = list(requests_for(contract).get().steps.order_by("stage", "id").values_list("assignee_role", "status"))
    assert steps == [
        ("reviewer_technical", ApprovalStep.Status.PENDING),
        ("reviewer_production", ApprovalStep.Status.PENDING),
        ("reviewer_quality", ApprovalStep.Status.PENDING),
        ("sales_manager", ApprovalStep.Status.WAITING),
        ("sales_vp", ApprovalStep.Status.WAITING),
        ("gm", ApprovalStep.Status.WAITING),
    ]
    for reviewer in ("rev_technical", "rev_production", "rev_quality"):
        assert steps_waiting_for(seeded[reviewer]).count() == 1, reviewer
    waiting = sorted(s.request.kind for s in steps_waiting_for(seeded["manager"]))
    assert waiting == ["expense_claim", "opportunity_bid", "sales_plan"]  # the tender, carol's claim, bob's plan


def test_work_for_clerk_finance_and_warehouse(seeded):
    # clerk: an order to verify (内勤工作台)
    to_verify = clerk_queue(seeded["clerk"], date.today())["to_verify"]
    assert [o.project_name for o in to_verify] == ["门店备货"]
    # the other order is placed, its lot inspected and signed by QC and warehouse
    placed = SalesOrder.objects.get(project_name="装配线改造")
    assert placed.status == SalesOrder.Status.PLACED
    inspection = Inspection.objects.get(line__order=placed)
    assert inspection.result == Inspection.Result.PASS
    assert inspection.qc_signed_by == seeded["qc"] and inspection.warehouse_signed_by == seeded["warehouse"]
    # finance: the deposit recorded by the clerk waits for confirmation (财务工作台)
    queue = finance_queue(seeded["finance"])
    payment = queue["payments_to_confirm"].get()
    assert (payment.bank_reference, payment.status, payment.amount) == (
        "DEMO-20261120-001",
        Payment.Status.RECORDED,
        placed.amount_incl,
    )
    # and the outbound note is held at the payment gate until finance confirms it
    shipment = Shipment.objects.get(order=placed)
    assert shipment.status == Shipment.Status.DRAFT
    assert list(held_shipments(seeded["finance"])) == [shipment]
    assert [s.pk for s in queue["held_shipments"]] == [shipment.pk]


def test_the_readme_walkthrough_pages_render(seeded, client_as):
    # every demo login opens its dashboard
    for username, user in seeded.items():
        assert client_as(user).get(reverse("dashboard")).status_code == 200, username
    # each queue page shows its demo document
    contract = Contract.objects.get()
    payment = Payment.objects.get(bank_reference="DEMO-20261120-001")
    pages = [
        ("rev_technical", reverse("contracts:contract_detail", args=[contract.pk]), contract.number),
        ("clerk", reverse("orders:clerk_queue"), SalesOrder.objects.get(project_name="门店备货").number),
        ("finance", reverse("orders:finance_queue"), payment.bank_reference),
    ]
    pages.append(("manager", reverse("customers:opportunity_list"), "华东门店展柜升级"))
    for username, url, text in pages:
        response = client_as(seeded[username]).get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    for username in ("warehouse", "qc"):
        assert client_as(seeded[username]).get(reverse("orders:warehouse_queue")).status_code == 200, username
