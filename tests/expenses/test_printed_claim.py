"""The printed expense claim (费用报销单 PDF): what finance files with the receipts — marked until approved, not printed
once withdrawn, read only by whoever reads the claim."""

from __future__ import annotations

import pytest
from django.urls import reverse

from expenses import documents
from expenses import services as svc
from salesops.core.documents import Watermark
from tests.expenses.test_claims import decide, drafted, line, submitted
from tests.orders.test_outbound_note import pdf_text

pytestmark = pytest.mark.django_db


def test_the_paid_claim_prints_its_lines_the_amount_in_words_and_everyone_who_signed_it(cast, client_as, settings):
    claim = svc.claim_verify(claim=submitted(cast.alice, line(amount="286"), line(amount="95.50")), actor=cast.clerk)
    claim = svc.claim_pay(claim=decide(claim, cast.manager, comment="同意"), actor=cast.finance, reference="记-2026-77")

    response = client_as(cast.finance).get(reverse("expenses:claim_pdf", args=[claim.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f"{claim.number}.pdf")
    text = pdf_text(response.content)
    for expected in (
        settings.COMPANY_NAME,
        "费用报销单",
        claim.number,
        "客户拜访差旅",
        "381.50",
        "叁佰捌拾壹元伍角整",
        "内勤审核",
        "clerk",
        "销售部经理审批：manager",
        "记-2026-77",
        "票据粘贴处",
    ):
        assert expected in text, expected
    assert "未审核" not in text and "草稿" not in text
    assert settings.COMPANY_TAX_ID not in text  # the short letterhead: an internal form


def test_a_claim_not_yet_approved_is_marked_and_a_withdrawn_one_is_not_printed(cast, client_as):
    draft = drafted(cast.alice)
    assert documents.claim_watermark(draft) == Watermark.DRAFT
    assert "草稿" in pdf_text(client_as(cast.alice).get(reverse("expenses:claim_pdf", args=[draft.pk])).content)
    waiting = submitted(cast.bob)
    assert documents.claim_watermark(waiting) == Watermark.UNAPPROVED
    page = client_as(cast.clerk).get(waiting.get_absolute_url()).content.decode()
    assert 'data-testid="download-pdf"' in page and 'data-testid="download-mark"' in page

    withdrawn = svc.claim_cancel(claim=draft, actor=cast.alice)
    assert client_as(cast.alice).get(reverse("expenses:claim_pdf", args=[withdrawn.pk])).status_code == 409
    assert 'data-testid="download-pdf"' not in client_as(cast.alice).get(withdrawn.get_absolute_url()).content.decode()
    assert client_as(cast.carol).get(reverse("expenses:claim_pdf", args=[waiting.pk])).status_code == 404
