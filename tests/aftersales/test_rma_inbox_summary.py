"""A return request waiting for the sales VP shows in 待我审批 (page and API) what is being approved: the customer, the
order, 退/换/修, each line's quantity and the amount."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.services import returns as svc

pytestmark = pytest.mark.django_db


def test_the_vp_sees_what_a_return_request_asks_for_in_the_inbox(cast, delivered, client_as, api_as):
    # given 10 pumps delivered; when alice asks to exchange 3 of them (3,390.00) and reports it to the VP
    order, _shipment = delivered
    line = order.lines.get()
    rma = svc.rma_create(
        actor=cast.alice,
        order=order,
        kind="exchange",
        reason="外壳破裂",
        lines=[{"order_line": line.pk, "quantity": "3", "lot_no": "L001"}],
    )
    svc.rma_submit(rma=rma, actor=cast.alice)
    expected = {
        "客户": order.customer.name,
        "订单": order.number,
        "类型": "换货",
        "数量": f"{line.name} × 3 {line.unit}",
        "涉及金额": "3,390.00",
    }
    # then the VP's 待我审批 shows them, in the API and on the page
    (step,) = api_as(cast.vp).get("/api/v1/approval-steps/").json()["results"]
    assert {row["label"]: row["value"] for row in step["summary"]} == expected
    page = client_as(cast.vp).get(reverse("core:approvals_inbox")).content.decode()
    assert 'data-testid="inbox-summary"' in page
    for label, value in expected.items():
        assert f'data-label="{label}">{value}</dd>' in page
