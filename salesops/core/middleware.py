"""HTML side of the domain error (ARCHITECTURE.md rule 6): the same message as the API, shown on the page.
A deadlock or serialization failure that escaped the services is shown as the same 409 (ARCHITECTURE.md rule 11).
And the hold on a sign-in that must set a new password first."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.permissions import SAFE_METHODS

from .accounts import MUST_CHANGE, PASSWORD_FIRST
from .errors import DomainError
from .locking import is_lock_conflict, lock_conflict


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_lock_conflict(exception):
            exception = lock_conflict()
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": exception.code, "detail": str(exception)},
                    status=exception.status_code,
                    json_dumps_params={"ensure_ascii": False},
                )
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if getattr(request, "htmx", False):
            return render(request, "core/_error.html", {"error": exception}, status=exception.status_code)
        referer = request.META.get("HTTP_REFERER", "")
        if request.method == "POST" and referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
            messages.error(request, str(exception))
            return redirect(referer)
        return render(request, "core/error.html", {"error": exception}, status=exception.status_code)


class PasswordChangeRequiredMiddleware:
    """A sign-in whose password must be changed (salesops.core.accounts.password_change_required: set by an
    administrator, or too old) reaches nothing but the password page until it is changed: a page is sent there, an API
    call answers 403 `password_change_required`. A change (POST …) is refused before its view runs; a read is checked
    after, and only when it read the session — a request that never signs anyone in (a static file) costs nothing."""

    ALLOWED = {"password_change", "logout", "login", "set_language", "api-me", "api-me-password"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and self._held(request):
            return self._refused(request)
        response = self.get_response(request)
        if request.method in SAFE_METHODS and request.session.accessed and self._held(request):
            return self._refused(request)
        return response

    def _held(self, request) -> bool:
        if not request.session.get(MUST_CHANGE):
            return False
        match = getattr(request, "resolver_match", None) or _resolved(request.path_info)
        return match is None or match.url_name not in self.ALLOWED

    def _refused(self, request):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "password_change_required", "detail": str(PASSWORD_FIRST)},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        target = f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)


def _resolved(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None
