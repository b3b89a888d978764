"""Frame snapshots: the canonical frame of a draw, kept so the draw can be re-run years later.

A draw is a pure function of its canonical frame (``uscc,region_code,tier`` lines,
see ``scheduler.draw.receipt``), its parameters and its seed. The directory it was
drawn from changes (entities deregister, ratings change), so verification
months later needs the frame *as it was*: the snapshot. It is the canonical
frame's bytes, gzip-compressed (level 6, no timestamp: the same frame gives the
same file), addressed by ``frame_sha256``; a snapshot whose bytes do not hash to
that address has been edited. In the database it is a ``FrameSnapshot`` row
written in the same transaction as the draw; in file mode ``draw --snapshot``
writes it and ``verify --snapshot`` reads it (``zcat`` shows the text).

A frame rebuilt from a snapshot has no names, entity types or exclusions (they
do not decide the draw): verification from a snapshot compares every draw-file
column except ``name``, and not the receipt's exclusion counts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from scheduler.data.atomic_files import write_bytes
from scheduler.errors import InvalidInputError, Problem

__all__ = [
    "encode",
    "decode",
    "write_snapshot",
    "read_snapshot",
    "snapshot_problem",
    "frame_from_snapshot",
    "store_snapshot",
    "load_snapshot",
]

_HEADER = b"uscc,region_code,tier"


def encode(canonical: bytes) -> bytes:
    return gzip.compress(canonical, compresslevel=6, mtime=0)


def decode(data: bytes, name: str = "snapshot") -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as error:
        raise InvalidInputError(
            problems=[Problem(name, None, None, f"not a gzip frame snapshot: {error}")]
        ) from error


def write_snapshot(canonical: bytes, path: str | Path) -> Path:
    """Write a snapshot file atomically (``scheduler.data.atomic_files``)."""
    return write_bytes(path, encode(canonical))


def read_snapshot(path: str | Path) -> bytes:
    """The canonical frame bytes of a snapshot file."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise InvalidInputError(
            problems=[Problem(source.name, None, None, f"cannot read: {error}")]
        ) from error
    return decode(data, source.name)


def snapshot_problem(canonical: bytes, frame_sha256: str) -> str | None:
    """``None`` if the snapshot is the frame ``frame_sha256`` names, else why not."""
    actual = hashlib.sha256(canonical).hexdigest()
    if actual != frame_sha256:
        return (
            f"edited snapshot: its canonical frame has SHA-256 {actual[:16]}..., "
            f"the draw's frame_sha256 is {frame_sha256[:16]}..."
        )
    return None


def frame_from_snapshot(canonical: bytes, parameters: Any) -> Any:
    """A ``SamplingFrame`` with the snapshot's units (no names), ready to be drawn again."""
    from scheduler.data.reference import tier_scheme
    from scheduler.draw.frame import UNIT_COLUMNS, SamplingFrame

    header, _, body = canonical.partition(b"\n")
    if header != _HEADER:
        raise InvalidInputError(
            problems=[Problem("snapshot", 1, None, f"expected the header {_HEADER.decode()}")]
        )
    if body:
        units = pd.read_csv(
            io.BytesIO(body),
            names=["uscc", "region_code", "tier"],
            header=None,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8",
        )
    else:
        units = pd.DataFrame({c: pd.Series([], dtype=object) for c in _HEADER.decode().split(",")})
    units = units.astype(object)
    units["name"] = ""
    units["entity_type"] = ""
    forced = set(parameters.rules.force_include) | set(parameters.rules.commitment_checks)
    units["forced"] = units["uscc"].isin(forced).to_numpy()
    units = units[list(UNIT_COLUMNS)].reset_index(drop=True)
    excluded = pd.DataFrame(
        {c: pd.Series([], dtype=object) for c in ("uscc", "name", "region_code", "tier", "reason")}
    )
    return SamplingFrame(
        rules=parameters.rules,
        scheme=tier_scheme(parameters.rules.scheme),
        units=units,
        excluded=excluded,
    )


def store_snapshot(session: Session, frame_sha256: str, canonical: bytes, size: int) -> None:
    """Record the snapshot in the draw's transaction unless that frame is already kept."""
    from scheduler.store.models.core import utcnow
    from scheduler.store.models.plans import FrameSnapshot

    table = FrameSnapshot.__table__  # type: ignore[attr-defined]
    values = {
        "frame_sha256": frame_sha256,
        "frame_size": size,
        "encoding": "gzip",
        "data": encode(canonical),
        "created_at": utcnow(),
    }
    from scheduler.store.engine import insert_if_absent

    insert_if_absent(session, table, values)


def load_snapshot(engine: Engine, frame_sha256: str) -> bytes | None:
    """The canonical frame kept for ``frame_sha256``; ``None`` for a draw before snapshots."""
    from scheduler.store.models.plans import FrameSnapshot

    table = FrameSnapshot.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        data = connection.execute(
            select(table.c.data).where(table.c.frame_sha256 == frame_sha256)
        ).scalar()
    return None if data is None else decode(bytes(data), f"snapshot {frame_sha256[:16]}")
