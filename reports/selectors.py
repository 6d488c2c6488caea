"""Reads of the reports floor: the dashboards' to-do counts, the KPI figures and charts of one period and scope (with the
list of documents each figure is made of), gathered from the floors below through reports.kpis; targets; the report runs
a user may see; the daily digest; the weekly reports (销售周报) a user may read, a week's figures and who has not
handed theirs in. The performance appraisal's reads (绩效考核) are reports.appraisal_selectors."""

from __future__ import annotations

import functools
import operator
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.permissions import sees_desk
from aftersales.selectors import desk_for
from contracts.selectors import DEAL_ROLES, my_open_work
from customers.models import Opportunity
from customers.selectors import (
    OPPORTUNITY_SERIES,
    bids_to_act_on,
    field_counts,
    followups_due,
    led_team_ids,
    opportunities_closing,
    opportunities_closing_params,
    questions_to_answer,
    visit_plans_for_day,
    works_the_field,
)
from customers.services import answers_questions
from expenses.selectors import expense_todo
from orders import permissions as order_permissions
from orders import selectors as order_selectors
from orders.rules import AGING_BUCKETS
from orders.services import sees_queue
from salesops.core.approvals import steps_waiting_for
from salesops.core.charts import percent_points, rows_chart, series_chart
from salesops.core.money import ZERO
from salesops.core.notifications import unread_count
from salesops.core.pages import queue_head
from salesops.core.roles import MANAGER_ROLES, has_role, users_with_role
from salesops.core.sheets import Book, Column

from . import kpis
from .appraisal_selectors import appraisal_todo
from .glossary import GLOSSARY
from .imports import TARGETS
from .models import ReportRun, SalesTarget, WeeklyReport
from .periods import Period
from .permissions import (
    AFTERSALES_REPORT_KINDS,
    WEEKLY_WRITER_ROLES,
    reads_aftersales_reports,
    reads_others_weekly,
    writes_weekly,
)
from .scopes import Scope, scope_for, scopes_visible_to, sees_company
from .services.targets import LENGTH_NAMES, period_parts

STORE_CHART_ROWS = 10


# The home page's to-do lists show their first rows and how many there are (core.pages.queue_head: a short list is
# counted by its rows, as most are on a real day, with no COUNT).
HOME_LIST_ROWS, HOME_DOCUMENT_ROWS = 10, 5


def todo_for(user, day: date) -> dict:
    """What `user` has to do today, the role's own work first: the work queues of clerks, finance, warehouse/QC and
    service; for reps, team leads and managers the intent follow-ups due, today's visits, their own opportunities
    expected to close this month (overdue first) and their 比价/投标 to report, being decided or due soon; this week's
    report (a writer's own; how many have not handed theirs in, for a lead or a manager); for the technical department
    the questions to answer, the wanted-soonest first; the appraisals to confirm (one's own) or to re-confirm (the sales
    manager: objections) while a round is open; the expense claims to check (a clerk), to pay (finance) or sent back
    (one's own); for everyone who works
    with quotations and contracts their own documents waiting for them; approvals waiting and unread notifications."""
    approvals, approvals_count = queue_head(steps_waiting_for(user), HOME_LIST_ROWS)
    out = {
        "approvals": approvals,
        "approvals_count": approvals_count,
        "unread_count": unread_count(user),
        "work": work_counts(user, day),
        "field_work": works_the_field(user),
        "deal_work": has_role(user, *DEAL_ROLES),
    }
    if out["field_work"]:
        due, due_count = queue_head(followups_due(user, day), HOME_LIST_ROWS)
        visits, visits_count = queue_head(visit_plans_for_day(user, day).select_related("customer"), HOME_LIST_ROWS)
        closing, closing_count = queue_head(opportunities_closing(user, day), HOME_LIST_ROWS)
        bids, bids_count = queue_head(bids_to_act_on(user, day), HOME_LIST_ROWS)
        out |= {
            "followups_due": due,
            "followups_due_count": due_count,
            "visits_today": visits,
            "visits_today_count": visits_count,
            "opportunities_closing": closing,
            "opportunities_closing_count": closing_count,
            # the list of exactly what the card counts: the same owner (or the department) and month
            "opportunities_closing_url": _link("customers:opportunity_list", **opportunities_closing_params(user, day)),
            "bids": bids,
            "bids_count": bids_count,
        }
    if answers_questions(user):
        questions, questions_count = queue_head(questions_to_answer(), HOME_LIST_ROWS)
        out |= {"questions": questions, "questions_count": questions_count}
    week = Period.week(day)
    out["weekly_writer"] = writes_weekly(user)
    out["weekly_mine"] = WeeklyReport.objects.filter(rep=user, week=week.start).first() if out["weekly_writer"] else None
    out["weekly_missing_count"] = len(weekly_missing(user, week)) if reads_others_weekly(user) else None
    out["weekly_key"] = week.key
    out["appraisal_todo"] = appraisal_todo(user)
    out["expense_todo"] = expense_todo(user)
    if out["deal_work"]:
        out["documents"] = []
        for key, label, qs in my_open_work(user, day):
            rows, count = queue_head(qs.order_by("-updated_at"), HOME_DOCUMENT_ROWS)
            out["documents"].append((key, label, count, rows))
    return out


