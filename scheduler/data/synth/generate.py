"""A realistic synthetic Weifang directory (一单两库) for demos, tests and benchmarks.

The generator is a pure function of its arguments: the same seed gives the
same ``Directory`` (and, through ``scheduler.data.folder_writer.write_folder``, the same
bytes) on any machine and any day, because "today" is an argument with a fixed
default rather than the wall clock. Everything is vectorised numpy, so a
million entities take seconds. No real person or business is described.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from scheduler.data import reference
from scheduler.data.directory import Directory
from scheduler.data.importing.reader import reference_frame
from scheduler.data.synth.activity import make_conflicts, make_history
from scheduler.data.synth.catalog import catalog
from scheduler.data.synth.commitments import make_commitments
from scheduler.data.synth.entities import make_entities
from scheduler.data.synth.inspectors import MIN_PER_DEPARTMENT, make_inspectors
from scheduler.data.synth.ratings import make_ratings
from scheduler.errors import InvalidInputError

__all__ = [
    "generate_directory",
    "check_sizes",
    "DEFAULT_ENTITIES",
    "DEFAULT_INSPECTORS",
    "DEFAULT_SEED",
    "DEFAULT_TODAY",
    "MIN_ENTITIES",
    "STEPS",
]

DEFAULT_ENTITIES = 20_000
DEFAULT_INSPECTORS = 600
DEFAULT_SEED = 20260101
DEFAULT_TODAY = date(2026, 11, 1)
MIN_ENTITIES = 500
"""Below this the guarantee "every department supervises some entities" would distort the mix."""
STEPS = ("entities", "ratings", "inspectors", "conflicts", "history", "commitments")
"""Progress steps reported through ``on_step``."""


def check_sizes(n_entities: int, n_inspectors: int) -> None:
    """Raise ``InvalidInputError`` naming every size below the generator's minimum."""
    minimum_inspectors = MIN_PER_DEPARTMENT * len(reference.departments())
    problems = []
    if not isinstance(n_entities, (int, np.integer)) or n_entities < MIN_ENTITIES:
        problems.append(f"`n_entities` must be an integer >= {MIN_ENTITIES}; got {n_entities!r}.")
    if not isinstance(n_inspectors, (int, np.integer)) or n_inspectors < minimum_inspectors:
        problems.append(
            f"`n_inspectors` must be an integer >= {minimum_inspectors} "
            f"({MIN_PER_DEPARTMENT} per department); got {n_inspectors!r}."
        )
    if problems:
        raise InvalidInputError(" ".join(problems))


def generate_directory(
    n_entities: int,
    n_inspectors: int,
    *,
    rng: np.random.Generator | int | None,
    today: date = DEFAULT_TODAY,
    tier_scheme: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Directory:
    """Generate a synthetic directory of Weifang's market entities and inspectors.

    Parameters
    ----------
    n_entities, n_inspectors
        Table sizes (at least 500 entities and 4 inspectors per department).
    rng
        Seed or generator; each table draws from its own spawned stream, so
        changing one table's recipe does not reshuffle the others.
    today
        The reference day: registrations, ratings and history lie before it.
    tier_scheme
        Name of the tier scheme whose ``mix`` the ratings follow (default: the
        configured one, ``weifang-4``).
    on_step
        Called with each name of ``STEPS`` once that step is done (progress bars).

    Returns
    -------
    Directory
        Column types as documented in ``scheduler.data.directory``.
    """
    check_sizes(n_entities, n_inspectors)
    rng = np.random.default_rng(rng)
    scheme = reference.tier_scheme(tier_scheme)
    streams = rng.spawn(len(STEPS))
    report = on_step or (lambda _step: None)
    cat = catalog()
    entities = make_entities(
        streams[0], cat, int(n_entities), np.datetime64(today, "D"), max(5, n_entities // 1000)
    )
    report("entities")
    ratings = make_ratings(streams[1], cat, entities, scheme, today)
    report("ratings")
    inspectors = make_inspectors(streams[2], cat, entities, int(n_inspectors))
    report("inspectors")
    conflicts = make_conflicts(streams[3], cat, entities, inspectors)
    report("conflicts")
    history = make_history(streams[4], cat, entities, inspectors, today)
    report("history")
    commitments = make_commitments(streams[5], cat, entities, today)
    report("commitments")
    return Directory(
        departments=reference_frame("departments"),
        sectors=reference_frame("sectors"),
        regions=reference_frame("regions"),
        entities=entities.frame,
        ratings=ratings,
        inspectors=inspectors.frame,
        conflicts=conflicts,
        history=history,
        commitments=commitments,
    )
