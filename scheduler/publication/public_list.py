"""The public list (公示): only the fields SPEC section 1 allows, personal data masked.

Public fields: 检查机关, 检查事项, 主体名称, 统一社会信用代码, 检查日期, 检查结果.
Never public: the credit tier, inspectors, legal representatives, phones, ID
numbers, addresses of individual businesses. Rather than removing those from
a fuller table (where one forgotten column leaks), the public table is built
from the allowed fields only, and the one free-text field that can carry a
person (the entity name) goes through ``NameMasker``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from scheduler.data import reference
from scheduler.data.directory import Directory
from scheduler.publication.exports import Lookups
from scheduler.publication.masking import NameMasker, mask_digits

__all__ = [
    "PUBLIC_COLUMNS",
    "INDIVIDUAL_BUSINESS",
    "masker_for",
    "public_list",
    "list_anchor",
]

PUBLIC_COLUMNS: dict[str, str] = {
    "department": "检查机关",
    "items": "检查事项",
    "name": "主体名称",
    "uscc": "统一社会信用代码",
    "inspected_on": "检查日期",
    "result": "检查结果",
}
"""The only columns a public output ever has (English key -> Chinese header)."""

INDIVIDUAL_BUSINESS = "个体工商户"


def masker_for(directory: Directory) -> NameMasker:
    """A masker knowing every person of the directory (legal reps/operators, inspectors)."""
    return NameMasker(
        [*directory.entities["legal_rep"].tolist(), *directory.inspectors["name"].tolist()]
    )


def public_list(
    directory: Directory,
    *,
    draw: pd.DataFrame | None = None,
    results: pd.DataFrame | None = None,
    assignment: pd.DataFrame | None = None,
    department_code: str | None = None,
    masker: NameMasker | None = None,
) -> pd.DataFrame:
    """Rows of the public list with the keys of ``PUBLIC_COLUMNS`` (+ ``division`` for splitting).

    With ``results``: one row per result (restricted to the draw's entities and
    department when a draw is given). Without: the drawn entities, with date
    and result blank (a list announced before the inspections; planned dates
    are not published, so that inspections stay unannounced).
    """
    if draw is None and results is None:
        raise ValueError("public_list needs a draw, results, or both")
    look = Lookups(directory)
    masker = masker or masker_for(directory)
    names = {r.code: r.name for r in reference.result_codes()}
    if results is not None:
        rows = results
        if draw is not None:
            rows = rows[rows["uscc"].isin(set(draw["uscc"]))]
        if department_code is not None:
            rows = rows[rows["department_code"] == department_code]
        frame = pd.DataFrame(
            {
                "department_code": rows["department_code"].to_numpy(),
                "uscc": rows["uscc"].to_numpy(),
                "inspected_on": pd.to_datetime(rows["inspected_on"])
                .dt.strftime("%Y-%m-%d")
                .to_numpy(),
                "result": rows["result_code"].map(lambda c: names.get(c, c)).to_numpy(),
            }
        )
    else:
        assert draw is not None
        dept = (
            draw["department_code"]
            if "department_code" in draw
            else pd.Series(department_code or "", index=draw.index)
        )
        frame = pd.DataFrame(
            {
                "department_code": dept.replace("", department_code or "").to_numpy(),
                "uscc": draw["uscc"].to_numpy(),
                "inspected_on": "",
                "result": "",
            }
        )
    items_by_key: dict[tuple[str, str], str] = {}
    if assignment is not None and "items" in assignment:
        for uscc, dept, items in zip(
            assignment["uscc"],
            assignment.get("department_code", ""),
            assignment["items"],
            strict=False,
        ):
            items_by_key.setdefault((uscc, dept or department_code or ""), items or "")
    ent = look.entities.reindex(frame["uscc"])
    entity_names = ent["name"].fillna("").to_numpy()
    operators = ent["legal_rep"].fillna("").to_numpy()
    individual = (ent["entity_type"].fillna("") == INDIVIDUAL_BUSINESS).to_numpy()
    out = pd.DataFrame(
        {
            "department": frame["department_code"]
            .map(lambda c: look.departments.get(c, c))
            .to_numpy(),
            "items": [
                look.items(d, u, items_by_key.get((u, d), ""))
                for d, u in zip(frame["department_code"], frame["uscc"], strict=True)
            ],
            "name": [
                masker.mask_entity_name(n, operator=o, individual=bool(i))
                for n, o, i in zip(entity_names, operators, individual, strict=True)
            ],
            "uscc": frame["uscc"].to_numpy(),
            "inspected_on": frame["inspected_on"].to_numpy(),
            "result": frame["result"].to_numpy(),
            "division": ent["region_code"]
            .map(lambda c: look.divisions.get(c, c))
            .fillna("")
            .to_numpy(),
        }
    )
    for column in ("department", "items", "division"):  # names are masked above; the rest too
        out[column] = [mask_digits(str(v)) for v in out[column]]
    return out.sort_values(["department", "division", "uscc"], kind="stable").reset_index(drop=True)


def list_anchor(engine: Engine) -> str:
    """The audit chain head to print with a public list drawn from ``engine``'s database.

    Publishing it puts an anchor outside the database: a later rewrite of the
    audit log no longer contains it (docs/security.md).
    """
    from scheduler.store.audit_chain import chain_head

    return str(chain_head(engine))
