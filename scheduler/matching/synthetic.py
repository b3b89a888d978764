"""Synthetic matching instances for tests and the benchmark.

The shipped sample-data generator builds a realistic whole directory; this one
builds only what matching reads, fast and at any scale, with the reference
departments, sectors and the 12 Weifang divisions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scheduler.data import reference, uscc
from scheduler.data.directory import Directory
from scheduler.data.formats import join_list
from scheduler.matching.tasks import DrawInput

__all__ = ["synthetic_instance"]


def synthetic_instance(
    n_tasks: int,
    n_inspectors: int,
    *,
    n_departments: int = 34,
    n_divisions: int = 12,
    capacity: tuple[int, int] = (20, 60),
    joint_share: float = 0.02,
    conflict_share: float = 0.01,
    history_share: float = 0.1,
    rng: np.random.Generator | int | None = None,
) -> tuple[Directory, list[DrawInput]]:
    """A directory and one draw per department with about ``n_tasks`` tasks in all.

    Inspectors and tasks spread over departments and divisions alike; each
    inspector is qualified for 1-3 of the department's sectors, each entity has
    one or two sectors of its department; ``joint_share`` of the tasks reuse an
    entity of another department (a joint visit).
    """
    rng = np.random.default_rng(rng)
    depts = [d.code for d in reference.departments()][:n_departments]
    divisions = [r.code for r in reference.regions()][:n_divisions]
    sectors = [s for s in reference.sectors() if s.department_code in depts]
    by_dept = {d: [s.code for s in sectors if s.department_code == d] for d in depts}
    # Entities: one per task (joint tasks reuse another department's entity).
    dept_of_task = rng.integers(0, len(depts), n_tasks)
    region_of_entity = rng.integers(0, len(divisions), n_tasks)
    codes = uscc.make(rng, n_tasks, np.array(divisions)[region_of_entity], np.full(n_tasks, "91"))
    codes = np.unique(codes)
    n_ent = codes.size
    region_of_entity = region_of_entity[:n_ent]
    dept_of_task = dept_of_task[:n_ent]
    ent_sectors = []
    for k in range(n_ent):
        own = by_dept[depts[dept_of_task[k]]]
        ent_sectors.append(
            join_list(rng.choice(own, size=min(len(own), int(rng.integers(1, 3))), replace=False))
        )
    entities = pd.DataFrame(
        {
            "uscc": codes,
            "name": [f"测试企业{k:06d}有限公司" for k in range(n_ent)],
            "entity_type": "企业",
            "region_code": np.array(divisions)[region_of_entity],
            "status": "存续",
            "sectors": ent_sectors,
        }
    )
    # Inspectors.
    ins_dept = rng.integers(0, len(depts), n_inspectors)
    ins_region = rng.integers(0, len(divisions), n_inspectors)
    quals = []
    for k in range(n_inspectors):
        own = by_dept[depts[ins_dept[k]]]
        quals.append(
            join_list(rng.choice(own, size=min(len(own), int(rng.integers(1, 4))), replace=False))
        )
    inspectors = pd.DataFrame(
        {
            "inspector_id": [f"3707{k:06d}" for k in range(n_inspectors)],
            "name": [f"检查员{k}" for k in range(n_inspectors)],
            "department_code": np.array(depts)[ins_dept],
            "region_code": np.array(divisions)[ins_region],
            "qualifications": quals,
            "capacity": rng.integers(capacity[0], capacity[1] + 1, n_inspectors).astype(np.int64),
            "active": rng.random(n_inspectors) > 0.02,
        }
    )
    # Draws: each entity is drawn by its department; a few also by another (joint visits).
    rows: list[tuple[str, int]] = [(depts[dept_of_task[k]], k) for k in range(n_ent)]
    joint = np.nonzero(rng.random(n_ent) < joint_share)[0] if len(depts) > 1 else np.zeros(0, int)
    for j in joint.tolist():
        other = int((dept_of_task[j] + 1 + rng.integers(0, len(depts) - 1)) % len(depts))
        rows.append((depts[other], j))
    draw_frame = pd.DataFrame(rows, columns=["department_code", "entity"])
    draws = []
    for d, g in draw_frame.groupby("department_code", sort=True):
        e = entities.iloc[g["entity"].to_numpy()]
        frame = pd.DataFrame(
            {
                "draw_id": f"D-{d}",
                "uscc": e["uscc"].to_numpy(),
                "name": e["name"].to_numpy(),
                "region_code": e["region_code"].to_numpy(),
                "tier": "B",
                "inclusion_prob": 0.05,
                "stratum": "B",
            }
        )
        draws.append(DrawInput(f"D-{d}", str(d), frame))
    # Conflicts and history between same-department inspectors and entities.
    n_conf = int(conflict_share * n_ent)
    conflicts = pd.DataFrame(
        {
            "inspector_id": inspectors["inspector_id"].to_numpy()[
                rng.integers(0, n_inspectors, n_conf)
            ],
            "uscc": codes[rng.integers(0, n_ent, n_conf)],
            "reason": "亲属",
        }
    ).drop_duplicates(["inspector_id", "uscc"])
    n_hist = int(history_share * n_ent)
    hist_ent = rng.choice(n_ent, n_hist, replace=False)
    history = pd.DataFrame(
        {
            "uscc": codes[hist_ent],
            "department_code": np.array(depts)[dept_of_task[hist_ent]],
            "inspected_on": pd.Timestamp("2025-05-12"),
            "inspector_ids": [
                join_list(inspectors["inspector_id"].to_numpy()[rng.integers(0, n_inspectors, 2)])
                for _ in range(n_hist)
            ],
            "result_code": "01",
        }
    )
    directory = Directory.from_tables(
        {
            "departments": pd.DataFrame({"code": depts, "name": depts}),
            "sectors": pd.DataFrame(
                {
                    "code": [s.code for s in sectors],
                    "name": [s.name for s in sectors],
                    "department_code": [s.department_code for s in sectors],
                }
            ),
            "regions": pd.DataFrame({"code": divisions, "name": divisions}),
            "entities": entities,
            "inspectors": inspectors,
            "conflicts": conflicts,
            "history": history,
        }
    )
    return directory, draws
