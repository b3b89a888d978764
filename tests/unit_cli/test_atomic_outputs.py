"""Outputs that cannot burn a draw: atomic files, OS errors as sentences, --force, re-writing.

A draw of a stored plan writes its files under temporary names before it is
recorded; an OS error (the target a folder, a parent that cannot be made,
no permission, a full disk) is exit 2 naming the path and the reason, and
leaves neither a recorded draw nor a stray file. ``draw --draw-id`` writes
a recorded draw's files again, byte for byte.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from integrity_support import recorded_plan

from scheduler.cli import main
from scheduler.data import atomic_files
from scheduler.data.atomic_files import Staging, atomic_target, write_text
from scheduler.draw.plans import list_draws
from scheduler.errors import OutputError
from scheduler.store.engine import make_engine


@pytest.fixture
def plan(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    return url, recorded_plan(url, entities=800, inspectors=150)


def _draws(url: str, plan_id: int) -> int:
    engine = make_engine(url)
    try:
        return len(list_draws(engine, plan_id))
    finally:
        engine.dispose()


def _draw(url: str, plan_id: int, out: Path, receipt: Path, *extra: str) -> list[str]:
    return ["draw", "--plan", str(plan_id), "--seed", "5", "--url", url,
            "--out", str(out), "--receipt", str(receipt), *extra]  # fmt: skip


def _no_stray_files(folder: Path) -> None:
    assert not [p.name for p in folder.glob(".*.tmp")]


def _fail_fsync(_fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _deny(*_args: object, **_kwargs: object) -> None:
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


@pytest.mark.parametrize(
    "case",
    ["out is a folder", "parent is a file", "full disk", "no permission"],
)
def test_os_error_on_an_output_records_nothing(
    plan, tmp_path: Path, capsys, monkeypatch, case: str
) -> None:
    url, plan_id = plan
    folder = tmp_path / "out"
    folder.mkdir()
    out, receipt = folder / "draw.csv", folder / "receipt.json"
    if case == "out is a folder":
        out.mkdir()
    elif case == "parent is a file":
        (tmp_path / "blocker").write_text("x")
        out = tmp_path / "blocker" / "sub" / "draw.csv"
    elif case == "full disk":
        monkeypatch.setattr(atomic_files.os, "fsync", _fail_fsync)
    else:
        monkeypatch.setattr(atomic_files.tempfile, "mkstemp", _deny)
    capsys.readouterr()
    assert main(_draw(url, plan_id, out, receipt)) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "Traceback" not in err and str(out) in err
    reason = {
        "out is a folder": "it is a folder",
        "parent is a file": "cannot create folder",
        "full disk": "No space left on device",
        "no permission": "Permission denied",
    }[case]
    assert reason in err
    assert _draws(url, plan_id) == 0  # nothing burnt: the draw was not recorded
    assert not receipt.exists() and (case == "out is a folder" or not out.is_file())
    _no_stray_files(folder)
    monkeypatch.undo()
    good = tmp_path / "good"
    # the retry is a first draw, not a re-draw needing --reason
    assert main(_draw(url, plan_id, good / "d.csv", good / "r.json")) == 0
    assert _draws(url, plan_id) == 1


def test_existing_output_needs_force(plan, tmp_path: Path, capsys) -> None:
    url, plan_id = plan
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    out.write_text("keep me")
    assert main(_draw(url, plan_id, out, receipt)) == 2
    err = capsys.readouterr().err
    assert "exists; overwriting it was not allowed (option --force)" in err
    assert out.read_text() == "keep me" and _draws(url, plan_id) == 0
    assert main(_draw(url, plan_id, out, receipt, "--force")) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("draw_id,")


def test_recorded_draw_is_rewritten_identically(plan, tmp_path: Path) -> None:
    url, plan_id = plan
    out, receipt, reserves = tmp_path / "d.csv", tmp_path / "r.json", tmp_path / "res.csv"
    assert main(_draw(url, plan_id, out, receipt, "--reserves", str(reserves))) == 0
    engine = make_engine(url)
    draw_id = str(list_draws(engine, plan_id)["draw_id"].iloc[0])
    engine.dispose()
    again = tmp_path / "again"
    args = ["draw", "--draw-id", draw_id, "--url", url, "--out", str(again / "d.csv"),
            "--receipt", str(again / "r.json"), "--reserves", str(again / "res.csv")]  # fmt: skip
    assert main(args) == 0
    for name in ("d.csv", "r.json", "res.csv"):
        assert (again / name).read_bytes() == (
            tmp_path / name.replace("d.csv", "d.csv")
        ).read_bytes()
    assert main(args) == 2  # not over existing files without --force
    assert main([*args, "--force"]) == 0


def test_assign_writes_its_files_only_after_its_commit(plan, tmp_path: Path, capsys) -> None:
    """A refused run (a second run without a reason) leaves no files behind."""
    url, plan_id = plan
    assert main(["draw", "--plan", str(plan_id), "--seed", "5", "--url", url]) == 0
    engine = make_engine(url)
    draw_id = str(list_draws(engine, plan_id)["draw_id"].iloc[0])
    engine.dispose()

    def assign(out: Path, *extra: str) -> list[str]:
        return ["assign", "--url", url, "--draw-id", draw_id, "--seed", "1",
                "--allow-partial", "--out", str(out), *extra]  # fmt: skip

    assert main(assign(tmp_path / "first" / "a.csv")) == 0
    second = tmp_path / "second"
    capsys.readouterr()
    assert main(assign(second / "a.csv")) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "needs a reason" in err and "(option --reason)" in err
    assert not list(second.glob("*")) if second.exists() else True
    assert main(assign(second / "a.csv", "--reason", "检查员调岗")) == 0
    assert (second / "a.csv").is_file()


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_target(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    _no_stray_files(tmp_path)
    with pytest.raises(OutputError, match="it is a folder"):
        write_text(tmp_path, "x")


def test_staging_discards_unless_published(tmp_path: Path) -> None:
    with Staging() as staging:
        staging.write(tmp_path / "a" / "x.txt", lambda p: Path(p).write_text("x"))
    assert not (tmp_path / "a" / "x.txt").exists()
    _no_stray_files(tmp_path / "a")
    with Staging() as staging:
        staging.write(tmp_path / "a" / "x.txt", lambda p: Path(p).write_text("x"))
        assert staging.publish() == [tmp_path / "a" / "x.txt"]
    assert (tmp_path / "a" / "x.txt").read_text() == "x"


def test_export_to_a_folder_is_a_sentence(tmp_path: Path, sample_dir: Path, capsys) -> None:
    out, receipt = tmp_path / "d.csv", tmp_path / "r.json"
    args = ["draw", "--data", str(sample_dir), "--department", "MARKET", "--budget", "20",
            "--seed", "1", "--out", str(out), "--receipt", str(receipt)]  # fmt: skip
    assert main(args) == 0
    folder = tmp_path / "public.csv"
    folder.mkdir()
    capsys.readouterr()
    code = main(["export", "--kind", "public", "--format", "csv", "--data", str(sample_dir),
                 "--draw", str(out), "--receipt", str(receipt), "--out", str(folder)])  # fmt: skip
    err = capsys.readouterr().err.replace("\n", "")
    assert code == 2 and "it is a folder" in err and "Traceback" not in err
