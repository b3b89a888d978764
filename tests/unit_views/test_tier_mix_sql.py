"""The tier mix computed in SQL equals ``overview.tier_mix`` of ``effective_tiers``.

On the sample data and on a folder whose ratings hold the rule's edge cases:
entities with no rating, several ratings per entity and department, ratings
evaluated after the day or expired before it, a department's own rating over
the public one, and ratings of other departments.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.tiers import effective_tiers
from scheduler.store.engine import init_db, make_engine
from scheduler.store.loader import directory_from_db, load_directory
from scheduler.views import overview
from scheduler.views.overview_store import tier_mix_in_db

DAY = date(2026, 11, 26)
ORDER = ("A", "B", "C", "D")


def _assert_same(engine: Engine, department: str, days: tuple[date, ...]) -> list[pd.DataFrame]:
    """The SQL mix on each of ``days`` equals the pandas one over the directory read back."""
    whole = directory_from_db(engine)
    mixes = []
    for on in days:
        with engine.connect() as connection:
            got = tier_mix_in_db(
                connection,
                department,
                on=on,
                tier_order=ORDER,
                default_tier=tier_scheme(None).default_tier,
            )
        tiers = effective_tiers(whole, department, on=on)
        pd.testing.assert_frame_equal(
            got,
            overview.tier_mix(whole.entities["region_code"], tiers, ORDER),
            check_names=False,
            check_index_type=False,  # labels compared; pandas may hold them as strings
            check_column_type=False,
        )
        mixes.append(got)
    return mixes


@pytest.mark.parametrize("department", ["PUBLIC", "MARKET", "TAX"])
def test_sql_tier_mix_equals_the_pandas_one_on_the_sample(sample_db: str, department: str) -> None:
    engine = make_engine(sample_db)
    try:
        for got in _assert_same(engine, department, (DAY, date(2025, 6, 1))):
            assert got.to_numpy().sum() == 20_000
    finally:
        engine.dispose()


# (uscc index in entities.csv, department, tier, evaluated_on, valid_until)
EDGE_RATINGS = [
    (0, "PUBLIC", "A", "2020-01-01", "2030-01-01"),
    (0, "PUBLIC", "D", "2026-01-01", ""),  # later and open-ended: wins
    (1, "PUBLIC", "C", "2026-01-01", "2027-01-01"),
    (1, "PUBLIC", "A", "2027-01-01", "2029-01-01"),  # evaluated after the day: ignored
    (2, "PUBLIC", "D", "2024-01-01", "2025-01-01"),  # expired: default tier
    (3, "PUBLIC", "C", "2025-01-01", "2028-01-01"),
    (3, "MARKET", "A", "2026-11-26", "2026-11-26"),  # own rating, valid on the day itself
    (4, "PUBLIC", "D", "2025-01-01", "2028-01-01"),
    (4, "MARKET", "A", "2020-01-01", "2021-01-01"),  # own rating expired: public applies
    (5, "TAX", "D", "2025-01-01", ""),  # another department only
    (6, "MARKET", "C", "2024-01-01", ""),
    (6, "MARKET", "D", "2025-01-01", ""),  # the latest own rating wins
    (6, "MARKET", "A", "2026-12-01", ""),  # not yet
    (7, "TAX", "A", "2025-01-01", ""),
    (7, "PUBLIC", "C", "2025-01-01", ""),
    # 8 and 9: no rating at all
]


@pytest.fixture(scope="module")
def edge_folder(
    sample_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("edge") / "edge"
    shutil.copytree(sample_dir, folder)
    with (folder / "entities.csv").open(encoding="utf-8") as f:
        usccs = [row["uscc"] for row, _ in zip(csv.DictReader(f), range(10), strict=False)]
    ratings = pd.read_csv(folder / "ratings.csv", dtype=str, keep_default_na=False)
    ratings = ratings.loc[~ratings["uscc"].isin(usccs)]
    edge = pd.DataFrame(
        [(usccs[i], *rest) for i, *rest in EDGE_RATINGS], columns=list(ratings.columns)
    )
    pd.concat([ratings, edge]).to_csv(folder / "ratings.csv", index=False)
    return folder, usccs


@pytest.fixture(scope="module")
def edge_engine(
    edge_folder: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """Loaded once for the module: the tests only read it."""
    folder, _ = edge_folder
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('edge_db') / 'edge.db'}")
    init_db(engine)
    load_directory(engine, read_folder(folder))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("department", ["PUBLIC", "MARKET", "TAX"])
def test_sql_tier_mix_follows_the_effective_tier_rule_on_edge_cases(
    edge_engine: Engine, department: str
) -> None:
    _assert_same(
        edge_engine, department, (DAY, date(2026, 11, 25), date(2026, 12, 1), date(2027, 6, 1))
    )


def test_the_edge_folder_exercises_the_rule(
    edge_engine: Engine, edge_folder: tuple[Path, list[str]]
) -> None:
    """The edge cases reach the comparison: the ten entities get the tiers the rule says."""
    whole = directory_from_db(edge_engine)
    usccs = whole.entities["uscc"]
    public = effective_tiers(whole, "PUBLIC", on=DAY).set_axis(usccs)
    market = effective_tiers(whole, "MARKET", on=DAY).set_axis(usccs)
    public, market = (t.loc[edge_folder[1]].tolist() for t in (public, market))
    assert public == ["D", "C", "B", "C", "D", "B", "B", "C", "B", "B"]
    assert market == ["D", "C", "B", "A", "D", "B", "D", "C", "B", "B"]
