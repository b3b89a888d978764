"""Tests of the synthetic Weifang generator (``scheduler.data.synth``) and of the
``sample-data`` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scheduler.cli import main
from scheduler.data import reference, uscc
from scheduler.data.directory import Directory, split_list
from scheduler.data.formats import ENTITY_STATUSES, ENTITY_TYPES, TABLE_ORDER
from scheduler.data.importing.reader import read_folder
from scheduler.data.synth.entities import TYPE_SHARE
from scheduler.data.synth.generate import DEFAULT_TODAY, generate_directory
from scheduler.data.synth.inspectors import MIN_PER_DEPARTMENT
from scheduler.data.synth.pick import apportion, exact_labels
from scheduler.errors import InvalidInputError

SEED = 11


@pytest.fixture(scope="module")
def directory() -> Directory:
    return generate_directory(20_000, 600, rng=SEED)


def _cli(out: Path, *extra: str) -> int:
    return main(
        ["sample-data", "--out", str(out), "--entities", "5000", "--inspectors", "300", *extra]
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.csv").read_bytes() for name in TABLE_ORDER}


def _latest_public(ratings: pd.DataFrame) -> pd.DataFrame:
    public = ratings[ratings["department_code"] == reference.PUBLIC_DEPARTMENT]
    return public.sort_values("evaluated_on").drop_duplicates("uscc", keep="last")


# --- command line and reproducibility ----------------------------------------------


def test_same_seed_gives_identical_files(tmp_path, capsys):
    assert _cli(tmp_path / "a", "--seed", "5") == 0
    assert _cli(tmp_path / "b", "--seed", "5") == 0
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    out = capsys.readouterr().out
    assert "entities.csv" in out and "5,000" in out


def test_different_seed_gives_different_files(tmp_path):
    assert _cli(tmp_path / "a", "--seed", "5") == 0
    assert _cli(tmp_path / "b", "--seed", "6") == 0
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    for name in ("entities", "ratings", "inspectors", "conflicts", "history"):
        assert a[name] != b[name], name
    assert a["departments"] == b["departments"]


@pytest.mark.parametrize(
    ("entities", "inspectors", "match"),
    [("10", "600", "n_entities"), ("5000", "50", "n_inspectors"), ("-3", "600", "n_entities")],
)
def test_bad_sizes_are_usage_errors(tmp_path, capsys, entities, inspectors, match):
    code = main(
        ["sample-data", "--out", str(tmp_path), "--entities", entities, "--inspectors", inspectors]
    )
    assert code == 2
    assert match in capsys.readouterr().err
    with pytest.raises(InvalidInputError, match=match):
        generate_directory(int(entities), int(inspectors), rng=1)


def test_committed_sample_data_is_fresh(sample_dir, tmp_path):
    """``sample_data/`` equals a fresh ``scheduler sample-data`` run with the defaults."""
    assert main(["sample-data", "--out", str(tmp_path)]) == 0
    assert _files(sample_dir) == _files(tmp_path)
    assert "scheduler sample-data" in (sample_dir / "README.md").read_text(encoding="utf-8")


def test_output_reads_back_without_problems(tmp_path, directory):
    """The real contract: the generated folder is valid importer input, typed the same."""
    from scheduler.data.folder_writer import write_folder

    write_folder(directory, tmp_path)
    read = read_folder(tmp_path)
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(read.table(name), directory.table(name), check_dtype=True)


def _pandas_bytes(directory: Directory, name: str, tmp_path: Path) -> bytes:
    from scheduler.data.folder_writer import table_to_csv_frame

    target = tmp_path / f"pandas-{name}.csv"
    table_to_csv_frame(name, directory.table(name)).to_csv(
        target, index=False, encoding="utf-8", lineterminator="\n"
    )
    return target.read_bytes()


@pytest.mark.parametrize(
    "address",
    ["山东省潍坊市奎文区胜利东街1号", "潍坊市,奎文区", 'say "hi"', "two\nlines", " padded ", ""],
)
def test_write_folder_fast_path_writes_what_pandas_writes(tmp_path, address):
    """``write_folder``'s Arrow fast path (added for 1M-row sample data) must give the
    same bytes as ``DataFrame.to_csv``, and fall back to it when a cell needs quotes."""
    from scheduler.data.folder_writer import write_folder

    small = generate_directory(600, 200, rng=2)
    entities = small.entities.copy()
    entities.loc[0, "address"] = address
    entities.loc[1, "registered_on"] = pd.NaT
    small = Directory(**{**small.tables(), "entities": entities})
    write_folder(small, tmp_path / "out")
    for name in TABLE_ORDER:
        assert (tmp_path / "out" / f"{name}.csv").read_bytes() == _pandas_bytes(
            small, name, tmp_path
        ), name


def test_today_moves_every_date_but_nothing_else():
    a = generate_directory(2_000, 200, rng=3)
    b = generate_directory(2_000, 200, rng=3, today=date(2027, 11, 1))
    assert a.entities["name"].equals(b.entities["name"])
    assert (b.entities["registered_on"] > a.entities["registered_on"]).all()
    assert b.history["inspected_on"].min() > a.history["inspected_on"].max() - pd.Timedelta(
        days=366
    )


# --- content -------------------------------------------------------------------------


def test_usccs_valid_unique_and_typed(directory):
    entities = directory.entities
    assert uscc.valid_mask(entities["uscc"].to_numpy()).all()
    assert entities["uscc"].is_unique
    prefix = {
        "企业": "91",
        "个体工商户": "92",
        "农民专业合作社": "93",
        "事业单位": "12",
        "社会组织": "52",
    }
    assert (entities["uscc"].str[:2] == entities["entity_type"].map(prefix)).all()
    assert (entities["uscc"].str[2:8] == entities["region_code"]).all()


def test_natural_keys_unique(directory):
    from scheduler.data.formats import TABLES

    for name in TABLE_ORDER:
        frame = directory.table(name)
        assert not frame.duplicated(list(TABLES[name].key)).any(), name


def test_all_codes_known(directory):
    regions = {r.code for r in reference.regions()}
    departments = {d.code for d in reference.departments()}
    sectors = {s.code: s.department_code for s in reference.sectors()}
    e, r, i, h = directory.entities, directory.ratings, directory.inspectors, directory.history
    assert set(e["region_code"]) == regions and set(i["region_code"]) <= regions
    assert set(e["entity_type"]) == set(ENTITY_TYPES) and set(e["status"]) == set(ENTITY_STATUSES)
    assert {c for v in e["sectors"] for c in split_list(v)} <= set(sectors)
    assert set(r["department_code"]) <= departments | {reference.PUBLIC_DEPARTMENT}
    assert set(r["tier"]) == set(reference.tier_scheme("weifang-4").codes)
    assert set(i["department_code"]) == departments and set(h["department_code"]) <= departments
    assert set(h["result_code"]) <= {c.code for c in reference.result_codes()}
    for department, quals in zip(i["department_code"], i["qualifications"], strict=True):
        assert quals and all(sectors[q] == department for q in split_list(quals))
    assert set(directory.departments["code"]) == departments
    assert list(directory.regions["code"]) == [x.code for x in reference.regions()]


def test_public_tier_shares_match_mix_at_100k():
    """Issue requirement: tier shares within 1 point of the configured mix (they are exact)."""
    big = generate_directory(100_000, 600, rng=SEED)
    shares = _latest_public(big.ratings)["tier"].value_counts(normalize=True)
    for tier in reference.tier_scheme("weifang-4").tiers:
        assert abs(shares[tier.code] - tier.mix) < 0.01, tier.code
        assert abs(shares[tier.code] - tier.mix) < 1e-3, tier.code  # exact allocation
    assert 0.88 < len(_latest_public(big.ratings)) / 100_000 < 0.92


def test_tiers_follow_another_scheme():
    five = generate_directory(2_000, 200, rng=SEED, tier_scheme="shandong-5")
    shares = _latest_public(five.ratings)["tier"].value_counts(normalize=True)
    for tier in reference.tier_scheme("shandong-5").tiers:
        assert abs(shares[tier.code] - tier.mix) < 0.01


def test_department_ratings_correlate_with_public(directory):
    ratings = directory.ratings
    public = _latest_public(ratings).set_index("uscc")["tier"]
    market = ratings[ratings["department_code"] == "MARKET"].set_index("uscc")["tier"]
    both = pd.concat([public, market], axis=1, join="inner", keys=["public", "market"])
    codes = reference.tier_scheme("weifang-4").codes
    gap = (both["public"].map(codes.index) - both["market"].map(codes.index)).abs()
    assert gap.max() <= 2 and 0.7 < (gap == 0).mean() < 0.9
    assert ((ratings["valid_until"] - ratings["evaluated_on"]).dt.days >= 365).all()
    today = pd.Timestamp(DEFAULT_TODAY)
    assert (ratings["evaluated_on"] < today).all()
    assert (ratings["evaluated_on"] >= today - pd.Timedelta(days=730)).all()


def test_entity_type_mix(directory):
    """Chi-square against the configured shares; false alarm rate 0.1% at this fixed seed."""
    counts = directory.entities["entity_type"].value_counts()
    observed = np.array([counts[t] for t in ENTITY_TYPES])
    expected = np.array([TYPE_SHARE[t] for t in ENTITY_TYPES]) * observed.sum()
    assert stats.chisquare(observed, expected).pvalue > 0.001
    operating = (directory.entities["status"] == "存续").mean()
    assert 0.93 < operating < 0.97


def test_every_department_supervises_entities_and_has_qualified_staff(directory):
    sector_department = directory.sectors.set_index("code")["department_code"]
    e = directory.entities[directory.entities["status"] == "存续"]
    supervised = e["sectors"].str.split(";").explode().map(sector_department)
    counts = supervised.reset_index().drop_duplicates()["sectors"].value_counts()
    active = directory.inspectors[directory.inspectors["active"]]
    for department in reference.departments():
        assert counts.get(department.code, 0) >= 5, department.code
        staff = active[active["department_code"] == department.code]
        assert len(staff) >= MIN_PER_DEPARTMENT, department.code
        covered = {q for v in staff["qualifications"] for q in split_list(v)}
        assert covered == set(sector_department[sector_department == department.code].index)
    # each sector is covered by several active inspectors in every division group
    for (_, _), group in active.groupby(["department_code", "region_code"]):
        quals = group["qualifications"].str.split(";").explode().value_counts()
        assert quals.min() >= min(3, len(group))


def test_big_departments_have_big_frames(directory):
    sector_department = directory.sectors.set_index("code")["department_code"]
    supervised = directory.entities["sectors"].str.split(";").explode().map(sector_department)
    frames = supervised.reset_index().drop_duplicates()["sectors"].value_counts()
    assert frames["MARKET"] > 0.5 * len(directory.entities)
    assert frames["TAX"] > 0.4 * len(directory.entities)
    staff = directory.inspectors["department_code"].value_counts()
    assert staff.idxmax() == "MARKET" and staff["MARKET"] > 5 * staff["AUDIT"]


def test_individual_business_names_contain_the_operator(directory):
    e = directory.entities
    individual = e[e["entity_type"] == "个体工商户"]
    assert all(
        rep in name for rep, name in zip(individual["legal_rep"], individual["name"], strict=True)
    )
    assert individual["legal_rep"].str.len().between(2, 3).all()
    assert e["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    division = e["region_code"].map({r.code: r.name for r in reference.regions()})
    assert all(
        a.startswith("山东省潍坊市" + d) for a, d in zip(e["address"], division, strict=True)
    )
    coops = e[e["entity_type"] == "农民专业合作社"]
    assert coops["name"].str.endswith("专业合作社").all()
    assert coops["sectors"].str.startswith("farmer_coop").all()


def test_conflicts_and_history_are_consistent(directory):
    inspectors = directory.inspectors.set_index("inspector_id")
    entities = directory.entities.set_index("uscc")
    c = directory.conflicts
    assert 200 < len(c) < 400
    assert (
        inspectors.loc[c["inspector_id"], "region_code"].to_numpy()
        == entities.loc[c["uscc"], "region_code"].to_numpy()
    ).all()
    h = directory.history
    pairs = h["inspector_ids"].str.split(";")
    assert (pairs.str.len() == 2).all() and (pairs.str[0] != pairs.str[1]).all()
    for column in (0, 1):
        department = inspectors.loc[pairs.str[column], "department_code"].to_numpy()
        assert (department == h["department_code"].to_numpy()).all()
    today = pd.Timestamp(DEFAULT_TODAY)
    assert (
        h["inspected_on"]
        .between(today - pd.Timedelta(days=730), today - pd.Timedelta(days=1))
        .all()
    )
    weekday = h["inspected_on"].dt.day_of_week < 5
    assert weekday.mean() > 0.97  # working days; 调休 make-up Saturdays are the rest
    assert (h["result_code"] == "01").mean() > 0.7


# --- helpers ---------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    total=st.integers(0, 10_000),
    weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=40),
    minimum=st.integers(0, 5),
)
def test_apportion_sums_and_respects_minimum(total, weights, minimum):
    if total < minimum * len(weights):
        with pytest.raises(ValueError):
            apportion(total, np.array(weights), minimum)
        return
    parts = apportion(total, np.array(weights), minimum)
    assert parts.sum() == total and (parts >= minimum).all()


@settings(max_examples=200)
@given(
    size=st.integers(0, 5_000),
    mix=st.lists(st.floats(0.01, 1), min_size=1, max_size=6),
    seed=st.integers(0, 99),
)
def test_exact_labels_counts_within_one(size, mix, seed):
    labels = exact_labels(np.random.default_rng(seed), mix, size)
    counts = np.bincount(labels, minlength=len(mix))
    assert counts.sum() == size
    assert (np.abs(counts - np.array(mix) / sum(mix) * size) < 1 + 1e-9).all()


@settings(max_examples=6, deadline=None)
@given(
    n_entities=st.integers(500, 3_000),
    n_inspectors=st.integers(4 * 34, 400),
    seed=st.integers(0, 2**32 - 1),
)
def test_invariants_hold_down_to_the_smallest_sizes(n_entities, n_inspectors, seed):
    d = generate_directory(n_entities, n_inspectors, rng=seed)
    assert len(d.entities) == n_entities and len(d.inspectors) == n_inspectors
    assert uscc.valid_mask(d.entities["uscc"].to_numpy()).all() and d.entities["uscc"].is_unique
    assert d.inspectors["inspector_id"].is_unique
    active = d.inspectors[d.inspectors["active"]]["department_code"].value_counts()
    assert len(active) == 34 and active.min() >= MIN_PER_DEPARTMENT
    sector_department = d.sectors.set_index("code")["department_code"]
    operating = d.entities[d.entities["status"] == "存续"]
    supervised = operating["sectors"].str.split(";").explode().map(sector_department)
    assert supervised.reset_index().drop_duplicates()["sectors"].value_counts().min() >= 5


def test_write_folder_takes_the_fast_path_on_sample_data(directory):
    from scheduler.data.folder_writer import _unquoted_csv_body, table_to_csv_frame

    for name in ("entities", "ratings", "inspectors", "history"):
        assert _unquoted_csv_body(table_to_csv_frame(name, directory.table(name))) is not None
    quoted = table_to_csv_frame("entities", directory.entities.head(3)).assign(name="a,b")
    assert _unquoted_csv_body(quoted) is None
