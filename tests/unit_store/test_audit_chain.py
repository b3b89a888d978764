"""The tamper-evident record: hash chain, digests of draws and runs, append-only triggers.

Each tamper is done as an attacker with write access would do it (raw SQL,
after dropping the triggers where they stand in the way) and ``scheduler
audit verify`` must exit 1 naming the broken link. Runs on SQLite and on a
private PostgreSQL server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from integrity_support import END, START, recorded_plan
from postgres_support import PgServer
from sqlalchemy import Engine, delete, text
from sqlalchemy.exc import DatabaseError
from sqlite_support import copy_sqlite

from scheduler.cli import main
from scheduler.store.audit_chain import chain_head
from scheduler.store.audit_verify import verify_audit
from scheduler.store.engine import make_engine, record_event, session_scope
from scheduler.store.models.core import AuditEvent


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database()


def _record(url: str, folder: Path) -> tuple[str, int]:
    """A plan drawn, re-drawn, substituted and assigned; returns (draw id, run id)."""
    plan_id = recorded_plan(url)
    assert main(["draw", "--plan", str(plan_id), "--seed", "1", "--url", url]) == 0
    args = ["draw", "--plan", str(plan_id), "--seed", "2", "--reason", "复核", "--url", url]
    assert main(args) == 0
    engine = make_engine(url)
    from scheduler.draw.plans import current_draw, draw_rows

    draw_id = current_draw(engine, plan_id)
    assert draw_id is not None
    uscc = str(draw_rows(engine, draw_id)["uscc"].iloc[0])
    args = ["substitute", "--draw-id", draw_id, "--uscc", uscc, "--reason", "已注销", "--url", url]
    assert main(args) == 0
    out = folder / "a.csv"
    assign = ["assign", "--url", url, "--draw-id", draw_id, "--seed", "4", "--allow-partial",
              "--start", str(START), "--end", str(END), "--out", str(out)]  # fmt: skip
    assert main(assign) == 0
    with engine.connect() as connection:
        run_id = connection.execute(text("SELECT max(id) FROM assignmentrun")).scalar_one()
    engine.dispose()
    return draw_id, int(run_id)


@pytest.fixture(scope="session")
def recorded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """The record built once on SQLite: (file, draw id, run id)."""
    folder = tmp_path_factory.mktemp("recorded-sqlite")
    path = folder / "db.sqlite"
    return (path, *_record(f"sqlite:///{path}", folder))


@pytest.fixture(scope="session")
def recorded_postgresql(
    pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, int]:
    """The record built once on PostgreSQL: (template database URL, draw id, run id)."""
    url = pg_server.create_database()
    return (url, *_record(url, tmp_path_factory.mktemp("recorded-postgresql")))


@pytest.fixture
def recorded(url: str, request: pytest.FixtureRequest) -> tuple[str, Engine, str, int]:
    """The test's own copy of the record: (url, engine, draw id, run id). Each tamper
    happens on a copy; the record itself is built once per dialect."""
    if url.startswith("sqlite"):
        path, draw_id, run_id = request.getfixturevalue("recorded_sqlite")
        copy_sqlite(path, Path(url.removeprefix("sqlite:///")))
    else:
        template, draw_id, run_id = request.getfixturevalue("recorded_postgresql")
        url = request.getfixturevalue("pg_server").create_database(template=template)
    engine = make_engine(url)
    yield url, engine, draw_id, run_id
    engine.dispose()


def _drop_guards(engine: Engine) -> None:
    """What an attacker with the database owner's rights does first."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER auditevent_no_update"))
            connection.execute(text("DROP TRIGGER auditevent_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER auditevent_no_change ON auditevent"))


def _raw(engine: Engine, *statements: str) -> None:
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--url", url])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_untouched_record_verifies(recorded, capsys) -> None:
    url, engine, _, _ = recorded
    code, said = _verify(url, capsys)
    assert code == 0, said
    assert str(chain_head(engine)) in said.replace("\n", " ")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditevent SET actor = 'someone else' WHERE seq = 2",
        "DELETE FROM auditevent WHERE seq = 2",
        "DELETE FROM auditevent",
    ],
)
def test_the_database_refuses_changes_to_the_log(recorded, statement: str) -> None:
    _, engine, _, _ = recorded
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(engine, statement)


