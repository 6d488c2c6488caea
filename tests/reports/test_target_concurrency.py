"""Two managers splitting one company target at once cannot together exceed it (PostgreSQL, real threads): the
company row is locked while the teams' sum is checked."""

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
