"""The lists' search (salesops.core.search.every_word_q) on orders and shipments: every word must match the document's
own columns or its customer's (its order's), each table searched in its own subquery so indexes can serve it."""

from __future__ import annotations

import re

import pytest

from orders import selectors
from orders.models import SalesOrder, Shipment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _found(model, q) -> list[str]:
    return sorted(model.objects.filter(q).values_list("number", flat=True))


def test_every_word_in_the_document_or_its_customer(cast, order):
    other = CustomerFactory(owner=cast.bob, team=cast.east, name="杭州远东贸易有限公司")
    second = SalesOrder.objects.create(
        number="SO-OTHER-1", customer=other, owner=cast.bob, created_by=cast.clerk, received_on=order.received_on
    )
    SalesOrder.objects.filter(pk=order.pk).update(project_name="二期改造")
    assert _found(SalesOrder, selectors.order_search_q("精工")) == [order.number]  # the customer's name
    assert _found(SalesOrder, selectors.order_search_q("other")) == [second.number]  # the number, any case
    assert _found(SalesOrder, selectors.order_search_q("精工 二期")) == [order.number]  # one word each side
    assert _found(SalesOrder, selectors.order_search_q("远东 二期")) == []  # every word must match the same row
    assert _found(SalesOrder, selectors.order_search_q("  ")) == [order.number, second.number]
    note = Shipment.objects.create(number="FH-TEST-9", order=second, created_by=cast.clerk)
    assert _found(Shipment, selectors.shipment_search_q("远东 fh-test")) == [note.number]  # its order's customer
    assert _found(Shipment, selectors.shipment_search_q("SO-OTHER")) == [note.number]  # its order's number
    assert _found(Shipment, selectors.shipment_search_q("精工")) == []


def test_each_table_is_searched_in_its_own_subquery(cast):
    # a word: one IN of the UNION of the orders matching by their own columns and those of the matching customers
    sql = str(SalesOrder.objects.filter(selectors.order_search_q("精工")).query)
    assert re.search(r'"orders_salesorder"\."id" IN \(\(?SELECT', sql) and " UNION " in sql
    assert '"customer_id" IN (SELECT' in sql
    assert "customers_customer" not in sql.split("WHERE")[0]  # no join of the customers for the search
    # a table two relations away: the notes of the orders of the matching customers, no join of every order
    sql = str(Shipment.objects.filter(selectors.shipment_search_q("精工")).query)
    assert '"order_id" IN (SELECT' in sql and '"customer_id" IN (SELECT' in sql
    assert "orders_salesorder" not in sql.split("WHERE")[0]
