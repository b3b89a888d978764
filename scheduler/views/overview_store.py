"""The overview of the directory *in the database*, computed there once per directory version.

``scheduler.views.overview`` summarises an in-memory ``Directory``; at city size
that needs the whole directory read back (~40 s, ~3 GB), which is what made
the dashboard's first page take a minute in every new server process. Here
the entity and rating aggregates are SQL ``GROUP BY``/``COUNT`` queries (the
same on SQLite and PostgreSQL), the small tables (inspectors, departments,
regions) go through the ``scheduler.views.overview`` functions themselves, and the
result is stored as a ``DirectorySummary`` of the current version: computed
right after a load, read by every dashboard process, replaced by a new load.
``tests/unit_views/test_overview_store.py`` checks it equals ``scheduler.views.overview`` on
the directory read back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Engine, FromClause, case, exists, func, select

from scheduler import clock
from scheduler.data.directory import Directory
from scheduler.store.readback import read_table
from scheduler.store.tables import DB_TABLES, count_rows
from scheduler.store.versions import SUMMARIES, current_version, store_summary, summary
from scheduler.views import overview
from scheduler.views.overview import ACTIVE_STATUS, DirectoryTotals, QualityWarning

__all__ = [
    "Overview",
    "overview_from_db",
    "stored_overview",
    "store_overview",
    "tier_mix_from_db",
    "tier_mix_in_db",
]

_EXAMPLES = 5
_INSPECTOR_KINDS = ("inactive_inspector", "zero_capacity", "no_qualifications")


@dataclass(frozen=True)
class Overview:
    """What the 总览 page shows, as ``scheduler.views.overview`` returns it."""

    totals: DirectoryTotals
    by_region: pd.DataFrame
    by_type: pd.DataFrame
    by_department: pd.DataFrame
    warnings: list[QualityWarning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": asdict(self.totals),
            "by_region": self.by_region.to_dict("list"),
            "by_type": self.by_type.to_dict("list"),
            "by_department": self.by_department.to_dict("list"),
            "warnings": [asdict(w) for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Overview:
        def frame(name: str, ints: tuple[str, ...]) -> pd.DataFrame:
            return pd.DataFrame(
                {
                    c: pd.Series(v, dtype="int64" if c in ints else object)
                    for c, v in data[name].items()
                }
            )

        return cls(
            totals=DirectoryTotals(**data["totals"]),
            by_region=frame("by_region", ("entities", "active", "inspectors")),
            by_type=frame("by_type", ("entities",)),
            by_department=frame("by_department", ("inspectors", "active", "capacity")),
            warnings=[
                QualityWarning(w["kind"], int(w["count"]), tuple(w["examples"]))
                for w in data["warnings"]
            ],
        )


def _small(connection: Connection) -> Directory:
    """The reference tables and inspectors; no entity-sized table."""
    names = ("departments", "sectors", "regions", "inspectors")
    return Directory.from_tables({n: read_table(connection, n) for n in names})


def _warning(connection: Connection, kind: str, key: Any, where: Any) -> QualityWarning | None:
    """``overview._warning`` in SQL: how many rows match, and the first keys in key order."""
    table = key.table
    count = connection.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    if not count:
        return None
    examples = connection.execute(
        select(key).where(where).order_by(*table.primary_key.columns).limit(_EXAMPLES)
    ).scalars()
    return QualityWarning(kind, int(count), tuple(str(e) for e in examples))


def _by_region(connection: Connection, small: Directory) -> pd.DataFrame:
    entity = DB_TABLES["entities"]
    rows = connection.execute(
        select(
            entity.c.region_code,
            func.count(),
            func.sum(case((entity.c.status == ACTIVE_STATUS, 1), else_=0)),
        ).group_by(entity.c.region_code)
    ).all()
    codes = pd.Index([r[0] for r in rows], dtype=object)
    counts = pd.Series([int(r[1]) for r in rows], index=codes, name="entities", dtype="int64")
    active = pd.Series([int(r[2] or 0) for r in rows], index=codes, name="active", dtype="int64")
    active = active[active > 0]
    inspectors = small.inspectors
    staff = (
        inspectors.loc[inspectors["active"].astype(bool)]
        .groupby("region_code")
        .size()
        .rename("inspectors")
        if len(inspectors)
        else pd.Series(dtype="int64", name="inspectors")
    )
    frame = pd.concat([counts, active, staff], axis=1).fillna(0).astype("int64")
    frame.index.name = "region_code"
    frame = frame.reset_index()
    names = overview._names(frame["region_code"], overview._region_names(small))
    frame.insert(1, "region_name", names)
    return frame.sort_values("region_code", ignore_index=True)


def overview_from_db(engine: Engine, *, today: date | None = None) -> Overview:
    """``scheduler.views.overview``'s summaries of the database's directory, computed in SQL."""
    today = today or clock.today()
    entity, rating = DB_TABLES["entities"], DB_TABLES["ratings"]
    with engine.connect() as connection:
        small = _small(connection)
        n_entities = count_rows(connection, entity)

        def count(where: Any) -> int:
            return int(
                connection.execute(
                    select(func.count()).select_from(entity).where(where)
                ).scalar_one()
            )

        inspector_totals = overview.totals(small)
        totals = DirectoryTotals(
            entities=n_entities,
            active_entities=count(entity.c.status == ACTIVE_STATUS),
            individual_businesses=count(entity.c.entity_type == "个体工商户"),
            inspectors=inspector_totals.inspectors,
            active_inspectors=inspector_totals.active_inspectors,
            capacity=inspector_totals.capacity,
            ratings=count_rows(connection, rating),
            conflicts=count_rows(connection, DB_TABLES["conflicts"]),
            history=count_rows(connection, DB_TABLES["history"]),
        )
        by_region = _by_region(connection, small)
        types = connection.execute(
            select(entity.c.entity_type, func.count()).group_by(entity.c.entity_type)
        ).all()
        by_type = (
            pd.Series(
                [int(r[1]) for r in types],
                index=pd.Index([r[0] for r in types], dtype=object),
                name="entities",
                dtype="int64",
            )
            .rename_axis("entity_type")
            .sort_index()
            .sort_values(ascending=False, kind="stable")
            .reset_index()
        )
        rated = exists().where(rating.c.uscc == entity.c.uscc)
        fixed = [
            _warning(connection, "no_rating", entity.c.uscc, ~rated),
            _warning(connection, "not_active", entity.c.uscc, entity.c.status != ACTIVE_STATUS),
            _warning(connection, "no_sectors", entity.c.uscc, func.trim(entity.c.sectors) == ""),
        ]
        expired = _expired(connection, today)
    empty = by_region.loc[(by_region["active"] > 0) & (by_region["inspectors"] == 0), "region_code"]
    if len(empty):
        fixed.append(
            QualityWarning(
                "region_without_inspectors",
                len(empty),
                tuple(str(c) for c in empty.head(_EXAMPLES)),
            )
        )
    return Overview(
        totals,
        by_region,
        by_type,
        overview.inspectors_by_department(small),
        _in_order([w for w in fixed if w is not None], expired, _inspector_warnings(small, today)),
    )


_DAY_KINDS = ("expired_rating", *_INSPECTOR_KINDS)
"""The warnings that depend on the day; every other part of the overview depends on the version."""


def _expired(connection: Connection, today: date) -> QualityWarning | None:
    """Ratings past their ``valid_until`` on ``today`` (one scan of the ratings)."""
    rating = DB_TABLES["ratings"]
    where = rating.c.valid_until.is_not(None) & (rating.c.valid_until < today)
    return _warning(connection, "expired_rating", rating.c.uscc, where)


def _inspector_warnings(small: Directory, today: date) -> list[QualityWarning]:
    return [w for w in overview.data_quality(small, today=today) if w.kind in _INSPECTOR_KINDS]


def _in_order(
    fixed: list[QualityWarning], expired: QualityWarning | None, inspectors: list[QualityWarning]
) -> list[QualityWarning]:
    """``overview.data_quality``'s order: entity kinds, then inspector kinds, then divisions."""
    entity_kinds = ("no_rating", "expired_rating", "not_active", "no_sectors")
    by_kind = {w.kind: w for w in fixed} | ({"expired_rating": expired} if expired else {})
    ordered = [by_kind[k] for k in entity_kinds if k in by_kind]
    return ordered + inspectors + [w for w in fixed if w.kind not in entity_kinds]


