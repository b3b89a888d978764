"""Effective tiers and the sampling frame, on a small hand-made directory."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scheduler.data.directory import Directory
from scheduler.data.importing.reader import reference_frame
from scheduler.data.uscc import check_character
from scheduler.draw.frame import FrameRules, build_frame, uscc_order
from scheduler.draw.tiers import effective_tiers
from scheduler.errors import InvalidInputError

ON = date(2026, 3, 1)


def code(i: int, region: str = "370702") -> str:
    first17 = f"91{region}{i:09d}"
    return first17 + check_character(first17)


# key: (region, type, status, sectors)
ENTITIES = {
    1: ("370702", "企业", "存续", "food"),
    2: ("370703", "个体工商户", "存续", "food;taxpayer"),
    3: ("370702", "企业", "存续", "catering"),
    4: ("370702", "企业", "存续", "food"),
    5: ("370702", "企业", "注销", "food"),
    6: ("370702", "企业", "存续", "taxpayer"),
    7: ("370705", "企业", "存续", "food"),
    8: ("370705", "企业", "存续", "food"),
    9: ("370705", "企业", "存续", "food"),
    10: ("370705", "企业", "存续", "food"),
    11: ("370702", "企业", "存续", "food"),
    12: ("370702", "企业", "存续", "food"),
}


def make_directory() -> Directory:
    entities = pd.DataFrame(
        [
            {
                "uscc": code(i, r),
                "name": f"潍坊{i}号公司",
                "entity_type": t,
                "region_code": r,
                "address": "",
                "legal_rep": "",
                "phone": "",
                "registered_on": pd.Timestamp("2020-01-01"),
                "status": s,
                "sectors": sec,
            }
            for i, (r, t, s, sec) in sorted(ENTITIES.items(), reverse=True)  # deliberately unsorted
        ]
    )
    c = {i: code(i, ENTITIES[i][0]) for i in ENTITIES}
    ts = pd.Timestamp
    ratings = pd.DataFrame(
        [
            (c[1], "MARKET", "C", ts("2025-06-01"), pd.NaT),
            (c[1], "PUBLIC", "A", ts("2025-06-01"), pd.NaT),
            (c[2], "PUBLIC", "D", ts("2025-06-01"), ts("2027-01-01")),
            (c[4], "MARKET", "C", ts("2024-01-01"), ts("2025-01-01")),  # expired
            (c[4], "PUBLIC", "A", ts("2025-01-01"), pd.NaT),
            (c[8], "PUBLIC", "D", ts("2025-01-01"), pd.NaT),
            (c[11], "MARKET", "A", ts("2025-01-01"), pd.NaT),
            (c[11], "MARKET", "C", ts("2026-06-01"), pd.NaT),  # evaluated after ON: not yet valid
            (c[11], "MARKET", "B", ts("2024-01-01"), pd.NaT),  # older
        ],
        columns=["uscc", "department_code", "tier", "evaluated_on", "valid_until"],
    )
    history = pd.DataFrame(
        [
            (c[7], "MARKET", ts("2025-12-01"), "", "01"),  # 3 months ago, tier B: excluded
            (c[8], "MARKET", ts("2025-12-01"), "", "01"),  # tier D: kept
            (c[9], "MARKET", ts("2025-01-01"), "", "01"),  # 14 months ago: kept
            (c[10], "TAX", ts("2026-02-01"), "", "01"),  # other department: kept
        ],
        columns=["uscc", "department_code", "inspected_on", "inspector_ids", "result_code"],
    )
    reference = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    return Directory.from_tables(
        {**reference, "entities": entities, "ratings": ratings, "history": history}
    )


@pytest.fixture(scope="module")
def directory() -> Directory:
    return make_directory()


def test_effective_tiers_prefers_own_then_public_then_default(directory: Directory) -> None:
    tiers = effective_tiers(directory, "MARKET", on=ON)
    by = dict(zip(directory.entities["uscc"], tiers, strict=True))
    c = {i: code(i, ENTITIES[i][0]) for i in ENTITIES}
    assert by[c[1]] == "C"  # own rating beats PUBLIC
    assert by[c[2]] == "D"  # PUBLIC only
    assert by[c[3]] == "B"  # no rating: scheme default
    assert by[c[4]] == "A"  # own rating expired: PUBLIC
    assert by[c[11]] == "A"  # latest valid own rating; a future one is ignored
    assert list(tiers.index) == list(directory.entities.index)
    public = effective_tiers(directory, None, on=ON)
    assert dict(zip(directory.entities["uscc"], public, strict=True))[c[1]] == "A"


def test_frame_scope_exclusions_and_order(directory: Directory) -> None:
    frame = build_frame(directory, FrameRules("MARKET", ON))
    c = {i: code(i, ENTITIES[i][0]) for i in ENTITIES}
    units = list(frame.units["uscc"])
    assert units == sorted(units)
    assert c[6] not in units and c[6] not in set(
        frame.excluded["uscc"]
    )  # not supervised: out of scope
    reasons = dict(zip(frame.excluded["uscc"], frame.excluded["reason"], strict=True))
    assert reasons[c[5]] == "status 注销"
    assert reasons[c[7]].startswith("inspected by MARKET on 2025-12-01")
    assert {c[8], c[9], c[10], c[3]} <= set(
        units
    )  # tier D re-inspected, old, other department, catering


def test_frame_filters_window_and_exemptions(directory: Directory) -> None:
    c = {i: code(i, ENTITIES[i][0]) for i in ENTITIES}
    frame = build_frame(
        directory,
        FrameRules(
            "MARKET",
            ON,
            regions=("370705",),
            repeat_window_months=18,
            exempt=(c[10],),
            force_include=(c[9],),
        ),
    )
    reasons = dict(zip(frame.excluded["uscc"], frame.excluded["reason"], strict=True))
    assert reasons[c[10]] == "exemption list"
    assert c[9] in set(frame.units["uscc"])  # forced beats repeat control
    assert frame.units.set_index("uscc").at[c[9], "forced"]
    assert set(frame.units["region_code"]) == {"370705"}
    by_type = build_frame(
        directory, FrameRules("MARKET", ON, entity_types=("个体工商户",), sectors=("food",))
    )
    assert list(by_type.units["uscc"]) == [c[2]]


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        (FrameRules("NOPE", ON), "unknown department 'NOPE'"),
        (
            FrameRules("MARKET", ON, sectors=("taxpayer",)),
            "sector 'taxpayer' is not supervised by MARKET",
        ),
        (FrameRules("MARKET", ON, regions=("999999",)), "unknown region '999999'"),
        (FrameRules("MARKET", ON, entity_types=("公司",)), "unknown entity type '公司'"),
        (FrameRules("MARKET", ON, force_include=(code(5),)), "is not an active entity"),
    ],
)
def test_frame_rejects(directory: Directory, rules: FrameRules, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        build_frame(directory, rules)


def test_uscc_order_handles_sorted_unsorted_and_non_ascii() -> None:
    import numpy as np

    assert list(uscc_order(np.array(["B", "A", "C"], dtype=object))) == [1, 0, 2]
    assert list(uscc_order(np.array(["A", "B"], dtype=object))) == [0, 1]
    assert list(uscc_order(np.array(["乙", "甲"], dtype=object))) == list(np.argsort(["乙", "甲"]))


def test_uscc_order_is_the_bytes_order_for_any_width() -> None:
    import numpy as np

    rng = np.random.default_rng(7)
    for width in (1, 7, 8, 9, 18, 20):
        codes = np.array(
            ["".join(rng.choice(list("0A9Z"), size=rng.integers(0, width + 1))) for _ in range(500)]
            + ["A"] * 3,  # ties keep their input order
            dtype=object,
        )
        expected = np.argsort(codes.astype("S"), kind="stable")
        assert (uscc_order(codes) == expected).all()


def test_lookup_positions_arrow_and_pandas_paths_agree() -> None:
    import numpy as np

    from scheduler.draw.tiers import _ARROW_FROM, lookup_positions

    keys = np.array([code(i) for i in range(50)], dtype=object)
    queries = np.resize(np.array([*keys[::3], "missing"], dtype=object), _ARROW_FROM + 7)
    arrow = lookup_positions(keys, queries)
    few = lookup_positions(keys, queries[:100])
    expected = pd.Index(keys, dtype=object).get_indexer(pd.Index(queries, dtype=object))
    assert (arrow == expected).all() and (few == expected[:100]).all()
    assert (arrow == -1).any()
    numbers = lookup_positions(np.array([1, 2], dtype=object), np.array([2, 3] * _ARROW_FROM))
    assert list(numbers[:2]) == [1, -1]