def test_core_delete_is_refused_too(recorded) -> None:
    _, engine, _, _ = recorded
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(delete(AuditEvent.__table__))  # type: ignore[attr-defined]


def test_edited_event_is_detected(recorded, capsys) -> None:
    url, engine, _, _ = recorded
    _drop_guards(engine)
    _raw(engine, "UPDATE auditevent SET actor = 'nobody' WHERE seq = 3")
    code, said = _verify(url, capsys)
    assert code == 1
    assert "broken: event 3 " in said and "changed after it was recorded" in said


def test_deleted_event_is_detected(recorded, capsys) -> None:
    url, engine, _, _ = recorded
    _drop_guards(engine)
    _raw(engine, "DELETE FROM auditevent WHERE seq = 4")
    code, said = _verify(url, capsys)
    assert code == 1
    assert "broken: event 5 " in said and "events 4..4 are missing" in said


def test_deleted_last_event_is_detected(recorded, capsys) -> None:
    url, engine, _, _ = recorded
    last = chain_head(engine).seq
    _drop_guards(engine)
    _raw(engine, f"DELETE FROM auditevent WHERE seq = {last}")
    code, said = _verify(url, capsys)
    assert code == 1
    assert "last events were removed" in said


def test_changed_seed_of_a_stored_draw_is_detected(recorded, capsys) -> None:
    url, engine, draw_id, _ = recorded
    _raw(engine, f"UPDATE draw SET seed = '999' WHERE draw_id = '{draw_id}'")
    code, said = _verify(url, capsys)
    assert code == 1
    assert f"draw {draw_id}: the stored draw" in said


def test_edited_assignment_row_is_detected(recorded, capsys) -> None:
    url, engine, _, run_id = recorded
    _raw(
        engine,
        "UPDATE assignmentrow SET lead_inspector_id = 'X' WHERE id = "
        f"(SELECT min(id) FROM assignmentrow WHERE run_id = {run_id})",
    )
    code, said = _verify(url, capsys)
    assert code == 1
    assert f"assignment run {run_id}: the stored rows differ" in said


def test_deleted_and_remade_draw_with_a_back_dated_time_is_detected(
    recorded,
    capsys,
) -> None:
    """Delete the current draw, re-make it with another seed, back-date it: both show."""
    url, engine, draw_id, run_id = recorded
    with engine.connect() as connection:
        plan_id, supersedes = connection.execute(
            text(f"SELECT plan_id, supersedes FROM draw WHERE draw_id = '{draw_id}'")
        ).one()
    _raw(
        engine,
        f"DELETE FROM assignmentrow WHERE run_id = {run_id}",
        f"DELETE FROM unassignedrow WHERE run_id = {run_id}",
        f"DELETE FROM assignmentrun WHERE id = {run_id}",
        f"DELETE FROM substitution WHERE draw_id = '{draw_id}'",
        f"DELETE FROM drawnentity WHERE draw_id = '{draw_id}'",
        f"DELETE FROM reserveentity WHERE draw_id = '{draw_id}'",
        f"DELETE FROM draw WHERE draw_id = '{draw_id}'",
    )
    from scheduler.draw.plans import run_plan_draw

    remade = run_plan_draw(engine, plan_id, 77, reason="复核", actor="root").draw_id
    _raw(engine, f"UPDATE draw SET created_at = '2026-01-01 08:00:00' WHERE draw_id = '{remade}'")
    code, said = _verify(url, capsys)
    assert code == 1
    assert f"recorded draw {draw_id}, which is no longer stored" in said
    assert f"draw {remade}: the stored draw" in said
    assert supersedes is not None


