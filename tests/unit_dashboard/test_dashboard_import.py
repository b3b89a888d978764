"""AppTest of the 数据导入 page: uploads, row-level errors, and a clean import."""

from __future__ import annotations

from pathlib import Path

from dashboard_support import app_at, texts


def _uploads(folder: Path, entities: bytes | None = None) -> list[tuple[str, bytes, str]]:
    files = [
        (f"{name}.csv", (folder / f"{name}.csv").read_bytes(), "text/csv")
        for name in ("ratings", "inspectors")
    ]
    return [
        ("entities.csv", entities or (folder / "entities.csv").read_bytes(), "text/csv"),
        *files,
    ]


def test_bad_row_is_listed_with_file_row_column_and_reason(
    empty_db: str, small_folder: Path
) -> None:
    lines = (small_folder / "entities.csv").read_text(encoding="utf-8").splitlines()
    bad_uscc = "91370702XXXXXXXXX1"
    fields = lines[5].split(",")
    fields[0] = bad_uscc  # spreadsheet row 6 (header is row 1)
    lines[5] = ",".join(fields)
    at = app_at("data_import.py")
    at.file_uploader[0].set_value(_uploads(small_folder, "\n".join(lines).encode())).run()
    at.button(key="import__run").click().run()
    assert not at.exception
    assert at.error, "the import must fail"
    problems = at.dataframe[-1].value
    row = problems[problems["文件"] == "entities.csv"].iloc[0]
    assert (row["行"], row["列"]) == ("6", "uscc")
    assert bad_uscc in row["原因"]
    # nothing was written
    assert "数据库中的数据" not in texts(at)


def test_clean_upload_imports_and_reports_counts(empty_db: str, small_folder: Path) -> None:
    at = app_at("data_import.py")
    at.file_uploader[0].set_value(_uploads(small_folder)).run()
    at.button(key="import__run").click().run()
    assert not at.exception
    assert "240" in at.success[0].value
    at.switch_page("app_pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["主体总数"] == "240"


def test_xlsx_with_chinese_headers_is_accepted(
    empty_db: str, small_folder: Path, tmp_path: Path
) -> None:
    import pandas as pd

    from scheduler.data.formats import TABLES

    inspectors = pd.read_csv(small_folder / "inspectors.csv", dtype=str)
    chinese = {c.name: c.zh for c in TABLES["inspectors"].columns}
    xlsx = tmp_path / "执法检查人员名录库.xlsx"
    inspectors.rename(columns=chinese).to_excel(xlsx, index=False)
    files = _uploads(small_folder)
    files[2] = (
        xlsx.name,
        xlsx.read_bytes(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    at = app_at("data_import.py")
    at.file_uploader[0].set_value(files).run()
    at.button(key="import__run").click().run()
    assert not at.exception
    assert at.success and "12 名执法人员" in at.success[0].value
