"""Domain errors; the API maps each type to one HTTP status in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause."""

    code = "error"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """The input is malformed or breaks a rule."""

    code = "validation_error"


class Unauthenticated(DomainError):
    """No credentials, or bad ones."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller may not do this."""

    code = "forbidden"


class NotFound(DomainError):
    """The thing does not exist (or the caller may not know it does)."""

    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with the current state."""

    code = "conflict"


class DuplicatePost(Conflict):
    """The same title and body from the same account within the duplicate window.

    Its code stays `conflict`, as before; `post_id` names the earlier post when it can be found.
    """

    def __init__(self, message: str, post_id: str | None = None) -> None:
        super().__init__(message)
        self.post_id = post_id


class StaleVersion(Conflict):
    """The caller acted on an old version."""

    code = "stale_version"


class TooManyRequests(DomainError):
    """Slow down."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency is failing for a moment; try again."""

    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Undeliverable(Exception):
    """A channel refused a message for good (a WeChat user who declined notices, an unknown openid): the notice
    goes to the person's next channel instead. Not a user error: never an HTTP answer."""
