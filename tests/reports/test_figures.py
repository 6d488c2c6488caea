"""The figures dashboard and its API: each role sees its widest scope, nobody another rep's figures (page and API, by
URL), every figure links to its glossary entry and to its documents, and an empty chart says 暂无数据."""

import re
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import figures as order_figures
from reports import kpis, selectors
from salesops.core.charts import percent_points

from .books import make_book


@pytest.fixture
def book(cast):
    return make_book(cast)


def test_manager_sees_the_company_figures_with_links(cast, client_as, book):
    page = client_as(cast.manager).get("/reports/figures/?period=2026-11")
    assert page.status_code == 200
    cards = {c["key"]: c for c in page.context["cards"]}
    assert cards["sales_shipped"]["value"] == D("9500.00")
    assert cards["order_intake"]["url"].startswith("/orders/?")
    assert "received_on_from=2026-11-01" in cards["order_intake"]["url"]
    html = page.content.decode()
    assert 'href="/reports/glossary/#kpi-sales_shipped"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    charts = {c["key"]: c for c in page.context["charts"]}
    assert set(charts) == {
        "monthly_sales",
        "monthly_collections",
        "by_team",
        "by_rep",
        "expenses_by_rep",
        "funnel",
        "forecast",
        "by_store",
        "aging",
        "on_time",
        "satisfaction",
    }
    assert charts["monthly_sales"]["series"][0]["data"][10] == 9500.0
    assert charts["aging"]["series"][0]["data"] == [7000.0, 500.0, 0.0, 0.0]
    # a chart of rates draws percentages on a 0–100 % axis, not 0..1
    assert charts["on_time"]["unit"] == "%" and charts["monthly_sales"]["unit"] == ""
    assert all(v is None or 0 <= v <= 100 for v in charts["on_time"]["series"][0]["data"])


def test_rate_points_are_percentages_rounded_half_up():
    assert percent_points([("2026-10", D("0.8525")), ("2026-11", None), ("2026-12", D("1"))]) == [
        ("2026-10", D("85.3")),
        ("2026-11", None),
        ("2026-12", D("100.0")),
    ]


def test_the_drill_down_list_holds_the_documents_of_the_figure(cast, client_as, book):
    c = client_as(cast.manager)
    cards = {c["key"]: c for c in c.get("/reports/figures/?period=2026-11").context["cards"]}
    orders = c.get(cards["order_intake"]["url"]).context["page"]
    assert sum(o.amount_incl for o in orders) == D("16000.00")
    shipments = c.get(cards["sales_shipped"]["url"]).context["page"]
    assert sum(s.amount_incl for s in shipments) == D("10000.00")  # before the 500.00 credit note


def test_the_funnel_weighs_the_open_opportunities_of_the_scope_by_stage(cast, client_as, api_as):
    from datetime import timedelta

    from django.utils import timezone

    from customers import services as customer_services
    from tests.factories import CustomerFactory

    alices = CustomerFactory(owner=cast.alice, team=cast.east)
    carols = CustomerFactory(owner=cast.carol, team=cast.south)
    soon = timezone.localdate() + timedelta(days=10)
    for who, customer, amount, stage in [
        (cast.alice, alices, "1000.00", "negotiation"),
        (cast.alice, alices, "500.00", "lead"),
        (cast.carol, carols, "2000.00", "negotiation"),
    ]:
        o = customer_services.opportunity_create(
            actor=who, customer=customer, data={"title": "项目", "needs": "需求", "amount": D(amount), "expected_close": soon}
        )
        if stage != "lead":
            customer_services.opportunity_move(opportunity=o, actor=who, stage=stage)

    company = {c["key"]: c for c in client_as(cast.manager).get("/reports/figures/?period=2026-11").context["charts"]}
    east = {
        c["key"]: c for c in api_as(cast.lena).get(f"/api/v1/figures/?period=2026-11&scope=team:{cast.east.pk}").json()["charts"]
    }

    assert company["funnel"]["labels"] == ["初步接洽", "需求确认", "方案报价", "商务谈判"]
    assert company["funnel"]["series"][0]["data"] == [500.0, 0.0, 0.0, 3000.0]
    assert company["funnel"]["series"][1]["data"] == [50.0, 0.0, 0.0, 2400.0]  # weighted: 10 % and 80 %
    assert east["funnel"]["series"][0]["data"] == [500.0, 0.0, 0.0, 1000.0]
    assert company["funnel"]["url"].startswith("/customers/opportunities/?is_open=true")


