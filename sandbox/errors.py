"""The one exception type the HTTP layers turn into an error response."""

from __future__ import annotations


class ApiError(Exception):
    """An error with an HTTP status, a message and optional field errors.

    ``errors`` maps a field path (``"title"``, ``"variants[0].price"``) to a
    list of messages; it is rendered as the ``errors`` member of the error
    body.
    """

    def __init__(
        self,
        status: int,
        message: str,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        # Extra top-level body members, e.g. OAuth2's "error" code.
        self.extra = extra or {}


def not_found(kind: str, key: object) -> ApiError:
    return ApiError(404, f"{kind} {key} not found")


def invalid(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "Validation failed", errors)
