"""/api/v1/ for quotations, contracts and contract change requests: quotations.py, contracts.py, changes.py, and what
they share in common.py.

Querysets always come from contracts.selectors (what a user may not see is a 404) and are narrowed by the filter sets of
contracts.filters, the same as the pages; serializers only check the shape of the input; every write and transition calls
contracts.services, whose DomainErrors become {"code", "detail"} (400 / 403 / 404 / 409) through
salesops.core.api.exception_handler; `allowed_actions` comes from contracts.permissions, like the pages' buttons.
Money and quantities are decimal strings, never floats. Approval steps are decided at /api/v1/approval-steps/{id}/decide/
(the kernel); the detail of a document lists its rounds.
"""

from __future__ import annotations

from .changes import ContractChangeViewSet
from .common import LineInput, ReasonInput, VisibleContactField
from .contracts import ContractViewSet
from .quotations import QuotationViewSet

__all__ = ["LineInput", "ReasonInput", "VisibleContactField", "register"]


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("quotations", QuotationViewSet, basename="quotation")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("contract-changes", ContractChangeViewSet, basename="contract-change")
