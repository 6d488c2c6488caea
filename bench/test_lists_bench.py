"""Benchmark: every list page and list endpoint at 60,000 rows (issue 12). Run: `make bench`, or alone (PostgreSQL only):
`DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=salesops.settings.test .venv/bin/python -m pytest -q -s -p no:cacheprovider bench/test_lists_bench.py`
About 2.5 minutes on a 2-core machine (data 40 s, the lines 100 s), after the test database's migrations.

The data: N rows per list, generated in the database (one INSERT … SELECT FROM generate_series per table), committed and
vacuumed like a live database after autovacuum, removed at the end; orders have lines, inspections, shipments and a
payment allocated to each; 18,841 of them owe money.

What it prints, one line each:
- `LIST <name> rows=<n> ms=<median> baseline_ms=<median> ratio=<r> deep_ratio=<d> queries_10=<q> queries_100=<q>` —
  ms: page 1 of the list (default order, 25 rows) as the role that reads it; baseline_ms: a minimal view returning the
  same page of the same rows with values() + JsonResponse (bench/urls.py), measured alternately in the same run (each
  API list is checked to return the baseline's rows in the same order); deep_ratio: the page before the last over page 1;
  queries_10 / queries_100: queries at page_size 10 and 100. `<list>_search`: ?q= two words (the baseline runs the same
  search); `<list>_lookup`: a picker's type-ahead; `*_queue`: a work page (every queue's count and first rows).
- `EXPLAIN <name> index=<yes|no> slowest_ms=<ms> <plan>`: the plan of the query that reads the page's rows.
- `FLOOR <role> ms=<median> baseline_ms=<median> queries=<q>`: an authenticated page with no rows (base.html, menu, nav
  badges) against an authenticated empty JsonResponse: the part of every list page that is not its list.
- `PAGE home <role> ms=<median> queries=<q>`: the home page (工作台) over the same data.
- `PAGE customer sales_manager ms=<median> queries=<q>`: a key account's page — a customer holding a quarter of every
  document (15,000 orders with their shipments and what they owe, quotations, contracts, after-sales, visits).
`<list>_rep` reads the list as a rep (lb_rep0: the documents of own customers, or own — 3,000 of 60,000; quotations,
orders, shipments and sales opportunities);
`<list>_lead` as the team's lead (lb_team_lead: every customer is the team's, so all 60,000 through the team filter);
`price_list_items` is the price list's page (a page of its 60,000 rows).
Targets: ratio ≤ 2, deep_ratio ≤ 1.2. It fails only when queries_10 ≠ queries_100 (a query per row).

Last run, 2026-12-06 (sixth session, a quiet hour; FLOOR 2.7–3.1 ms): API lists 5–8 ms against 1–2 ms (ratio 3.3–7.7;
approvals 20 ms), pages 11–31 ms, a rep's lists 16–24 ms (API) and 23–37 ms (page), the team's lead (every customer
the team's) 32–39 ms (API) and 46–50 ms (page), deep_ratio 0.90–1.09 (the rep's order page 1.22, 1.19 in the session's
first run, 1.19–1.46 in the fifth session's: its deep page's generated orders are all past their promised ship date,
25 late marks and their risk read, none on page 1; the same rows' API 1.02), a rep's shipments 31 ms (page, deep_ratio
1.08) and 24 ms (API), searches of two words 11–19 ms (ratio 1.3–1.9; the customer search, 186 rows, 8 ms: 3.2),
pickers 3–22 ms (ratio 1.1–2.9), the sales opportunities 31 ms (page, its funnel grouped over every row) and 6 ms
(API), the technical questions (技术咨询) 13 / 6 ms and the weekly reports (销售周报) 18 / 6 ms, receivables 232 / 212 ms
(ratio 1.60 / 1.44), the price list's page 24 ms, work pages 52–76 ms, home pages 19–100 ms, a key account's page 165 ms.
The seventh session's run of the appraisals (绩效考核, 60,000: one per rep and quarter) beside the weekly reports, in a
slower hour: appraisals 34 ms (page) / 10 ms (API), deep_ratio 0.99 / 1.14; the weekly reports 35 / 10 ms in the same run.
The eighth session's run of the expense claims (费用报销, 60,000, every one submitted, read by the sales manager) beside
the appraisals: expense claims 41 ms (page) / 22 ms (API), deep_ratio 0.97 / 1.03, 8 / 5 queries at any page; the
appraisals 37 / 15 ms in the same run.
The tenth session's run of the market information (市场信息, 60,000, a third naming a customer, the manager has read
half) beside the expense claims: market information 56 ms (page; 97 ms while the page counted every unread entry,
now "99+") / 21 ms (API), deep_ratio 0.92 / 1.00, 8 / 5 queries at any page; expense claims 31 / 17 ms in that run.
The fifth session's run (a slow hour: searches ~30 % above): APIs 7–14 ms, pages 13–40 ms, a key account's page 248 ms.
The fifteenth session's run (2026-12-07, FLOOR 3.1–3.6 ms, a demo server running beside it): receivables 318 / 265 ms
(ratio 1.84 / 1.55, with its new 预收/应退 table and columns), the credit notes (红字冲减单, no rows generated) 8 / 4 ms,
invoices (now searchable) 28 / 11 ms, shipments (net of goods refused and received back) 15 / 11 ms, home pages 28–157 ms.
The nineteenth session's run (2026-12-07, the session's first quarter hour on a new machine, slower: FLOOR 4.5–5.2 ms
against 2.1–2.4 ms): API lists 8–22 ms against 1–3 ms (ratio 3.1–8.8), pages 18–62 ms, deep_ratio 0.75–1.24, the
visits search (trigram indexes, customers 0018) 28 ms against 22 ms (1.27), the other searches 1.2–2.1, the team
lead's orders and shipments 64–111 ms (their COUNT of 60,000 rows through the customer join, 49–57 ms of it), the
customer picker's frequent 2-character word 86 ms against 28 ms (3.07: it also looks in contacts' names and mobiles and
the USCC since the eighteenth session, the baseline in the name, short name and code only), receivables 415 / 346 ms
(ratio 1.92 / 1.34), work pages 37–114 ms, home pages 44–371 ms, a key account's page 248 ms. Its second run, after
the work page of the warehouse and QC gained 待检验 (orders_to_inspect's count and rows: 15 -> 16 queries) and invoices
and payments their numbers: the warehouse queue 153 / 83 ms (ratio 46.6 / 26.5, against 43.0 / 21.5), invoices 30 / 9
ms and payments 24 / 10 ms (as before within the spread), the other lines within the first run's spread.

The twentieth session's run (2026-12-08, a quiet machine after the helpers' runs: FLOOR 2.9–3.4 ms against 1.3–1.4
ms), after the API router grouped its patterns by first segment (…/orders/ resolved 0.41 -> 0.11 ms): API lists 5–15 ms
(the approvals 27) against 1–2 ms (ratio 3.5–9.7, the approvals 12.0; orders 9 ms, 4.89), pages 9–54 ms, deep_ratio 0.79–1.26 (the rep's order page 1.26),
searches of two words ratio 1.3–1.9 (the customer search 3.1), the lead's orders and shipments 52–67 ms, receivables
377 / 307 ms (ratio 1.96 / 1.44), work pages 44–140 ms, the customer picker's 2-character word 80 ms against 26 ms
(3.02), home pages 33–232 ms, a key account's page 239 ms.
A rep's lists through the order (shipments, invoices) had a 2.6 deep ratio: PostgreSQL estimates the rep's filter
(`customer among the rep's, or own`) at half of the orders whatever its form (a subquery in an OR has no statistics).
With the customer as an IN of the rep's customers' ids, it charged the hashed set's cost on every row a page's
nested loop reads, so beyond ~26 rows it hashed all 60,000 shipments and sorted a page out of them (API 65 ms, the page
before last 88 ms). As EXISTS (now, `customers.selectors.customer_scope`) it is costed by the customer's key: a page
walks the shipments' ordering index and stops when full, a count still hashes the rep's customers once. Measured
side by side on the profiling copy, twice each: a rep's shipments API 72–78 -> 33 ms, their page before last 93–100
-> 42 ms, the invoices' 67–76 -> 40–54 ms, every other rep list the same within 3 ms; the price: a page in the exact
middle of a rep's 120 shipment pages walks half the list (70–104 -> 108–125 ms; pages past the middle are read from
the end). Tried before and not kept:
`= ANY(ARRAY(subquery))` (estimated at 10 rows: walked pages test each row against the 3,000-id array linearly: the deep
order page 29 -> 38 ms), the ids as one array parameter or as 3,000 parameters (22–52 ms), a semi-join on the rep's
orders (19–26 ms in psql), a UNION of the two halves (73 ms).

Where a plain list's time goes (why it stays above ratio 2): the minimal view reads 25 rows and nothing else (1–3 ms).
The list also reads the session, the user and the roles (~1 ms), counts its rows exactly for the pager (an index-only
COUNT: 3–5 ms at 60,000 rows, the one part that grows with the rows the reader sees, by about 0.07 ms a thousand), and
goes through DRF (~2 ms) or, for a page, base.html (the FLOOR, ~4 ms against 2 ms for an authenticated empty JSON
answer: a page is above ratio 2 before its first row) and the table and filter bar (15–40 ms). Page 1 and a deep page
cost the same. A first page that holds every row (a search, a filtered list) is counted by its rows, with no COUNT; lists
whose query does real work — searches, the queue filters, the receivables, the pickers — are within 1.1–2.9×.

What it found, before -> after (details in the commits): page_size ignored (always 25); lists sorted without an index
(order list API 950 -> 13 ms, contracts page 886 -> 33 ms); the order list's customer filter rendered 60,000 options
(> 30 s) and the payments page a select of every customer (17 s), now type-ahead pickers; the tickets API ran a query per
row; the approvals inbox 950 -> 57 ms (its own columns, a covering index, the deep page read backwards); the clerk queue
9.5 s -> 129 ms (decided, counted and sliced in SQL on partial indexes); the receivables computed in Python (4.4 s ->
865 ms, one grouped query); searches 160–400 -> 22–57 ms (trigram indexes, one semi-join per word); the report scope
picker a query per rep; a manager's visit calendar drew 2,500 plans (271 -> 63 ms); the work pages drew 50 rows per
table (finance 108 -> 77 ms, warehouse 163 -> 93 ms); the manager's home page computed 14 figures to show 4 (~600 -> 164
ms, outside the LIST lines); the receivables read every owing order into Python for a page of 25 (878 / 761 -> 395 / 350
ms: the page, the count, the totals and the groups in one query); a search counted its rows with a second search
(ratio 1.8–2.4 -> 1.2–1.5); the price list rows were sorted by list across a join (65 -> 9 ms, now by product code on its
index); the product page read every product's tax rate for the filter's options (125 -> 20 ms on the profiling copy; 33 ms here); the service desk drew 50
rows and a form per callback and sorted each queue whole (283 -> 96 ms on the profiling copy; 116 ms here); the price
list's page drew every row with its forms (60,000 rows: 20.5 s -> 30 ms, now paged and searched) and its admin page
every row as an inline (did not open in 5 minutes -> 27 ms; the rows have their own admin list); a key account's page
summed what it owes by loading every owing order (917 -> 330 ms on the profiling copy, 189 ms here); a rep's lists
tested the customer's owner on every document through a join (orders 43 -> 22 ms API, 92 -> 51 ms page); a team lead's
lists read the team's 60,000 customers into a hashed set before a page's first row (profiling copy: shipments 176 ->
86 ms API, 353 -> 77 ms page; orders 100 -> 73 ms API), now the customer's team is tested through the join; the rep
filter (业务员) of the order, quotation, contract and receivables pages read the owners of every visible row (a lead:
58 ms, a rep: 17–29 ms for their own name), now the reps the reader looks at, from the users (this day's runs: the
orders_rep page 79 -> 45 ms, quotations_rep 84 -> 37).
"""

