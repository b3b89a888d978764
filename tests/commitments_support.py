"""The small directory of the commitment tests (信用承诺), shared by their modules."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory
from scheduler.data.importing.reader import reference_frame
from scheduler.data.uscc import check_character

ON = date(2026, 3, 1)
UNTIL = date(2026, 3, 31)
ts = pd.Timestamp


def code(i: int, region: str = "370702") -> str:
    first17 = f"91{region}{i:09d}"
    return first17 + check_character(first17)


# i: (region, status, sectors)
ENTITIES = {i: ("370702", "存续", "food") for i in range(1, 41)} | {
    41: ("370702", "存续", "taxpayer"),  # not MARKET's sector: in by its commitment
    42: ("370702", "注销", "food"),  # deregistered: never in
    43: ("370705", "存续", "food"),  # other region
    44: ("370702", "存续", "food"),  # fulfilled commitment
    45: ("370702", "存续", "food"),  # due after UNTIL
    46: ("370702", "存续", "food"),  # pending to another department
    47: ("370702", "存续", "food"),  # inspected recently: in anyway by its commitment
}
C = {i: code(i, ENTITIES[i][0]) for i in ENTITIES}
CHECKED = {C[3], C[41], C[47]}


def make_directory() -> Directory:
    entities = pd.DataFrame(
        [
            {
                "uscc": C[i],
                "name": f"潍坊{i}号公司",
                "entity_type": "企业",
                "region_code": r,
                "address": "",
                "legal_rep": "",
                "phone": "",
                "registered_on": ts("2020-01-01"),
                "status": s,
                "sectors": sec,
            }
            for i, (r, s, sec) in ENTITIES.items()
        ]
    )
    tiers = "ABCD"
    ratings = pd.DataFrame(
        [
            (C[i], "MARKET", "B" if i == 47 else tiers[i % 4], ts("2025-01-01"), pd.NaT)
            for i in ENTITIES
        ],
        columns=["uscc", "department_code", "tier", "evaluated_on", "valid_until"],
    )
    history = pd.DataFrame(
        [(C[47], "MARKET", ts("2026-01-10"), "", "01")],
        columns=["uscc", "department_code", "inspected_on", "inspector_ids", "result_code"],
    )
    commitments = pd.DataFrame(
        [
            (
                C[3],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-02-01"),
                "pending",
            ),
            (
                C[3],
                "MARKET",
                "容缺受理：限期补齐申报材料",
                ts("2026-02-01"),
                ts("2026-03-31"),
                "pending",
            ),
            (
                C[41],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-03-15"),
                "pending",
            ),
            (
                C[42],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-02-01"),
                "pending",
            ),
            (
                C[43],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-02-01"),
                "pending",
            ),
            (
                C[44],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-02-01"),
                "fulfilled",
            ),
            (
                C[45],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-04-01"),
                "pending",
            ),
            (C[46], "TAX", "告知承诺：符合许可条件", ts("2026-01-01"), ts("2026-02-01"), "pending"),
            (
                C[47],
                "MARKET",
                "告知承诺：符合许可条件",
                ts("2026-01-01"),
                ts("2026-02-01"),
                "pending",
            ),
        ],
        columns=["uscc", "department_code", "item", "committed_on", "due_on", "status"],
    )
    tables = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    inspectors = pd.DataFrame(
        {
            "inspector_id": ["LF001"],
            "name": ["王五"],
            "department_code": ["MARKET"],
            "region_code": ["370702"],
            "qualifications": ["food"],
            "capacity": np.array([10], dtype="int64"),
            "active": [True],
        }
    )
    tables |= {
        "inspectors": inspectors,
        "entities": entities,
        "ratings": ratings,
        "history": history,
        "commitments": commitments,
    }
    return Directory.from_tables(tables)
