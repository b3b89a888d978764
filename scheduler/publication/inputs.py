"""Reading the files this area consumes: draws, assignments, receipts, results.

The draw and assignment CSVs are outputs of other commands (SPEC section 4) but
are read back from disk, where a planner may have opened and re-saved them, so
they are validated like any input: the importer's reader (encoding detection,
Chinese header aliases, spreadsheet row numbers) with the ``TableSpec``s of
their home modules (``scheduler.draw.run.DRAW_SPEC``,
``scheduler.matching.result.ASSIGNMENT_SPEC``). Every problem is reported at once.

These readers differ from ``draw.read_draw_csv`` and ``matching.io.read_assignment``
on purpose: those read our own files back exactly (verification compares cells
as text; a plan needs its sidecar), these accept a planner's re-saved copy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data import reference
from scheduler.data.formats import ColumnSpec as C
from scheduler.data.formats import TableSpec
from scheduler.data.importing import cells
from scheduler.data.importing.problems import ProblemLog
from scheduler.data.importing.sources import read_cells
from scheduler.draw.run import DRAW_SPEC
from scheduler.errors import InvalidInputError, Problem
from scheduler.matching.result import ASSIGNMENT_SPEC

__all__ = [
    "DRAW_SPEC",
    "ASSIGNMENT_SPEC",
    "RESULTS_SPEC",
    "read_draw",
    "read_assignment",
    "read_results",
    "read_receipt",
]

RESULTS_SPEC = TableSpec(
    "results",
    "检查结果",
    (
        C("uscc", "统一社会信用代码", "uscc"),
        C("department_code", "检查部门", "code", aliases=("部门代码", "检查机关代码")),
        C("inspected_on", "检查日期", "date"),
        C("result_code", "检查结果", "result_code", aliases=("检查结果代码", "结果代码")),
        C("draw_id", "抽查编号", "code", required=False),
        C("notes", "备注", required=False),
        C("commitment_breach", "承诺核查结论", required=False, aliases=("不实承诺/未履约",)),
        C("commitment_item", "承诺事项", required=False),
    ),
    key=("uscc", "department_code", "inspected_on"),
)


def _parse(path: str | Path, spec: TableSpec) -> pd.DataFrame:
    """Cells of ``spec`` parsed by kind; raises with every problem found."""
    path = Path(path)
    log = ProblemLog()
    if not path.is_file():
        raise InvalidInputError(problems=[Problem(path.name, None, None, f"no such file: {path}")])
    raw = read_cells(path, spec, log)
    if raw is None:
        log.raise_if_any()
        raise InvalidInputError(problems=[Problem(path.name, None, None, "unreadable file")])
    file = path.name
    frame = pd.DataFrame(index=raw.index)
    codes = [r.code for r in reference.result_codes()]
    for column in spec.columns:
        values = raw[column.name]
        if column.required:
            missing = (values == "").to_numpy()
            log.add_rows(
                file,
                values.index.to_numpy()[missing],
                column.name,
                lambda _i: "missing required value",
            )
        if column.kind == "uscc":
            values, _ = cells.parse_uscc(values, file, column.name, log)
        elif column.kind == "date":
            values, _ = cells.parse_dates(values, file, column.name, log)
        elif column.kind == "bool":
            values, _ = cells.parse_bools(values, file, column.name, log)
        elif column.kind == "list":
            values = cells.canonical_lists(values)
        elif column.kind == "tier":
            values = values.str.upper()
        elif column.kind == "result_code":
            values = values.where(~values.str.fullmatch(r"\d").to_numpy(dtype=bool), "0" + values)
            cells.check_choice(values, codes, file, column.name, log, "expected 01 to 14")
        if column.name == "commitment_breach":
            from scheduler.publication.commitments import BROKEN_KINDS

            values = values.str.strip()
            cells.check_choice(
                values, BROKEN_KINDS, file, column.name, log,
                f"expected {' or '.join(BROKEN_KINDS)} (or blank)",
            )  # fmt: skip
        frame[column.name] = values
    key_ok = np.ones(len(frame), dtype=bool)
    cells.check_unique(frame, spec.key, key_ok, file, log)
    if spec is DRAW_SPEC:
        prob = pd.to_numeric(frame["inclusion_prob"], errors="coerce")
        bad = (prob.isna() | (prob <= 0) | (prob > 1)).to_numpy() & (
            raw["inclusion_prob"] != ""
        ).to_numpy()
        texts = raw["inclusion_prob"][bad].tolist()
        log.add_rows(
            file,
            frame.index[bad],
            "inclusion_prob",
            lambda i: f"must be a number in (0, 1]; got {texts[i]!r}",
        )
        frame["inclusion_prob"] = prob
    log.raise_if_any()
    return frame.reset_index(drop=True)


def read_draw(path: str | Path) -> pd.DataFrame:
    """A draw CSV/XLSX (SPEC section 4), ``inclusion_prob`` as float."""
    frame = _parse(path, DRAW_SPEC)
    frame["stratum"] = frame["stratum"].where(
        frame["stratum"] != "", frame["region_code"] + "/" + frame["tier"]
    )
    return frame


def read_assignment(path: str | Path) -> pd.DataFrame:
    """An assignment CSV/XLSX; ``member_inspector_ids`` stays ``;``-joined text."""
    return _parse(path, ASSIGNMENT_SPEC)


def read_results(path: str | Path) -> pd.DataFrame:
    """A results CSV/XLSX: uscc, department_code, inspected_on, result_code (+ draw_id, notes)."""
    return _parse(path, RESULTS_SPEC)


def read_receipt(path: str | Path) -> dict[str, Any]:
    """A draw receipt (JSON object); only its shape is checked here."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InvalidInputError(
            problems=[Problem(path.name, None, None, f"no such file: {path}")]
        ) from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            problems=[Problem(path.name, error.lineno, None, f"not JSON: {error.msg}")]
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError(
            problems=[Problem(path.name, None, None, "a receipt must be a JSON object")]
        )
    return data
