"""Atomic output files: a file is either absent, the old one, or complete — never truncated.

Every writer of an output (draw CSV, receipt, reserves, assignment CSV and
sidecars, exports, public lists) writes through ``atomic_target``: the bytes
go to a temporary file in the target's own folder (same file system, so the
final ``os.replace`` is atomic), are flushed to disk, and only then take the
target's name. Parent folders are created. An OS error (the target is a
folder, a parent cannot be created, no permission, a full disk) becomes an
``OutputError`` (exit 2) naming the path and the reason, and leaves no
temporary file behind.

``Staging`` does the same for several files whose publication must follow a
database commit: files are written to temporary names first (so a full disk
is found before anything is recorded), moved into place after the commit,
and removed if the commit fails. ``check_targets`` refuses an existing
output unless the caller allows overwriting (the CLI's ``--force``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scheduler.errors import OutputError

__all__ = ["atomic_target", "write_bytes", "write_text", "check_targets", "Staging"]


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _parent(target: Path) -> Path:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot write {target}: cannot create folder {parent}: {_reason(error)}"
        ) from None
    return parent


def _temporary(target: Path) -> Path:
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    parent = _parent(target)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {_reason(error)}") from None
    os.close(handle)
    return Path(name)


def _sync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


@contextmanager
def atomic_target(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically."""
    target = Path(path)
    temporary = _temporary(target)
    try:
        yield temporary
        _sync(temporary)
        os.replace(temporary, target)
    except OSError as error:
        _discard(temporary)
        raise OutputError(f"cannot write {target}: {_reason(error)}") from None
    except BaseException:
        _discard(temporary)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_target(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (``\\n`` line ends kept as given)."""
    return write_bytes(path, text.encode(encoding))


def check_targets(paths: Iterable[str | Path | None], *, overwrite: bool) -> None:
    """Refuse outputs that are folders, or that exist when ``overwrite`` is false.

    Called before any work is recorded, so a refused output burns nothing.
    """
    for path in paths:
        if path is None:
            continue
        target = Path(path)
        if target.is_dir():
            raise OutputError(f"cannot write {target}: it is a folder")
        if target.exists() and not overwrite:
            raise OutputError(f"{target} exists; overwriting it was not allowed").about("overwrite")


class Staging:
    """Outputs written now under temporary names, put in place by ``publish``.

    Use as a context manager: leaving it without ``publish`` (an error, a
    refused commit) removes every staged file.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def write(self, path: str | Path, writer: Callable[[Path], object]) -> None:
        """Call ``writer(temporary_path)`` now; the file takes ``path``'s name on ``publish``."""
        target = Path(path)
        temporary = _temporary(target)
        self._staged.append((temporary, target))
        try:
            writer(temporary)
            _sync(temporary)
        except OutputError as error:
            raise OutputError(str(error).replace(str(temporary), str(target))) from None
        except OSError as error:
            raise OutputError(f"cannot write {target}: {_reason(error)}") from None

    def publish(self) -> list[Path]:
        """Move every staged file into place; returns the targets."""
        done: list[Path] = []
        for temporary, target in self._staged:
            try:
                os.replace(temporary, target)
            except OSError as error:
                raise OutputError(f"cannot write {target}: {_reason(error)}") from None
            done.append(target)
        self._staged = []
        return done

    def discard(self) -> None:
        for temporary, _ in self._staged:
            _discard(temporary)
        self._staged = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        self.discard()
