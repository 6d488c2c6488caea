"""Every column a list's search box looks in has its trigram index on PostgreSQL (salesops.core.trigram): one column
without it and PostgreSQL scans the whole table for every word typed (issue 12: the tickets' lot number, the
complaints' description, the products' spec, the customers' USCC and contacts went without)."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.filters import CallbackFilter, ComplaintFilter, ReturnFilter, TicketFilter
from aftersales.models import Callback, Complaint, ReturnRequest, ServiceTicket
from catalog.selectors import product_search_q
from contracts.models import Contract, Quotation
from contracts.selectors import search_q as contract_search_q
from customers.models import Contact, Customer
from customers.selectors import customer_search_q
from market.filters import SEARCH_FIELDS as MARKET_SEARCH
from market.models import MarketInfo
from orders.selectors import order_search_q, shipment_search_q
from salesops.core import search
from salesops.core.trigram import _index_name

pytestmark = pytest.mark.django_db


def _searched_columns(monkeypatch) -> set[tuple]:
    """(model, column) of every table and column the lists' every_word_q searches look in."""
    seen = set()
    by_table = search._by_table

    def recording(model, fields):
        groups = by_table(model, fields)
        seen.update((target, column) for target, columns in groups.values() for column in columns)
        return groups

    monkeypatch.setattr(search, "_by_table", recording)
    order_search_q("x"), shipment_search_q("x"), product_search_q("x"), customer_search_q("x")
    contract_search_q(Quotation, "x"), contract_search_q(Contract, "x")
    for model, filterset in (
        (Callback, CallbackFilter),
        (ServiceTicket, TicketFilter),
        (Complaint, ComplaintFilter),
        (ReturnRequest, ReturnFilter),
    ):
        search.every_word_q(model, "x", *filterset.SEARCH_FIELDS)
    search.every_word_q(MarketInfo, "x", *MARKET_SEARCH)
    return seen


def test_every_searched_column_has_its_trigram_index(on_postgres, monkeypatch):
    columns = _searched_columns(monkeypatch)
    assert (ServiceTicket, "lot_no") in columns and (Customer, "name") in columns and (MarketInfo, "content") in columns
    assert (Contact, "mobile") in columns and (Customer, "uscc") in columns  # the customer search, word by word too
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes")
        indexes = {row[0] for row in cursor.fetchall()}
    missing = sorted(
        f"{model._meta.db_table}.{column}"
        for model, column in columns
        if _index_name(model._meta.db_table, model._meta.get_field(column).column) not in indexes
    )
    assert missing == []
