"""Errors whose message is shown to the officer as is (Dutch)."""


class BibobError(Exception):
    """Base class: ``str(error)`` is a complete Dutch sentence for the user."""


class ValidationError(BibobError, ValueError):
    """Input that does not fit the rules; ``field`` names the input it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(BibobError, LookupError):
    """A case, party or document that does not exist."""


class ConflictError(BibobError):
    """Someone else changed the record since it was read (optimistic locking)."""


class PermissionDenied(BibobError, PermissionError):
    """The current user may not do or see this."""
