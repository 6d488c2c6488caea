"""How much of each contract line higher floors have already taken (ARCHITECTURE.md: imports point down the floors only).

A contract change may not cut a line below what orders already took of it (contracts.services.changes). Contracts cannot
import orders, so orders (the floor above) registers a provider here in its AppConfig.ready —
`orders.selectors.ordered_per_contract_line`, the same function its order-from-contract page and service use for the
quantity still to order — and contracts asks `ordered_per_contract_line(contract)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

_PROVIDERS: list[Callable[[object], Mapping[int, Decimal]]] = []


def register_ordered(provider: Callable[[object], Mapping[int, Decimal]]) -> None:
    """Add `provider(contract) -> {contract line id: quantity taken}` (what a higher floor took of the contract's lines)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def ordered_per_contract_line(contract) -> dict[int, Decimal]:
    """{contract line id: quantity already taken by every registered floor}; empty when nothing is registered."""
    total: dict[int, Decimal] = {}
    for provider in _PROVIDERS:
        for line_id, quantity in provider(contract).items():
            total[line_id] = total.get(line_id, Decimal(0)) + Decimal(quantity or 0)
    return total
