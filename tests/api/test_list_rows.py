"""The lean list rows (core.api.ListRowsMixin: values() and a RowPlan instead of DRF's per-field work, issue 12) answer
exactly what the list serializer answered: the same keys in the same order, the same values, for every reader, on the
first page, a middle page, a page read from the end and a cursor page. Compared on the demo data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from salesops.core.api import ListRowsMixin, RowPlan

pytestmark = pytest.mark.usefixtures("demo_data", "db")

# endpoint: the demo users who read it (a manager sees every row; a rep, finance, service see their own share)
LISTS = {
    "customers": ("manager", "alice"),
    "products": ("manager", "alice", "clerk"),
    "quotations": ("manager", "alice"),
    "contracts": ("manager", "alice"),
    "orders": ("manager", "clerk", "alice"),
    "shipments": ("manager", "clerk", "warehouse"),
    "invoices": ("manager", "finance"),
    "payments": ("manager", "finance"),
    "callbacks": ("manager", "service"),
    "service-tickets": ("manager", "service"),
    "complaints": ("manager", "service"),
    "returns": ("manager", "service"),
    "contacts": ("manager", "alice"),
    "ship-to-addresses": ("manager", "alice"),
    "invoice-titles": ("manager", "alice"),
    "follow-ups": ("manager", "alice"),
    "visit-plans": ("manager", "lena", "alice"),
    "visits": ("manager", "lena", "alice"),
    "opportunities": ("manager", "lena", "alice"),
    "price-lists": ("manager", "alice"),
    "price-list-items": ("manager", "alice"),
    "contract-changes": ("manager", "alice"),
    "inspections": ("manager", "qc", "warehouse"),
    "corrective-actions": ("manager", "service", "qc"),
    "service-plans": ("manager", "service"),
    "targets": ("manager", "lena", "alice"),
    "report-runs": ("manager", "lena", "alice"),
    "notifications": ("manager", "alice", "finance"),
    "market-info": ("manager", "alice", "bob"),
}
ONE_ROW_IN_DEMO = {"contracts", "complaints", "returns"}  # made lean before the two-rows rule; the demo has one each
PAGES = ("", "?page_size=2", "?page_size=2&page=2", "?page_size=1&page=3", "?page_size=3&page=last", "?cursor=")


def _drf_list(self, request, *args, **kwargs):
    """The list action as it was: the serializer over model instances (DRF's ListModelMixin)."""
    return super(ListRowsMixin, self).list(request, *args, **kwargs)


def _client(username):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def _answers(client, url, monkeypatch):
    lean = client.get(url)
    with monkeypatch.context() as m:
        m.setattr(ListRowsMixin, "list", _drf_list)
        full = client.get(url)
    return lean, full


@pytest.fixture
def invoices(db):
    """Two invoice requests (the demo has none): one waiting, one issued (its issuer and date set)."""
    from orders.models import InvoiceRequest, SalesOrder

    users = get_user_model().objects.in_bulk(["clerk", "finance"], field_name="username")
    order = SalesOrder.objects.order_by("pk").first()
    common = {"order": order, "title": order.customer.name, "tax_id": "91310000000000000X", "requested_by": users["clerk"]}
    InvoiceRequest.objects.create(**common, number="KP-202603-0001", amount=Decimal("1000.50"))
    InvoiceRequest.objects.create(
        **common,
        number="KP-202603-0002",
        amount=Decimal("20"),
        status=InvoiceRequest.Status.ISSUED,
        issued_by=users["finance"],
        issued_on=date(2026, 3, 1),
        invoice_numbers="No.1",
    )


@pytest.fixture
def more_rows(db):
    """Rows the demo has fewer than two of, each list with a missing optional relation beside a present one (the lean
    rows must say null / the default where DRF does): follow-ups, visit plans and visits of alice's customer, a second
    price list, contract changes, CAPA, service plans, targets at every level, report runs (one by the scheduler)."""
    from aftersales.models import Complaint, CorrectiveAction, ServicePlan
    from catalog.models import PriceList
    from contracts.models import Contract, ContractChange
    from customers.models import Contact, Customer, FollowUp, Visit, VisitPlan
    from reports.models import ReportRun, SalesTarget
    from salesops.core.models import Team

    users = get_user_model().objects.in_bulk(["alice", "lena", "manager", "qc", "service"], field_name="username")
    alice, manager = users["alice"], users["manager"]
    customer = Customer.objects.filter(owner=alice).order_by("pk").first()
    contact = Contact.objects.create(customer=customer, name="王五", mobile="13900000000")
    for day, who in ((3, contact), (4, None)):
        FollowUp.objects.create(
            customer=customer, contact=who, channel="phone", happened_on=date(2026, 3, day), summary="报价", created_by=alice
        )
        plan = VisitPlan.objects.create(
            rep=alice, customer=customer, contact=who, planned_date=date(2026, 4, day), purpose="拜访"
        )
        Visit.objects.create(
            plan=plan if who else None, rep=alice, customer=customer, contact=who, visited_on=date(2026, 4, day), purpose="拜访",
            outcome="有意向", next_contact_date=date(2026, 5, day) if who else None,
        )  # fmt: skip
    PriceList.objects.create(name="经销商价", customer_type="dealer", valid_from=date(2026, 1, 1), currency="CNY")
    contract = Contract.objects.order_by("pk").first()
    for departments in (["technical", "finance"], []):
        ContractChange.objects.create(
            contract=contract, from_version=1, reason="改交期", departments=departments, requested_by=manager,
            header_changes={"delivery_date": ["2026-05-01", "2026-06-01"]},
        )  # fmt: skip
    complaint = Complaint.objects.order_by("pk").first()
    for kind, verifier in (("corrective", users["qc"]), ("preventive", None)):
        CorrectiveAction.objects.create(
            complaint=complaint, kind=kind, description="更换阀门", owner=users["qc"], due_on=date(2026, 6, 1),
            verified_by=verifier, created_by=users["service"],
        )  # fmt: skip
    for year in (2025, 2026):
        ServicePlan.objects.create(
            year=year, title=f"{year} 年售后服务计划", goals="回访率", content="走访", created_by=users["service"]
        )
    team = Team.objects.get(name="华东组")
    for level, owner in (("company", {}), ("team", {"team": team}), ("rep", {"team": team, "rep": alice})):
        SalesTarget.objects.create(year=2030, kind="year", level=level, amount=Decimal("1000000"), updated_by=manager, **owner)
    ReportRun.objects.create(kind="store_sales", period="2026-02", scope_key="company", status="done", requested_by=None)
    ReportRun.objects.create(kind="store_sales", period="2026-03", scope_key=f"rep:{alice.pk}", requested_by=alice)


@pytest.mark.usefixtures("invoices", "more_rows")
@pytest.mark.parametrize("endpoint", list(LISTS))
def test_the_lean_rows_are_the_serializers_rows(endpoint, monkeypatch):
    compared, widest = 0, 0
    for username in LISTS[endpoint]:
        client = _client(username)
        count = client.get(f"/api/v1/{endpoint}/").json()["count"]
        widest = max(widest, count)
        last = f"?page_size=2&page={max((count + 1) // 2, 1)}"
        for query in (*PAGES, last):
            lean, full = _answers(client, f"/api/v1/{endpoint}/{query}", monkeypatch)
            # the same JSON text: keys in the same order, numbers and dates formatted alike (a page past the end: the
            # same 404)
            assert lean.status_code == full.status_code, (username, query, lean.content[:300])
            assert json.dumps(lean.json()) == json.dumps(full.json()), (username, query)
            compared += len(lean.json().get("results", ()))
    assert compared > 0 and (widest >= 2 or endpoint in ONE_ROW_IN_DEMO), "the demo data has rows (two) in this list"


def test_a_hidden_field_is_left_out_of_the_lean_rows_too(monkeypatch):
    """The product list hides the standard cost from readers who may not see costs (HiddenFieldsMixin)."""
    for username, sees_cost in (("manager", True), ("alice", False)):
        lean, full = _answers(_client(username), "/api/v1/products/", monkeypatch)
        assert lean.json() == full.json()
        assert all(("standard_cost" in row) is sees_cost for row in lean.json()["results"])


def test_a_search_and_a_filter_give_the_same_rows(monkeypatch):
    client = _client("manager")
    for url in ("/api/v1/customers/?search=有限", "/api/v1/orders/?status=received", "/api/v1/customers/?ordering=name"):
        lean, full = _answers(client, url, monkeypatch)
        assert json.dumps(lean.json()) == json.dumps(full.json()), url


def test_a_serializer_that_cannot_be_read_as_columns_is_refused_when_the_plan_is_built():
    from aftersales.api.complaints import CorrectiveActionDetailSerializer

    with pytest.raises(TypeError, match="allowed_actions"):
        RowPlan(CorrectiveActionDetailSerializer)


def test_the_filter_set_is_built_only_when_a_filter_is_asked_for():
    """core.api_filters.ListFilterBackend: no filter parameter, no filter set (the rows unchanged); a filter parameter
    (also with a range's suffix) filters, and a bad value is still the 400 naming it."""
    from orders.filters import OrderFilter
    from salesops.core.api_filters import names_a_filter

    assert not names_a_filter({"page": "2", "page_size": "10", "cursor": ""}, OrderFilter)
    assert names_a_filter({"status": "received"}, OrderFilter)
    assert names_a_filter({"received_on_from_after": "2026-01-01"}, OrderFilter)  # a range's `<name>_after`
    client = _client("manager")
    everything = client.get("/api/v1/orders/", {"page_size": 200}).json()
    received = client.get("/api/v1/orders/", {"page_size": 200, "status": "received"}).json()
    assert received["count"] == sum(row["status"] == "received" for row in everything["results"]) < everything["count"]
    bad = client.get("/api/v1/orders/", {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def _list_indexes():
    from aftersales.models import CorrectiveAction, ServicePlan
    from catalog.models import PriceList
    from contracts.models import ContractChange
    from customers.models import Contact, FollowUp, InvoiceTitle, ShipToAddress, Visit, VisitPlan
    from orders.models import Inspection
    from reports.models import ReportRun

    # model: the column the list's visibility filter narrows it by (None: the list is not narrowed per reader)
    return {
        Contact: "customer",
        ShipToAddress: "customer",
        InvoiceTitle: "customer",
        FollowUp: "customer",
        VisitPlan: "customer",
        Visit: "customer",
        ContractChange: "contract",
        Inspection: "order",
        CorrectiveAction: "complaint",
        ReportRun: "scope_key",
        ServicePlan: None,
        PriceList: None,
    }


def test_each_list_has_an_index_in_its_default_order_and_one_within_its_visibility_column():
    """Issue 12: the first page of a list is read from an index in the list's order (a descending order by the same
    index read backwards), and a reader's share of it from one led by the column the visibility filter narrows."""
    for model, narrowed_by in _list_indexes().items():
        order = list(model._meta.ordering)
        if all(name.startswith("-") for name in order):
            order = [name[1:] for name in order]  # read backwards
        fields = [list(index.fields) for index in model._meta.indexes]
        assert order in fields, (model.__name__, order, fields)
        if narrowed_by:
            assert [narrowed_by, *order] in fields, (model.__name__, narrowed_by, fields)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an EXPLAIN of PostgreSQL")
def test_the_notification_list_is_read_from_its_index_unread_first():
    """The notification list's order (unread first, then newest: core.selectors.notifications_for) is an expression;
    the index is on the same expression, so PostgreSQL reads a reader's first page from it without sorting."""
    from salesops.core.models import Notification
    from salesops.core.selectors import notifications_for

    manager = get_user_model().objects.get(username="manager")
    Notification.objects.bulk_create(Notification(recipient=manager, title=f"n{i}") for i in range(30))
    sql, params = notifications_for(manager).values("pk", "title")[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_list_idx" in plan and "Sort" not in plan, plan


def test_a_reader_who_sees_every_parent_document_is_not_given_a_semi_join_of_the_parents():
    """core.access.of_visible: the contract changes, inspections and CAPA of a reader who sees every contract, order or
    complaint are the whole table (a deep page's id query read the list's index instead of hash-joining the parents);
    a rep's are still narrowed to the visible parents."""
    from aftersales.selectors import capa_list_for
    from contracts.selectors import contract_change_list_for
    from orders.selectors import inspection_list_for

    users = get_user_model().objects.in_bulk(["manager", "alice", "service"], field_name="username")
    for selector, everything, narrowed in (
        (contract_change_list_for, "manager", "alice"),
        (inspection_list_for, "manager", "alice"),
        (capa_list_for, "service", "alice"),
    ):
        assert " IN (SELECT" not in str(selector(users[everything]).query), selector.__name__
        assert " IN (SELECT" in str(selector(users[narrowed]).query), selector.__name__


@pytest.mark.usefixtures("more_rows")
def test_the_capa_list_documents_its_rows_and_the_detail_what_the_reader_may_do(openapi):
    """The CAPA list's rows leave out `allowed_actions` (read as columns); the detail and the actions' answers keep it,
    and the schema says so."""
    schema = openapi
    components = schema["components"]["schemas"]
    page = schema["paths"]["/api/v1/corrective-actions/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert page["schema"] == {"$ref": "#/components/schemas/PaginatedCorrectiveActionList"}
    assert "allowed_actions" not in components["CorrectiveAction"]["properties"]
    assert "allowed_actions" in components["CorrectiveActionDetail"]["properties"]
    client = _client("service")
    row = client.get("/api/v1/corrective-actions/").json()["results"][0]
    assert "allowed_actions" not in row and "allowed_actions" in client.get(f"/api/v1/corrective-actions/{row['id']}/").json()


@pytest.mark.usefixtures("more_rows")
def test_a_method_field_reads_a_row_as_it_reads_an_instance():
    """RowPlan's light object: a foreign key's id as `<name>_id` (also named in Meta.row_columns), the columns read
    through a relation on an object of their own, None for a missing optional relation — as on a model instance."""
    from rest_framework import serializers

    from customers.models import Visit

    class VisitRowSerializer(serializers.ModelSerializer):
        contact_name = serializers.CharField(source="contact.name", default="")
        customer_name = serializers.CharField(source="customer.name")
        label = serializers.SerializerMethodField()

        class Meta:
            model = Visit
            fields = ["id", "contact_name", "customer_name", "label"]
            row_columns = ["rep_id"]

        def get_label(self, obj) -> str:
            return f"{obj.customer.name}/{obj.contact.name if obj.contact else '-'}/{obj.rep_id}/{obj.customer_id}"

    visits = Visit.objects.order_by("pk")
    assert visits.filter(contact=None).exists() and visits.exclude(contact=None).exists()
    plan = RowPlan(VisitRowSerializer)
    lean = plan.format(plan.values(visits), VisitRowSerializer(context={}))
    assert lean == VisitRowSerializer(visits, many=True).data
