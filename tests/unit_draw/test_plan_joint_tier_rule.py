"""Stored plans carry their joint tier rule: create, list, draw --plan, verify, migration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from scheduler.cli import main
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.frame import JOINT_TIER_RULES
from scheduler.draw.plans import create_plan, get_plan, plan_parameters
from scheduler.draw.policy import make_policy
from scheduler.errors import InvalidInputError
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import load_directory

ON = "2026-03-01"
# MARKET with TAX in 潍城区: entities both supervise have two effective tiers.
SCOPE = ["--department", "MARKET", "--joint", "TAX", "--regions", "370702",
         "--rates", "A=0.05,B=0.1,C=0.3,D=0.6"]  # fmt: skip


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('joint') / 'db.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_directory(engine, read_folder(sample_dir))
    engine.dispose()
    return url


def _file_draw(sample_dir: Path, folder: Path, rule: str) -> tuple[dict, list[str]]:
    out, receipt = folder / f"file-{rule}.csv", folder / f"file-{rule}.json"
    args = ["draw", "--data", str(sample_dir), *SCOPE, "--joint-tier-rule", rule, "--on", ON,
            "--seed", "11", "--out", str(out), "--receipt", str(receipt)]  # fmt: skip
    assert main(args) == 0
    return json.loads(receipt.read_text(encoding="utf-8")), _usccs(out)


def _usccs(path: Path) -> list[str]:
    return sorted(pd.read_csv(path, dtype=str)["uscc"])


def test_a_plan_draws_as_the_file_mode_draw_with_its_rule(
    loaded: str, sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    populations = {}
    capsys.readouterr()
    for rule in JOINT_TIER_RULES:
        assert main(["plan", "create", *SCOPE, "--joint-tier-rule", rule, "--start", ON,
                     "--tier-months", "window", "--url", loaded]) == 0  # fmt: skip
        plan_id = int(re.search(r"plan (\d+) created", capsys.readouterr().out)[1])
        out, receipt = tmp_path / f"plan-{rule}.csv", tmp_path / f"plan-{rule}.json"
        assert main(["draw", "--plan", str(plan_id), "--seed", "11", "--out", str(out),
                     "--receipt", str(receipt), "--url", loaded]) == 0  # fmt: skip
        stored = json.loads(receipt.read_text(encoding="utf-8"))
        assert stored["parameters"]["joint_tier_rule"] == rule
        expected, usccs = _file_draw(sample_dir, tmp_path, rule)
        assert stored["draw_id"] == expected["draw_id"]
        assert _usccs(out) == usccs
        # the verification re-derives the frame from the receipt, rule included
        assert main(["verify", "--draw-id", stored["draw_id"], "--url", loaded]) == 0
        capsys.readouterr()
        populations[rule] = {t: c["population"] for t, c in stored["counts"]["tier"].items()}
    assert len({json.dumps(p, sort_keys=True) for p in populations.values()}) == 3  # rules matter
    capsys.readouterr()
    assert main(["plan", "list", "--url", loaded]) == 0
    listed = capsys.readouterr().out
    assert all(f"TAX ({rule})" in listed for rule in JOINT_TIER_RULES)


def test_bad_rule_is_refused_naming_the_field(loaded: str, capsys) -> None:
    engine = make_engine(loaded)
    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.1, "C": 0.1, "D": 0.1})
    with session_scope(engine) as session, pytest.raises(InvalidInputError) as error:
        create_plan(session, department_code="MARKET", policy=policy, joint_departments=("TAX",),
                    joint_tier_rule="average", actor="test")  # fmt: skip
    assert "`joint_tier_rule` must be one of least_favourable, most_favourable, lead" in str(
        error.value
    )
    assert error.value.fields == ("joint_tier_rule",)
    with session_scope(engine) as session, pytest.raises(InvalidInputError, match="needs joint"):
        create_plan(session, department_code="MARKET", policy=policy, joint_tier_rule="lead",
                    actor="test")  # fmt: skip
    engine.dispose()
    capsys.readouterr()
    assert main(["plan", "create", *SCOPE, "--joint-tier-rule", "worst", "--url", loaded]) == 2
    assert "`joint_tier_rule` must be one of" in capsys.readouterr().err


def test_old_plans_keep_the_default_rule_after_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert main(["db", "upgrade", "--revision", "0004", "--url", url]) == 0
    engine: Engine = make_engine(url)
    with engine.begin() as connection:
        for code in ("MARKET", "TAX"):
            connection.execute(
                text(f"INSERT INTO department (code, name, domain) VALUES ('{code}', '{code}', '')")
            )
        connection.execute(
            text(
                "INSERT INTO plan (name, department_code, sectors, regions, entity_types, "
                "joint_departments, policy, repeat_window_months, tier_months, "
                "verify_commitments, created_at, created_by) VALUES ('old', 'MARKET', '', '', "
                "'', 'TAX', '{\"mode\": \"rates\", \"rates\": {\"A\": 0.1}}', 12, '{}', 0, "
                "'2026-01-01', 'x')"
            )
        )
    engine.dispose()
    assert main(["db", "upgrade", "--url", url]) == 0
    engine = make_engine(url)
    with session_scope(engine) as session:
        plan = get_plan(session, 1)
        assert plan.joint_tier_rule == "least_favourable"
        assert plan_parameters(plan).rules.joint_tier_rule == "least_favourable"
    engine.dispose()
