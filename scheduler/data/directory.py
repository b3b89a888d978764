"""The in-memory directory: 一单两库 as validated pandas DataFrames.

Every algorithm (frame, draw, matching, publication, simulation) reads a
``Directory``; where it came from (a data folder or the database) is the edge's
business. Column names are those of ``scheduler.data.formats.TABLES``.

Column types after validation:
- text and code columns: Python ``str`` (object dtype), empty optional cells ``""``;
- date columns: ``datetime64[ns]`` with no time of day, missing optional dates ``NaT``;
- ``capacity``: ``int64``; ``active``: ``bool``;
- list columns (``sectors``, ``qualifications``, ``inspector_ids``): the
  ``;``-joined codes as ``str`` (split them with ``scheduler.data.formats.split_list``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from scheduler.data.formats import TABLE_ORDER, TABLES, split_list

# split_list is the list codec of scheduler.data.formats, re-exported for existing callers.
__all__ = ["Directory", "split_list", "empty_table", "sectors_by_department"]


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the columns of table ``name``."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].column_names})


@dataclass(frozen=True)
class Directory:
    departments: pd.DataFrame
    sectors: pd.DataFrame
    regions: pd.DataFrame
    entities: pd.DataFrame
    ratings: pd.DataFrame
    inspectors: pd.DataFrame
    conflicts: pd.DataFrame
    history: pd.DataFrame
    commitments: pd.DataFrame = field(default_factory=lambda: empty_table("commitments"))
    """Credit commitments (信用承诺); optional, so it defaults to an empty table."""

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_tables(cls, tables: dict[str, pd.DataFrame]) -> Directory:
        """Build from a dict; missing tables become empty ones."""
        return cls(**{name: tables.get(name, empty_table(name)) for name in TABLE_ORDER})


def sectors_by_department(directory: Directory) -> dict[str, frozenset[str]]:
    """Department code -> the sector codes it supervises.

    The rule has one source, ``sectors.department_code``: a sector belongs to
    exactly one department. The sampling frame (which entities a department may
    draw) and matching (which of an entity's sectors a team must cover) both
    read it here. A department that supervises nothing is absent.
    """
    out: dict[str, set[str]] = {}
    codes = directory.sectors["code"].astype(str).to_numpy(dtype=object)
    depts = directory.sectors["department_code"].astype(str).to_numpy(dtype=object)
    for code, dept in zip(codes, depts, strict=True):
        out.setdefault(dept, set()).add(code)
    return {d: frozenset(c) for d, c in out.items()}
