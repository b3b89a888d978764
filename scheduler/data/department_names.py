"""Which department a planner means: a code in any case (``market``) or a Chinese name.

Planners name departments as they speak: 市市场监管局 (the official name),
市场监管局 (without the city prefix) or the code MARKET. Every entry point
(CLI options, plan creation, frame building) resolves through :func:`resolve_department`,
so the rule and its error message (which lists code and name) live once.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.errors import InvalidInputError

__all__ = ["resolve_department"]

_LEVEL_PREFIXES = ("市", "县", "区")


def _bare(name: str) -> str:
    """A name without its administrative-level prefix: 市市场监管局 -> 市场监管局."""
    name = name.strip()
    return name[1:] if len(name) > 2 and name.startswith(_LEVEL_PREFIXES) else name


def resolve_department(text: str, departments: Iterable[tuple[str, str]]) -> str:
    """The code of the department ``text`` names, from ``(code, name)`` pairs.

    Tried in order: the code, ignoring case; the exact name; the name without its
    level prefix (市场监管局 for 市市场监管局). Raises ``InvalidInputError`` listing
    every department as ``CODE 名称`` when nothing (or more than one) matches.
    """
    pairs = [(str(code), str(name)) for code, name in departments]
    wanted = text.strip()
    for matches in (
        [code for code, _ in pairs if code.casefold() == wanted.casefold()],
        [code for code, name in pairs if name == wanted],
        [code for code, name in pairs if _bare(name) == wanted],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InvalidInputError(
                f"department {text!r} is ambiguous: {', '.join(sorted(matches))}; give the code."
            )
    listing = ", ".join(f"{code} {name}" for code, name in sorted(pairs))
    raise InvalidInputError(f"unknown department {text!r}; known: {listing}")
