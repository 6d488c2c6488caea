"""Every write of quotations and contracts (SPEC.md "Quotation", "Contract and its review"; ARCHITECTURE.md rules 1–3).

Pages, the API, admin and tasks call these functions; they check the actor's right (contracts.permissions), lock the row,
check the state, change it, write the timeline in the same transaction and notify after commit. Routes and
classification come from rules.py; thresholds and discount limits are data (salesops.core.thresholds, catalog.DiscountLimit).

One module per action family: quotations.py, contracts.py, changes.py (change requests); lines.py builds and prices the
lines both documents (and orders) share; common.py holds the checks the families share. The public names are re-exported
here, so callers write `from contracts import services` / `from contracts.services import build_lines`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from salesops.core import approvals

from .. import selectors
from .changes import (
    CHANGE_KIND,
    ChangeOutcome,
    change_review_outcome,
    contract_change_preview,
    contract_change_request,
    contract_change_withdraw,
    contract_snapshot,
    lock_contract_and_change,
)
from .common import documents_follow_the_customer, lock_document
from .contracts import (
    CONTRACT_FIELDS,
    CONTRACT_KIND,
    REVIEW_FIELDS,
    contract_activate,
    contract_cancel,
    contract_complete,
    contract_create,
    contract_create_from_quotation,
    contract_review_outcome,
    contract_review_update,
    contract_sign,
    contract_submit,
    contract_terminate,
    contract_update,
    contract_upgrade,
    contract_withdraw,
)
from .lines import LINE_FIELDS, build_lines, discount_rate_of, price_line
from .quotations import (
    QUOTATION_FIELDS,
    QUOTATION_KIND,
    quotation_accept,
    quotation_cancel,
    quotation_create,
    quotation_reject,
    quotation_review_outcome,
    quotation_revise,
    quotation_send,
    quotation_submit,
    quotation_update,
    quotation_withdraw,
    quotations_expire,
)

__all__ = [
    "CHANGE_KIND",
    "CONTRACT_FIELDS",
    "CONTRACT_KIND",
    "LINE_FIELDS",
    "QUOTATION_FIELDS",
    "QUOTATION_KIND",
    "REVIEW_FIELDS",
    "ChangeOutcome",
    "approvals",
    "build_lines",
    "contract_activate",
    "contract_cancel",
    "contract_change_preview",
    "contract_change_request",
    "contract_change_withdraw",
    "contract_complete",
    "contract_create",
    "contract_create_from_quotation",
    "contract_review_update",
    "contract_sign",
    "contract_snapshot",
    "contract_submit",
    "contract_terminate",
    "contract_update",
    "contract_upgrade",
    "contract_withdraw",
    "discount_rate_of",
    "documents_follow_the_customer",
    "price_line",
    "quotation_accept",
    "quotation_cancel",
    "quotation_create",
    "quotation_reject",
    "quotation_revise",
    "quotation_send",
    "quotation_submit",
    "quotation_update",
    "quotation_withdraw",
    "quotations_expire",
    "register_handlers",
]


def register_handlers() -> None:
    """Called from AppConfig.ready: what the approvals engine does to our documents when a round ends."""
    summary = selectors.approval_summary
    approvals.register_outcome_handler(
        QUOTATION_KIND, quotation_review_outcome, label=gettext_lazy("报价审核"), locker=lock_document, summary=summary
    )
    approvals.register_outcome_handler(
        CONTRACT_KIND, contract_review_outcome, label=gettext_lazy("合同评审"), locker=lock_document, summary=summary
    )
    approvals.register_outcome_handler(
        CHANGE_KIND,
        change_review_outcome,
        label=gettext_lazy("合同变更评审"),
        locker=lock_contract_and_change,
        summary=summary,
    )
