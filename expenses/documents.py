"""The printed expense claim (费用报销单): the A4 form finance files with the receipts pasted behind it — the lines, the
amount in figures and in capitals (大写), and who claimed, checked, approved and paid it, with the dates.

Rendered by WeasyPrint from templates/expenses/print/claim.html with the letterhead and styles of every document
(salesops.core.documents.render_pdf). It prints as formal once approved; before that it carries 草稿 (a draft or a claim
sent back) or 未审核 (being checked or approved), and a withdrawn claim is not printed at all (claim_watermark).
Nothing here writes to the database; callers fetch the claim through expenses.selectors first.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core import approvals
from salesops.core.documents import Watermark, company, render_pdf

from . import rules
from .models import ExpenseClaim

S = ExpenseClaim.Status
MARKS = {
    S.DRAFT: Watermark.DRAFT,
    S.RETURNED: Watermark.DRAFT,
    S.SUBMITTED: Watermark.UNAPPROVED,
    S.CHECKED: Watermark.UNAPPROVED,
    S.CANCELLED: Watermark.VOID,
}


def claim_watermark(claim: ExpenseClaim) -> Watermark | str:
    """ "" once approved (or paid); 草稿, 未审核 before; 作废 when withdrawn."""
    return MARKS.get(claim.status, "")


def claim_context(claim: ExpenseClaim) -> dict:
    return {
        "company": company(),
        "claim": claim,
        "lines": list(claim.lines.all()),
        "approvers": approvals.last_decisions(claim, rules.KIND),
        "printed_at": timezone.localtime(),
    }


def claim_pdf(claim: ExpenseClaim) -> bytes:
    """The 费用报销单 as an A4 PDF."""
    return render_pdf("expenses/print/claim.html", claim_context(claim), watermark=claim_watermark(claim), document=_("报销单"))


def claim_filename(claim: ExpenseClaim) -> str:
    """报销单-BX-202612-0001.pdf"""
    return f"{_('报销单')}-{claim.number}.pdf"
