"""The printed sales plan (销售计划书): the A4 form the plan is filed and signed on — whose plan for when, the target and
the planned total, the market analysis, the strategy and measures, the lines, and who wrote and who approved it.

Rendered by WeasyPrint from templates/plans/print/plan.html with the letterhead and styles of every document
(salesops.core.documents.render_pdf). It prints as formal once approved; before that it carries 草稿 (a draft or a plan
sent back) or 未审核 (with the approvers), and a withdrawn plan is not printed at all (plan_watermark). Nothing here
writes to the database; callers fetch the plan through plans.selectors first.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core import approvals
from salesops.core.documents import Watermark, company, render_pdf

from . import rules
from .models import SalesPlan

S = SalesPlan.Status
MARKS = {S.DRAFT: Watermark.DRAFT, S.RETURNED: Watermark.DRAFT, S.SUBMITTED: Watermark.UNAPPROVED, S.CANCELLED: Watermark.VOID}


def plan_watermark(plan: SalesPlan) -> Watermark | str:
    """ "" once approved; 草稿, 未审核 before; 作废 when withdrawn."""
    return MARKS.get(plan.status, "")


def plan_pdf(plan: SalesPlan) -> bytes:
    """The 销售计划书 as an A4 PDF."""
    context = {
        "company": company(),
        "plan": plan,
        "lines": list(plan.lines.select_related("customer")),
        "approvers": approvals.last_decisions(plan, rules.KIND),
        "printed_at": timezone.localtime(),
    }
    return render_pdf("plans/print/plan.html", context, watermark=plan_watermark(plan), document=_("销售计划"))


def plan_filename(plan: SalesPlan) -> str:
    """销售计划-XSJH-202612-0001.pdf"""
    return f"{_('销售计划')}-{plan.number}.pdf"
