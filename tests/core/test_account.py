"""个人中心 (salesops.core.accounts): the profile, changing the password, 忘记密码 by e-mail (through the outbox), the
password an administrator set or one too old holding the sign-in until the user sets their own, and the API token —
each on the page and through the API."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from salesops.core.models import OutboxMessage, StaffProfile, Threshold

from .test_views import messages_of

pytestmark = pytest.mark.django_db

PROFILE, PASSWORD, FORGOTTEN = "/accounts/profile/", "/accounts/password/", "/accounts/password/forgotten/"
NEW = "Qiu-2026-hua!"  # passes every password validator
User = get_user_model()


def signed_in(username, password="pass12345") -> Client:
    """A browser that signed in on the login page (so the sign-in's checks ran)."""
    client = Client()
    r = client.post("/accounts/login/", {"username": username, "password": password})
    assert r.status_code == 302, r.content.decode()[:300]
    return client


def reset_link() -> str:
    body = OutboxMessage.objects.filter(subject="salesops 重设密码").latest("pk").body
    return re.search(r"http://\S+/accounts/password/reset/\S+/", body).group(0).split("127.0.0.1:8000", 1)[-1]


def fresh(user):
    return User.objects.get(pk=user.pk)


class TestProfile:
    @pytest.mark.parametrize(
        "who",
        ["alice", "lena", "clerk", "manager", "vp", "gm", "finance", "warehouse", "qc", "service", "admin", "rev_technical"],
    )
    def test_every_role_reads_and_edits_only_their_own(self, cast, client_as, who):
        user = getattr(cast, who)
        client = client_as(user)
        r = client.get(PROFILE)
        assert r.status_code == 200
        page = r.content.decode()
        assert f'data-testid="account-username">{user.username}<' in page
        assert 'data-testid="nav-account"' in page and 'data-testid="nav-password"' in page
        # the form has no field naming a user: what it saves is the signed-in user's own
        r = client.post(PROFILE, {"name": "新名字", "email": "new@example.com", "phone": "138", "user": cast.bob.pk})
        assert r.status_code == 302
        assert fresh(user).first_name == "新名字"
        assert fresh(cast.bob).first_name == "bob" or who == "bob"

    def test_saves_name_email_and_phone_and_refuses_bad_input_changing_nothing(self, cast, client_as):
        client = client_as(cast.alice)
        r = client.post(PROFILE, {"name": " 王丽 ", "email": "wangli@example.com", "phone": "13800138000"}, follow=True)
        assert "个人资料已保存。" in messages_of(r)
        alice = fresh(cast.alice)
        assert (alice.get_full_name(), alice.email, alice.profile.phone) == ("王丽", "wangli@example.com", "13800138000")
        r = client.post(PROFILE, {"name": "", "email": "not-an-address", "phone": "1"})
        assert r.status_code == 400
        assert set(r.context["form"].errors) == {"name", "email"}
        alice = fresh(cast.alice)
        assert (alice.get_full_name(), alice.email, alice.profile.phone) == ("王丽", "wangli@example.com", "13800138000")

    def test_api_reads_and_patches_me(self, cast, api_as):
        api = api_as(cast.alice)
        me = api.get("/api/v1/me/").json()
        assert me["username"] == "alice" and me["must_change_password"] is False and me["phone"] == ""
        r = api.patch("/api/v1/me/", {"phone": "021-5555"}, format="json")
        assert r.status_code == 200 and r.json()["phone"] == "021-5555" and r.json()["name"] == "alice"
        r = api.patch("/api/v1/me/", {"email": "bad", "name": ""}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "invalid"
        assert set(r.json()["errors"]) == {"email", "name"}
        assert fresh(cast.alice).email == "alice@example.com"

    def test_notifications_come_by_e_mail_until_the_user_turns_the_copies_off(self, cast, client_as, api_as):
        from salesops.core.models import Notification
        from salesops.core.notifications import notify

        client = client_as(cast.alice)
        assert client.get(PROFILE).context["form"]["email_notifications"].value() is True
        notify(recipients=[cast.alice, cast.bob], title="新客户已分配")
        assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == ["alice@example.com", "bob@example.com"]
        # the box unticked on her profile: notifications still come, their e-mail copies no longer
        client.post(PROFILE, {"name": "alice", "email": "alice@example.com", "phone": ""})
        assert fresh(cast.alice).profile.email_notifications is False
        notify(recipients=[cast.alice, cast.bob], title="合同已批准")
        assert Notification.objects.filter(recipient=cast.alice).count() == 2
        assert OutboxMessage.objects.filter(subject="合同已批准").get().recipient == "bob@example.com"
        # and on again through the API
        r = api_as(cast.alice).patch("/api/v1/me/", {"email_notifications": True}, format="json")
        assert r.status_code == 200 and r.json()["email_notifications"] is True
        notify(recipients=[cast.alice], title="回款已确认")
        assert OutboxMessage.objects.filter(subject="回款已确认", recipient="alice@example.com").exists()

    def test_a_user_without_a_staff_profile_gets_one(self, client_as):
        user = User.objects.create_user("nobody", password="pass12345", first_name="无档案")
        assert client_as(user).get(PROFILE).status_code == 200
        assert StaffProfile.objects.filter(user=user).exists()


class TestPasswordChange:
    def test_the_page_changes_it_keeps_this_browser_and_ends_the_others(self, cast):
        here, elsewhere = signed_in("alice"), signed_in("alice")
        Token.objects.create(user=cast.alice)
        r = here.post(PASSWORD, {"old_password": "pass12345", "new_password": NEW, "new_password2": NEW}, follow=True)
        assert "密码已修改。其他设备上的登录已退出，API 令牌已停用。" in messages_of(r)
        assert fresh(cast.alice).check_password(NEW)
        assert here.get(PROFILE).status_code == 200  # still signed in
        assert elsewhere.get(PROFILE).status_code == 302  # signed out
        assert not Token.objects.filter(user=cast.alice).exists()
        assert fresh(cast.alice).profile.password_changed_at is not None
        notice = OutboxMessage.objects.get(subject="salesops 密码已修改")
        assert notice.recipient == "alice@example.com" and "如果这不是您本人的操作" in notice.body

    @pytest.mark.parametrize(
        "data, field, message",
        [
            ({"old_password": "wrong", "new_password": NEW, "new_password2": NEW}, "old_password", "原密码不正确。"),
            (
                {"old_password": "pass12345", "new_password": NEW, "new_password2": NEW + "x"},
                "new_password2",
                "两次输入的新密码不一致。",
            ),
            (
                {"old_password": "pass12345", "new_password": "pass12345", "new_password2": "pass12345"},
                "new_password",
                "新密码不能与原密码相同。",
            ),
            (
                {"old_password": "pass12345", "new_password": "12345678", "new_password2": "12345678"},
                "new_password",
                "这个密码太常见了。",
            ),
            (
                {"old_password": "pass12345", "new_password": "83920571", "new_password2": "83920571"},
                "new_password",
                "密码只包含数字。",
            ),
            (
                {"old_password": "pass12345", "new_password": "Ab1!", "new_password2": "Ab1!"},
                "new_password",
                "密码太短，至少需要 8 个字符。",
            ),
        ],
    )
    def test_bad_input_says_why_and_changes_nothing(self, cast, client_as, data, field, message):
        r = client_as(cast.alice).post(PASSWORD, data)
        assert r.status_code == 400
        assert message in " ".join(r.context["form"].errors[field])
        assert fresh(cast.alice).check_password("pass12345")
        assert not OutboxMessage.objects.exists()

    def test_the_api_changes_it(self, cast):
        api = APIClient()
        api.force_login(cast.alice)
        r = api.post("/api/v1/me/password/", {"old_password": "wrong", "new_password": NEW}, format="json")
        assert r.status_code == 400 and r.json()["errors"] == {"old_password": ["原密码不正确。"]}
        r = api.post("/api/v1/me/password/", {"old_password": "pass12345", "new_password": "12345678"}, format="json")
        assert r.status_code == 400 and "new_password" in r.json()["errors"]
        assert fresh(cast.alice).check_password("pass12345")
        r = api.post("/api/v1/me/password/", {"old_password": "pass12345", "new_password": NEW}, format="json")
        assert r.status_code == 204 and fresh(cast.alice).check_password(NEW)
        assert api.get("/api/v1/me/").status_code == 200  # the session that changed it stays signed in


class TestPasswordForgotten:
    def test_a_link_by_email_sets_a_new_password_once(self, cast):
        client = Client()
        r = client.post(FORGOTTEN, {"email": "ALICE@example.com"}, follow=True)
        assert "如果 ALICE@example.com 是已登记的邮箱，重设密码的邮件已经发出，请在 24 小时内打开邮件中的链接。" in messages_of(r)
        mail = OutboxMessage.objects.get(subject="salesops 重设密码")
        assert mail.recipient == "alice@example.com" and "24 小时内有效" in mail.body
        link = reset_link()
        assert client.get(link).status_code == 200
        r = client.post(link, {"new_password": NEW, "new_password2": NEW}, follow=True)
        assert "密码已重设，请用新密码登录。" in messages_of(r)
        assert fresh(cast.alice).check_password(NEW)
        signed_in("alice", NEW)
        # used once: the link no longer works
        r = client.get(link)
        assert r.status_code == 400 and "重设密码的链接无效或已过期，请重新申请。" in r.content.decode()
        assert client.post(link, {"new_password": "Other-2026-pw!", "new_password2": "Other-2026-pw!"}).status_code == 400
        assert fresh(cast.alice).check_password(NEW)

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, cast):
        r = Client().post(FORGOTTEN, {"email": "nobody@example.com"}, follow=True)
        assert "如果 nobody@example.com 是已登记的邮箱，重设密码的邮件已经发出，请在 24 小时内打开邮件中的链接。" in messages_of(
            r
        )
        assert not OutboxMessage.objects.exists()
        r = Client().post(FORGOTTEN, {"email": "not an address"})
        assert r.status_code == 400

    def test_asking_again_soon_sends_no_second_mail_and_inactive_users_get_none(self, cast):
        for _ in range(3):
            Client().post(FORGOTTEN, {"email": "alice@example.com"})
        assert OutboxMessage.objects.filter(subject="salesops 重设密码").count() == 1
        User.objects.filter(pk=cast.bob.pk).update(is_active=False)
        Client().post(FORGOTTEN, {"email": "bob@example.com"})
        assert OutboxMessage.objects.filter(subject="salesops 重设密码").count() == 1

    def test_a_reset_lifts_the_sign_in_lockout(self, cast):
        client = Client()
        for _ in range(5):
            client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
        assert client.post("/accounts/login/", {"username": "alice", "password": "pass12345"}).status_code == 429
        Client().post(FORGOTTEN, {"email": "alice@example.com"})
        Client().post(reset_link(), {"new_password": NEW, "new_password2": NEW})
        r = client.post("/accounts/login/", {"username": "alice", "password": NEW})
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast.alice.pk)

    def test_the_api_asks_and_confirms(self, cast):
        api = APIClient()
        r = api.post("/api/v1/auth/password-reset/", {"email": "alice@example.com"}, format="json")
        assert r.status_code == 202 and "24 小时" in r.json()["detail"]
        assert api.post("/api/v1/auth/password-reset/", {"email": "x@example.com"}, format="json").status_code == 202
        uid, token = reset_link().rstrip("/").split("/")[-2:]
        r = api.post("/api/v1/auth/password-reset/confirm/", {"uid": uid, "token": token, "new_password": "123"}, format="json")
        assert r.status_code == 400 and "new_password" in r.json()["errors"]
        r = api.post("/api/v1/auth/password-reset/confirm/", {"uid": uid, "token": token, "new_password": NEW}, format="json")
        assert r.status_code == 204 and fresh(cast.alice).check_password(NEW)
        r = api.post(
            "/api/v1/auth/password-reset/confirm/", {"uid": uid, "token": token, "new_password": NEW + "2"}, format="json"
        )
        assert r.status_code == 400 and r.json()["code"] == "invalid_reset_link"
        r = api.post("/api/v1/auth/password-reset/confirm/", {"uid": "zz", "token": "x", "new_password": NEW}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "invalid_reset_link"


class TestPasswordRequired:
    def test_a_password_the_administrator_set_holds_the_sign_in_until_changed(self, cast):
        Token.objects.create(user=cast.alice)
        admin = signed_in("admin")
        r = admin.post(
            f"/admin/auth/user/{cast.alice.pk}/password/",
            {"password1": "Init-2026-pw!", "password2": "Init-2026-pw!", "usable_password": "true"},
        )
        assert r.status_code == 302, r.content.decode()[:500]
        assert fresh(cast.alice).profile.must_change_password
        assert not Token.objects.filter(user=cast.alice).exists()
        alice = signed_in("alice", "Init-2026-pw!")
        # every page sends her to set her own password, then back where she was going
        r = alice.get("/customers/")
        assert r.status_code == 302 and r["Location"] == "/accounts/password/?next=%2Fcustomers%2F"
        r = alice.get(r["Location"])
        assert r.status_code == 200 and "请先设置您自己的新密码" in r.content.decode()
        assert 'form="held-logout"' in r.content.decode()
        assert alice.post(PROFILE, {"name": "x", "email": "", "phone": ""}).status_code == 302
        assert fresh(cast.alice).first_name == "alice"  # refused before the view ran
        # the API answers 403 to everything but who she is and the password
        r = alice.get("/api/v1/customers/")
        assert r.status_code == 403 and r.json()["code"] == "password_change_required"
        assert alice.get("/api/v1/me/").json()["must_change_password"] is True
        assert alice.post("/api/v1/me/token/").status_code == 403
        r = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "Init-2026-pw!"}, format="json")
        assert r.status_code == 403 and r.json()["code"] == "password_change_required"
        # she sets her own and goes on
        r = alice.post(
            PASSWORD,
            {"old_password": "Init-2026-pw!", "new_password": NEW, "new_password2": NEW, "next": "/customers/"},
        )
        assert r.status_code == 302 and r["Location"] == "/customers/"
        assert alice.get("/customers/").status_code == 200
        assert alice.get("/api/v1/customers/").status_code == 200
        assert not fresh(cast.alice).profile.must_change_password

    def test_a_user_the_administrator_created_sets_their_own_at_first_sign_in(self, cast):
        admin = signed_in("admin")
        r = admin.post(
            "/admin/auth/user/add/",
            {
                "username": "newrep",
                "password1": "Init-2026-pw!",
                "password2": "Init-2026-pw!",
                "usable_password": "true",
                "profile-TOTAL_FORMS": "0",
                "profile-INITIAL_FORMS": "0",
                "profile-MIN_NUM_FORMS": "0",
                "profile-MAX_NUM_FORMS": "1",
            },
        )
        assert r.status_code == 302, r.content.decode()[:800]
        newrep = User.objects.get(username="newrep")
        assert newrep.profile.must_change_password
        r = signed_in("newrep", "Init-2026-pw!").get("/")
        assert r.status_code == 302 and r["Location"].startswith(PASSWORD)

    @pytest.mark.parametrize("age_days, held", [(100, True), (10, False)])
    def test_a_password_older_than_the_threshold_must_be_changed(self, cast, age_days, held):
        Threshold.objects.update_or_create(
            code="password_max_age_days", defaults={"name": "密码有效期(天)", "value": Decimal(90)}
        )
        StaffProfile.objects.filter(user=cast.alice).update(password_changed_at=timezone.now() - timedelta(days=age_days))
        r = signed_in("alice").get("/")
        assert (r.status_code == 302 and r["Location"].startswith(PASSWORD)) is held

    def test_a_password_never_changed_counts_from_the_day_the_user_was_made_and_0_never_expires(self, cast):
        User.objects.filter(pk=cast.bob.pk).update(date_joined=timezone.now() - timedelta(days=400))
        assert signed_in("bob").get("/").status_code == 200  # the default 0: no password grows too old
        Threshold.objects.update_or_create(
            code="password_max_age_days", defaults={"name": "密码有效期(天)", "value": Decimal(365)}
        )
        assert signed_in("bob").get("/").status_code == 302


