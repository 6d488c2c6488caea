"""In a real browser, as every kind of demo user: each link of the menu and of the home page opens (200, never 403)
(issue 13, item 1). The server-side menu test (tests/core/test_navigation.py) covers every demo user; this one clicks
through the rendered page, dropdowns included."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLES = ["alice", "lena", "clerk", "manager", "gm", "finance", "warehouse", "qc", "service", "rev_technical"]
SKIP = ("/static/", "/media/", "/admin/", "/api/", "/i18n/", "/accounts/logout", "#")


def test_every_link_of_the_menu_and_the_home_page_opens_for_every_role(page_as, live_server):
    """The links are read from the page as the browser shows it; each is then opened as that user through Django's
    test client (the same views, middleware and session as over HTTP, without the round trips through the browser)."""
    call_command("seed_demo", stdout=StringIO())
    refused = []
    for username in ROLES:
        page = page_as(username, password="demo12345")
        hrefs = page.eval_on_selector_all("nav a[href], main a[href]", "links => links.map(a => a.getAttribute('href'))")
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for href in sorted({h for h in hrefs if h and h.startswith("/") and not h.startswith(SKIP)}):
            status = client.get(href).status_code
            if status != 200:
                refused.append((username, href, status))
    assert refused == []


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_menu_fits_a_1366_pixel_screen_on_one_line_in_either_language(browser, live_server, locale):
    """An office laptop's 1366 pixels: the menu stays on one line and nothing reaches past the screen's edge, in Chinese
    and in English (whose labels are longer), for the roles with the most menus and a long name; narrower, the
    right-hand group wraps under it rather than past the edge."""
    call_command("seed_demo", stdout=StringIO())
    measured = []
    for username in ("admin", "manager", "finance"):
        for width in (1366, 1100):
            context = browser.new_context(locale=locale, viewport={"width": width, "height": 800})
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "demo12345")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            # a manager always has approvals waiting and unread notifications: their badges at two digits
            page.evaluate("document.querySelectorAll('nav.navbar .badge').forEach(b => { b.textContent = '99'; })")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
            measured.append((username, width, scroll, height))
            context.close()
    assert [m for m in measured if m[2] > m[1]] == []  # nothing past the edge
    assert [m for m in measured if m[1] == 1366 and m[3] > 70] == []  # one line at 1366
