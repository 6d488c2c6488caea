"""In a real browser: a rep whose password the administrator set signs in and is held on 修改密码 until she sets her
own (a mistyped repeat refused), then edits her profile and makes an API token; later, having forgotten the password,
she asks for the e-mail from the login page and sets a new one through its link."""

import re

import pytest

from salesops.core.accounts import password_set_by_admin
from salesops.core.models import OutboxMessage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN = ".modal.show"
NEW, NEWER = "Qiu-2026-hua!", "Dong-2027-xue!"


def sign_in(page, url, username, password):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_a_rep_sets_her_own_password_edits_her_profile_and_resets_a_forgotten_one(cast, browser, live_server):
    cast.alice.set_password("Init-2026-pw!")
    cast.alice.save()
    password_set_by_admin(user=cast.alice)
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15000)

    # signed in with the administrator's password, she lands on 修改密码, whatever she opens
    sign_in(page, live_server.url, "alice", "Init-2026-pw!")
    assert "/accounts/password/" in page.url
    assert "请先设置您自己的新密码" in page.locator("[data-testid=form-intro]").inner_text()
    page.goto(f"{live_server.url}/customers/")
    assert "/accounts/password/" in page.url
    page.fill("#id_old_password", "Init-2026-pw!")
    page.fill("#id_new_password", NEW)
    page.fill("#id_new_password2", NEW + "x")
    with page.expect_navigation():
        page.click("[data-testid=form-submit]")
    assert "两次输入的新密码不一致。" in page.locator("body").inner_text()
    page.fill("#id_old_password", "Init-2026-pw!")
    page.fill("#id_new_password", NEW)
    page.fill("#id_new_password2", NEW)
    with page.expect_navigation():
        page.click("[data-testid=form-submit]")
    assert page.url.endswith("/customers/")
    assert "密码已修改" in page.locator("#messages").inner_text()

    # her profile, from the user menu: a phone number, then an API token, shown once
    page.click("[data-testid=user-menu]")
    with page.expect_navigation():
        page.click("[data-testid=nav-account]")
    page.fill("#id_phone", "13800138000")
    with page.expect_navigation():
        page.click("[data-testid=account-form] [data-testid=form-submit]")
    assert "个人资料已保存。" in page.locator("#messages").inner_text()
    assert page.locator("#id_phone").input_value() == "13800138000"
    with page.expect_navigation():
        page.click("[data-testid=token-issue]")
    key = re.search(r"[0-9a-f]{40}", page.locator("#messages").inner_text()).group(0)
    assert page.locator("[data-testid=token-masked]").inner_text() == f"{key[:4]}…{key[-4:]}"
    page.click("[data-testid=token-revoke]")
    with page.expect_navigation():
        page.click(f"{OPEN} [data-testid=confirm-submit]")
    assert page.locator("[data-testid=token-none]").is_visible()
    page.click("[data-testid=user-menu]")
    with page.expect_navigation():
        page.click("text=退出登录")

    # forgotten: the login page's link, her e-mail, the link from the e-mail, a new password
    with page.expect_navigation():
        page.click("[data-testid=password-forgotten]")
    page.fill("#id_email", "alice@example.com")
    with page.expect_navigation():
        page.click("[data-testid=form-submit]")
    assert "重设密码的邮件已经发出" in page.locator("#messages").inner_text()
    body = OutboxMessage.objects.filter(subject="salesops 重设密码").latest("pk").body
    path = re.search(r"/accounts/password/reset/\S+/", body).group(0)
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_new_password", NEWER)
    page.fill("#id_new_password2", NEWER)
    with page.expect_navigation():
        page.click("[data-testid=form-submit]")
    assert "密码已重设，请用新密码登录。" in page.locator("#messages").inner_text()
    sign_in(page, live_server.url, "alice", NEWER)
    assert page.url == f"{live_server.url}/"
