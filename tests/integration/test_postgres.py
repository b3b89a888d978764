"""The whole database path against a live, private PostgreSQL server.

The foundation promises "any SQLAlchemy URL; nothing SQLite-only". These tests
start a throw-away PostgreSQL server (``initdb`` + ``pg_ctl`` from
``/usr/lib/postgresql/*/bin``, on a free localhost port, as the unprivileged
``postgres`` user when the tests run as root) and drive the real code paths:
``db load`` of the committed ``sample_data/``, plans, recorded draws, verify,
assignment runs, results and deadlines, the demo. Missing PostgreSQL binaries
fail the run (CI installs them through ``run.sh``); they are never skipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from postgres_support import PgServer
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from scheduler.cli import main
from scheduler.data.formats import TABLES
from scheduler.data.importing.reader import read_folder
from scheduler.store.engine import init_db, make_engine, record_event, session_scope
from scheduler.store.loader import directory_from_db, row_counts


@pytest.fixture(scope="module")
def loaded_url(pg_server: PgServer, sample_dir: Path) -> str:
    """A database with ``sample_data/`` loaded through ``scheduler db load``."""
    url = pg_server.create_database()
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "load", str(sample_dir), "--url", url]) == 0
    return url


@pytest.fixture
def engine(loaded_url: str) -> Iterator[Engine]:
    engine = make_engine(loaded_url)
    yield engine
    engine.dispose()


def _expected_counts(sample_dir: Path) -> dict[str, int]:
    return {name: len(frame) for name, frame in read_folder(sample_dir).tables().items()}


def test_load_sample_data_counts_and_idempotent_reload(
    loaded_url: str, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(loaded_url)
    try:
        assert engine.dialect.name == "postgresql"
        expected = _expected_counts(sample_dir)
        counts = row_counts(engine)
        assert {k: counts[k] for k in expected} == expected
        assert counts["entities"] == 20_000 and counts["qualifications"] > 0
        assert main(["db", "load", str(sample_dir), "--url", loaded_url]) == 0
        assert row_counts(engine) == counts
        assert main(["db", "info", "--url", loaded_url]) == 0
        assert "20,000" in capsys.readouterr().out
    finally:
        engine.dispose()


def test_bad_folder_leaves_the_database_untouched(
    loaded_url: str, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(sample_dir, folder)
    entities = pd.read_csv(folder / "entities.csv", dtype=str, keep_default_na=False)
    entities.loc[0, "name"] = "改过的名称"
    entities.loc[1, "uscc"] = "NOT-A-USCC"
    entities.to_csv(folder / "entities.csv", index=False)
    engine = make_engine(loaded_url)
    try:
        before = row_counts(engine)
        assert main(["db", "load", str(folder), "--url", loaded_url]) == 2
        assert "entities" in capsys.readouterr().err
        assert row_counts(engine) == before
        names = directory_from_db(engine).entities["name"]
        assert "改过的名称" not in set(names)
    finally:
        engine.dispose()


def test_directory_from_db_equals_the_folder(engine: Engine, sample_dir: Path) -> None:
    folder = read_folder(sample_dir)
    back = directory_from_db(engine)
    for name, frame in folder.tables().items():
        expected = frame.sort_values(list(TABLES[name].key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(back.table(name), expected, check_dtype=True)


def test_database_side_selection_and_overview_equal_sqlite(
    engine: Engine, sample_dir: Path, tmp_path: Path
) -> None:
    """Frame selection, staffing rows and the SQL overview: the same on PostgreSQL as on SQLite."""
    from scheduler.draw.db_scope import frame_directory, staffing_directory
    from scheduler.draw.frame import FrameRules, build_frame
    from scheduler.draw.tiers import effective_tiers
    from scheduler.store.loader import load_directory
    from scheduler.views import overview
    from scheduler.views.overview_store import (
        overview_from_db,
        stored_overview,
        tier_mix_from_db,
        tier_mix_in_db,
    )

    lite = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(lite)
    load_directory(lite, read_folder(sample_dir))
    whole = directory_from_db(engine)
    for rules in (
        FrameRules("MARKET", date(2026, 3, 1), regions=("370702",)),
        FrameRules("TAX", date(2026, 11, 26), sectors=("taxpayer",), entity_types=("企业",)),
    ):
        expected = build_frame(whole, rules)
        for database in (engine, lite):
            got = build_frame(frame_directory(database, rules), rules)
            pd.testing.assert_frame_equal(got.units, expected.units)
            pd.testing.assert_frame_equal(got.excluded, expected.excluded)
    wanted = whole.entities["uscc"].iloc[::40].tolist()
    pg_rows, lite_rows = staffing_directory(engine, wanted), staffing_directory(lite, wanted)
    for name in ("entities", "conflicts", "history", "inspectors"):
        pd.testing.assert_frame_equal(pg_rows.table(name), lite_rows.table(name))
    day = date(2026, 11, 26)
    pg_view, lite_view = overview_from_db(engine, today=day), overview_from_db(lite, today=day)
    assert pg_view.totals == lite_view.totals
    assert pg_view.warnings == lite_view.warnings
    pd.testing.assert_frame_equal(pg_view.by_region, lite_view.by_region)
    pd.testing.assert_frame_equal(pg_view.by_type, lite_view.by_type)
    order = ("A", "B", "C", "D")
    for department in ("PUBLIC", "MARKET"):
        tiers = effective_tiers(whole, department, on=day)
        expected_mix = overview.tier_mix(whole.entities["region_code"], tiers, order)
        for database in (engine, lite):
            with database.connect() as connection:
                mix = tier_mix_in_db(
                    connection, department, on=day, tier_order=order, default_tier="B"
                )
            pd.testing.assert_frame_equal(
                mix,
                expected_mix,
                check_names=False,
                check_index_type=False,
                check_column_type=False,
            )
    # a new day moves the stored overview and tier mix (PostgreSQL) to what SQLite computes afresh
    later = date(2028, 6, 30)
    stored_overview(engine, today=day)
    moved, fresh = stored_overview(engine, today=later), overview_from_db(lite, today=later)
    assert moved.totals == fresh.totals
    assert moved.warnings == fresh.warnings
    for department in ("PUBLIC", "MARKET"):
        tier_mix_from_db(engine, department, on=day, tier_order=order)
        pd.testing.assert_frame_equal(
            tier_mix_from_db(engine, department, on=later, tier_order=order),
            tier_mix_from_db(lite, department, on=later, tier_order=order),
        )
    lite.dispose()


def _create_plan(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> int:
    args = ["plan", "create", "--department", "MARKET", "--budget", "40", "--url", url]
    assert main([*args, "--start", "2026-12-01", "--end", "2026-12-31", *extra]) == 0
    out = capsys.readouterr().out
    return int(out.split("plan ")[1].split()[0])


def test_plan_draw_redraw_verify_and_audit(
    loaded_url: str, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.draw.plans import draw_receipt, draw_rows, list_draws
    from scheduler.store.auditlog import read_events

    plan_id = _create_plan(loaded_url, capsys, "--name", "市场监管 12月 双随机")
    draw_csv, receipt = tmp_path / "draw.csv", tmp_path / "receipt.json"
    base = ["draw", "--plan", str(plan_id), "--url", loaded_url]
    assert main([*base, "--seed", "7", "--out", str(draw_csv), "--receipt", str(receipt)]) == 0
    capsys.readouterr()
    verify = ["verify", "--data", str(sample_dir), "--draw", str(draw_csv)]
    assert main([*verify, "--receipt", str(receipt)]) == 0  # the database's frame is the folder's
    assert "match" in capsys.readouterr().out
    assert main([*base, "--seed", "8"]) == 2
    err = capsys.readouterr().err
    assert "needs a reason" in err and "(option --reason)" in err
    # a 128-bit seed (commit-reveal size) is recorded exactly
    big_seed = str(2**127 + 12345)
    assert main([*base, "--seed", big_seed, "--reason", "名录库更新后重抽"]) == 0
    engine = make_engine(loaded_url)
    try:
        draws = list_draws(engine, plan_id)
        assert len(draws) == 2 and draws["seed"].iloc[0] == big_seed
        old, new = draws["draw_id"].iloc[1], draws["draw_id"].iloc[0]
        assert draws["superseded_by"].iloc[1] == new and draws["supersedes"].iloc[0] == old
        assert len(draw_rows(engine, new)) == 40
        events = read_events(engine, subject="DR-")
        assert {"draw.created", "draw.redrawn"} <= set(events["kind"])
        redrawn = events.loc[events["kind"] == "draw.redrawn", "details"].iloc[0]
        assert redrawn["reason"] == "名录库更新后重抽" and redrawn["supersedes"] == old
        victim = draw_rows(engine, new)["uscc"].iloc[0]
        substitute = ["substitute", "--draw-id", new, "--uscc", victim, "--reason", "迁出"]
        assert main([*substitute, "--url", loaded_url]) == 0
        assert victim not in set(draw_rows(engine, new)["uscc"])
        stamped = draw_receipt(engine, new)["substitutions"][0]["at"]  # "...Z": must be UTC
        at = datetime.strptime(stamped, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs((datetime.now(UTC) - at).total_seconds()) < 120
        # both draws share one frame snapshot; the substituted draw re-runs from it
        assert main(["verify", "--draw-id", new, "--url", loaded_url]) == 0
        capsys.readouterr()
        assert main(["plan", "list", "--url", loaded_url]) == 0
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore::scheduler.data.calendar.CalendarFallbackWarning")  # 2027 dates
def test_assign_recorded_draw_and_publication_lifecycle(
    loaded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.draw.plans import draw_rows, list_draws
    from scheduler.store.models.assignments import AssignmentRow, AssignmentRun

    plan_id = _create_plan(loaded_url, capsys)
    assert main(["draw", "--plan", str(plan_id), "--seed", "11", "--url", loaded_url]) == 0
    engine = make_engine(loaded_url)
    try:
        draw_id = str(list_draws(engine, plan_id)["draw_id"].iloc[0])
        out = tmp_path / "assignment.csv"
        seed = 2**40 + 3  # wider than a 32-bit INTEGER
        args = ["assign", "--draw-id", draw_id, "--url", loaded_url, "--seed", str(seed)]
        code = main([*args, "--allow-partial", "--out", str(out)])
        assert code == 0, capsys.readouterr().err
        assert "recorded as assignment run" in capsys.readouterr().out
        with Session(engine) as session:
            run = session.execute(select(AssignmentRun).order_by(AssignmentRun.id.desc())).scalar()
            assert run is not None and run.seed == seed and run.settings["team_size"] == 2
            rows = session.execute(
                select(AssignmentRow).where(AssignmentRow.run_id == run.id)
            ).scalars()
            scheduled = {r.uscc: r.scheduled_on for r in rows}
        assert scheduled and all(
            date(2026, 12, 1) <= d <= date(2026, 12, 31) for d in scheduled.values()
        )
        # results of the inspections, one a finding (09: down one tier)
        tiers = draw_rows(engine, draw_id).set_index("uscc")["tier"]
        best = sorted(u for u in scheduled if tiers[u] == "A")
        usccs = [*sorted(u for u in scheduled if tiers[u] != "A")[:2], best[0]]
        results = pd.DataFrame(
            {
                "uscc": usccs,
                "department_code": "MARKET",
                "inspected_on": [scheduled[u].isoformat() for u in usccs],
                "result_code": ["01", "01", "09"],
                "draw_id": draw_id,
            }
        )
        results.to_csv(tmp_path / "results.csv", index=False)
        assert main(["results", "import", str(tmp_path / "results.csv"), "--url", loaded_url]) == 0
        assert "recorded 3 results (1 tier changes)" in capsys.readouterr().out
        # importing the same results again is refused and writes nothing
        assert main(["results", "import", str(tmp_path / "results.csv"), "--url", loaded_url]) == 2
        capsys.readouterr()
        assert main(["deadlines", "--on", "2026-12-31", "--url", loaded_url]) == 0
        summary = _deadline_counts(capsys.readouterr().out)
        assert sum(summary.values()) == 4  # 3 publications + 1 rating report
        assert main(["deadlines", "--on", "2027-06-01", "--url", loaded_url]) == 0
        assert _deadline_counts(capsys.readouterr().out)["overdue"] == 4
        tasks = tmp_path / "tasks.csv"
        export = ["export", "--draw-id", draw_id, "--url", loaded_url, "--kind", "tasks"]
        assert main([*export, "--format", "csv", "--out", str(tasks)]) == 0
        assert len(pd.read_csv(tasks, dtype=str, encoding="utf-8-sig")) == len(scheduled)
        public = tmp_path / "public.json"
        publish = ["publish", "--out", str(public), "--format", "json", "--draw-id", draw_id]
        assert main([*publish, "--on", "2026-12-31", "--url", loaded_url]) == 0
        assert set(usccs) <= set(public.read_text(encoding="utf-8").split('"'))
    finally:
        engine.dispose()


def _deadline_counts(out: str) -> dict[str, int]:
    """The closing ``due N, overdue N, done N, late N`` line of ``scheduler deadlines``."""
    last = out.strip().splitlines()[-1]
    return {k: int(v) for k, v in (part.split() for part in last.split(", "))}


def test_prepare_demo_twice(pg_server: PgServer, sample_dir: Path) -> None:
    from scheduler.store.loader import load_directory
    from scheduler.views.demo import prepare_demo

    engine = make_engine(pg_server.create_database())
    try:
        init_db(engine)
        load_directory(engine, read_folder(sample_dir))
        first = prepare_demo(engine, seed=20261126)
        assert first.created and first.sample_size > 0
        again = prepare_demo(engine, seed=20261126)
        assert again == type(first)(
            first.plan_id, first.draw_id, first.run_id, first.sample_size, False
        )
    finally:
        engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    return request.getfixturevalue("pg_server").create_database()


def test_timestamps_read_back_in_utc_on_every_dialect(any_url: str) -> None:
    """The server runs in Asia/Shanghai; timestamps still come back as the same UTC instants.

    (SQLModel's ``UTCDateTime``, the type of every ``datetime`` field since
    sqlmodel 0.0.45; a plain ``DateTime`` would read back server-local time.)
    """
    from scheduler.store.models.core import AuditEvent

    engine = make_engine(any_url)
    try:
        init_db(engine)
        local = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
        with session_scope(engine) as session:
            record_event(session, "test.now", "x", {"seed": str(2**100), "ok": True})
            session.add(AuditEvent(at=local, kind="test.local"))
        with Session(engine) as session:
            events = {e.kind: e for e in session.execute(select(AuditEvent)).scalars()}
            if engine.dialect.name == "postgresql":
                zone = session.execute(select(func.current_setting("TimeZone"))).scalar_one()
                assert zone == "Asia/Shanghai"
        assert all(e.at.utcoffset() == timedelta(0) for e in events.values())
        assert abs((datetime.now(UTC) - events["test.now"].at).total_seconds()) < 120
        assert events["test.local"].at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
        assert str(events["test.local"].at) == "2026-12-01 01:30:00+00:00"
        assert events["test.now"].details == {"seed": str(2**100), "ok": True}
    finally:
        engine.dispose()


def test_results_import_of_more_rows_than_bound_parameters(any_url: str) -> None:
    """66,000 results: more than PostgreSQL's 65,535 parameters in one ``IN (...)``."""
    from scheduler.data.calendar import default_calendar
    from scheduler.errors import InvalidInputError
    from scheduler.publication.results import import_results

    engine = make_engine(any_url)
    try:
        init_db(engine)
        n = 66_000
        results = pd.DataFrame(
            {
                "uscc": [f"9137070000{i:08d}" for i in range(n)],
                "department_code": "MARKET",
                "inspected_on": pd.Timestamp("2026-12-01"),
                "result_code": "01",
            }
        )
        with pytest.raises(InvalidInputError) as raised, session_scope(engine) as session:
            import_results(session, results, calendar=default_calendar())
        assert len(raised.value.problems) == n  # every unknown entity named, no driver error
    finally:
        engine.dispose()


