"""Writing a directory to a data folder (SPEC section 5 ``--data DIR``).

The writer is deterministic (same directory, same bytes) so that sample data
with one seed is reproducible byte for byte. Reading a folder, with
validation, is ``scheduler.importer.read_folder``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduler.directory import Directory
from scheduler.formats import TABLE_ORDER, TABLES

__all__ = ["write_folder", "table_to_csv_frame"]


def table_to_csv_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table as text cells in file form: ISO dates, ``true``/``false`` booleans."""
    out = pd.DataFrame(index=frame.index)
    for column in TABLES[name].columns:
        values = frame[column.name] if column.name in frame else pd.Series("", index=frame.index)
        if column.kind == "date":
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("")
        elif column.kind == "bool":
            values = values.map(lambda v: "true" if bool(v) else "false")
        else:
            values = values.fillna("").astype(str)
        out[column.name] = values
    return out


def write_folder(directory: Directory, path: str | Path) -> list[Path]:
    """Write every table as ``<name>.csv`` (UTF-8, ``\\n`` line ends) into ``path``."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_ORDER:
        target = folder / f"{name}.csv"
        table_to_csv_frame(name, directory.table(name)).to_csv(
            target, index=False, encoding="utf-8", lineterminator="\n"
        )
        written.append(target)
    return written
