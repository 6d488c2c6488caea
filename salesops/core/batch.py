"""批量: one action done to many documents at once — 批量同意 in 待我审批 (core.approvals.approval_decide_many), 批量确认到账
on finance's work page (orders.services.payments_confirm_many).

Each document is acted on by the action's own service call, in its own transaction (its lock order, its checks, its
effects), so one that is refused stays exactly as it was and does not undo the others; the caller hears what became of
each, in the order given (`each`). Call it outside a transaction (a page, the API): inside one, each document would be
only a savepoint and a deadlock would not be run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from .errors import DomainError, NotFound

logger = logging.getLogger(__name__)

MAX = 100  # the most documents one batch acts on (a page shows up to 200: the rest in a second batch)


@dataclass(frozen=True)
class Outcome:
    """What became of one document of a batch: `done`, or why not — `detail` in the reader's language and `code` its
    kind as the API names errors (conflict, forbidden, not_found, invalid, error); `title` names the document, only for
    a reader who may know of it ("" otherwise)."""

    pk: int
    done: bool
    detail: str = ""
    code: str = ""
    title: str = ""


def ids_of(raw: Iterable | None, *, field: str, invalid: str, empty: str, too_many: str) -> list[int]:
    """The documents of a batch, each once, in the order given (a duplicate counts once). A DomainError on `field`
    saying `invalid` when an id is not a positive whole number in ASCII digits, `empty` when there is none, `too_many`
    (with %(max)d and %(n)d) when there are more than MAX."""
    ids: list[int] = []
    for value in raw or ():
        text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 2**63 - 1:  # a primary key (BigAutoField)
            raise DomainError(invalid, field=field)
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise DomainError(empty, field=field)
    if len(ids) > MAX:
        raise DomainError(too_many % {"max": MAX, "n": len(ids)}, field=field)
    return ids


def each(ids: Iterable[int], act: Callable[[int], object], *, unknown: str, failed: str) -> list[Outcome]:
    """`act(pk)` for every id, each on its own (the service's own transaction): done, refused (its DomainError's message
    and code; `unknown` for a document that does not exist or the actor may not know of, naming nothing), or `failed`
    for an error nobody expected (logged: one document's failure must not hide what became of the others)."""
    outcomes = []
    for pk in ids:
        try:
            act(pk)
        except NotFound:
            outcomes.append(Outcome(pk, False, unknown, NotFound.code))
        except DomainError as e:
            outcomes.append(Outcome(pk, False, str(e), e.code))
        except Exception:
            logger.exception("batch: %s failed for %s", getattr(act, "__name__", act), pk)
            outcomes.append(Outcome(pk, False, failed, "error"))
        else:
            outcomes.append(Outcome(pk, True))
    return outcomes


def summary(outcomes: list[Outcome], *, done: str) -> tuple[int, str]:
    """A page's one message of a batch and its level: `done` (with %(n)d) when every document was done (success);
    otherwise "已同意 N 项；M 项未处理：<单据>：<原因>；…" in `done`'s words (warning when some were done, error when none).
    A document the reader may not know of is named by the number they sent, nothing more."""
    n = sum(1 for o in outcomes if o.done)
    failed = [o for o in outcomes if not o.done]
    if not failed:
        return messages.SUCCESS, done % {"n": n}
    reasons = _("；").join(
        _("%(doc)s：%(reason)s") % {"doc": o.title or f"#{o.pk}", "reason": o.detail.rstrip("。.")} for o in failed
    )
    text = _("%(done)s；%(m)d 项未处理：%(reasons)s。") % {
        "done": (done % {"n": n}).rstrip("。"),
        "m": len(failed),
        "reasons": reasons,
    }
    return (messages.WARNING if n else messages.ERROR), text
