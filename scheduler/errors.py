"""Exception hierarchy: the library raises these, the CLI maps them to exit codes.

Exit codes (SPEC section 5): 0 success, 1 an operation's own failure (e.g. a
verification mismatch), 2 bad input or usage, 3 infeasible plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

__all__ = [
    "SchedulerError",
    "Problem",
    "InvalidInputError",
    "InfeasiblePlanError",
    "VerificationError",
    "NotFoundError",
    "OutputError",
    "ConflictError",
]


class SchedulerError(Exception):
    """Base class of every error the library raises on purpose.

    ``fields`` names the inputs the error is about in the domain's words
    (``reason``, ``policy.budget``, ``overwrite``): the library never names a
    front end's controls; the CLI maps the fields to its options and the
    dashboard to its labels.
    """

    exit_code = 1
    fields: tuple[str, ...] = ()

    def about(self, *fields: str) -> Self:
        """This error, naming the input ``fields`` it is about: ``raise E(...).about("reason")``."""
        self.fields = fields
        return self


@dataclass(frozen=True)
class Problem:
    """One defect in an input: where it is and why it is wrong.

    ``row`` is the 1-based line number as a spreadsheet shows it (the header is
    row 1, the first data row is row 2); ``None`` when the problem concerns the
    whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"


class InvalidInputError(SchedulerError, ValueError):
    """Bad input or usage. Carries every problem found, not only the first."""

    exit_code = 2

    def __init__(self, message: str | None = None, problems: list[Problem] | None = None):
        self.problems: list[Problem] = list(problems or [])
        if message is None:
            message = "\n".join(str(p) for p in self.problems) or "invalid input"
        super().__init__(message)


class InfeasiblePlanError(SchedulerError):
    """The rules cannot all hold; ``diagnosis`` says where, why and what would fix it."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: Any = None):
        self.diagnosis = diagnosis
        super().__init__(message)


class VerificationError(SchedulerError):
    """A recomputed draw does not match its published receipt."""

    exit_code = 1


class NotFoundError(SchedulerError, LookupError):
    """A referenced plan, draw or record does not exist."""

    exit_code = 2


class OutputError(SchedulerError, OSError):
    """An output file cannot be written (a folder, no permission, a full disk, exists)."""

    exit_code = 2


class ConflictError(SchedulerError):
    """Someone else recorded first (a draw of the same plan, a run of the same draws)."""

    exit_code = 1