import statistics
import time
from datetime import date
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.filters import ComplaintFilter, ReturnFilter, TicketFilter
from aftersales.models import Callback, Complaint, CorrectiveAction, ReturnRequest, ServicePlan, ServiceTicket
from bench import urls as bench_urls
from catalog.models import PriceList, PriceListItem, Product
from contracts.models import Contract, ContractChange, Quotation
from contracts.selectors import search_q as contract_search_q
from customers.models import Contact, Customer, FollowUp, Opportunity, TechnicalQuestion, Visit, VisitPlan
from customers.selectors import customer_search_q, opportunity_search_q, visit_search_q
from expenses.models import ExpenseClaim
from market.models import MarketInfo, MarketInfoRead
from market.rules import Kind as MarketKind
from market.rules import Source as MarketSource
from orders.models import (
    CreditNote,
    Inspection,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from orders.receivables import ReceivableTable, receivable_orders_for
from orders.selectors import (
    order_queue,
    order_search_q,
    shipment_queue,
    shipment_search_q,
)
from plans.models import SalesPlan
from reports.models import Appraisal, AppraisalRound, ReportRun, WeeklyReport
from reports.periods import Period
from salesops.core.models import ApprovalRequest, ApprovalStep, Department, Notification, Team
from salesops.core.search import every_word_q
from salesops.core.selectors import LOOKUP_LIMIT
from tests.factories import UserFactory

N = 60_000
User = get_user_model()
REPS = 20
TEAM = "基准组"  # every customer's team; lb_team_lead leads it
ROUNDS = 5

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the list benchmark runs on PostgreSQL")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_series(model, exprs: dict[str, str], n: int = N, **fixed) -> int:
    """INSERT n rows of `model` in one statement: each column is its SQL expression of `i` (1..n) from `exprs`, else the
    value of `fixed`, else the model field's default (or its first choice). Returns the first new id."""
    obj = model(**fixed)
    columns, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(_q(f.column))
        if f.name in exprs:
            values.append(str(exprs[f.name]))
            continue
        value = f.pre_save(obj, True)
        if value in (None, "") and not f.null and f.choices and f.name not in fixed:
            value = f.choices[0][0]
        values.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    table = _q(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS (INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
            f" FROM generate_series(1, {n}) AS i RETURNING id) SELECT MIN(id), MAX(id) FROM new",
            params,
        )
        first, last = cursor.fetchone()
    assert last - first + 1 == n, "consecutive ids"
    return first


def _pick(values) -> str:
    """SQL: the (i mod len)-th of `values`, spreading statuses evenly."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"(ARRAY[{quoted}])[1 + mod(i, {len(values)})]"


NAME = (
    f"{_pick(['华东', '华南', '北方', '西部', '东海', '长江', '中原'])} || {_pick(['精密', '重工', '电气', '机械', '科技', '贸易'])}"
    " || i || '有限公司'"
)
TABLES = [
    MarketInfoRead,
    MarketInfo,
    SalesPlan,
    ExpenseClaim,
    Appraisal,
    AppraisalRound,
    WeeklyReport,
    TechnicalQuestion,
    PriceListItem,
    PriceList,
    ContractChange,
    VisitPlan,
    Contact,
    ReportRun,
    ServicePlan,
    Inspection,
    SalesOrderLine,
    PaymentAllocation,
    Notification,
    CorrectiveAction,
    Visit,
    FollowUp,
    Callback,
    Complaint,
    ServiceTicket,
    ReturnRequest,
    ApprovalStep,
    ApprovalRequest,
    Payment,
    InvoiceRequest,
    Shipment,
    SalesOrder,
    Contract,
    Quotation,
    Product,
    Opportunity,
    Customer,
]


PRICE_LIST = "基准价格表"


def make_lists_data() -> tuple[dict, list, Team]:
    """N rows per list, owned by REPS reps (consecutive ids), and the users who read the lists, by role."""
    team = Team.objects.get_or_create(name=TEAM, defaults={"department": Department.objects.get(code="sales")})[0]
    users = {
        role: UserFactory(username=f"lb_{role}", roles=[role], profile={})
        for role in ("sales_manager", "sales_clerk", "finance", "service", "warehouse")
    }
    reps = [UserFactory(username=f"lb_rep{k}", roles=["sales_rep"], profile={"team": team}) for k in range(REPS)]
    # the team's lead: every customer is the team's, so the lead reads every document through the team filter
    users["team_lead"] = UserFactory(username="lb_team_lead", roles=["team_lead"], profile={"team": team})
    team.lead = users["team_lead"]
    team.save(update_fields=["lead"])
    rep = f"{reps[0].pk} + mod(i, {REPS})" if [r.pk for r in reps] == list(range(reps[0].pk, reps[0].pk + REPS)) else None
    assert rep, "the reps' ids are consecutive"
    now = timezone.now()
    day = f"DATE '{date.today().isoformat()}' - mod(i, 700)"
    stamp = f"TIMESTAMPTZ '{now.isoformat()}' - make_interval(mins => {N} - i)"
    mgr = users["sales_manager"].pk
    c0 = insert_series(
        Customer,
        {
            "code": "'LB-KH-' || lpad(i::text, 6, '0')",
            "name": NAME,
            "owner": rep,
            "created_by": rep,
            "status": _pick(Customer.Status.values),
            "created_at": stamp,
            "updated_at": stamp,
        },
        uscc="",
        team=team,
    )
    customer = f"{c0} + mod(i * 7919, {N})"
    owner = f"{reps[0].pk} + mod({customer}, {REPS})"  # the customer's owner (ids are consecutive on both sides)
    p0 = insert_series(Product, {"code": "'LB-P-' || lpad(i::text, 6, '0')", "name": NAME.replace("有限公司", "型号")})
    doc = {"customer": customer, "owner": owner, "created_by": owner, "created_at": stamp, "updated_at": stamp}
    q0 = insert_series(
        Quotation,
        {
            **doc,
            "number": "'LB-BJ-' || i",
            "status": _pick(Quotation.Status.values),
            "quote_date": day,
            "valid_until": f"{day} + 30",
        },
        version=1,
    )
    k0 = insert_series(
        Contract, {**doc, "number": "'LB-HT-' || i", "status": _pick(Contract.Status.values), "contract_date": day}
    )
    o0 = insert_series(
        SalesOrder,
        {
            **doc,
            "number": "'LB-SO-' || i",
            "status": _pick(SalesOrder.Status.values),
            "received_on": day,
            "promised_ship_date": f"{day} + 30",
            "credit_days": "30 * mod(i, 4)",
        },
    )
    order = f"{o0} - 1 + i"
    s0 = insert_series(
        Shipment,
        {
            "order": order,
            "number": "'LB-FH-' || i",
            "status": _pick(Shipment.Status.values),
            "amount_incl": "100 + mod(i, 900)",
            "shipped_at": f"{stamp} - make_interval(days => mod(i, 200))",
            "created_by": owner,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )
    insert_series(
        InvoiceRequest,
        {
            "number": "'LB-KP-' || i",
            "order": order,
            "status": _pick(InvoiceRequest.Status.values),
            "requested_by": owner,
            "requested_at": stamp,
            "title": NAME,
            "amount": "100 + i",
        },
        tax_id="91310000000000000X",
    )
    pay0 = insert_series(
        Payment,
        {
            "number": "'LB-HK-' || i",
            "customer": customer,
            "bank_reference": "'LB-' || i",
            "status": _pick(["recorded", "confirmed"]),
            "received_on": day,
            "recorded_by": users["sales_clerk"].pk,
            "recorded_at": stamp,
            "amount": "100 + i",
        },
    )
    r0 = insert_series(
        ApprovalRequest,
        {"target_id": f"{q0} - 1 + i", "requested_by": owner, "created_at": stamp, "title": "'报价审批 ' || i"},
        target_type=ContentType.objects.get_for_model(Quotation),
        kind="quotation",
        status="pending",
    )
    insert_series(
        ApprovalStep,
        {"request": f"{r0} - 1 + i", "activated_at": stamp},
        stage=1,
        code="manager",
        label="销售经理",
        status="pending",
        assignee_role="sales_manager",
    )
    after = {
        "order": order,
        "customer": f"(SELECT customer_id FROM orders_salesorder WHERE id = {order})",
        "created_at": stamp,
    }
    insert_series(
        Callback,
        {
            **after,
            "shipment": f"{s0} - 1 + i",
            "due_on": day,
            "queue_on": day,
            "assignee": users["service"].pk,
            "status": _pick(Callback.Status.values),
        },
        offset_days=7,
    )
    insert_series(
        ServiceTicket,
        {
            **after,
            "number": "'LB-GD-' || i",
            "status": _pick(ServiceTicket.Status.values),
            "subject": "'无法启动 ' || i",
            "respond_by": stamp,
            "resolve_by": stamp,
            "created_by": mgr,
            "updated_at": stamp,
        },
    )
    t0 = insert_series(
        Complaint,
        {
            **after,
            "number": "'LB-TS-' || i",
            "status": _pick(Complaint.Status.values),
            "reported_on": day,
            "description": "'外观划伤 ' || i",
            "created_by": mgr,
            "updated_at": stamp,
        },
    )
    insert_series(
        ReturnRequest,
        {
            **after,
            "number": "'LB-TH-' || i",
            "status": _pick(ReturnRequest.Status.values),
            "reason": "'质量问题 ' || i",
            "requested_by": mgr,
            "requested_at": stamp,
            "updated_at": stamp,
        },
    )
    insert_series(
        CorrectiveAction,
        {
            "complaint": f"{t0} - 1 + i",
            "kind": _pick(CorrectiveAction.Kind.values),
            "description": "'更换阀门 ' || i",
            "owner": users["service"].pk,
            "due_on": day,
            "created_by": mgr,
            "created_at": stamp,
        },
    )
    insert_series(
        FollowUp,
        {
            "customer": customer,
            "channel": _pick(FollowUp.Channel.values),
            "happened_on": day,
            "summary": "'电话沟通报价 ' || i",
            "created_by": owner,
            "created_at": stamp,
        },
    )
    insert_series(
        Visit,
        {
            "rep": owner,
            "customer": customer,
            "visited_on": day,
            "purpose": "'拜访 ' || i",
            "outcome": "'有意向 ' || i",
            "created_at": stamp,
        },
    )
    opp0 = insert_series(
        Opportunity,
        {
            **doc,
            "number": "'LB-JH-' || i",
            "title": "'门店升级 ' || i",
            "needs": "'更换展柜 ' || i",
            "amount": "1000 + mod(i, 90000)",
            "expected_close": f"{day} + 60",
            "status": _pick(Opportunity.Stage.values),
        },
    )
    insert_series(  # a question on each opportunity, asked by its owner
        TechnicalQuestion,
        {
            "number": "'LB-JZ-' || i",
            "opportunity": f"{opp0} - 1 + i",
            "subject": "'扬程与流量 ' || i",
            "question": "'客户要求的参数 ' || i",
            "status": _pick(TechnicalQuestion.Status.values),
            "asked_by": owner,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )
    # each order's payment allocated to it: part of what it shipped (the receivables: 应收账款)
    insert_series(PaymentAllocation, {"payment": f"{pay0} - 1 + i", "order": order, "amount": "50 + mod(i, 400)"})
    line0 = insert_series(
        SalesOrderLine,
        {"order": order, "line_no": "1", "name": "'阀门 ' || i", "quantity": "10", "unit_price": "100", "list_price": "100"},
    )
    insert_series(
        Inspection,
        {
            "order": order,
            "line": f"{line0} - 1 + i",
            "lot_no": "'LB-PH-' || i",
            "quantity": "10",
            "result": _pick(Inspection.Result.values),
            "created_by": users["warehouse"].pk,
            "created_at": stamp,
        },
    )
    insert_series(
        ServicePlan,
        {
            "year": "2026 - mod(i, 60)",
            "title": "'年度售后服务计划 ' || i",
            "goals": "'回访率、满意度'",
            "content": "'培训与走访'",
            "created_by": users["service"].pk,
            "created_at": stamp,
        },
        status=ServicePlan.Status.DRAFT,
    )
    insert_series(
        ReportRun,
        {
            "kind": _pick(ReportRun.Kind.values),
            "period": "to_char(DATE '2026-11-01' - make_interval(months => mod(i, 120)), 'YYYY-MM')",
            "requested_by": mgr,
            "created_at": stamp,
            "queued_at": stamp,
        },
        scope_key="company",
        status=ReportRun.Status.DONE,
        progress=100,
    )
    insert_series(Contact, {"customer": customer, "name": "'联系人' || i", "mobile": "'139' || lpad(i::text, 8, '0')"})
    insert_series(
        VisitPlan,
        {"rep": owner, "customer": customer, "planned_date": f"{day} + 30", "purpose": "'拜访 ' || i", "created_at": stamp},
    )
    insert_series(
        ContractChange,
        {
            "contract": f"{k0} - 1 + i",
            "from_version": "1",
            "reason": "'变更交期 ' || i",
            "requested_by": owner,
            "created_at": stamp,
        },
    )
    price_list = PriceList.objects.create(name=PRICE_LIST, valid_from=date.today(), created_by=users["sales_manager"])
    insert_series(PriceListItem, {"price_list": str(price_list.pk), "product": f"{p0} - 1 + i", "unit_price": "100 + mod(i, 50)"})
    # the manager's own notifications are half of them (the rest the reps'), one in ten unread
    insert_series(
        Notification,
        {
            "recipient": f"CASE WHEN mod(i, 2) = 0 THEN {mgr} ELSE {rep} END",
            "title": "'审批通过 ' || i",
            "read_at": f"CASE WHEN mod(i, 10) = 0 THEN NULL ELSE {stamp} END",
            "created_at": stamp,
        },
    )
    # one report per rep and week, back from this week's Monday: (i mod REPS, i div REPS) is unique
    monday = Period.week(date.today()).start.isoformat()
    insert_series(
        WeeklyReport,
        {
            "rep": rep,
            "week": f"DATE '{monday}' - 7 * (i / {REPS})",
            "summary": "'拜访客户 ' || i",
            "next_plan": "'下周跟进 ' || i",
            "status": _pick(WeeklyReport.Status.values),
            "created_at": stamp,
            "updated_at": stamp,
        },
        team=team,
    )
    # one appraisal per rep and quarter (绩效考核), back from the last quarter that ended: N / REPS rounds
    r0 = insert_series(
        AppraisalRound,
        {
            "year": f"{date.today().year - 1} - (i - 1) / 4",
            "number": "1 + mod(i - 1, 4)",
            "status": _pick(AppraisalRound.Status.values),
            "opened_by": str(mgr),
            "created_at": stamp,
            "updated_at": stamp,
        },
        n=N // REPS,
        kind="quarter",
    )
    insert_series(
        Appraisal,
        {
            "round": f"{r0} + (i - 1) / {REPS}",
            "employee": rep,
            "total": "60 + mod(i, 40)",
            "grade": _pick(["A", "B", "C"]),
            "status": _pick(Appraisal.Status.values),
            "created_at": stamp,
            "updated_at": stamp,
        },
        post="seller",
        team=team,
    )
    # expense claims (费用报销), all submitted: the manager reads every one
    insert_series(
        ExpenseClaim,
        {
            "number": "'LB-BX-' || i",
            "claimant": rep,
            "title": "'客户拜访差旅 ' || i",
            "total": "100 + mod(i, 900)",
            "status": _pick([v for v in ExpenseClaim.Status.values if v != ExpenseClaim.Status.DRAFT]),
            "submitted_at": stamp,
            "created_at": stamp,
            "updated_at": stamp,
        },
        team=team,
    )
    # sales plans (销售计划), each rep's own for a year (one live plan per rep and period), all handed in: the manager
    # reads every one
    insert_series(
        SalesPlan,
        {
            "number": "'LB-XSJH-' || i",
            # one day each from 2000-01-01 (reports.periods reads 2000–2099 only): the key only has to be unique per rep
            "period_key": f"to_char(date '2000-01-01' + ((i - 1) / {REPS})::int, 'YYYY-MM-DD')",
            "author": rep,
            "planned": "10000 + mod(i, 9000)",
            "status": _pick([SalesPlan.Status.SUBMITTED, SalesPlan.Status.APPROVED, SalesPlan.Status.RETURNED]),
            "submitted_at": stamp,
            "created_at": stamp,
            "updated_at": stamp,
        },
        level="rep",
        team=team,
    )
    # market information (市场信息): a third names a customer, a tenth is important; the manager has read half of them
    m0 = insert_series(
        MarketInfo,
        {
            "number": "'LB-SCXX-' || i",
            "kind": _pick(MarketKind.values),
            "source": _pick(MarketSource.values),
            "title": "'友商动态 ' || i",
            "content": "'客户反馈友商降价 ' || i",
            "competitor": "'友商' || mod(i, 50)",
            "customer": f"CASE WHEN mod(i, 3) = 0 THEN {customer} END",
            "important": "mod(i, 10) = 0",
            "reported_by": rep,
            "created_at": stamp,
            "updated_at": stamp,
        },
        team=team,
    )
    insert_series(MarketInfoRead, {"info": f"{m0} - 2 + 2 * i", "read_at": stamp}, n=N // 2, user=users["sales_manager"])
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"VACUUM ANALYZE {_q(model._meta.db_table)}")
    return users, reps, team


@pytest.fixture(scope="module")
def lists_data(django_db_setup, django_db_blocker):
    """60,000 rows per list (committed: VACUUM cannot run in a test's transaction), removed after the module."""
    with django_db_blocker.unblock():
        users, reps, team = make_lists_data()
        yield {**users, "sales_rep": reps[0]}  # a rep reads the lists of own customers (lb_rep0)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(_q(m._meta.db_table) for m in TABLES)} CASCADE")
        for user in [*users.values(), *reps]:
            user.delete()
        team.delete()


def _rows(model, *order, **filters):
    return lambda: model.objects.filter(**filters).order_by(*order)


DOC = ("id", "number", "customer__name", "owner__username", "status", "amount_incl")
AFTER = ("id", "number", "customer__name", "status", "created_at")
STEPS = ("id", "request__title", "request__requested_by__username", "label", "status", "activated_at")
PENDING = {"status": "pending", "assignee_role": "sales_manager"}


def _user_id(username: str):
    """The user's id as a scalar subquery (PostgreSQL reads it first, then the list's index for that id)."""
    return User.objects.filter(username=username).values("pk")[:1]


def _reps(model, *order, path: str = ""):
    """The rows the first rep (lb_rep0) sees: of own customers, or own (`path`: the way to the document holding the
    customer and owner, e.g. "order__")."""
    rep = _user_id("lb_rep0")
    return lambda: model.objects.filter(Q(**{f"{path}customer__owner": rep}) | Q(**{f"{path}owner": rep})).order_by(*order)


def _led(model, *order, path: str = ""):
    """The rows the team's lead (lb_team_lead) sees: of the team's customers or the lead's own, or the lead's (`path`:
    the way to the document holding the customer and owner, e.g. "order__")."""
    lead = _user_id("lb_team_lead")
    team = Team.objects.filter(name=TEAM).values("pk")[:1]
    return lambda: model.objects.filter(
        Q(**{f"{path}customer__owner": lead}) | Q(**{f"{path}customer__team": team}) | Q(**{f"{path}owner": lead})
    ).order_by(*order)


UNREAD_FIRST = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())


def _page_and_api(name: str, page: str, api: str, role: str, rows, columns) -> dict:
    """A list's page and its API endpoint: the same rows in the same order, as the same user."""
    return {name: (page, role, rows, columns), f"{name}_api": (api, role, rows, columns)}


SHIPMENT = ("id", "number", "order__number", "order__customer__name", "status")
INVOICE = ("id", "number", "order__number", "order__customer__name", "title", "status", "amount")
PAYMENT = ("id", "number", "bank_reference", "customer__name", "status", "amount", "received_on")
CALLBACK = ("id", "order__number", "customer__name", "status", "due_on")
RETURN = ("id", "number", "customer__name", "status", "requested_at")
VISIT = ("id", "rep", "customer", "visited_on", "purpose", "outcome")
NOTIFICATION = ("id", "title", "url", "read_at", "created_at")
OPPORTUNITY = ("id", "number", "title", "customer__name", "owner__username", "status", "amount", "expected_close")
# name: (url, role, the same rows in the same order, the columns of the minimal view)
LISTS = {
    **_page_and_api(
        "customers",
        "/customers/",
        "/api/v1/customers/",
        "sales_manager",
        _rows(Customer, "-created_at", "-id"),
        ("id", "code", "name", "owner__username", "status"),
    ),
    **_page_and_api(
        "products",
        "/catalog/products/",
        "/api/v1/products/",
        "sales_manager",
        _rows(Product, "code"),
        ("id", "code", "name", "model", "unit"),
    ),
    **_page_and_api(
        "quotations", "/sales/quotations/", "/api/v1/quotations/", "sales_manager", _rows(Quotation, "-created_at", "-id"), DOC
    ),
    **_page_and_api(
        "contracts", "/sales/contracts/", "/api/v1/contracts/", "sales_manager", _rows(Contract, "-created_at", "-id"), DOC
    ),
    **_page_and_api("orders", "/orders/", "/api/v1/orders/", "sales_clerk", _rows(SalesOrder, "-received_on", "-id"), DOC),
    # as a rep: the documents of own customers or own (3,000 of 60,000), the visibility an OR across the customer join
    **_page_and_api(
        "quotations_rep", "/sales/quotations/", "/api/v1/quotations/", "sales_rep", _reps(Quotation, "-created_at", "-id"), DOC
    ),
    **_page_and_api("orders_rep", "/orders/", "/api/v1/orders/", "sales_rep", _reps(SalesOrder, "-received_on", "-id"), DOC),
    **_page_and_api(
        "shipments_rep",
        "/orders/shipments/",
        "/api/v1/shipments/",
        "sales_rep",
        _reps(Shipment, "-created_at", "-id", path="order__"),
        SHIPMENT,
    ),
    # as the team's lead: every document, through the team filter (and a shipment's through its order)
    **_page_and_api("orders_lead", "/orders/", "/api/v1/orders/", "team_lead", _led(SalesOrder, "-received_on", "-id"), DOC),
    **_page_and_api(
        "shipments_lead",
        "/orders/shipments/",
        "/api/v1/shipments/",
        "team_lead",
        _led(Shipment, "-created_at", "-id", path="order__"),
        SHIPMENT,
    ),
    **_page_and_api(
        "shipments",
        "/orders/shipments/",
        "/api/v1/shipments/",
        "sales_clerk",
        _rows(Shipment, "-created_at", "-id"),
        SHIPMENT,
    ),
    **_page_and_api(
        "invoices", "/orders/invoices/", "/api/v1/invoices/", "finance", _rows(InvoiceRequest, "-requested_at", "-id"), INVOICE
    ),
    **_page_and_api(
        "payments", "/orders/payments/", "/api/v1/payments/", "finance", _rows(Payment, "-received_on", "-id"), PAYMENT
    ),
    **_page_and_api(
        "credit_notes",
        "/orders/credit-notes/",
        "/api/v1/credit-notes/",
        "finance",
        _rows(CreditNote, "-created_at", "-id"),
        ("id", "number", "order__number", "amount"),
    ),
    "approvals_inbox": ("/core/approvals/", "sales_manager", _rows(ApprovalStep, "activated_at", "id", **PENDING), STEPS),
    "approvals_api": ("/api/v1/approval-steps/", "sales_manager", _rows(ApprovalStep, "activated_at", "id", **PENDING), STEPS),
    # the callbacks page shows the latest due first, the API the earliest (the order a caller works through)
    "callbacks": ("/aftersales/callbacks/", "service", _rows(Callback, "-due_on", "-id"), CALLBACK),
    "callbacks_api": ("/api/v1/callbacks/", "service", _rows(Callback, "due_on", "id"), CALLBACK),
    **_page_and_api(
        "tickets",
        "/aftersales/tickets/",
        "/api/v1/service-tickets/",
        "service",
        _rows(ServiceTicket, "-created_at", "-id"),
        AFTER,
    ),
    **_page_and_api(
        "complaints", "/aftersales/complaints/", "/api/v1/complaints/", "service", _rows(Complaint, "-created_at", "-id"), AFTER
    ),
    **_page_and_api(
        "returns",
        "/aftersales/returns/",
        "/api/v1/returns/",
        "service",
        _rows(ReturnRequest, "-requested_at", "-id"),
        RETURN,
    ),
    **_page_and_api(
        "clerk_queue",
        "/orders/work/clerk/",
        "/api/v1/work/clerk/",
        "sales_clerk",
        _rows(SalesOrder, "received_on", "id", status="received"),
        DOC,
    ),
    "followups_api": (
        "/api/v1/follow-ups/",
        "sales_manager",
        _rows(FollowUp, "-happened_on", "-id"),
        ("id", "customer", "channel", "happened_on", "summary", "created_by"),
    ),
    **_page_and_api(
        "opportunities",
        "/customers/opportunities/",
        "/api/v1/opportunities/",
        "sales_manager",
        _rows(Opportunity, "-created_at", "-id"),
        OPPORTUNITY,
    ),
    **_page_and_api(
        "opportunities_rep",
        "/customers/opportunities/",
        "/api/v1/opportunities/",
        "sales_rep",
        _reps(Opportunity, "-created_at", "-id"),
        OPPORTUNITY,
    ),
    **_page_and_api(
        "visits", "/customers/visits/", "/api/v1/visits/", "sales_manager", _rows(Visit, "-visited_on", "-id"), VISIT
    ),
    "capa_api": (
        "/api/v1/corrective-actions/",
        "service",
        _rows(CorrectiveAction, "due_on", "id"),
        ("id", "complaint", "kind", "owner__username", "due_on", "status"),
    ),
    **_page_and_api(
        "notifications",
        "/core/notifications/",
        "/api/v1/notifications/",
        "sales_manager",
        _rows(Notification, UNREAD_FIRST, "-created_at", "-id", recipient=_user_id("lb_sales_manager")),
        NOTIFICATION,
    ),
}
# A clerk's queue as a filter of its list (the work page's "all of them" link): the minimal view reads the queue's rows
# by the same condition (orders.selectors.ORDER_QUEUES / SHIPMENT_QUEUES), in the list's order.
LISTS.update(
    _page_and_api(
        "queue_at_risk",
        "/orders/?queue=at_risk",
        "/api/v1/orders/?queue=at_risk",
        "sales_clerk",
        lambda: order_queue(SalesOrder.objects.all(), "at_risk", timezone.localdate()).order_by("-received_on", "-id"),
        DOC,
    )
)
LISTS.update(
    _page_and_api(
        "queue_to_release",
        "/orders/shipments/?queue=to_release",
        "/api/v1/shipments/?queue=to_release",
        "sales_clerk",
        lambda: shipment_queue(Shipment.objects.all(), "to_release").order_by("-created_at", "-id"),
        SHIPMENT,
    )
)
# The lists this benchmark added last: after-sales plans, report runs, a customer's contacts, visit plans, inspections,
# contract changes and price list rows (60,000 each), in each endpoint's default order.
LISTS.update(
    {
        **_page_and_api(
            "service_plans",
            "/aftersales/plans/",
            "/api/v1/service-plans/",
            "service",
            _rows(ServicePlan, "-year", "-id"),
            ("id", "year", "title", "status"),
        ),
        **_page_and_api(
            "report_runs",
            "/reports/runs/",
            "/api/v1/report-runs/",
            "sales_manager",
            _rows(ReportRun, "-created_at", "-id"),
            ("id", "kind", "period", "scope_key", "status", "progress"),
        ),
        **_page_and_api(
            "questions",
            "/customers/questions/",
            "/api/v1/technical-questions/",
            "sales_manager",
            _rows(TechnicalQuestion, "-created_at", "-id"),
            ("id", "number", "subject", "opportunity__title", "opportunity__customer__name", "status", "created_at"),
        ),
        **_page_and_api(
            "weekly_reports",
            "/reports/weekly/",
            "/api/v1/weekly-reports/",
            "sales_manager",
            _rows(WeeklyReport, "-week", "-id"),
            ("id", "week", "rep", "team", "status", "submitted_at", "reviewed_by"),
        ),
        **_page_and_api(
            "appraisals",
            "/reports/appraisals/people/",
            "/api/v1/appraisals/",
            "sales_manager",
            _rows(Appraisal, "-round", "post", "id"),
            ("id", "round", "employee", "post", "team", "total", "grade", "status", "appraiser"),
        ),
        **_page_and_api(
            "expense_claims",
            "/expenses/",
            "/api/v1/expense-claims/",
            "sales_manager",
            _rows(ExpenseClaim, "-id"),
            ("id", "number", "title", "claimant", "team", "customer", "total", "status", "submitted_at", "paid_on"),
        ),
        **_page_and_api(
            "sales_plans",
            "/plans/",
            "/api/v1/sales-plans/",
            "sales_manager",
            _rows(SalesPlan, "-id"),
            ("id", "number", "level", "period_key", "author", "team", "target", "planned", "status", "submitted_at"),
        ),
        **_page_and_api(
            "market_info",
            "/market/",
            "/api/v1/market-info/",
            "sales_manager",
            _rows(MarketInfo, "-created_at", "-id"),
            ("id", "number", "kind", "title", "competitor", "region", "customer", "important", "reported_by", "created_at"),
        ),
        "inspections_api": (
            "/api/v1/inspections/",
            "warehouse",
            _rows(Inspection, "-created_at", "-id"),
            ("id", "order__number", "lot_no", "quantity", "result"),
        ),
        "contacts_api": (
            "/api/v1/contacts/",
            "sales_manager",
            _rows(Contact, "-is_primary", "id"),
            ("id", "customer", "name", "mobile"),
        ),
        "visit_plans_api": (
            "/api/v1/visit-plans/",
            "sales_manager",
            _rows(VisitPlan, "planned_date", "id"),
            ("id", "rep", "customer__name", "planned_date", "purpose", "status"),
        ),
        "contract_changes_api": (
            "/api/v1/contract-changes/",
            "sales_manager",
            _rows(ContractChange, "-created_at", "-id"),
            ("id", "contract__number", "from_version", "status", "created_at"),
        ),
        "price_list_items_api": (
            "/api/v1/price-list-items/",
            "sales_manager",
            _rows(PriceListItem, "product__code", "price_list_id", "id"),
            ("id", "product__code", "product__name", "unit_price"),
        ),
        # the price list's page (its one list holds every row): a page of its rows by product code
        "price_list_items": (
            lambda: PriceList.objects.get(name=PRICE_LIST).get_absolute_url(),
            "sales_manager",
            _rows(PriceListItem, "product__code", "price_list_id", "id"),
            ("id", "product__code", "product__name", "unit_price"),
        ),
    }
)


class ReceivableRows:
    """The receivables' rows for the minimal view: the page's rows of the grouped query (orders.receivables.ReceivableTable,
    the owing orders of the reader, the oldest debt first, LIMIT and OFFSET) returned as they come — no totals or groups."""

    model = None

    def __init__(self, username: str):
        self.table = ReceivableTable(receivable_orders_for(User.objects.get(username=username)))

    def count(self) -> int:
        return len(self.table)

    def __getitem__(self, index: slice) -> list[dict]:
        return [row._asdict() for row in self.table.owed(index.start, index.stop - index.start)]


LISTS.update(
    _page_and_api(
        "receivables",
        "/orders/receivables/",
        "/api/v1/receivables/",
        "finance",
        lambda: ReceivableRows("lb_finance"),
        None,
    )
)
# The day's work of finance and of the warehouse (as the clerk's): counts and the first rows of each queue, no pages;
# the minimal view reads the first queue's rows (payments to confirm; released notes to ship); the service desk's likewise
# (its unassigned tickets).
LISTS.update(
    {
        **_page_and_api(
            "finance_queue",
            "/orders/work/finance/",
            "/api/v1/work/finance/",
            "finance",
            _rows(Payment, "-received_on", "-id", status="recorded"),
            PAYMENT,
        ),
        **_page_and_api(
            "warehouse_queue",
            "/orders/work/warehouse/",
            "/api/v1/work/warehouse/",
            "warehouse",
            _rows(Shipment, "-created_at", "-id", status="released"),
            SHIPMENT,
        ),
        **_page_and_api(
            "service_desk",
            "/aftersales/",
            "/api/v1/service-desk/",
            "service",
            _rows(ServiceTicket, "respond_by", "id", status="open"),
            AFTER,
        ),
    }
)
QUEUES = {
    "service_desk",
    "service_desk_api",
    "clerk_queue",
    "clerk_queue_api",
    "finance_queue",
    "finance_queue_api",
    "warehouse_queue",
    "warehouse_queue_api",
}  # the day's work: counts and the first rows of each queue, no pages


def _searched(model, order: tuple[str, ...], search, text: str):
    """The rows a list shows for ?q=text: the list's own search condition (`search(text)` → Q), in its order."""
    return lambda: model.objects.filter(search(text)).order_by(*order)


# Two words: a customer name shared by 1/42 of the customers and digits found in numbers and names, so every word is
# looked up in the document's columns and in the customer's (a few dozen rows of each list match both). Words of three
# characters or more: a trigram index cannot narrow a shorter one.
SEARCH = "东海重工 123"
CUSTOMER_SEARCH = "重工12"  # one word (the customer list looks for every word: customers.selectors.customer_search_q)
SEARCHES = {
    "customers": (Customer, ("-created_at", "-id"), customer_search_q),
    "quotations": (Quotation, ("-created_at", "-id"), lambda text: contract_search_q(Quotation, text)),
    "contracts": (Contract, ("-created_at", "-id"), lambda text: contract_search_q(Contract, text)),
    "orders": (SalesOrder, ("-received_on", "-id"), order_search_q),
    "shipments": (Shipment, ("-created_at", "-id"), shipment_search_q),
    "tickets": (
        ServiceTicket,
        ("-created_at", "-id"),
        lambda text: every_word_q(ServiceTicket, text, *TicketFilter.SEARCH_FIELDS),
    ),
    "complaints": (Complaint, ("-created_at", "-id"), lambda text: every_word_q(Complaint, text, *ComplaintFilter.SEARCH_FIELDS)),
    "opportunities": (Opportunity, ("-created_at", "-id"), opportunity_search_q),
    "visits": (Visit, ("-visited_on", "-id"), visit_search_q),
    "returns": (
        ReturnRequest,
        ("-requested_at", "-id"),
        lambda text: every_word_q(ReturnRequest, text, *ReturnFilter.SEARCH_FIELDS),
    ),
}
for _name, (_model, _order, _search) in SEARCHES.items():
    _url, _role, _rows_of, _columns = LISTS[f"{_name}_api"]
    _text = CUSTOMER_SEARCH if _model is Customer else SEARCH
    LISTS[f"{_name}_search"] = (f"{_url}?q={quote(_text)}", _role, _searched(_model, _order, _search, _text), _columns)


def _timed(client, url) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


INDEX_SCANS = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")


def _explain(client, url, table: str) -> str:
    """`index=<yes|no> slowest_ms=<ms> <the plan's first line>`: EXPLAIN on PostgreSQL of the query reading the page's
    rows (the first with a LIMIT on the list's table; a work queue's slowest query), and the slowest query's time."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    queries = ctx.captured_queries
    slowest = max(queries, key=lambda q: float(q["time"]))
    paged = [q for q in queries if " LIMIT " in q["sql"] and f'FROM "{table}"' in q["sql"]]
    sql = (paged[0] if paged and table else slowest)["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = [row[0] for row in cursor.fetchall()]
    used = any(scan in line for line in plan for scan in INDEX_SCANS)
    return f"index={'yes' if used else 'no'} slowest_ms={float(slowest['time']) * 1000:.0f} {plan[0].strip()}"


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("role", ["sales_manager", "sales_clerk", "finance"])
def test_page_floor(lists_data, db, client, role):
    """`FLOOR <role> ms=<median> baseline_ms=<median> queries=<q>`: an authenticated page with no rows (base.html: the
    session, the user and roles, the menu, the nav badges) against an authenticated empty JsonResponse — the part of
    every list page's ms that is not its list."""
    client.force_login(lists_data[role])
    page, base = "/bench-empty-page/", "/bench-empty-json/"
    _timed(client, page), _timed(client, base)  # warm up
    ms, baseline_ms = [], []
    for _ in range(ROUNDS * 2):
        ms.append(_timed(client, page))
        baseline_ms.append(_timed(client, base))
    queries = _queries(client, page)
    print(f"\nFLOOR {role} ms={statistics.median(ms):.1f} baseline_ms={statistics.median(baseline_ms):.1f} queries={queries}")
    assert b'data-testid="user-menu"' in client.get(page).content, "the floor is the authenticated layout"


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("role", ["sales_manager", "sales_clerk", "finance", "warehouse"])
def test_home_page(lists_data, db, client, role):
    """`PAGE home <role> ms=<median> queries=<q>`: the home page (工作台) over the same data — the role's to-do counts
    and, for who sees sales figures, this month's headline cards; not a list, so no baseline."""
    client.force_login(lists_data[role])
    _timed(client, "/")  # warm up
    ms = statistics.median(_timed(client, "/") for _ in range(ROUNDS))
    print(f"\nPAGE home {role} ms={ms:.0f} queries={_queries(client, '/')}")


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("name", list(LISTS))
def test_list_speed(lists_data, db, client, name):
    url, role, rows, columns = LISTS[name]
    url = url() if callable(url) else url  # a document's page: its address known once the data is made
    bench_urls.BASELINES[name] = (rows, columns)
    client.force_login(lists_data[role])
    base = f"/bench-baseline/{name}/"
    sep = "&" if "?" in url else "?"
    deep = f"page={max(1, (rows().count() + 24) // 25 - 1)}"  # the page before the last, page 1 on a one-page list
    _timed(client, url), _timed(client, base)  # warm up
    ms, baseline_ms, deep_ms = [], [], []
    for _ in range(ROUNDS):
        ms.append(_timed(client, url))
        baseline_ms.append(_timed(client, base))
        if name not in QUEUES:
            deep_ms.append(_timed(client, f"{url}{sep}{deep}"))
    q10, q100 = _queries(client, f"{url}{sep}page_size=10"), _queries(client, f"{url}{sep}page_size=100")
    m, b = statistics.median(ms), statistics.median(baseline_ms)
    deep_ratio = f"{statistics.median(deep_ms) / m:.2f}" if deep_ms else "n/a"
    print(
        f"\nLIST {name} rows={rows().count()} ms={m:.0f} baseline_ms={b:.0f} ratio={m / b:.2f} deep_ratio={deep_ratio}"
        f" queries_10={q10} queries_100={q100}"
        f"\nEXPLAIN {name} {_explain(client, url, '' if name in QUEUES or not rows().model else rows().model._meta.db_table)}"
    )
    assert q10 == q100
    if name.endswith("_api") and name not in QUEUES and columns is not None:  # the same rows in the same order
        listed = [row["id"] for row in client.get(url).json()["results"]]
        assert listed == [row["id"] for row in client.get(base).json()["results"]], name


# The pickers' type-ahead (customers.selectors.customer_lookup, catalog.selectors.product_lookup): unpaginated, the first
# LOOKUP_LIMIT rows matching every typed word, in the picker's order. A frequent 2-character word (no trigram can narrow
# it: the rows are read in the picker's order until 20 match) and a rarer longer one.
LOOKUPS = {
    "customers_lookup": ("/api/v1/customers/lookup/", Customer, {}, ("name", "short_name", "code"), ("name", "id"), "华东"),
    "customers_lookup_long": (
        "/api/v1/customers/lookup/",
        Customer,
        {},
        ("name", "short_name", "code"),
        ("name", "id"),
        "重工123",
    ),
    "products_lookup": ("/api/v1/products/lookup/", Product, {"is_active": True}, ("code", "name", "model"), ("code",), "华东"),
    "products_lookup_long": (
        "/api/v1/products/lookup/",
        Product,
        {"is_active": True},
        ("code", "name", "model"),
        ("code",),
        "P-0012",
    ),
}


@pytest.mark.urls("bench.urls")
@pytest.mark.parametrize("name", list(LOOKUPS))
def test_lookup_speed(lists_data, db, client, name):
    """`LIST <name> …` for a picker's type-ahead against the minimal view over the same 20 rows; unpaginated, so no deep
    page (deep_ratio=n/a) and queries_10 = queries_100 = the lookup's query count."""
    path, model, fixed, fields, order, text = LOOKUPS[name]

    def rows():
        qs = model.objects.filter(**fixed)
        for word in text.split():
            qs = qs.filter(every_word_q(model, word, *fields))
        return qs.order_by(*order)

    bench_urls.BASELINES[name] = (rows, ("id", "name", "code"))
    client.force_login(lists_data["sales_manager"])
    url, base = f"{path}?q={quote(text)}", f"/bench-baseline/{name}/?page_size={LOOKUP_LIMIT}"
    assert [r["id"] for r in client.get(url).json()] == [r["id"] for r in client.get(base).json()["results"]]
    _timed(client, url), _timed(client, base)  # warm up
    ms, baseline_ms = [], []
    for _ in range(ROUNDS):
        ms.append(_timed(client, url))
        baseline_ms.append(_timed(client, base))
    m, b, q = statistics.median(ms), statistics.median(baseline_ms), _queries(client, url)
    print(
        f"\nLIST {name} rows={rows().count()} ms={m:.0f} baseline_ms={b:.0f} ratio={m / b:.2f} deep_ratio=n/a"
        f" queries_10={q} queries_100={q}\nEXPLAIN {name} {_explain(client, url, model._meta.db_table)}"
    )


# A key account: a quarter of every document of the customer's (15,000 orders with their shipments and what they owe,
# quotations, contracts, payments, tickets, complaints, returns, callbacks, follow-ups and visits).
BIG_CUSTOMER_TABLES = (
    SalesOrder,
    Payment,
    Quotation,
    Contract,
    ServiceTicket,
    Complaint,
    ReturnRequest,
    Callback,
    FollowUp,
    Visit,
)


@pytest.mark.urls("bench.urls")
def test_big_customer_page(lists_data, db, client):
    """`PAGE customer <role> ms=<median> queries=<q>`: the page of a customer holding a quarter of every document (the
    cards of its orders, documents and after-sales show their first rows and counts; what it owes is summed by the
    receivables' grouped query). The documents are moved to it in the test's transaction, rolled back after; the last
    test of the module, as the rows it updated stay in the tables and their indexes until a vacuum (the searches after
    it ran 3-4 times slower, the baselines with them)."""
    customer = Customer.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        for model in BIG_CUSTOMER_TABLES:
            table = _q(model._meta.db_table)
            cursor.execute(f"UPDATE {table} SET customer_id = %s WHERE mod(id, 4) = 0", [customer.pk])
            cursor.execute(f"ANALYZE {table}")
    assert SalesOrder.objects.filter(customer=customer).count() == N // 4
    client.force_login(lists_data["sales_manager"])
    url = customer.get_absolute_url()
    _timed(client, url)  # warm up
    ms = statistics.median(_timed(client, url) for _ in range(ROUNDS))
    print(f"\nPAGE customer sales_manager ms={ms:.0f} queries={_queries(client, url)}")
