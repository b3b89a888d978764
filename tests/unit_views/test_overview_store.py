"""The overview computed in SQL equals ``scheduler.views.overview`` on the directory read back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from scheduler.draw.tiers import effective_tiers
from scheduler.store.engine import make_engine, session_scope
from scheduler.store.loader import directory_from_db
from scheduler.store.models import DirectorySummary, Entity
from scheduler.views import overview
from scheduler.views.overview_store import overview_from_db, stored_overview, tier_mix_from_db

DAY = date(2026, 11, 26)


@pytest.fixture
def engine(sample_db: str) -> Engine:
    engine = make_engine(sample_db)
    yield engine
    engine.dispose()


def test_overview_from_sql_equals_the_in_memory_overview(engine: Engine) -> None:
    whole = directory_from_db(engine)
    got = overview_from_db(engine, today=DAY)
    assert got.totals == overview.totals(whole)
    pd.testing.assert_frame_equal(got.by_region, overview.entities_by_region(whole))
    pd.testing.assert_frame_equal(got.by_type, overview.entities_by_type(whole))
    pd.testing.assert_frame_equal(got.by_department, overview.inspectors_by_department(whole))
    assert got.warnings == overview.data_quality(whole, today=DAY)
    assert {w.kind for w in got.warnings} >= {"expired_rating", "not_active"}


def test_stored_overview_round_trips_and_is_kept_per_version(engine: Engine) -> None:
    fresh = overview_from_db(engine, today=DAY)
    stored = stored_overview(engine, today=DAY)
    assert stored.totals == fresh.totals
    pd.testing.assert_frame_equal(stored.by_region, fresh.by_region, check_dtype=False)
    pd.testing.assert_frame_equal(stored.by_type, fresh.by_type, check_dtype=False)
    pd.testing.assert_frame_equal(stored.by_department, fresh.by_department, check_dtype=False)
    assert stored.warnings == fresh.warnings
    with session_scope(engine) as session:  # an edit is a new version: recomputed
        entity = session.execute(select(Entity).limit(1)).scalars().one()
        entity.status = "注销"
    assert stored_overview(engine, today=DAY).totals.active_entities == (
        fresh.totals.active_entities - 1
    )
    with engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(DirectorySummary)).scalar_one()
    assert kept >= 2


def test_a_new_day_reuses_the_version_and_recomputes_only_the_day(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scheduler.views.overview_store as store

    stored_overview(engine, today=DAY)
    later = date(2028, 6, 30)  # more ratings have expired by then
    expected = overview_from_db(engine, today=later)
    expired = {w.kind: w.count for w in expected.warnings}["expired_rating"]
    assert expired > {w.kind: w.count for w in stored_overview(engine, today=DAY).warnings}.get(
        "expired_rating", 0
    )

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("a new day recomputed the whole overview")

    monkeypatch.setattr(store, "overview_from_db", whole)
    got = stored_overview(engine, today=later)
    assert got.totals == expected.totals
    pd.testing.assert_frame_equal(got.by_region, expected.by_region, check_dtype=False)
    pd.testing.assert_frame_equal(got.by_type, expected.by_type, check_dtype=False)
    pd.testing.assert_frame_equal(got.by_department, expected.by_department, check_dtype=False)
    assert got.warnings == expected.warnings
    assert stored_overview(engine, today=later).warnings == expected.warnings  # stored for the day


def test_tier_mix_from_the_database(engine: Engine) -> None:
    whole = directory_from_db(engine)
    order = ("A", "B", "C", "D")
    for department in ("PUBLIC", "MARKET"):
        expected = overview.tier_mix(
            whole.entities["region_code"], effective_tiers(whole, department, on=DAY), order
        )
        got = tier_mix_from_db(engine, department, on=DAY, tier_order=order)
        pd.testing.assert_frame_equal(got, expected, check_names=False)
        again = tier_mix_from_db(engine, department, on=DAY, tier_order=order)
        pd.testing.assert_frame_equal(again, got)


def test_a_new_day_moves_the_stored_tier_mix_by_the_entities_that_changed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scheduler.views.overview_store as store

    whole = directory_from_db(engine)
    order = ("A", "B", "C", "D")
    for department in ("PUBLIC", "MARKET"):
        tier_mix_from_db(engine, department, on=DAY, tier_order=order)  # stored for DAY
    monkeypatch.setattr(store, "read_table", _no_whole_table(store.read_table))
    for department in ("PUBLIC", "MARKET"):
        for later in (date(2027, 3, 1), date(2028, 6, 30), date(2025, 12, 31)):
            expected = overview.tier_mix(
                whole.entities["region_code"], effective_tiers(whole, department, on=later), order
            )
            assert not expected.equals(  # the tiers did change between the days
                tier_mix_from_db(engine, department, on=DAY, tier_order=order)
            )
            got = tier_mix_from_db(engine, department, on=later, tier_order=order)
            pd.testing.assert_frame_equal(got, expected, check_names=False)


def _no_whole_table(read_table):  # type: ignore[no-untyped-def]
    def read(connection, name, *, columns=None, where=None):  # type: ignore[no-untyped-def]
        assert where is not None, f"a new day read the whole {name} table"
        return read_table(connection, name, columns=columns, where=where)

    return read


def _summaries(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(DirectorySummary)).scalar_one()


def test_the_load_workflow_stores_the_overview_and_the_store_alone_does_not(
    tmp_path: Path, sample_dir: Path
) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.store.engine import init_db
    from scheduler.store.loader import load_directory
    from scheduler.views.loading import load_with_overview

    directory = read_folder(sample_dir)
    plain = make_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    init_db(plain)
    load_directory(plain, directory)  # the store knows nothing of views
    assert _summaries(plain) == 0
    full = make_engine(f"sqlite:///{tmp_path / 'full.sqlite'}")
    init_db(full)
    load_with_overview(full, directory)
    assert _summaries(full) >= 1
    plain.dispose()
    full.dispose()
