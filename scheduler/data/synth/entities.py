"""Synthetic market entities (检查对象名录库): names, addresses, sectors, USCCs.

Rows are generated type by type (个体工商户, 企业, ...) with one vectorised pass
per column; sectors are kept as a small integer matrix (one slot per sector an
entity carries) so that departments' frames, ratings and history can be derived
without parsing strings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scheduler.data import uscc
from scheduler.data.formats import ENTITY_STATUSES, ENTITY_TYPES, join_list
from scheduler.data.synth import words
from scheduler.data.synth.catalog import Catalog
from scheduler.data.synth.people import mobile_phones, person_names
from scheduler.data.synth.pick import choose, concat, fill_templates, pick_grouped

__all__ = ["EntityDraw", "make_entities", "uscc_keys", "TYPE_SHARE", "USCC_CATEGORY"]

TYPE_SHARE = {
    "企业": 0.293,
    "个体工商户": 0.667,
    "农民专业合作社": 0.02,
    "事业单位": 0.01,
    "社会组织": 0.01,
}
"""Weifang: about 2/3 of market entities are individual businesses (SPEC section 3)."""

USCC_CATEGORY = {
    "企业": "91",
    "个体工商户": "92",
    "农民专业合作社": "93",
    "事业单位": "12",
    "社会组织": "52",
}
"""Registration authority + category characters of GB 32100 by entity type."""

STATUS_SHARE = (0.95, 0.035, 0.015)
"""存续 / 注销 / 吊销 among entities registered more than a year ago."""

EXTRA_SECTORS_SHARE = (0.55, 0.30, 0.15)
"""Share of entities with 0, 1 or 2 companion sectors besides the primary one."""

NUMERALS = np.array(list("一二三四五六七八九"))


@dataclass(frozen=True)
class _Kind:
    fixed_primary: str | None
    """Sector every entity of this type carries (its key sector is then a companion)."""
    options: dict[str, tuple[float, tuple[str, ...]]]
    templates: tuple[tuple[str, float], ...] | None
    """Name templates; ``None`` means the option words are the templates themselves."""


KINDS = {
    "个体工商户": _Kind(None, words.INDIVIDUAL, words.INDIVIDUAL_TEMPLATES),
    "企业": _Kind(None, words.ENTERPRISE, words.ENTERPRISE_TEMPLATES),
    "农民专业合作社": _Kind("farmer_coop", words.COOP, words.COOP_TEMPLATES),
    "事业单位": _Kind("public_institution", words.INSTITUTION, None),
    "社会组织": _Kind("social_org", words.SOCIAL_ORG, None),
}

TAG_CODES = tuple(dict.fromkeys(code for tags in words.TAGS.values() for code in tags))


@dataclass(frozen=True)
class EntityDraw:
    """The entities table plus the integer views the other tables are built from."""

    frame: pd.DataFrame
    region: np.ndarray
    """Index into ``Catalog.region_codes`` per entity."""
    sector_slots: np.ndarray
    """``(n, k)`` sector indices per entity, ``-1`` for an empty slot; no repeats in a row."""
    in_department: np.ndarray
    """``(n, departments)`` bool: the entity carries a sector of that department."""
    operating: np.ndarray
    """Status 存续 (the frames the planner draws from)."""


def _dedupe(slots: np.ndarray) -> np.ndarray:
    for j in range(1, slots.shape[1]):
        repeated = (slots[:, :j] == slots[:, j : j + 1]).any(axis=1)
        slots[repeated, j] = -1
    return slots


def _membership(cat: Catalog, slots: np.ndarray) -> np.ndarray:
    member = np.zeros((slots.shape[0], len(cat.department_codes)), dtype=bool)
    rows = np.arange(slots.shape[0])
    for column in slots.T:
        used = column >= 0
        member[rows[used], cat.sector_department[column[used]]] = True
    return member


def _kind_rows(
    rng: np.random.Generator, cat: Catalog, kind: _Kind, size: int, templates: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Primary and companion sectors, trade word and template id for ``size`` rows."""
    keys = list(kind.options)
    key = choose(rng, [kind.options[k][0] for k in keys], size)
    key_sector = np.array([cat.sector(k) if k else -1 for k in keys])[key]
    if kind.templates is None:
        base = len(templates)
        templates.extend(w for k in keys for w in kind.options[k][1])
        ids, start = [], base
        for k in keys:
            ids.append(tuple(range(start, start + len(kind.options[k][1]))))
            start += len(kind.options[k][1])
        template_id = pick_grouped(rng, key, ids)
        trade = np.full(size, "", dtype=str)
    else:
        base = len(templates)
        templates.extend(t for t, _ in kind.templates)
        template_id = base + choose(rng, [w for _, w in kind.templates], size)
        trade = pick_grouped(rng, key, [kind.options[k][1] for k in keys])
    companions = [
        tuple(cat.sector(c) for c in words.COMPANIONS.get(code, ("price",)))
        for code in cat.sector_codes
    ]
    if kind.fixed_primary is None:
        primary = key_sector
        extra = choose(rng, EXTRA_SECTORS_SHARE, size)
        first = np.where(extra >= 1, pick_grouped(rng, primary, companions), -1)
        second = np.where(extra >= 2, pick_grouped(rng, primary, companions), -1)
    else:
        primary = np.full(size, cat.sector(kind.fixed_primary))
        first = key_sector
        safe = np.maximum(key_sector, 0)
        second = np.where(
            (key_sector >= 0) & (rng.random(size) < 0.15), pick_grouped(rng, safe, companions), -1
        )
    return np.stack([primary, first, second], axis=1), trade, template_id


