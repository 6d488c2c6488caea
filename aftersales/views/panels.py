"""The after-sales cards other pages show (registered as salesops.core.panels in AppConfig.ready): on the customer and
order pages their documents; on the home page ("dashboard") QC's complaints to investigate and actions to verify and
everyone's own open corrective actions (我的整改措施, shown where there are some); on the warehouse's work page
("warehouse_queue") the approved returns whose goods are to be received and counted. Each shows its first rows and its
exact count (core.pages.queue_head) and links to its list filtered to the same rows."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from salesops.core.pages import QUEUE_ROWS, queue_head

from .. import permissions, selectors

ROWS = 10
HOME_ROWS = 5  # as the home page's document lists (reports.selectors.HOME_DOCUMENT_ROWS)


def _panel(request, *, customer=None, order=None) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    docs = selectors.documents_for(user, customer=customer, order=order)
    context = {
        "customer": customer or order.customer,
        "order": order,
        **{name: qs[:ROWS] for name, qs in docs.items()},
        "counts": {name: qs.count() for name, qs in docs.items()},
        "credit_notes": order.credit_notes.all() if order is not None else None,
        "can_ticket": permissions.may_create_ticket(user),
        "can_complain": permissions.may_register_complaint(user),
        "can_rma": order is not None
        and permissions.may_request_rma(user)
        and order.lines.filter(delivered_quantity__gt=0).exists(),
    }
    return render_to_string("aftersales/_panel.html", context, request=request)


def customer_panel(request, customer) -> str:
    return _panel(request, customer=customer)


def order_panel(request, order) -> str:
    return _panel(request, order=order)


def dashboard_panel(request, user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    complaints = []
    if permissions.works_complaints(user):
        list_url = reverse("aftersales:complaint_list")
        for code, qs in selectors.qc_work_for(user).items():
            rows, count = queue_head(qs, HOME_ROWS)
            complaints.append(
                {
                    "key": code,
                    "label": selectors.COMPLAINT_QUEUE_LABELS[code],
                    "rows": rows,
                    "count": count,
                    "url": f"{list_url}?queue={code}",
                }
            )
    actions, actions_count = queue_head(selectors.my_actions_for(user), HOME_ROWS)
    if not complaints and not actions:
        return ""
    context = {"complaints": complaints, "actions": actions, "actions_count": actions_count, "today": timezone.localdate()}
    return render_to_string("aftersales/_dashboard_panel.html", context, request=request)


def warehouse_panel(request, user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    rows, count = queue_head(selectors.returns_to_receive(user), QUEUE_ROWS)
    context = {"rows": rows, "count": count, "list_url": f"{reverse('aftersales:rma_list')}?status=approved"}
    return render_to_string("aftersales/_warehouse_panel.html", context, request=request)
