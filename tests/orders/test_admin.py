"""The support admin opens every quotation/contract/order document list read-only (no add, change or delete)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.orders.conftest import pass_inspection, pay, place

pytestmark = pytest.mark.django_db


def test_document_admin_lists_and_pages_open_and_are_read_only(cast, client_as, order):
    # given an order with an inspection, a payment and a shipment
    order = place(order, cast.clerk)
    pay(order, cast, "11300")
    pass_inspection(order, cast, "10")
    from orders import services

    services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    client = client_as(cast.admin)
    cast.admin.is_superuser = True
    cast.admin.save()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("orders", "contracts"):
            continue
        meta = model._meta
        # when the admin opens the list (and searches it)
        response = client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), {"q": "x"} if model_admin.search_fields else {}
        )
        # then it opens, and documents cannot be added
        assert response.status_code == 200, meta.label
        obj = model.objects.first()
        if obj is not None:
            assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])).status_code == 200, (
                meta.label
            )
        if meta.model_name != "specialreviewrule":
            assert not model_admin.has_add_permission(type("R", (), {"user": cast.admin})()), meta.label
