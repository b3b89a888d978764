"""The importer's defect table: one mutation of the valid minimal folder per case.

Each line is (id, mutation, exact text of one expected problem). Shared by the
importer tests (``unit_data/test_importer.py``) and the streamed-load tests
(``unit_store/test_load_stream.py``), which check the same defects chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from importer_support import (
    E1,
    E2,
    UNKNOWN,
    WRONG_CHECK,
    both,
    cell,
    drop_column,
    extra_header,
    raw_bytes,
    read_text_table,
    remove,
    rename,
)

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


# Found by the reliability probe (issue 12, point 6); each failed on the code before.
HARDENING_DEFECTS: list[tuple[str, Callable[[Path], None], str]] = [
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

ALL_DEFECTS = DEFECTS + HARDENING_DEFECTS
