"""销售机会月报: the funnel of the open opportunities, per rep what is open, won and lost in the month with the win rate,
and every opportunity closed in the month — the cover's totals equal to the selectors, to the fen."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customers import services
from customers.models import Opportunity
from reports.models import ReportRun
from reports.scopes import Scope
from tests.factories import CustomerFactory
from tests.reports.test_workbooks import generate, table

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def pipeline(cast, settings, tmp_path):
    """alice: open 1000.00 at 商务谈判 and 500.00 at 初步接洽, won 3000.00 on 30 Nov (Shanghai), lost one on 1 Dec;
    carol: lost 2000.00 on 1 Nov."""
    settings.MEDIA_ROOT = tmp_path / "media"
    alices = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州客户有限公司")
    carols = CustomerFactory(owner=cast.carol, team=cast.south, name="广州客户有限公司")
    soon = timezone.localdate() + timedelta(days=20)

    def make(actor, customer, title, amount):
        data = {"title": title, "needs": "需求", "amount": D(amount), "expected_close": soon}
        return services.opportunity_create(actor=actor, customer=customer, data=data)

    services.opportunity_move(opportunity=make(cast.alice, alices, "谈判中", "1000.00"), actor=cast.alice, stage="negotiation")
    make(cast.alice, alices, "刚接洽", "500.00")
    won = services.opportunity_win(opportunity=make(cast.alice, alices, "已赢单", "3000.00"), actor=cast.alice, note="合同已签")
    december = services.opportunity_lose(
        opportunity=make(cast.alice, alices, "十二月输单", "700.00"), actor=cast.alice, reason="延期"
    )
    lost = services.opportunity_lose(
        opportunity=make(cast.carol, carols, "已输单", "2000.00"), actor=cast.carol, reason="价格", competitor="友商"
    )
    Opportunity.objects.filter(pk=won.pk).update(closed_at=datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI))
    Opportunity.objects.filter(pk=december.pk).update(closed_at=datetime(2026, 12, 1, 0, 10, tzinfo=SHANGHAI))
    Opportunity.objects.filter(pk=lost.pk).update(closed_at=datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI))
    return cast


def test_the_opportunities_workbook_has_the_funnel_the_reps_and_the_month_closed(pipeline, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.OPPORTUNITIES, actor=pipeline.manager, capture=django_capture_on_commit_callbacks)

    assert wb.sheetnames == ["封面", "销售漏斗", "预计成交", "业务员", "本月结束的机会", "图表"]
    _h, header, rows, totals = table(wb["销售漏斗"])
    assert header == ["阶段", "赢率", "机会数", "预计金额", "加权金额"]
    assert [r[0] for r in rows] == ["初步接洽", "需求确认", "方案报价", "商务谈判"]
    assert rows[0][2:] == [1, D("500.00"), D("50.00")] and rows[3][2:] == [1, D("1000.00"), D("800.00")]
    assert totals[2:] == [2, D("1500.00"), D("850.00")]
    assert wb["销售漏斗"].cell(row=_h + 1, column=4).number_format == "#,##0.00"

    _h, header, rows, totals = table(wb["预计成交"])
    assert header == ["预计成交月份", "机会数", "预计金额", "加权金额"]
    months = [r[0] for r in rows]
    assert months[:2] == ["更早（已逾期）", "2026-11"] and months[-1] == "2027-05 及以后" and len(months) == 8
    soon = timezone.localdate() + timedelta(days=20)  # both open ones are expected then: in its month's row
    expected_row = f"{soon:%Y-%m}" if f"{soon:%Y-%m}" in months else "2027-05 及以后"
    assert {r[0]: r[1:] for r in rows if r[1]} == {expected_row: [2, D("1500.00"), D("850.00")]}
    assert totals[1:] == [2, D("1500.00"), D("850.00")]  # the funnel's open ones, each counted once

    _h, header, rows, totals = table(wb["业务员"])
    by_rep = {r[0]: r[1:] for r in rows}
    assert by_rep["alice"] == [2, D("1500.00"), D("850.00"), 1, D("3000.00"), 0, D("1")]
    assert by_rep["carol"] == [0, D("0.00"), D("0.00"), 0, D("0.00"), 1, D("0")]
    assert totals[-1] == D("0.5")  # one won of two decided in November

    _h, header, rows, totals = table(wb["本月结束的机会"])
    assert [r[1] for r in rows] == ["已输单", "已赢单"]  # in the order they closed; December's loss is not November's
    assert rows[0][8] == "友商" and totals[5] == D("5000.00")

    figures = {key: value["value"] for key, value in run.totals.items()}
    assert figures == {"open_count": "2", "weighted": "850.00", "won_amount": "3000.00", "rate": "0.5000"}


def test_a_reps_workbook_counts_only_the_reps_opportunities(pipeline, django_capture_on_commit_callbacks):
    _run, wb = generate(
        ReportRun.Kind.OPPORTUNITIES,
        scope=Scope.rep(pipeline.carol.pk),
        actor=pipeline.manager,
        capture=django_capture_on_commit_callbacks,
    )
    _h, _header, rows, _totals = table(wb["业务员"])
    assert [r[0] for r in rows] == ["carol"]
    _h, _header, rows, _totals = table(wb["销售漏斗"])
    assert sum(r[2] for r in rows) == 0
