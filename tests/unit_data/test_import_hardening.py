"""Import defects found by the reliability probe (issue 12, point 6), each refused clearly.

Same pattern as ``test_importer.py`` (whose valid minimal folder and mutations, in
``tests/importer_support.py``, this reuses): the exact problem text, from ``read_folder``
and from ``scheduler db load`` (exit 2, nothing written). Each case failed on the code
before this change (accepted, or reported with a misleading reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from importer_support import cell, read_text_table

from scheduler.cli import main
from scheduler.data.importing.reader import read_folder
from scheduler.errors import InvalidInputError
from scheduler.store.engine import make_engine
from scheduler.store.loader import row_counts


def utf16(table: str) -> Callable[[Path], None]:
    def mutate(target: Path) -> None:
        frame = read_text_table(target, table)
        frame.to_csv(target / f"{table}.csv", index=False, encoding="utf-16")

    return mutate


def formula_without_value(
    table: str, row: int, column: str, formula: str
) -> Callable[[Path], None]:
    """``table`` as an XLSX written by a program: a formula cell, never calculated or saved."""

    def mutate(target: Path) -> None:
        import openpyxl

        frame = read_text_table(target, table)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(frame.columns))
        for values in frame.itertuples(index=False):
            sheet.append(list(values))
        sheet.cell(row=row, column=list(frame.columns).index(column) + 1, value=formula)
        book.save(target / f"{table}.xlsx")
        (target / f"{table}.csv").unlink()

    return mutate


# (id, mutation, exact text of one expected problem)
DEFECTS: list[tuple[str, Callable[[Path], None], str]] = [
    ("NUL byte in a name", cell("entities", 2, "name", "潍坊\x00食品有限公司"),
     "entities.csv, row 2, column 'name': contains U+0000 (NUL); remove it and save the file "
     "again"),
    ("escape in an address", cell("entities", 2, "address", "潍城区\x1b[8m某路"),
     "entities.csv, row 2, column 'address': contains U+001B (control character); remove it and "
     "save the file again"),
    ("DEL in an inspector name", cell("inspectors", 3, "name", "王\x7f五"),
     "inspectors.csv, row 3, column 'name': contains U+007F (DEL); remove it and save the file "
     "again"),
    ("UTF-16 file", utf16("entities"),
     "entities.csv: the file is UTF-16; save it as UTF-8 or GB18030"),
    ("overflowing integer", cell("inspectors", 2, "capacity", "99999999999999999999"),
     "inspectors.csv, row 2, column 'capacity': too large: '99999999999999999999' "
     "(at most 999,999,999,999)"),
    ("formula without a saved value", formula_without_value("inspectors", 2, "capacity", "=10+5"),
     "inspectors.xlsx, row 2, column 'capacity': formula =10+5 without a saved value; open and "
     "save the file in Excel"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_defect_is_reported_exactly(
    folder: Path,
    mutate: Callable[[Path], None],
    expected: str,
) -> None:
    mutate(folder)
    with pytest.raises(InvalidInputError, match=re.escape(expected)) as caught:
        read_folder(folder)
    assert expected in [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_cli_load_rejects_defect_and_writes_nothing(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: Callable[[Path], None],
    expected: str,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "init", "--url", url]) == 0
    mutate(folder)
    assert main(["db", "load", str(folder), "--url", url]) == 2
    squeeze = "".join  # rich wraps long lines: compare without whitespace
    assert squeeze(expected.split()) in squeeze(capsys.readouterr().err.split())
    engine = make_engine(url)
    assert set(row_counts(engine).values()) == {0}
    engine.dispose()


def test_tabs_and_line_breaks_are_ordinary_text(folder: Path) -> None:
    cell("entities", 2, "address", "潍城区\t某路\n1号")(folder)
    directory = read_folder(folder)
    assert directory.entities.loc[0, "address"] == "潍城区\t某路\n1号"