def uscc_keys(codes: np.ndarray) -> np.ndarray:
    """64-bit hashes of USCCs: equal codes have equal keys (a chunked run's "taken" set)."""
    keys: np.ndarray = pd.util.hash_array(np.asarray(codes, dtype=object))
    return keys


def _unique_usccs(
    rng: np.random.Generator,
    regions: np.ndarray,
    categories: np.ndarray,
    taken: np.ndarray | None = None,
) -> np.ndarray:
    """Valid USCCs, unique among themselves and (by hash) not in the sorted ``taken`` keys.

    A hash clash only redraws a code that was unique already, so uniqueness is exact;
    without ``taken`` the random stream is consumed exactly as before.
    """
    codes = uscc.make(rng, len(regions), regions, categories)
    while True:
        clash = pd.Series(codes).duplicated().to_numpy()
        if taken is not None and taken.size:
            keys = uscc_keys(codes)
            where = np.minimum(np.searchsorted(taken, keys), taken.size - 1)
            clash = clash | (taken[where] == keys)
        again = np.flatnonzero(clash)
        if again.size == 0:
            return codes
        codes[again] = uscc.make(rng, again.size, regions[again], categories[again])


def _registered_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days since registration over the last 25 years, more of them recent (the stock grows)."""
    return np.floor(25 * 365.25 * rng.random(n) ** 1.3).astype(np.int64)


def make_entities(
    rng: np.random.Generator,
    cat: Catalog,
    n: int,
    today: np.datetime64,
    min_per_department: int,
    taken: np.ndarray | None = None,
) -> EntityDraw:
    """``n`` entities; every department gets at least ``min_per_department`` operating ones.

    ``taken``: sorted ``uscc_keys`` of entities made earlier (a chunked run) to avoid.
    """
    streams = rng.spawn(4)
    type_index = choose(streams[0], [TYPE_SHARE[t] for t in ENTITY_TYPES], n)
    region = choose(streams[0], cat.region_population, n)
    person = person_names(streams[1], n)

    slots = np.full((n, 3 + len(TAG_CODES) + 1), -1, dtype=np.int16)
    trade = np.full(n, "", dtype="U32")
    template_id = np.zeros(n, dtype=np.int64)
    templates: list[str] = []
    kind_rng = streams[2]
    for t, type_name in enumerate(ENTITY_TYPES):
        rows = np.flatnonzero(type_index == t)
        core, trade_t, template_t = _kind_rows(
            kind_rng, cat, KINDS[type_name], rows.size, templates
        )
        slots[rows, :3] = core
        trade[rows] = trade_t
        template_id[rows] = template_t
        for j, tag in enumerate(TAG_CODES):
            share = words.TAGS[type_name].get(tag, 0.0)
            slots[rows, 3 + j] = np.where(kind_rng.random(rows.size) < share, cat.sector(tag), -1)

    place_rng = streams[3]
    towns = pick_grouped(place_rng, region, [words.PLACES[c][0] for c in cat.region_codes])
    roads = pick_grouped(place_rng, region, [words.PLACES[c][1] for c in cat.region_codes])
    division = cat.region_names[region]
    fields = {
        "person": person,
        "div": division,
        "town": towns,
        "trade": trade,
        "brand": np.array(words.BRANDS)[place_rng.integers(0, len(words.BRANDS), n)],
        "n": NUMERALS[place_rng.integers(0, len(NUMERALS), n)],
    }
    names = fill_templates(template_id, templates, fields)
    number = place_rng.integers(1, 1000, n).astype(str)
    address = concat("山东省潍坊市", division, towns, roads, number, "号")
    age = _registered_ages(place_rng, n)
    # deregistration and revocation take time: nobody younger than a year has left
    status = np.where(age < 365, 0, choose(place_rng, STATUS_SHARE, n))
    operating = status == 0

    _dedupe(slots)
    _force_coverage(place_rng, cat, slots, operating, type_index, min_per_department)
    region_codes = cat.region_codes[region]
    categories = np.array([USCC_CATEGORY[t] for t in ENTITY_TYPES])[type_index]
    codes = _unique_usccs(place_rng, region_codes, categories, taken)
    text = {
        "uscc": codes,
        "name": names,
        "entity_type": np.array(ENTITY_TYPES, dtype=object)[type_index],
        "region_code": cat.region_codes.astype(object)[region],
        "address": address,
        "legal_rep": person,
        "phone": mobile_phones(place_rng, n),
    }
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in text.items()})
    frame["registered_on"] = (today - age.astype("timedelta64[D]")).astype("datetime64[ns]")
    frame["status"] = pd.Series(np.array(ENTITY_STATUSES, dtype=object)[status], dtype=object)
    frame["sectors"] = pd.Series(_join_sectors(cat, slots), dtype=object)
    return EntityDraw(frame, region, slots, _membership(cat, slots), operating)


def _force_coverage(
    rng: np.random.Generator,
    cat: Catalog,
    slots: np.ndarray,
    operating: np.ndarray,
    type_index: np.ndarray,
    minimum: int,
) -> None:
    """Give every department at least ``minimum`` operating entities (last slot)."""
    member = _membership(cat, slots)
    counts = (member & operating[:, None]).sum(axis=0)
    enterprise = type_index == ENTITY_TYPES.index("企业")
    for department in np.flatnonzero(counts < minimum):
        open_ = operating & (slots[:, -1] < 0) & ~member[:, department]
        free = np.flatnonzero(open_ & enterprise)
        if free.size < minimum - counts[department]:
            free = np.flatnonzero(open_)
        chosen = rng.choice(free, size=min(free.size, minimum - counts[department]), replace=False)
        sectors = cat.department_sectors(int(department))
        slots[chosen, -1] = sectors[rng.integers(0, sectors.size, chosen.size)]
    _dedupe(slots)


def _join_sectors(cat: Catalog, slots: np.ndarray) -> np.ndarray:
    """``"catering;food;taxpayer"`` per row, the primary sector first.

    Rows share few distinct sector combinations, so each combination is joined
    once: a row's slots pack into one int64 key (7 bits per slot).
    """
    if len(cat.sector_codes) >= 127 or slots.shape[1] > 9:
        raise ValueError("too many sectors or slots to pack a row into 63 bits")
    shifts = np.arange(slots.shape[1], dtype=np.int64) * 7
    keys = ((slots + 1).astype(np.int64) << shifts).sum(axis=1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    codes = cat.sector_codes.tolist()
    joined = np.array(
        [join_list(codes[s] for s in slots[row] if s >= 0) for row in first], dtype=object
    )
    return joined[inverse]
