"""Shared rich consoles and the progress bar used by long-running commands."""

from __future__ import annotations

import os

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["console", "err_console", "progress_bar"]

PIPE_WIDTH = 200
"""Columns when output goes to a pipe or file: rich would otherwise assume 80 and wrap
table cells inside words ("divisio n"); a terminal keeps its own width."""


def _console(*, stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    if probe.is_terminal or "COLUMNS" in os.environ:
        return probe
    return Console(stderr=stderr, width=PIPE_WIDTH)


console = _console()
err_console = _console(stderr=True)


def progress_bar() -> Progress:
    """A progress bar on stderr, so that stdout stays clean for data."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
