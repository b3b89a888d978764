"""Helpers for the dashboard tests: a small directory, a database seeded with it, an AppTest.

The directory is built here (not read from ``sample_data/``) so the tests are
fast, deterministic and can be bent into shape (e.g. no capacity, to make a
plan infeasible).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlite_support import copy_sqlite
from streamlit.testing.v1 import AppTest

from scheduler.data import uscc
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
REGIONS = ("370702", "370703", "370705")
TIMEOUT = 30


def small_directory(
    *, entities: int = 240, inspectors_per_region: int = 4, capacity: int = 30, seed: int = 7
) -> Directory:
    """Entities in three divisions rated by MARKET and PUBLIC; MARKET inspectors in each."""
    rng = np.random.default_rng(seed)
    regions = np.array(REGIONS)[np.arange(entities) % len(REGIONS)]
    individual = rng.random(entities) < 0.6
    category = np.where(individual, "92", "91")
    codes = uscc.make(rng, entities, regions, category)
    tiers = np.array(["A", "B", "C", "D"])[rng.choice(4, size=entities, p=[0.6, 0.25, 0.1, 0.05])]
    entity_frame = pd.DataFrame(
        {
            "uscc": codes,
            "name": [
                f"潍坊测试{i:04d}{'商店' if ind else '有限公司'}"
                for i, ind in enumerate(individual)
            ],
            "entity_type": np.where(individual, "个体工商户", "企业"),
            "region_code": regions,
            "address": "",
            "legal_rep": "",
            "phone": "",
            "registered_on": pd.Timestamp("2020-01-01"),
            "status": "存续",
            "sectors": np.where(rng.random(entities) < 0.5, "food;catering", "food"),
        }
    )
    ratings = pd.DataFrame(
        {
            "uscc": np.concatenate([codes, codes]),
            "department_code": ["PUBLIC"] * entities + ["MARKET"] * entities,
            "tier": np.concatenate([tiers, tiers]),
            "evaluated_on": pd.Timestamp("2025-01-01"),
            "valid_until": pd.NaT,
        }
    )
    n_inspectors = inspectors_per_region * len(REGIONS)
    inspectors = pd.DataFrame(
        {
            "inspector_id": [f"MK{i:05d}" for i in range(n_inspectors)],
            "name": [f"检查员{i}" for i in range(n_inspectors)],
            "department_code": "MARKET",
            "region_code": np.repeat(REGIONS, inspectors_per_region),
            "qualifications": "food;catering",
            "capacity": np.full(n_inspectors, capacity, dtype="int64"),
            "active": True,
        }
    )
    from scheduler.data import reference

    return Directory.from_tables(
        {
            "departments": pd.DataFrame(
                [{"code": d.code, "name": d.name} for d in reference.departments()]
            ),
            "sectors": pd.DataFrame([s.__dict__ for s in reference.sectors()]),
            "regions": pd.DataFrame(
                [{"code": r.code, "name": r.name} for r in reference.regions()]
            ),
            "entities": entity_frame,
            "ratings": ratings,
            "inspectors": inspectors,
        }
    )


def write_small_folder(path: Path, **kwargs: object) -> Path:
    """The small directory (with the reference tables) as a data folder."""
    write_folder(small_directory(**kwargs), path)
    return path


def seed_database(url: str, folder: Path) -> None:
    from scheduler.data.importing.reader import read_folder
    from scheduler.store.engine import init_db, make_engine
    from scheduler.store.loader import load_directory

    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, read_folder(folder))
    engine.dispose()


def app_at(page: str | None = None) -> AppTest:
    """The app run once, switched to ``app_pages/<page>`` and run again if given."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    if page is not None:
        at.switch_page(f"app_pages/{page}").run()
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page (markdown, captions, alerts, metrics), for ``in`` checks."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "error",
        "text",
    ):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)


@pytest.fixture(scope="session")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small directory written once as a data folder."""
    return write_small_folder(tmp_path_factory.mktemp("dashboard-data"))


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard pointed at a fresh, empty SQLite file."""
    from scheduler.settings import get_settings

    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    monkeypatch.setenv("SCHEDULER_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def seeded_template(small_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small directory loaded once (migrations, import, load) into a SQLite file."""
    path = tmp_path_factory.mktemp("dashboard-template") / "dashboard.db"
    seed_database(f"sqlite:///{path}", small_folder)
    return path


@pytest.fixture
def seeded_db(empty_db: str, seeded_template: Path) -> str:
    """The dashboard pointed at its own copy of a database holding the small directory."""
    copy_sqlite(seeded_template, Path(empty_db.removeprefix("sqlite:///")))
    return empty_db


@pytest.fixture
def tight_db(empty_db: str, tmp_path: Path) -> str:
    """A database whose inspectors cannot staff a default plan (two per division, capacity 1)."""
    seed_database(
        empty_db, write_small_folder(tmp_path / "tight", inspectors_per_region=2, capacity=1)
    )
    return empty_db


def drawn(at: AppTest, seed: int = 20260101) -> AppTest:
    """Save the default plan and draw it with a given seed; returns the app on the draw page."""
    at.switch_page("app_pages/plans.py").run()
    at.button(key="plans__save").click().run()
    at.switch_page("app_pages/draw.py").run()
    at.radio(key="draw__mode").set_value("given").run()
    at.number_input(key="draw__seed").set_value(seed)
    at.button(key="draw__run").click().run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page that has ``column``."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {column!r} on the page")