# The warehouse queue (orders.selectors.warehouse_queue, one page for the warehouse, QC and managers): each queue's label
# on the work page, the list its "在列表中查看" link opens (None: the page has no list for it, the card opens the page;
# "#…": the page at that queue's table), and whose work it is — shipping, deliveries and refused goods are the
# warehouse's (orders.permissions.shipment_allowed_actions), each signature queue is the side that signs it
# (orders.permissions.inspection_side), and the goods production finished (待检验) wait for QC.
WAREHOUSE_CARD = (
    ("to_ship", gettext_lazy("已放行待发货"), "?status=released", "warehouse"),
    ("to_inspect", gettext_lazy("待检验"), "#queue-to_inspect", "sign_qc"),
    ("to_sign_warehouse", gettext_lazy("待仓库签字"), None, "sign_warehouse"),
    ("to_sign_qc", gettext_lazy("待质检签字"), None, "sign_qc"),
    ("in_transit", gettext_lazy("在途（待签收）"), "?status=shipped", "warehouse"),
    ("refused_to_receive", gettext_lazy("待收回拒收货物"), "?refused=true", "warehouse"),
)


def _warehouse_work(user) -> set[str]:
    """Whose parts of the warehouse queue are `user`'s own: the warehouse ships, follows deliveries, receives refused
    goods back and gives the warehouse's signature; QC gives QC's signature; a manager (neither) reads them all."""
    side = order_permissions.inspection_side(user)
    warehouse = order_permissions.is_warehouse(user)
    if side is None and not warehouse:
        return {"warehouse", "sign_warehouse", "sign_qc"}
    return ({"warehouse"} if warehouse else set()) | ({f"sign_{side}"} if side else set())


def _warehouse_card_url(params: str | None, page: str, shipments_url: str) -> str:
    """Where a WAREHOUSE_CARD entry opens: the shipment list with its "?…" filter, the work page at its "#…" table, or
    the work page."""
    if not params:
        return page
    return f"{page}{params}" if params.startswith("#") else f"{shipments_url}{params}"


