"""What every printed document shares: the letterhead, the PDF renderer, the download response and the watermark.

A document that is not formal (a draft, one still in review, a voided one, an outbound note not yet released) must never
look formal: each app's documents module has ONE function per document kind deciding its `Watermark` from the status
(contracts.documents.quotation_watermark, contract_watermark; orders.documents.outbound_note_watermark), and everything
printed from it carries that mark — a large rotated text on every PDF page and a red banner plus header/footer in Excel.
A VOID document has no download at all (`require_printable`: 409 with the reason).

The PDFs are rendered by WeasyPrint from templates/*/print/*.html; their CSS names the Noto CJK fonts (Debian package
fonts-noto-cjk), without which the Chinese glyphs silently vanish from the PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Watermark(models.TextChoices):
    """The mark a non-formal document carries; the label is the text printed across the page."""

    DRAFT = "draft", gettext_lazy("草稿")
    UNAPPROVED = "unapproved", gettext_lazy("未审核")
    UNRELEASED = "unreleased", gettext_lazy("未放行")
    REJECTED = "rejected", gettext_lazy("已拒绝")
    EXPIRED = "expired", gettext_lazy("已过期")
    SUPERSEDED = "superseded", gettext_lazy("旧版本")
    TERMINATED = "terminated", gettext_lazy("已终止")
    VOID = "void", gettext_lazy("作废")


# Why the document is not formal; %(document)s is the kind of document (报价, 合同, 出货单).
_NOTICES = {
    Watermark.DRAFT: gettext_lazy("未经审核，不作为正式%(document)s"),
    Watermark.UNAPPROVED: gettext_lazy("审核尚未完成，不作为正式%(document)s"),
    Watermark.UNRELEASED: gettext_lazy("尚未放行，不得凭此%(document)s发货"),
    Watermark.REJECTED: gettext_lazy("客户已拒绝，本%(document)s不再有效"),
    Watermark.EXPIRED: gettext_lazy("已超过有效期，本%(document)s不再有效"),
    Watermark.SUPERSEDED: gettext_lazy("已被新版本取代，以最新版本为准"),
    Watermark.TERMINATED: gettext_lazy("已提前终止，仅供存档"),
    Watermark.VOID: gettext_lazy("本%(document)s已作废，不再有效"),
}


def watermark_notice(mark: Watermark | str, document: str) -> str:
    """The one sentence printed with the mark: "草稿 — 未经审核，不作为正式报价"; "" for a formal document."""
    if not mark:
        return ""
    mark = Watermark(mark)
    return f"{mark.label} — {_NOTICES[mark] % {'document': document}}"


def require_printable(mark: Watermark | str, document: str) -> None:
    """A voided document offers no download, not even a marked copy: 409 with the reason. Nothing voided ever reached the
    customer as a binding document (quotations are voided as drafts, contracts before signing, outbound notes before
    shipping), and the page keeps its content, the reason and the history."""
    if mark == Watermark.VOID:
        raise Conflict(
            _("该%(document)s已作废，不能下载正式文件；作废原因和历史记录见页面。") % {"document": document},
            code="document_void",
        )


def company() -> dict[str, str]:
    """The letterhead of every document (settings COMPANY_*)."""
    return {
        "name": settings.COMPANY_NAME,
        "address": settings.COMPANY_ADDRESS,
        "phone": settings.COMPANY_PHONE,
        "bank": settings.COMPANY_BANK,
        "tax_id": settings.COMPANY_TAX_ID,
    }


def render_pdf(template: str, context: dict, *, watermark: Watermark | str, document: str) -> bytes:
    """Render `template` to an A4 PDF; a non-empty `watermark` is printed across every page with its notice in the header
    (templates/contracts/print/_watermark.html, included by every print template)."""
    # Imported here: WeasyPrint loads Pango/Cairo at import, which pages that never print should not pay for.
    from weasyprint import HTML

    context = {
        **context,
        "watermark": Watermark(watermark).label if watermark else "",
        "watermark_notice": watermark_notice(watermark, document),
    }
    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download response for a generated document."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Content-Length"] = str(len(content))
    # Documents carry prices: never store them in shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
