"""Suppression with protected margins, and rounding."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from export_review import OutputError, OutputSession
from export_review.mitigation import _equations


def recoverable_cells(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Cells a reader can compute exactly from one row or column and its margin."""
    found = []
    interior_rows = [r for r in frame.index if r != "All"]
    interior_cols = [c for c in frame.columns if c != "All"]
    for r in interior_rows:
        hidden = [c for c in interior_cols if pd.isna(frame.loc[r, c])]
        if len(hidden) == 1 and not pd.isna(frame.loc[r, "All"]):
            found.append((r, hidden[0]))
    for c in interior_cols:
        hidden = [r for r in interior_rows if pd.isna(frame.loc[r, c])]
        if len(hidden) == 1 and not pd.isna(frame.loc["All", c]):
            found.append((hidden[0], c))
    return found


def test_suppressing_one_small_cell_does_not_leak_it_through_the_margins(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "Busan"): 30, ("F", "Jeju"): 3, ("F", "Seoul"): 40,
                   ("M", "Busan"): 25, ("M", "Jeju"): 20, ("M", "Seoul"): 50})
    raw = session.crosstab(data, "sex", "region", name="t")
    # Without secondary suppression the margin would give Jeju/F back: 73 - 30 - 40 = 3.
    assert raw.loc["F", "All"] - raw.loc["F", "Busan"] - raw.loc["F", "Seoul"] == 3
    safe = session.suppress("t")
    assert pd.isna(safe.loc["F", "Jeju"])
    assert recoverable_cells(safe) == []
    # The margins keep their true totals.
    assert safe.loc["All", "All"] == len(data)
    assert session.get("t").local_results and all(
        r.status != "fail" for r in session.get("t").local_results)


def test_every_margin_equation_has_zero_or_two_plus_hidden_entries(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 2, ("F", "B"): 40, ("F", "C"): 40,
                   ("M", "A"): 40, ("M", "B"): 40, ("M", "C"): 5,
                   ("X", "A"): 30, ("X", "B"): 30, ("X", "C"): 30})
    session.crosstab(data, "sex", "region", name="t")
    safe = session.suppress("t")
    table = session.get("t").table
    assert table is not None
    hidden = {c.coordinates for c in table.cells if c.suppressed}
    # Both cells below the minimum count are withheld, and each needs a partner in its row and its column.
    assert pd.isna(safe.loc["F", "A"]) and pd.isna(safe.loc["M", "C"])
    assert len(hidden) >= 4
    counts = [sum(k in hidden for k in equation) for equation in _equations(table)]
    assert len(counts) == 8  # three rows, three columns, and the two margins' own equations
    assert 1 not in counts and max(counts) >= 2
    assert recoverable_cells(safe) == []


def test_margin_below_threshold_is_suppressed_and_protected(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 4, ("F", "B"): 3, ("M", "A"): 40, ("M", "B"): 40})
    session.crosstab(data, "sex", "region", name="t")
    safe = session.suppress("t")
    assert pd.isna(safe.loc["F", "All"])
    assert recoverable_cells(safe) == []
    # The F row total (7) cannot be recovered as grand total minus the M total.
    totals = [safe.loc["F", "All"], safe.loc["M", "All"], safe.loc["All", "All"]]
    assert sum(pd.isna(v) for v in totals) >= 2


def test_one_way_table_suppression_protects_the_total(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 40, ("F", "B"): 3, ("F", "C"): 30})
    safe = session.frequency(data, "region", name="f", suppress=True)
    hidden = safe["count"].isna()
    assert hidden.sum() >= 2 or pd.isna(safe.loc["All", "count"])


def test_rounding_rounds_counts_and_margins_to_the_base(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12, ("F", "B"): 3, ("M", "A"): 27, ("M", "B"): 44})
    rounded = session.crosstab(data, "sex", "region", name="t", round_to=5)
    assert rounded.loc["F", "A"] == 10 and rounded.loc["F", "B"] == 5
    assert rounded.loc["All", "All"] == 85  # 86 rounded on its own
    assert session.get("t").table.rounding_base == 5  # type: ignore[union-attr]


def test_rounding_refuses_magnitude_tables(session: OutputSession,
                                           people: Callable[..., pd.DataFrame]) -> None:
    data = people({("F", "A"): 12, ("M", "A"): 27})
    session.pivot_table(data, "cost", "sex", "region", name="p")
    with pytest.raises(OutputError, match="frequency tables"):
        session.round("p", 5)
