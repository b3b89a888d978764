"""The real dashboard in a real browser: ``scheduler dashboard`` driven by Playwright + Chromium.

Starts the command as a subprocess on a free port with a fresh SQLite file (seeded
from ``sample_data/``), saves a plan, draws it, assigns inspectors, checks the
counts the page shows, and saves a screenshot to ``test-artifacts/dashboard.png``.
Chromium must be installed (CI installs Debian's ``chromium``); without it the test
fails, it does not skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SCHEDULER_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"scheduler dashboard exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the dashboard did not answer on {url} within {timeout} s")


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = os.environ | {"SCHEDULER_DATABASE_URL": f"sqlite:///{tmp_path / 'browser.db'}"}
    log = (tmp_path / "dashboard.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scheduler",
            "dashboard",
            "--port",
            str(port),
            "--headless",
            "--data",
            str(REPO / "sample_data"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, process, timeout=40)
        yield url
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """Stop the command and its streamlit child (they share a process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _number(text: str) -> float:
    """``"1.2万"`` -> 12000, ``"1,234"`` -> 1234."""
    text = text.strip().replace(",", "")
    scale = 1e4 if text.endswith("万") else 1
    return float(re.sub(r"[^\d.]", "", text)) * scale


@pytest.mark.browser
def test_draw_and_assign_in_a_real_browser(dashboard_url: str) -> None:
    assert Path(CHROMIUM).is_file(), (
        f"Chromium is required at {CHROMIUM} (apt-get install chromium)"
    )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # a first page on a loaded 2-core machine takes seconds
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.set_default_timeout(20_000)
        try:
            page.goto(dashboard_url)
            expect(page.get_by_role("heading", name="总览")).to_be_visible()
            expect(page.get_by_test_id("stMetricValue").first).to_have_text(
                "2万"
            )  # 20,000 sample entities

            page.get_by_role("link", name="抽查计划").click()
            expect(page.get_by_role("heading", name="抽查计划")).to_be_visible()
            page.get_by_role("button", name="保存计划").click()
            expect(page.get_by_text(re.compile("已保存计划"))).to_be_visible()

            page.get_by_role("link", name="随机抽取").click()
            page.get_by_text("输入随机种子").click()
            page.get_by_role("button", name="运行抽取").click()
            caption = page.get_by_text(re.compile("各等级抽中数"))
            expect(caption).to_be_visible()
            per_tier = dict(re.findall(r"([A-E]) (\d+)/", caption.inner_text()))
            assert set(per_tier) >= {"A", "B", "C", "D"}
            metrics = page.get_by_test_id("stMetric")
            drawn_metric = metrics.filter(has_text="抽中").get_by_test_id("stMetricValue")
            drawn = _number(drawn_metric.inner_text())
            assert drawn == sum(int(v) for v in per_tier.values()) > 0
            page.wait_for_timeout(1000)  # let the charts draw
            page.screenshot(path=str(ARTIFACTS / "dashboard-draw.png"))

            page.get_by_role("link", name="人员匹配").click()
            page.get_by_role("button", name="运行匹配").click()
            visits_metric = (
                page.get_by_test_id("stMetric")
                .filter(has_text="检查次数")
                .get_by_test_id("stMetricValue")
            )
            expect(visits_metric).to_be_visible(timeout=40_000)
            assert _number(visits_metric.inner_text()) == drawn  # one visit per drawn entity
            expect(page.get_by_role("heading", name="执法人员任务量与上限")).to_be_visible()
            page.wait_for_timeout(1500)  # let the charts draw
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=False)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "dashboard-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
    if os.environ.get("SCHEDULER_UPDATE_SCREENSHOT"):
        for name in ("dashboard.png", "dashboard-draw.png"):
            shutil.copy(ARTIFACTS / name, REPO / "docs" / "img" / name)
