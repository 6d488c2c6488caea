"""HTML side of the domain error (ARCHITECTURE.md rule 6): the same message as the API, shown on the page.
A deadlock or serialization failure that escaped the services is shown as the same 409 (ARCHITECTURE.md rule 11)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

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
