"""The plug-in base for disclosure rules, and the result every rule returns.

A rule subclasses :class:`DisclosureCheck`, sets ``name`` and ``version``, and
implements one method per output kind it understands (``check_table``,
``check_model``, ``check_file``). A method returns ``None`` when the rule does
not apply to that output. Results name failing cells by their labels and
positions, never by the records or values behind them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from export_review.outputs import Cell, Output
from translation import Message

__all__ = [
    "STATUS_ORDER",
    "masking_labels",
    "CellRef",
    "CheckResult",
    "DisclosureCheck",
    "Status",
    "worst_status",
]

Status = Literal["pass", "review", "fail"]
#: Severity order used to combine results.
STATUS_ORDER: dict[str, int] = {"pass": 0, "review": 1, "fail": 2}

# Labels that look like identifiers are shown by position only, so that a table
# accidentally tabulated by RRN or phone number never echoes one in a result.
_IDENTIFIER_LIKE = re.compile(r"\d{6}-?[1-8]\d{6}|01[016789]-?\d{3,4}-?\d{4}|\d{9,}")
# The policy's own identifier test (project pseudonyms), set while rules run.
_LABEL_IS_IDENTIFIER: ContextVar[Callable[[str], bool] | None] = ContextVar(
    "export_review_label_is_identifier", default=None)


@contextmanager
def masking_labels(is_identifier: Callable[[str], bool]) -> Iterator[None]:
    """Mask, while the block runs, every cell label that ``is_identifier`` accepts.

    Args:
        is_identifier: tells whether a label is an identifier (e.g. a pseudonym).
    """
    token = _LABEL_IS_IDENTIFIER.set(is_identifier)
    try:
        yield
    finally:
        _LABEL_IS_IDENTIFIER.reset(token)


def worst_status(statuses: Iterable[str]) -> Status:
    """Combine statuses: any fail fails, else any review needs review, else pass.

    Args:
        statuses: the statuses to combine.

    Returns:
        The most severe status (``pass`` for none).
    """
    worst: Status = "pass"
    for status in statuses:
        if STATUS_ORDER[status] > STATUS_ORDER[worst]:
            worst = status  # type: ignore[assignment]
    return worst


@dataclass(frozen=True)
class CellRef:
    """Where a flagged cell is: its labels and its position in the table.

    Attributes:
        row: row labels.
        column: column labels.
        position: index of the cell among the table's cells.
    """

    row: tuple[str, ...]
    column: tuple[str, ...]
    position: int

    @classmethod
    def of(cls, cell: Cell, position: int) -> CellRef:
        """Make a reference to ``cell``, which is ``position``-th in its table."""
        return cls(cell.row, cell.column, position)

    def label(self) -> str:
        """Render as ``row / column`` labels, masking identifier-like labels.

        Returns:
            e.g. ``"F, Seoul / 2021"`` or ``"cell #4"``.
        """
        labels = [*self.row, *self.column]
        extra = _LABEL_IS_IDENTIFIER.get()
        if any(_IDENTIFIER_LIKE.search(part) or (extra is not None and extra(part))
               for part in labels):
            return f"cell #{self.position + 1}"
        row = ", ".join(p for p in self.row if p != "")
        column = ", ".join(p for p in self.column if p != "")
        return f"{row} / {column}" if column else row

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data."""
        return {"row": list(self.row), "column": list(self.column), "position": self.position}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellRef:
        """Rebuild from :meth:`to_dict` output."""
        return cls(tuple(map(str, data["row"])), tuple(map(str, data["column"])),
                   int(data["position"]))


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one rule on one output.

    Attributes:
        rule: the rule's name.
        version: the rule's version.
        status: ``pass``, ``review`` or ``fail``.
        message: a plain-language explanation for researcher and checker.
        cells: the flagged cells, by labels and position.
        locations: other flagged places (file lines, coefficients) by name.
    """

    rule: str
    version: str
    status: Status
    message: str
    cells: tuple[CellRef, ...] = ()
    locations: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data (with the message's id and parameters, to show it in any language)."""
        data: dict[str, Any] = {
            "rule": self.rule,
            "version": self.version,
            "status": self.status,
            "message": str(self.message),
            "cells": [c.to_dict() for c in self.cells],
            "locations": list(self.locations),
        }
        if getattr(self.message, "message_id", None):
            data["message_id"] = self.message.message_id  # type: ignore[attr-defined]
            data["message_params"] = dict(self.message.params)  # type: ignore[attr-defined]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """Rebuild from :meth:`to_dict` output."""
        status = str(data["status"])
        if status not in STATUS_ORDER:
            raise ValueError("unknown status")
        return cls(
            rule=str(data["rule"]), version=str(data["version"]),
            status=status,  # type: ignore[arg-type]
            message=(Message(str(data["message"]), str(data["message_id"]), dict(data.get("message_params") or {}))
                     if data.get("message_id") else str(data["message"])),
            cells=tuple(CellRef.from_dict(c) for c in data.get("cells", [])),
            locations=tuple(str(x) for x in data.get("locations", [])),
        )


class DisclosureCheck:
    """Base class of disclosure rules.

    Subclasses set ``name`` and ``version`` and override the ``check_*``
    methods for the kinds of output they understand. Tables, summaries and
    histograms all go to :meth:`check_table`.

    Example:
        >>> class NoEmptyComment(DisclosureCheck):
        ...     name, version = "NoEmptyComment", "1"
        ...     def check_file(self, output):
        ...         return self.result("pass" if output.comment else "review", "...")
    """

    name: ClassVar[str] = "DisclosureCheck"
    version: ClassVar[str] = "1"

    def check(self, output: Output) -> CheckResult | None:
        """Run the method for the output's kind.

        Args:
            output: the output to check.

        Returns:
            The result, or ``None`` when the rule does not apply.
        """
        if output.kind == "model":
            return self.check_model(output)
        if output.kind == "file":
            return self.check_file(output)
        return self.check_table(output)

    def check_table(self, output: Output) -> CheckResult | None:
        """Check a table, summary or histogram (default: not applicable)."""
        return None

    def check_model(self, output: Output) -> CheckResult | None:
        """Check a fitted model (default: not applicable)."""
        return None

    def check_file(self, output: Output) -> CheckResult | None:
        """Check a custom file (default: not applicable)."""
        return None

    def settings(self) -> dict[str, Any]:
        """Return the rule's parameters, recorded with every decision."""
        return {}

    def result(
        self,
        status: Status,
        message: str,
        cells: Iterable[CellRef] = (),
        locations: Iterable[str] = (),
    ) -> CheckResult:
        """Make a result stamped with this rule's name and version."""
        return CheckResult(self.name, self.version, status, message, tuple(cells),
                           tuple(locations))


def flagged_cells(cells: Iterable[tuple[int, Cell]]) -> tuple[CellRef, ...]:
    """Turn enumerated cells into references."""
    return tuple(CellRef.of(cell, i) for i, cell in cells)


def describe_cells(refs: tuple[CellRef, ...], limit: int = 8) -> str:
    """List cell labels for a message, shortening long lists."""
    labels = [r.label() for r in refs[:limit]]
    more = len(refs) - limit
    return "; ".join(labels) + (f"; +{more}" if more > 0 else "")
