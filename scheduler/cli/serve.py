"""Run the Streamlit server unattended: explicit config flags, browser on demand, clean Ctrl-C.

``streamlit run`` asks for an e-mail address on first use and, without a terminal,
exits with status 255 before serving. The dashboard's settings therefore live in
``dashboard/.streamlit/config.toml`` (read by Streamlit next to the entry script)
and are also passed here as explicit ``--section.option`` flags, which outrank any
``~/.streamlit/config.toml`` of the user. Streamlit itself never opens a browser
(``server.headless``); :func:`open_when_ready` does, once the server answers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = [
    "config_file",
    "config_flags",
    "has_display",
    "health_ok",
    "open_when_ready",
    "run_until_interrupted",
]

#: Seconds to let the server finish after Ctrl-C before it is terminated.
STOP_GRACE = 30.0


def config_file() -> Path:
    """The dashboard's ``.streamlit/config.toml``, shipped inside the ``dashboard`` package."""
    import dashboard

    # ``__path__`` also works when an editable install maps the package as a namespace.
    return Path(next(iter(dashboard.__path__))).resolve() / ".streamlit" / "config.toml"


def config_flags(path: Path | None = None) -> list[str]:
    """Every option of the config file as ``--section.option value`` command-line flags."""
    with open(path or config_file(), "rb") as file:
        sections = tomllib.load(file)
    flags: list[str] = []
    for section, options in sections.items():
        for option, value in options.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            flags += [f"--{section}.{option}", text]
    return flags


def health_ok(base_url: str) -> bool:
    """Whether the Streamlit server at ``base_url`` answers its health check with ``ok``."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=5) as response:
            body: bytes = response.read()
            return response.status == 200 and body.strip() == b"ok"
    except OSError:
        return False


def has_display() -> bool:
    """Whether a graphical browser could open: always off Linux, else with X11 or Wayland."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_when_ready(base_url: str, process: subprocess.Popen[bytes]) -> threading.Thread | None:
    """Open ``base_url`` in the user's browser once the server is healthy (background thread).

    Nothing is opened without a display: a text-mode browser would take over the
    terminal of a server started over SSH.
    """
    if not has_display():
        return None

    def wait_then_open() -> None:
        while process.poll() is None:
            if health_ok(base_url):
                webbrowser.open(base_url)
                return
            time.sleep(0.5)

    thread = threading.Thread(target=wait_then_open, name="open-browser", daemon=True)
    thread.start()
    return thread


def run_until_interrupted(
    command: list[str],
    env: Mapping[str, str],
    *,
    on_start: Callable[[subprocess.Popen[bytes]], object] | None = None,
) -> int:
    """Run ``command`` until it exits or the user presses Ctrl-C; Ctrl-C is a clean stop (0).

    A terminal delivers Ctrl-C to the whole process group, so the server usually
    stops by itself; when only this process was interrupted (``kill -INT <pid>``),
    the signal is forwarded, and so is SIGTERM. A server that does not stop within
    ``STOP_GRACE`` seconds after Ctrl-C is terminated.
    """
    process = subprocess.Popen(command, env=dict(env))
    if on_start is not None:
        on_start(process)
    # A service manager stops the command with SIGTERM, to this process only: pass it on,
    # or the server would outlive the command, still holding its port.
    previous_term = None
    if threading.current_thread() is threading.main_thread():
        previous_term = signal.signal(
            signal.SIGTERM, lambda signum, _frame: process.send_signal(signum)
        )
    try:
        return process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    # Further Ctrl-C presses while the server shuts down must not print a traceback.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return 0
