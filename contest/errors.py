"""The one error a verb function raises when it refuses: a Vietnamese message naming the field."""
from __future__ import annotations


class OperationError(Exception):
    """A refused change; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
