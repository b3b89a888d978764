"""Users and roles: the policy ``may``, the users table and CLI, and local mode's address rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from dashboard.signin import auth_configured, is_loopback, signin_configured
from scheduler.access.policy import ACTIONS, LOCAL_USER, AccessDeniedError, User, check, may
from scheduler.access.users import find_user, list_users
from scheduler.cli import main
from scheduler.store.engine import init_db, make_engine

ADMIN = User("a@city.cn", "admin")
PLANNER = User("p@city.cn", "planner", frozenset({"MARKET"}))
AUDITOR = User("u@city.cn", "auditor")
VIEWER = User("v@city.cn", "viewer")


@pytest.mark.parametrize(
    ("user", "action", "department", "expected"),
    [
        (ADMIN, "draw", "TAX", True),
        (ADMIN, "manage_users", None, True),
        (LOCAL_USER, "import", None, True),
        (PLANNER, "draw", "MARKET", True),
        (PLANNER, "draw", "TAX", False),
        (PLANNER, "view_personal", "MARKET", True),
        (PLANNER, "view_personal", "TAX", False),
        (PLANNER, "export", "TAX", False),
        (PLANNER, "view_plans", None, True),
        (PLANNER, "import", None, False),
        (PLANNER, "view_audit", None, False),
        (AUDITOR, "view_plans", "TAX", True),
        (AUDITOR, "view_personal", "TAX", True),
        (AUDITOR, "verify", None, True),
        (AUDITOR, "draw", "TAX", False),
        (AUDITOR, "edit_plans", "TAX", False),
        (AUDITOR, "staff", "TAX", False),
        (VIEWER, "view_public", None, True),
        (VIEWER, "view_plans", "MARKET", False),
        (VIEWER, "draw", "MARKET", False),
        (VIEWER, "view_personal", "MARKET", False),
        (None, "view_public", None, False),
    ],
)
def test_may(user: User | None, action: str, department: str | None, expected: bool) -> None:
    assert may(user, action, department) is expected


def test_a_planner_without_departments_may_do_nothing_scoped() -> None:
    lost = User("x@city.cn", "planner")
    assert not any(may(lost, a) for a, (_, scoped) in ACTIONS.items() if scoped)


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action 'launch'"):
        may(ADMIN, "launch")


def test_check_names_who_and_what() -> None:
    with pytest.raises(AccessDeniedError, match=r"p@city.cn \(planner\) may not draw for .*TAX"):
        check(PLANNER, "draw", "TAX")


def test_users_cli_add_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert main(["users", "add", " P@City.cn ", "--role", "planner", "--department", "MARKET",
                 "--url", url]) == 0  # fmt: skip
    assert main(["users", "add", "p@city.cn", "--role", "planner", "--department", "TAX",
                 "--url", url]) == 0  # fmt: skip
    assert main(["users", "add", "v@city.cn", "--role", "viewer", "--url", url]) == 0
    engine = make_engine(url)
    assert find_user(engine, "P@CITY.CN") == User(
        "p@city.cn", "planner", frozenset({"MARKET", "TAX"})
    )
    with Session(engine) as session:
        assert [u.email for u in list_users(session)] == ["p@city.cn", "v@city.cn"]
    assert main(["users", "remove", "v@city.cn", "--url", url]) == 0
    assert find_user(engine, "v@city.cn") is None
    assert find_user(engine, "nobody@city.cn") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["x@city.cn", "--role", "planner"],
            "a planner needs one or more departments (option --department)",
        ),
        (["x@city.cn", "--role", "planner", "--department", "NOPE"], "unknown department 'NOPE'"),
        (
            ["x@city.cn", "--role", "viewer", "--department", "MARKET"],
            "give it no department (option --department)",
        ),
        (["x@city.cn", "--role", "boss"], "`role` must be one of"),
        (["not-an-email", "--role", "viewer"], "must be an e-mail address"),
    ],
)
def test_users_add_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert main(["users", "add", *args, "--url", url]) == 2
    assert message in capsys.readouterr().err


def test_users_add_refuses_a_silent_role_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert main(["users", "add", "x@city.cn", "--role", "viewer", "--url", url]) == 0
    assert main(["users", "add", "x@city.cn", "--role", "admin", "--url", url]) == 2
    assert "already has role 'viewer'" in capsys.readouterr().err


def test_user_changes_are_audited(tmp_path: Path) -> None:
    from scheduler.store.auditlog import read_events

    url = f"sqlite:///{tmp_path / 'u.db'}"
    main(["users", "add", "x@city.cn", "--role", "auditor", "--url", url])
    main(["users", "remove", "x@city.cn", "--url", url])
    engine = make_engine(url)
    init_db(engine)
    kinds = list(read_events(engine)["kind"])
    assert kinds[:2] == ["user.remove", "user.add"]  # newest first


def test_dashboard_refuses_a_public_address_without_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert main(["dashboard", "--address", "0.0.0.0", "--url", url, "--headless"]) == 2
    assert "refusing to listen on 0.0.0.0: sign-in is not configured" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()  # refused before anything was done


def test_sign_in_configuration_is_read_from_the_secrets_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert not signin_configured(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://x/oauth2callback"\n', encoding="utf-8")
    assert not signin_configured(tmp_path)  # no cookie secret, no provider
    secrets.write_text(
        '[auth]\nredirect_uri = "http://x/oauth2callback"\ncookie_secret = "s"\n'
        '[auth.city]\nclient_id = "c"\nclient_secret = "s"\n'
        'server_metadata_url = "https://idp/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    assert signin_configured(tmp_path)
    assert not auth_configured({"redirect_uri": "x", "cookie_secret": "s", "client_id": "c"})


@pytest.mark.parametrize(
    ("address", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
