"""Domain errors that every app raises and the API maps to HTTP answers."""


class DomainError(Exception):
    """A request that is well-formed but not allowed by the rules (HTTP 409)."""

    status = 409

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # Where the field was sent ("query", "path", "form"...); None means the body. The API
        # sets it from the operation's parameters (accord.lib.openapi.locate_fields).
        self.location: str | None = None


class InvalidInput(DomainError):
    """Bad input: names the field and what was wrong (HTTP 422). Nothing was changed."""

    status = 422


class Forbidden(DomainError):
    """The user may not do this (HTTP 403)."""

    status = 403
