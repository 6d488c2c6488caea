"""No menu item or home-page link leads a user to a 403: every demo role opens every link it is shown (issue 13, item 1)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from salesops.core.navigation import menu_for

HREF = re.compile(r'href="(/[^"#]*)"')
# links that are not pages: downloads, language switch, logout, static files, the admin and the API documentation
NOT_PAGES = ("/static/", "/media/", "/admin/", "/api/", "/i18n/", "/accounts/logout")


def links_on(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html) if not h.startswith(NOT_PAGES)}


@pytest.fixture
def demo(demo_data, db):
    return get_user_model().objects.filter(is_active=True).order_by("username")


def test_every_link_a_demo_user_is_shown_opens(demo):
    refused = []
    for user in demo:
        client = Client()
        client.force_login(user)
        home = client.get(reverse("dashboard"))
        assert home.status_code == 200, user.username
        for url in sorted(links_on(home.content.decode())):
            status = client.get(url).status_code
            if status != 200:
                refused.append((user.username, url, status))
    assert refused == []


def test_each_role_sees_its_own_work_first(demo):
    users = {u.username: u for u in demo}
    first = {
        name: menu_for(users[name])[0].key for name in ("alice", "clerk", "finance", "warehouse", "service", "rev_technical")
    }
    assert first == {
        "alice": "customers",
        "clerk": "orders",
        "finance": "orders",
        "warehouse": "orders",
        "service": "aftersales",
        "rev_technical": "contracts",
    }


def test_menus_offer_only_what_the_role_may_open(demo):
    users = {u.username: u for u in demo}

    def testids(name):
        return {link.testid for entry in menu_for(users[name]) for link in entry.links}

    assert not {"nav-finance-queue", "nav-warehouse-queue", "nav-clerk-queue"} & testids("alice")
    assert "nav-quotation-create" not in testids("gm")
    assert "nav-quotation-create" in testids("alice")  # alice is granted the right to quote
    assert {"nav-warehouse-queue"} <= testids("warehouse")
    assert not {"nav-visit-plans", "nav-followups", "nav-payments"} & testids("warehouse")
    assert "nav-service-desk" in testids("service") and "nav-service-desk" not in testids("alice")
    # a reviewer's 售后 holds only 我的整改措施 (QC may give anyone a corrective action to carry out)
    assert {l.testid for e in menu_for(users["rev_technical"]) if e.key == "aftersales" for l in e.links} == {"nav-my-actions"}


def test_each_roles_home_shows_its_own_work_and_not_a_reps_tiles(demo, client_as):
    users = {u.username: u for u in demo}

    def home(name):
        return client_as(users[name]).get(reverse("dashboard")).content.decode()

    rep = home("alice")
    assert 'data-testid="todo-followups"' in rep and 'data-testid="my-documents"' in rep
    for name, queue in (("warehouse", "work-warehouse"), ("service", "work-service"), ("clerk", "work-clerk")):
        page = home(name)
        assert f'data-testid="{queue}"' in page, name
        if name != "clerk":
            assert 'data-testid="todo-followups"' not in page and 'data-testid="my-documents"' not in page, name
    gm = home("gm")
    assert 'data-testid="todo-visits"' in gm or 'data-testid="figures-link"' in gm
    # the work queue comes before the tiles
    clerk = home("clerk")
    assert clerk.index('data-testid="work-clerk"') < clerk.index('data-testid="todo-approvals"')
