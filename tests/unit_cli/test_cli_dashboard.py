"""``scheduler dashboard``: seeds an empty database, then runs ``streamlit run`` on the app."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dashboard_support import write_small_folder

from scheduler.cli import main
from scheduler.cli.dashboard import ENTITY_TABLE, holds_entities, seed_if_empty, streamlit_command
from scheduler.cli.serve import health_ok
from scheduler.store.engine import make_engine
from scheduler.store.loader import row_counts


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_folder(tmp_path_factory.mktemp("cli-dashboard"))


def test_streamlit_command_runs_the_app_headless_on_the_port() -> None:
    command = streamlit_command(8765)
    assert command[1:4] == ["-m", "dashboard.launch", "run"]  # streamlit's CLI, plus a warm-up
    assert Path(command[4]).name == "app.py" and Path(command[4]).is_file()
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"


def test_seed_if_empty_loads_once(tmp_path: Path, folder: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert seed_if_empty(url, folder) == 240
    assert seed_if_empty(url, folder) == 0  # already holds a directory: untouched
    assert row_counts(make_engine(url))["entities"] == 240


def test_holds_entities_sees_a_loaded_database_by_either_way(tmp_path: Path, folder: Path) -> None:
    from scheduler.store.tables import DB_TABLES

    assert ENTITY_TABLE == DB_TABLES["entities"].name  # the probe asks the real table
    url = f"sqlite:///{tmp_path / 'y.db'}"
    assert not holds_entities(url)  # no file yet
    assert not holds_entities(url)  # an empty file, no table
    assert seed_if_empty(url, folder) == 240
    assert holds_entities(url)  # the standard-library way (plain sqlite:/// URL)
    assert holds_entities(url.replace("sqlite:", "sqlite+pysqlite:"))  # through SQLAlchemy


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_config_flags_carry_every_option_of_the_shipped_config() -> None:
    flags = streamlit_command(8765)
    pairs = dict(zip(flags[7::2], flags[8::2], strict=True))
    assert pairs["--server.headless"] == "true"
    assert pairs["--server.showEmailPrompt"] == "false"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--logger.hideWelcomeMessage"] == "true"  # also withholds the skills pop-up


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_dashboard_starts_without_a_terminal_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path, folder: Path, stop: str
) -> None:
    """A fresh user (empty HOME, no terminal, new database) gets a served dashboard.

    Before the project config, Streamlit asked for an e-mail address on first run and,
    reading end-of-file from stdin, exited with status 255 without serving.
    """
    home = tmp_path / "home"
    home.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env |= {"HOME": str(home), "BROWSER": "true"}
    env.pop("DISPLAY", None)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    command = [
        str(Path(sys.executable).with_name("scheduler")),
        "dashboard",
        *("--port", str(port), "--url", url, "--data", str(folder)),
    ]
    with open(os.devnull, "rb") as stdin:
        process = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,  # not the repo: the config must come with the package
            start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches
        )
    try:
        deadline = time.monotonic() + 600  # generous for a loaded machine; exits early on success
        while not health_ok(f"http://127.0.0.1:{port}"):
            assert process.poll() is None, process.communicate()[0].decode()
            assert time.monotonic() < deadline, "the dashboard never answered its health check"
            time.sleep(0.5)
        if stop == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        else:
            process.send_signal(signal.SIGTERM)  # a service manager, to the command only
        output = process.communicate(timeout=120)[0].decode()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output
    assert not health_ok(f"http://127.0.0.1:{port}")  # the server went with the command
    assert f"http://localhost:{port}" in output
    assert "Traceback" not in output and "Email" not in output, output
    assert not (home / ".streamlit" / "credentials.toml").exists()
