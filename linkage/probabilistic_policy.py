"""The probabilistic part of a match-key scheme: which fields are encoded, how, and how pairs are scored.

A scheme may carry a ``probabilistic:`` section. It declares

* ``encodings``: the match fields each agency encodes into a keyed Bloom
  filter (q-gram length ``q``, filter length ``bits``, positions per q-gram
  ``hashes``);
* ``hardening``: transformations applied to every filter after encoding
  (``rule90``, ``xor_fold``); keyed random hashing and per-field keys are
  always on (see docs/linkage.md);
* ``blocking``: keyed blocking keys, each an exact HMAC over a combination of
  coarse match fields, used only to form candidate pairs;
* ``levels``: Dice thresholds that discretise each field's similarity into
  agreement levels for the Fellegi–Sunter model;
* ``accept`` and ``review``: match probabilities above which a pair is linked,
  and between which a pair is counted for clerical review.

The section is part of the scheme's canonical form, so it is covered by the
scheme hash every package carries: two agencies cannot encode differently
under one scheme hash.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "HARDENINGS",
    "BlockingRule",
    "FieldEncoding",
    "Hardening",
    "ProbabilisticSpec",
    "parse_probabilistic_spec",
]

Hardening = Literal["rule90", "xor_fold"]
HARDENINGS: tuple[str, ...] = ("rule90", "xor_fold")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_KEYS = frozenset({"encodings", "hardening", "blocking", "levels", "accept", "review", "max_block"})
# Positions per q-gram come from one 32-byte HMAC tag read as sixteen 16-bit words.
MAX_HASHES = 16
MAX_BITS = 4096


@dataclass(frozen=True)
class FieldEncoding:
    """How one match field is encoded into a Bloom filter.

    Attributes:
        field: A match field name (see :data:`linkage.policy.MATCH_FIELDS`).
        q: q-gram length (1 to 3).
        bits: Filter length in bits (a multiple of 64; halved by ``xor_fold``).
        hashes: Bit positions set per q-gram (1 to 16).
    """

    field: str
    q: int
    bits: int
    hashes: int

    @property
    def column(self) -> str:
        """Return the column holding this field's filters in a match-key table."""
        return f"bf_{self.field}"


@dataclass(frozen=True)
class BlockingRule:
    """A keyed blocking key: records whose keys agree become candidate pairs.

    Attributes:
        name: Lower-case name, used in the column name ``bk_<name>``.
        fields: Match fields hashed together, as a match-key pass does.
    """

    name: str
    fields: tuple[str, ...]

    @property
    def column(self) -> str:
        """Return the column holding this rule's keys in a match-key table."""
        return f"bk_{self.name}"


@dataclass(frozen=True)
class ProbabilisticSpec:
    """The probabilistic pass of a scheme.

    Attributes:
        encodings: One per encoded field.
        blocking: Rules forming candidate pairs.
        hardening: Applied in order to every filter.
        levels: Dice thresholds, highest first: a similarity at or above
            ``levels[0]`` is the top agreement level, below the last one disagreement.
        accept: Match probability at or above which a pair may be linked.
        review: Match probability at or above which an unlinked pair is counted for review.
        max_block: Blocking-key values held by more records than this on one side
            form no candidates (they carry no evidence and would explode the pairs).
    """

    encodings: tuple[FieldEncoding, ...]
    blocking: tuple[BlockingRule, ...]
    hardening: tuple[str, ...] = ("rule90",)
    levels: tuple[float, ...] = (0.999, 0.85, 0.65)
    accept: float = 0.99
    review: float = 0.5
    max_block: int = 200

    def to_dict(self) -> dict[str, Any]:
        """Return the section in its policy form, which :func:`parse_probabilistic_spec` reads back.

        The partner tool writes it into each match-key package's signed
        manifest, so the linkage unit — which holds no policy files — learns
        the encodings, blocking rules and thresholds from the packages.
        """
        return {
            "encodings": [{"field": e.field, "q": e.q, "bits": e.bits, "hashes": e.hashes} for e in self.encodings],
            "hardening": list(self.hardening),
            "blocking": [{"name": r.name, "fields": list(r.fields)} for r in self.blocking],
            "levels": list(self.levels),
            "accept": self.accept,
            "review": self.review,
            "max_block": self.max_block,
        }

    def stored_bits(self, encoding: FieldEncoding) -> int:
        """Return the length of a stored filter after hardening (``xor_fold`` halves it)."""
        return encoding.bits // 2 if "xor_fold" in self.hardening else encoding.bits


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _parse_encodings(raw: Any, at: str, fields: Sequence[str], problems: list[str]) -> list[FieldEncoding]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{at}.encodings: must be a non-empty list of {{field, q, bits, hashes}}")
        return []
    out: list[FieldEncoding] = []
    for i, item in enumerate(raw, start=1):
        where = f"{at}.encodings[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping with field, q, bits and hashes")
            continue
        extra = sorted(set(item) - {"field", "q", "bits", "hashes"})
        if extra:
            problems.append(f"{where}: unknown keys {extra}")
        name, q, bits, hashes = item.get("field"), item.get("q", 2), item.get("bits"), item.get("hashes")
        ok = True
        if name not in fields:
            problems.append(f"{where}: unknown field {name!r}; choose from {list(fields)}")
            ok = False
        elif any(e.field == name for e in out):
            problems.append(f"{where}: field '{name}' is encoded twice")
            ok = False
        if not _whole(q, 1, 3):
            problems.append(f"{where}.q: must be 1, 2 or 3")
            ok = False
        if not _whole(bits, 128, MAX_BITS) or int(str(bits)) % 128:
            problems.append(f"{where}.bits: must be a multiple of 128 between 128 and {MAX_BITS}")
            ok = False
        if not _whole(hashes, 1, MAX_HASHES):
            problems.append(f"{where}.hashes: must be a whole number from 1 to {MAX_HASHES}")
            ok = False
        if ok:
            out.append(FieldEncoding(field=str(name), q=int(q), bits=int(str(bits)), hashes=int(str(hashes))))
    return out


