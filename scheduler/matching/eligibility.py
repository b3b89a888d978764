"""Who may inspect what: the hard per-pair rules, as boolean matrices.

For one department's tasks, ``department_eligibility`` returns which of the
department's inspectors are *qualified* (active, capacity > 0, qualified for
the entity's sectors under that department) and which are *eligible* (also no
listed conflict of interest and not on the entity's last inspection team of
that department). Region is not a rule here: the solver prefers the entity's
division and crosses divisions only at a cost, or never when told so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.data.directory import Directory, sectors_by_department
from scheduler.data.formats import split_list

__all__ = [
    "Exclusions",
    "Pool",
    "DepartmentEligibility",
    "department_pool",
    "department_eligibility",
    "exclusion_reasons",
]


@dataclass(frozen=True)
class Exclusions:
    """Conflicts (回避) by entity and last inspection teams by (department, entity)."""

    conflicts: dict[str, frozenset[str]]
    last_team: dict[tuple[str, str], frozenset[str]]

    @classmethod
    def from_directory(cls, directory: Directory, usccs: object = None) -> Exclusions:
        """Index conflicts and last teams, only for ``usccs`` if given (a plan's entities)."""

        def values(frame: pd.DataFrame, name: str) -> list[str]:
            texts: list[str] = frame[name].astype(str).to_numpy(dtype=object).tolist()
            return texts

        c = directory.conflicts
        h = directory.history
        if usccs is not None:
            wanted = set(usccs)  # type: ignore[call-overload]
            c = c[np.fromiter((u in wanted for u in values(c, "uscc")), bool, len(c))]
            h = h[np.fromiter((u in wanted for u in values(h, "uscc")), bool, len(h))]
        conflicts: dict[str, set[str]] = {}
        for inspector, uscc in zip(values(c, "inspector_id"), values(c, "uscc"), strict=True):
            conflicts.setdefault(uscc, set()).add(inspector)
        last: dict[tuple[str, str], frozenset[str]] = {}
        if len(h):
            latest = h.sort_values("inspected_on", kind="stable").drop_duplicates(
                ["uscc", "department_code"], keep="last"
            )
            for uscc, dept, ids in zip(
                values(latest, "uscc"),
                values(latest, "department_code"),
                values(latest, "inspector_ids"),
                strict=True,
            ):
                team = frozenset(split_list(ids))
                if team:
                    last[(dept, uscc)] = team
        return cls({k: frozenset(v) for k, v in conflicts.items()}, last)


@dataclass(frozen=True)
class Pool:
    """A department's inspectors as arrays (position = solver index)."""

    inspector_id: np.ndarray
    region_code: np.ndarray
    capacity: np.ndarray
    active: np.ndarray
    qualifications: list[frozenset[str]]


@dataclass(frozen=True)
class DepartmentEligibility:
    pool: Pool
    qualified: np.ndarray
    """(tasks x inspectors) bool: active, capacity > 0, qualified for the sectors."""
    eligible: np.ndarray
    """``qualified`` minus conflicts and rotation."""


def department_pool(directory: Directory, department_code: str) -> Pool:
    ins = directory.inspectors
    ins = ins[ins["department_code"].astype(str) == department_code].sort_values(
        "inspector_id", kind="stable"
    )
    return Pool(
        inspector_id=ins["inspector_id"].to_numpy(dtype=str),
        region_code=ins["region_code"].to_numpy(dtype=str),
        capacity=ins["capacity"].to_numpy(dtype=np.int64),
        active=ins["active"].to_numpy(dtype=bool),
        qualifications=[frozenset(split_list(q)) for q in ins["qualifications"].to_numpy()],
    )


def _qualified(
    task_sectors: list[tuple[str, ...]], pool: Pool, codes: list[str], rule: str
) -> np.ndarray:
    index = {c: k for k, c in enumerate(codes)}
    t = np.zeros((len(task_sectors), len(codes)), dtype=np.float32)
    for row, sectors in enumerate(task_sectors):
        t[row, [index[s] for s in sectors if s in index]] = 1.0
    q = np.zeros((len(pool.inspector_id), len(codes)), dtype=np.float32)
    for row, quals in enumerate(pool.qualifications):
        q[row, [index[s] for s in quals if s in index]] = 1.0
    qualified: np.ndarray
    if rule == "all":
        qualified = (t @ (1.0 - q).T) == 0
    else:
        qualified = (t @ q.T) > 0
    # An entity with none of the department's sectors (e.g. a disclosure check)
    # can be inspected by any of the department's inspectors.
    qualified[t.sum(axis=1) == 0, :] = True
    return qualified


def department_eligibility(
    directory: Directory,
    tasks: pd.DataFrame,
    department_code: str,
    exclusions: Exclusions,
    rule: str = "any",
    pool: Pool | None = None,
) -> DepartmentEligibility:
    """Eligibility of one department's inspectors for its tasks (rows of ``tasks``)."""
    pool = pool if pool is not None else department_pool(directory, department_code)
    codes = sorted(sectors_by_department(directory).get(department_code, frozenset()))
    qualified = _qualified(tasks["sectors"].to_numpy(dtype=object).tolist(), pool, codes, rule)
    qualified &= (pool.active & (pool.capacity > 0))[None, :]
    eligible = qualified.copy()
    position = {i: k for k, i in enumerate(pool.inspector_id)}
    empty: frozenset[str] = frozenset()
    for row, uscc in enumerate(tasks["uscc"].to_numpy(dtype=object).tolist()):
        conflicted = exclusions.conflicts.get(uscc, empty)
        last = exclusions.last_team.get((department_code, uscc), empty)
        if not (conflicted or last):
            continue
        for inspector in conflicted | last:
            k = position.get(inspector)
            if k is not None:
                eligible[row, k] = False
    return DepartmentEligibility(pool, qualified, eligible)


def exclusion_reasons(
    directory: Directory, department_code: str, uscc: str, rule: str = "any"
) -> pd.DataFrame:
    """Every inspector of the department with ``eligible`` and the reason when not.

    For the dashboard's "why not this inspector?" view; reasons: ``inactive``,
    ``no_capacity``, ``not_qualified``, ``conflict``, ``rotation``.
    """
    entity = directory.entities[directory.entities["uscc"].astype(str) == uscc]
    sectors = frozenset(split_list(entity["sectors"].iloc[0])) if len(entity) else frozenset()
    dept = sectors_by_department(directory).get(department_code, frozenset())
    pool = department_pool(directory, department_code)
    qual = _qualified([tuple(sorted(sectors & dept))], pool, sorted(dept), rule)[0]
    ex = Exclusions.from_directory(directory)
    conflicted = ex.conflicts.get(uscc, frozenset())
    last = ex.last_team.get((department_code, uscc), frozenset())
    reasons = []
    for k, inspector in enumerate(pool.inspector_id):
        if not pool.active[k]:
            reasons.append("inactive")
        elif pool.capacity[k] <= 0:
            reasons.append("no_capacity")
        elif not qual[k]:
            reasons.append("not_qualified")
        elif inspector in conflicted:
            reasons.append("conflict")
        elif inspector in last:
            reasons.append("rotation")
        else:
            reasons.append("")
    return pd.DataFrame(
        {
            "inspector_id": pool.inspector_id,
            "region_code": pool.region_code,
            "eligible": [r == "" for r in reasons],
            "reason": reasons,
        }
    )
