"""Playwright with Debian's Chromium (/usr/bin/chromium); Playwright's own browser download does not work on these machines."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One Chromium per test process (starting Playwright and a browser costs ~3 s): each test opens its own context
    (cookies, storage) in it. The browser tests run last on every process (tests/conftest.py), so Playwright's event
    loop, which stays open in this thread while the browser runs, is never under another test.

    Once Playwright runs, Django hands this thread new database connection objects (its connection handler keeps them
    per context, and the context is not the one the test database was set up in): the new default connection is given
    the database's serialized contents, which `serialized_rollback` restores before each browser test, and every
    connection is closed before Playwright stops, so that the test database can be dropped."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs it with apt-get install -y chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        yield b
        connections.close_all()
        b.close()


@pytest.fixture
def page_as(browser, live_server):
    """A browser page logged in through the real login form."""
    pages = []

    def login(username, password="pass12345"):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        pages.append(context)
        return page

    yield login
    for c in pages:
        c.close()
