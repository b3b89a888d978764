"""Exports and the public list on the committed sample data: round trip, masking, formats."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.data.directory import Directory
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import result_codes, tier_schemes
from scheduler.publication import inputs, jobs
from scheduler.publication.exports import DECLARATION, LIST_COLUMNS, TASK_COLUMNS
from scheduler.publication.public_list import PUBLIC_COLUMNS

DEPT = "MARKET"
START, END = date(2026, 11, 2), date(2026, 11, 27)


@pytest.fixture(scope="module")
def directory(sample_dir: Path) -> Directory:
    return read_folder(sample_dir)


@pytest.fixture(scope="module")
def planned(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """draw -> assign with the draw and matching areas' commands (SPEC section 5)."""
    folder = tmp_path_factory.mktemp("planned")
    paths = {"folder": folder, "draw": folder / "draw.csv", "receipt": folder / "receipt.json",
             "assign": folder / "assign.csv"}  # fmt: skip
    data = ["--data", str(sample_dir), "--seed", "7"]
    drawn = ["--draw", str(paths["draw"]), "--receipt", str(paths["receipt"])]
    assert main(["draw", *data, "--department", DEPT, "--budget", "60", "--on", str(START),
                 "--out", str(paths["draw"]), "--receipt", str(paths["receipt"])]) == 0  # fmt: skip
    assert main(["assign", *data, *drawn, "--start", str(START), "--end", str(END),
                 "--out", str(paths["assign"])]) == 0  # fmt: skip
    return paths


def xlsx_rows(path: Path, header_row: int = 1) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            ws.title: list(ws.iter_rows(min_row=header_row, values_only=True))
            for ws in book.worksheets
        }
    finally:
        book.close()