def test_concurrent_appends_never_fork_the_chain(url: str) -> None:
    """Forked processes append 20 events each at once; the chain stays one line."""
    import multiprocessing

    from scheduler.store.engine import init_db

    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)

    def append(k: int) -> None:
        own = make_engine(url)
        barrier.wait()
        for i in range(20):
            with session_scope(own) as session:
                record_event(session, "test.append", f"p{k}", {"i": i}, actor=f"p{k}")
        own.dispose()

    processes = [context.Process(target=append, args=(k,)) for k in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    assert all(p.exitcode == 0 for p in processes)
    engine = make_engine(url)
    try:
        report = verify_audit(engine)
        assert report.ok, report.problems
        assert report.events == 80 and chain_head(engine).seq == 80
    finally:
        engine.dispose()


def test_public_list_carries_the_chain_head(recorded, tmp_path: Path, capsys) -> None:
    url, engine, draw_id, _ = recorded
    out = tmp_path / "public.json"
    capsys.readouterr()
    code = main(
        [
            "export",
            "--kind",
            "public",
            "--format",
            "json",
            "--draw-id",
            draw_id,
            "--url",
            url,
            "--out",
            str(out),
        ]  # fmt: skip
    )
    assert code == 0, capsys.readouterr().err
    head = str(chain_head(engine))
    assert json.loads(out.read_text(encoding="utf-8"))["audit_chain_head"] == head
    assert head in capsys.readouterr().out.replace("\n", " ")


def test_actor_is_the_option_or_the_os_user(url: str) -> None:
    import getpass

    plan_id = recorded_plan(url)
    assert (
        main(["--actor", "王科长", "draw", "--plan", str(plan_id), "--seed", "1", "--url", url])
        == 0
    )
    assert main(["audit", "verify", "--url", url]) == 0
    from scheduler.store.auditlog import read_events

    engine = make_engine(url)
    try:
        events = read_events(engine, kinds=["draw.created"])
        assert events["actor"].tolist() == ["王科长"]
        from scheduler.draw.plans import current_draw

        draw_id = current_draw(engine, plan_id)
        from sqlmodel import Session

        from scheduler.draw.plans import _draw_row

        with Session(engine) as session:
            assert _draw_row(session, draw_id).created_by == "王科长"
    finally:
        engine.dispose()
    assert main(["plan", "create", "--department", "MARKET", "--budget", "5", "--url", url]) == 0
    engine = make_engine(url)
    try:
        events = read_events(engine, kinds=["plan.created"])
        assert events["actor"].iloc[0] == getpass.getuser()
    finally:
        engine.dispose()


def test_backfill_chains_events_recorded_before_the_chain(tmp_path: Path) -> None:
    """The migration helper: unchained legacy events become a chain that verifies."""
    from scheduler.store.audit_chain import backfill_chain
    from scheduler.store.engine import init_db

    engine = make_engine(f"sqlite:///{tmp_path / 'legacy.sqlite'}")
    try:
        init_db(engine)
        with session_scope(engine) as session:  # as the old record_event did
            for i in range(3):
                session.add(AuditEvent(kind="legacy", subject=f"s{i}", details={"i": i}))
        assert not verify_audit(engine).ok  # unchained events are reported
        _drop_guards(engine)
        with engine.begin() as connection:
            assert backfill_chain(connection) == 3
        with session_scope(engine) as session:
            record_event(session, "after", "x", {}, actor="test")
        report = verify_audit(engine)
        assert report.ok, report.problems
        assert report.events == 4 and chain_head(engine).seq == 4
    finally:
        engine.dispose()


def test_edited_frame_snapshot_is_detected_by_audit_verify(recorded, capsys) -> None:
    """``audit verify`` re-derives every draw from its stored frame: a unit's tier changed
    in the snapshot (so that the draw would select others) is a broken record."""
    import gzip

    from sqlalchemy import update

    from scheduler.store.models.plans import FrameSnapshot

    url, engine, draw_id, _ = recorded
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT frame_sha256, data FROM framesnapshot")).first()
    lines = gzip.decompress(stored[1]).decode().splitlines()
    lines[3] = lines[3][:-1] + ("A" if lines[3][-1] != "A" else "B")
    with engine.begin() as connection:
        connection.execute(
            update(FrameSnapshot.__table__)  # type: ignore[attr-defined]
            .where(FrameSnapshot.__table__.c.frame_sha256 == stored[0])  # type: ignore[attr-defined]
            .values(data=gzip.compress("\n".join(lines).encode()))
        )
    code, output = _verify(url, capsys)
    assert code == 1
    assert "does not re-derive from its frame snapshot" in output and "edited snapshot" in output
