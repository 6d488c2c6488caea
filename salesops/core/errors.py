"""The domain error type (ARCHITECTURE.md rule 6).

Services raise these with a translatable message; the API exception handler (core.api) and the HTML middleware
(core.middleware) turn them into the same message in the user's language: `{"code", "detail"}` with the status here.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        # the input field the refusal is about, when it is about one: a form shows it under that field
        # (core.editing.call_for_form), the API names it in `errors` (core.api.exception_handler)
        self.field = field

    def __str__(self):
        return str(self.message)


class Conflict(DomainError):
    """The document is no longer in a state that allows this action (e.g. someone else already approved it)."""

    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    """The user may see the document but not do this to it."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """The document does not exist or the user may not see it."""

    status_code = 404
    code = "not_found"