def test_round_trip_on_sample_data(
    sample_dir: Path, sample_db: str, planned: dict[str, Path], tmp_path: Path, capsys
) -> None:
    draw = inputs.read_draw(planned["draw"])
    assignment = inputs.read_assignment(planned["assign"])
    common = [
        "--data",
        str(sample_dir),
        "--draw",
        str(planned["draw"]),
        "--receipt",
        str(planned["receipt"]),
    ]
    # 1. the inspection list as XLSX, one sheet per division
    out = tmp_path / "list.xlsx"
    assert (
        main(
            [
                "export",
                *common,
                "--assignment",
                str(planned["assign"]),
                "--kind",
                "list",
                "--format",
                "xlsx",
                "--out",
                str(out),
                "--split",
                "division",
            ]
        )
        == 0
    )
    sheets = xlsx_rows(out)
    assert len(sheets) == draw["region_code"].nunique()
    assert all(rows[0] == tuple(LIST_COLUMNS.values()) for rows in sheets.values())
    assert sum(len(rows) - 1 for rows in sheets.values()) == len(draw)
    # 2. task sheets: one worksheet per team, the task table under a five-line heading
    out = tmp_path / "tasks.xlsx"
    assert (
        main(
            [
                "export",
                *common,
                "--assignment",
                str(planned["assign"]),
                "--kind",
                "tasks",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    teams = assignment.groupby(["lead_inspector_id", "member_inspector_ids"]).ngroups
    sheets = xlsx_rows(out)
    assert len(sheets) == teams
    tasks = 0
    for rows in sheets.values():
        assert rows[0][0] == "检查任务单" and rows[7] == tuple(TASK_COLUMNS.values())
        assert rows[-1][0] == DECLARATION
        tasks += len(rows) - 10  # title, 5 heading lines, blank, header, blank, declaration
    assert tasks == len(draw)
    # 3. results: Chinese headers, GB18030 (an office export), imported into the database
    rng = np.random.default_rng(3)
    results = pd.DataFrame(
        {
            "统一社会信用代码": draw["uscc"],
            "检查部门": DEPT,
            "检查日期": "2026/11/20",
            "检查结果": rng.choice(["1", "02", "09", "13"], len(draw), p=[0.6, 0.2, 0.1, 0.1]),
            "抽查编号": draw["draw_id"],
        }
    )
    results_file = tmp_path / "results.csv"
    results.to_csv(results_file, index=False, encoding="gb18030")
    url = sample_db
    assert main(["results", "import", str(results_file), "--url", url]) == 0
    assert f"recorded {len(draw)} results" in capsys.readouterr().out
    # 4. the public list, from the files and from the database
    out = tmp_path / "public.csv"
    assert (
        main(
            [
                "export",
                *common,
                "--results",
                str(results_file),
                "--kind",
                "public",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    public = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert public[0] == list(PUBLIC_COLUMNS.values()) and len(public) == len(draw) + 1
    out = tmp_path / "published.xlsx"
    assert main(["publish", "--url", url, "--out", str(out), "--on", "2026-11-30"]) == 0
    assert sum(len(r) - 1 for r in xlsx_rows(out).values()) == len(draw)
    assert main(["deadlines", "--url", url, "--on", "2026-12-01"]) == 0
    printed = capsys.readouterr().out
    assert f"done {len(draw)}" in printed  # every publication done on time (due 2026-12-18)
    # 5. population estimates, with the receipt's known tier and division sizes
    assert (
        main(
            [
                "estimate",
                "--draw",
                str(planned["draw"]),
                "--results",
                str(results_file),
                "--receipt",
                str(planned["receipt"]),
                "--by",
                "tier",
                "--by",
                "region",
                "--out",
                str(tmp_path / "estimates.csv"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    estimates_csv = pd.read_csv(tmp_path / "estimates.csv", encoding="utf-8-sig", dtype=str)
    flagged = estimates_csv[estimates_csv["insufficient_sample"] == "True"]
    # A division of this small draw has few results: flagged in the CSV and in the CLI output.
    assert len(flagged) and (flagged["sample_note"] == "样本量不足").all()
    assert "样本量不足 (insufficient sample" in printed
    named = (flagged["domain"] + " " + flagged["value"].fillna("")).str.strip()
    assert all(name in printed for name in named)
    report = jobs.run_estimate(
        draw, inputs.read_results(results_file), receipt=inputs.read_receipt(planned["receipt"])
    )
    by_tier = [e for e in report.estimates if e.domain == "tier"]
    assert by_tier and all(e.population_known for e in by_tier)
    overall = report.estimates[0]
    assert (
        overall.observed == len(draw)
        and 0 <= overall.rate_low <= overall.rate <= overall.rate_high <= 1
    )


def _serialised_text(paths: list[Path]) -> str:
    """Every byte of every output as text (XLSX: every member of the zip)."""
    parts = []
    for path in paths:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode("utf-8") for n in archive.namelist()]
        else:
            parts.append(path.read_bytes().decode("utf-8-sig"))
    return "\n".join(parts)


_SEPARATORS = re.compile(r"[\s<>\"',:;{}\[\]=/\\]+")


def _leaks(text: str, values: set[str]) -> set[str]:
    """The values that occur in ``text``.

    The text is cut at markup and separator characters no value contains, and the
    distinct pieces are searched: short values (names) through the set of all
    substrings of their length, long ones (phones, ids, addresses) through a
    5-character anchor set, then ``in``.
    """
    assert not any(_SEPARATORS.search(v) for v in values)
    pieces = "\x00".join(set(_SEPARATORS.split(text)))
    found: set[str] = set()
    short = {v for v in values if len(v) < 5}
    for length in {len(v) for v in short}:
        windows = {pieces[i : i + length] for i in range(len(pieces) - length + 1)}
        found |= {v for v in short if len(v) == length and v in windows}
    anchors = {pieces[i : i + 5] for i in range(len(pieces) - 4)}
    found |= {v for v in values - short if v[:5] in anchors and v in pieces}
    return found


def test_public_outputs_leak_no_personal_data_over_whole_sample(
    directory: Directory, tmp_path: Path
) -> None:
    ent = directory.entities
    draw = pd.DataFrame(
        {
            "draw_id": "DR-ALL",
            "uscc": ent["uscc"],
            "name": ent["name"],
            "region_code": ent["region_code"],
            "tier": "A",
            "inclusion_prob": 1.0,
            "stratum": "all",
        }
    )
    rng = np.random.default_rng(0)
    codes = [r.code for r in result_codes()]
    results = pd.DataFrame(
        {
            "uscc": ent["uscc"],
            "department_code": DEPT,
            "inspected_on": pd.Timestamp("2026-11-20"),
            "result_code": rng.choice(codes, len(ent)),
            "draw_id": "DR-ALL",
            "notes": "",
        }
    )
    ids = directory.inspectors["inspector_id"].to_numpy()
    assignment = pd.DataFrame(
        {
            "draw_id": "DR-ALL",
            "uscc": ent["uscc"],
            "lead_inspector_id": rng.choice(ids, len(ent)),
            "member_inspector_ids": rng.choice(ids, len(ent)),
            "scheduled_on": pd.Timestamp(START),
            "items": "",
            "department_code": DEPT,
        }
    )
    written: list[Path] = []
    for fmt in ("csv", "xlsx", "json"):
        files, n = jobs.run_export(
            directory,
            draw,
            kind="public",
            fmt=fmt,
            out=tmp_path / f"public.{fmt}",
            results=results,
            assignment=assignment,
            department_code=DEPT,
            split="division",
        )
        assert n == len(ent)
        written += files
    text = _serialised_text(written)
    assert len(written) == 12 + 2  # 12 division CSVs, one workbook, one JSON
    # Reference vocabulary (department, sector, division, result names, headers) is public;
    # a synthetic person name that happens to be a word of it (e.g. 文化) is not a leak.
    vocabulary = " ".join(
        [
            *directory.departments["name"],
            *directory.sectors["name"],
            *directory.regions["name"],
            *(r.name for r in result_codes()),
            *PUBLIC_COLUMNS.values(),
        ]
    )
    people = {n for n in [*ent["legal_rep"], *directory.inspectors["name"]] if len(n) >= 2}
    ordinary = {n for n in people if n in vocabulary}
    assert len(ordinary) < 0.01 * len(people)
    secrets = (people - ordinary) | set(ent["phone"]) | set(ids)
    secrets |= set(ent.loc[ent["entity_type"] == "个体工商户", "address"]) | set(ent["address"])
    secrets.discard("")
    assert not _leaks(text, secrets)
    # the tier: no tier column or key anywhere, no tier name of any scheme
    for word in (
        "信用等级",
        "tier",
        "inclusion_prob",
        "入样概率",
        "抽样层",
        "法定代表人",
        "联系电话",
        "检查组",
        "执法",
    ):
        assert word not in text, word
    tier_names = {t.name for s in tier_schemes().values() for t in s.tiers} | {
        t.risk_name for s in tier_schemes().values() for t in s.tiers
    }
    assert not {n for n in tier_names if n in text}
    # names were masked, not dropped: each individual business named after its operator shows '*'
    payload = json.loads((tmp_path / "public.json").read_text(encoding="utf-8"))
    names = {row["uscc"]: row["name"] for rows in payload["groups"].values() for row in rows}
    contains = np.array([r in n for r, n in zip(ent["legal_rep"], ent["name"], strict=True)])
    operated = ent[(ent["entity_type"] == "个体工商户").to_numpy() & contains]
    assert len(operated) > 1000 and all("*" in names[u] for u in operated["uscc"])
    assert set(payload["columns"]) == set(PUBLIC_COLUMNS)


def test_formula_injection_neutralised(directory: Directory, tmp_path: Path) -> None:
    ent = directory.entities.copy()
    ent.loc[0, "name"] = '=HYPERLINK("http://x","点我")'
    ent.loc[0, "address"] = "+cmd|' /C calc'!A0"
    poisoned = Directory.from_tables({**directory.tables(), "entities": ent})
    draw = pd.DataFrame(
        {
            "draw_id": "DR-X",
            "uscc": ent["uscc"][:3],
            "name": ent["name"][:3],
            "region_code": ent["region_code"][:3],
            "tier": "B",
            "inclusion_prob": 0.5,
            "stratum": "s",
        }
    )
    jobs.run_export(
        poisoned, draw, kind="list", fmt="xlsx", out=tmp_path / "l.xlsx", department_code=DEPT
    )
    jobs.run_export(
        poisoned, draw, kind="list", fmt="csv", out=tmp_path / "l.csv", department_code=DEPT
    )
    book = openpyxl.load_workbook(tmp_path / "l.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    assert any(c.value == "'" + '=HYPERLINK("http://x","点我")' for c in cells)
    text = (tmp_path / "l.csv").read_text(encoding="utf-8-sig")
    assert "'+cmd" in text and not re.search(r"(^|,)[=+@-]", text, re.MULTILINE)


def test_json_exports_and_csv_split(
    directory: Directory, planned: dict[str, Path], tmp_path: Path
) -> None:
    draw = inputs.read_draw(planned["draw"])
    assignment = inputs.read_assignment(planned["assign"])
    files, n = jobs.run_export(
        directory,
        draw,
        kind="tasks",
        fmt="json",
        out=tmp_path / "t.json",
        assignment=assignment,
        department_code=DEPT,
    )
    teams = json.loads(files[0].read_text(encoding="utf-8"))["teams"]
    assert len(teams) == n and all(t["declaration"] == DECLARATION and t["tasks"] for t in teams)
    assert sum(len(t["tasks"]) for t in teams) == len(draw)
    files, _ = jobs.run_export(
        directory,
        draw,
        kind="list",
        fmt="csv",
        out=tmp_path / "l.csv",
        assignment=assignment,
        department_code=DEPT,
        split="division",
    )
    assert len(files) == draw["region_code"].nunique()
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)
    files, _ = jobs.run_export(
        directory, draw, kind="list", fmt="json", out=tmp_path / "l.json", department_code=DEPT
    )
    payload = json.loads(files[0].read_text(encoding="utf-8"))
    assert sum(len(v) for v in payload["groups"].values()) == len(draw)


def test_cli_errors(sample_dir: Path, planned: dict[str, Path], tmp_path: Path, capsys) -> None:
    common = [
        "--data",
        str(sample_dir),
        "--draw",
        str(planned["draw"]),
        "--receipt",
        str(planned["receipt"]),
    ]
    assert main(["export", *common, "--kind", "tasks", "--out", str(tmp_path / "t.xlsx")]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,检查日期,检查结果\n123,2026-13-01,77\n", encoding="utf-8")
    assert main(["estimate", "--draw", str(planned["draw"]), "--results", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "department_code" in err and "bad.csv" in err
    good = tmp_path / "other.csv"
    good.write_text("uscc,department_code,inspected_on,result_code\n", encoding="utf-8")
    assert (
        main(
            [
                "estimate",
                "--draw",
                str(planned["draw"]),
                "--results",
                str(good),
                "--receipt",
                str(planned["receipt"]),
            ]
        )
        == 2
    )


def test_export_by_draw_id_from_the_database(tmp_path: Path) -> None:
    from scheduler.data.reference import tier_scheme
    from scheduler.data.synth.generate import generate_directory
    from scheduler.draw.plans import create_plan, run_plan_draw
    from scheduler.draw.policy import make_policy
    from scheduler.matching import assign
    from scheduler.matching.store import draws_from_db, record_run
    from scheduler.store.engine import init_db, make_engine, session_scope
    from scheduler.store.loader import load_directory

    small = generate_directory(1000, 150, rng=5)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, small)
    with session_scope(engine) as session:
        plan_id = create_plan(
            session,
            department_code=DEPT,
            policy=make_policy(tier_scheme(), budget=20),
            actor="test",
        ).id
    drawn = run_plan_draw(engine, plan_id, 3, on=START, directory=small, actor="test")
    draws, _ = draws_from_db(engine, [drawn.draw_id])
    plan = assign(small, draws, start=START, end=END, rng=3)
    with session_scope(engine) as session:
        record_run(session, plan, actor="test")
    out = tmp_path / "tasks.json"
    assert (
        main(
            [
                "export",
                "--draw-id",
                drawn.draw_id,
                "--url",
                url,
                "--kind",
                "tasks",
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    teams = json.loads(out.read_text(encoding="utf-8"))["teams"]
    assert sum(len(t["tasks"]) for t in teams) == drawn.size
    out = tmp_path / "list.xlsx"
    assert (
        main(
            [
                "export",
                "--draw-id",
                drawn.draw_id,
                "--url",
                url,
                "--kind",
                "list",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    (rows,) = xlsx_rows(out).values()
    assert len(rows) - 1 == drawn.size and rows[1][2] == "市市场监管局"
    assert (
        main(["export", "--draw-id", "DR-NOPE", "--url", url, "--kind", "list", "--out", str(out)])
        == 2
    )
    # the command reads the drawn rows and the names inside theirs, never the whole directory:
    # its files are those of the whole directory read back
    from scheduler.publication.draw_links import db_inputs
    from scheduler.store.loader import directory_from_db

    whole = directory_from_db(engine)
    draw, assignment, results = db_inputs(engine, drawn.draw_id)
    for kind in ("list", "tasks", "public"):
        got, expected = tmp_path / f"db-{kind}.csv", tmp_path / f"whole-{kind}.csv"
        export = ["export", "--draw-id", drawn.draw_id, "--url", url, "--kind", kind]
        assert main([*export, "--format", "csv", "--out", str(got)]) == 0
        jobs.run_export(whole, draw, kind=kind, fmt="csv", out=expected, assignment=assignment,
                        results=results, department_code=DEPT)  # fmt: skip
        assert got.read_bytes() == expected.read_bytes()
    assert (tmp_path / "db-public.anchor.txt").is_file()
