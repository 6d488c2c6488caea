"""The dashboard shows each user's own to-do counts."""

from datetime import date, timedelta

from customers.models import Customer
from salesops.core.approvals import StepSpec, approval_start
from tests.factories import CustomerFactory, VisitPlanFactory


def test_dashboard_counts_are_the_users_own(cast, client_as):
    # given alice has one intent customer due today, one visit today, and an approval waits for the manager
    due = CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=date.today() - timedelta(days=1))
    CustomerFactory(owner=cast.bob, status=Customer.Status.INTENT, next_contact_date=date.today())
    VisitPlanFactory(customer=due, rep=cast.alice, planned_date=date.today())
    approval_start(
        target=due, kind="demo", steps=[StepSpec("mgr", "经理审批", 1, role="sales_manager")], actor=cast.alice, title="演示"
    )
    # when each opens the dashboard
    alice_page = client_as(cast.alice).get("/")
    manager_page = client_as(cast.manager).get("/")
    # then alice sees her follow-up and visit, the manager sees the approval
    assert alice_page.status_code == 200
    assert alice_page.context["followups_due_count"] == 1
    assert alice_page.context["visits_today_count"] == 1
    assert alice_page.context["approvals_count"] == 0
    assert due.name in alice_page.content.decode()
    assert manager_page.context["approvals_count"] == 1
    # the waiting approvals are listed only where there are some (the count card says 0 already)
    assert 'data-testid="todo-approval-list"' not in alice_page.content.decode()
    listed = manager_page.content.decode().split('data-testid="todo-approval-list"')[1]
    assert "演示" in listed.split("</ul>")[0]


def test_a_short_to_do_list_is_counted_by_its_rows_and_a_long_one_counted(cast, client_as):
    """The to-do lists show their first HOME_LIST_ROWS rows: a shorter list needs no COUNT, a longer one is counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import HOME_LIST_ROWS

    for _ in range(HOME_LIST_ROWS + 2):
        CustomerFactory(owner=cast.alice, status=Customer.Status.INTENT, next_contact_date=date.today())
    VisitPlanFactory(customer=Customer.objects.filter(owner=cast.alice).first(), rep=cast.alice, planned_date=date.today())
    with CaptureQueriesContext(connection) as queries:
        page = client_as(cast.alice).get("/")
    assert page.context["followups_due_count"] == HOME_LIST_ROWS + 2 and len(page.context["followups_due"]) == HOME_LIST_ROWS
    assert page.context["visits_today_count"] == 1 and page.context["approvals_count"] == 0
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    tables = ("core_approvalstep", "customers_visitplan")  # (the menu's badges count approvals in one query of their own)
    assert not any(sql.startswith(f'SELECT COUNT(*) AS "__count" FROM "{table}"') for sql in counted for table in tables)
    assert any("customers_customer" in sql for sql in counted)  # the follow-ups fill their table: counted


def test_dashboard_needs_login(client):
    assert client.get("/").status_code == 302


def test_user_menu_shows_role_labels_not_codes(cast, client_as):
    page = client_as(cast.clerk).get("/").content.decode()
    assert "销售内勤" in page
    assert "sales_clerk" not in page


def test_dashboard_lists_the_users_own_quotations_and_contracts_waiting_for_them(
    cast, client_as, accepted_quotation, quoting_alice
):
    # given alice has an accepted quotation turned into a contract that the review returned, and an approved quotation to send
    from contracts import services
    from tests.contracts.conftest import decide, fill_review

    contract = services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
    fill_review(contract, quoting_alice)
    services.contract_submit(contract=contract, actor=quoting_alice)
    decide(contract, services.CONTRACT_KIND, cast.manager, "reject", "交期不明确")
    to_send = services.quotation_create(
        actor=quoting_alice,
        customer=accepted_quotation.customer,
        data={},
        lines=[{"product": accepted_quotation.lines.get().product_id, "quantity": "1"}],
    )
    services.quotation_submit(quotation=to_send, actor=quoting_alice)
    decide(to_send, services.QUOTATION_KIND, cast.manager)

    # when alice and bob open the dashboard
    alice = {key: count for key, _label, count, _docs in client_as(cast.alice).get("/").context["documents"]}
    bob = {key: count for key, _label, count, _docs in client_as(cast.bob).get("/").context["documents"]}

    # then alice sees one of each of hers, bob none
    assert alice == {"quotations_to_send": 1, "quotations_expiring": 0, "contracts_returned": 1, "contracts_to_sign": 0}
    assert set(bob.values()) == {0}


def test_dashboard_shows_each_role_its_work_queue(cast, client_as):
    # when the clerk, finance, the warehouse and a rep open the dashboard
    codes = {
        who: [code for code, _title, _url, _counts in client_as(getattr(cast, who)).get("/").context["work"]]
        for who in ("clerk", "finance", "warehouse", "qc", "service", "alice", "manager")
    }
    # then each sees its own queue card (a manager all four), a rep none
    assert codes == {
        "clerk": ["clerk"],
        "finance": ["finance"],
        "warehouse": ["warehouse"],
        "qc": ["warehouse"],
        "service": ["service"],
        "alice": [],
        "manager": ["clerk", "finance", "warehouse", "service"],
    }
