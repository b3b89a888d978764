"""CLI commands ``assign`` (the second random) and ``swap`` (a manual, re-checked change).

The commands parse options, read the inputs and call one action of
``scheduler.matching.actions`` each; the dashboard calls the same actions.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.table import Table

from scheduler.cli.actor import cli_actor
from scheduler.cli.console import console, err_console, progress_bar
from scheduler.cli.draw_options import optional_day
from scheduler.data.directory import Directory
from scheduler.errors import InvalidInputError

if TYPE_CHECKING:
    from scheduler.matching.result import AssignmentResult
    from scheduler.matching.tasks import DrawInput

__all__ = ["register", "assign_command", "swap_command"]


@contextmanager
def _shown_warnings() -> Iterator[None]:
    """Library warnings (e.g. a year without an official holiday schedule) go to stderr, clearly."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                err_console.print(f"[bold yellow]warning:[/] {w.message}", highlight=False)


def _directory(data: Path | None, url: str | None) -> Directory:
    """From the data folder, else the database (``url``; ``""`` = the configured one)."""
    if data is not None:
        from scheduler.data.importing.reader import read_folder

        return read_folder(data)
    if url is not None:
        from scheduler.store.engine import make_engine
        from scheduler.store.loader import directory_from_db

        return directory_from_db(make_engine(url or None))
    raise InvalidInputError("give the directory with --data DIR or --url URL")


def _draws(draw: list[Path], receipt: list[Path], department: list[str]) -> list[DrawInput]:
    from scheduler.matching import read_draw_input

    if not draw:
        raise InvalidInputError("give at least one --draw DRAW.csv")
    for option, values in (("--receipt", receipt), ("--department", department)):
        if values and len(values) != len(draw):
            raise InvalidInputError(
                f"{option} must be given once per --draw ({len(draw)}); got {len(values)}"
            )
    return [
        read_draw_input(
            path, department[k] if department else None, receipt[k] if receipt else None
        )
        for k, path in enumerate(draw)
    ]


def _summary(result: AssignmentResult) -> None:
    loads = result.loads()
    table = Table(title=f"assignment {result.start} .. {result.end} (seed {result.seed})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("visits", str(len({a.visit_id for a in result.assignments})))
    table.add_row("rows (department tasks)", str(len(result.assignments)))
    table.add_row(
        "joint visits", str(len({a.visit_id for a in result.assignments if len(a.items) > 1}))
    )
    table.add_row("inspectors used", str(len(loads)))
    table.add_row("same-division share", f"{result.same_region_share():.1%}")
    table.add_row("unassigned tasks", str(len(result.unassigned)))
    console.print(table)


def assign_command(
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: same inputs and seed, same plan.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Assignment CSV to write (plus <out>.meta.json).")
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First day of the plan window (YYYY-MM-DD); default: the recorded plan's.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--end", help="Last day of the plan window (YYYY-MM-DD); default: the recorded plan's."
        ),
    ] = None,
    draw: Annotated[
        list[Path], typer.Option("--draw", help="Draw CSV; repeat for a joint plan.")
    ] = [],  # noqa: B006
    draw_id: Annotated[
        list[str],
        typer.Option("--draw-id", help="Recorded draw in the database (with --url); repeatable."),
    ] = [],  # noqa: B006
    receipt: Annotated[
        list[Path],
        typer.Option("--receipt", help="Receipt JSON of each --draw (gives the department)."),
    ] = [],  # noqa: B006
    department: Annotated[
        list[str], typer.Option("--department", help="Department code of each --draw.")
    ] = [],  # noqa: B006
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder with the directory.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Database URL: read the directory there and record the run."),
    ] = None,
    team_size: Annotated[
        int, typer.Option("--team-size", help="Inspectors per visit (>= 2), one is lead.")
    ] = 2,
    daily_limit: Annotated[
        int, typer.Option("--daily-limit", help="Visits per inspector and day.")
    ] = 4,
    allow_cross_region: Annotated[
        bool,
        typer.Option(
            "--allow-cross-region/--no-cross-region",
            help="Allow inspectors from another division when needed.",
        ),
    ] = True,
    allow_partial: Annotated[
        bool,
        typer.Option("--allow-partial", help="Write a partial plan and list the unassigned tasks."),
    ] = False,
    qualification: Annotated[
        str, typer.Option("--qualification", help="'any' (one of the entity's sectors) or 'all'.")
    ] = "any",
    holiday_file: Annotated[
        Path | None,
        typer.Option(
            "--holiday-file",
            help="Official holiday schedule (date,kind) for years chinese-calendar lacks.",
        ),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why the draws are staffed again (a recorded run exists)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing output files.")
    ] = False,
) -> None:
    """Match drawn entities to random lawful inspector teams and working days.

    Exit 3 with a diagnosis if the rules cannot all hold (unless --allow-partial).
    With --url or --draw-id the run is recorded first and the files are put in
    place only after the commit; a second run of the same draws needs --reason.
    """
    from scheduler.data.atomic_files import check_targets
    from scheduler.data.calendar import WorkingCalendar, default_calendar
    from scheduler.matching import AssignSettings
    from scheduler.matching.actions import assign_to_files
    from scheduler.matching.io import meta_path

    settings = AssignSettings(
        team_size=team_size,
        daily_limit=daily_limit,
        allow_cross_region=allow_cross_region,
        allow_partial=allow_partial,
        qualification=cast(Literal["any", "all"], qualification),
    )
    calendar = WorkingCalendar.from_file(holiday_file) if holiday_file else default_calendar()
    recorded: tuple[date | None, date | None] = (None, None)
    if draw_id:
        from scheduler.matching.store import draws_from_db
        from scheduler.store.engine import make_engine

        if draw:
            raise InvalidInputError(
                "give either --draw files or --draw-id recorded draws, not both"
            )
        draws, recorded = draws_from_db(make_engine(url), draw_id)
        if data is None:  # only the drawn entities' rows leave the database
            from scheduler.draw.db_scope import staffing_directory

            usccs = [u for d in draws for u in d.frame["uscc"].astype(str)]
            directory = staffing_directory(make_engine(url), usccs)
        else:
            directory = _directory(data, url)
    else:
        directory = _directory(data, url)
        draws = _draws(draw, receipt, department)
    window = (
        optional_day(start, "--start") or recorded[0],
        optional_day(end, "--end") or recorded[1],
    )
    if window[0] is None or window[1] is None:
        raise InvalidInputError("give the plan window with --start and --end")
    check_targets(
        [out, out.with_name(out.stem + ".unassigned.csv"), meta_path(out)], overwrite=force
    )
    engine = None
    if url is not None or draw_id:
        from scheduler.store.engine import make_engine

        engine = make_engine(url or None)
    with _shown_warnings(), progress_bar() as bar:
        task = bar.add_task("staffing", total=None)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        staffed = assign_to_files(
            directory,
            draws,
            out,
            start=window[0],
            end=window[1],
            settings=settings,
            calendar=calendar,
            seed=seed,
            engine=engine,
            actor=cli_actor(),
            reason=reason,
            progress=progress,
        )
    result, written = staffed.result, staffed.written
    if staffed.run_id is not None:
        console.print(f"recorded as assignment run {staffed.run_id}")
    _summary(result)
    if result.unassigned:
        err_console.print(
            f"[bold yellow]partial plan:[/] {len(result.unassigned)} task(s) unassigned, listed in "
            f"{written[1]}"
        )
        diagnosis = result.solver.get("diagnosis")
        if diagnosis is not None:
            from scheduler.cli.fields import relaxation_option

            diagnosis.render(err_console, relaxation_option)
    console.print("wrote " + ", ".join(str(p) for p in written))


