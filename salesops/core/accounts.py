"""The user's own account (个人中心): name, e-mail and phone; the password — changed by its owner, forgotten (a reset
link by e-mail), or required (set by an administrator, or older than the threshold `password_max_age_days`: the user
sets their own before anything else, salesops.core.middleware.PasswordChangeRequiredMiddleware); the API token; the
sign-ins and their sessions (登录设备: one signed out from another browser). Pages and API only call these. Every e-mail goes through the outbox (ARCHITECTURE.md rule 7)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation, update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from .errors import Conflict, DomainError, Forbidden, NotFound
from .models import SignIn, StaffProfile
from .notifications import absolute_url, letter
from .outbox import outbox_email
from .thresholds import threshold

User = get_user_model()

PASSWORD_FIRST = gettext_lazy("请先修改密码，再继续使用系统。")
MUST_CHANGE = "salesops_must_change_password"  # the session's mark: this sign-in must set a new password first
RESET_EMAIL_EVERY = 15 * 60  # seconds: at most one reset e-mail per user in such a window, however often it is asked for
RECENT_SIGN_INS = 10  # sign-ins shown on the profile (sessions: the database's, SESSION_ENGINE's default)
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)
NAME_MAX = 150
PHONE_MAX = 30


def profile_of(user) -> StaffProfile:
    """The user's staff profile, made (empty) for a user an administrator created without one."""
    try:
        return user.profile
    except StaffProfile.DoesNotExist:
        return StaffProfile.objects.get_or_create(user=user)[0]


# --- the profile ------------------------------------------------------------------------------------------------------
def account_update(*, user, name: str, email: str, phone: str, email_notifications: bool, language: str) -> None:
    """The user's own name (how pages, documents and e-mails name them), e-mail (where notifications and a reset link go),
    phone, whether notifications also come by e-mail, and their language (pages, notifications, e-mails; "" = the
    browser's, and zh-hans for messages). Department, team, title and roles are the administrator's."""
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    errors = {}
    if language and language not in LANGUAGE_CODES:
        errors["language"] = _("不支持的语言：%(code)s。") % {"code": language}
    if not name:
        errors["name"] = _("请填写姓名。")
    elif len(name) > NAME_MAX:
        errors["name"] = _("姓名不能超过 %(n)s 个字符。") % {"n": NAME_MAX}
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("请输入有效的电子邮箱地址。")
    if len(phone) > PHONE_MAX:
        errors["phone"] = _("电话不能超过 %(n)s 个字符。") % {"n": PHONE_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.first_name, locked.last_name, locked.email = name, "", email
        locked.save(update_fields=["first_name", "last_name", "email"])
        profile = StaffProfile.objects.update_or_create(
            user=locked,
            defaults={"phone": phone, "email_notifications": bool(email_notifications), "language": language or ""},
        )[0]
    user.first_name, user.last_name, user.email = name, "", email
    user.profile = profile


def language_choose(*, user, language: str) -> None:
    """The language switch in the top bar: a signed-in user's choice is kept in their profile, so their next sign-in
    (any browser) and the messages sent to them use it."""
    if language in LANGUAGE_CODES:
        StaffProfile.objects.update_or_create(user=user, defaults={"language": language})


# --- the password -----------------------------------------------------------------------------------------------------
def password_change_required(user) -> bool:
    """An administrator set the password (a new user, a reset), or it is older than `password_max_age_days` (0: never
    too old; a password never changed counts from the day the user was created)."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.must_change_password:
        return True
    days = int(threshold("password_max_age_days"))
    if days <= 0:
        return False
    changed = (profile.password_changed_at if profile else None) or user.date_joined
    return changed < timezone.now() - timedelta(days=days)


def mark_signed_in(sender, request, user, **kwargs) -> None:
    """On each sign-in (the user_logged_in signal): the sign-in is recorded with its session (登录设备), and one whose
    password must be changed is marked in its session."""
    from axes.helpers import get_client_ip_address  # the kernel imports without axes installed (it is the site's)

    if request is None:
        return
    if password_change_required(user):
        request.session[MUST_CHANGE] = True
    if request.session.session_key is None:
        request.session.save()
    SignIn.objects.get_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": get_client_ip_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
        },
    )


def password_set_by_admin(*, user) -> None:
    """An administrator created the user or set their password: the user sets their own at the next sign-in, and a
    token made with the old password no longer works."""
    StaffProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})
    Token.objects.filter(user=user).delete()


def _validated(user, new_password: str, field: str) -> None:
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None


def _set_password(user, new_password: str, request=None) -> None:
    """Set it, clear what required it, revoke the API token, tell the owner (a notice to their e-mail), and keep this
    browser signed in while every other session of the user ends."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    StaffProfile.objects.update_or_create(
        user=user, defaults={"must_change_password": False, "password_changed_at": timezone.now()}
    )
    Token.objects.filter(user=user).delete()
    outbox_email(
        to=user.email,
        subject=_("salesops 密码已修改"),
        body=letter(
            user,
            _("您的 salesops 账号 %(username)s 的密码已于 %(when)s 修改。")
            % {"username": user.username, "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            _("如果这不是您本人的操作，请立即联系系统管理员。"),
        ),
        payload={"password_changed": user.pk},
    )
    current_key = None
    if request is not None:
        before = request.session.session_key
        update_session_auth_hash(request, user)  # this browser stays signed in, under a new session key
        request.session.pop(MUST_CHANGE, None)
        current_key = request.session.session_key
        SignIn.objects.filter(session_key=before).update(session_key=current_key)
    sign_out_others(user=user, current_key=current_key)


def password_change(*, user, old_password: str, new_password: str, request=None) -> None:
    """The user's own change: the current password is asked, the new one must differ from it and pass the password
    validators (length, not too common, not all digits, not like the user's name). Signed out everywhere else."""
    errors = {}
    if not user.check_password(old_password or ""):
        errors["old_password"] = [_("原密码不正确。")]
    elif old_password == new_password:
        errors["new_password"] = [_("新密码不能与原密码相同。")]
    if errors:
        raise ValidationError(errors)
    _validated(user, new_password, "new_password")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        _set_password(locked, new_password, request)
    user.password = locked.password


def password_reset_request(*, email: str) -> int:
    """忘记密码: each active user with this e-mail gets a link to set a new password (valid PASSWORD_RESET_TIMEOUT, used
    once: it no longer works once the password changed). The answer never tells whether the address is known; at most
    one e-mail per user every RESET_EMAIL_EVERY seconds. Returns how many e-mails were queued."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("请输入有效的电子邮箱地址。")]}) from None
    window = int(timezone.now().timestamp()) // RESET_EMAIL_EVERY
    queued = 0
    with transaction.atomic():
        for user in User.objects.filter(email__iexact=email, is_active=True).order_by("pk"):
            if not user.has_usable_password():
                continue
            link = absolute_url(
                reverse(
                    "password_reset_confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                )
            )
            outbox_email(
                to=user.email,
                subject=_("salesops 重设密码"),
                body=letter(
                    user,
                    _(
                        "有人为您的 salesops 账号 %(username)s 申请了重设密码。请打开下面的链接设置新密码（%(hours)s 小时内有效，只能使用一次）："
                    )
                    % {"username": user.username, "hours": reset_link_hours()},
                    link,
                    _("如果您没有申请重设密码，请忽略此邮件，您的密码不会改变。"),
                ),
                payload={"password_reset": user.pk},
                dedupe_key=f"password-reset:{user.pk}:{window}",
            )
            queued += 1
    return queued


def reset_link_hours() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 3600


def reset_sent_message(email: str) -> str:
    """What the asker is told, whether or not the address is known."""
    return _("如果 %(email)s 是已登记的邮箱，重设密码的邮件已经发出，请在 %(hours)s 小时内打开邮件中的链接。") % {
        "email": email,
        "hours": reset_link_hours(),
    }


def reset_link_user(uidb64: str, token: str):
    """The user a reset link is for, or None when the link is malformed, expired or already used."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()), is_active=True)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> None:
    """Set the new password from a reset link: the link must still be good (checked again under the user's row lock, so
    two tabs using one link set it once); the sign-in lockout of that user (django-axes) is lifted."""
    from axes.utils import reset as axes_reset

    with transaction.atomic():
        user = reset_link_user(uidb64, token)
        if user is not None:
            user = User.objects.select_for_update().get(pk=user.pk)
            user = user if default_token_generator.check_token(user, token) else None
        if user is None:
            raise DomainError(_("重设密码的链接无效或已过期，请重新申请。"), code="invalid_reset_link")
        _validated(user, new_password, "new_password")
        _set_password(user, new_password)
        axes_reset(username=user.username)


# --- the API token ----------------------------------------------------------------------------------------------------
def api_token(user) -> Token | None:
    return Token.objects.filter(user=user).first()


def api_token_for(user) -> Token:
    """The user's token for a program signing in with name and password (`POST /api/v1/auth/token/`): the current one,
    or a new one."""
    return Token.objects.get_or_create(user=user)[0]


def api_token_issue(*, user) -> Token:
    """A new API token for the user's programs (an ERP sync, a script); the one before stops working. Not while the
    password must be changed."""
    if password_change_required(user):
        raise Forbidden(PASSWORD_FIRST, code="password_change_required")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user) -> bool:
    """The user's API token stops working; False when they had none."""
    return Token.objects.filter(user=user).delete()[0] > 0


