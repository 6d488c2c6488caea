"""Playwright with Debian's Chromium (/usr/bin/chromium); Playwright's own browser download does not work on these machines."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs it with apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

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
        yield b
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
