"""The ``scheduler`` command line: parses, calls one library function, prints.

Each area registers its commands from its own module, and ``main`` imports only
the area of the command it runs (``COMMANDS``); ``main`` maps library
errors to the exit codes of SPEC section 5 (0 ok, 1 failure/mismatch, 2 bad
input or usage, 3 infeasible plan).
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

from scheduler.cli.actor import set_actor
from scheduler.cli.console import err_console
from scheduler.cli.fields import options_hint, relaxation_option
from scheduler.errors import InfeasiblePlanError, InvalidInputError, SchedulerError

__all__ = ["app", "build_app", "main", "COMMANDS"]

AREAS = (
    "data",
    "sample",
    "draw",
    "substitute",
    "plan",
    "programme",
    "assign",
    "publish",
    "commitments",
    "simulate",
    "sweep",
    "demo",
    "dashboard",
    "audit",
    "users",
)
"""The command modules (``scheduler.cli.<area>``), each with a ``register(app)``."""

COMMANDS = {
    "db": "data",
    "sample-data": "sample",
    "draw": "draw",
    "verify": "draw",
    "substitute": "substitute",
    "plan": "plan",
    "programme": "programme",
    "assign": "assign",
    "swap": "assign",
    "export": "publish",
    "publish": "publish",
    "estimate": "publish",
    "results": "publish",
    "deadlines": "publish",
    "report-ratings": "publish",
    "objection": "publish",
    "repair": "publish",
    "commitments": "commitments",
    "simulate": "simulate",
    "sweep": "sweep",
    "demo-plan": "demo",
    "dashboard": "dashboard",
    "audit": "audit",
    "users": "users",
}
"""Which area registers each top-level command (``tests/unit_cli/test_cli_lazy.py`` checks it).

A new process runs one command: importing only that command's module keeps the
others' libraries (simulation, synthetic data, matching, exports) out of its
start-up time.
"""


def _root(
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="SCHEDULER_ACTOR",
            help="Who acts, as the audit log records it (default: the OS user).",
        ),
    ] = None,
) -> None:
    """Credit-weighted 双随机、一公开 inspection planning."""
    set_actor(actor)


def version() -> None:
    """Print the versions that a draw receipt records."""
    import numpy

    from scheduler import __version__

    typer.echo(f"scheduler {__version__}, numpy {numpy.__version__}")


def build_app(areas: tuple[str, ...] = AREAS) -> typer.Typer:
    """The Typer app with the commands of ``areas`` (default: every command)."""
    built = typer.Typer(
        name="scheduler",
        help="Credit-weighted 双随机、一公开 inspection planning.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    built.callback()(_root)
    built.command()(version)
    for area in areas:
        importlib.import_module(f"scheduler.cli.{area}").register(built)
    return built


def _command_name(argv: list[str]) -> str | None:
    """The top-level command ``argv`` names, skipping the root's own options."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--actor":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _app_for(argv: list[str]) -> typer.Typer:
    """Only the named command's area; every area for help, a typo or no command."""
    area = COMMANDS.get(_command_name(argv) or "")
    return build_app((area,) if area else AREAS)


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole app, built when first asked for
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _report(error: SchedulerError) -> None:
    if isinstance(error, InvalidInputError) and error.problems:
        err_console.print(f"[bold red]error:[/] {len(error.problems)} problem(s) in the input")
        for problem in error.problems[:200]:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        if len(error.problems) > 200:
            err_console.print(f"  ... and {len(error.problems) - 200} more")
        if error.fields:
            err_console.print(" " + options_hint(error).strip(), markup=False, highlight=False)
    else:
        err_console.print("[bold red]error:[/] ", end="")
        # one unbroken line: paths and ids stay whole for copying and grep
        err_console.print(
            str(error) + options_hint(error), markup=False, highlight=False, soft_wrap=True
        )
    if isinstance(error, InfeasiblePlanError) and error.diagnosis is not None:
        render = getattr(error.diagnosis, "render", None)
        if callable(render):
            render(err_console, relaxation_option)
        else:
            err_console.print(str(error.diagnosis), markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (used by tests and the console script)."""
    args = sys.argv[1:] if argv is None else argv
    command = typer.main.get_command(_app_for(args))
    try:
        result = command.main(args=args, prog_name="scheduler", standalone_mode=False)
    except SchedulerError as error:
        _report(error)
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except typer.TyperException as usage:  # usage errors: bad option, missing argument
        show = getattr(usage, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(str(usage))
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
