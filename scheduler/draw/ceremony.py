"""The seed of a draw and where it came from: a given seed, or a commit-reveal ceremony.

One home for the protocol, used by the CLI, the dashboard and ``verify``.

A ceremony has two public steps. **Commit**: before any seed exists, publish
the commitment (``make_commitment``): the frame hash, the parameters, when and
from which source the public value will be revealed, and the value's *format*
(``RevealFormat``: decimal digits in the order announced, optionally how many).
Its SHA-256 (``commitment_digest``, over canonical JSON) is what witnesses keep.
**Reveal**: the announced value, however it is spelled, is reduced to its
canonical form (NFKC; whitespace and punctuation removed; only ``0-9`` may
remain; the stated count checked) and the seed is::

    int.from_bytes(sha256("scheduler-seed-v2|" + commitment_sha256 + "|" + digits)
                   .digest()[:16], "big")

So "357", "3 5 7", "3、5、7" and "３５７" give one seed, and "35x7" is refused
(``InvalidInputError``, exit 2) rather than silently giving another: the person
typing the value cannot steer the draw by choosing a spelling.

Version-1 commitments (no ``reveal_format``) used ``scheduler-seed-v1`` over the
value after NFC and whitespace collapsing; ``verify`` still re-derives them, and
also the version-1 dashboard's record (``kind: reveal``, the commitment's hash and
the value, without the commitment itself). New draws accept only version-2
commitments.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from scheduler.errors import InvalidInputError

__all__ = [
    "COMMITMENT_KIND",
    "RevealFormat",
    "GivenSeed",
    "CommitReveal",
    "make_commitment",
    "commitment_digest",
    "open_ceremony",
    "check_commitment",
    "seed_source_problems",
]

COMMITMENT_KIND = "scheduler-draw-commitment"
SEED_DOMAIN = "scheduler-seed-v2"
SEED_DOMAIN_V1 = "scheduler-seed-v1"
NORMALISATION = (
    "NFKC; every whitespace, separator (Unicode Z*) and punctuation (Unicode P*) "
    "character removed; the rest must be the digits 0-9, kept in the order announced"
)
SEED_DERIVATION = (
    f'int.from_bytes(sha256("{SEED_DOMAIN}|" + commitment_sha256 + "|" + digits)'
    '.digest()[:16], "big"); commitment_sha256: lowercase hex SHA-256 of the '
    "commitment as canonical JSON (sorted keys, no spaces, UTF-8)"
)


def _canonical_json(value: Any) -> bytes:
    from scheduler.draw.receipt import canonical_json

    return canonical_json(value)


@dataclass(frozen=True)
class RevealFormat:
    """The public value's format, fixed by the commitment: decimal digits, optionally a count."""

    digits: int | None = None
    """Exactly this many digits (e.g. 3 for 福彩3D); ``None`` = one or more."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "digits",
            "digits": self.digits,
            "normalisation": NORMALISATION,
            "order": "as announced",
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RevealFormat:
        if not isinstance(data, dict) or data.get("kind") != "digits":
            raise InvalidInputError(
                f"the commitment's reveal_format must be of kind 'digits'; got {data!r}."
            )
        digits = data.get("digits")
        if digits is not None and (not isinstance(digits, int) or digits < 1):
            raise InvalidInputError(
                f"the commitment's reveal_format.digits must be a whole number >= 1 or null; "
                f"got {digits!r}."
            )
        return cls(digits)

    def canonical(self, value: str) -> str:
        """The value's one canonical spelling; refuses anything but digits and separators."""
        text = unicodedata.normalize("NFKC", value)
        kept = []
        for position, char in enumerate(text, start=1):
            if char.isspace() or unicodedata.category(char)[0] in "ZP":
                continue
            if not ("0" <= char <= "9"):
                raise InvalidInputError(
                    f"the revealed value {value!r} is not in the committed format "
                    f"(decimal digits): character {position} is {char!r} "
                    f"({unicodedata.name(char, 'unnamed')})."
                )
            kept.append(char)
        digits = "".join(kept)
        if not digits:
            raise InvalidInputError(
                f"the revealed value {value!r} holds no digit; the commitment expects "
                f"{self._expected()}."
            )
        if self.digits is not None and len(digits) != self.digits:
            raise InvalidInputError(
                f"the revealed value {value!r} has {len(digits)} digits; "
                f"the commitment fixed {self._expected()}."
            )
        return digits

    def _expected(self) -> str:
        return "one or more digits" if self.digits is None else f"exactly {self.digits} digits"