class TestApiToken:
    def test_the_page_makes_a_token_a_new_one_and_stops_it(self, cast, client_as):
        client = client_as(cast.alice)
        assert 'data-testid="token-none"' in client.get(PROFILE).content.decode()
        r = client.post("/accounts/profile/token/", follow=True)
        key = Token.objects.get(user=cast.alice).key
        assert any(key in m for m in messages_of(r))
        assert f"{key[:4]}…{key[-4:]}" in client.get(PROFILE).content.decode()
        program = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        assert program.get("/api/v1/me/").json()["username"] == "alice"
        client.post("/accounts/profile/token/")
        assert program.get("/api/v1/me/").json()["code"] == "authentication_failed"  # the one before stopped working
        client.post("/accounts/profile/token/revoke/")
        assert not Token.objects.filter(user=cast.alice).exists()
        r = client.post("/accounts/profile/token/revoke/", follow=True)
        assert "您没有 API 令牌。" in messages_of(r)

    def test_the_api_makes_and_stops_a_token(self, cast, api_as):
        api = api_as(cast.alice)
        r = api.post("/api/v1/me/token/")
        assert r.status_code == 201
        program = APIClient(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
        assert program.get("/api/v1/me/").status_code == 200
        assert api.delete("/api/v1/me/token/").status_code == 204
        assert program.get("/api/v1/me/").json()["code"] == "authentication_failed"
        assert api.delete("/api/v1/me/token/").status_code == 204

    def test_a_program_signs_in_for_the_token(self, cast):
        r = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "pass12345"}, format="json")
        assert r.status_code == 200 and r.json()["token"] == Token.objects.get(user=cast.alice).key
        r = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
        assert r.status_code == 400


