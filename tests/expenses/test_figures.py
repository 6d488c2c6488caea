"""销售费用 and 费用率 on the dashboards: the approved and paid claims' lines spent in the period, by rep, team and
company; the reps' expenses charted beside their sales; each figure explained in the glossary."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from expenses import rules
from expenses import services as svc
from reports import kpis
from reports.periods import Period
from reports.scopes import Scope
from tests.expenses.test_claims import decide, line, submitted

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONTH = Period.month(TODAY.year, TODAY.month)


def approved(cast, user, *lines):
    claim = svc.claim_verify(claim=submitted(user, *lines), actor=cast.clerk)
    return decide(claim, cast.manager)


def test_the_approved_and_paid_lines_spent_in_the_period_count_by_rep_team_and_company(cast):
    days = (TODAY - MONTH.start).days  # a line spent on the month's first day
    alices = approved(cast, cast.alice, line(days=0, amount="100"), line(days=days + 1, amount="999"))  # one last month
    svc.claim_pay(claim=alices, actor=cast.finance, reference="记-1")
    approved(cast, cast.carol, line(days=0, category=rules.Category.COMMUNICATION, amount="50.50"))
    submitted(cast.bob, line(days=0, amount="700"))  # not approved yet: not counted

    assert kpis.sales_expenses(MONTH, Scope.company()) == D("150.50")
    assert kpis.sales_expenses(MONTH, Scope.team(cast.east.pk)) == D("100.00")
    assert kpis.sales_expenses(MONTH, Scope.rep(cast.carol.pk)) == D("50.50")
    assert kpis.expenses_by_rep(MONTH, Scope.company()) == {cast.alice.pk: D("100.00"), cast.carol.pk: D("50.50")}
    assert kpis.expenses_by_team(MONTH, Scope.company()) == {cast.east.pk: D("100.00"), cast.south.pk: D("50.50")}
    assert kpis.expenses_by_team(MONTH, Scope.rep(cast.carol.pk)) == {cast.south.pk: D("50.50")}
    assert kpis.expense_rate(MONTH, Scope.company()) is None  # no sales to divide by


def test_the_dashboard_shows_the_expenses_the_rate_and_the_reps_chart_with_their_glossary(cast, client_as):
    approved(cast, cast.alice, line(days=0, amount="300"))
    page = client_as(cast.manager).get(f"/reports/figures/?period={MONTH.key}")
    cards = {c["key"]: c for c in page.context["cards"]}
    assert cards["sales_expenses"]["value"] == D("300.00") and cards["expense_rate"]["value"] is None
    assert cards["sales_expenses"]["url"] == "/expenses/"
    charts = {c["key"]: c for c in page.context["charts"]}
    assert "expenses_by_rep" in charts
    mine = client_as(cast.alice).get(f"/reports/figures/?period={MONTH.key}").context["cards"]
    assert next(c for c in mine if c["key"] == "sales_expenses")["url"] == f"/expenses/?claimant={cast.alice.pk}"
    glossary = client_as(cast.alice).get("/reports/glossary/").content.decode()
    assert 'id="kpi-sales_expenses"' in glossary and 'id="kpi-expense_rate"' in glossary


def test_the_expenses_are_exact_to_the_fen_in_the_api_on_any_database(cast, api_as):
    # SQLite sums decimal columns as floats (0.10 + 0.20 = 0.30000000000000004): the sums are rounded to the fen
    approved(cast, cast.alice, line(days=0, amount="0.10"), line(days=0, amount="0.20"))
    assert str(kpis.sales_expenses(MONTH, Scope.rep(cast.alice.pk))) == "0.30"
    assert {k: str(v) for k, v in kpis.expenses_by_rep(MONTH, Scope.company()).items()} == {cast.alice.pk: "0.30"}
    cards = api_as(cast.alice).get(f"/api/v1/figures/?period={MONTH.key}").json()["cards"]
    assert next(c for c in cards if c["key"] == "sales_expenses")["value"] == "0.30"
