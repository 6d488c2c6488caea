"""The printed sales plan (销售计划书 PDF): what is filed and signed — marked until approved, not printed once withdrawn,
read only by whoever reads the plan."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans import documents
from plans import services as svc
from salesops.core.documents import Watermark
from tests.factories import CustomerFactory
from tests.orders.test_outbound_note import pdf_text

from .test_plans import decide, drafted, line, submitted

pytestmark = pytest.mark.django_db


def test_the_approved_plan_prints_its_texts_lines_amount_in_words_and_who_approved_it(cast, client_as, settings):
    key = CustomerFactory(owner=cast.alice, name="苏州恒通机电")
    plan = decide(
        submitted(cast.alice, line(key, "45000", measures="月中发货"), line(None, "5000.50", item="新客户开发")),
        cast.manager,
        comment="同意",
    )

    response = client_as(cast.manager).get(reverse("plans:plan_pdf", args=[plan.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f"{plan.number}.pdf")
    text = pdf_text(response.content)
    for expected in (
        settings.COMPANY_NAME,
        "销售计划书",
        plan.number,
        "2027年1月",
        "个人销售计划",
        "年底集中采购",
        "重点客户每周拜访",
        "苏州恒通机电",
        "月中发货",
        "新客户开发",
        "50,000.50",
        "伍万元伍角整",
        "销售部经理审批：manager",
    ):
        assert expected in text, expected
    assert "未审核" not in text and "草稿" not in text


def test_a_plan_not_yet_approved_is_marked_and_a_withdrawn_one_is_not_printed(cast, client_as):
    draft = drafted(cast.alice)
    assert documents.plan_watermark(draft) == Watermark.DRAFT
    assert "草稿" in pdf_text(client_as(cast.alice).get(reverse("plans:plan_pdf", args=[draft.pk])).content)
    waiting = submitted(cast.bob)
    assert documents.plan_watermark(waiting) == Watermark.UNAPPROVED
    page = client_as(cast.manager).get(waiting.get_absolute_url()).content.decode()
    assert 'data-testid="download-pdf"' in page and 'data-testid="download-mark"' in page

    withdrawn = svc.plan_cancel(plan=draft, actor=cast.alice)
    assert client_as(cast.alice).get(reverse("plans:plan_pdf", args=[withdrawn.pk])).status_code == 409
    assert 'data-testid="download-pdf"' not in client_as(cast.alice).get(withdrawn.get_absolute_url()).content.decode()
    assert client_as(cast.carol).get(reverse("plans:plan_pdf", args=[waiting.pk])).status_code == 404
