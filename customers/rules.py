"""Pure rules of the customers floor: no database writes, unit-testable.

The sales pipeline (销售机会): each stage carries the chance that the opportunity turns into a deal; the weighted
amount (预计金额 × 赢率) is what a manager adds up to forecast the month. The rep may estimate an open opportunity's
chance instead of the stage's; moving it to another stage goes back to the stage's. Won counts whole, lost nothing.
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


def estimated(stage: str, probability: int | None) -> bool:
    """Does the rep's estimate (`probability`) count rather than the stage's chance? Only while the opportunity is open."""
    return probability is not None and stage in Opportunity.OPEN_STAGES


def chance(stage: str, probability: int | None = None) -> Decimal:
    """The chance (0–1) that an opportunity at `stage` turns into a deal: the rep's estimate (`probability`, a whole
    percentage) while it is open, else the stage's; a won one counts whole and a lost one nothing whatever was estimated."""
    return Decimal(probability) / 100 if estimated(stage, probability) else STAGE_PROBABILITY[stage]


def weighted_amount(amount: Decimal, stage: str, probability: int | None = None) -> Decimal:
    """The estimated amount weighted by its chance (`chance`), to the cent (ROUND_HALF_UP)."""
    return quantize(amount * chance(stage, probability))


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won ÷ (won + lost) of the opportunities decided in a period, to 4 places; None when none was decided."""
    decided = won + lost
    return (Decimal(won) / decided).quantize(Decimal("0.0001")) if decided else None