def commitment_digest(commitment: dict[str, Any]) -> str:
    """SHA-256 (hex) of the commitment as canonical JSON: the value witnesses publish."""
    return hashlib.sha256(_canonical_json(commitment)).hexdigest()


def _as_drawn(frame: Any, parameters: Any) -> dict[str, Any]:
    """The parameters as the receipt will record them: with the commitment checks
    (承诺核查) the frame resolved, so the commitment fixes the forced units too."""
    from dataclasses import replace

    checks = frame.rules.commitment_checks
    if parameters.rules.commitment_checks != checks:
        parameters = replace(parameters, rules=replace(parameters.rules, commitment_checks=checks))
    parameters_dict: dict[str, Any] = parameters.as_dict()
    return parameters_dict


def make_commitment(
    frame: Any,
    parameters: Any,
    *,
    reveal_at: str,
    value_source: str,
    digits: int | None = None,
) -> dict[str, Any]:
    """What is published before the seed exists (see the module docstring)."""
    from scheduler.draw.receipt import ALGORITHM, frame_sha256
    from scheduler.draw.sampling import ALGORITHM_VERSION

    if not reveal_at.strip() or not value_source.strip():
        raise InvalidInputError(
            "a commitment needs when the value is revealed (reveal_at) and its source "
            "(value_source)."
        )
    if digits is not None and digits < 1:
        raise InvalidInputError(f"`digits` must be a whole number >= 1; got {digits}.")
    return {
        "kind": COMMITMENT_KIND,
        "algorithm": ALGORITHM,
        "algorithm_version": ALGORITHM_VERSION,
        "frame_sha256": frame_sha256(frame),
        "frame_size": int(frame.size),
        "parameters": _as_drawn(frame, parameters),
        "reveal_at": reveal_at,
        "value_source": value_source,
        "reveal_format": RevealFormat(digits).as_dict(),
        "seed_derivation": SEED_DERIVATION,
    }


def _derive(domain: str, digest: str, text: str) -> int:
    material = f"{domain}|{digest}|{text}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:16], "big")


def _normalise_v1(value: str) -> str:
    """Version 1's reduction of a value: NFC, whitespace collapsed (kept only to verify)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value).strip())


@dataclass(frozen=True)
class GivenSeed:
    """A seed typed in by the operator: nothing about it can be checked but its record."""

    seed: int

    def record(self) -> dict[str, Any]:
        return {"kind": "given"}


@dataclass(frozen=True)
class CommitReveal:
    """A commitment and the public value revealed after it; ``open_ceremony`` builds it."""

    commitment: dict[str, Any] = field(repr=False)
    reveal: str
    """The value as it was typed."""
    canonical_value: str
    """Its canonical form (digits only), which the seed is derived from."""

    @property
    def commitment_sha256(self) -> str:
        return commitment_digest(self.commitment)

    @property
    def seed(self) -> int:
        return _derive(SEED_DOMAIN, self.commitment_sha256, self.canonical_value)

    def record(self) -> dict[str, Any]:
        """The receipt's ``seed_source``: the same shape from the CLI and the dashboard."""
        return {
            "kind": "commit-reveal",
            "commitment": self.commitment,
            "commitment_sha256": self.commitment_sha256,
            "reveal": self.reveal,
            "canonical_value": self.canonical_value,
            "derivation": SEED_DERIVATION,
        }


def open_ceremony(commitment: dict[str, Any], reveal: str) -> CommitReveal:
    """Check the commitment is a current one and the value fits its format; the ceremony."""
    from scheduler.draw.sampling import ALGORITHM_VERSION

    if not isinstance(commitment, dict) or commitment.get("kind") != COMMITMENT_KIND:
        raise InvalidInputError(
            f"not a draw commitment: its kind is {commitment.get('kind')!r}, "
            f"expected {COMMITMENT_KIND!r}."
            if isinstance(commitment, dict)
            else "not a draw commitment (expected a JSON object)."
        )
    version = commitment.get("algorithm_version")
    if version != ALGORITHM_VERSION or "reveal_format" not in commitment:
        raise InvalidInputError(
            f"the commitment is for algorithm version {version!r} without a fixed value "
            f"format; this code draws version {ALGORITHM_VERSION}: publish a new commitment."
        )
    reveal_format = RevealFormat.from_dict(commitment["reveal_format"])
    return CommitReveal(commitment, reveal, reveal_format.canonical(reveal))


