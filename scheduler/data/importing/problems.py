"""Collecting input defects: every problem, up to a cap, with spreadsheet rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from scheduler.errors import InvalidInputError, Problem

__all__ = ["ProblemLog", "MAX_PROBLEMS"]

MAX_PROBLEMS = 1000
"""Problems listed in full; the rest are counted in one final "and N more" problem."""


class ProblemLog:
    """Accumulates ``Problem``s; messages past the cap are counted, never built.

    A million bad rows therefore cost one vectorised mask and ``MAX_PROBLEMS``
    formatted messages, not a million.
    """

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self.dropped = 0

    def __len__(self) -> int:
        return len(self.problems) + self.dropped

    def add(self, file: str, row: int | None, column: str | None, reason: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(file, row, column, reason))
        else:
            self.dropped += 1

    def add_rows(
        self,
        file: str,
        rows: Iterable[int] | np.ndarray,
        column: str | None,
        reason: Callable[[int], str],
    ) -> None:
        """One problem per row in ``rows``; ``reason(i)`` is only called for listed ones.

        ``i`` is the position within ``rows``, so the caller can index its own
        arrays of failing values.
        """
        rows = np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows)
        room = max(self.limit - len(self.problems), 0)
        for i, row in enumerate(rows[:room].tolist()):
            self.problems.append(Problem(file, int(row), column, reason(i)))
        self.dropped += max(len(rows) - room, 0)

    def merge(self, other: ProblemLog) -> None:
        """Append ``other``'s problems as if they had been added here, in order."""
        for problem in other.problems:
            self.add(problem.file, problem.row, problem.column, problem.reason)
        self.dropped += other.dropped

    def raise_if_any(self) -> None:
        """Raise ``InvalidInputError`` listing every problem (and the count left off)."""
        if not self:
            return
        problems = list(self.problems)
        if self.dropped:
            problems.append(
                Problem(
                    "(all files)", None, None, f"... and {self.dropped} more problems not listed"
                )
            )
        raise InvalidInputError(problems=problems)
