"""Vectorised parsing and checking of one column of text cells.

Every function takes the cells of one column (a ``Series`` of ``str`` indexed
by spreadsheet row), logs one ``Problem`` per bad cell and returns the parsed
values with a boolean mask of the cells that are usable. Blank cells are
never reported here (whether a value is required is checked once, by the
caller) and count as usable. Python-level work happens only on distinct
values or on failing rows, so a million rows cost a few array passes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from scheduler.data import uscc
from scheduler.data.formats import join_list, split_list
from scheduler.data.importing.keys import maybe_repeated
from scheduler.data.importing.problems import ProblemLog

__all__ = [
    "BOOL_WORDS",
    "isin",
    "as_objects",
    "parse_uscc",
    "parse_dates",
    "parse_ints",
    "parse_bools",
    "canonical_lists",
    "check_choice",
    "check_found",
    "check_list_items",
    "check_unique",
    "check_controls",
    "MAX_INT",
]

BOOL_WORDS = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "y": True, "n": False, "是": True, "否": False, "在岗": True, "不在岗": False, "离岗": False,
}  # fmt: skip
_LIST_SEPARATORS = re.compile(r"[;；,，、]")
_CONTROLS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""C0 control characters and DEL; tab, line feed and carriage return are ordinary text."""
MAX_INT = 999_999_999_999
"""Largest whole number a cell may hold (capacities, counts): twelve digits."""
_BOOL_HELP = "true/false, 1/0, yes/no, 是/否 or 在岗/不在岗"
_DATE_FORMATS = "YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD"


def _arrow(values: pd.Series | Collection[str]) -> Any:
    import pyarrow as pa

    if isinstance(values, pd.Series) and hasattr(values.array, "__arrow_array__"):
        chunked = pa.array(values.array)
        return chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked
    return pa.array(list(values), type=pa.string())


def isin(values: pd.Series, allowed: Collection[str] | pd.Series) -> np.ndarray:
    """``values.isin(allowed)`` as a numpy mask, hashed in Arrow for Arrow-backed text.

    (pandas 3 ``isin`` on Arrow strings against a large set iterates in Python.)
    """
    out: np.ndarray
    if not hasattr(values.array, "__arrow_array__"):
        out = values.isin(
            list(allowed) if not isinstance(allowed, pd.Series) else allowed
        ).to_numpy()
        return out
    import pyarrow.compute as pc

    mask = pc.is_in(_arrow(values), value_set=_arrow(allowed).cast("string"))
    out = mask.to_numpy(zero_copy_only=False).astype(bool)
    return out


