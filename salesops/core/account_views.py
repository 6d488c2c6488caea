"""个人中心 pages: the user's profile (name, e-mail, phone; roles, department and team as the administrator set them;
the API token; the recent sign-ins), changing the password (also the page a sign-in is held on when it must set a new
one), and 忘记密码 (asking for a reset link, and the page that link opens). Rules in salesops.core.accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import accounts
from .editing import call_for_form
from .errors import DomainError
from .forms import AccountForm, PasswordChangeForm, PasswordForgottenForm, PasswordResetForm
from .pages import form_page, post_data


@login_required
def account(request):
    """个人资料: who the user is in the system, what they may edit of it, their API token and recent sign-ins."""
    user = request.user
    profile = accounts.profile_of(user)
    initial = {
        "name": user.get_full_name(),
        "email": user.email,
        "phone": profile.phone,
        "email_notifications": profile.email_notifications,
        "language": profile.language,
    }
    form = AccountForm(post_data(request), initial=initial)
    if form.is_bound and form.is_valid():
        ok, _saved = call_for_form(form, lambda: accounts.account_update(user=user, **form.cleaned_data))
        if ok:
            language = form.cleaned_data["language"]
            if language:
                translation.activate(language)
            messages.success(request, _("个人资料已保存。"))
            return remember_language(redirect("account"), language)
    token = accounts.api_token(user)
    return render(
        request,
        "core/account.html",
        {
            "form": form,
            "profile": profile,
            "token": token,
            "token_masked": accounts.masked(token.key) if token else "",
            "sign_ins": accounts.sign_ins_for(user, request.session.session_key),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def account_token(request):
    """生成(新)令牌: the key is shown once, in the message; the one before stops working."""
    try:
        token = accounts.api_token_issue(user=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, _("新的 API 令牌：%(key)s（请立即复制保存，之后只显示前后几位；原令牌已停用）") % {"key": token.key}
        )
    return redirect("account")


@login_required
@require_POST
def account_token_revoke(request):
    """停用令牌."""
    if accounts.api_token_revoke(user=request.user):
        messages.success(request, _("API 令牌已停用，使用它的程序将无法再访问系统。"))
    else:
        messages.info(request, _("您没有 API 令牌。"))
    return redirect("account")


@login_required
@require_POST
def sign_out_device(request, pk: int):
    """登录设备 → 退出: that browser is signed out at its next click."""
    accounts.sign_out_device(user=request.user, sign_in_id=pk, current_key=request.session.session_key)
    messages.success(request, _("已退出该设备上的登录。"))
    return redirect("account")


@login_required
@require_POST
def sign_out_others(request):
    """退出其他设备: every session but this one ends."""
    n = accounts.sign_out_others(user=request.user, current_key=request.session.session_key)
    messages.success(request, _("已退出其他 %(n)s 处登录。") % {"n": n})
    return redirect("account")


def remember_language(response, language: str):
    """The browser uses `language` from now on (the cookie Django's LocaleMiddleware reads); "" leaves it as it is."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


class SignInView(auth_views.LoginView):
    """登录: as Django's, and the browser switches to the language the user chose (个人资料 → 语言), if they chose one."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return remember_language(response, accounts.profile_of(form.get_user()).language)


def language_switch(request):
    """The top bar's language switch (Django's set_language), kept in the signed-in user's profile as well."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        accounts.language_choose(user=request.user, language=request.POST.get("language", ""))
    return response


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("account")


@login_required
def password_change(request):
    """修改密码; a sign-in held until it sets a new password is sent here (and then on to where it was going)."""
    held = bool(request.session.get(accounts.MUST_CHANGE))
    form = PasswordChangeForm(post_data(request))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, _done = call_for_form(
            form,
            lambda: accounts.password_change(
                user=request.user, old_password=data["old_password"], new_password=data["new_password"], request=request
            ),
        )
        if ok:
            messages.success(request, _("密码已修改。其他设备上的登录已退出，API 令牌已停用。"))
            return redirect(_next_url(request))
    return form_page(
        request,
        form,
        title=_("修改密码"),
        intro=_("管理员为您设置了初始密码，或您的密码已过期：请先设置您自己的新密码，再继续使用系统。")
        if held
        else _("修改后，其他设备上的登录将退出，API 令牌将停用。"),
        cancel_url=reverse("account"),
        submit_label=_("修改密码"),
        testid="password-form",
        template="core/password_form.html",
        extra={"next": _next_url(request) if request.GET.get("next") or request.POST.get("next") else "", "held": held},
    )


def password_forgotten(request):
    """忘记密码: a reset link is e-mailed to the accounts with that address; the answer is the same whether it is known."""
    if request.user.is_authenticated:
        return redirect("password_change")
    form = PasswordForgottenForm(post_data(request))
    if form.is_bound and form.is_valid():
        ok, _queued = call_for_form(form, lambda: accounts.password_reset_request(email=form.cleaned_data["email"]))
        if ok:
            messages.info(request, accounts.reset_sent_message(form.cleaned_data["email"]))
            return redirect("login")
    return form_page(
        request,
        form,
        title=_("忘记密码"),
        intro=_("输入您账号登记的电子邮箱，我们会发一封带重设链接的邮件。没有登记邮箱的，请联系系统管理员重设密码。"),
        cancel_url=reverse("login"),
        submit_label=_("发送重设邮件"),
        testid="password-forgotten-form",
    )


def password_reset_confirm(request, uidb64: str, token: str):
    """The page a reset link opens: a new password, typed twice."""
    if accounts.reset_link_user(uidb64, token) is None:
        error = DomainError(_("重设密码的链接无效或已过期，请重新申请。"))
        return render(request, "core/error.html", {"error": error}, status=400)
    form = PasswordResetForm(post_data(request))
    if form.is_bound and form.is_valid():
        ok, _done = call_for_form(
            form,
            lambda: accounts.password_reset_confirm(uidb64=uidb64, token=token, new_password=form.cleaned_data["new_password"]),
        )
        if ok:
            messages.success(request, _("密码已重设，请用新密码登录。"))
            return redirect("login")
    return form_page(
        request,
        form,
        title=_("设置新密码"),
        cancel_url=reverse("login"),
        submit_label=_("设置新密码"),
        testid="password-reset-form",
    )
