"""The file formats of SPEC section 4: one ``TableSpec`` per input file.

Canonical column names are English; the Chinese headers are accepted as
aliases. The importer, the sample-data writer and the database loader all read
these specs, so a column is declared once.

A ``list`` cell holds codes joined by ``;`` (``"food;catering"``); that codec
lives here too (``split_list``/``join_list``/``split_lists``), so every reader
and writer of such a cell agrees on blanks and spaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pandas is imported by the one function that needs it
    import pandas as pd

__all__ = [
    "ColumnSpec",
    "TableSpec",
    "TABLES",
    "TABLE_ORDER",
    "ENTITY_TYPES",
    "ENTITY_STATUSES",
    "COMMITMENT_STATUSES",
    "COMMITMENT_STATUS_ALIASES",
    "LIST_SEPARATOR",
    "split_list",
    "split_lists",
    "join_list",
]

Kind = Literal["text", "code", "uscc", "date", "int", "bool", "list", "tier", "result_code"]

ENTITY_TYPES = ("企业", "个体工商户", "农民专业合作社", "事业单位", "社会组织")
ENTITY_STATUSES = ("存续", "注销", "吊销")
COMMITMENT_STATUSES = ("pending", "fulfilled", "broken")
"""A credit commitment (信用承诺): awaiting its due day, kept, or broken (不实承诺/未履约)."""
COMMITMENT_STATUS_ALIASES = {
    "待履约": "pending",
    "履约中": "pending",
    "已履约": "fulfilled",
    "未履约": "broken",
    "不实承诺": "broken",
    "违诺": "broken",
}
"""Chinese status texts accepted in a commitments file, and the code each one means."""

LIST_SEPARATOR = ";"
"""Between the codes of a ``list`` cell (files, database columns, CSV exports)."""


def split_list(value: object) -> list[str]:
    """``" food; catering;;"`` -> ``["food", "catering"]``: parts stripped, blanks dropped.

    ``None`` is the empty list (a NULL database column), anything else is read
    as its text, so a cell read as a number still splits.
    """
    if value is None:
        return []
    return [p for p in (part.strip() for part in str(value).split(LIST_SEPARATOR)) if p]


def split_lists(values: pd.Series) -> pd.Series:
    """``split_list`` of every cell (missing cells: ``[]``), once per distinct text.

    List cells repeat a lot (a few thousand distinct texts in a million rows).
    """
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lists = [split_list(u) for u in uniques] + [[]]  # code -1 (missing) -> the last, []
    return pd.Series([lists[c] for c in codes], index=values.index, dtype=object)


def join_list(values: Iterable[str]) -> str:
    """``["food", "catering"]`` -> ``"food;catering"``, order kept: ``split_list``'s inverse.

    Codes never contain the separator (codes are checked on import), so the
    round trip is exact for stripped, non-blank codes.
    """
    return LIST_SEPARATOR.join(values)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    zh: str
    kind: Kind = "text"
    required: bool = True
    """A required column must be present in the header and non-empty in every row."""
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header text that names this column."""
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class TableSpec:
    name: str
    zh: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    """Natural key: unique within a file, and the upsert key in the database."""

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


C = ColumnSpec

TABLES: dict[str, TableSpec] = {
    "departments": TableSpec(
        "departments",
        "部门",
        (C("code", "部门代码", "code"), C("name", "部门名称")),
        key=("code",),
    ),
    "sectors": TableSpec(
        "sectors",
        "监管行业",
        (
            C("code", "行业代码", "code"),
            C("name", "行业名称"),
            C("department_code", "部门代码", "code"),
        ),
        key=("code",),
    ),
    "regions": TableSpec(
        "regions",
        "行政区划",
        (C("code", "行政区划代码", "code"), C("name", "行政区划名称")),
        key=("code",),
    ),
    "entities": TableSpec(
        "entities",
        "检查对象名录库",
        (
            C("uscc", "统一社会信用代码", "uscc"),
            C("name", "名称", aliases=("主体名称", "企业名称")),
            C("entity_type", "主体类型"),
            C("region_code", "行政区划代码", "code"),
            C("address", "住所", required=False, aliases=("经营场所",)),
            C("legal_rep", "法定代表人", required=False, aliases=("经营者",)),
            C("phone", "联系电话", required=False),
            C("registered_on", "成立日期", "date", required=False),
            C("status", "登记状态"),
            C("sectors", "监管行业", "list", required=False),
        ),
        key=("uscc",),
    ),
    "ratings": TableSpec(
        "ratings",
        "信用评价",
        (
            C("uscc", "统一社会信用代码", "uscc"),
            C("department_code", "评价部门", "code", aliases=("部门代码",)),
            C("tier", "信用等级", "tier"),
            C("evaluated_on", "评价日期", "date"),
            C("valid_until", "有效期至", "date", required=False),
        ),
        key=("uscc", "department_code", "evaluated_on"),
    ),
    "inspectors": TableSpec(
        "inspectors",
        "执法检查人员名录库",
        (
            C("inspector_id", "执法证号", "code"),
            C("name", "姓名"),
            C("department_code", "部门代码", "code"),
            C("region_code", "行政区划代码", "code"),
            C("qualifications", "执法资格", "list", aliases=("检查专长",)),
            C("capacity", "任务上限", "int"),
            C("active", "在岗", "bool"),
        ),
        key=("inspector_id",),
    ),
    "conflicts": TableSpec(
        "conflicts",
        "回避关系",
        (
            C("inspector_id", "执法证号", "code"),
            C("uscc", "统一社会信用代码", "uscc"),
            C("reason", "回避事由", required=False),
        ),
        key=("inspector_id", "uscc"),
    ),
    "history": TableSpec(
        "history",
        "检查记录",
        (
            C("uscc", "统一社会信用代码", "uscc"),
            C("department_code", "检查部门", "code", aliases=("部门代码",)),
            C("inspected_on", "检查日期", "date"),
            C("inspector_ids", "检查人员", "list", required=False),
            C("result_code", "检查结果", "result_code", required=False),
        ),
        key=("uscc", "department_code", "inspected_on"),
    ),
    "commitments": TableSpec(
        "commitments",
        "信用承诺",
        (
            C("uscc", "统一社会信用代码", "uscc"),
            C("department_code", "承诺受理部门", "code", aliases=("部门代码",)),
            C("item", "承诺事项", aliases=("政务服务事项",)),
            C("committed_on", "承诺日期", "date"),
            C("due_on", "履约期限", "date", aliases=("承诺期限",)),
            C("status", "履约状态"),
        ),
        key=("uscc", "department_code", "item", "committed_on"),
    ),
}

TABLE_ORDER: tuple[str, ...] = (
    "departments",
    "sectors",
    "regions",
    "entities",
    "ratings",
    "inspectors",
    "conflicts",
    "history",
    "commitments",
)
"""Load order: every table refers only to tables before it."""