def masked(key: str) -> str:
    return f"{key[:4]}…{key[-4:]}"


# --- sign-ins ---------------------------------------------------------------------------------------------------------
def _sessions():
    """The sessions table (SESSION_ENGINE's default, the database's); imported here: the kernel imports without it."""
    from django.contrib.sessions.models import Session

    return Session.objects


def sign_ins_for(user, current_key: str | None, limit: int = RECENT_SIGN_INS) -> list[SignIn]:
    """The user's last sign-ins, newest first, each with `current` (this browser) and `active` (its session still
    open: not signed out, not expired, not ended by a password change)."""
    rows = list(SignIn.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])
    open_keys = set(
        _sessions()
        .filter(session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now())
        .values_list("session_key", flat=True)
    )
    for row in rows:
        row.current = row.session_key == current_key
        row.active = row.session_key in open_keys
    return rows


def sign_out_device(*, user, sign_in_id: int, current_key: str | None) -> None:
    """End one of the user's own sessions elsewhere (a browser left signed in at a customer's); this browser signs out
    with 退出登录."""
    row = SignIn.objects.filter(user=user, pk=sign_in_id).first()
    if row is None:
        raise NotFound(_("未找到该登录记录。"))
    if row.session_key == current_key:
        raise Conflict(_("这是您当前的登录，请用“退出登录”。"), code="current_session")
    _sessions().filter(session_key=row.session_key).delete()


def sign_out_others(*, user, current_key: str | None) -> int:
    """End every session of the user but this one; how many were open."""
    keys = SignIn.objects.filter(user=user).exclude(session_key=current_key or "").values_list("session_key", flat=True)
    return _sessions().filter(session_key__in=list(keys), expire_date__gt=timezone.now()).delete()[0]