def swap_command(
    uscc: Annotated[str, typer.Option("--uscc", help="Entity whose visit changes.")],
    old: Annotated[str, typer.Option("--old", help="Inspector to take off the visit.")],
    new: Annotated[str, typer.Option("--new", help="Inspector to put on the visit.")],
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Assignment CSV written by `assign`.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the changed plan (default: --plan)."),
    ] = None,
    run_id: Annotated[
        int | None,
        typer.Option(
            "--run-id", help="Recorded run to change (database: --url or the configured one)."
        ),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Data folder with the directory.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Database URL.")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")] = "",
    holiday_file: Annotated[
        Path | None, typer.Option("--holiday-file", help="Official holiday schedule file.")
    ] = None,
) -> None:
    """Swap one inspector on one visit; the plan is re-checked against every rule and audited."""
    from scheduler.data.calendar import WorkingCalendar, default_calendar

    calendar = WorkingCalendar.from_file(holiday_file) if holiday_file else default_calendar()
    directory = _directory(data, "" if run_id is not None and url is None else url)
    with _shown_warnings():
        if run_id is not None:
            from scheduler.matching.actions import swap_in_run
            from scheduler.store.engine import make_engine

            swap_in_run(
                make_engine(url or None),
                run_id,
                uscc,
                old,
                new,
                directory,
                calendar=calendar,
                reason=reason,
                actor=cli_actor(),
            )
            console.print(f"run {run_id}: {old} -> {new} on {uscc} (re-checked, audited)")
            return
        if plan is None:
            raise InvalidInputError("give --plan ASSIGN.csv or --run-id N --url URL")
        from scheduler.matching.actions import swap_in_file

        engine = None
        if url is not None:
            from scheduler.store.engine import make_engine

            engine = make_engine(url)
        written = swap_in_file(
            plan,
            uscc,
            old,
            new,
            directory,
            out=out,
            calendar=calendar,
            engine=engine,
            reason=reason,
            actor=cli_actor(),
        )
    console.print(f"{old} -> {new} on {uscc} (re-checked); wrote {written[0]}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("assign")(assign_command)
    app.command("swap")(swap_command)
