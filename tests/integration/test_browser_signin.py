"""Sign-in and roles in a real browser, against a local OpenID Connect provider.

``oidc-provider-mock`` runs in a thread on a free loopback port; its
authorization page lets the test choose who signs in (the ``sub`` field; an
unknown subject gets ``email = sub``). ``scheduler dashboard`` runs as in
``tests/integration/test_browser.py``, with an ``[auth]`` section in
``.streamlit/secrets.toml`` of its working folder. Two plans of two
departments are drawn before the dashboard starts; a MARKET planner must see
only the MARKET plan, and a viewer must not reach the draw page, even by URL.

Every wait is on a page-ready condition with a generous timeout, so the test
passes on a loaded machine.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, REPO, _free_port, _stop, _wait_healthy

WAIT = 60_000  # ms: a loaded 2-core machine can take many seconds for a first page
MARKET_PLAN = "市场监管测试计划"
TAX_PLAN = "税务测试计划"
PLANNER = "planner@city.example.cn"
VIEWER = "viewer@city.example.cn"
STRANGER = "stranger@city.example.cn"


@dataclass(frozen=True)
class SignInDashboard:
    url: str
    provider: str


def _cli(*args: str, env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)


@pytest.fixture
def signin_dashboard(tmp_path: Path) -> Iterator[SignInDashboard]:
    import oidc_provider_mock

    from scheduler.cli.dashboard import seed_if_empty

    url = f"sqlite:///{tmp_path / 'signin.db'}"
    env = os.environ | {"SCHEDULER_DATABASE_URL": url}
    seed_if_empty(url, REPO / "sample_data")
    window = ("--start", "2026-03-02", "--end", "2026-06-30", "--preset", "weifang-default")
    for department, name in (("MARKET", MARKET_PLAN), ("TAX", TAX_PLAN)):
        _cli("plan", "create", "--department", department, "--name", name, *window, env=env,
             cwd=tmp_path)  # fmt: skip
    for plan, seed in (("1", "11"), ("2", "12")):
        _cli("draw", "--plan", plan, "--seed", seed, env=env, cwd=tmp_path)
    _cli("users", "add", PLANNER, "--role", "planner", "--department", "MARKET", env=env,
         cwd=tmp_path)  # fmt: skip
    _cli("users", "add", VIEWER, "--role", "viewer", env=env, cwd=tmp_path)

    port = _free_port()
    with oidc_provider_mock.run_server_in_thread() as server:
        provider = f"http://localhost:{server.server_port}"
        (tmp_path / ".streamlit").mkdir()
        (tmp_path / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "scheduler-dashboard"\n'
            'client_secret = "test-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        log = (tmp_path / "dashboard.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "dashboard", "--port", str(port), "--headless"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        dashboard = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(dashboard, process, timeout=90)
            yield SignInDashboard(dashboard, provider)
        finally:
            _stop(process)
            log.close()


def _sign_in(page, dashboard: SignInDashboard, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(dashboard.url)
    page.get_by_role("button", name="登录").click()
    subject = page.get_by_placeholder("sub")
    expect(subject).to_be_visible(timeout=WAIT)  # the provider's authorization page
    subject.fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(f"当前用户：{email}")).to_be_visible(timeout=WAIT)


@pytest.mark.browser
def test_planner_sees_only_their_department_and_viewer_cannot_draw(
    signin_dashboard: SignInDashboard,
) -> None:
    assert Path(CHROMIUM).is_file(), f"Chromium is required at {CHROMIUM}"
    from playwright.sync_api import expect, sync_playwright

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Nobody signed in: only the sign-in button, no page, no data.
            page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(WAIT)
            page.goto(signin_dashboard.url)
            expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=WAIT)
            expect(page.get_by_role("link", name="随机抽取")).to_have_count(0)

            # A signed-in e-mail that is not in the users table: no access, said in Chinese.
            stranger = browser.new_page(locale="zh-CN")
            stranger.set_default_timeout(WAIT)
            stranger.goto(signin_dashboard.url)
            stranger.get_by_role("button", name="登录").click()
            stranger.get_by_placeholder("sub").fill(STRANGER)
            stranger.get_by_role("button", name="Authorize").click()
            expect(stranger.get_by_text("没有本看板的使用权限")).to_be_visible(timeout=WAIT)
            expect(stranger.get_by_role("link", name="随机抽取")).to_have_count(0)
            stranger.close()

            # The MARKET planner: the draw page lists the MARKET plan only.
            _sign_in(page, signin_dashboard, PLANNER)
            expect(page.get_by_role("link", name="数据导入")).to_have_count(0)  # admin only
            expect(page.get_by_role("link", name="审计")).to_have_count(0)  # admin, auditor
            page.get_by_role("link", name="随机抽取").click()
            expect(page.get_by_role("heading", name="随机抽取")).to_be_visible(timeout=WAIT)
            plan_box = page.get_by_role("combobox", name="计划")
            expect(plan_box).to_have_value(re.compile(MARKET_PLAN), timeout=WAIT)
            expect(page.get_by_text("各等级抽中数")).to_be_visible(timeout=WAIT)  # its draw
            plan_box.click()
            options = page.get_by_role("option")
            expect(options.first).to_be_visible(timeout=WAIT)
            labels = options.all_inner_texts()
            assert any(MARKET_PLAN in label for label in labels), labels
            assert not any(TAX_PLAN in label for label in labels), labels
            page.keyboard.press("Escape")
            # Exports: the internal list (phones, legal representatives) of MARKET only.
            page.get_by_role("link", name="导出").click()
            expect(page.get_by_role("heading", name="导出")).to_be_visible(timeout=WAIT)
            internal = page.get_by_role("heading", name="检查对象名单（内部）")
            expect(internal).to_be_visible(timeout=WAIT)
            expect(page.get_by_role("combobox", name="计划")).to_have_value(re.compile(MARKET_PLAN))
            expect(page.get_by_text(TAX_PLAN)).to_have_count(0)
            page.screenshot(path=str(artifacts / "signin-planner.png"))
            page.context.clear_cookies()
            page.close()

            # The viewer: public lists only; the draw page is neither offered nor reachable.
            viewer = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
            viewer.set_default_timeout(WAIT)
            _sign_in(viewer, signin_dashboard, VIEWER)
            expect(viewer.get_by_role("heading", name="导出")).to_be_visible(timeout=WAIT)
            public = viewer.get_by_role("heading", name="公示名单（已脱敏，用于一公开）")
            expect(public).to_be_visible(timeout=WAIT)
            expect(viewer.get_by_role("link", name="随机抽取")).to_have_count(0)
            expect(viewer.get_by_role("heading", name="检查对象名单（内部）")).to_have_count(0)
            viewer.goto(f"{signin_dashboard.url}/draw")
            expect(viewer.get_by_text("Page not found")).to_be_visible(timeout=WAIT)
            expect(viewer.get_by_text(f"当前用户：{VIEWER}")).to_be_visible(timeout=WAIT)
            expect(viewer.get_by_role("heading", name="随机抽取")).to_have_count(0)
            expect(viewer.get_by_role("button", name="运行抽取")).to_have_count(0)
            viewer.screenshot(path=str(artifacts / "signin-viewer.png"))
        except Exception:
            for context in browser.contexts:
                for i, open_page in enumerate(context.pages):
                    open_page.screenshot(path=str(artifacts / f"signin-failure-{i}.png"))
            raise
        finally:
            browser.close()
