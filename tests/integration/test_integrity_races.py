"""Racing planners: however many press at once, one draw (and one run) wins, as a chain.

Processes are released together by a barrier (``integrity_support.race``)
on SQLite and on a private PostgreSQL server. Before the constraints and the
recording lock, 8 of 8 racers recorded a "first" draw, re-draws forked, and
same-seed racers died with an IntegrityError traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from integrity_support import ESCAPED, race, recorded_plan
from postgres_support import PgServer
from sqlalchemy import func, select

from scheduler.draw.plans import list_draws
from scheduler.store.audit_verify import verify_audit
from scheduler.store.engine import make_engine
from scheduler.store.models.assignments import AssignmentRun

RACERS = 6


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database()


def _chain_of(url: str, plan_id: int) -> list[tuple[str, str | None]]:
    """The plan's draws as (draw_id, supersedes), oldest first."""
    engine = make_engine(url)
    try:
        draws = list_draws(engine, plan_id)
    finally:
        engine.dispose()
    return list(zip(draws["draw_id"][::-1], draws["supersedes"][::-1], strict=True))


def _assert_plain_refusals(outcomes, winners: int | None) -> list[str]:
    """Every loser refused with a sentence (exit 1 or 2); ``winners`` won (``None``: at least one).

    Racers with a reason may legitimately win one after another when one of them starts
    only after another has recorded (each then supersedes the draw it saw): what must
    never happen is two winners replacing the same draw, which the chain checks catch.
    """
    assert all(o.code != ESCAPED and "Traceback" not in o.err for o in outcomes), [
        o.err for o in outcomes
    ]
    won = sum(o.code == 0 for o in outcomes)
    if winners is None:
        assert won >= 1, [o.err for o in outcomes]
    else:
        assert won == winners, [o.err for o in outcomes]
    refused = [o.err for o in outcomes if o.code != 0]
    assert all(o.code in (1, 2) for o in outcomes if o.code != 0)
    return refused


def _verified(url: str) -> None:
    engine = make_engine(url)
    try:
        report = verify_audit(engine)
    finally:
        engine.dispose()
    assert report.ok, report.problems


def test_first_draws_race_to_one(url: str) -> None:
    plan_id = recorded_plan(url)
    outcomes = race(
        [
            [
                "--actor",
                f"planner{k}",
                "draw",
                "--plan",
                str(plan_id),
                "--seed",
                str(k),
                "--url",
                url,
            ]
            for k in range(RACERS)
        ]
    )
    refused = _assert_plain_refusals(outcomes, winners=1)
    chain = _chain_of(url, plan_id)
    assert len(chain) == 1 and chain[0][1] is None
    winner = chain[0][0]
    # each loser is told who drew and when
    assert all(winner in err and "drawn by planner" in err and "UTC" in err for err in refused)
    _verified(url)


def test_redraws_race_to_a_chain_not_a_fork(url: str) -> None:
    plan_id = recorded_plan(url)
    from scheduler.cli import main

    assert main(["draw", "--plan", str(plan_id), "--seed", "100", "--url", url]) == 0
    outcomes = race(
        [
            ["draw", "--plan", str(plan_id), "--seed", str(k), "--reason", "已注销", "--url", url]
            for k in range(RACERS)
        ]
    )
    _assert_plain_refusals(outcomes, winners=None)
    won = sum(o.code == 0 for o in outcomes)
    chain = _chain_of(url, plan_id)
    assert len(chain) == 1 + won  # every winner recorded once, no loser recorded
    for (earlier, _), (_, supersedes) in zip(chain, chain[1:], strict=False):
        assert supersedes == earlier  # each re-draw supersedes the one before: a chain
    _verified(url)