def _moved_to(engine: Engine, other_day: Overview, today: date) -> Overview:
    """The overview of another day of the same version, with the day's warnings recomputed.

    Only the expired ratings (one scan of the ratings) and the inspectors'
    warnings (small tables) depend on the day: a first open on a new day costs
    that, not the ~12 scans of the whole overview (~3 s of CPU at city size).
    """
    with engine.connect() as connection:
        small = _small(connection)
        expired = _expired(connection, today)
    fixed = [w for w in other_day.warnings if w.kind not in _DAY_KINDS]
    warnings = _in_order(fixed, expired, _inspector_warnings(small, today))
    return Overview(
        other_day.totals, other_day.by_region, other_day.by_type, other_day.by_department, warnings
    )


def _name(today: date) -> str:
    return f"overview:{today.isoformat()}"


def store_overview(engine: Engine, version: int, *, today: date | None = None) -> None:
    """Compute the overview of ``version`` now (after a load), for every process to read.

    Also the public-rating tier mix of the configured scheme, the overview's
    first chart (other departments' mixes are computed when first asked for).
    """
    from scheduler.data.reference import PUBLIC_DEPARTMENT, tier_scheme

    today = today or clock.today()
    store_summary(engine, version, _name(today), overview_from_db(engine, today=today).as_dict())
    tier_mix_from_db(engine, PUBLIC_DEPARTMENT, on=today, tier_order=tier_scheme(None).codes)


