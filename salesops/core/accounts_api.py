"""/api/v1/ of the user's own account: who am I (`GET /me/`, with my to-do counts), my name, e-mail and phone
(`PATCH /me/`), my password (`POST /me/password/`), where I am signed in (`GET /me/sign-ins/`, `DELETE
/me/sign-ins/<id>/` signs one out), my API token (`POST /me/token/` a new one, `DELETE /me/token/`
none), an API token for a program signing in (`POST /auth/token/`), and 忘记密码 (`POST /auth/password-reset/` asks for
the e-mail, `POST /auth/password-reset/confirm/` sets the password the link was for). Rules in salesops.core.accounts."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import accounts, approvals
from .errors import Forbidden
from .names import display_name
from .notifications import unread_count
from .roles import Role, user_roles

ME = inline_serializer(
    "Me",
    {
        "id": serializers.IntegerField(),
        "username": serializers.CharField(),
        "name": serializers.CharField(),
        "email": serializers.CharField(),
        "phone": serializers.CharField(),
        "email_notifications": serializers.BooleanField(),
        "language": serializers.CharField(),
        "is_staff": serializers.BooleanField(),
        "roles": serializers.ListField(child=serializers.CharField()),
        "role_labels": serializers.ListField(child=serializers.CharField()),
        "department": serializers.DictField(allow_null=True),
        "team": serializers.DictField(allow_null=True),
        "must_change_password": serializers.BooleanField(),
        "counts": inline_serializer("MeCounts", {"approvals": serializers.IntegerField(), "unread": serializers.IntegerField()}),
    },
)


class AccountSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(max_length=30, allow_blank=True)
    email_notifications = serializers.BooleanField(help_text="通知同时发邮件（false：只在通知中心显示）")
    language = serializers.ChoiceField(
        choices=[("", "跟随浏览器"), *settings.LANGUAGES],
        allow_blank=True,
        help_text="界面、通知和邮件使用的语言（空：界面跟随浏览器，通知和邮件用简体中文）",
    )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="重设链接 …/accounts/password/reset/<uid>/<token>/ 中的 uid")
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(trim_whitespace=False)


TOKEN = inline_serializer("ApiToken", {"token": serializers.CharField(), "created": serializers.DateTimeField()})
DONE = inline_serializer("Done", {"detail": serializers.CharField()})


def _me(request) -> dict:
    user = request.user
    roles = sorted(user_roles(user))
    profile = accounts.profile_of(user)
    department, team = profile.department, profile.team
    return {
        "id": user.pk,
        "username": user.username,
        "name": display_name(user),
        "email": user.email,
        "phone": profile.phone,
        "email_notifications": profile.email_notifications,
        "language": profile.language,
        "is_staff": user.is_staff,
        "roles": roles,
        "role_labels": [str(Role(r).label) if r in Role.values else r for r in roles],
        "department": {"id": department.pk, "code": department.code, "name": department.name} if department else None,
        "team": {"id": team.pk, "name": team.name} if team else None,
        "must_change_password": accounts.password_change_required(user),
        "counts": {"approvals": approvals.steps_waiting_for(user).count(), "unread": unread_count(user)},
    }


class MeView(APIView):
    @extend_schema(responses=ME)
    def get(self, request):
        return Response(_me(request))

    @extend_schema(request=AccountSerializer, responses=ME)
    def patch(self, request):
        """My name, e-mail, phone, whether notifications also come by e-mail, and my language (what is not sent stays as it is)."""
        user = request.user
        incoming = AccountSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        profile = accounts.profile_of(user)
        current = {
            "name": user.get_full_name(),
            "email": user.email,
            "phone": profile.phone,
            "email_notifications": profile.email_notifications,
            "language": profile.language,
        }
        accounts.account_update(user=user, **{**current, **incoming.validated_data})
        return Response(_me(request))


class MePasswordView(APIView):
    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        """Change my password: every other session ends and my API token stops working (this session stays)."""
        s = PasswordChangeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        accounts.password_change(user=request.user, request=request, **s.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeTokenView(APIView):
    @extend_schema(request=None, responses={201: TOKEN})
    def post(self, request):
        """A new API token (the one before stops working)."""
        token = accounts.api_token_issue(user=request.user)
        return Response({"token": token.key, "created": token.created}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """No API token any more (204 also when there was none)."""
        accounts.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    current = serializers.BooleanField(help_text="这次请求所在的会话")
    active = serializers.BooleanField(help_text="会话仍在：未退出、未过期")


class MeSignInsView(APIView):
    @extend_schema(responses=SignInSerializer(many=True))
    def get(self, request):
        """My last sign-ins, newest first, each with whether its session is still open."""
        rows = accounts.sign_ins_for(request.user, request.session.session_key)
        return Response(SignInSerializer(rows, many=True).data)


class MeSignInView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Sign that session out (409 `current_session` for the one making this request)."""
        accounts.sign_out_device(user=request.user, sign_in_id=pk, current_key=request.session.session_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(ObtainAuthToken):
    """A program signs in with a user's name and password and gets that user's token — not while the password must be
    changed (403 `password_change_required`)."""

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenAnswer", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = s.validated_data["user"]
        if accounts.password_change_required(user):
            raise Forbidden(accounts.PASSWORD_FIRST, code="password_change_required")
        return Response({"token": accounts.api_token_for(user).key})


class PasswordResetRequestView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: DONE})
    def post(self, request):
        """忘记密码: a reset link goes to each account with this e-mail; the answer is the same whether it is known."""
        s = PasswordResetRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        accounts.password_reset_request(email=s.validated_data["email"])
        return Response({"detail": accounts.reset_sent_message(s.validated_data["email"])}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None})
    def post(self, request):
        """Set the password a reset link was for (400 `invalid_reset_link` when it expired or was used)."""
        s = PasswordResetConfirmSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        accounts.password_reset_confirm(uidb64=data["uid"], token=data["token"], new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
