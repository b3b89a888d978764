"""The real dashboard in a real browser: ``scheduler dashboard`` driven by Playwright + Chromium.

Starts the command as a subprocess on a free port with a fresh SQLite file (seeded
from ``sample_data/``), saves a plan, draws it, assigns inspectors, checks the
counts the page shows, and saves a screenshot to ``test-artifacts/dashboard.png``.
A second test opens every page by its URL on the demo plan, saves a screenshot of
each under ``test-artifacts/pages/`` and checks that no English shows on the
Chinese setting. Chromium must be installed (CI installs Debian's ``chromium``);
without it the tests fail, they do not skip.

Robust under load: every check waits on a condition (Streamlit's own "script not
running" state, then the element) with generous limits, never on Playwright's 5 s
default; a slow machine only makes the test slower.
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

REPO = Path(__file__).resolve().parents[2]
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


READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
"""Streamlit marks its root element this way once a script run has finished."""
PATIENCE_MS = 180_000
"""Upper limit of any one wait: conditions end the waits, this only bounds a hung page."""


def _wait_ready(page, heading: str | None = None) -> None:
    """Wait until the page's script run is over and its heading and charts are drawn."""
    from playwright.sync_api import expect

    page.wait_for_selector(READY, timeout=PATIENCE_MS)
    if heading is not None:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(
            timeout=PATIENCE_MS
        )
    page.wait_for_selector(READY, timeout=PATIENCE_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(chart => chart.querySelector('canvas, svg'))""",
        timeout=PATIENCE_MS,
    )


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
        _wait_healthy(url, process, timeout=600)  # a condition; the limit only bounds a hang
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
        page.set_default_timeout(PATIENCE_MS)
        expect.set_options(timeout=PATIENCE_MS)
        try:
            page.goto(dashboard_url)
            _wait_ready(page, "总览")
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
            _wait_ready(page)
            page.screenshot(path=str(ARTIFACTS / "dashboard-draw.png"))

            page.get_by_role("link", name="人员匹配").click()
            page.get_by_role("button", name="运行匹配").click()
            visits_metric = (
                page.get_by_test_id("stMetric")
                .filter(has_text="检查次数")
                .get_by_test_id("stMetricValue")
            )
            expect(visits_metric).to_be_visible()
            assert _number(visits_metric.inner_text()) == drawn  # one visit per drawn entity
            expect(page.get_by_role("heading", name="执法人员任务量与上限")).to_be_visible()
            _wait_ready(page)
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


# -- every page on the Chinese setting -------------------------------------------------

PAGE_TITLES = {
    "overview": "总览",
    "import": "数据导入",
    "plans": "抽查计划",
    "draw": "随机抽取",
    "matching": "人员匹配",
    "exports": "导出",
    "publication": "结果公示",
    "simulation": "政策模拟",
    "audit": "审计",
}

KNOWN_ENGLISH = (
    "Choose options",
    "Choose an option",
    "Select all",
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "None",
    "Page not found",
    "Help agents write better apps",
    "Install",
    "Don't show again",
    "Running",
    "No results",
)
"""Streamlit's own English seen on earlier versions of the pages (issue 14)."""

ENGLISH_DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}\b")

ALLOWED_WORDS = {
    # the language switch names both languages on purpose
    "Language",
    "English",
    # file formats, encodings and the database URL are identifiers, not prose
    "CSV",
    "XLSX",
    "JSON",
    "UTF",
    "GB18030",
    "sqlite",
    "tmp",
    "db",
    "MB",
    # the import page names the English file names it accepts (Chinese names work too)
    *("departments", "sectors", "regions", "entities", "ratings"),
    *("inspectors", "conflicts", "history", "csv", "xlsx", "qualifications"),
    # Streamlit's screen-reader link, visible only when focused by keyboard
    "Skip",
    "to",
    "main",
    "content",
}

VISIBLE_TEXT = r"""() => {
    const skip = el => el.closest('[data-testid="stIconMaterial"]');
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const el = node.parentElement;
        if (!el || skip(el) || !node.textContent.trim()) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        if (!el.getClientRects().length) continue;
        parts.push(node.textContent.trim());
    }
    for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
        parts.push(input.getAttribute('placeholder'));
    }
    for (const el of document.querySelectorAll('*')) {
        for (const pseudo of ['::before', '::after']) {
            const content = getComputedStyle(el, pseudo).content;
            if (content && content !== 'none' && content !== 'normal') parts.push(content);
        }
    }
    return parts.join('\n');
}"""


def english_in(text: str) -> list[str]:
    """Known English strings, English dates and ASCII words outside the allowed identifiers."""
    found = [phrase for phrase in KNOWN_ENGLISH if re.search(rf"\b{re.escape(phrase)}\b", text)]
    found += ENGLISH_DATE.findall(text)
    for word in re.findall(r"(?<![\w.-])[A-Za-z][a-z]{2,}(?![\w.-])", text):
        if word not in ALLOWED_WORDS:
            found.append(word)
    return sorted(set(found))


def test_english_detector_finds_what_issue_14_saw() -> None:
    assert english_in("总览 Choose options 2026年") == ["Choose", "Choose options", "options"]
    assert "Nov" in english_in("Nov 30, 2026")
    assert english_in("数据库：sqlite:////tmp/x.db 统一社会信用代码 91370702MA3C 请选择") == []


@pytest.fixture
def demo_dashboard_url(tmp_path: Path, sample_db: str) -> Iterator[str]:
    """The dashboard on the demo plan of ``./run.sh demo`` (drawn and assigned)."""
    from scheduler.cli import main

    url = sample_db  # `scheduler db load sample_data`, done once and copied
    assert main(["demo-plan", "--url", url]) == 0
    port = _free_port()
    log = (tmp_path / "dashboard.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler", "dashboard", "--port", str(port), "--headless"],
        cwd=tmp_path,
        env=os.environ | {"SCHEDULER_DATABASE_URL": url},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://localhost:{port}"
    try:
        _wait_healthy(base, process, timeout=600)
        yield base
    finally:
        _stop(process)
        log.close()


@pytest.mark.browser
def test_every_page_by_url_shows_no_english_on_the_chinese_setting(
    demo_dashboard_url: str,
) -> None:
    assert Path(CHROMIUM).is_file(), f"Chromium is required at {CHROMIUM}"
    from playwright.sync_api import expect, sync_playwright

    shots = ARTIFACTS / "pages"
    shutil.rmtree(shots, ignore_errors=True)  # only this run's screenshots count below
    shots.mkdir(parents=True)
    english: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
        page.set_default_timeout(PATIENCE_MS)
        expect.set_options(timeout=PATIENCE_MS)
        try:
            page.goto(demo_dashboard_url)  # the root opens the first page at its own URL
            _wait_ready(page, PAGE_TITLES["overview"])
            page.wait_for_url(re.compile(r"/overview$"))
            for path, title in PAGE_TITLES.items():
                page.goto(f"{demo_dashboard_url}/{path}")  # a deep link, as a bookmark is
                _wait_ready(page, title)
                page.screenshot(path=str(shots / f"{path}.png"))
                found = english_in(page.evaluate(VISIBLE_TEXT))
                if found:
                    english[path] = found
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "pages-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert sorted(p.stem for p in shots.glob("*.png")) == sorted(PAGE_TITLES)
    assert not english, english
