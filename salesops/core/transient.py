"""Writes whose commit need not survive a crash of the database server.

A commit on PostgreSQL waits until its WAL is flushed to disk (2–3 ms on these machines, more under load). Some writes
lose nothing if the server crashes right after them: a job's progress percentage (the next step or the end result
overwrites it; a lost one shows the previous figure) and the catalog rows of a temporary table (the table dies with the
session anyway). `transient()` runs such a write in a transaction with `synchronous_commit` off, so its commit returns
at once; PostgreSQL still writes it, in order, before any later synchronous commit of any session. Everything a user
enters or decides commits synchronously as always; never put such a write in here.

    with transient():
        Job.objects.filter(pk=pk).update(progress=40)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def transient(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction (a savepoint inside one) whose own commit does not wait for the disk on PostgreSQL. Inside an
    outer transaction it changes nothing: the outer commit decides."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