def test_redraws_that_saw_the_same_draw_resolve_to_one(url: str) -> None:
    """Deterministic: every racer has read the current draw and drawn before any records."""
    import threading

    from scheduler.draw.plans import run_plan_draw
    from scheduler.errors import ConflictError

    plan_id = recorded_plan(url)
    from scheduler.cli import main

    assert main(["draw", "--plan", str(plan_id), "--seed", "100", "--url", url]) == 0
    first = _chain_of(url, plan_id)[0][0]
    barrier = threading.Barrier(RACERS, timeout=600)
    outcomes: list[str] = []

    def racer(k: int) -> None:
        engine = make_engine(url)
        try:
            run_plan_draw(
                engine, plan_id, 200 + k, actor=f"planner{k}", reason="复核",
                before_record=lambda _result: barrier.wait(),
            )  # fmt: skip
            outcomes.append("won")
        except ConflictError as error:
            outcomes.append(str(error))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=racer, args=(k,)) for k in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1, outcomes
    assert all("drawn meanwhile" in o for o in outcomes if o != "won")
    chain = _chain_of(url, plan_id)
    assert len(chain) == 2 and chain[1][1] == first
    _verified(url)


def test_same_seed_racers_get_a_sentence_not_an_integrity_error(url: str) -> None:
    plan_id = recorded_plan(url)
    outcomes = race(
        [["draw", "--plan", str(plan_id), "--seed", "7", "--url", url] for _ in range(RACERS)]
    )
    refused = _assert_plain_refusals(outcomes, winners=1)
    assert all("IntegrityError" not in err for err in refused)
    assert len(_chain_of(url, plan_id)) == 1


def test_assignment_runs_race_to_one_and_a_second_needs_a_reason(url: str, tmp_path: Path) -> None:
    plan_id = recorded_plan(url)
    from scheduler.cli import main

    assert main(["draw", "--plan", str(plan_id), "--seed", "3", "--url", url]) == 0
    draw_id = _chain_of(url, plan_id)[0][0]

    def assign(k: int, *extra: str) -> list[str]:
        out = tmp_path / f"run{k}" / "a.csv"
        return ["assign", "--url", url, "--draw-id", draw_id, "--seed", str(k),
                "--allow-partial", "--out", str(out), *extra]  # fmt: skip

    outcomes = race([assign(k) for k in range(RACERS)])
    _assert_plain_refusals(outcomes, winners=1)
    # files only for the run that was recorded (written after the commit)
    written = sorted(p.parent.name for p in tmp_path.glob("run*/a.csv"))
    assert written == [f"run{k}" for k, o in enumerate(outcomes) if o.code == 0]
    assert main(assign(50)) == 2  # a second run without a reason is refused
    outcomes = race([assign(100 + k, "--reason", "组长回避") for k in range(RACERS)])
    _assert_plain_refusals(outcomes, winners=None)
    won = sum(o.code == 0 for o in outcomes)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                select(AssignmentRun.__table__.c.id, AssignmentRun.__table__.c.supersedes).order_by(  # type: ignore[attr-defined]
                    AssignmentRun.__table__.c.id
                )  # type: ignore[attr-defined]
            ).all()
            n_events = connection.execute(
                select(func.count()).select_from(AssignmentRun.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
    finally:
        engine.dispose()
    assert n_events == 2 + won - 1  # the first run, then one per winning re-run
    assert runs[0][1] is None
    assert all(later[1] == earlier[0] for earlier, later in zip(runs, runs[1:], strict=False))
    _verified(url)


def test_first_loads_into_an_empty_database_race_without_a_traceback(
    url: str, sample_dir: Path
) -> None:
    outcomes = race([["db", "load", str(sample_dir), "--url", url] for _ in range(3)])
    assert all(o.code == 0 for o in outcomes), [o.err for o in outcomes]
    from scheduler.data.importing.reader import read_folder
    from scheduler.store.loader import row_counts

    engine = make_engine(url)
    try:
        counts = row_counts(engine)
    finally:
        engine.dispose()
    assert counts["departments"] == len(read_folder(sample_dir).departments)
    _verified(url)
