"""Cross-table checks of the importer: every code names a row of the table it refers to.

Run by ``scheduler.data.importing.reader.read_folder`` once every table has been parsed;
each reference column is checked on its own, in a thread pool, and the
problems are merged back in the order of ``REFERENCES``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.data import reference
from scheduler.data.formats import TABLES
from scheduler.data.importing import cells as C
from scheduler.data.importing.problems import ProblemLog

__all__ = ["ParsedTable", "Reference", "REFERENCES", "check_references"]


@dataclass
class ParsedTable:
    """A parsed table indexed by spreadsheet row, with a usable-cell mask per column."""

    name: str
    file: str
    frame: pd.DataFrame
    ok: dict[str, np.ndarray]


Reference = tuple[str, str, str, str, tuple[str, ...]]
"""(table, column, target table, target column, extra allowed values)."""

REFERENCES: tuple[Reference, ...] = (
    ("sectors", "department_code", "departments", "code", ()),
    ("entities", "region_code", "regions", "code", ()),
    ("entities", "sectors", "sectors", "code", ()),
    ("ratings", "uscc", "entities", "uscc", ()),
    ("ratings", "department_code", "departments", "code", (reference.PUBLIC_DEPARTMENT,)),
    ("inspectors", "department_code", "departments", "code", ()),
    ("inspectors", "region_code", "regions", "code", ()),
    ("inspectors", "qualifications", "sectors", "code", ()),
    ("conflicts", "inspector_id", "inspectors", "inspector_id", ()),
    ("conflicts", "uscc", "entities", "uscc", ()),
    ("history", "uscc", "entities", "uscc", ()),
    ("history", "department_code", "departments", "code", ()),
    ("commitments", "uscc", "entities", "uscc", ()),
    ("commitments", "department_code", "departments", "code", ()),
)


def _check_reference(
    tables: dict[str, ParsedTable | None], ref: Reference
) -> tuple[np.ndarray | None, ProblemLog]:
    """Mask of the cells of one reference column that name a row of its target."""
    name, column, target_name, target_column, extra = ref
    log = ProblemLog()
    table, target = tables.get(name), tables.get(target_name)
    if table is None or target is None:
        return None, log
    if column not in table.frame or target_column not in target.frame:
        return None, log  # a column left unread (``read_folder(tables=...)``)
    known = target.frame[target_column]
    if extra:
        known = pd.concat([known, pd.Series(extra, dtype=known.dtype)], ignore_index=True)
    expected = f"not in {target.file}"
    values = table.frame[column]
    if TABLES[name].column(column).kind == "list":
        good = C.check_list_items(values, set(known.unique()), table.file, column, log, expected)
    else:
        good = C.check_choice(values, known, table.file, column, log, expected, table.ok[column])
    return good, log


def check_references(
    tables: dict[str, ParsedTable | None], log: ProblemLog, pool: ThreadPoolExecutor
) -> None:
    """Every code must name a row of the table it refers to (foreign keys).

    Each reference column is checked on its own (in ``pool``); the problems
    are logged in the order of ``REFERENCES``.
    """
    checks = pool.map(lambda ref: _check_reference(tables, ref), REFERENCES)
    for (name, column, *_), (good, check_log) in zip(REFERENCES, checks, strict=True):
        log.merge(check_log)
        if good is not None:
            table = tables[name]
            assert table is not None
            table.ok[column] = table.ok[column] & good