def _stored_other_day(engine: Engine) -> Overview | None:
    """The latest day's stored overview of the current version, if any."""
    with engine.connect() as connection:
        latest = current_version(connection)
        if latest is None:
            return None
        found = connection.execute(
            select(SUMMARIES.c.payload)
            .where(SUMMARIES.c.version_id == latest["id"], SUMMARIES.c.name.like("overview:%"))
            .order_by(SUMMARIES.c.name.desc())
            .limit(1)
        ).first()
    return None if found is None else Overview.from_dict(dict(found[0]))


def stored_overview(engine: Engine, *, today: date | None = None) -> Overview:
    """The overview of the current directory version: stored, else computed once and stored.

    On a new day the version's overview of another day is reused with the
    day's warnings recomputed (``_moved_to``), and stored for the day.
    """
    today = today or clock.today()

    def compute() -> dict[str, Any]:
        other_day = _stored_other_day(engine)
        if other_day is not None:
            return _moved_to(engine, other_day, today).as_dict()
        return overview_from_db(engine, today=today).as_dict()

    return Overview.from_dict(summary(engine, _name(today), compute))


def _valid(rating: FromClause, department: str, on: date) -> ColumnElement[bool]:
    """A rating of ``department`` that counts on ``on`` (``tiers._valid_mask``)."""
    return (
        (rating.c.department_code == department)
        & (rating.c.evaluated_on <= on)
        & (rating.c.valid_until.is_(None) | (rating.c.valid_until >= on))
    )