def test_the_forecast_sums_the_open_opportunities_by_expected_close_month(cast, client_as, api_as):
    from datetime import date, timedelta

    from django.utils import timezone

    from customers import services as customer_services
    from customers.models import Opportunity
    from tests.factories import CustomerFactory

    today = timezone.localdate()
    month = today.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    alices = CustomerFactory(owner=cast.alice, team=cast.east)
    carols = CustomerFactory(owner=cast.carol, team=cast.south)

    def opened(who, customer, amount, close, probability=None):
        o = customer_services.opportunity_create(
            actor=who, customer=customer, data={"title": "项目", "needs": "需求", "amount": D(amount), "expected_close": close}
        )
        customer_services.opportunity_update(opportunity=o, actor=who, data={"probability": probability})
        return o

    opened(cast.alice, alices, "1000.00", next_month - timedelta(days=1))  # the last day of this month, at 10 %
    opened(cast.alice, alices, "2000.00", next_month, probability=50)  # the first day of the next, at the rep's 50 %
    opened(cast.carol, carols, "4000.00", date(today.year + 1, today.month, 1))  # twelve months on: after the six
    overdue = opened(cast.alice, alices, "300.00", today)
    Opportunity.objects.filter(pk=overdue.pk).update(expected_close=month - timedelta(days=1))  # still open, its month gone
    lost = opened(cast.alice, alices, "9000.00", today)
    customer_services.opportunity_lose(opportunity=lost, actor=cast.alice, reason="预算取消")  # closed: not forecast

    company = {c["key"]: c for c in client_as(cast.manager).get("/reports/figures/").context["charts"]}
    alice = {c["key"]: c for c in api_as(cast.alice).get("/api/v1/figures/").json()["charts"]}

    forecast = company["forecast"]
    assert forecast["labels"][:3] == ["更早（已逾期）", f"{month:%Y-%m}", f"{next_month:%Y-%m}"] and len(forecast["labels"]) == 8
    assert forecast["labels"][-1].endswith("及以后")
    assert forecast["series"][0]["data"] == [300.0, 1000.0, 2000.0, 0.0, 0.0, 0.0, 0.0, 4000.0]
    assert forecast["series"][1]["data"] == [30.0, 100.0, 1000.0, 0.0, 0.0, 0.0, 0.0, 400.0]
    assert alice["forecast"]["series"][0]["data"][-1] == 0.0  # a rep's own: carol's is not in it
    assert "ordering=expected_close" in forecast["url"] and f"owner={cast.alice.pk}" in alice["forecast"]["url"]


def test_empty_chart_says_no_data(cast, client_as):
    page = client_as(cast.manager).get("/reports/figures/?period=2026-11")
    assert page.status_code == 200
    assert 'data-testid="chart-aging-empty"' in page.content.decode()
    assert "暂无数据" in page.content.decode()


