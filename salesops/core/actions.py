"""Actions on a lower floor's document that a higher floor offers (ARCHITECTURE.md: imports point down the floors only).

A contract page and the contract API's `allowed_actions` show the same list (contracts.permissions); "下订单"
(`create_order`) is decided by orders, the floor above. Orders registers a provider here in its AppConfig.ready —
`provider(doc, user) -> [action names]`, its own permission function — and contracts adds `higher_actions("contract",
contract, user)` to the list, so one function decides the button, the API and the service's refusal.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: dict[str, list[Callable[[object, object], list[str]]]] = {}


def register_actions(kind: str, provider: Callable[[object, object], list[str]]) -> None:
    """Add `provider(doc, user) -> [action names]` for documents of `kind` ("contract")."""
    providers = _PROVIDERS.setdefault(kind, [])
    if provider not in providers:
        providers.append(provider)


def higher_actions(kind: str, doc, user) -> list[str]:
    """The actions the registered higher floors allow `user` on `doc` now, in registration order."""
    out: list[str] = []
    for provider in _PROVIDERS.get(kind, []):
        out += [name for name in provider(doc, user) if name not in out]
    return out
