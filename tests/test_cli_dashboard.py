"""``scheduler dashboard``: seeds an empty database, then runs ``streamlit run`` on the app."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dashboard_support import write_small_folder

from scheduler.cli import main
from scheduler.cli.dashboard import seed_if_empty, streamlit_command
from scheduler.db import make_engine
from scheduler.loader import row_counts


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_folder(tmp_path_factory.mktemp("cli-dashboard"))


def test_streamlit_command_runs_the_app_headless_on_the_port() -> None:
    command = streamlit_command(8765, headless=True)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert Path(command[4]).name == "app.py" and Path(command[4]).is_file()
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"


def test_seed_if_empty_loads_once(tmp_path: Path, folder: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert seed_if_empty(url, folder) == 240
    assert seed_if_empty(url, folder) == 0  # already holds a directory: untouched
    assert row_counts(make_engine(url))["entities"] == 240


def test_dashboard_command_seeds_and_starts_streamlit(
    tmp_path: Path,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started: dict = {}

    class FakeProcess:
        def __init__(self, command: list[str], env: dict[str, str]) -> None:
            started.update(command=command, env=env)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(subprocess, "Popen", FakeProcess)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code = main(["dashboard", "--port", "8999", "--headless", "--url", url, "--data", str(folder)])
    assert code == 0
    assert started["env"]["SCHEDULER_DATABASE_URL"] == url
    assert "--server.port" in started["command"] and "8999" in started["command"]
    assert "240" in capsys.readouterr().out
    assert row_counts(make_engine(url))["entities"] == 240


def test_dashboard_command_reports_bad_data_with_exit_code_2(tmp_path: Path, folder: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "entities.csv").write_text("uscc,name\nX,Y\n", encoding="utf-8")
    code = main(
        ["dashboard", "--url", f"sqlite:///{tmp_path / 'b.db'}", "--data", str(bad), "--headless"]
    )
    assert code == 2