def _rated_mix(
    connection: Connection, department: str, on: date, overridden_by: str | None
) -> list[tuple[str, str, int]]:
    """``(region_code, tier, entities)`` where the latest valid ``department`` rating wins.

    The latest rating is the one with the greatest ``evaluated_on`` (unique per
    entity and department: the natural key), as in ``tiers._latest``; entities
    holding a valid ``overridden_by`` rating are left out (that one wins).
    """
    entity, rating = DB_TABLES["entities"], DB_TABLES["ratings"]
    latest = (
        select(rating.c.uscc, func.max(rating.c.evaluated_on).label("evaluated_on"))
        .where(_valid(rating, department, on))
        .group_by(rating.c.uscc)
        .subquery("latest")
    )
    chosen = rating.alias("chosen")
    query = (
        select(entity.c.region_code, chosen.c.tier, func.count())
        .select_from(latest)
        .join(
            chosen,
            (chosen.c.uscc == latest.c.uscc)
            & (chosen.c.department_code == department)
            & (chosen.c.evaluated_on == latest.c.evaluated_on),
        )
        .join(entity, entity.c.uscc == latest.c.uscc)
        .group_by(entity.c.region_code, chosen.c.tier)
    )
    if overridden_by is not None:
        own = rating.alias("own")
        query = query.where(
            ~exists().where((own.c.uscc == latest.c.uscc) & _valid(own, overridden_by, on))
        )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in connection.execute(query)]


def tier_mix_in_db(
    connection: Connection,
    department: str,
    *,
    on: date,
    tier_order: tuple[str, ...],
    default_tier: str,
) -> pd.DataFrame:
    """``overview.tier_mix`` of every entity and its ``effective_tiers`` for ``department``, in SQL.

    The rule of ``scheduler.draw.tiers.effective_tiers``: the latest rating of
    ``department`` valid on ``on``, else the latest valid ``PUBLIC`` one, else
    ``default_tier``. Only ``(region, tier, count)`` rows leave the database
    (reading 1.48M entities and ratings into pandas took ~15 s and ~1.4 GB).
    """
    from scheduler.data.reference import PUBLIC_DEPARTMENT

    entity = DB_TABLES["entities"]
    totals = {
        str(r[0]): int(r[1])
        for r in connection.execute(
            select(entity.c.region_code, func.count())
            .where(entity.c.region_code.is_not(None))
            .group_by(entity.c.region_code)
        )
    }
    rows = _rated_mix(
        connection,
        PUBLIC_DEPARTMENT,
        on,
        department if department and department != PUBLIC_DEPARTMENT else None,
    )
    if department and department != PUBLIC_DEPARTMENT:
        rows += _rated_mix(connection, department, on, None)
    counts: dict[tuple[str, str], int] = {}
    rated = dict.fromkeys(totals, 0)
    for region, tier, n in rows:
        if region in totals:
            counts[region, tier] = counts.get((region, tier), 0) + n
            rated[region] += n
    for region, total in totals.items():
        if total > rated[region]:
            counts[region, default_tier] = (
                counts.get((region, default_tier), 0) + total - rated[region]
            )
    regions = sorted(totals)
    mix = pd.DataFrame(
        [[counts.get((region, tier), 0) for tier in tier_order] for region in regions],
        index=pd.Index(regions, dtype=object, name="region_code"),
        columns=pd.Index(list(tier_order), dtype=object, name="tier"),
        dtype="int64",
    )
    return mix


def tier_mix_from_db(
    engine: Engine, department: str, *, on: date, tier_order: tuple[str, ...]
) -> pd.DataFrame:
    """``overview.tier_mix`` of every entity for ``department`` on day ``on``, stored per version.

    Computed in SQL (``tier_mix_in_db``) once per version, department, day and
    tier order, with the configured scheme's default tier.
    """
    from scheduler.data.reference import PUBLIC_DEPARTMENT, tier_scheme

    sources = sorted({PUBLIC_DEPARTMENT, department})
    order = ",".join(tier_order)

    def compute() -> dict[str, Any]:
        other = _stored_mix_of_another_day(engine, department, order)
        if other is not None:
            return _payload(
                _mix_moved(engine, other[1], other[0], on, sources, department, tier_order)
            )
        with engine.connect() as connection:
            return _payload(
                tier_mix_in_db(
                    connection,
                    department,
                    on=on,
                    tier_order=tier_order,
                    default_tier=tier_scheme(None).default_tier,
                )
            )

    return _frame(summary(engine, f"tier_mix:{department}:{on.isoformat()}:{order}", compute))