def test_directory_from_db_orders_keys_by_code_point(pg_url: str) -> None:
    """The server collates en-US (ICU): "b1" < "B2" there, "B2" < "b1" in Python and SQLite."""
    from importer_support import as_documented, minimal_directory

    from scheduler.data.directory import Directory
    from scheduler.store.loader import load_directory

    tables = minimal_directory().tables()
    tables["inspectors"] = as_documented(tables["inspectors"].assign(inspector_id=["b1", "B2"]))
    tables["conflicts"] = as_documented(tables["conflicts"].assign(inspector_id=["b1"]))
    engine = make_engine(pg_url)
    try:
        init_db(engine)
        load_directory(engine, Directory.from_tables(tables))
        back = directory_from_db(engine)
        assert back.inspectors["inspector_id"].tolist() == ["B2", "b1"]
        for name, frame in tables.items():
            expected = frame.sort_values(list(TABLES[name].key)).reset_index(drop=True)
            pd.testing.assert_frame_equal(back.table(name), expected, check_dtype=True)
    finally:
        engine.dispose()


def test_text_longer_than_its_column_is_refused_on_every_dialect(
    any_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL enforces VARCHAR(32) for an inspector id; SQLite would have stored it."""
    from importer_support import as_documented, minimal_directory

    from scheduler.data.directory import Directory
    from scheduler.data.folder_writer import write_folder

    tables = minimal_directory().tables()
    long_id = "LF" + "0" * 38
    extra = tables["inspectors"].iloc[[0]].assign(inspector_id=long_id)
    tables["inspectors"] = as_documented(pd.concat([tables["inspectors"], extra]))
    folder = tmp_path / "data"
    write_folder(Directory.from_tables(tables), folder)
    assert main(["db", "load", str(folder), "--url", any_url]) == 2
    err = capsys.readouterr().err
    assert "inspectors, row 4, column 'inspector_id'" in err and "at most 32" in err
    engine = make_engine(any_url)
    try:
        assert set(row_counts(engine).values()) == {0}
    finally:
        engine.dispose()


def test_dashboard_on_postgresql(
    pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page renders on a loaded PostgreSQL database; a plan is drawn and staffed."""
    from dashboard_support import APP, app_at, drawn, metrics, seed_database, write_small_folder

    from scheduler.settings import get_settings
    from scheduler.store.auditlog import read_events

    url = pg_server.create_database()
    seed_database(url, write_small_folder(tmp_path / "data"))
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = app_at()
        for page in sorted(p.name for p in (APP.parent / "app_pages").glob("*.py")):
            at.switch_page(f"app_pages/{page}").run()
            assert not at.exception and not at.error, (page, at.exception, at.error)
        drawn(at)
        drawn_count = int(metrics(at)["抽中"])
        at.switch_page("app_pages/matching.py").run()
        at.button(key="FormSubmitter:matching__form-运行匹配").click().run(timeout=60)
        assert not at.exception and int(metrics(at)["检查次数"]) == drawn_count
        engine = make_engine(url)
        try:
            kinds = set(read_events(engine)["kind"])
        finally:
            engine.dispose()
        assert {"directory.load", "plan.created", "draw.created", "assignment.run"} <= kinds
    finally:
        get_settings.cache_clear()