def as_objects(values: pd.Series) -> pd.Series:
    """Text as an object column of Python ``str`` (the ``Directory`` form), cheaply.

    A column with few distinct values (types, regions, tiers) is converted
    once per distinct value and then indexed, which is faster and shares the
    string objects; other columns are converted directly.
    """
    if values.dtype == object:
        return values
    sample = values.iloc[:: max(len(values) // 1000, 1)]
    if len(values) > 1000 and sample.nunique() * 4 < len(sample):
        codes, uniques = pd.factorize(values)
        table = np.asarray(uniques.astype(object), dtype=object)
        return pd.Series(table[codes], index=values.index, dtype=object)
    return values.astype(object)


def _bad(values: pd.Series, ok: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Rows and cell texts of the unusable cells."""
    failing = values[~ok]
    return failing.index.to_numpy(), failing.tolist()


def _uscc_ok(values: pd.Series) -> np.ndarray:
    """``uscc.valid_mask`` over a column; Arrow text is checked from its bytes, no copies."""
    if not hasattr(values.array, "__arrow_array__"):
        return uscc.valid_mask(values.to_numpy(dtype=object))
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = _arrow(values)
    eighteen = pc.equal(pc.binary_length(arrow), 18).to_numpy(zero_copy_only=False)
    ok = np.zeros(len(values), dtype=bool)
    if eighteen.any():
        fixed = (arrow if eighteen.all() else arrow.filter(pa.array(eighteen))).cast(pa.binary(18))
        chars = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
        chars = chars[fixed.offset * 18 : (fixed.offset + len(fixed)) * 18].reshape(-1, 18)
        ok[eighteen] = uscc.valid_mask_ascii(chars)
    return ok


def parse_uscc(
    values: pd.Series, file: str, column: str, log: ProblemLog
) -> tuple[pd.Series, np.ndarray]:
    """Upper-cased codes; GB 32100 length, alphabet and check character verified."""
    values = values.str.upper()
    ok = _uscc_ok(values) | (values == "").to_numpy()
    rows, texts = _bad(values, ok)
    log.add_rows(file, rows, column, lambda i: uscc.invalid_reason(texts[i]) or "invalid USCC")
    return values, ok


_FIRST_DAY, _LAST_DAY = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31")


def parse_dates(
    values: pd.Series, file: str, column: str, log: ProblemLog
) -> tuple[pd.Series, np.ndarray]:
    """``datetime64[ns]`` dates from YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD; blanks are NaT.

    Parsed once per distinct text (a directory has few distinct dates), strictly:
    2024-02-30 is an error, not 1 March.
    """
    codes, uniques = pd.factorize(values)
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    text = text.str.replace(r"[ T]00:00:00$", "", regex=True).str.replace("/", "-", regex=False)
    compact = text.str.fullmatch(r"\d{8}").to_numpy(dtype=bool)
    text[compact] = (
        text[compact].str[:4] + "-" + text[compact].str[4:6] + "-" + text[compact].str[6:]
    )
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    parsed = parsed.where((parsed >= _FIRST_DAY) & (parsed <= _LAST_DAY)).astype("datetime64[ns]")
    table = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))
    dates = pd.Series(table[codes], index=values.index)  # code -1 (no value) picks the NaT
    ok = ~(dates.isna() & (values != "")).to_numpy()
    rows, texts = _bad(values, ok)
    log.add_rows(
        file, rows, column,
        lambda i: f"bad date {texts[i]!r}; expected {_DATE_FORMATS} between 1900 and 2199",
    )  # fmt: skip
    return dates, ok


def _int_reason(text: str) -> str:
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isdigit():
        return f"not a whole number: {text!r}"
    if text.startswith("-") and int(digits) > 0:
        return f"must not be negative; got {text!r}"
    return f"too large: {text!r} (at most {MAX_INT:,})"


def parse_ints(
    values: pd.Series, file: str, column: str, log: ProblemLog
) -> tuple[pd.Series, np.ndarray]:
    """Non-negative ``int64`` values (capacities); blanks become 0; at most ``MAX_INT``."""
    whole = values.str.fullmatch(r"[+-]?\d{1,12}").to_numpy(dtype=bool)
    numbers = pd.to_numeric(values.where(whole, "0")).astype("int64")
    negative = whole & (numbers < 0).to_numpy()
    ok = (whole & ~negative) | (values == "").to_numpy()
    rows, texts = _bad(values, ok)
    log.add_rows(file, rows, column, lambda i: _int_reason(texts[i]))
    return numbers.where(ok, 0), ok


def _control_name(text: str) -> str:
    char = next(c for c in text if re.fullmatch(_CONTROLS, c))
    name = "NUL" if char == "\x00" else "DEL" if char == "\x7f" else "control character"
    return f"U+{ord(char):04X} ({name})"


def _may_hold_controls(values: pd.Series) -> bool:
    """A byte scan of the column's Arrow data buffer: no control byte, no cell to check.

    In UTF-8 a byte below 0x20 or 0x7F is always that ASCII character, never part
    of another one, so one vectorised pass (about 1 ms per MB) clears the usual
    clean column; only a column with a hit pays for the per-cell regex.
    """
    if not hasattr(values.array, "__arrow_array__") or values.empty:
        return True
    data = _arrow(values).buffers()[2]
    if data is None:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    low = raw < 0x20
    if not low.any() and not (raw == 0x7F).any():
        return False
    return bool((low & (raw != 0x09) & (raw != 0x0A) & (raw != 0x0D)).any() or (raw == 0x7F).any())


def check_controls(values: pd.Series, file: str, column: str, log: ProblemLog) -> np.ndarray:
    """Mask of cells free of control characters (a NUL byte, an escape ...).

    They are invisible in a spreadsheet, break PostgreSQL (NUL) and can hide
    text from a reader; a cell holding one is refused, never cleaned silently.
    """
    if not _may_hold_controls(values):
        return np.ones(len(values), dtype=bool)
    bad: np.ndarray = values.str.contains(_CONTROLS, regex=True).to_numpy(dtype=bool)
    if not bad.any():
        return ~bad
    rows, texts = _bad(values, ~bad)
    log.add_rows(
        file,
        rows,
        column,
        lambda i: f"contains {_control_name(texts[i])}; remove it and save the file again",
    )
    return ~bad


def parse_bools(
    values: pd.Series, file: str, column: str, log: ProblemLog
) -> tuple[pd.Series, np.ndarray]:
    """Booleans from true/false, 1/0, yes/no, 是/否, 在岗/不在岗; blanks become True."""
    mapped = values.str.lower().map(BOOL_WORDS)
    ok = (mapped.notna() | (values == "")).to_numpy()
    rows, texts = _bad(values, ok)
    log.add_rows(
        file,
        rows,
        column,
        lambda i: f"not a yes/no value: {texts[i]!r}; expected {_BOOL_HELP}",
    )
    return mapped.where(mapped.notna(), True).astype(bool), ok


def _canonical_list(text: str) -> str:
    parts = (p.strip() for p in _LIST_SEPARATORS.split(text))
    return join_list(dict.fromkeys(p for p in parts if p))


def canonical_lists(values: pd.Series) -> pd.Series:
    """``" food ；catering;;food"`` -> ``"food;catering"`` (order kept, blanks and repeats dropped).

    Work is done once per distinct cell text, which is few for real directories.
    """
    codes, uniques = pd.factorize(values)
    canon = np.array([_canonical_list(u) for u in uniques] or [""], dtype=object)
    return pd.Series(canon[codes] if len(codes) else [], index=values.index, dtype=object)


def check_choice(
    values: pd.Series,
    allowed: Collection[str] | pd.Series,
    file: str,
    column: str,
    log: ProblemLog,
    expected: str,
    usable: np.ndarray | None = None,
) -> np.ndarray:
    """Mask of cells in ``allowed`` (or blank); ``expected`` completes the message."""
    return check_found(values, isin(values, allowed), file, column, log, expected, usable)


def check_found(
    values: pd.Series,
    found: np.ndarray,
    file: str,
    column: str,
    log: ProblemLog,
    expected: str,
    usable: np.ndarray | None = None,
) -> np.ndarray:
    """``check_choice`` with the membership mask ``found`` computed by the caller."""
    ok: np.ndarray = found | (values == "").to_numpy()
    if usable is not None:
        ok = ok | ~usable
    rows, texts = _bad(values, ok)
    log.add_rows(file, rows, column, lambda i: f"unknown {column} {texts[i]!r}; {expected}")
    return ok


def check_list_items(
    values: pd.Series,
    allowed: Collection[str],
    file: str,
    column: str,
    log: ProblemLog,
    expected: str,
) -> np.ndarray:
    """Mask of canonical list cells whose every item is in ``allowed``."""
    known = set(allowed)
    codes, uniques = pd.factorize(values)
    unknown = [[p for p in split_list(u) if p not in known] for u in uniques]
    bad_unique = np.array([bool(u) for u in unknown] or [False])
    ok = ~bad_unique[codes] if len(codes) else np.ones(0, dtype=bool)
    rows = values.index.to_numpy()[~ok]
    bad_codes = codes[~ok]
    log.add_rows(
        file,
        rows,
        column,
        lambda i: (
            f"unknown {column} item(s) {', '.join(map(repr, unknown[bad_codes[i]]))}; {expected}"
        ),
    )
    return ok


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return repr(value.date().isoformat())
    return repr(value)


def check_unique(
    frame: pd.DataFrame, key: tuple[str, ...], usable: np.ndarray, file: str, log: ProblemLog
) -> np.ndarray:
    """Mask of rows whose natural key does not repeat an earlier row's; names both rows."""
    ok = np.ones(len(frame), dtype=bool)
    keys = frame.loc[usable, list(key)]
    keys = keys[maybe_repeated(keys)]  # the exact test below, on the few that may repeat
    repeated = keys.duplicated(keep=False)
    if not repeated.any():
        return ok
    dup = keys[repeated.to_numpy()]
    first = dup.index.to_series().groupby([dup[k] for k in key], sort=False).transform("first")
    later = dup.duplicated(keep="first").to_numpy()
    rows = dup.index.to_numpy()[later]
    firsts = first.to_numpy()[later]
    described = dup[later]
    ok[np.isin(frame.index.to_numpy(), rows)] = False
    log.add_rows(
        file,
        rows,
        ", ".join(key),
        lambda i: (
            "duplicate key "
            + ", ".join(f"{k}={_show(described.iloc[i][k])}" for k in key)
            + f": rows {firsts[i]} and {rows[i]}"
        ),
    )
    return ok