@pytest.mark.parametrize(
    "who, scope, status",
    [
        ("alice", "", 200),
        ("alice", "rep:{alice}", 200),
        ("alice", "rep:{bob}", 404),
        ("alice", "team:{east}", 404),
        ("alice", "company", 404),
        ("lena", "", 200),
        ("lena", "rep:{bob}", 200),
        ("lena", "rep:{carol}", 404),
        ("lena", "team:{south}", 404),
        ("manager", "rep:{carol}", 200),
        ("gm", "company", 200),
        ("finance", "company", 200),
        ("clerk", "team:{south}", 200),
        ("warehouse", "", 404),
        ("alice", "everyone", 400),
    ],
)
def test_who_sees_which_figures_page_and_api(cast, client_as, api_as, who, scope, status):
    ids = {"alice": cast.alice.pk, "bob": cast.bob.pk, "carol": cast.carol.pk, "east": cast.east.pk, "south": cast.south.pk}
    query = f"?period=2026-11&scope={scope.format(**ids)}" if scope else "?period=2026-11"
    user = getattr(cast, who)
    assert client_as(user).get(f"/reports/figures/{query}").status_code == status
    assert api_as(user).get(f"/api/v1/figures/{query}").status_code == status


def test_api_gives_exact_figures_as_text(cast, api_as, book):
    data = api_as(cast.alice).get("/api/v1/figures/?period=2026-11").json()
    assert data["scope"] == f"rep:{cast.alice.pk}"
    cards = {c["key"]: c for c in data["cards"]}
    assert cards["sales_shipped"]["value"] == "9000.00"
    assert cards["achievement"]["value"] == "1.1250" and cards["achievement"]["target"] == "8000.00"
    assert {c["key"] for c in data["charts"]} == {
        "monthly_sales",
        "monthly_collections",
        "pipeline",
        "funnel",
        "forecast",
        "by_store",
        "aging",
        "on_time",
        "satisfaction",
    }


def test_home_dashboard_shows_the_month_headline_of_the_widest_scope(cast, client_as):
    assert client_as(cast.alice).get("/").context["headline"]["scope"].key == f"rep:{cast.alice.pk}"
    assert client_as(cast.warehouse).get("/").context["headline"] is None
    assert 'data-testid="kpi-order_intake"' in client_as(cast.gm).get("/").content.decode()


def test_home_dashboard_reads_only_its_headline_figures(cast, client_as, book, monkeypatch):
    """The home page shows the first HEADLINE_CARDS figures and computes no other (the receivables and unshipped
    figures are the costly ones at scale)."""

    def refused(*args, **kwargs):
        raise AssertionError("not a headline figure")

    for name in (
        "unshipped_amount",
        "collected",
        "collection_rate",
        "receivables_aging",
        "achievement",
        "collection_achievement",
        "growth",
    ):
        monkeypatch.setattr(kpis, name, refused)
    cards = client_as(cast.manager).get("/").context["headline"]["cards"]
    assert [c["key"] for c in cards] == ["order_intake", "sales_by_order_date", "sales_shipped", "sales_invoiced"]
    assert len(cards) == selectors.HEADLINE_CARDS and all(isinstance(c["value"], D) for c in cards)


def test_the_figures_of_the_running_month_read_the_receivables_once(cast, client_as, book, monkeypatch):
    """The collection rate of a month not yet over counts what is receivable today, as the receivables page does, so
    the figures page reads the receivables once for it and the aging chart (the costly query at scale)."""
    days, real = [], order_figures.receivable_aging
    monkeypatch.setattr(order_figures, "receivable_aging", lambda as_of, *a, **k: days.append(as_of) or real(as_of, *a, **k))
    assert client_as(cast.manager).get("/reports/figures/").status_code == 200
    assert days == [timezone.localdate()]


def test_glossary_lists_every_dashboard_figure(cast, client_as, book):
    html = client_as(cast.alice).get("/reports/glossary/").content.decode()
    cards = client_as(cast.manager).get("/reports/figures/?period=2026-11").context["cards"]
    for card in cards:
        assert f'id="kpi-{card["key"]}"' in html


def test_the_glossary_in_english_has_no_chinese_left(cast, client_as):
    # when alice reads the glossary in English, then every entry is English (计划额's said “计划完成率 (of the plan)”)
    client = client_as(cast.alice)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/reports/glossary/").content.decode()
    glossary = html.split('data-testid="glossary"', 1)[1].split("</dl>", 1)[0]
    assert 'id="kpi-planned"' in glossary
    assert re.findall(r"[^<>]*[\u4e00-\u9fff][^<>]*", glossary) == []


