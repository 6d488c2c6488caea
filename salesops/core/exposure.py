"""A customer's credit exposure gathered across floors (ARCHITECTURE.md: imports point down the floors only).

The contract review (contracts) checks "credit limit exceeded by what the customer already owes + this contract".
Contracts count their own open contracts; orders (a higher floor) add what direct orders without a contract still owe
by registering a provider here in its AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

_PROVIDERS: list[Callable[[object], Decimal]] = []


def register_exposure(provider: Callable[[object], Decimal]) -> None:
    """Add `provider(customer) -> Decimal` (CNY owed or committed that the lower floors cannot see)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def extra_exposure(customer) -> Decimal:
    return sum((provider(customer) for provider in _PROVIDERS), Decimal("0.00"))
