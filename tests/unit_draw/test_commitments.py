"""Credit commitments (信用承诺): import, commitment checks in a frame, broken commitments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from commitments_support import CHECKED, ON, UNTIL, C, code, make_directory
from scipy import stats

from scheduler.cli import main
from scheduler.data.folder_writer import write_folder
from scheduler.data.importing.reader import read_folder
from scheduler.data.reference import tier_scheme
from scheduler.draw.commitment_checks import pending_due
from scheduler.draw.frame import FrameRules, build_frame
from scheduler.draw.policy import make_policy, unit_probabilities
from scheduler.draw.run import DrawParameters, draw_from_frame
from scheduler.draw.snapshot import frame_from_snapshot
from scheduler.draw.verify import verify
from scheduler.errors import InvalidInputError
from scheduler.publication.commitments import due_and_overdue, mark_broken, revoked_list
from scheduler.publication.rules import LifecycleRules, load_rules
from scheduler.store.engine import init_db, make_engine, session_scope
from scheduler.store.loader import load_directory, row_counts

RULES = FrameRules(department_code="MARKET", on=ON, regions=("370702",))


# --- the data table ---------------------------------------------------------------------


def test_chinese_headers_and_statuses_are_read(tmp_path: Path) -> None:
    write_folder(make_directory(), tmp_path)
    frame = pd.read_csv(tmp_path / "commitments.csv", dtype=str, keep_default_na=False)
    frame["status"] = frame["status"].map({"pending": "待履约", "fulfilled": "已履约"})
    frame.columns = [
        "统一社会信用代码",
        "承诺受理部门",
        "承诺事项",
        "承诺日期",
        "履约期限",
        "履约状态",
    ]
    frame.to_csv(tmp_path / "commitments.csv", index=False)
    read = read_folder(tmp_path).commitments
    pd.testing.assert_frame_equal(read, make_directory().commitments, check_dtype=False)
    assert read["due_on"].dtype == "datetime64[ns]"


def test_bad_commitment_rows_are_all_refused_and_nothing_is_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    write_folder(make_directory(), folder)
    frame = pd.read_csv(folder / "commitments.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "due_on"] = "2025-12-31"  # before committed_on
    frame.loc[1, "status"] = "kept"
    frame.loc[2, "uscc"] = code(999)  # valid USCC, no such entity
    frame.loc[3, "department_code"] = "NOPE"
    frame.to_csv(folder / "commitments.csv", index=False)
    with pytest.raises(InvalidInputError) as caught:
        read_folder(folder)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("commitments.csv", 2, "due_on"),
        ("commitments.csv", 3, "status"),
        ("commitments.csv", 4, "uscc"),
        ("commitments.csv", 5, "department_code"),
    }
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["db", "init", "--url", url]) == 0
    assert main(["db", "load", str(folder), "--url", url]) == 2
    engine = make_engine(url)
    assert set(row_counts(engine).values()) == {0}
    engine.dispose()


def test_commitments_round_trip_through_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    directory = make_directory()
    report = load_directory(engine, directory)
    assert report.written["commitments"] == len(directory.commitments)
    from scheduler.store.loader import directory_from_db

    back = directory_from_db(engine).commitments
    expected = directory.commitments.sort_values(
        ["uscc", "department_code", "item", "committed_on"]
    )
    pd.testing.assert_frame_equal(
        back.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False
    )
    engine.dispose()


# --- commitment checks in a frame ----------------------------------------------------------


def test_commitment_checks_force_in_exactly_the_pending_due_entities() -> None:
    directory = make_directory()
    frame = build_frame(directory, replace(RULES, verify_commitments=UNTIL))
    assert set(frame.rules.commitment_checks) == CHECKED
    forced = set(frame.units.loc[frame.units["forced"], "uscc"])
    assert forced == CHECKED
    assert C[41] in set(frame.units["uscc"])  # whatever its sectors
    reasons = dict(frame.forced_reasons.itertuples(index=False))
    assert set(reasons) == CHECKED
    assert reasons[C[3]].count("commitment check") == 2  # both of its commitments
    assert "due 2026-03-15" in reasons[C[41]]
    plain = build_frame(directory, RULES)
    assert C[47] in set(plain.excluded["uscc"])  # repeat control, lifted by the check
    assert not plain.units["forced"].any()
    assert pending_due(directory.commitments, "MARKET", UNTIL).index.tolist() == sorted(
        {C[3], C[41], C[42], C[43], C[47]}
    )


@pytest.mark.parametrize(
    "policy",
    [
        make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8}),
        make_policy(tier_scheme(), budget=12, weights={"A": 1, "B": 2, "C": 5, "D": 15}),
    ],
    ids=["rates", "budget"],
)
def test_other_units_keep_exact_probabilities(policy) -> None:
    """Forced checks get pi = 1; every other unit's pi is that of the frame without them,
    with the forced units taken out of the budget (the existing force-include rule)."""
    directory = make_directory()
    checked = build_frame(directory, replace(RULES, verify_commitments=UNTIL))
    listed = build_frame(directory, replace(RULES, force_include=tuple(sorted(CHECKED - {C[41]}))))
    pi = pd.Series(unit_probabilities(checked, policy), index=checked.units["uscc"])
    assert (pi[list(CHECKED)] == 1.0).all()
    # The same units forced through the force-include list give the same pi (C[41] is
    # outside MARKET's sectors, so it is in the commitment frame only).
    reference = pd.Series(unit_probabilities(listed, policy), index=listed.units["uscc"])
    others = [u for u in pi.index if u not in CHECKED]
    if policy.budget is None:
        np.testing.assert_array_equal(pi[others].to_numpy(), reference[others].to_numpy())
    else:
        assert pi.sum() == pytest.approx(policy.budget)
        assert pi[others].sum() == pytest.approx(policy.budget - len(CHECKED))


def test_inclusion_frequencies_match_pi_with_checks() -> None:
    """Over 1,500 seeded draws each unit's count is Binomial(1500, pi): chi-square on the
    counts of the sampled units (error rate 0.001), and the checks are drawn every time."""
    directory = make_directory()
    policy = make_policy(tier_scheme(), budget=12, weights={"A": 1, "B": 2, "C": 5, "D": 15})
    frame = build_frame(directory, replace(RULES, verify_commitments=UNTIL))
    parameters = DrawParameters(rules=frame.rules, policy=policy)
    pi = unit_probabilities(frame, policy)
    index = {u: k for k, u in enumerate(frame.units["uscc"])}
    counts = np.zeros(len(pi))
    runs = 1500
    for seed in range(runs):
        result = draw_from_frame(frame, parameters, seed, frame_hash="x")
        counts[[index[u] for u in result.rows["uscc"]]] += 1
    forced = frame.units["forced"].to_numpy()
    assert (counts[forced] == runs).all()
    free = ~forced & (pi > 0)
    expected = runs * pi[free]
    statistic = (((counts[free] - expected) ** 2) / (expected * (1 - pi[free]))).sum()
    assert stats.chi2.sf(statistic, free.sum()) > 0.001


def test_receipt_counts_checks_apart_and_verifies_from_data_and_snapshot(tmp_path: Path) -> None:
    directory = make_directory()
    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
    rules = replace(RULES, verify_commitments=UNTIL)
    frame = build_frame(directory, rules)
    result = draw_from_frame(frame, DrawParameters(rules=rules, policy=policy), 11)
    checks = result.receipt["commitment_checks"]
    assert checks == {
        "until": "2026-03-31",
        "in_frame": 3,
        "drawn": 3,
        "others_drawn": len(result.rows) - 3,
    }
    assert result.receipt["parameters"]["commitment_checks"] == sorted(CHECKED)
    from scheduler.draw.receipt import canonical_frame_bytes, write_json
    from scheduler.draw.run import write_draw_csv
    from scheduler.draw.snapshot import write_snapshot

    write_draw_csv(result.rows, tmp_path / "d.csv")
    write_json(result.receipt, tmp_path / "r.json")
    write_snapshot(canonical_frame_bytes(frame), tmp_path / "s.gz")
    assert verify(directory, tmp_path / "d.csv", tmp_path / "r.json").ok
    assert verify(None, tmp_path / "d.csv", tmp_path / "r.json", snapshot=tmp_path / "s.gz").ok
    rebuilt = frame_from_snapshot(
        canonical_frame_bytes(frame), DrawParameters.from_dict(result.receipt["parameters"])
    )
    assert set(rebuilt.units.loc[rebuilt.units["forced"], "uscc"]) == CHECKED
    # a commitment fulfilled since: the same receipt no longer matches the data
    changed = directory.commitments.copy()
    changed.loc[changed["uscc"] == C[41], "status"] = "fulfilled"
    assert not verify(
        replace(directory, commitments=changed), tmp_path / "d.csv", tmp_path / "r.json"
    ).ok


def test_draws_without_checks_keep_their_parameters() -> None:
    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
    params = DrawParameters(rules=RULES, policy=policy).as_dict()
    assert "verify_commitments" not in params and "commitment_checks" not in params


def test_cli_until_needs_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_folder(make_directory(), tmp_path / "data")
    code_ = main(
        [
            "draw", "--data", str(tmp_path / "data"), "--department", "MARKET", "--seed", "1",
            "--out", str(tmp_path / "d.csv"), "--receipt", str(tmp_path / "r.json"),
            "--until", "2026-03-31",
        ]
    )  # fmt: skip
    assert code_ == 2
    assert "--until` goes with --verify-commitments" in capsys.readouterr().err


def test_cli_draw_verify_commitments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_folder(make_directory(), tmp_path / "data")
    args = [
        "draw", "--data", str(tmp_path / "data"), "--department", "MARKET", "--seed", "1",
        "--regions", "370702", "--on", "2026-03-01", "--verify-commitments", "--preset",
        "weifang-default",
        "--until", "2026-03-31", "--out", str(tmp_path / "d.csv"),
        "--receipt", str(tmp_path / "r.json"),
    ]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "承诺核查" in out and "commitment check" in out
    drawn = set(pd.read_csv(tmp_path / "d.csv", dtype=str)["uscc"])
    assert CHECKED <= drawn


# --- broken commitments ------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    load_directory(engine, make_directory())
    yield engine
    engine.dispose()


def _event_kinds(engine) -> list[str]:
    from scheduler.store.auditlog import read_events

    return list(read_events(engine)["kind"])


def test_broken_commitment_is_listed_and_audited_tier_kept_by_default(engine) -> None:
    with session_scope(engine) as session:
        done = mark_broken(
            session, uscc=C[41], department_code="MARKET", item="告知承诺：符合许可条件",
            kind="未履约", on=date(2026, 3, 20),
        )  # fmt: skip
    assert done.tier_after is None
    listed = revoked_list(engine)
    assert listed["uscc"].tolist() == [C[41]] and listed["name"].tolist() == ["潍坊41号公司"]
    assert _event_kinds(engine)[0] == "commitment.broken"
    assert "tier.change" not in _event_kinds(engine)
    with session_scope(engine) as session, pytest.raises(InvalidInputError, match="already"):
        mark_broken(
            session, uscc=C[41], department_code="MARKET", item="告知承诺：符合许可条件",
            kind="未履约", on=date(2026, 3, 21),
        )  # fmt: skip


def test_broken_commitment_moves_tier_when_the_rule_says_so(engine, tmp_path: Path) -> None:
    (tmp_path / "rules.json").write_text('{"broken_commitment": "down_one"}', encoding="utf-8")
    rules = load_rules(tmp_path / "rules.json")
    with session_scope(engine) as session:
        done = mark_broken(
            session, uscc=C[41], department_code="MARKET", item="告知承诺：符合许可条件",
            kind="不实承诺", on=date(2026, 3, 20), rules=rules,
        )  # fmt: skip
    assert (done.tier_before, done.tier_after) == ("B", "C")  # 41 % 4 = 1 -> B
    assert "tier.change" in _event_kinds(engine)
    from scheduler.draw.tiers import effective_tiers
    from scheduler.store.loader import directory_from_db

    after = directory_from_db(engine)
    one = replace(after, entities=after.entities[after.entities["uscc"] == C[41]])
    assert effective_tiers(one, "MARKET", on=date(2026, 3, 21)).tolist() == ["C"]


def test_unknown_broken_commitment_rule_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rules.json").write_text('{"broken_commitment": "sideways"}', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="broken_commitment"):
        load_rules(tmp_path / "rules.json")
    assert LifecycleRules().broken_commitment == "none"


def test_cli_revoked_export_has_chinese_headers(engine, tmp_path: Path) -> None:
    url = str(engine.url)
    assert main([
        "commitments", "broken", "--uscc", C[3], "--department", "MARKET",
        "--item", "告知承诺：符合许可条件", "--kind", "未履约", "--on", "2026-03-02", "--url", url,
    ]) == 0  # fmt: skip
    assert main(["commitments", "revoked", "--out", str(tmp_path / "r.csv"), "--url", url]) == 0
    table = pd.read_csv(tmp_path / "r.csv", dtype=str, encoding="utf-8-sig")
    assert list(table.columns[:2]) == ["统一社会信用代码", "名称"]
    assert table["统一社会信用代码"].tolist() == [C[3]]


def test_due_and_overdue_per_department() -> None:
    counts = due_and_overdue(make_directory().commitments, on=ON, horizon_days=30)
    by = counts.set_index("department_code")
    # MARKET pending: due 02-01 x4 (3, 42, 43, 47) overdue; 03-15, 03-31 due; 04-01 beyond 30 days
    assert by.loc["MARKET", "overdue"] == 4
    assert by.loc["MARKET", "due"] == 2
    assert by.loc["TAX", "overdue"] == 1


def test_plan_field_checks_commitments_due_by_the_window_end(engine) -> None:
    from scheduler.draw.plans import create_plan, get_plan, plan_parameters, run_plan_draw

    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
    with session_scope(engine) as session:
        plan = create_plan(
            session, department_code="MARKET", policy=policy, regions=("370702",),
            start=ON, end=date(2026, 3, 20), verify_commitments=True,
            actor="test",
        )  # fmt: skip
        plan_id = plan.id
    with session_scope(engine) as session:
        assert plan_parameters(get_plan(session, plan_id)).rules.verify_commitments == date(
            2026, 3, 20
        )
    result = run_plan_draw(engine, plan_id, 5, actor="test")
    # due by 03-20: 3 (02-01), 41 (03-15), 47 (02-01); 3's second item is due 03-31
    assert result.receipt["commitment_checks"]["until"] == "2026-03-20"
    assert set(result.receipt["parameters"]["commitment_checks"]) == CHECKED
    assert CHECKED <= set(result.rows["uscc"])


def test_dashboard_overview_shows_commitments_and_revoked_list(empty_db: str) -> None:
    from dashboard_support import app_at, texts

    engine = make_engine(empty_db)
    init_db(engine)
    load_directory(engine, make_directory())
    with session_scope(engine) as session:
        mark_broken(
            session, uscc=C[41], department_code="MARKET", item="告知承诺：符合许可条件",
            kind="未履约", on=date(2026, 3, 20),
        )  # fmt: skip
    engine.dispose()
    at = app_at()
    assert not at.exception
    page = texts(at)
    assert "信用承诺" in page and "不再适用信用承诺制名单" in page
    expected = due_and_overdue(make_directory().commitments, on=date.today(), horizon_days=30)
    counts = next(d.value for d in at.dataframe if "已逾期" in d.value.columns)
    market = counts[counts["代码"] == "MARKET"].iloc[0]
    want = expected.set_index("department_code").loc["MARKET"]
    assert int(market["已逾期"]) == int(want["overdue"]) - 1  # 41's commitment is broken now
    assert int(market["不实承诺/未履约"]) == 1
    revoked = next(d.value for d in at.dataframe if "统一社会信用代码" in d.value.columns)
    assert revoked["统一社会信用代码"].tolist() == [C[41]]


def test_dashboard_draw_page_counts_commitment_checks(empty_db: str) -> None:
    from dashboard_support import app_at, texts

    from scheduler.draw.plans import create_plan, run_plan_draw

    engine = make_engine(empty_db)
    init_db(engine)
    load_directory(engine, make_directory())
    policy = make_policy(tier_scheme(), rates={"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.8})
    with session_scope(engine) as session:
        plan_id = create_plan(
            session, department_code="MARKET", policy=policy, regions=("370702",),
            start=ON, end=UNTIL, verify_commitments=True,
            actor="test",
        ).id  # fmt: skip
    result = run_plan_draw(engine, plan_id, 9, actor="test")
    engine.dispose()
    at = app_at()
    at.session_state["current_plan"] = plan_id
    at.switch_page("app_pages/draw.py").run()
    assert not at.exception
    others = len(result.rows) - 3
    expected = (
        f"承诺核查：3 个主体以概率 1 抽中（2026-03-31 前到期的待履约承诺）；另随机抽取 {others} 个"
    )
    assert expected in texts(at)
