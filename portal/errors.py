"""The one error type for business failures.

Services raise ``PortalError``; it is mapped once to an HTML message (``portal.views.portal_error_response``)
and once to a DRF response (``portal.web.api.exception_handler``).
"""

from __future__ import annotations


class PortalError(Exception):
    """A business rule refused an action. ``message`` is user-facing Chinese; ``code`` is stable for clients."""

    def __init__(self, message: str, code: str = "invalid", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class PermissionDenied(PortalError):
    def __init__(self, message: str = "您无权执行此操作。", code: str = "forbidden") -> None:
        super().__init__(message, code)


class ChangedSinceOpened(PortalError):
    """The record was saved after the page (or the API's read) the save comes from (``portal.concurrency``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "changed_since_opened")
