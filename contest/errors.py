"""The one error a verb function raises when it refuses: a Vietnamese message naming the field."""
from __future__ import annotations


class OperationError(Exception):
    """A refused change; `field` names the form field at fault, if any.

    `problems` lists every (field, message) found when a form was checked as a whole, so the
    page can show them all at once; a single refusal is its own one problem.
    """

    def __init__(self, message: str, field: str | None = None,
                 problems: list[tuple[str | None, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or [(field, message)]

    @classmethod
    def of_all(cls, errors: list["OperationError"]) -> "OperationError":
        """One refusal carrying several, its message all of theirs."""
        return cls(" ".join(e.message for e in errors), errors[0].field,
                   [problem for e in errors for problem in e.problems])