def _parse_blocking(
    raw: Any, at: str, fields: Sequence[str], pass_names: Sequence[str], problems: list[str]
) -> list[BlockingRule]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{at}.blocking: must be a non-empty list of {{name, fields}}")
        return []
    out: list[BlockingRule] = []
    for i, item in enumerate(raw, start=1):
        where = f"{at}.blocking[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping with name and fields")
            continue
        extra = sorted(set(item) - {"name", "fields", "description"})
        if extra:
            problems.append(f"{where}: unknown keys {extra}")
        name, rule_fields = item.get("name"), item.get("fields")
        ok = True
        if not isinstance(name, str) or not _NAME_RE.match(name):
            problems.append(f"{where}: 'name' must be lower-case letters, digits and '_'")
            ok = False
        elif any(r.name == name for r in out):
            problems.append(f"{where}: blocking rule '{name}' is named twice")
            ok = False
        if not isinstance(rule_fields, list) or not rule_fields:
            problems.append(f"{where}: 'fields' must be a non-empty list")
            ok = False
        else:
            bad = [f for f in rule_fields if f not in fields]
            if bad:
                problems.append(f"{where}: unknown fields {bad}; choose from {list(fields)}")
                ok = False
        if ok:
            assert isinstance(name, str) and isinstance(rule_fields, list)
            out.append(BlockingRule(name=name, fields=tuple(str(f) for f in rule_fields)))
    return out


def _probability(raw: dict[str, Any], key: str, default: float, at: str, problems: list[str]) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        problems.append(f"{at}.{key}: must be a probability strictly between 0 and 1")
        return default
    return float(value)


def parse_probabilistic_spec(
    raw: Any, where: str, fields: Sequence[str], pass_names: Sequence[str], problems: list[str]
) -> ProbabilisticSpec | None:
    """Validate a scheme's ``probabilistic`` section, appending every problem to ``problems``.

    Args:
        raw: The parsed section (None when the scheme has none).
        where: File name used in problem lines.
        fields: The match fields an encoding or blocking rule may name.
        pass_names: The scheme's exact passes (for messages only).
        problems: Collector of problem lines.

    Returns:
        The spec, or None when the section is absent or has problems.
    """
    if raw is None:
        return None
    at = f"{where}: probabilistic"
    if not isinstance(raw, dict):
        problems.append(f"{at}: must be a mapping with encodings and blocking")
        return None
    before = len(problems)
    extra = sorted(set(raw) - _KEYS)
    if extra:
        problems.append(f"{at}: unknown keys {extra}")
    encodings = _parse_encodings(raw.get("encodings"), at, fields, problems)
    blocking = _parse_blocking(raw.get("blocking"), at, fields, pass_names, problems)
    hardening = raw.get("hardening", ["rule90"])
    if not isinstance(hardening, list) or any(h not in HARDENINGS for h in hardening):
        problems.append(f"{at}.hardening: must be a list drawn from {list(HARDENINGS)}")
        hardening = []
    elif len(set(hardening)) != len(hardening):
        problems.append(f"{at}.hardening: a step is listed twice")
    levels = raw.get("levels", [0.999, 0.85, 0.65])
    if (
        not isinstance(levels, list)
        or not levels
        or any(isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v <= 1 for v in levels)
        or any(a <= b for a, b in zip(levels, levels[1:], strict=False))
    ):
        problems.append(f"{at}.levels: must be Dice thresholds in (0, 1], strictly decreasing")
        levels = []
    accept = _probability(raw, "accept", 0.99, at, problems)
    review = _probability(raw, "review", 0.5, at, problems)
    if review > accept:
        problems.append(f"{at}: review must not be above accept")
    max_block = raw.get("max_block", 200)
    if not _whole(max_block, 2, 1_000_000):
        problems.append(f"{at}.max_block: must be a whole number from 2 to 1000000")
    if len(problems) > before:
        return None
    return ProbabilisticSpec(
        encodings=tuple(encodings),
        blocking=tuple(blocking),
        hardening=tuple(str(h) for h in hardening),
        levels=tuple(float(v) for v in levels),
        accept=accept,
        review=review,
        max_block=int(max_block),
    )
