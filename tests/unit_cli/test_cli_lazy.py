"""The CLI imports only the area of the command it runs, and still knows every command."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from scheduler.cli import AREAS, COMMANDS, _command_name, build_app, main


def _names(app: typer.Typer) -> set[str]:
    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    return commands | {g.name for g in app.registered_groups if g.name}


@pytest.mark.parametrize("area", AREAS)
def test_commands_name_the_area_that_registers_them(area: str) -> None:
    registered = _names(build_app((area,))) - {"version"}
    assert registered, area
    assert registered == {name for name, owner in COMMANDS.items() if owner == area}


def test_every_command_is_mapped() -> None:
    assert _names(build_app()) - {"version"} == set(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["draw", "--plan", "1"], "draw"),
        (["--actor", "li", "assign", "--draw-id", "X"], "assign"),
        (["--actor=li", "db", "load", "d"], "db"),
        (["--help"], None),
        ([], None),
    ],
)
def test_command_name(argv: list[str], name: str | None) -> None:
    assert _command_name(argv) == name


def test_a_draw_process_imports_no_other_area() -> None:
    """``scheduler draw --help`` in a new process: no simulation, synthetic data or matching."""
    code = (
        "import sys\n"
        "from scheduler.cli import main\n"
        "assert main(['draw', '--help']) == 0\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "scheduler.cli.draw" in loaded
    for other in (
        "scheduler.cli.assign",
        "scheduler.cli.simulate",
        "scheduler.simulation",
        "scheduler.data.synth",
        "scheduler.matching",
        "ortools",
        "pandas",
    ):
        assert other not in loaded, other


def test_help_and_unknown_commands_see_every_command(capsys: pytest.CaptureFixture) -> None:
    assert main(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(name in shown for name in ("draw", "assign", "sweep", "users"))
    assert main(["no-such-command"]) == 2
