"""Hand-made matching instances shared by the ``test_matching*`` modules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.data import uscc
from scheduler.data.directory import Directory
from scheduler.data.importing.reader import reference_frame
from scheduler.matching.tasks import DrawInput

WEICHENG, HANTING, FANGZI = "370702", "370703", "370704"


def usccs(n: int, region: str = WEICHENG, seed: int = 0) -> list[str]:
    codes = uscc.make(np.random.default_rng(seed), n, np.full(n, region), np.full(n, "91"))
    assert len(set(codes)) == n
    return [str(c) for c in codes]


def inspector(
    k: int | str,
    dept: str = "MARKET",
    region: str = WEICHENG,
    quals: str = "food;catering",
    capacity: int = 10,
    active: bool = True,
) -> dict:
    return {
        "inspector_id": f"I{k}" if isinstance(k, int) else k,
        "name": f"检查员{k}",
        "department_code": dept,
        "region_code": region,
        "qualifications": quals,
        "capacity": capacity,
        "active": active,
    }


def entity(
    code: str, region: str = WEICHENG, sectors: str = "food", name: str | None = None
) -> dict:
    return {
        "uscc": code,
        "name": name or f"企业{code[-4:]}",
        "entity_type": "企业",
        "region_code": region,
        "address": "",
        "legal_rep": "",
        "phone": "",
        "registered_on": pd.NaT,
        "status": "存续",
        "sectors": sectors,
    }


def directory(
    inspectors: list[dict],
    entities: list[dict],
    conflicts: list[tuple[str, str]] = (),
    history: list[tuple[str, str, str]] = (),
) -> Directory:
    """A directory with the shipped departments/sectors/regions; history rows (uscc, dept, ids)."""
    return Directory.from_tables(
        {
            "departments": reference_frame("departments"),
            "sectors": reference_frame("sectors"),
            "regions": reference_frame("regions"),
            "entities": pd.DataFrame(entities),
            "inspectors": pd.DataFrame(inspectors).astype({"capacity": "int64", "active": bool}),
            "conflicts": pd.DataFrame(
                [{"inspector_id": i, "uscc": u, "reason": "亲属"} for i, u in conflicts],
                columns=["inspector_id", "uscc", "reason"],
            ),
            "history": pd.DataFrame(
                [
                    {
                        "uscc": u,
                        "department_code": d,
                        "inspected_on": pd.Timestamp("2025-06-01"),
                        "inspector_ids": ids,
                        "result_code": "01",
                    }
                    for u, d, ids in history
                ],
                columns=["uscc", "department_code", "inspected_on", "inspector_ids", "result_code"],
            ),
        }
    )


def draw(entities: list[dict], dept: str = "MARKET", draw_id: str | None = None) -> DrawInput:
    draw_id = draw_id or f"D-{dept}"
    frame = pd.DataFrame(
        {
            "draw_id": draw_id,
            "uscc": [e["uscc"] for e in entities],
            "name": [e["name"] for e in entities],
            "region_code": [e["region_code"] for e in entities],
            "tier": "B",
            "inclusion_prob": "0.05",
            "stratum": "B",
        }
    )
    return DrawInput(draw_id, dept, frame)


def write_instance(folder: Path, d: Directory, draws: list[DrawInput]) -> list[Path]:
    """Write a data folder plus one draw CSV and receipt per draw; returns the draw paths."""
    from scheduler.data.folder_writer import write_folder
    from scheduler.draw.run import write_draw_csv

    write_folder(d, folder / "data")
    paths = []
    for k, x in enumerate(draws):
        path = folder / f"draw{k}.csv"
        write_draw_csv(x.frame, path)
        (folder / f"draw{k}.receipt.json").write_text(
            json.dumps(
                {"draw_id": x.draw_id, "parameters": {"department_code": x.department_code}}
            ),
            encoding="utf-8",
        )
        paths.append(path)
    return paths
