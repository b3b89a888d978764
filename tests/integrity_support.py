"""Helpers of the integrity tests: a small recorded database, racing CLI processes.

Racing processes are forked and wait on one ``multiprocessing.Barrier`` so
they start the same command at the same moment; each returns its exit code
and what it printed on stderr (a traceback included, if one escaped).
"""

from __future__ import annotations

import io
import multiprocessing
import sys
import traceback
from dataclasses import dataclass
from datetime import date

from scheduler.store.engine import init_db, make_engine, session_scope

START, END = date(2026, 10, 8), date(2026, 11, 30)
ESCAPED = 99
"""Exit code a racer reports when an exception escaped ``main`` (a traceback)."""


@dataclass(frozen=True)
class Outcome:
    code: int
    err: str


def recorded_plan(url: str, *, entities: int = 1500, inspectors: int = 200) -> int:
    """A database with a synthetic directory and one stored plan; returns the plan id."""
    from scheduler.data.reference import tier_scheme
    from scheduler.data.synth.generate import generate_directory
    from scheduler.draw.plans import create_plan
    from scheduler.draw.policy import make_policy
    from scheduler.store.loader import load_directory

    engine = make_engine(url)
    try:
        init_db(engine)
        load_directory(engine, generate_directory(entities, inspectors, rng=1), actor="test")
        with session_scope(engine) as session:
            plan = create_plan(
                session,
                department_code="MARKET",
                policy=make_policy(tier_scheme(), budget=30),
                start=START,
                end=END,
                actor="test",
            )
            assert plan.id is not None
            return plan.id
    finally:
        engine.dispose()


def _racer(barrier, index: int, args: list[str], results) -> None:
    err = io.StringIO()
    sys.stderr = err
    from scheduler.cli import main

    barrier.wait()
    try:
        code = main(args)
    except BaseException:
        traceback.print_exc(file=err)
        code = ESCAPED
    results.put((index, code, err.getvalue()))


def race(commands: list[list[str]]) -> list[Outcome]:
    """Run each CLI command in its own process, all released together; outcomes in order."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(commands))
    results = context.Queue()
    processes = [
        context.Process(target=_racer, args=(barrier, k, args, results))
        for k, args in enumerate(commands)
    ]
    for process in processes:
        process.start()
    # a generous bound only against a crashed racer; each normally reports in seconds
    reported = {}
    for _ in processes:
        index, code, err = results.get(timeout=900)
        reported[index] = Outcome(code, err)
    for process in processes:
        process.join()
    return [reported[k] for k in range(len(commands))]
