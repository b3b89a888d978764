"""Exports and simulations fed from database selections equal those of the whole directory.

The dashboard's 导出 and 政策模拟 pages no longer read the whole entity table:
an export reads the drawn entities (``staffing_directory``) plus the names to
mask (``masker_from_db``), a simulation three entity columns and two raters.
These tests check the selections give byte-identical files and equal populations.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlite_support import copy_sqlite

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import result_codes
from scheduler.draw.db_scope import staffing_directory
from scheduler.publication import inputs, jobs
from scheduler.publication.db_inputs import masker_from_db
from scheduler.publication.masking import known_name_candidates
from scheduler.publication.public_list import masker_for
from scheduler.publication.publishing import publish_pending, publish_recorded
from scheduler.simulation.db_population import population_from_db
from scheduler.simulation.population import population_from_directory
from scheduler.store.audit_chain import lock_for_write
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import directory_from_db, load_directory

DEPT = "MARKET"
START, END = date(2026, 11, 2), date(2026, 11, 27)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> tuple[Engine, Directory]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('inputs') / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, read_folder(sample_dir))
    yield engine, directory_from_db(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def planned(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("planned")
    draw, receipt, assign = folder / "draw.csv", folder / "receipt.json", folder / "assign.csv"
    data = ["--data", str(sample_dir), "--seed", "7"]
    assert main(["draw", *data, "--department", DEPT, "--budget", "60", "--on", str(START),
                 "--out", str(draw), "--receipt", str(receipt)]) == 0  # fmt: skip
    assert main(["assign", *data, "--draw", str(draw), "--receipt", str(receipt),
                 "--start", str(START), "--end", str(END), "--out", str(assign)]) == 0  # fmt: skip
    return {"draw": draw, "assign": assign}


def test_masker_from_db_knows_every_name_the_whole_directory_masks(loaded) -> None:
    engine, whole = loaded
    expected = masker_for(whole).known
    assert len(expected) > 100
    assert masker_from_db(engine).known == expected


def test_masker_of_the_drawn_entities_knows_the_names_inside_theirs(loaded, planned) -> None:
    """Given the drawn entities, the masker reads only the known names their names contain."""
    engine, whole = loaded
    draw = inputs.read_draw(planned["draw"])
    # plus entities of two towns whose names hold persons: 孙家集街道, 王家庄街道
    towns = whole.entities[whole.entities["name"].str.contains("孙家集|王家庄")]
    assert len(towns) > 50
    ent = staffing_directory(engine, [*draw["uscc"].astype(str), *towns["uscc"]]).entities
    full, drawn = masker_for(whole), masker_from_db(engine, ent)
    pieces = known_name_candidates(ent["name"], ent["legal_rep"])
    inspectors = set(whole.inspectors["name"])
    assert drawn.known == (full.known & pieces) | inspectors
    assert drawn.known - inspectors  # the towns' names do contain known persons
    assert len(drawn.known) < len(full.known)
    rows = list(zip(ent["name"], ent["legal_rep"], ent["entity_type"] == "个体工商户", strict=True))
    assert [drawn.mask_entity_name(n, operator=o, individual=i) for n, o, i in rows] == [
        full.mask_entity_name(n, operator=o, individual=i) for n, o, i in rows
    ]


def test_masker_of_entities_masks_a_known_name_inside_another_entitys_name(loaded) -> None:
    """A person known from any entity is masked in a listed name, operator or not."""
    engine, whole = loaded
    person = next(n for n in whole.entities["legal_rep"] if len(n) == 3)
    names = [f"潍坊{person}商贸有限公司", "潍坊某某公司"]
    listed = pd.DataFrame({"name": names, "legal_rep": ["", ""]})
    masker = masker_from_db(engine, listed)
    assert person in masker.known
    assert masker.mask_entity_name(listed["name"][0]) == f"潍坊{person[0]}**商贸有限公司"
    assert masker.mask_entity_name(listed["name"][1]) == "潍坊某某公司"


@pytest.mark.parametrize("masker", ["whole", "drawn"])
@pytest.mark.parametrize("kind", ["list", "tasks", "public"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_from_the_drawn_rows_is_byte_identical(
    loaded, planned: dict[str, Path], tmp_path: Path, kind: str, fmt: str, masker: str
) -> None:
    engine, whole = loaded
    draw = inputs.read_draw(planned["draw"])
    assignment = inputs.read_assignment(planned["assign"])
    scoped = staffing_directory(engine, draw["uscc"].astype(str))
    assert len(scoped.entities) == draw["uscc"].nunique() < len(whole.entities)
    common = {"kind": kind, "fmt": fmt, "assignment": assignment, "split": "none"}
    files_whole, n_whole = jobs.run_export(whole, draw, out=tmp_path / f"whole.{fmt}", **common)
    names = masker_from_db(engine, scoped.entities if masker == "drawn" else None)
    files_scoped, n_scoped = jobs.run_export(
        scoped, draw, out=tmp_path / f"scoped.{fmt}", masker=names, **common
    )
    assert n_whole == n_scoped > 0
    assert [f.read_bytes() for f in files_scoped] == [f.read_bytes() for f in files_whole]


def test_public_list_of_the_drawn_rows_needs_the_directory_masker(loaded, planned) -> None:
    """Without ``masker`` a scoped directory would know only the drawn people's names."""
    engine, whole = loaded
    draw = inputs.read_draw(planned["draw"])
    scoped = staffing_directory(engine, draw["uscc"].astype(str))
    assert masker_for(scoped).known < masker_from_db(engine).known


