"""Mitigations a researcher applies before asking for release: suppression and rounding.

Suppression withholds the cells a rule flags (primary suppression) and then
withholds more cells until no total reveals a withheld one (secondary
suppression). A table with margins is a set of linear equations: each interior
row and column sums to its margin, and the margins sum to the grand total. If
an equation has exactly one withheld entry, that entry equals the total minus
the visible entries, so one more entry of the same equation is withheld (the
smallest visible non-zero interior cell, else the margin itself). This repeats
until every equation has zero or at least two withheld entries.

What this does not guarantee: intervals narrowed by combining several
equations (a full linear-programming audit) are not computed; the release
ledger's differencing check covers the commonest cross-table attacks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from export_review.errors import OutputError
from export_review.messages import text
from export_review.outputs import Cell, TableEvidence

__all__ = ["round_counts", "suppress_cells"]

Coordinates = tuple[tuple[str, ...], tuple[str, ...]]


def _equations(table: TableEvidence) -> list[list[Coordinates]]:
    """List the additive equations the table's margins create."""
    if not table.has_margins:
        return []
    interior = table.interior
    rows = list(dict.fromkeys(c.row for c in interior))
    cols = list(dict.fromkeys(c.column for c in interior))
    margin_rows = [c.row for c in table.cells if c.is_margin and c.row not in rows]
    margin_cols = [c.column for c in table.cells if c.is_margin and c.column not in cols]
    total_row = margin_rows[0] if margin_rows else None
    total_col = margin_cols[0] if margin_cols else None
    present = {c.coordinates for c in table.cells}
    equations: list[list[Coordinates]] = []
    if total_col is not None:
        for r in rows:
            equations.append([(r, c) for c in cols] + [(r, total_col)])
    if total_row is not None:
        for c in cols:
            equations.append([(r, c) for r in rows] + [(total_row, c)])
    if total_row is not None and total_col is not None:
        equations.append([(r, total_col) for r in rows] + [(total_row, total_col)])
        equations.append([(total_row, c) for c in cols] + [(total_row, total_col)])
    return [[k for k in eq if k in present] for eq in equations]


def suppress_cells(table: TableEvidence, primary: Iterable[Coordinates]) -> TableEvidence:
    """Withhold the given cells and every cell a total would otherwise reveal.

    Args:
        table: the table (not modified).
        primary: coordinates of the cells a rule flagged.

    Returns:
        A new table whose withheld cells have ``value=None, suppressed=True``;
        margins keep the true totals, protected by secondary suppression.
    """
    by_key = {c.coordinates: c for c in table.cells}
    withheld = {k for k in primary if k in by_key}
    withheld |= {c.coordinates for c in table.cells if c.suppressed}
    equations = _equations(table)
    changed = True
    while changed:
        changed = False
        for equation in equations:
            hidden = [k for k in equation if k in withheld]
            if len(hidden) != 1:
                continue
            choice = _secondary_choice(equation, withheld, by_key)
            if choice is not None:
                withheld.add(choice)
                changed = True
    cells = tuple(
        dataclasses.replace(c, value=None, suppressed=True) if c.coordinates in withheld else c
        for c in table.cells
    )
    return dataclasses.replace(table, cells=cells)


def _secondary_choice(
    equation: list[Coordinates], withheld: set[Coordinates], by_key: dict[Coordinates, Cell]
) -> Coordinates | None:
    visible = [by_key[k] for k in equation if k not in withheld]
    # Withholding the smallest non-zero interior cell loses the least information;
    # a zero cell adds no uncertainty because it is known to be zero by structure.
    interior = sorted((c for c in visible if not c.is_margin and c.count > 0),
                      key=lambda c: (c.count, c.coordinates))
    if interior:
        return interior[0].coordinates
    margins = [c for c in visible if c.is_margin]
    if margins:
        return margins[0].coordinates
    zeros = [c for c in visible if not c.is_margin]
    return zeros[0].coordinates if zeros else None


def round_counts(table: TableEvidence, base: int) -> TableEvidence:
    """Round every released count to the nearest multiple of ``base``.

    Margins are rounded on their own true totals (not re-added from rounded
    cells), as national statistics offices do, so they stay unbiased.

    Args:
        table: a frequency table (not modified).
        base: the rounding base, e.g. 5 or 10.

    Returns:
        A new table with rounded values and ``rounding_base`` set.

    Raises:
        OutputError: for magnitude tables or a base below 2.
    """
    if base < 2:
        raise OutputError(text("mitigation.bad_base"))
    if any(c.is_magnitude for c in table.cells):
        raise OutputError(text("mitigation.round_counts_only"))
    cells = tuple(
        c if c.suppressed else dataclasses.replace(
            c, value=float(base * int((c.count + base / 2) // base)))
        for c in table.cells
    )
    return dataclasses.replace(table, cells=cells, rounding_base=base)
