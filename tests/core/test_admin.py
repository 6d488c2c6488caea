"""Admin of the kernel: organisation and thresholds are editable; sequences, events, notifications and approvals are read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.models import ApprovalRequest, Threshold
from salesops.core.numbering import next_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast, client_as):
    return client_as(cast.admin)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/core/department/",
        "/admin/core/team/",
        "/admin/core/threshold/",
        "/admin/core/documentsequence/",
        "/admin/core/event/",
        "/admin/core/attachment/",
        "/admin/core/notification/",
        "/admin/core/approvalrequest/",
        "/admin/auth/user/",
    ],
)
def test_every_kernel_list_opens(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_the_user_page_edits_the_staff_profile_inline(cast, admin_client):
    html = admin_client.get(f"/admin/auth/user/{cast.alice.pk}/change/").content.decode()
    assert 'name="profile-0-team"' in html and 'name="profile-0-may_quote"' in html
    assert "华东组" in admin_client.get("/admin/auth/user/").content.decode()


def test_thresholds_are_edited_in_the_list(cast, admin_client):
    rows = list(Threshold.objects.order_by("code"))
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "1"}
    for i, t in enumerate(rows):
        data[f"form-{i}-id"] = t.pk
        data[f"form-{i}-value"] = "12" if t.code == "approval_overdue_hours" else t.value
    r = admin_client.post("/admin/core/threshold/", data)
    assert r.status_code == 302
    assert Threshold.objects.get(code="approval_overdue_hours").value == Decimal("12")


def test_support_views_are_read_only(cast, admin_client):
    next_number("QT")
    request = approvals.approval_start(
        target=cast.east,
        kind="admin_test",
        steps=[StepSpec(code="m", label="经理审批", stage=1, role="sales_manager")],
        actor=cast.alice,
        title="x",
    )
    assert admin_client.get("/admin/core/documentsequence/add/").status_code == 403
    assert admin_client.get("/admin/core/approvalrequest/add/").status_code == 403
    page = admin_client.get(f"/admin/core/approvalrequest/{request.pk}/change/")
    assert page.status_code == 200 and "经理审批" in page.content.decode() and 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"/admin/core/approvalrequest/{request.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApprovalRequest.objects.filter(pk=request.pk).exists()


def test_a_sales_rep_has_no_admin(cast, client_as):
    r = client_as(cast.alice).get("/admin/core/threshold/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    assert get_user_model().objects.get(pk=cast.alice.pk).is_staff is False


def test_the_admin_says_salesops_and_speaks_chinese_for_login_protection(cast, client_as):
    cast.admin.is_superuser = True
    cast.admin.save()
    html = client_as(cast.admin).get("/admin/").content.decode()
    assert "salesops 系统设置" in html and "Django 管理" not in html
    assert "登录保护" in html and "登录尝试" in html and "access attempts" not in html.lower()
