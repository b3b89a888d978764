"""Every command's ``--help`` is the committed text: a change to the CLI surface is deliberate.

After an intended change, regenerate with ``python tests/cli_help_support.py tests/data/cli_help``
and review ``git diff tests/data/cli_help`` (see ``tests/cli_help_support.py``).
"""

from __future__ import annotations

from pathlib import Path

from cli_help_support import file_name, render_all

from scheduler.cli import app

GOLDEN = Path(__file__).parents[1] / "data" / "cli_help"


def test_every_help_text_matches_its_golden_file() -> None:
    rendered = render_all(app)
    assert {file_name(c) for c in rendered} == {p.name for p in GOLDEN.glob("*.txt")}
    changed = [
        command
        for command, text in rendered.items()
        if (GOLDEN / file_name(command)).read_text(encoding="utf-8") != text + "\n"
    ]
    assert changed == [], f"--help changed for {changed}; regenerate if intended"


def test_the_golden_files_cover_the_subcommands() -> None:
    assert {"draw.txt", "assign.txt", "db__load.txt", "audit__verify.txt"} <= {
        p.name for p in GOLDEN.glob("*.txt")
    }
