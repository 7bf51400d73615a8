"""Generalization hierarchies: how a quasi-identifier's values become less precise.

A hierarchy has levels ``0..height-1``. Level 0 keeps the value; the top level
replaces every value by ``"*"`` (the value is suppressed); the levels between
are the kind's steps (dates to month and year, numbers to bands of growing
width, codes to shorter prefixes such as 시군구 to 시도 and then to groups such
as 권역, categories to groups).
Each hierarchy maps an array of *distinct* values at once, so that callers
generalize millions of rows by mapping their few thousand distinct values and
taking codes, never by looping over rows.
"""

from __future__ import annotations

import math
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

__all__ = [
    "SUPPRESSED",
    "CategoryHierarchy",
    "DateHierarchy",
    "Hierarchy",
    "NumericBandHierarchy",
    "PrefixHierarchy",
    "hierarchy_from_dict",
    "is_suppressed",
    "value_label",
]

SUPPRESSED = "*"
"""Label of a fully generalized (suppressed) value, as in ARX and sdcMicro."""

DateStep = Literal["month", "year", "decade"]


class Hierarchy(ABC):
    """A generalization hierarchy over one column's values."""

    kind: ClassVar[str]

    @property
    @abstractmethod
    def step_names(self) -> tuple[str, ...]:
        """Names of levels 1..height-2 (the steps between the value and ``*``)."""

    @property
    def height(self) -> int:
        """Number of levels, counting level 0 (the value) and the top (``*``)."""
        return len(self.step_names) + 2

    @property
    def top(self) -> int:
        """The level at which every value is suppressed."""
        return self.height - 1

    def level_name(self, level: int) -> str:
        """Return a short name of ``level`` for change logs and reports.

        Args:
            level: A level of this hierarchy.

        Returns:
            ``"value"``, a step name, or ``"suppressed"``.
        """
        if level == 0:
            return "value"
        if level >= self.top:
            return "suppressed"
        return self.step_names[level - 1]

    def generalize_values(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        """Map distinct values to their labels at ``level``.

        Args:
            values: One-dimensional array of values (usually distinct).
            level: Target level, ``0 <= level < height``.

        Returns:
            An object array of string labels, one per input value.

        Raises:
            ValueError: If ``level`` is outside the hierarchy.
        """
        if not 0 <= level < self.height:
            raise ValueError(f"level {level} outside 0..{self.top}")
        if level == self.top:
            return np.full(len(values), SUPPRESSED, dtype=object)
        star = is_suppressed(values)
        if star.any():
            # A value already withheld (unknown to the release) stays ``*`` at every level.
            out = np.full(len(values), SUPPRESSED, dtype=object)
            out[~star] = self.generalize_values(np.asarray(values, dtype=object)[~star], level)
            return out
        if level == 0:
            return np.array([value_label(v) for v in values], dtype=object)
        return self._generalize(values, level)

    @abstractmethod
    def _generalize(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        """Map values to labels at an intermediate level."""

    @abstractmethod
    def uncovered_mask(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Return a boolean mask of the values this hierarchy cannot generalize.

        Args:
            values: One-dimensional array of non-missing values.

        Returns:
            Boolean array, True where the value is not covered.
        """

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Return the canonical mapping this hierarchy was loaded from."""


def is_suppressed(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Return a boolean mask of the values that are ``*`` (withheld) already."""
    return np.array([isinstance(v, str) and v == SUPPRESSED for v in values], dtype=bool)


def value_label(value: object) -> str:
    """Return the canonical text of one value (integral floats print as integers)."""
    # Integral floats (pandas turns int columns with gaps into float) print as
    # integers so that level 0 labels do not change with the column's dtype.
    if isinstance(value, float | np.floating) and math.isfinite(value) and value == int(value):
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return str(value.strftime("%Y-%m-%d"))
    # Hangul may arrive decomposed (NFD, e.g. from macOS files); compare and
    # hash the composed form so that 서울 is one value however it was typed.
    return unicodedata.normalize("NFC", str(value))


@dataclass(frozen=True)
class DateHierarchy(Hierarchy):
    """Dates to month (``YYYY-MM``), year (``YYYY``) or decade (``1980s``).

    Attributes:
        steps: The intermediate levels in order, e.g. ``("month", "year")``.
    """

    steps: tuple[DateStep, ...] = ("month", "year")
    kind: ClassVar[str] = "date"

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(self.steps)

    def _generalize(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        dates = _to_dates(values)
        step = self.steps[level - 1]
        if step == "month":
            labels = dates.strftime("%Y-%m")
        elif step == "year":
            labels = dates.strftime("%Y")
        else:
            labels = pd.Index((dates.year // 10 * 10).astype(str)) + "s"
        return np.asarray(labels, dtype=object)

    def uncovered_mask(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.asarray(_to_dates(values).isna())

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "steps": list(self.steps)}


def _to_dates(values: np.ndarray[Any, Any]) -> pd.DatetimeIndex:
    if np.issubdtype(np.asarray(values).dtype, np.datetime64):
        return pd.DatetimeIndex(values)
    return pd.DatetimeIndex(
        pd.to_datetime(pd.Series(values, dtype=object).astype(str), errors="coerce", format="mixed")
    )


@dataclass(frozen=True)
class NumericBandHierarchy(Hierarchy):
    """Numbers to bands of growing width, e.g. ages to 5-, 10- and 20-year bands.

    Each width must be a multiple of the previous one so that every band of
    one level lies inside one band of the next (the hierarchy is a tree).

    Attributes:
        widths: Band widths of levels 1..n, e.g. ``(5, 10, 20)``.
        origin: Where bands start, e.g. 0 so that ages band as 0-4, 5-9, ...
    """

    widths: tuple[float, ...] = (5, 10)
    origin: float = 0
    kind: ClassVar[str] = "numeric_bands"

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(f"band {value_label(w)}" for w in self.widths)

    def _generalize(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        width = self.widths[level - 1]
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)
        lower = np.floor((numbers - self.origin) / width) * width + self.origin
        integral = float(width).is_integer() and float(self.origin).is_integer()
        out = np.empty(len(values), dtype=object)
        for i, lo in enumerate(lower):
            if integral:
                out[i] = f"{int(lo)}-{int(lo + width - 1)}"
            else:
                out[i] = f"[{value_label(lo)}, {value_label(lo + width)})"
        return out

    def uncovered_mask(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        return np.asarray(numbers.isna())

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "widths": list(self.widths), "origin": self.origin}


@dataclass(frozen=True)
class CategoryHierarchy(Hierarchy):
    """Categories to groups given as a table, as in ARX's hierarchy files.

    Attributes:
        table: For each value, its labels at levels 1..n (same length for all).
        names: Optional names of levels 1..n.
    """

    table: tuple[tuple[str, tuple[str, ...]], ...] = ()
    names: tuple[str, ...] = ()
    kind: ClassVar[str] = "categories"
    _lookup: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lookup", {k: v for k, v in self.table})

    @property
    def step_names(self) -> tuple[str, ...]:
        depth = len(self.table[0][1]) if self.table else 0
        if self.names and len(self.names) == depth:
            return self.names
        return tuple(f"group {i}" for i in range(1, depth + 1))

    def _generalize(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        lookup = self._lookup
        return np.array(
            [lookup.get(value_label(v), (SUPPRESSED,) * level)[level - 1] for v in values],
            dtype=object,
        )

    def uncovered_mask(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        lookup = self._lookup
        return np.array([value_label(v) not in lookup for v in values], dtype=bool)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "levels": {k: list(v) for k, v in self.table}}
        if self.names:
            out["names"] = list(self.names)
        return out


@dataclass(frozen=True)
class PrefixHierarchy(Hierarchy):
    """Codes to shorter prefixes, then optionally to groups of the shortest prefix.

    For example a 5-digit 시군구 code to its 2-digit 시도 (prefix 2), then the
    시도 to its 권역 (수도권, 충청권, ...) from a table in the policy.

    Attributes:
        lengths: Prefix lengths of levels 1..n, decreasing, e.g. ``(2,)``.
        width: Required length of a code at level 0; None accepts any length
            at least as long as the first prefix.
        groups: Groups of the shortest prefix for the levels after the
            prefixes (a category table keyed by that prefix), or None.
    """

    lengths: tuple[int, ...] = (2,)
    width: int | None = None
    groups: CategoryHierarchy | None = None
    kind: ClassVar[str] = "prefix"

    @property
    def step_names(self) -> tuple[str, ...]:
        names = tuple(f"prefix {n}" for n in self.lengths)
        return names + (self.groups.step_names if self.groups is not None else ())

    def _generalize(self, values: np.ndarray[Any, Any], level: int) -> np.ndarray[Any, Any]:
        if level <= len(self.lengths):
            length = self.lengths[level - 1]
            return np.array([value_label(v)[:length] for v in values], dtype=object)
        assert self.groups is not None
        shortest = np.array([value_label(v)[: self.lengths[-1]] for v in values], dtype=object)
        return self.groups.generalize_values(shortest, level - len(self.lengths))

    def uncovered_mask(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        need = self.width if self.width is not None else max(self.lengths)
        labels = [value_label(v) for v in values]
        if self.width is None:
            bad = np.array([len(s) < need for s in labels], dtype=bool)
        else:
            bad = np.array([len(s) != need for s in labels], dtype=bool)
        if self.groups is not None:
            shortest = np.array([s[: self.lengths[-1]] for s in labels], dtype=object)
            bad |= self.groups.uncovered_mask(shortest)
        return bad

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "lengths": list(self.lengths), "width": self.width}
        if self.groups is not None:
            groups = self.groups.to_dict()
            groups.pop("kind")
            out["groups"] = groups
        return out


def hierarchy_from_dict(spec: Mapping[str, Any]) -> tuple[Hierarchy | None, list[str]]:
    """Build a hierarchy from its policy mapping, collecting every problem.

    Args:
        spec: The ``hierarchy`` mapping of a policy column.

    Returns:
        The hierarchy (None when it cannot be built) and the list of problems
        found, as short reasons to embed in a policy message.
    """
    problems: list[str] = []
    kind = spec.get("kind")
    allowed = {
        "date": {"kind", "steps"},
        "numeric_bands": {"kind", "widths", "origin"},
        "prefix": {"kind", "lengths", "width", "groups"},
        "categories": {"kind", "levels", "names"},
    }
    if kind not in allowed:
        return None, [f"kind must be one of {sorted(allowed)}"]
    extra = sorted(set(spec) - allowed[str(kind)])
    if extra:
        problems.append(f"unknown key(s) {extra}")
    if kind == "date":
        steps = spec.get("steps", ["month", "year"])
        order = ["month", "year", "decade"]
        if (
            not isinstance(steps, list)
            or not steps
            or any(s not in order for s in steps)
            or [order.index(s) for s in steps] != sorted({order.index(s) for s in steps})
        ):
            problems.append("date steps must be a non-empty increasing list of month, year, decade")
            return None, problems
        return (None if problems else DateHierarchy(tuple(steps))), problems
    if kind == "numeric_bands":
        widths = spec.get("widths")
        origin = spec.get("origin", 0)
        if (
            not isinstance(widths, list)
            or not widths
            or not all(isinstance(w, int | float) and not isinstance(w, bool) and w > 0 for w in widths)
        ):
            problems.append("widths must be a non-empty list of positive numbers")
            return None, problems
        for smaller, larger in zip(widths, widths[1:], strict=False):
            ratio = larger / smaller
            if ratio <= 1 or not math.isclose(ratio, round(ratio)):
                problems.append("each width must be a whole multiple (>1) of the previous one")
                break
        if not isinstance(origin, int | float) or isinstance(origin, bool):
            problems.append("origin must be a number")
        if problems:
            return None, problems
        return NumericBandHierarchy(tuple(widths), origin), problems
    if kind == "prefix":
        lengths = spec.get("lengths")
        width = spec.get("width")
        if (
            not isinstance(lengths, list)
            or not lengths
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in lengths)
            or lengths != sorted(set(lengths), reverse=True)
        ):
            problems.append("lengths must be a non-empty strictly decreasing list of positive integers")
            return None, problems
        if width is not None and (not isinstance(width, int) or width <= lengths[0]):
            problems.append("width must be an integer longer than the first prefix")
        groups: CategoryHierarchy | None = None
        if "groups" in spec:
            raw = spec["groups"]
            if not isinstance(raw, Mapping):
                problems.append("groups must be a mapping with 'levels' (shortest prefix -> its groups) and 'names'")
            else:
                built, group_problems = hierarchy_from_dict({**raw, "kind": "categories"})
                problems.extend(f"groups: {p}" for p in group_problems)
                groups = built if isinstance(built, CategoryHierarchy) else None
        if problems:
            return None, problems
        return PrefixHierarchy(tuple(lengths), width, groups), problems
    levels = spec.get("levels")
    names = spec.get("names", [])
    if not isinstance(levels, Mapping) or not levels:
        problems.append("categories need 'levels': a mapping of value to its list of groups")
        return None, problems
    depth: int | None = None
    table: list[tuple[str, tuple[str, ...]]] = []
    for value, labels in levels.items():
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, Sequence) or not labels:
            problems.append("each category needs a non-empty list of groups")
            continue
        if depth is None:
            depth = len(labels)
        elif len(labels) != depth:
            problems.append("every category must list the same number of groups")
            break
        table.append((value_label(value), tuple(str(g) for g in labels)))
    if problems:
        return None, problems
    _check_tree(table, problems)
    if not isinstance(names, list) or (names and len(names) != depth):
        problems.append("names must list one name per group level")
    if problems:
        return None, problems
    return CategoryHierarchy(tuple(sorted(table)), tuple(str(n) for n in names)), problems


def _check_tree(table: list[tuple[str, tuple[str, ...]]], problems: list[str]) -> None:
    # A group at one level must sit under exactly one group at the next level;
    # otherwise generalization is not a function and the lattice search's
    # monotonicity (what makes pruning safe) breaks.
    parents: dict[tuple[int, str], str] = {}
    for _, groups in table:
        for level in range(len(groups) - 1):
            key = (level, groups[level])
            parent = groups[level + 1]
            if parents.setdefault(key, parent) != parent:
                problems.append(f"group at level {level + 1} has two different parents")
                return
