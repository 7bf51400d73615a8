"""The release ledger: every released output per project, to catch differencing.

Each released table, summary or histogram is kept with its cohort and, for
every released cell, its count and record-membership digests. A new output is
compared with the ledger (and with the other outputs of the same request).

Detected differencing patterns, precisely:

* **Nested cells.** A new released cell N and a released cell R where the
  records of one are a strict subset of the records of the other and the
  difference holds between 1 and ``threshold - 1`` records. ``R - N`` then
  describes those few records exactly. This covers, whatever the variables:
  cohort A versus A minus a few people (every cell and total of the two
  tables); a table that differs by one category or a re-cut band (its total or
  band versus the released one); a released total versus a new sub-total;
  the same table over a cohort with a handful of records added.
* Margins count as cells, so a new grand total against a released grand total
  is compared too.

Not detected: differences that need three or more cells combined
(``A - B - C``), cohorts that overlap without nesting, magnitudes of
models, and tables released before the ledger existed. Suppressed cells are
not released and are never compared.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from export_review.checks.base import CellRef
from export_review.errors import EvidenceError
from export_review.membership import MemberArray, decode_members, encode_members, is_strict_subset
from export_review.messages import text
from export_review.outputs import Cohort, Output

__all__ = ["Collision", "LedgerCell", "LedgerEntry", "ReleaseLedger"]

LEDGER_VERSION = 1


@dataclass(frozen=True)
class LedgerCell:
    """A released cell: labels, count and record membership."""

    row: tuple[str, ...]
    column: tuple[str, ...]
    count: int
    members: MemberArray = field(compare=False, repr=False)

    def label(self) -> str:
        """Render the cell's labels as the results do."""
        return CellRef(self.row, self.column, 0).label()


@dataclass(frozen=True)
class LedgerEntry:
    """One released output.

    Attributes:
        output_name: the output's name.
        request_id: the export request it was released in.
        released_at: ISO-8601 UTC time of release.
        cohort: the records it was computed over.
        variables: the variables it uses.
        cells: its released cells.
    """

    output_name: str
    request_id: str
    released_at: str
    cohort: Cohort
    variables: tuple[str, ...]
    cells: tuple[LedgerCell, ...]

    @classmethod
    def from_output(cls, output: Output, request_id: str = "", released_at: str = "") -> LedgerEntry:
        """Make an entry from an output's released cells."""
        cells: tuple[LedgerCell, ...] = ()
        if output.table is not None:
            cells = tuple(LedgerCell(c.row, c.column, c.count, c.members)
                          for c in output.table.cells if not c.suppressed and c.members.size)
        return cls(output.name, str(request_id), released_at, output.cohort, output.variables,
                   cells)

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data."""
        return {
            "output_name": self.output_name, "request_id": self.request_id,
            "released_at": self.released_at,
            "cohort": {"dataset": self.cohort.dataset, "description": self.cohort.description,
                       "size": self.cohort.size},
            "variables": list(self.variables),
            "cells": [{"row": list(c.row), "column": list(c.column), "count": c.count,
                       "members": encode_members(c.members)} for c in self.cells],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LedgerEntry:
        """Rebuild from :meth:`to_dict` output."""
        cohort = data["cohort"]
        return cls(
            output_name=str(data["output_name"]), request_id=str(data["request_id"]),
            released_at=str(data["released_at"]),
            cohort=Cohort(str(cohort["dataset"]), str(cohort["description"]), int(cohort["size"])),
            variables=tuple(str(v) for v in data["variables"]),
            cells=tuple(LedgerCell(tuple(map(str, c["row"])), tuple(map(str, c["column"])),
                                   int(c["count"]), decode_members(str(c["members"])))
                        for c in data["cells"]),
        )


@dataclass(frozen=True)
class Collision:
    """A new cell that differs from a released cell by too few records.

    Attributes:
        cell: the new cell.
        released_output: the released output it collides with.
        released_cell: that output's cell label.
        request_id: the export request that released it (``""`` if pending).
        isolated: how many records the difference isolates.
    """

    cell: CellRef
    released_output: str
    released_cell: str
    request_id: str
    isolated: int


class ReleaseLedger:
    """Every output released for one project, with the cells needed to detect differencing.

    Args:
        project_id: the project the ledger belongs to.
        entries: released outputs, oldest first.
    """

    def __init__(self, project_id: str, entries: Iterable[LedgerEntry] = ()) -> None:
        self.project_id = str(project_id)
        self._entries: list[LedgerEntry] = list(entries)

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """The released outputs, oldest first."""
        return tuple(self._entries)

    def is_released(self, output_name: str) -> bool:
        """Tell whether an output of this name was released."""
        return any(e.output_name == output_name for e in self._entries)

    def record_release(self, output: Output, *, request_id: str | int = "",
                       released_at: str | None = None) -> LedgerEntry:
        """Add a released output.

        Args:
            output: the output, as approved.
            request_id: the export request that released it.
            released_at: release time (default: now, UTC).

        Returns:
            The new entry.
        """
        when = released_at or datetime.now(UTC).isoformat(timespec="seconds")
        entry = LedgerEntry.from_output(output, str(request_id), when)
        self._entries.append(entry)
        return entry

    def find_collisions(self, output: Output, threshold: int,
                        pending: Sequence[LedgerEntry] = ()) -> list[Collision]:
        """Find new cells that a released (or pending) cell isolates fewer than ``threshold`` records from.

        Args:
            output: the new output.
            threshold: fewest records a difference may isolate.
            pending: other outputs of the same request, not yet released.

        Returns:
            Every collision, at most one per new cell.
        """
        if output.table is None:
            return []
        pool: list[tuple[int, LedgerCell, LedgerEntry]] = []
        others = [e for e in pending if e.output_name != output.name]
        for entry in [*self._entries, *others]:
            pool.extend((c.members.size, c, entry) for c in entry.cells)
        pool.sort(key=lambda item: item[0])
        sizes = [item[0] for item in pool]
        collisions: list[Collision] = []
        for position, cell in enumerate(output.table.cells):
            if cell.suppressed or cell.members.size == 0:
                continue
            n = cell.members.size
            lo = bisect.bisect_left(sizes, n - threshold + 1)
            hi = bisect.bisect_right(sizes, n + threshold - 1)
            for size, released, entry in pool[lo:hi]:
                if size == n:
                    continue
                small, large = (cell.members, released.members) if n < size else (
                    released.members, cell.members)
                if is_strict_subset(small, large):
                    collisions.append(Collision(
                        cell=CellRef.of(cell, position), released_output=entry.output_name,
                        released_cell=released.label(), request_id=entry.request_id,
                        isolated=abs(size - n)))
                    break
        return collisions

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data."""
        return {"version": LEDGER_VERSION, "project_id": self.project_id,
                "entries": [e.to_dict() for e in self._entries]}

    def to_json(self) -> str:
        """Serialize to JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseLedger:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            EvidenceError: when the data is not a ledger of a known version.
        """
        if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION:
            raise EvidenceError(text("ledger.invalid"))
        try:
            return cls(str(data["project_id"]),
                       [LedgerEntry.from_dict(e) for e in data["entries"]])
        except (KeyError, TypeError, ValueError) as exc:
            raise EvidenceError(text("ledger.invalid")) from exc

    @classmethod
    def from_json(cls, payload: str) -> ReleaseLedger:
        """Rebuild from :meth:`to_json` output."""
        try:
            data = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise EvidenceError(text("ledger.invalid")) from exc
        return cls.from_dict(data)


