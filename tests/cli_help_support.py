"""Render the ``--help`` of every ``scheduler`` command, for the golden-file test.

The text is rendered at a fixed width without colour so it is the same on every
machine. Regenerate the golden files after an intended change with::

    python tests/cli_help_support.py tests/data/cli_help

and review the diff (``git diff tests/data/cli_help``) before committing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import typer
import typer.testing
from typer.testing import CliRunner

WIDTH = 100
ENV = {
    "COLUMNS": str(WIDTH),
    "TERMINAL_WIDTH": str(WIDTH),
    "NO_COLOR": "1",
    "TERM": "dumb",
    "_TYPER_FORCE_DISABLE_TERMINAL": "1",
}


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    commands = getattr(command, "commands", None) or {}  # a group (typer vendors click)
    for name in sorted(commands):
        yield from _paths(commands[name], (*prefix, name))


def render_all(app: typer.Typer) -> dict[str, str]:
    """``{"draw": help text, "publish list": ..., "": the root}`` for every command."""
    import scheduler.cli.console  # noqa: F401  (its consoles take this process's width, not ENV's)

    saved = {name: os.environ.get(name) for name in ENV}
    os.environ.update(ENV)  # typer reads the width when it renders
    try:
        runner = CliRunner()
        out: dict[str, str] = {}
        # Typer rebuilds the whole click tree (every command's signature and type hints) on
        # each invoke: ~80% of the run. Built once here and handed to every invoke instead.
        command = typer.main.get_command(app)
        with mock.patch.object(typer.testing, "_get_command", lambda _app: command):
            for path in _paths(command):
                result = runner.invoke(app, [*path, "--help"], env=ENV, color=False)
                assert result.exit_code == 0, (path, result.output)
                out[" ".join(path)] = "\n".join(
                    line.rstrip() for line in result.output.splitlines()
                )
        return out
    finally:  # the width must not leak into later tests of this process
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def file_name(command: str) -> str:
    return (command.replace(" ", "__") or "_root") + ".txt"


def write_all(folder: Path) -> None:
    from scheduler.cli import app

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for command, text in render_all(app).items():
        (folder / file_name(command)).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_all(Path(sys.argv[1]))