def check_commitment(commitment: dict[str, Any], frame: Any, parameters: Any) -> list[str]:
    """Differences between a commitment and the frame/parameters about to be drawn."""
    from scheduler.draw.receipt import frame_sha256

    problems = []
    if commitment.get("kind") != COMMITMENT_KIND:
        problems.append("not a draw commitment (kind is missing or wrong)")
    now_hash = frame_sha256(frame)
    if commitment.get("frame_sha256") != now_hash:
        problems.append(
            f"the frame changed since the commitment: frame_sha256 {now_hash[:16]}... "
            f"({frame.size} units) != committed {str(commitment.get('frame_sha256'))[:16]}... "
            f"({commitment.get('frame_size')} units)"
        )
    now = _as_drawn(frame, parameters)
    if commitment.get("parameters") != now:
        problems.append(
            "the parameters differ from the committed ones: "
            + _first_difference(commitment.get("parameters") or {}, now)
        )
    return problems


def _first_difference(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> str:
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            if a != b:
                return _first_difference(a, b, f"{prefix}{key}.")
        elif a != b:
            return f"{prefix}{key} committed {a!r}, now {b!r}"
    return "none"


def _expected_seed(source: dict[str, Any]) -> tuple[str, int | None, str | None]:
    """(commitment hash, seed it gives, problem) for a recorded ceremony of any version."""
    kind = source.get("kind")
    if kind == "reveal":  # version-1 dashboard: the commitment's hash and the value only
        digest = str(source.get("commitment_sha256", ""))
        return (
            digest,
            _derive(SEED_DOMAIN_V1, digest, _normalise_v1(str(source.get("value", "")))),
            None,
        )
    commitment = source.get("commitment") or {}
    digest = commitment_digest(commitment)
    if "reveal_format" not in commitment:  # a version-1 commitment
        return (
            digest,
            _derive(SEED_DOMAIN_V1, digest, _normalise_v1(str(source.get("reveal", "")))),
            None,
        )
    try:
        canonical = RevealFormat.from_dict(commitment["reveal_format"]).canonical(
            str(source.get("reveal", ""))
        )
    except InvalidInputError as error:
        return digest, None, f"refused reveal: {error}"
    problem = None
    if source.get("canonical_value") != canonical:
        problem = "changed reveal: the recorded canonical value is not the reveal's"
    return digest, _derive(SEED_DOMAIN, digest, canonical), problem


def seed_source_problems(
    receipt: dict[str, Any], seed: int, published_sha256: str | None = None
) -> list[str]:
    """Why the receipt's seed does not follow from its recorded source (empty when it does).

    ``published_sha256`` is the commitment hash witnesses kept: a commitment
    re-made after the reveal has another hash, so its draw fails here.
    """
    source = receipt.get("seed_source") or {"kind": "given"}
    kind = source.get("kind")
    problems: list[str] = []
    if kind not in ("given", "commit-reveal", "reveal"):
        return [f"unknown seed source kind {kind!r}"]
    if kind == "given":
        if published_sha256:
            problems.append(
                "not drawn from the published commitment: the receipt's seed was given, "
                "not derived from a commitment and a revealed value"
            )
        return problems
    digest, expected, problem = _expected_seed(source)
    if expected is not None and expected != seed:
        problems.append(
            "changed seed: it does not follow from the commitment and the revealed value"
        )
    if problem:
        problems.append(problem)
    if source.get("commitment_sha256") != digest:
        problems.append(
            "changed commitment: its SHA-256 differs from the one recorded at the reveal"
        )
    if published_sha256 and published_sha256.strip().lower() != digest:
        problems.append(
            f"not the published commitment: the draw's commitment has SHA-256 {digest}, "
            f"the published one is {published_sha256.strip().lower()}"
        )
    if kind == "commit-reveal":
        commitment = source.get("commitment") or {}
        if commitment.get("parameters") != receipt.get("parameters"):
            problems.append("changed parameters: they differ from the committed parameters")
        if commitment.get("frame_sha256") != receipt.get("frame_sha256"):
            problems.append(
                "changed frame: the receipt's frame_sha256 differs from the committed one"
            )
    return problems
