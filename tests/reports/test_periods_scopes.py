"""Periods (bounds in Asia/Shanghai, neighbours, parsing) and scopes (who may see whose figures)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.periods import Period
from reports.scopes import Scope, may_view, scope_for, scopes_visible_to

SH = ZoneInfo("Asia/Shanghai")


def test_month_bounds_are_shanghai_midnights():
    start, end = Period.month(2026, 11).bounds()
    assert start == datetime(2026, 11, 1, tzinfo=SH)
    assert end == datetime(2026, 12, 1, tzinfo=SH)
    assert end.astimezone(ZoneInfo("UTC")) == datetime(2026, 11, 30, 16, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    "text, start, end, kind, label",
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "month", "2026年11月"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month", "2024年2月"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter", "2026年第4季度"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year", "2026年"),
        ("2026-11-05", date(2026, 11, 5), date(2026, 11, 5), "day", "2026年11月5日"),
    ],
)
def test_parse_and_label(text, start, end, kind, label):
    p = Period.parse(text)
    assert (p.start, p.end, p.kind, p.label) == (start, end, kind, label)
    assert Period.parse(p.key) == p


@pytest.mark.parametrize(
    "text", ["2026-13", "abc", "", "2026-Q5", "2026-02-30", "9999-12", "9999", "9999-Q4", "9999-12-31", "0001-01-01", "1999"]
)
def test_parse_refuses_bad_text_in_chinese(text):
    with pytest.raises(ValueError, match="期间"):
        Period.parse(text)


def test_neighbours():
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert Period.month(2026, 3).year_ago() == Period.month(2025, 3)
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.year(2026).previous() == Period.year(2025)
    assert Period.day(date(2026, 3, 1)).previous() == Period.day(date(2026, 2, 28))
    assert Period.day(date(2024, 2, 29)).year_ago() == Period.day(date(2023, 2, 28))
    assert [m.key for m in Period.quarter(2026, 2).months()] == ["2026-04", "2026-05", "2026-06"]


def test_scope_keys():
    assert Scope.parse("company") == Scope.company()
    assert Scope.parse("team:3") == Scope("team", team_id=3)
    assert Scope.parse("rep:7").key == "rep:7"
    for bad in ("team", "rep:x", "all", "company:1", "rep:99999999999999999999", "team:1234567890123456789"):
        with pytest.raises(ValueError, match="范围"):
            Scope.parse(bad)


def test_widest_scope_per_role(cast):
    c = cast
    assert scope_for(c.alice) == Scope.rep(c.alice.pk)
    assert scope_for(c.lena) == Scope.team(c.east.pk)
    for who in (c.manager, c.vp, c.gm, c.finance, c.clerk):
        assert scope_for(who) == Scope.company()
    for who in (c.warehouse, c.qc, c.service):
        assert scope_for(who) is None


def test_who_may_view_which_scope(cast):
    c = cast
    alice, bob, carol = Scope.rep(c.alice.pk), Scope.rep(c.bob.pk), Scope.rep(c.carol.pk)
    east, south = Scope.team(c.east.pk), Scope.team(c.south.pk)
    assert may_view(c.alice, alice) and not may_view(c.alice, bob) and not may_view(c.alice, east)
    assert not may_view(c.alice, Scope.company())
    assert may_view(c.lena, east) and may_view(c.lena, alice) and may_view(c.lena, bob)
    assert not may_view(c.lena, south) and not may_view(c.lena, carol) and not may_view(c.lena, Scope.company())
    assert all(may_view(c.gm, s) for s in (Scope.company(), east, south, carol))
    assert not may_view(c.warehouse, alice)
    assert scopes_visible_to(c.alice) == [alice]
    assert scopes_visible_to(c.lena) == [east, alice, bob, Scope.rep(c.lena.pk)]
    assert scopes_visible_to(c.manager)[:3] == [Scope.company(), east, south]
