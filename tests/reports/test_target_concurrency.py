"""Two managers splitting one target at once cannot together exceed it (PostgreSQL, real threads): across levels the
company row is locked while the teams' sum is checked, across lengths the year row while its quarters' sum is; a year
target and its quarter created at the same moment see each other (the subject's advisory lock)."""

from decimal import Decimal as D

import pytest

from reports.models import SalesTarget
from reports.services.targets import TargetInput, target_set
from salesops.core.errors import DomainError
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_teams_set_at_once_stay_within_the_company_target(on_postgres, cast):
    def month(level, amount, team=None):
        return TargetInput(year=2026, kind="month", number=11, level=level, team_id=team, amount=D(amount))

    target_set(actor=cast.manager, data=month("company", "100000"))
    teams = [cast.east.pk, cast.south.pk]

    results = run_in_threads(2, lambda i: target_set(actor=[cast.manager, cast.gm][i], data=month("team", "60000", teams[i])))

    won = [r for r in results if isinstance(r, SalesTarget)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(refused) == 1, results
    assert "超出上级目标" in str(refused[0])
    assert SalesTarget.objects.filter(level="team").count() == 1


def of(kind, number, amount):
    return TargetInput(year=2026, kind=kind, number=number, level="company", amount=D(amount))


def test_two_quarters_set_at_once_stay_within_the_year_target(on_postgres, cast):
    target_set(actor=cast.manager, data=of("year", 0, "100000"))

    results = run_in_threads(2, lambda i: target_set(actor=[cast.manager, cast.gm][i], data=of("quarter", i + 1, "60000")))

    won = [r for r in results if isinstance(r, SalesTarget)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(refused) == 1, results
    assert "超出2026年目标" in str(refused[0])
    assert SalesTarget.objects.filter(kind="quarter").count() == 1


def test_a_year_and_its_quarter_created_at_once_see_each_other(on_postgres, cast):
    work = [of("year", 0, "100000"), of("quarter", 1, "150000")]

    results = run_in_threads(2, lambda i: target_set(actor=[cast.manager, cast.gm][i], data=work[i]))

    won = [r for r in results if isinstance(r, SalesTarget)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(refused) == 1, results
    assert "超出2026年目标" in str(refused[0]) or "不能低于2026年各季度目标的合计" in str(refused[0])
    assert SalesTarget.objects.count() == 1
