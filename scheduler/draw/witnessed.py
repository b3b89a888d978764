"""The two user actions of a witnessed draw: publish a commitment, draw from its reveal.

``ceremony`` holds the protocol (formats, seed derivation); this module holds the
steps a user takes, so the CLI and the dashboard run the same checks in the same
order: a commitment is only made for a frame that can be drawn, and a draw from
a revealed value is refused when the frame or the parameters changed since.
"""

from __future__ import annotations

from typing import Any

from scheduler.draw import ceremony
from scheduler.errors import VerificationError

__all__ = ["commit_to_frame", "seed_from_reveal"]


def commit_to_frame(
    frame: Any,
    parameters: Any,
    *,
    reveal_at: str,
    value_source: str,
    digits: int | None = None,
) -> dict[str, Any]:
    """The commitment to publish before the public value exists (no seed yet).

    The frame's inclusion probabilities are computed first, so a policy that
    cannot be drawn on this frame is refused now rather than after the reveal.
    """
    from scheduler.draw.policy import unit_probabilities

    unit_probabilities(frame, parameters.policy)
    return ceremony.make_commitment(
        frame, parameters, reveal_at=reveal_at, value_source=value_source, digits=digits
    )


def seed_from_reveal(
    commitment: dict[str, Any], reveal: str, frame: Any, parameters: Any
) -> tuple[int, dict[str, Any]]:
    """``(seed, seed source record)`` from the announced value, or a refusal.

    Raises ``VerificationError`` naming each difference when the frame or the
    parameters are not those the commitment fixed.
    """
    opened = ceremony.open_ceremony(commitment, reveal)
    problems = ceremony.check_commitment(commitment, frame, parameters)
    if problems:
        raise VerificationError("refusing to draw: " + "; ".join(problems))
    return opened.seed, opened.record()
