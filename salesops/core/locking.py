"""Lock conflicts (ARCHITECTURE.md rule 11): one lock order for the whole system, and what happens if it is broken anyway.

The order: the document first, then its approval request, then the step; lines and child documents after their parent
(the order before its shipment, inspection, invoice or request; the contract before its change); several rows of one
table in pk order. Every service follows it, so two writers never wait on each other in opposite order.

A deadlock or serialization failure (PostgreSQL 40P01 / 40001) that still happens is a bug, never a 500: the outermost
kernel call (`transition`, the approvals engine, the withdraw services) runs its transaction again once, then answers
409 with `Conflict`; the API exception handler and the HTML middleware map any that escape to the same 409.
"""

from __future__ import annotations

import functools
import logging
import zlib

from django.db import connection
from django.db.utils import OperationalError
from django.utils.translation import gettext as _
from psycopg2 import errorcodes

from .errors import Conflict

logger = logging.getLogger(__name__)

LOCK_CONFLICT_CODES = frozenset({errorcodes.DEADLOCK_DETECTED, errorcodes.SERIALIZATION_FAILURE})


def advisory_lock(space: str, key: str) -> None:
    """Wait for the other transactions working on `key` of `space` (PostgreSQL: a transaction advisory lock, held until
    commit or rollback; SQLite lets one writer at a time anyway). For what a row lock cannot hold because the row does
    not exist yet: two customer files of one name, a year target and its quarter created at the same moment. Taken
    before the row locks of the same work, so it adds no second order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_lock_int(space), _lock_int(key)])


def _lock_int(text: str) -> int:
    return zlib.crc32(text.encode()) - 2**31  # a signed 32-bit int, as pg_advisory_xact_lock(int, int) takes


def is_lock_conflict(exc: BaseException) -> bool:
    """Is `exc` a deadlock or serialization failure reported by PostgreSQL?"""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    return getattr(cause, "pgcode", None) in LOCK_CONFLICT_CODES or getattr(exc, "pgcode", None) in LOCK_CONFLICT_CODES


def lock_conflict() -> Conflict:
    """The 409 a user gets when their action collided with another one on the same rows."""
    return Conflict(_("操作冲突：其他人正在同时处理该单据，请刷新页面后重试。"))


def retry_on_lock_conflict(fn):
    """Run `fn` (which opens its own transaction) again once after a deadlock/serialization failure, then answer 409.

    Inside an outer transaction the failure is left to the outermost call: the whole transaction is aborted and only
    that call can run it again.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if connection.in_atomic_block:
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            logger.warning("lock conflict in %s, running it again once", fn.__qualname__, exc_info=True)
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            logger.warning("lock conflict in %s again, answering 409", fn.__qualname__, exc_info=True)
            raise lock_conflict() from exc

    return wrapper
