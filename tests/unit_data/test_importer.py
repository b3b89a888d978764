"""Validated import: every defect is reported with file, row, column and reason.

Each bad-input case is one line of ``DEFECTS``: a mutation of a valid minimal
folder and the exact problem text expected. Every case is checked twice: by
``read_folder`` and through ``scheduler db load``, which must exit 2 and
leave the database empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from importer_defects import ALL_DEFECTS, DEFECTS
from importer_support import (
    E1,
    UNKNOWN,
    WRONG_CHECK,
    cell,
    minimal_directory,
    read_text_table,
    write_text_table,
)

from scheduler.cli import main
from scheduler.data import uscc
from scheduler.data.importing.problems import MAX_PROBLEMS
from scheduler.data.importing.reader import read_folder, read_table
from scheduler.errors import InvalidInputError
from scheduler.store.engine import make_engine
from scheduler.store.loader import row_counts


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in ALL_DEFECTS], ids=[d[0] for d in ALL_DEFECTS]
)
def test_defect_is_reported_exactly(
    folder: Path, mutate: Callable[[Path], None], expected: str
) -> None:
    mutate(folder)
    with pytest.raises(InvalidInputError, match=re.escape(expected)) as caught:
        read_folder(folder)
    assert expected in [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in ALL_DEFECTS], ids=[d[0] for d in ALL_DEFECTS]
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


def test_defect_table_is_large_enough() -> None:
    assert len(DEFECTS) >= 15


# --- valid inputs in the forms users actually have ------------------------------------------


def test_valid_folder_reads_with_documented_types(folder: Path) -> None:
    directory = read_folder(folder)
    expected = minimal_directory()
    for name, frame in expected.tables().items():
        pd.testing.assert_frame_equal(directory.table(name), frame, check_dtype=True)
    assert directory.entities["uscc"].dtype == object
    assert directory.inspectors["capacity"].dtype == np.int64
    assert directory.inspectors["active"].dtype == bool


def test_gb18030_file_is_valid_and_loads(folder: Path, tmp_path: Path) -> None:
    frame = read_text_table(folder, "entities")
    frame.columns = ["统一社会信用代码", "名称", "主体类型", "行政区划代码", "住所", "法定代表人",
                     "联系电话", "成立日期", "登记状态", "监管行业"]  # fmt: skip
    write_text_table(folder, "entities", frame, encoding="gb18030")
    assert (folder / "entities.csv").read_bytes().decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        (folder / "entities.csv").read_bytes().decode("utf-8")
    assert (
        read_folder(folder).entities["name"].tolist()
        == minimal_directory().entities["name"].tolist()
    )
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "load", str(folder), "--url", url]) == 0
    assert row_counts(make_engine(url))["entities"] == 3


def test_utf8_bom_file_loads(folder: Path, tmp_path: Path) -> None:
    write_text_table(folder, "ratings", read_text_table(folder, "ratings"), encoding="utf-8-sig")
    assert (folder / "ratings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(read_folder(folder).ratings) == 4
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "load", str(folder), "--url", url]) == 0
    assert row_counts(make_engine(url))["ratings"] == 4


def test_xlsx_with_chinese_headers_and_excel_cells_loads(folder: Path, tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["执法证号", "姓名", "部门代码", "行政区划代码", "检查专长", "任务上限", "在岗", "备注"]
    )
    sheet.append(["LF001", "王五", "MARKET", 370702, "food；catering", 10, True, "ignored"])
    sheet.append(["LF002", "赵六", "MARKET", 370703, "food", 5.0, "否", None])
    book.save(folder / "inspectors.xlsx")
    (folder / "inspectors.csv").unlink()
    history = openpyxl.Workbook()
    history.active.append(["统一社会信用代码", "检查部门", "检查日期", "检查人员", "检查结果"])
    history.active.append([E1, "MARKET", datetime.datetime(2024, 5, 6), "LF001;LF002", 1])
    history.save(folder / "history.xlsx")
    (folder / "history.csv").unlink()

    directory = read_folder(folder)
    expected = minimal_directory()
    pd.testing.assert_frame_equal(directory.inspectors, expected.inspectors)
    pd.testing.assert_frame_equal(directory.history, expected.history)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "load", str(folder), "--url", url]) == 0
    assert row_counts(make_engine(url))["qualifications"] == 3


@pytest.mark.parametrize(
    "text", ["2025-01-10", "2025/01/10", "20250110", "2025/1/10", "2025-01-10 00:00:00"]
)
def test_accepted_date_forms(folder: Path, text: str) -> None:
    cell("ratings", 2, "evaluated_on", text)(folder)
    assert read_folder(folder).ratings["evaluated_on"].iloc[0] == pd.Timestamp("2025-01-10")


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("是", True), ("否", False),
     ("yes", True), ("No", False), ("在岗", True), ("不在岗", False)],
)  # fmt: skip
def test_accepted_boolean_words(folder: Path, text: str, value: bool) -> None:
    cell("inspectors", 2, "active", text)(folder)
    assert bool(read_folder(folder).inspectors["active"].iloc[0]) is value


def test_lists_are_canonicalised(folder: Path) -> None:
    cell("entities", 2, "sectors", " food ；catering;;food, ")(folder)
    assert read_folder(folder).entities["sectors"].iloc[0] == "food;catering"


def test_cells_are_trimmed_and_codes_upper_cased(folder: Path) -> None:
    cell("entities", 2, "uscc", f"  {E1.lower()} ")(folder)
    cell("ratings", 2, "tier", " a")(folder)
    directory = read_folder(folder)
    assert directory.entities["uscc"].iloc[0] == E1
    assert directory.ratings["tier"].iloc[0] == "A"


def test_reference_tables_default_to_shipped_data(folder: Path) -> None:
    for name in ("departments", "sectors", "regions"):
        (folder / f"{name}.csv").unlink()
    directory = read_folder(folder)
    assert len(directory.regions) == 12
    assert "MARKET" in set(directory.departments["code"])


def test_optional_tables_absent_are_empty_and_typed(folder: Path) -> None:
    (folder / "conflicts.csv").unlink()
    (folder / "history.csv").unlink()
    directory = read_folder(folder)
    assert directory.conflicts.empty and directory.history.empty
    assert directory.history["inspected_on"].dtype == "datetime64[ns]"


def test_unknown_reference_names_the_builtin_source(folder: Path) -> None:
    (folder / "regions.csv").unlink()
    cell("entities", 2, "region_code", "110101")(folder)
    with pytest.raises(InvalidInputError, match=re.escape(
        "entities.csv, row 2, column 'region_code': unknown region_code '110101'; "
        "not in regions (built-in reference)"
    )):  # fmt: skip
        read_folder(folder)


def test_blank_lines_keep_spreadsheet_row_numbers(folder: Path) -> None:
    text = (folder / "entities.csv").read_text(encoding="utf-8").splitlines()
    text.insert(2, "")  # a blank spreadsheet row 3; E2 moves to row 4
    text[3] = text[3].replace("个体工商户", "个体户")
    (folder / "entities.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(
        InvalidInputError, match=re.escape("entities.csv, row 4, column 'entity_type'")
    ):
        read_folder(folder)


def test_all_problems_reported_at_once_with_a_cap(folder: Path) -> None:
    frame = read_text_table(folder, "entities")
    many = pd.concat([frame.iloc[[0]]] * (MAX_PROBLEMS + 200), ignore_index=True)
    many["uscc"] = "BAD"
    write_text_table(folder, "entities", many)
    with pytest.raises(InvalidInputError) as caught:
        read_folder(folder)
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].row == 2 and problems[0].column == "uscc"
    assert re.fullmatch(r"\.\.\. and \d+ more problems not listed", problems[-1].reason)


def test_several_defects_in_several_files_all_reported(folder: Path) -> None:
    cell("entities", 2, "uscc", WRONG_CHECK)(folder)
    cell("inspectors", 3, "capacity", "-1")(folder)
    cell("ratings", 3, "tier", "Q")(folder)
    with pytest.raises(InvalidInputError) as caught:
        read_folder(folder)
    where = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert {
        ("entities.csv", 2, "uscc"),
        ("inspectors.csv", 3, "capacity"),
        ("ratings.csv", 3, "tier"),
    } <= where


def test_read_table_checks_one_file(folder: Path) -> None:
    frame = read_table(folder / "ratings.csv", "ratings")
    assert list(frame.columns) == ["uscc", "department_code", "tier", "evaluated_on", "valid_until"]
    cell("ratings", 4, "tier", "E")(folder)
    with pytest.raises(
        InvalidInputError, match=r"ratings\.csv, row 4, column 'tier': unknown tier 'E'"
    ):
        read_table(folder / "ratings.csv", "ratings")


def test_valid_mask_agrees_with_invalid_reason() -> None:
    rng = np.random.default_rng(7)
    good = uscc.make(rng, 200, np.full(200, "370702"), np.full(200, "91"))
    mutated = [g[:17] + uscc.ALPHABET[(uscc.ALPHABET.index(g[17]) + 1) % 31] for g in good]
    codes = np.array(
        [*good, *mutated, "", "91370702MA3C4XK0", "九" * 18, good[0] + "X"], dtype=object
    )
    assert uscc.valid_mask(codes).tolist() == [uscc.invalid_reason(c) is None for c in codes]


# --- reading part of a folder (what a draw needs) and the threaded read ------------------


def test_subset_of_tables_and_columns_skips_the_rest(folder: Path) -> None:
    from scheduler.draw.frame import FRAME_INPUT

    full = read_folder(folder)
    cell("inspectors", 3, "capacity", "-1")(folder)  # not read: not reported
    cell("entities", 2, "phone", "x" * 5)(folder)  # free text anyway
    cell("entities", 3, "registered_on", "2024-02-30")(folder)  # a column not read
    part = read_folder(folder, tables=FRAME_INPUT)
    assert part.inspectors.empty and part.conflicts.empty
    assert list(part.entities.columns) == list(full.entities.columns)
    for column in ("uscc", "name", "region_code", "entity_type", "status", "sectors"):
        assert part.entities[column].tolist() == full.entities[column].tolist()
    assert (part.entities["address"] == "").all() and part.entities["address"].dtype == object
    assert part.entities["registered_on"].isna().all()
    assert part.entities["registered_on"].dtype == "datetime64[ns]"
    pd.testing.assert_frame_equal(part.ratings, full.ratings)
    assert part.history[["uscc", "department_code", "inspected_on"]].equals(
        full.history[["uscc", "department_code", "inspected_on"]]
    )
    cell("ratings", 3, "uscc", UNKNOWN)(folder)  # references among tables read are checked
    with pytest.raises(InvalidInputError, match=r"ratings\.csv, row 3, column 'uscc'"):
        read_folder(folder, tables=FRAME_INPUT)
    with pytest.raises(KeyError, match="unknown table"):
        read_folder(folder, tables=("entities", "nonsense"))


def test_threaded_read_lists_problems_in_table_order(folder: Path) -> None:
    cell("history", 2, "result_code", "99")(folder)
    cell("entities", 2, "uscc", WRONG_CHECK)(folder)
    cell("ratings", 3, "tier", "Q")(folder)
    cell("inspectors", 3, "capacity", "-1")(folder)
    seen: list[str] = []
    with pytest.raises(InvalidInputError) as caught:
        read_folder(folder, progress=seen.append)
    files = [p.file for p in caught.value.problems if p.row is not None]
    order = ["entities.csv", "ratings.csv", "inspectors.csv", "history.csv", "commitments.csv"]
    assert sorted(dict.fromkeys(files), key=order.index) == list(dict.fromkeys(files))
    from scheduler.data.formats import TABLE_ORDER

    assert seen == list(TABLE_ORDER)


def test_problem_log_merge_keeps_order_and_cap() -> None:
    from scheduler.data.importing.problems import ProblemLog

    first, second, merged = ProblemLog(limit=3), ProblemLog(limit=3), ProblemLog(limit=3)
    for i in range(2):
        first.add("a", i, None, "x")
    for i in range(4):
        second.add("b", i, None, "y")
    merged.merge(first)
    merged.merge(second)
    assert [(p.file, p.row) for p in merged.problems] == [("a", 0), ("a", 1), ("b", 0)]
    assert len(merged) == 6


def test_blank_lines_parse_the_same_fast_and_exact() -> None:
    from scheduler.data.importing.problems import ProblemLog
    from scheduler.data.importing.sources import _parse_exact, _parse_fast

    for data in (b"a,b\n1,2\n\n3,4\n", b"a,b\r\n1,2\r\n\r\n3,4\r\n\r\n", b"a\n1\n\n2\n"):
        fast = _parse_fast(data).astype(object).to_numpy().tolist()
        exact = _parse_exact(data, "f.csv", ProblemLog())
        assert exact is not None and fast == exact.astype(object).to_numpy().tolist()