def work_counts(user, day: date) -> list[tuple[str, str, str, list[tuple[str, str, int, str]]]]:
    """For clerks, finance, warehouse/QC and service: the role's own work queues, each with its count and the list the
    work page's "在列表中查看" link opens — (code, title, url of the work page, [(queue, label, n, url)]). The queues are the
    work pages' own (orders.selectors.clerk_queue / finance_queue / warehouse_queue, aftersales.selectors.desk_for),
    one COUNT each; a queue is counted once even where two entries share it (待放行 and 等待财务确认)."""
    out = []
    if sees_queue(user, "clerk"):
        q = order_selectors.clerk_queue(user, day)
        orders_url, shipments_url = reverse("orders:order_list"), reverse("orders:shipment_list")
        counts = [
            (
                code,
                order_selectors.QUEUE_LABELS[code],
                rows.count(),
                f"{shipments_url if code in order_selectors.SHIPMENT_QUEUES else orders_url}?queue={code}",
            )
            for code, rows in q.items()
        ]
        page = reverse("orders:clerk_queue")
        to_order = order_selectors.contracts_to_order(user).count()  # 已签订待下单, last on the work page
        counts.append(
            ("contracts_to_order", order_selectors.CONTRACTS_TO_ORDER_LABEL, to_order, f"{page}#section-contracts_to_order")
        )
        out.append(("clerk", _("内勤工作台"), page, counts))
    if sees_queue(user, "finance"):
        q = order_selectors.finance_queue(user)
        counts = [
            (
                "payments_to_confirm",
                _("待确认到账"),
                q["payments_to_confirm"].count(),
                f"{reverse('orders:payment_list')}?status=recorded",
            ),
            (
                "invoices_to_issue",
                _("待开票"),
                q["invoices_to_issue"].count(),
                f"{reverse('orders:invoice_list')}?status=requested",
            ),
            (
                "held_shipments",
                _("闸口待放行"),
                q["held_shipments"].count(),
                f"{reverse('orders:shipment_list')}?queue=waiting_payment",
            ),
        ]
        out.append(("finance", _("财务工作台"), reverse("orders:finance_queue"), counts))
    if sees_queue(user, "warehouse"):
        q = order_selectors.warehouse_queue(user)
        page, shipments_url = reverse("orders:warehouse_queue"), reverse("orders:shipment_list")
        mine = _warehouse_work(user)
        counts = [
            (code, label, q[code].count(), _warehouse_card_url(params, page, shipments_url))
            for code, label, params, whose in WAREHOUSE_CARD
            if whose in mine
        ]
        out.append(("warehouse", _("仓库工作台"), page, counts))
    if sees_desk(user):
        q = desk_for(user)
        desk = reverse("aftersales:desk")
        counts = [
            ("mine", _("我的工单"), q["mine"].count(), desk),
            ("team", _("待分派"), q["team"].count(), desk),
            ("breaching", _("SLA 将超时/已超时"), q["breaching"].count(), desk),
            ("callbacks", _("今日回访"), q["callbacks"].count(), desk),
        ]
        out.append(("service", _("售后服务台"), desk, counts))
    return out


