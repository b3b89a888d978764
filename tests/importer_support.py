"""A valid minimal data folder and one-line mutations that each corrupt one thing of it.

Shared by the importer tests (``tests/unit_data/test_importer.py``, which lists the
defects) and by the loader and PostgreSQL tests that need a small valid directory.
Loaded as a plugin by ``conftest.py``: the ``folder`` fixture is the minimal folder
written for one test (a module's own ``folder`` fixture takes precedence).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scheduler.data import uscc
from scheduler.data.directory import Directory
from scheduler.data.folder_writer import write_folder
from scheduler.data.importing.reader import reference_frame


def code(first17: str) -> str:
    return first17 + uscc.check_character(first17)


E1, E2, E3 = code("91370702MA3C4XK01"), code("92370703MA3C4XK02"), code("93370705MA3C4XK03")
UNKNOWN = code("91370784MA3C4XK09")
WRONG_CHECK = E1[:17] + ("0" if E1[17] != "0" else "1")


def minimal_directory() -> Directory:
    """Three entities, four ratings, two inspectors, one conflict, one past inspection,
    two credit commitments."""
    tables = {name: reference_frame(name) for name in ("departments", "sectors", "regions")}
    tables["entities"] = pd.DataFrame(
        {
            "uscc": [E1, E2, E3],
            "name": ["潍坊甲食品有限公司", "张三烧烤店", "丙农民专业合作社"],
            "entity_type": ["企业", "个体工商户", "农民专业合作社"],
            "region_code": ["370702", "370703", "370705"],
            "address": ["潍城区某路1号", "", ""],
            "legal_rep": ["李四", "张三", ""],
            "phone": ["", "", ""],
            "registered_on": pd.to_datetime(["2015-03-01", None, "2020-07-15"]).astype(
                "datetime64[ns]"
            ),
            "status": ["存续", "存续", "注销"],
            "sectors": ["food;catering", "catering", ""],
        }
    )
    tables["ratings"] = pd.DataFrame(
        {
            "uscc": [E1, E1, E2, E3],
            "department_code": ["PUBLIC", "MARKET", "PUBLIC", "PUBLIC"],
            "tier": ["A", "C", "B", "D"],
            "evaluated_on": pd.to_datetime(["2025-01-10"] * 4).astype("datetime64[ns]"),
            "valid_until": pd.to_datetime(["2026-01-10", None, "2027-01-10", None]).astype(
                "datetime64[ns]"
            ),
        }
    )
    tables["inspectors"] = pd.DataFrame(
        {
            "inspector_id": ["LF001", "LF002"],
            "name": ["王五", "赵六"],
            "department_code": ["MARKET", "MARKET"],
            "region_code": ["370702", "370703"],
            "qualifications": ["food;catering", "food"],
            "capacity": np.array([10, 5], dtype="int64"),
            "active": [True, False],
        }
    )
    tables["conflicts"] = pd.DataFrame(
        {"inspector_id": ["LF001"], "uscc": [E2], "reason": ["亲属"]}
    )
    tables["history"] = pd.DataFrame(
        {
            "uscc": [E1],
            "department_code": ["MARKET"],
            "inspected_on": pd.to_datetime(["2024-05-06"]).astype("datetime64[ns]"),
            "inspector_ids": ["LF001;LF002"],
            "result_code": ["01"],
        }
    )
    tables["commitments"] = pd.DataFrame(
        {
            "uscc": [E1, E2],
            "department_code": ["MARKET", "MARKET"],
            "item": ["告知承诺：符合许可条件", "容缺受理：限期补齐申报材料"],
            "committed_on": pd.to_datetime(["2025-03-01", "2025-04-01"]).astype("datetime64[ns]"),
            "due_on": pd.to_datetime(["2025-06-01", "2025-05-01"]).astype("datetime64[ns]"),
            "status": ["pending", "fulfilled"],
        }
    )
    return Directory.from_tables({name: as_documented(frame) for name, frame in tables.items()})


def as_documented(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``object`` (pandas 3 would infer its ``str`` dtype)."""
    return frame.astype({c: object for c in frame.columns if frame[c].dtype.kind not in "Mbi"})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    write_folder(minimal_directory(), target)
    return target


# --- tiny builders: each corrupts one thing of a valid folder -----------------------------


def read_text_table(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write_text_table(
    folder: Path, table: str, frame: pd.DataFrame, encoding: str = "utf-8"
) -> None:
    frame.to_csv(folder / f"{table}.csv", index=False, encoding=encoding)


def cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set the cell at spreadsheet ``row`` (header = 1) of ``table``."""

    def mutate(folder: Path) -> None:
        frame = read_text_table(folder, table)
        frame.loc[row - 2, column] = value
        write_text_table(folder, table, frame)

    return mutate


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        write_text_table(folder, table, read_text_table(folder, table).drop(columns=[column]))

    return mutate


def raw_bytes(file: str, data: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / file).write_bytes(data)

    return mutate


def rename(file: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / file).rename(folder / new)

    return mutate


def remove(file: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / file).unlink()

    return mutate


def extra_header(table: str, header: str, copy_of: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        frame = read_text_table(folder, table)
        frame[header] = frame[copy_of]
        write_text_table(folder, table, frame)

    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for mutation in mutations:
            mutation(folder)

    return mutate
