"""Streaming import of a data folder: each table as validated chunks, memory bounded by a chunk.

``reader.read_folder`` holds a whole folder in memory (3 GB for Weifang's 1.48M
entities; a 14M-entity province would not fit). ``FolderStream`` reads each CSV
in Arrow blocks of ``CHUNK_BYTES`` and checks each block exactly as
``read_folder`` checks a table (``reader._convert``: types, choices, required
cells, duplicate keys within the block). The checks that reach beyond a block
run on compact arrays (``scheduler.data.importing.crossrow``): keys repeated in a
later block, and references to earlier tables (``REFERENCES`` only ever points
to a table earlier in ``TABLE_ORDER``).

Problems are collected as ``read_folder`` collects them (file, row, column,
reason; capped), per table and then per reference, so that a folder of one
block per file lists them in the same order. The caller (``scheduler.store.loader``)
writes chunks while ``failed`` is false and calls ``raise_if_any`` at the end,
inside its transaction: a folder is used whole or not at all.

A file Arrow cannot stream (blank lines between rows, short rows, GB18030, an
.xlsx workbook) is read whole by ``sources.read_cells`` from the first row not
yet streamed: its rows and problems are exactly those of ``read_folder``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.data.formats import TABLE_ORDER, TABLES, TableSpec
from scheduler.data.importing import cells as C
from scheduler.data.importing.crossrow import KnownValues, SeenKeys, key_hashes
from scheduler.data.importing.problems import ProblemLog
from scheduler.data.importing.reader import (
    NON_EMPTY_TABLES,
    REFERENCE_TABLES,
    REQUIRED_TABLES,
    _convert,
    _empty_table,
    _finish,
    _reference_table,
)
from scheduler.data.importing.references import REFERENCES, ParsedTable, Reference
from scheduler.data.importing.sources import (
    BOM,
    body_cells,
    header_mapping,
    locate,
    looks_utf16,
    read_cells,
)

__all__ = ["Chunk", "FolderStream", "CHUNK_BYTES"]

CHUNK_BYTES = 1 << 24
"""Bytes of CSV per chunk: about 90,000 entity rows, 300 MB of peak memory in all."""
_TARGETS = {(target, column) for _, _, target, column, _ in REFERENCES}


@dataclass(frozen=True)
class Chunk:
    """Validated rows of one table in the ``Directory`` form, and their spreadsheet rows."""

    frame: pd.DataFrame
    rows: np.ndarray


def _arrow_blocks(path: Path, chunk_bytes: int) -> Iterator[pd.DataFrame]:
    """Raw text cells of a UTF-8 CSV, a block at a time, indexed by record (header = 0).

    Raises ``pyarrow.ArrowInvalid`` where Arrow cannot go on (ragged or blank
    rows, text that is not UTF-8); the caller then reads the file whole.
    """
    import pyarrow as pa
    from pyarrow import csv

    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(BOM):
        head = head[len(BOM) :]
    first = head[: head.find(b"\n") + 1 or len(head)]
    options = csv.ReadOptions(autogenerate_column_names=True, block_size=chunk_bytes)
    probe = csv.read_csv(pa.BufferReader(first), read_options=options)
    types = {name: pa.string() for name in probe.column_names}
    convert = csv.ConvertOptions(
        column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    parse = csv.ParseOptions(ignore_empty_lines=False)
    reader = csv.open_csv(path, read_options=options, parse_options=parse, convert_options=convert)
    offset = 0
    for batch in reader:
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        yield frame


def _streamable(path: Path) -> bool:
    """A CSV that starts as UTF-8 text (not UTF-16, not empty): worth streaming."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(BOM):
        head = head[len(BOM) :]
    return bool(head.strip()) and not looks_utf16(head) and b"\n" in head


def _cells(
    path: Path, spec: TableSpec, log: ProblemLog, chunk_bytes: int
) -> Iterator[pd.DataFrame]:
    """Trimmed text cells of ``spec``'s columns, a chunk at a time (``sources.read_cells`` form).

    Streams with Arrow while it can; from the first block it cannot parse,
    the file is read whole and the rows not yet yielded follow, with the
    problems of rows not yet seen (the header's are logged once).
    """
    import pyarrow as pa

    mapping: dict[str, int] | None = None
    header = pd.DataFrame()
    last = 1  # spreadsheet row of the last row yielded (1: the header)
    if _streamable(path):
        try:
            for block in _arrow_blocks(path, chunk_bytes):
                if mapping is None:
                    mapping = header_mapping(block.iloc[0].tolist(), spec, path.name, log)
                    if mapping is None:
                        return
                    header, block = block.iloc[:1], block.iloc[1:]
                if len(block):
                    yield body_cells(block, mapping, spec)
                    last = int(block.index[-1]) + 1
            if mapping is not None:
                if last == 1:  # a header and no rows: one empty chunk
                    yield body_cells(header.iloc[0:0], mapping, spec)
                return
        except pa.ArrowInvalid:
            pass
    whole_log = ProblemLog(limit=log.limit)
    cells = read_cells(path, spec, whole_log)
    for problem in whole_log.problems:
        if mapping is None or problem.row is None or problem.row > last:
            log.add(problem.file, problem.row, problem.column, problem.reason)
    log.dropped += whole_log.dropped
    if cells is not None:
        rest = cells[cells.index > last]
        if len(rest) or mapping is None:
            yield rest