# --- the figures dashboard (reports.kpis for one period and scope, with the list each figure is made of) -------------------
def _link(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _scope_params(scope: Scope) -> dict:
    return {"owner": scope.user_id, "team": scope.team_id}


# The headline cards of the home page (工作台): the first figures of figure_cards, computed alone.
HEADLINE_CARDS = 4


def figure_cards(period: Period, scope: Scope, today: date, first: int | None = None) -> list[dict]:
    """The headline figures: key (= glossary entry), label, value, kind (money / rate / score / count), url of the list;
    the `first` of them only, if given (the others are not computed)."""
    with kpis.one_reading():
        return _figure_cards(period, scope, today, first)


def _figure_cards(period: Period, scope: Scope, today: date, first: int | None) -> list[dict]:
    as_of = period.as_of(today)
    dates = {"received_on_from": period.start, "received_on_to": period.end}
    shipped = {"shipped_from": period.start, "shipped_to": period.end}
    who = _scope_params(scope)
    # (key, the figure — its value, or (value, the card's other entries) —, kind, url), read for the cards shown only
    cards = [
        (
            "order_intake",
            lambda: kpis.order_intake(period, scope),
            "money",
            _link("orders:order_list", **dates, active="true", **who),
        ),
        (
            "sales_by_order_date",
            lambda: kpis.sales_by_order_date(period, scope),
            "money",
            _link("orders:order_list", **dates, active="true", **who),
        ),
        ("sales_shipped", lambda: kpis.sales_shipped(period, scope), "money", _link("orders:shipment_list", **shipped, **who)),
        (
            "sales_invoiced",
            lambda: kpis.sales_invoiced(period, scope),
            "money",
            _link("orders:invoice_list", status="issued", issued_from=period.start, issued_to=period.end, **who),
        ),
        (
            "unshipped_amount",
            lambda: kpis.unshipped_amount(as_of, scope),
            "money",
            _link("orders:order_list", received_on_to=as_of, active="true", **who),
        ),
        (
            "collected",
            lambda: kpis.collected(period, scope),
            "money",
            _link(
                "orders:payment_list",
                received_on_from=period.start,
                received_on_to=period.end,
                status="confirmed",
                kind="receipt",  # 回款额 counts receipts, not refunds
            ),
        ),
        ("collection_rate", lambda: kpis.collection_rate(period, scope, as_of), "rate", _link("orders:receivables")),
        ("achievement", lambda: _achievement(period, scope), "rate", _link("reports:targets", period=period.key)),
        (
            "collection_achievement",
            lambda: _achievement(period, scope, kpis.collection_achievement),
            "rate",
            _link("reports:targets", period=period.key),
        ),
        ("growth", lambda: _growth(period, scope), "rate", _link("orders:shipment_list", **shipped, **who)),
        ("order_accuracy", lambda: kpis.order_accuracy(period, scope), "rate", _link("orders:order_list", **dates, **who)),
        (
            "on_time_delivery",
            lambda: kpis.on_time_delivery(period, scope),
            "rate",
            _link("orders:order_list", status="shipped", **who),
        ),
        (
            "satisfaction_avg",
            lambda: kpis.satisfaction_avg(period, scope),
            "score",
            _link("aftersales:callback_list", status="done", done_from=period.start, done_to=period.end, **who),
        ),
        (
            "complaint_count",
            lambda: kpis.complaint_count(period, scope),
            "count",
            _link("aftersales:complaint_list", reported_from=period.start, reported_to=period.end, active="true", **who),
        ),
        (
            "sla_hit_rate",
            lambda: kpis.sla_hit_rate(period, scope),
            "rate",
            _link("aftersales:ticket_list", resolved_from=period.start, resolved_to=period.end, **who),
        ),
        ("sales_expenses", lambda: kpis.sales_expenses(period, scope), "money", _expense_link(scope)),
        ("expense_rate", lambda: kpis.expense_rate(period, scope), "rate", _expense_link(scope)),
    ]
    labels = {key: label for key, label, _text in GLOSSARY}
    out = []
    for key, figure, kind, url in cards[:first]:
        value = figure()
        value, more = value if isinstance(value, tuple) else (value, {})
        out.append({"key": key, "label": str(labels[key]), "value": value, "kind": kind, "url": url, **more})
    return out


def _expense_link(scope: Scope) -> str:
    """The claims behind 销售费用: those approved or paid of the scope (a team lead reads the team's, a rep their own)."""
    return _link("expenses:claim_list", claimant=scope.user_id, team=scope.team_id)


def _achievement(period: Period, scope: Scope, figure=None) -> tuple:
    """A target's card: the rate, with the target and the actual beside it (kpis.achievement, or `figure`, e.g.
    kpis.collection_achievement)."""
    ach = (figure or kpis.achievement)(period, scope)
    return ach["rate"], {"target": ach["target"], "actual": ach["actual"]}


def _growth(period: Period, scope: Scope) -> tuple:
    grow = kpis.growth(period, scope)
    return grow["mom"], {"yoy": grow["yoy"]}


def _beside_plans(key: str, title: str, rows: list[dict], level: str, period: Period) -> dict:
    """Each team's or rep's shipped sales, and beside them the amount of their approved sales plan of the period (计划额;
    none without a plan) when sales are planned."""
    name_key = f"{level}_name"
    planned = kpis.planned_by(level, period)
    if planned is None:
        return series_chart(key, title, [(r[name_key], r["actual"]) for r in rows], _("销售额"))
    rows = [r | {"planned": planned.get(r[kpis.ROW_KEYS[level]])} for r in rows]
    return rows_chart(key, title, rows, name_key, [("actual", _("销售额")), ("planned", _("计划额"))])


def figure_charts(period: Period, scope: Scope, today: date) -> list[dict]:
    """The charts of the dashboard for the scope: monthly sales vs target, monthly collections vs collection target,
    sales by team (company) or rep (company, team) and the reps' sales expenses beside them, the funnel of the open sales opportunities and their expected closings by month, top stores, receivables
    aging, and six-month trends of on-time delivery and satisfaction; for a rep the pipeline instead of the team split."""
    months = kpis.monthly_sales(period.start.year, scope)
    sales = _("销售额")
    title = _("月度销售额与目标（按发货）")
    url = _link("reports:targets", period=period.key)
    charts = [rows_chart("monthly_sales", title, months, "period", [("actual", sales), ("target", _("目标"))], url=url)]
    collections = kpis.monthly_collections(period.start.year, scope)
    series = [("actual", _("回款额")), ("target", _("回款目标"))]
    charts.append(rows_chart("monthly_collections", _("月度回款额与回款目标"), collections, "period", series, url=url))
    if scope.kind == "company":
        charts.append(_beside_plans("by_team", _("各销售组销售额"), list(kpis.team_rows(period, scope)), "team", period))
    if scope.kind in ("company", "team"):
        rep_rows = list(kpis.rep_rows(period, scope))
        charts.append(_beside_plans("by_rep", _("各业务员销售额"), rep_rows, "rep", period))
        spent = kpis.expenses_by_rep(period, scope)
        points = [(r["rep_name"], spent.get(r["rep_id"], ZERO)) for r in rep_rows]
        title, url = _("各业务员销售费用（已批准的报销）"), _expense_link(scope)
        charts.append(series_chart("expenses_by_rep", title, points, _("销售费用"), url=url))
    else:
        pipe = kpis.pipeline(scope)
        points = [(_("报价单"), pipe["quotations"]["amount"]), (_("合同"), pipe["contracts"]["amount"])]
        charts.append(series_chart("pipeline", _("在途商机"), points, _("金额"), url=_link("contracts:quotation_list")))
    funnel = [row for row in kpis.opportunity_funnel(scope) if row["stage"] in Opportunity.OPEN_STAGES]
    own = scope.user_id if scope.kind == "rep" else None
    title = _("销售漏斗（跟进中的销售机会）")
    url = _link("customers:opportunity_list", is_open="true", owner=own)
    charts.append(rows_chart("funnel", title, funnel, "label", OPPORTUNITY_SERIES, url=url))
    forecast = kpis.opportunity_forecast(today, scope)
    title = _("预计成交（跟进中的销售机会，按预计成交月份）")
    url = _link("customers:opportunity_list", is_open="true", ordering="expected_close", owner=own)
    charts.append(rows_chart("forecast", title, forecast, "label", OPPORTUNITY_SERIES, url=url))
    stores = kpis.top_stores(period, scope, STORE_CHART_ROWS)
    points = [(s["customer_name"], s["shipped"]) for s in stores]
    charts.append(series_chart("by_store", _("销售额前十的门店/经销商（按发货）"), points, sales))
    aging = kpis.receivables_aging(period.as_of(today), scope)
    points = [(label, aging[code]) for code, label, *_r in AGING_BUCKETS]
    charts.append(series_chart("aging", _("应收账龄"), points, _("应收金额"), url=_link("orders:receivables")))
    last = Period.month(period.end.year, period.end.month)
    trend = [last.shifted(-n) for n in range(5, -1, -1)]
    points = percent_points([(m.key, kpis.on_time_delivery(m, scope)) for m in trend])
    charts.append(series_chart("on_time", _("准时交货率（近六个月）"), points, _("准时交货率"), kind="line", unit="%"))
    points = [(m.key, kpis.satisfaction_avg(m, scope)) for m in trend]
    url = _link("aftersales:callback_list")
    charts.append(series_chart("satisfaction", _("平均满意度（近六个月）"), points, _("平均满意度"), kind="line", url=url))
    return charts


def figures_for(period: Period, scope: Scope, today: date) -> dict:
    """The cards and charts of one period and scope, each figure read once (kpis.one_reading)."""
    with kpis.one_reading():
        return {
            "period": period,
            "scope": scope,
            "cards": figure_cards(period, scope, today),
            "charts": figure_charts(period, scope, today),
        }


# --- targets ---------------------------------------------------------------------------------------------------------------
def target_list_for(user) -> QuerySet[SalesTarget]:
    """The targets `user` may read: everything for the company viewers; a lead the led teams' and their reps'; a rep own."""
    qs = SalesTarget.objects.select_related("team", "rep", "updated_by")
    if sees_company(user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    teams = led_team_ids(user)
    return qs.filter(Q(rep=user) | Q(level__in=["team", "rep"], team__in=teams))


def target_get_for(user, pk) -> SalesTarget:
    return get_object_or_404(target_list_for(user), pk=pk)


def target_allocation(user, period: Period) -> dict:
    """What of the period's targets is allocated and what is not, as far as `user` may see: the company target with
    its teams' sum, and per team its target with its reps' sum ("unallocated" = target − allocated)."""
    targets = list(target_list_for(user).filter(year=period.start.year, kind=period.kind, number=period.number))
    company = next((t for t in targets if t.level == "company"), None)
    teams = [t for t in targets if t.level == "team"]

    def part(target, children) -> dict:
        allocated = sum((c.amount for c in children), ZERO)
        return {
            "target": target,
            "allocated": allocated,
            "unallocated": target.amount - allocated if target else None,
            "children": children,
        }

    return {
        "company": part(company, teams) if sees_company(user) else None,
        "teams": [part(t, [r for r in targets if r.level == "rep" and r.team_id == t.team_id]) for t in teams],
    }


LEVEL_ORDER = {"company": 0, "team": 1, "rep": 2}


def target_length_allocation(user, period: Period) -> list[dict]:
    """What of the longer targets around `period` is allocated to shorter lengths, as far as `user` may see: each target
    of the period's year, and of its quarter for a quarter or a month (company, then teams, then reps), with per shorter
    length (quarters, months) the sum of the subject's targets of that length within it and what is not yet allocated to
    them (amounts). One query."""
    year = period.start.year
    longer = [("year", 0)] + ([("quarter", (period.start.month - 1) // 3 + 1)] if period.kind in ("quarter", "month") else [])
    targets = list(target_list_for(user).filter(year=year))

    def subject(t: SalesTarget) -> tuple:
        return t.level, t.rep_id if t.level == "rep" else t.team_id

    amounts = {(t.kind, t.number, subject(t)): t.amount for t in targets}
    rows = []
    for kind, number in longer:
        held = [t for t in targets if t.kind == kind and t.number == number]
        held.sort(key=lambda t: (LEVEL_ORDER[t.level], t.team.name if t.team else "", t.rep.username if t.rep else ""))
        for t in held:
            parts = []
            for part_kind, numbers in period_parts(kind, number):
                found = [amounts[key] for n in numbers if (key := (part_kind, n, subject(t))) in amounts]
                allocated = sum(found, ZERO)
                parts.append(
                    {
                        "kind": part_kind,
                        "label": LENGTH_NAMES[part_kind],
                        "set": len(found),
                        "allocated": allocated,
                        "unallocated": t.amount - allocated,
                    }
                )
            rows.append({"target": t, "parts": parts})
    return rows


def targets_workbook(targets) -> bytes:
    """The targets with the columns of the import (reports.imports.TARGETS), one row each: an exported file imports back."""
    level_names = dict(SalesTarget.Level.choices)
    kind_names = dict(SalesTarget.Kind.choices)
    values = {
        "year": lambda t: t.year,
        "kind": lambda t: str(kind_names[t.kind]),
        "number": lambda t: t.number,
        "level": lambda t: str(level_names[t.level]),
        "team": lambda t: t.team.name if t.level == "team" else "",
        "rep": lambda t: t.rep.username if t.rep_id else "",
        "amount": lambda t: t.amount,
        "new_customers": lambda t: t.new_customers,
        "collection": lambda t: t.collection,
    }
    book = Book()
    sheet = book.sheet(str(TARGETS.title), [Column(str(f.header), f.kind, f.width, values[f.key]) for f in TARGETS.fields])
    sheet.table(targets.iterator())
    return book.save()


# --- monthly report runs ----------------------------------------------------------------------------------------------
def report_run_list_for(user) -> QuerySet[ReportRun]:
    """The report runs of the scopes `user` may see: all for the company's viewers, a team lead the team's and the
    team's reps', a rep own; service and QC the after-sales statistics of every scope (permissions.may_see_run)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ReportRun.objects.none()
    qs = ReportRun.objects.select_related("requested_by")
    widest, aftersales = scope_for(user), reads_aftersales_reports(user)
    if widest is not None and widest.kind == "company":
        return qs
    seen = [Q(scope_key__in=[scope.key for scope in scopes_visible_to(user)])] if widest is not None else []
    if aftersales:
        seen.append(Q(kind__in=AFTERSALES_REPORT_KINDS))
    if not seen:
        return ReportRun.objects.none()
    return qs.filter(functools.reduce(operator.or_, seen))


def report_run_get_for(user, pk) -> ReportRun:
    return get_object_or_404(report_run_list_for(user), pk=pk)


def report_run_history(user, run: ReportRun) -> QuerySet[ReportRun]:
    """Every generation of the same report, month and scope, newest first."""
    return report_run_list_for(user).filter(kind=run.kind, period=run.period, scope_key=run.scope_key)


def report_file_name(run: ReportRun) -> str:
    """The download's name: report, month and scope, e.g. "门店-经销商销售月报-2026-11-全公司.xlsx"."""
    name = f"{run.get_kind_display()}-{run.period}-{Scope.parse(run.scope_key).label}"
    return re.sub(r'[\\/:*?"<>|\s]+', "-", name) + ".xlsx"


# --- the daily digest (日报) ----------------------------------------------------------------------------------------------
AT_RISK_SHOWN = 10


def digest_for(user, day: date) -> dict | None:
    """The digest of `day` as `user` may see it (None for who sees no sales figures): sales (by shipment), order intake, unshipped amount at the day's end
    (all from reports.kpis, in the user's widest scope), the sales opportunities won and lost that day, and from the
    clerk's queue the orders whose verification is overdue and the orders whose promised ship date is at risk."""
    scope = scope_for(user)
    if scope is None:
        return None
    period = Period.day(day)
    queue = order_selectors.clerk_queue(user, day)
    at_risk = queue["at_risk"]
    return {
        "day": day,
        "scope": scope,
        "sales": kpis.sales_shipped(period, scope),
        "intake": kpis.order_intake(period, scope),
        "unshipped": kpis.unshipped_amount(day, scope),
        "verify_overdue_count": queue["verify_overdue"].count(),
        "at_risk_count": len(at_risk),
        "at_risk": at_risk[:AT_RISK_SHOWN],
        "opportunities": kpis.opportunities_decided(period, scope),
        "lists": digest_lists(day, scope),
    }


def digest_lists(day: date, scope: Scope) -> dict[str, str]:
    """The lists of exactly what the digest's figures count: the orders received that day, not cancelled (接单额), and
    the opportunities won or lost that day (赢单/输单), of the scope."""
    on = day.isoformat()
    who = _scope_params(scope)
    return {
        "intake": _link("orders:order_list", received_on_from=on, received_on_to=on, active="true", **who),
        # the opportunity list has no team filter: a lead's list is their team's customers' already
        "opportunities": _link("customers:opportunity_list", is_open="false", closed_from=on, closed_to=on, owner=who["owner"]),
    }


# --- weekly reports (销售周报) ------------------------------------------------------------------------------------------
# The figures of a rep's week, in the order the report shows them: (key, label, kind) — "money" or "count".
WEEK_FIGURES = (
    ("visits", gettext_lazy("拜访次数"), "count"),
    ("new_customers", gettext_lazy("新增客户"), "count"),
    ("opportunities_opened", gettext_lazy("新增销售机会"), "count"),
    ("won_count", gettext_lazy("赢单数"), "count"),
    ("won_amount", gettext_lazy("赢单金额"), "money"),
    ("lost_count", gettext_lazy("输单数"), "count"),
    ("order_intake", gettext_lazy("接单额"), "money"),
    ("collected", gettext_lazy("回款额"), "money"),
)


def week_figures(rep_id: int, week: Period) -> dict[str, str | int]:
    """What the rep did in the week, read from the documents: visits, customers and opportunities opened, opportunities
    won and lost, order intake and collections (as kpis reads them for the rep's scope). Money as text, to the fen, so
    it is kept exactly in the report's JSON."""
    scope = Scope.rep(rep_id)
    decided = kpis.opportunities_decided(week, scope)
    counts = field_counts(rep_id, week.start, week.end, *week.bounds())
    return {
        **counts,
        "won_count": decided["won_count"],
        "won_amount": f"{decided['won_amount']:.2f}",
        "lost_count": decided["lost_count"],
        "order_intake": f"{kpis.order_intake(week, scope):.2f}",
        "collected": f"{kpis.collected(week, scope):.2f}",
    }


def week_figure_rows(figures: dict, links: dict[str, str] | None = None) -> list[dict]:
    """The figures as the page and the API show them: key, label, kind and value (Decimal for money), and the url of the
    documents a figure is made of where `links` (week_figure_links) has one."""
    links = links or {}
    return [
        {
            "key": key,
            "label": str(label),
            "kind": kind,
            "value": Decimal(figures[key]) if kind == "money" else figures[key],
            "url": links.get(key, ""),
        }
        for key, label, kind in WEEK_FIGURES
        if key in figures
    ]


def week_figure_links(rep_id: int, week: Period) -> dict[str, str]:
    """The lists behind a rep's week (as the reader may see them): the visits made and the orders received that week."""
    return {
        "visits": _link("customers:visits", rep=rep_id, date_from=week.start, date_to=week.end),
        "order_intake": _link(
            "orders:order_list", owner=rep_id, received_on_from=week.start, received_on_to=week.end, active="true"
        ),
    }


TREND_WEEKS = 8
HANDED_IN = (WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED)


def weekly_trend_charts(report: WeeklyReport, figures: dict) -> list[dict]:
    """The rep's last TREND_WEEKS weeks up to this report's (its own `figures` as the page shows them; the others as
    handed in, a gap where none was), charted: visits and opportunities opened; order intake and collections."""
    first = report.week - timedelta(weeks=TREND_WEEKS - 1)
    kept = dict(
        WeeklyReport.objects.filter(
            rep_id=report.rep_id, week__gte=first, week__lt=report.week, status__in=HANDED_IN
        ).values_list("week", "figures")
    )
    kept[report.week] = figures
    kinds = {key: kind for key, _label, kind in WEEK_FIGURES}
    names = {key: label for key, label, _kind in WEEK_FIGURES}
    rows = []
    for n in range(TREND_WEEKS):
        week = first + timedelta(weeks=n)
        shown = kept.get(week, {})
        row = {"label": Period.week(week).key.split("-")[1]}
        for key, kind in kinds.items():
            value = shown.get(key)
            row[key] = Decimal(value) if value is not None and kind == "money" else value
        rows.append(row)
    return [
        rows_chart(
            "weekly-activity",
            _("近 %(n)d 周拜访与新增销售机会") % {"n": TREND_WEEKS},
            rows,
            "label",
            [(key, names[key]) for key in ("visits", "opportunities_opened")],
        ),
        rows_chart(
            "weekly-money",
            _("近 %(n)d 周接单额与回款额") % {"n": TREND_WEEKS},
            rows,
            "label",
            [(key, names[key]) for key in ("order_intake", "collected")],
        ),
    ]


def weekly_summary(user, week: Period) -> dict:
    """The week's reports handed in among those `user` reads, side by side for the weekly meeting (周例会): one row per
    rep with the figures as handed in ((value, kind) cells in WEEK_FIGURES' order), and their totals (money to the fen)."""
    reports = (
        weekly_reports_for(user)
        .filter(week=week.start, status__in=HANDED_IN)
        .select_related(None)
        .select_related("rep", "team")
        .order_by("team__name", "rep__first_name", "rep__username")
    )
    kinds = {key: kind for key, _label, kind in WEEK_FIGURES}
    rows, totals = [], {key: Decimal("0.00") if kind == "money" else 0 for key, kind in kinds.items()}
    for report in reports:
        figures = {row["key"]: row["value"] for row in week_figure_rows(report.figures)}
        for key in totals:
            totals[key] += figures.get(key) or 0
        rows.append({"report": report, "cells": [(figures.get(key), kind) for key, kind in kinds.items()]})
    return {
        "labels": [str(label) for _key, label, _kind in WEEK_FIGURES],
        "rows": rows,
        "totals": [(value, kinds[key]) for key, value in totals.items()],
    }


def weekly_reports_for(user) -> QuerySet[WeeklyReport]:
    """The weekly reports `user` may read: their own, their teams' (a lead), everybody's (managers, VP, GM, admin)."""
    qs = WeeklyReport.objects.select_related("rep", "team", "reviewed_by")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if has_role(user, *MANAGER_ROLES):
        return qs
    teams = led_team_ids(user)
    return qs.filter(Q(rep=user) | Q(team_id__in=teams)) if teams else qs.filter(rep=user)


def weekly_get_for(user, pk) -> WeeklyReport:
    return get_object_or_404(weekly_reports_for(user), pk=pk)


def weekly_missing(user, week: Period) -> list:
    """The field sales whose reports `user` reads and who have not handed in `week`'s (none, a draft or one sent back),
    by name: what the weekly meeting chases."""
    writers = users_with_role(*WEEKLY_WRITER_ROLES).select_related("profile")
    if not has_role(user, *MANAGER_ROLES):
        writers = writers.filter(profile__team_id__in=led_team_ids(user))
    handed_in = WeeklyReport.objects.filter(week=week.start, status__in=HANDED_IN).values("rep_id")
    return list(writers.exclude(pk__in=handed_in).exclude(pk=user.pk).order_by("first_name", "username"))
