"""Pure rules of the customers floor: no database writes, unit-testable.

The sales pipeline (销售机会): each stage carries the chance that the opportunity turns into a deal; the weighted
amount (预计金额 × 赢率) is what a manager adds up to forecast the month. The rep may estimate an open opportunity's
chance instead of the stage's; moving it to another stage goes back to the stage's. Won counts whole, lost nothing.

比价/投标 (seed 003, 产品报价、投标的流程 A): when the customer asks several suppliers, the rep reports it at once and the
department head decides whether to take part (a major one goes to the company leadership too); until it is decided to
take part, nothing is quoted for it and it does not move on to 方案报价.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from salesops.core.approvals import StepSpec
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


# --- contacts ---------------------------------------------------------------------------------------------------------
CONTACT_WAYS = ("mobile", "phone", "email", "wechat", "qq")


def _way(name: str, value) -> str:
    """A contact way as compared: no spaces or dashes, a mobile without +86, an e-mail in lower case."""
    text = "".join(str(value or "").split()).replace("-", "")
    if name == "mobile":
        text = text.removeprefix("+86")
    return text.lower() if name == "email" else text


def duplicate_contact_way(contact, other) -> str | None:
    """The contact way by which `contact` is `other` again (the same person added twice to one customer), or None: the
    same mobile (a mobile is one person's), or the same name with any way of reaching them in common. Two people of the
    same name (two 王工) with different numbers are two contacts."""
    shared = [
        name
        for name in CONTACT_WAYS
        if _way(name, getattr(contact, name)) and _way(name, getattr(contact, name)) == _way(name, getattr(other, name))
    ]
    if "mobile" in shared:
        return "mobile"
    same_name = "".join(contact.name.split()) == "".join(other.name.split())
    return shared[0] if same_name and shared else None


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


# --- 比价/投标: the decision to take part --------------------------------------------------------------------------------
BID_GATED_STAGES = (Stage.PROPOSAL, Stage.NEGOTIATION, Stage.WON)  # reached only once it is decided to take part


def bid_undecided(bidding: str, decision: str) -> bool:
    """Is the opportunity a 比价/投标 not (yet) decided to take part in? Then it is neither quoted nor moved on."""
    return bidding != Opportunity.Bidding.NONE and decision != Opportunity.BidDecision.GO


# who decides, lowest first; a decider's own request skips the steps at or below them (nobody decides their own request)
BID_DECIDERS = ("sales_manager", "sales_vp", "gm")


def bid_route(*, amount: Decimal, major_amount: Decimal, requester_roles=()) -> list[StepSpec]:
    """Who decides (seed 003): the sales department head (销售部经理), and the company leadership (销售副总) as well when
    the estimated amount is above `major_amount` (重大比价或投标需向公司领导请示). A step the requester holds or outranks
    is left out; an empty route means the requester decided it themselves."""
    own = max((BID_DECIDERS.index(r) for r in requester_roles if r in BID_DECIDERS), default=-1)
    steps = []
    if own < 0:
        steps.append(StepSpec(code="sales_manager", label=_("部门领导决定"), stage=10, role="sales_manager", department="sales"))
    if amount > major_amount and own < 1:
        steps.append(
            StepSpec(
                code="sales_vp",
                label=_("公司领导决定"),
                stage=20,
                role="sales_vp",
                department="management",
                reason=gettext_noop("重大比价/投标：预计金额 %(amount)s 元，超过 %(limit)s 元"),
                reason_params={"amount": f"{amount:,.2f}", "limit": f"{major_amount:,.2f}"},
            )
        )
    return steps