def _mix(
    entities: pd.DataFrame,
    ratings: pd.DataFrame,
    department: str,
    on: date,
    tier_order: tuple[str, ...],
) -> pd.DataFrame:
    from scheduler.draw.tiers import effective_tiers

    data = Directory.from_tables({"entities": entities, "ratings": ratings})
    return overview.tier_mix(
        entities["region_code"], effective_tiers(data, department, on=on), tier_order
    )


def _payload(mix: pd.DataFrame) -> dict[str, Any]:
    return {"index": mix.index.tolist(), "columns": list(mix.columns), "data": mix.values.tolist()}


def _frame(payload: dict[str, Any]) -> pd.DataFrame:
    mix = pd.DataFrame(payload["data"], index=payload["index"], columns=payload["columns"])
    mix.index.name = "region_code"
    mix.columns.name = "tier"
    return mix.astype("int64")


def _stored_mix_of_another_day(
    engine: Engine, department: str, order: str
) -> tuple[date, pd.DataFrame] | None:
    """The latest day's stored tier mix of ``department`` (same tier order) of this version."""
    prefix = f"tier_mix:{department}:"
    with engine.connect() as connection:
        latest = current_version(connection)
        if latest is None:
            return None
        rows = connection.execute(
            select(SUMMARIES.c.name, SUMMARIES.c.payload).where(
                SUMMARIES.c.version_id == latest["id"],
                SUMMARIES.c.name.startswith(prefix, autoescape=True),
            )
        ).all()
    days: dict[date, Any] = {}
    for name, payload in rows:
        day, _, rest = str(name)[len(prefix) :].partition(":")
        if rest == order:
            days[date.fromisoformat(day)] = payload
    if not days:
        return None
    latest_day = max(days)
    return latest_day, _frame(dict(days[latest_day]))


def _mix_moved(
    engine: Engine,
    known: pd.DataFrame,
    known_day: date,
    on: date,
    sources: list[str],
    department: str,
    tier_order: tuple[str, ...],
) -> pd.DataFrame:
    """The mix on ``on`` from the mix on ``known_day``: only the entities whose tier may differ.

    An entity's tier depends on its own ratings alone, and differs between two
    days only if one of them starts (``evaluated_on``) or ends (``valid_until``)
    between the two: those entities (thousands, not 1.5M) are read and moved
    from their tier on ``known_day`` to their tier on ``on``.
    """
    rating, entity = DB_TABLES["ratings"], DB_TABLES["entities"]
    lo, hi = sorted((known_day, on))
    changed = (
        select(rating.c.uscc)
        .where(
            rating.c.department_code.in_(sources),
            ((rating.c.evaluated_on > lo) & (rating.c.evaluated_on <= hi))
            | ((rating.c.valid_until >= lo) & (rating.c.valid_until < hi)),
        )
        .distinct()
    )
    with engine.connect() as connection:
        entities = read_table(
            connection,
            "entities",
            columns=("uscc", "region_code"),
            where=entity.c.uscc.in_(changed),
        )
        ratings = read_table(
            connection,
            "ratings",
            where=rating.c.department_code.in_(sources) & rating.c.uscc.in_(changed),
        )
    before = _mix(entities, ratings, department, known_day, tier_order)
    after = _mix(entities, ratings, department, on, tier_order)
    rows = known.index
    moved = known + after.reindex(rows, fill_value=0) - before.reindex(rows, fill_value=0)
    return moved.astype("int64")
