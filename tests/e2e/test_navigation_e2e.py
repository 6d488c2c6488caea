"""In a real browser, as every kind of demo user: each link of the menu and of the home page opens (200, never 403)
(issue 13, item 1). The server-side menu test (tests/core/test_navigation.py) covers every demo user; this one clicks
through the rendered page, dropdowns included."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLES = ["alice", "lena", "clerk", "manager", "gm", "finance", "warehouse", "qc", "service", "rev_technical"]
SKIP = ("/static/", "/media/", "/admin/", "/api/", "/i18n/", "/accounts/logout", "#")


def test_every_link_of_the_menu_and_the_home_page_opens_for_every_role(page_as, live_server):
    call_command("seed_demo", stdout=StringIO())
    refused = []
    for username in ROLES:
        page = page_as(username, password="demo12345")
        hrefs = page.eval_on_selector_all("nav a[href], main a[href]", "links => links.map(a => a.getAttribute('href'))")
        for href in sorted({h for h in hrefs if h and h.startswith("/") and not h.startswith(SKIP)}):
            status = page.request.get(f"{live_server.url}{href}").status
            if status != 200:
                refused.append((username, href, status))
    assert refused == []