class TestSignIns:
    def test_the_profile_lists_where_the_user_is_signed_in_and_signs_another_browser_out(self, cast):
        office, phone = signed_in("alice"), signed_in("alice")
        page = office.get(PROFILE)
        rows = page.context["sign_ins"]
        assert [(r.current, r.active) for r in rows] == [(False, True), (True, True)]  # newest first: the phone's
        assert "127.0.0.1" in page.content.decode()
        r = office.post(f"/accounts/profile/sign-ins/{rows[0].pk}/sign-out/", follow=True)
        assert "已退出该设备上的登录。" in messages_of(r)
        assert phone.get(PROFILE).status_code == 302  # signed out
        assert [(r.current, r.active) for r in office.get(PROFILE).context["sign_ins"]] == [(False, False), (True, True)]
        # this browser is signed out with 退出登录, and nobody reaches another user's sign-ins
        assert office.post(f"/accounts/profile/sign-ins/{rows[1].pk}/sign-out/").status_code == 409
        bobs = signed_in("bob")
        theirs = bobs.get(PROFILE).context["sign_ins"][0]
        assert office.post(f"/accounts/profile/sign-ins/{theirs.pk}/sign-out/").status_code == 404
        assert bobs.get(PROFILE).status_code == 200

    def test_signing_out_the_others_and_changing_the_password_end_every_other_session(self, cast):
        here, there, elsewhere = signed_in("alice"), signed_in("alice"), signed_in("alice")
        r = here.post("/accounts/profile/sign-ins/sign-out-others/", follow=True)
        assert "已退出其他 2 处登录。" in messages_of(r)
        assert there.get(PROFILE).status_code == elsewhere.get(PROFILE).status_code == 302
        again = signed_in("alice")
        here.post(PASSWORD, {"old_password": "pass12345", "new_password": NEW, "new_password2": NEW})
        assert again.get(PROFILE).status_code == 302
        rows = here.get(PROFILE).context["sign_ins"]
        assert [r.active for r in rows if r.current] == [True]  # this browser, under its new session key
        assert sum(r.active for r in rows) == 1

    def test_the_api_lists_and_signs_out(self, cast):
        api, other = APIClient(), signed_in("alice")
        api.force_login(cast.alice)
        rows = api.get("/api/v1/me/sign-ins/").json()
        assert [(r["current"], r["active"]) for r in rows] == [(True, True), (False, True)]
        assert api.delete(f"/api/v1/me/sign-ins/{rows[0]['id']}/").json()["code"] == "current_session"
        assert api.delete(f"/api/v1/me/sign-ins/{rows[1]['id']}/").status_code == 204
        assert other.get(PROFILE).status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_reset_link_used_twice_at_once_sets_one_password(on_postgres, cast):
    """Two tabs open on one link, both submitted: the link is checked again under the user's row lock, so one password
    is set and the other submission is told the link is used."""
    from salesops.core import accounts
    from salesops.core.errors import DomainError
    from tests.core.conftest import run_in_threads

    accounts.password_reset_request(email="alice@example.com")
    uid, token = reset_link().rstrip("/").split("/")[-2:]
    passwords = ["First-2026-pw!", "Second-2026-pw!"]
    results = run_in_threads(
        2, lambda i: accounts.password_reset_confirm(uidb64=uid, token=token, new_password=passwords[i]) or "set"
    )
    assert sorted(map(type, results), key=str) == sorted([str, DomainError], key=str), results
    set_to = passwords[results.index("set")]
    assert fresh(cast.alice).check_password(set_to)
    assert OutboxMessage.objects.filter(subject="salesops 密码已修改").count() == 1
