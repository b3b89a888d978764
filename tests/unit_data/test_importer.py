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
from importer_support import (
    E1,
    E2,
    UNKNOWN,
    WRONG_CHECK,
    both,
    cell,
    drop_column,
    extra_header,
    minimal_directory,
    raw_bytes,
    read_text_table,
    remove,
    rename,
    write_text_table,
)

from scheduler.cli import main
from scheduler.data import uscc
from scheduler.data.importing.problems import MAX_PROBLEMS
from scheduler.data.importing.reader import read_folder, read_table
from scheduler.errors import InvalidInputError
from scheduler.store.engine import make_engine
from scheduler.store.loader import row_counts

DATE_HELP = "expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD between 1900 and 2199"

# (id, mutation, exact text of one expected problem)
DEFECTS: list[tuple[str, Callable[[Path], None], str]] = [
    ("wrong check character", cell("entities", 2, "uscc", WRONG_CHECK),
     f"entities.csv, row 2, column 'uscc': USCC {WRONG_CHECK!r} has check character "
     f"{WRONG_CHECK[17]!r}; expected {E1[17]!r}"),
    ("uscc too short", cell("entities", 3, "uscc", "9137070"),
     "entities.csv, row 3, column 'uscc': USCC must have 18 characters; got 7 in '9137070'"),
    ("uscc bad characters", cell("entities", 4, "uscc", "91370702MA3C4XKOI5"),
     "entities.csv, row 4, column 'uscc': USCC '91370702MA3C4XKOI5' has characters outside "
     "GB 32100: 'IO'"),
    ("duplicate uscc", cell("entities", 3, "uscc", E1),
     f"entities.csv, row 3, column 'uscc': duplicate key uscc={E1!r}: rows 2 and 3"),
    ("duplicate rating key", cell("ratings", 3, "department_code", "PUBLIC"),
     f"ratings.csv, row 3, column 'uscc, department_code, evaluated_on': duplicate key "
     f"uscc={E1!r}, department_code='PUBLIC', evaluated_on='2025-01-10': rows 2 and 3"),
    ("unknown tier", cell("ratings", 2, "tier", "Z"),
     "ratings.csv, row 2, column 'tier': unknown tier 'Z'; tier scheme 'weifang-4' has A, B, C, D"),
    ("empty file", raw_bytes("entities.csv", b""),
     "entities.csv: the file is empty; expected a header row with: uscc, name, entity_type, "
     "region_code, address, legal_rep, phone, registered_on, status, sectors"),
    ("header only", raw_bytes("inspectors.csv", b"inspector_id,name,department_code,region_code,"
                              b"qualifications,capacity,active\n"),
     "inspectors.csv: no data rows: the inspectors table must not be empty"),
    ("missing column", drop_column("entities", "name"),
     "entities.csv, row 1, column 'name': missing required column 'name'; accepted headers: "
     "'name', '名称', '主体名称', '企业名称'"),
    ("two headers for one column", extra_header("entities", "统一社会信用代码", "uscc"),
     "entities.csv, row 1, column '统一社会信用代码': headers 'uscc' and '统一社会信用代码' "
     "both name column 'uscc'; keep one"),
    ("missing value", cell("entities", 2, "name", "  "),
     "entities.csv, row 2, column 'name': missing required value"),
    ("unknown region", cell("entities", 2, "region_code", "370799"),
     "entities.csv, row 2, column 'region_code': unknown region_code '370799'; not in regions.csv"),
    ("unknown department", cell("inspectors", 3, "department_code", "NOPE"),
     "inspectors.csv, row 3, column 'department_code': unknown department_code 'NOPE'; "
     "not in departments.csv"),
    ("unknown rating department", cell("ratings", 2, "department_code", "PUBLIK"),
     "ratings.csv, row 2, column 'department_code': unknown department_code 'PUBLIK'; "
     "not in departments.csv"),
    ("unknown sector", cell("entities", 2, "sectors", "food;nope"),
     "entities.csv, row 2, column 'sectors': unknown sectors item(s) 'nope'; not in sectors.csv"),
    ("unknown qualification", cell("inspectors", 2, "qualifications", "xx；food"),
     "inspectors.csv, row 2, column 'qualifications': unknown qualifications item(s) 'xx'; "
     "not in sectors.csv"),
    ("unknown sector department", cell("sectors", 2, "department_code", "NOPE"),
     "sectors.csv, row 2, column 'department_code': unknown department_code 'NOPE'; "
     "not in departments.csv"),
    ("unknown entity type", cell("entities", 2, "entity_type", "公司"),
     "entities.csv, row 2, column 'entity_type': unknown entity_type '公司'; expected one of "
     "企业, 个体工商户, 农民专业合作社, 事业单位, 社会组织"),
    ("unknown status", cell("entities", 4, "status", "歇业"),
     "entities.csv, row 4, column 'status': unknown status '歇业'; "
     "expected one of 存续, 注销, 吊销"),
    ("impossible date", cell("ratings", 2, "evaluated_on", "2025-02-30"),
     f"ratings.csv, row 2, column 'evaluated_on': bad date '2025-02-30'; {DATE_HELP}"),
    ("date in words", cell("entities", 2, "registered_on", "2015年3月1日"),
     f"entities.csv, row 2, column 'registered_on': bad date '2015年3月1日'; {DATE_HELP}"),
    ("valid_until before evaluated_on", cell("ratings", 2, "valid_until", "2024-12-31"),
     "ratings.csv, row 2, column 'valid_until': valid_until 2024-12-31 is before evaluated_on "
     "2025-01-10"),
    ("bad integer", cell("inspectors", 2, "capacity", "ten"),
     "inspectors.csv, row 2, column 'capacity': not a whole number: 'ten'"),
    ("negative capacity", cell("inspectors", 3, "capacity", "-3"),
     "inspectors.csv, row 3, column 'capacity': must not be negative; got '-3'"),
    ("bad boolean", cell("inspectors", 2, "active", "maybe"),
     "inspectors.csv, row 2, column 'active': not a yes/no value: 'maybe'; expected true/false, "
     "1/0, yes/no, 是/否 or 在岗/不在岗"),
    ("unknown result code", cell("history", 2, "result_code", "99"),
     "history.csv, row 2, column 'result_code': unknown result_code '99'; expected 01 to 14"),
    ("rating of unknown entity", cell("ratings", 5, "uscc", UNKNOWN),
     f"ratings.csv, row 5, column 'uscc': unknown uscc {UNKNOWN!r}; not in entities.csv"),
    ("history of unknown entity", cell("history", 2, "uscc", UNKNOWN),
     f"history.csv, row 2, column 'uscc': unknown uscc {UNKNOWN!r}; not in entities.csv"),
    ("conflict with unknown inspector", cell("conflicts", 2, "inspector_id", "LF999"),
     "conflicts.csv, row 2, column 'inspector_id': unknown inspector_id 'LF999'; "
     "not in inspectors.csv"),
    ("commitment due before it was made", cell("commitments", 2, "due_on", "2025-02-01"),
     "commitments.csv, row 2, column 'due_on': due_on 2025-02-01 is before committed_on "
     "2025-03-01"),
    ("unknown commitment status", cell("commitments", 3, "status", "done"),
     "commitments.csv, row 3, column 'status': unknown status 'done'; expected one of "
     "pending, fulfilled, broken"),
    ("commitment of unknown entity", cell("commitments", 3, "uscc", UNKNOWN),
     f"commitments.csv, row 3, column 'uscc': unknown uscc {UNKNOWN!r}; not in entities.csv"),
    ("commitment to unknown department", cell("commitments", 2, "department_code", "NOPE"),
     "commitments.csv, row 2, column 'department_code': unknown department_code 'NOPE'; "
     "not in departments.csv"),
    ("commitment without item", cell("commitments", 2, "item", ""),
     "commitments.csv, row 2, column 'item': missing required value"),
    ("duplicate commitment", both(cell("commitments", 3, "uscc", E1),
                                  cell("commitments", 3, "item", "告知承诺：符合许可条件"),
                                  cell("commitments", 3, "committed_on", "2025-03-01")),
     f"commitments.csv, row 3, column 'uscc, department_code, item, committed_on': duplicate "
     f"key uscc={E1!r}, department_code='MARKET', item='告知承诺：符合许可条件', "
     f"committed_on='2025-03-01': rows 2 and 3"),
    ("undecodable file", raw_bytes("ratings.csv", b"uscc,department_code\n\xff\xfe\xff\xff,x\n"),
     "ratings.csv: cannot decode the file: it is neither UTF-8 nor GB18030 text"),
    ("unsupported extension", rename("ratings.csv", "ratings.xls"),
     "ratings.xls: unsupported file type '.xls'; save it as .csv or .xlsx"),
    ("corrupt workbook", both(remove("inspectors.csv"), raw_bytes("inspectors.xlsx", b"PK junk")),
     "inspectors.xlsx: not a readable .xlsx workbook (File is not a zip file)"),
    ("csv and xlsx for one table", raw_bytes("history.xlsx", b""),
     "history.csv: several files for table 'history' (history.csv, history.xlsx); keep one"),
    ("missing required file", remove("inspectors.csv"),
     "inspectors.csv: missing file: inspectors.csv or inspectors.xlsx is required"),
    ("ragged row", raw_bytes("conflicts.csv", f"inspector_id,uscc,reason\nLF001,{E2},亲属,extra\n"
                             .encode()),
     "conflicts.csv, row 2: row has 4 cells but the header has 3"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"), [d[1:] for d in DEFECTS], ids=[d[0] for d in DEFECTS]
)
def test_defect_is_reported_exactly(
    folder: Path, mutate: Callable[[Path], None], expected: str
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
