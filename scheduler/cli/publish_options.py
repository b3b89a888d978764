"""Options and helpers shared by the publication area's commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from scheduler import clock
from scheduler.cli.draw_options import optional_day

__all__ = ["DataOpt", "UrlOpt", "RulesOpt", "OnOpt", "day", "context"]

DataOpt = Annotated[Path | None, typer.Option("--data", help="Data folder (SPEC section 5).")]
UrlOpt = Annotated[
    str | None, typer.Option("--url", help="Database URL (default: SCHEDULER_DATABASE_URL).")
]
RulesOpt = Annotated[
    Path | None, typer.Option("--rules", help="Lifecycle rules JSON (tier moves, deadlines).")
]
OnOpt = Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD); default today.")]


def day(text: str | None, option: str = "--on") -> date:
    """A CLI date option (parsed by ``optional_day``); today when absent."""
    return optional_day(text, option) or clock.today()


def context(url: str | None, rules: Path | None = None) -> tuple[Any, Any, Any, Any]:
    """(engine, calendar, rules, scheme) for the database commands; creates missing tables."""
    from scheduler.data.calendar import default_calendar
    from scheduler.data.reference import tier_scheme
    from scheduler.publication.rules import load_rules
    from scheduler.store.engine import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    return engine, default_calendar(), load_rules(rules), tier_scheme()
