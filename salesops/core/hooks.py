"""Explicit hooks by which a higher floor reacts to a lower floor's event (ARCHITECTURE.md: imports point down only).

The lower floor names the event and calls `emit` inside its transaction; the higher floor `subscribe`s in its
AppConfig.ready. Events in use:
  - "contract_changed" (contract=, version=): an approved change request made a new contract version;
    orders tells the clerks handling open orders taken from the older version.
  - "customer_reassigned" (customer=, old_owner=, new_owner=, actor=, reason=): a customer was handed to another rep
    (customers.customer_reassign, the customer locked); contracts hands the old rep's open quotations and unsigned
    contracts of the customer to the new one.
  - "order_delivered" (shipment=): a shipment's delivery acceptance (签收) was recorded (orders.services.shipment_deliver,
    inside its transaction); aftersales schedules the satisfaction callbacks of that delivery.
"""

from __future__ import annotations

from collections.abc import Callable

_SUBSCRIBERS: dict[str, list[Callable[..., None]]] = {}


def subscribe(event: str, handler: Callable[..., None]) -> None:
    handlers = _SUBSCRIBERS.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(event: str, **kwargs) -> None:
    for handler in _SUBSCRIBERS.get(event, []):
        handler(**kwargs)