def test_the_sellers_charts_set_each_approved_plan_of_the_period_beside_the_sales(cast, client_as, api_as, book):
    from plans.models import SalesPlan

    def plan(author, level, amount, status="approved"):
        n = SalesPlan.objects.count()
        SalesPlan.objects.create(
            number=f"XSJH-F-{n}",
            level=level,
            period_key="2026-11",
            author=author,
            team=cast.east,
            planned=D(amount),
            status=status,
        )

    plan(cast.alice, "rep", "12000.00")
    plan(cast.bob, "rep", "8000.00", status="returned")  # refused: no plan
    plan(cast.lena, "team", "30000.00")
    charts = {c["key"]: c for c in client_as(cast.manager).get("/reports/figures/?period=2026-11").context["charts"]}
    by_rep = charts["by_rep"]
    assert [s["label"] for s in by_rep["series"]] == ["销售额", "计划额"]
    planned = dict(zip(by_rep["labels"], by_rep["series"][1]["data"], strict=True))
    assert planned["alice"] == 12000.0 and planned["bob"] is None
    by_team = charts["by_team"]
    assert dict(zip(by_team["labels"], by_team["series"][1]["data"], strict=True))["华东组"] == 30000.0
    api = api_as(cast.lena).get(f"/api/v1/figures/?period=2026-11&scope=team:{cast.east.pk}").json()["charts"]
    team_reps = next(c for c in api if c["key"] == "by_rep")
    assert dict(zip(team_reps["labels"], team_reps["series"][1]["data"], strict=True))["alice"] == 12000.0
    assert 'id="kpi-planned"' in client_as(cast.alice).get("/reports/glossary/").content.decode()


@pytest.mark.parametrize("who", ["manager", "finance", "lena", "alice", "vp", "gm"])
def test_every_link_of_the_figures_and_the_digest_opens_for_its_reader(cast, client_as, book, who):
    """A figure, a chart or a digest card links to its documents only where the reader may open them (finance reads
    the figures but not the sales opportunities; a rep reads the digest but not the clerk's work page): no link to a 403."""
    client = client_as(getattr(cast, who))
    figures = client.get("/reports/figures/?period=2026-11")
    urls = [row["url"] for row in figures.context["cards"] + figures.context["charts"] if row["url"]]
    digest = client.get("/reports/digest/?day=2026-11-30")
    urls += [url for url in digest.context["links"].values() if url]
    assert urls, "the reader is given links"
    for url in urls:
        assert client.get(url).status_code == 200, url
    if who == "finance":
        assert not any("/customers/opportunities/" in url for url in urls)
        assert 'data-testid="kpi-sales_shipped-value"' in figures.content.decode()
    if who == "alice":
        assert digest.context["links"]["clerk_queue"] == ""


@pytest.mark.parametrize("period", ["9999-12", "9999", "9999-Q4", "9999-12-31", "0001", "0001-01", "0001-01-01"])
def test_a_period_outside_the_years_reports_cover_is_a_400_not_a_500(cast, client_as, api_as, period):
    page = client_as(cast.manager).get(f"/reports/figures/?period={period}")
    assert page.status_code == 400 and "2000–2099" in page.content.decode()
    r = api_as(cast.manager).get(f"/api/v1/figures/?period={period}")
    assert r.status_code == 400 and "2000–2099" in str(r.json())


@pytest.mark.parametrize("scope", ["rep:99999999999999999999", "team:99999999999999999999"])
def test_a_scope_id_too_large_for_the_database_is_a_400(cast, client_as, api_as, scope):
    assert client_as(cast.manager).get(f"/reports/figures/?scope={scope}").status_code == 400
    r = api_as(cast.manager).get(f"/api/v1/figures/?scope={scope}")
    assert r.status_code == 400 and "范围" in str(r.json())
