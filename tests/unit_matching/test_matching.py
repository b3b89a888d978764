"""The second random: lawful, random, balanced, joint visits (library level)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_support import FANGZI, HANTING, WEICHENG, directory, draw, entity, inspector, usccs
from scipy import stats

from scheduler.errors import InvalidInputError, NotFoundError
from scheduler.matching import (
    AssignSettings,
    assign,
    check_assignment,
    exclusion_reasons,
    plan,
    swap_inspector,
)
from scheduler.matching.flow import NOISE, FlowProblem, solve_flow, solve_in_order
from scheduler.matching.synthetic import synthetic_instance
from scheduler.matching.tasks import build_tasks, slots_per_department

SEPT = dict(start=date(2026, 9, 1), end=date(2026, 9, 30))


def small(n_entities: int = 6, n_inspectors: int = 8, **kw):
    ents = [entity(c) for c in usccs(n_entities)]
    return directory([inspector(k, **kw) for k in range(n_inspectors)], ents), ents


def test_plan_staffs_every_task_lawfully():
    d, ents = small()
    result = assign(d, [draw(ents)], rng=1, **SEPT)
    assert result.complete and len(result.assignments) == len(ents)
    assert check_assignment(result, d, [draw(ents)]) == []
    for a in result.assignments:
        assert len(set(a.team)) == 2 and a.lead_inspector_id in a.team
        assert set(a.department_inspector_ids) == set(a.team)
        assert not a.cross_region


def test_same_seed_same_plan_and_seed_recorded():
    d, ents = small()
    one = assign(d, [draw(ents)], rng=7, **SEPT)
    two = assign(d, [draw(ents)], rng=7, **SEPT)
    assert one.assignments == two.assignments
    assert one.seed == 7 and "ortools_version" in one.solver


def test_conflict_rotation_inactive_and_unqualified_are_never_chosen():
    codes = usccs(3)
    ents = [entity(c) for c in codes]
    target = codes[0]
    people = [inspector(k) for k in range(6)] + [
        inspector("OFF", active=False),
        inspector("DRUG", quals="drug"),
    ]
    d = directory(people, ents, conflicts=[("I0", target)], history=[(target, "MARKET", "I1;I2")])
    reasons = exclusion_reasons(d, "MARKET", target).set_index("inspector_id")["reason"]
    assert reasons.to_dict() == {
        "I0": "conflict",
        "I1": "rotation",
        "I2": "rotation",
        "I3": "",
        "I4": "",
        "I5": "",
        "OFF": "inactive",
        "DRUG": "not_qualified",
    }
    for seed in range(30):
        team = next(
            a.team for a in plan(d, [draw(ents)], rng=seed, **SEPT).assignments if a.uscc == target
        )
        assert set(team) <= {"I3", "I4", "I5"}


def test_all_sectors_rule_is_stricter():
    ents = [entity(c, sectors="food;catering") for c in usccs(2)]
    people = [
        inspector(0, quals="food"),
        inspector(1, quals="food"),
        inspector(2, quals="food;catering"),
        inspector(3, quals="food;catering"),
    ]
    d = directory(people, ents)
    result = assign(d, [draw(ents)], rng=0, settings=AssignSettings(qualification="all"), **SEPT)
    assert all(set(a.team) == {"I2", "I3"} for a in result.assignments)


def test_joint_visit_merges_departments_into_one_visit():
    codes = usccs(4)
    ents = [entity(c, sectors="food;public_venue") for c in codes]
    people = [inspector(k) for k in range(4)] + [
        inspector(f"H{k}", dept="HEALTH", quals="public_venue") for k in range(4)
    ]
    d = directory(people, ents)
    draws = [draw(ents), draw(ents[:2], dept="HEALTH")]
    result = assign(d, draws, rng=3, **SEPT)
    by_uscc = Counter(a.uscc for a in result.assignments)
    assert by_uscc[codes[0]] == 2 and by_uscc[codes[3]] == 1
    joint = [a for a in result.assignments if a.uscc == codes[0]]
    assert len({(a.visit_id, a.scheduled_on, a.team) for a in joint}) == 1
    assert set(joint[0].items) == {"MARKET:food", "HEALTH:public_venue"}
    depts = {a.department_code: a.department_inspector_ids for a in joint}
    assert len(depts["MARKET"]) == 1 and depts["HEALTH"][0].startswith("H")
    alone = next(a for a in result.assignments if a.uscc == codes[3])
    assert len(alone.team) == 2 and alone.items == ("MARKET:food",)
    assert check_assignment(result, d, draws) == []


@pytest.mark.parametrize(
    ("team", "k", "slots"), [(2, 1, 2), (2, 2, 1), (2, 3, 1), (3, 2, 2), (4, 2, 2)]
)
def test_joint_visits_keep_the_team_size(team, k, slots):
    assert slots_per_department(team, k) == slots and slots * k >= team


def test_loads_are_balanced():
    d, ents = small(n_entities=20, n_inspectors=8)
    result = assign(d, [draw(ents)], rng=2, **SEPT)
    loads = result.loads()
    assert sum(loads.values()) == 40
    assert max(loads.values()) - min(loads.values()) <= 1


def test_same_division_preferred_and_cross_only_when_needed():
    west = [entity(c, region=WEICHENG) for c in usccs(4, WEICHENG)]
    east = [entity(c, region=HANTING) for c in usccs(4, HANTING, seed=1)]
    people = [inspector(k, region=WEICHENG, capacity=4) for k in range(4)] + [
        inspector(10 + k, region=HANTING) for k in range(1)
    ]
    d = directory(people, west + east)
    result = assign(d, [draw(west + east)], rng=0, **SEPT)
    assert all(not a.cross_region for a in result.assignments if a.region_code == WEICHENG)
    east_rows = [a for a in result.assignments if a.region_code == HANTING]
    assert all(
        a.cross_region and "I10" in a.team for a in east_rows
    )  # one local member, one from outside


def test_randomness_each_eligible_inspector_equally_likely():
    # 8 symmetric inspectors, team of 2: each is on the target's team with probability 1/4.
    # chi-square on counts over 200 seeds; alpha = 0.001, so a correct uniform matcher fails this
    # test on 0.1% of seed sets (the seeds are fixed, so the outcome is deterministic).
    d, ents = small(n_entities=6, n_inspectors=8)
    target = ents[0]["uscc"]
    members, leads = Counter(), Counter()
    for seed in range(200):
        result = plan(d, [draw(ents)], rng=seed, **SEPT)
        assert check_assignment(result, d, [draw(ents)]) == []
        row = next(a for a in result.assignments if a.uscc == target)
        members.update(row.team)
        leads[row.lead_inspector_id] += 1
    counts = [members[f"I{k}"] for k in range(8)]
    assert stats.chisquare(counts).pvalue > 0.001, counts
    assert stats.chisquare([leads[f"I{k}"] for k in range(8)]).pvalue > 0.001, leads


# Exchangeability among many equal inspectors (issue 11). With 200 equally eligible inspectors at
# equal load and one task of 2 slots, integer tie-break noise in [0, 64) ties often, so any order
# the solver sees decides. One harness, fixed master seed, chi-square on counts at ALPHA = 0.001:
# a uniform matcher fails it on 0.1% of master seeds; the seed is fixed, so the outcome is too.
ALPHA = 0.001
MASTER_SEED = 20261202
EQUALS = 200


def _equal_problem(n: int = EQUALS) -> FlowProblem:
    zeros = np.zeros(n, dtype=np.int64)
    return FlowProblem(zeros, np.arange(n), zeros, np.array([2]), np.full(n, 10), zeros)


def _flow_counts(matcher, seeds: int = 2_000) -> np.ndarray:
    """How often each of EQUALS equal inspectors is chosen by ``matcher(problem, rng)``."""
    problem = _equal_problem()
    counts = np.zeros(EQUALS, dtype=np.int64)
    for rng in np.random.default_rng(MASTER_SEED).spawn(seeds):
        chosen = problem.arc_inspector[matcher(problem, rng)]
        assert chosen.size == 2
        counts[chosen] += 1
    return counts


def _seeded_flow(problem: FlowProblem, rng: np.random.Generator) -> np.ndarray:
    return solve_flow(problem, rng=rng, buckets=10)


def _id_order_flow(problem: FlowProblem, rng: np.random.Generator, buckets: int = 10) -> np.ndarray:
    """The flow before issue 11: nodes and arcs in inspector-id order, noise in [0, NOISE)."""
    identity = np.arange(problem.capacity.size)
    noise = rng.integers(0, NOISE, size=problem.arc_task.size, dtype=np.int64)
    return solve_in_order(problem, order=identity, position=identity, noise=noise, buckets=buckets)


def _lowest_ids(problem: FlowProblem, rng: np.random.Generator) -> np.ndarray:
    """First fit: always the lowest ids."""
    return np.arange(problem.arc_task.size) < int(problem.demand[0])


def test_flow_choice_is_uniform_among_equal_inspectors():
    # On the id-order flow (the code before issue 11) this harness gives p = 3.5e-9.
    counts = _flow_counts(_seeded_flow)
    assert stats.chisquare(counts).pvalue > ALPHA, counts


@pytest.mark.parametrize("matcher", [_id_order_flow, _lowest_ids])
def test_randomness_harness_rejects_a_biased_matcher(matcher):
    counts = _flow_counts(matcher)
    assert stats.chisquare(counts).pvalue < ALPHA, counts


def _assign_counts(seeds: int = 1_000) -> np.ndarray:
    ents = [entity(c) for c in usccs(1)]
    d = directory([inspector(k, capacity=5) for k in range(EQUALS)], ents)
    counts = np.zeros(EQUALS, dtype=np.int64)
    for rng in np.random.default_rng(MASTER_SEED).spawn(seeds):
        result = assign(d, [draw(ents)], rng=rng, **SEPT)
        counts[[int(i[1:]) for i in result.assignments[0].team]] += 1
    return counts


@pytest.mark.parametrize("biased", [False, True], ids=["seeded-order", "id-order"])
def test_assign_choice_is_uniform_and_the_harness_rejects_id_order(biased, monkeypatch):
    # Through ``assign``: the real matcher passes; the id-order flow, patched in, is rejected
    # (p = 6e-5 at 1,000 seeds when measured on the code before issue 11).
    if biased:
        monkeypatch.setattr("scheduler.matching.staffing.solve_flow", _id_order_sc)
    pvalue = stats.chisquare(_assign_counts()).pvalue
    assert (pvalue < ALPHA) if biased else (pvalue > ALPHA), pvalue


def _id_order_sc(problem: FlowProblem, *, rng: np.random.Generator, buckets: int) -> np.ndarray:
    return _id_order_flow(problem, rng, buckets)


def test_unknown_entity_and_department_are_reported_with_row():
    d, ents = small()
    bad = draw(ents)
    frame = bad.frame.copy()
    frame.loc[1, "uscc"] = "91370702MA00000000"
    with pytest.raises(InvalidInputError, match="row 3.*not in the entity directory"):
        build_tasks(d, [replace(bad, frame=frame)], 2)
    with pytest.raises(InvalidInputError, match="unknown department"):
        build_tasks(d, [replace(bad, department_code="NOPE")], 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"team_size": 1}, "team_size"),
        ({"daily_limit": 0}, "daily_limit"),
        ({"qualification": "most"}, "qualification"),
    ],
)
def test_bad_settings(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        AssignSettings(**kwargs)


def test_window_end_before_start():
    d, ents = small()
    with pytest.raises(InvalidInputError, match="end"):
        assign(d, [draw(ents)], start=date(2026, 9, 30), end=date(2026, 9, 1), rng=0)


# --- The checker: every hard rule on generated instances, and it catches broken plans. ---


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_tasks=st.integers(1, 60),
    n_inspectors=st.integers(2, 60),
    n_departments=st.integers(1, 4),
    n_divisions=st.integers(1, 3),
    team_size=st.integers(2, 3),
    daily_limit=st.integers(1, 4),
    cross=st.booleans(),
    days=st.integers(0, 20),
    cap=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_hard_rule_holds_on_generated_instances(
    n_tasks,
    n_inspectors,
    n_departments,
    n_divisions,
    team_size,
    daily_limit,
    cross,
    days,
    cap,
    seed,
):
    d, draws = synthetic_instance(
        n_tasks,
        n_inspectors,
        n_departments=n_departments,
        n_divisions=n_divisions,
        capacity=(1, cap),
        joint_share=0.2,
        conflict_share=0.5,
        history_share=0.5,
        rng=seed,
    )
    s = AssignSettings(
        team_size=team_size, daily_limit=daily_limit, allow_cross_region=cross, allow_partial=True
    )
    start = date(2026, 9, 28)
    result = plan(
        d, draws, start=start, end=date.fromordinal(start.toordinal() + days), settings=s, rng=seed
    )
    assert check_assignment(result, d, draws) == []
    planned = {(a.department_code, a.uscc) for a in result.assignments}
    missing = {(u.department_code, u.uscc) for u in result.unassigned}
    assert not planned & missing
    assert planned | missing == {(x.department_code, u) for x in draws for u in x.frame["uscc"]}


def _valid():
    codes = usccs(4)
    ents = [entity(c) for c in codes]
    people = [inspector(k, capacity=3) for k in range(4)] + [
        inspector("DRUG", quals="drug"),
        inspector("OFF", active=False),
        inspector("H1", dept="HEALTH", quals="public_venue"),
        inspector("FAR", region=FANGZI),
    ]
    d = directory(people, ents, conflicts=[("I3", codes[0])], history=[(codes[0], "MARKET", "I2")])
    draws = [draw(ents)]
    result = assign(d, draws, rng=0, settings=AssignSettings(allow_cross_region=False), **SEPT)
    return d, draws, result, codes[0]


def _set_team(result, uscc, team, **changes):
    rows = tuple(
        replace(
            a,
            lead_inspector_id=team[0],
            member_inspector_ids=tuple(team[1:]),
            department_inspector_ids=tuple(team),
            **changes,
        )
        if a.uscc == uscc
        else a
        for a in result.assignments
    )
    return replace(result, assignments=rows)


@pytest.mark.parametrize(
    ("team", "changes", "rule"),
    [
        (("I0", "I0"), {}, "team"),
        (("I0",), {}, "team"),
        (("I0", "I3"), {}, "conflict"),
        (("I0", "I2"), {}, "rotation"),
        (("I0", "DRUG"), {}, "qualification"),
        (("I0", "OFF"), {}, "active"),
        (("I0", "H1"), {}, "department"),
        (("I0", "FAR"), {"cross_region": True}, "cross_region"),
        (("I0", "I1"), {"scheduled_on": date(2026, 10, 1)}, "calendar"),
        (("I0", "I1"), {"scheduled_on": date(2026, 9, 6)}, "calendar"),
        (("I0", "NOBODY"), {}, "inspector"),
    ],
)
def test_checker_catches_each_broken_rule(team, changes, rule):
    d, draws, result, target = _valid()
    assert check_assignment(result, d, draws) == []
    broken = _set_team(result, target, team, **changes)
    assert rule in {v.rule for v in check_assignment(broken, d, draws)}


def test_checker_catches_capacity_daily_limit_and_coverage():
    d, draws, result, _ = _valid()
    everyone = replace(
        result,
        assignments=tuple(
            replace(
                a,
                lead_inspector_id="I0",
                member_inspector_ids=("I1",),
                department_inspector_ids=("I0", "I1"),
                scheduled_on=date(2026, 9, 1),
            )
            for a in result.assignments
        ),
        settings=replace(result.settings, daily_limit=2),
    )
    rules = {v.rule for v in check_assignment(everyone, d, draws)}
    assert {"capacity", "daily_limit"} <= rules  # 4 visits > capacity 3; 4 on one day > 2
    dropped = replace(result, assignments=result.assignments[1:])
    assert "coverage" in {v.rule for v in check_assignment(dropped, d, draws)}


# --- Manual swap ---


def test_swap_is_rechecked():
    d, _, result, target = _valid()
    other = next(a for a in result.assignments if a.uscc != target)
    loads = result.loads()
    free = next(
        f"I{k}" for k in range(4) if f"I{k}" not in other.team and loads.get(f"I{k}", 0) < 3
    )
    old = other.member_inspector_ids[0]
    swapped = swap_inspector(result, other.uscc, old, free, d)
    team = next(a for a in swapped.assignments if a.uscc == other.uscc).team
    assert free in team and old not in team
    assert [a for a in swapped.assignments if a.uscc != other.uscc] == [
        a for a in result.assignments if a.uscc != other.uscc
    ]


def test_swap_refuses_unlawful_changes():
    d, _, result, target = _valid()
    row = next(a for a in result.assignments if a.uscc == target)
    with pytest.raises(InvalidInputError, match="conflict"):
        swap_inspector(result, target, row.lead_inspector_id, "I3", d)
    with pytest.raises(InvalidInputError, match="qualification"):
        swap_inspector(result, target, row.lead_inspector_id, "DRUG", d)
    with pytest.raises(NotFoundError):
        swap_inspector(result, target, "I7", "I1", d)


def test_lead_role_follows_a_swap():
    d, ents = small(n_entities=2, n_inspectors=4)
    result = assign(d, [draw(ents)], rng=0, **SEPT)
    row = result.assignments[0]
    new = next(f"I{k}" for k in range(4) if f"I{k}" not in row.team)
    swapped = swap_inspector(result, row.uscc, row.lead_inspector_id, new, d)
    assert swapped.assignments[0].lead_inspector_id == new


def test_synthetic_benchmark_instance_is_lawful_at_moderate_scale():
    d, draws = synthetic_instance(3000, 200, capacity=(40, 80), rng=11)
    result = plan(
        d,
        draws,
        start=date(2026, 9, 1),
        end=date(2026, 10, 30),
        settings=AssignSettings(allow_partial=True),
        rng=11,
    )
    assert check_assignment(result, d, draws) == []
    assert np.isclose(
        len(result.assignments) + len(result.unassigned), sum(len(x.frame) for x in draws)
    )


def test_one_draw_id_for_two_departments_is_a_joint_plan():
    # The dashboard records a joint plan as one draw staffed once per department.
    ents = [entity(c, sectors="food;public_venue") for c in usccs(3)]
    people = [inspector(k) for k in range(3)] + [
        inspector(f"H{k}", dept="HEALTH", quals="public_venue") for k in range(3)
    ]
    d = directory(people, ents)
    draws = [draw(ents, draw_id="D-1"), draw(ents, dept="HEALTH", draw_id="D-1")]
    result = assign(d, draws, rng=0, **SEPT)
    assert len(result.assignments) == 6 and len({a.visit_id for a in result.assignments}) == 3
    assert check_assignment(result, d, draws) == []


def test_a_team_keeps_one_division_per_day():
    west = [entity(c, region=WEICHENG) for c in usccs(4, WEICHENG)]
    east = [entity(c, region=HANTING) for c in usccs(4, HANTING, seed=1)]
    d = directory([inspector(0), inspector(1)], west + east)
    result = assign(d, [draw(west + east)], rng=0, **SEPT)
    regions_of_day = {}
    for a in result.assignments:
        regions_of_day.setdefault(a.scheduled_on, set()).add(a.region_code)
    assert all(len(r) == 1 for r in regions_of_day.values())
    assert len(regions_of_day) == 2  # four visits a day, one division each


def test_whole_department_model_rescues_what_the_division_passes_miss():
    # Weicheng's task may take A and B in pass 1; Hanting's task (no local inspectors, C and D
    # conflicted) then needs exactly A and B: only the whole-department model finds the plan.
    west = entity(usccs(1, WEICHENG)[0], region=WEICHENG)
    east = entity(usccs(1, HANTING, seed=1)[0], region=HANTING)
    people = [inspector(x, capacity=1) for x in ("A", "B", "C", "D")]
    d = directory(people, [west, east], conflicts=[("C", east["uscc"]), ("D", east["uscc"])])
    rescued = 0
    for seed in range(12):
        result = assign(d, [draw([west, east])], rng=seed, **SEPT)
        assert {a.uscc: set(a.team) for a in result.assignments}[east["uscc"]] == {"A", "B"}
        rescued += bool(result.solver["full_model_departments"])
    assert rescued > 0


def test_partial_plan_staffs_whole_teams_when_capacity_is_short():
    # Six inspectors with capacity 1, five tasks of two: three whole teams are possible. A bare
    # max-flow maximises filled slots and often leaves only one or two teams whole.
    d, ents = small(n_entities=5, n_inspectors=6, capacity=1)
    s = AssignSettings(allow_partial=True, allow_cross_region=False)
    for seed in range(15):
        result = plan(d, [draw(ents)], rng=seed, settings=s, **SEPT)
        assert len(result.assignments) == 3
        assert [u.reason for u in result.unassigned] == ["capacity", "capacity"]
        assert check_assignment(result, d, [draw(ents)]) == []
