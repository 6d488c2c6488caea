"""Panels that a higher floor adds to a lower floor's page (ARCHITECTURE.md: imports point down the floors only).

The customer page (customers app) shows the customer's quotations and contracts (contracts app) without importing it:
contracts registers a panel for "customer_detail" in its AppConfig.ready, and the page renders `{% panels "customer_detail" customer %}`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

# page name -> [render(request, obj) -> HTML]
_PANELS: dict[str, list[Callable[[object, object], str]]] = {}


def register_panel(page: str, render: Callable[[object, object], str]) -> None:
    """Add `render(request, obj)` (returning rendered, escaped HTML) to the panels of `page`; registering twice is harmless."""
    renders = _PANELS.setdefault(page, [])
    if render not in renders:
        renders.append(render)


def render_panels(page: str, request, obj) -> SafeString:
    return mark_safe(
        "".join(render(request, obj) for render in _PANELS.get(page, []))
    )  # each render returns escaped template output
