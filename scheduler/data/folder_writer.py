"""Writing a directory to a data folder (SPEC section 5 ``--data DIR``).

The writer is deterministic (same directory, same bytes) so that sample data
with one seed is reproducible byte for byte. Reading a folder, with
validation, is ``scheduler.data.importing.reader.read_folder``.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory
from scheduler.data.formats import TABLE_ORDER, TABLES

__all__ = ["write_folder", "write_csv_rows", "table_to_csv_frame"]


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
        with open(target, "wb") as handle:
            write_csv_rows(name, directory.table(name), handle, header=True)
        written.append(target)
    return written


def write_csv_rows(name: str, frame: pd.DataFrame, handle: BinaryIO, *, header: bool) -> None:
    """Write the table's rows (and the header line if asked) to an open binary file.

    Appending chunk after chunk gives the same bytes as one call with all rows
    (no quoting differs by chunk), which is how large sample folders are streamed.
    """
    cells = table_to_csv_frame(name, frame)
    body = _unquoted_csv_body(cells)
    if body is None:
        handle.write(cells.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8"))
        return
    if header:
        handle.write((",".join(cells.columns) + "\n").encode("utf-8"))
    handle.write(body)


def _unquoted_csv_body(cells: pd.DataFrame) -> memoryview | None:
    """The data lines exactly as ``to_csv`` writes them, joined in Arrow (several times
    faster for a million rows), or ``None`` when some cell would need quoting (a comma,
    quote or line break), the frame is empty or single-column, or Arrow is missing:
    the caller then falls back to ``to_csv``. Added by the sample-data area."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow comes with pandas 3 and streamlit
        return None
    if cells.shape[1] < 2 or cells.empty:
        return None
    try:
        text = pa.large_string()
        columns = [pa.array(cells[c], type=text, from_pandas=True) for c in cells]
        lines = pc.binary_join_element_wise(*columns, pa.scalar(",", text))
        if lines.null_count or any(
            pc.any(pc.match_substring(lines, char)).as_py() for char in ('"', "\n", "\r")
        ):
            return None
        if not pc.all(pc.equal(pc.count_substring(lines, ","), cells.shape[1] - 1)).as_py():
            return None
        ended = pc.binary_join_element_wise(lines, pa.scalar("", text), pa.scalar("\n", text))
        if isinstance(ended, pa.ChunkedArray):
            ended = ended.combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    offsets = np.frombuffer(ended.buffers()[1], dtype=np.int64)
    start, end = offsets[ended.offset], offsets[ended.offset + len(ended)]
    return memoryview(ended.buffers()[2])[start:end]
