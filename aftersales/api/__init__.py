"""/api/v1/ for the after-sales floor: callbacks, the service desk and statistics, service tickets, complaints and their
corrective actions, returns (RMA) and the annual service plan.

Querysets come from aftersales.selectors (what a user may not see is a 404); input serializers check the shape only;
every write and transition is a POST that calls aftersales.services, whose DomainErrors become {"code", "detail"}
(400 / 403 / 404 / 409). Every detail carries `allowed_actions` from aftersales.permissions — the same list the pages use.
Returns and plans are decided at /api/v1/approval-steps/{id}/decide/ (the kernel's approvals engine).
"""

from __future__ import annotations

from . import callbacks, complaints, plans, returns, tickets


def register(router) -> None:
    router.register("callbacks", callbacks.CallbackViewSet, basename="callback")
    router.register("service-desk", callbacks.DeskViewSet, basename="service-desk")
    router.register("service-stats", callbacks.StatsViewSet, basename="service-stats")
    router.register("service-tickets", tickets.TicketViewSet, basename="service-ticket")
    router.register("complaints", complaints.ComplaintViewSet, basename="complaint")
    router.register("corrective-actions", complaints.CorrectiveActionViewSet, basename="corrective-action")
    router.register("my-corrective-actions", complaints.MyCorrectiveActionViewSet, basename="my-corrective-action")
    router.register("returns", returns.ReturnViewSet, basename="return-request")
    router.register("service-plans", plans.PlanViewSet, basename="service-plan")
