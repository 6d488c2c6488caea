"""Pure rules of the customers floor: no database writes, unit-testable.

The sales pipeline (销售机会): each stage carries the chance that the opportunity turns into a deal; the weighted
amount (预计金额 × 赢率) is what a manager adds up to forecast the month. Won counts whole, lost counts nothing.
"""

from __future__ import annotations

from decimal import Decimal

from salesops.core.money import quantize

from .models import Opportunity

Stage = Opportunity.Stage

STAGE_PROBABILITY: dict[str, Decimal] = {
    Stage.LEAD: Decimal("0.10"),
    Stage.QUALIFIED: Decimal("0.30"),
    Stage.PROPOSAL: Decimal("0.60"),
    Stage.NEGOTIATION: Decimal("0.80"),
    Stage.WON: Decimal("1"),
    Stage.LOST: Decimal("0"),
}


def weighted_amount(amount: Decimal, stage: str) -> Decimal:
    """The estimated amount weighted by the stage's chance, to the cent (ROUND_HALF_UP)."""
    return quantize(amount * STAGE_PROBABILITY[stage])


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won ÷ (won + lost) of the opportunities decided in a period, to 4 places; None when none was decided."""
    decided = won + lost
    return (Decimal(won) / decided).quantize(Decimal("0.0001")) if decided else None
