"""The home page (工作台) of QC and of corrective actions' owners (friction QA, session 14): QC's complaints to investigate
and actions to verify, and anyone's own open corrective actions, each with its count, first rows and a link to its list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import CorrectiveAction
from aftersales.services import complaints as svc
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(cast):
    return CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")


def under_actions(cast, customer, owner, days=5):
    c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
    c = svc.complaint_investigate(complaint=c, actor=cast.qc)
    c = svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    action = svc.action_add(
        complaint=c,
        actor=cast.qc,
        kind="corrective",
        description="召回更换密封圈",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=days),
    )
    return c, action


def home(client_as, user) -> str:
    page = client_as(user).get(reverse("dashboard"))
    assert page.status_code == 200
    return page.content.decode()


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</ul>", start)]


def test_qc_sees_complaints_to_investigate_and_actions_to_verify(cast, client_as, customer):
    """Given a registered complaint and one whose action its owner finished, QC's home shows each in its queue with its
    count, and links to the complaint list filtered to the same rows."""
    fresh = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "噪音大"})
    verifying, action = under_actions(cast, customer, cast.rev_production)
    svc.action_finish(action=action, actor=cast.rev_production, result="已更换")
    untouched, _open = under_actions(cast, customer, cast.rev_production)
    html = home(client_as, cast.qc)
    assert 'data-testid="qc-complaints"' in html
    investigate, verify = section(html, "qc-to_investigate"), section(html, "qc-to_verify")
    assert fresh.number in investigate and verifying.number not in investigate
    assert verifying.number in verify and untouched.number not in verify and fresh.number not in verify
    assert re.search(r'data-testid="qc-to_investigate-count">1<', html) and re.search(
        r'data-testid="qc-to_verify-count">1<', html
    )
    for queue, expected in (("to_investigate", fresh), ("to_verify", verifying)):
        link = f"{reverse('aftersales:complaint_list')}?queue={queue}"
        assert f'href="{link}"' in html
        listed = client_as(cast.qc).get(link).context["page"]
        assert [c.pk for c in listed] == [expected.pk]


def test_an_empty_queue_shows_zero_to_qc_and_nobody_else_gets_the_qc_card(cast, client_as, customer):
    svc.complaint_create(actor=cast.service, customer=customer, data={"description": "噪音大"})
    html = home(client_as, cast.qc)
    assert re.search(r'data-testid="qc-to_verify-count">0<', html)
    for user in (cast.service, cast.alice, cast.manager, cast.warehouse, cast.rev_production):
        assert 'data-testid="qc-complaints"' not in home(client_as, user), user.username


def test_an_actions_owner_sees_their_open_actions_on_the_home_page(cast, client_as, customer):
    """rev_production, given a corrective action (overdue), finds it on the home page leading to the complaint and to
    我的整改措施; another user with none sees no such card; once finished it leaves."""
    c, action = under_actions(cast, customer, cast.rev_production)
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    html = home(client_as, cast.rev_production)
    card = section(html, "my-actions")
    assert c.number in card and "已逾期" in card
    assert re.search(r'data-testid="my-actions-count">1<', html)
    assert f'href="{reverse("aftersales:my_actions")}"' in html
    assert f'href="{reverse("aftersales:complaint_detail", args=[c.pk])}"' in card
    assert client_as(cast.rev_production).get(reverse("aftersales:complaint_detail", args=[c.pk])).status_code == 200
    assert 'data-testid="my-actions"' not in home(client_as, cast.rev_quality)
    assert 'data-testid="my-actions"' not in home(client_as, cast.qc)  # QC's own list is empty here
    svc.action_finish(action=action, actor=cast.rev_production, result="已更换")
    assert 'data-testid="my-actions"' not in home(client_as, cast.rev_production)