@pytest.mark.parametrize(
    ("department", "on"),
    [(None, date(2026, 11, 1)), ("MARKET", date(2026, 11, 1)), ("HEALTH", date(2026, 11, 1)),
     ("MARKET", None)],  # None: the directory's latest rating date
)  # fmt: skip
def test_population_from_db_equals_the_whole_directory_population(
    loaded, department: str | None, on: date | None
) -> None:
    engine, whole = loaded
    expected = population_from_directory(whole, on=on, department=department)
    got = population_from_db(engine, on=on, department=department)
    assert got.size == expected.size > 0
    assert got.region_codes == expected.region_codes
    np.testing.assert_array_equal(got.region, expected.region)
    np.testing.assert_array_equal(got.tier, expected.tier)
    assert len(set(got.tier.tolist())) > 1


def test_publish_reads_the_results_entities_and_lists_what_the_whole_directory_lists(
    loaded, sample_db_template: Path, tmp_path: Path
) -> None:
    """``scheduler publish`` (``publish_recorded``) writes the old path's list, byte for byte.

    The old path read the whole directory back and masked with all of its names;
    the results here include entities whose names hold other persons' names.
    """
    _, whole = loaded
    ent = whole.entities
    picked = pd.concat([ent[ent["name"].str.contains("孙家集|王家庄")], ent.iloc[::400]])
    picked = picked.drop_duplicates("uscc")
    results = pd.DataFrame(
        {
            "uscc": picked["uscc"],
            "department_code": DEPT,
            "inspected_on": "2026-11-20",
            "result_code": np.resize([r.code for r in result_codes()], len(picked)),
            "draw_id": "",
            "notes": "",
        }
    )
    results_file = tmp_path / "results.csv"
    results.to_csv(results_file, index=False)
    day = date(2026, 11, 30)
    lists = {}
    for way in ("whole directory", "recorded"):
        path = tmp_path / f"{len(lists)}.db"
        copy_sqlite(sample_db_template, path)
        engine = make_engine(f"sqlite:///{path}")
        assert main(["results", "import", str(results_file), "--url", f"sqlite:///{path}"]) == 0
        out = tmp_path / f"{len(lists)}.csv"
        if way == "recorded":
            files, count, head = publish_recorded(engine, out=out, fmt="csv", on=day, actor="t")
        else:
            with session_scope(engine) as session:
                files, count = publish_pending(
                    session, directory_from_db(engine), out=out, fmt="csv", on=day, actor="t"
                )
                head = lock_for_write(session)
        engine.dispose()
        assert files[0] == out and count == len(picked)
        lists[way] = [f.read_text(encoding="utf-8-sig").replace(str(head), "HEAD") for f in files]
    assert lists["recorded"] == lists["whole directory"]
    assert lists["recorded"][0].count("*") > 50  # persons' names were masked
