"""The library's errors speak of the domain; the CLI names its own options for them.

A library error names the fields it is about (``SchedulerError.about``); the CLI
maps them to options (``scheduler.cli.fields``), the dashboard to its labels.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scheduler.cli.fields import OPTIONS, options_hint
from scheduler.errors import InvalidInputError, OutputError

LIBRARY = Path(__file__).resolve().parents[2] / "scheduler"
FLAG = re.compile(r"--[a-z]")


def _library_files() -> list[Path]:
    return [p for p in sorted(LIBRARY.rglob("*.py")) if "cli" not in p.relative_to(LIBRARY).parts]


def _raised_texts(path: Path) -> list[tuple[int, str]]:
    """Every string literal inside a ``raise`` statement of ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.append((node.lineno, sub.value))
    return found


def _about_fields(path: Path) -> set[str]:
    fields = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "about"
        ):
            fields |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    return fields


def test_no_library_error_names_a_command_line_option() -> None:
    offending = [
        f"{path.relative_to(LIBRARY)}:{line}: {text!r}"
        for path in _library_files()
        for line, text in _raised_texts(path)
        if FLAG.search(text)
    ]
    assert offending == []


def test_the_scan_sees_a_flag_in_a_raise(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text('raise ValueError(f"give --seed; got {x}")\n', encoding="utf-8")
    assert [t for _, t in _raised_texts(source) if FLAG.search(t)] == ["give --seed; got "]


def test_every_field_the_library_names_has_a_cli_option() -> None:
    named = set().union(*(_about_fields(p) for p in _library_files()))
    assert "reason" in named and "policy.budget" in named
    assert named - set(OPTIONS) == set()


def test_the_cli_hint_names_each_option_once() -> None:
    error = InvalidInputError("a policy is exactly one of ...").about(
        "policy.preset", "policy.rates", "policy.budget"
    )
    assert options_hint(error) == " (options --preset, --rates, --budget)"
    assert options_hint(InvalidInputError("x").about("departments", "department")) == (
        " (option --department)"
    )
    assert options_hint(OutputError("exists").about("overwrite")) == " (option --force)"
    assert options_hint(InvalidInputError("no field")) == ""