class FolderStream:
    """A data folder read table by table (in ``TABLE_ORDER``), chunk by chunk, validated.

    Call ``chunks(name)`` for every table in order; each chunk's own defects
    and those against earlier chunks and tables are logged as it is read.
    """

    def __init__(self, folder: str | Path, *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.folder = Path(folder)
        self.chunk_bytes = chunk_bytes
        self._table_logs: dict[str, ProblemLog] = {}
        self._reference_logs = {ref: ProblemLog() for ref in REFERENCES}
        self._known: dict[tuple[str, str], KnownValues] = {}
        self._files: dict[str, str] = {}
        self._next = 0
        if not self.folder.is_dir():
            log = ProblemLog()
            log.add(str(self.folder), None, None, "not a folder")
            log.raise_if_any()

    @property
    def failed(self) -> bool:
        """Whether any problem has been found so far (then nothing should be written)."""
        return any(self._table_logs.values()) or any(self._reference_logs.values())

    def problems(self) -> ProblemLog:
        """Every problem found, tables in order, then references in ``REFERENCES`` order."""
        log = ProblemLog()
        for name in TABLE_ORDER:
            if name in self._table_logs:
                log.merge(self._table_logs[name])
        for ref in REFERENCES:
            log.merge(self._reference_logs[ref])
        return log

    def raise_if_any(self) -> None:
        """Raise ``InvalidInputError`` with every problem, as ``read_folder`` does."""
        self.problems().raise_if_any()

    def chunks(self, name: str) -> Iterator[Chunk]:
        """Validated chunks of table ``name`` (its file, its built-in default, or nothing)."""
        if TABLE_ORDER.index(name) != self._next:
            raise ValueError(f"tables are streamed in TABLE_ORDER; {name!r} is out of turn")
        self._next += 1
        log = self._table_logs.setdefault(name, ProblemLog())
        file = locate(self.folder, name, log)
        if file is not None:
            yield from self._file_chunks(file, name, log)
        elif name in REFERENCE_TABLES:
            yield self._checked(_reference_table(name, log), log, SeenKeys())
        elif name in REQUIRED_TABLES:
            log.add(
                f"{name}.csv", None, None, f"missing file: {name}.csv or {name}.xlsx is required"
            )
        else:
            yield self._checked(_empty_table(name, log), log, SeenKeys())

    def _file_chunks(self, path: Path, name: str, log: ProblemLog) -> Iterator[Chunk]:
        spec, seen, rows, read = TABLES[name], SeenKeys(), 0, False
        for cells in _cells(path, spec, log, self.chunk_bytes):
            rows += len(cells)
            if not read and name in NON_EMPTY_TABLES and rows == 0:
                log.add(path.name, None, None, f"no data rows: the {name} table must not be empty")
            read = True
            yield self._checked(_convert(cells, spec, path.name, log), log, seen)

    def _checked(self, table: ParsedTable, log: ProblemLog, seen: SeenKeys) -> Chunk:
        """Cross-chunk and cross-table checks of a converted chunk; its ``Directory`` form."""
        spec = TABLES[table.name]
        self._files[table.name] = table.file
        frame, ok = table.frame, table.ok
        usable = np.logical_and.reduce([ok[k] for k in spec.key])
        firsts = seen.first_rows(
            key_hashes(frame.loc[usable, list(spec.key)]), frame.index.to_numpy()[usable]
        )
        repeated = np.zeros(len(frame), dtype=bool)
        repeated[np.flatnonzero(usable)[firsts >= 0]] = True
        if repeated.any():
            self._log_repeats(table, spec.key, repeated, firsts[firsts >= 0], log)
            for k in spec.key:
                ok[k] = ok[k] & ~repeated
        for ref in REFERENCES:
            if ref[0] == table.name:
                self._check_reference(table, ref)
        for target, column in _TARGETS:
            if target == table.name:
                self._known.setdefault((target, column), KnownValues()).add(frame[column])
        return Chunk(_finish(table), frame.index.to_numpy())

    @staticmethod
    def _log_repeats(
        table: ParsedTable,
        key: tuple[str, ...],
        repeated: np.ndarray,
        firsts: np.ndarray,
        log: ProblemLog,
    ) -> None:
        described = table.frame[repeated]
        rows = described.index.to_numpy()
        log.add_rows(
            table.file,
            rows,
            ", ".join(key),
            lambda i: (
                "duplicate key "
                + ", ".join(f"{k}={C._show(described.iloc[i][k])}" for k in key)
                + f": rows {firsts[i]} and {rows[i]}"
            ),
        )

    def _check_reference(self, table: ParsedTable, ref: Reference) -> None:
        """Log the cells of one reference column that name no row of its target (foreign keys)."""
        _, column, target, target_column, extra = ref
        if target not in self._files or (target, target_column) not in self._known:
            return  # the target could not be read: its own problems say why
        log, known = self._reference_logs[ref], self._known[target, target_column]
        values = table.frame[column]
        expected = f"not in {self._files[target]}"
        good: np.ndarray
        if TABLES[table.name].column(column).kind == "list":
            good = C.check_list_items(values, known.as_set(), table.file, column, log, expected)
        else:
            found = known.contains(values)
            if extra:
                found = found | C.isin(values, extra)
            good = C.check_found(values, found, table.file, column, log, expected, table.ok[column])
        table.ok[column] = table.ok[column] & good
