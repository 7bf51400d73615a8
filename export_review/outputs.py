"""Outputs: what a researcher asks to release, with the evidence a checker needs.

An :class:`Output` holds the released figures (after any mitigation) together
with the evidence the disclosure rules read: unweighted counts per cell, the
largest contributions per cell for magnitude tables, missing and negative
counts, residual degrees of freedom for models, file bytes for custom files,
the cohort filter description and the researcher's comment.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from export_review.membership import MemberArray

if TYPE_CHECKING:
    import pandas as pd

    from export_review.checks.base import CheckResult
    from export_review.recipes import Recipe

__all__ = [
    "MARGIN_LABEL",
    "Cell",
    "Coefficient",
    "Cohort",
    "FileEvidence",
    "ModelEvidence",
    "Output",
    "OutputKind",
    "TableEvidence",
]

OutputKind = Literal["table", "summary", "histogram", "model", "file"]

#: Label pandas gives margins; kept so released tables read like ``pd.crosstab``.
MARGIN_LABEL = "All"

_EMPTY_MEMBERS: MemberArray = np.zeros(0, dtype=np.uint64)


@dataclass(frozen=True)
class Cohort:
    """The records an output was computed over.

    Attributes:
        dataset: name of the dataset the records come from.
        description: the researcher's description of the filter (e.g. ``"age >= 65"``).
        size: number of records in the cohort.
    """

    dataset: str = ""
    description: str = ""
    size: int = 0


@dataclass(frozen=True)
class Cell:
    """One cell of a table, a summary or a histogram.

    Attributes:
        row: labels of the row variables (``("All", ...)`` for a margin).
        column: labels of the column variables (``()`` for one-way tables).
        count: unweighted number of records (contributors) in the cell.
        value: the released figure after mitigation; ``None`` when suppressed.
        is_margin: whether the cell is a row, column or grand total.
        statistic: what ``value`` is: ``count``, ``sum``, ``mean``, ``median``,
            ``std``, ``var``, ``min``, ``max``.
        top: the largest contributions, descending (magnitude cells only).
        total: sum of the contributions (magnitude cells only).
        n_missing: records in the cell whose measured variable is missing.
        n_negative: contributions below zero.
        suppressed: whether the released value is withheld.
        members: digests of the records behind the cell (see ``membership``).
    """

    row: tuple[str, ...]
    column: tuple[str, ...]
    count: int
    value: float | None
    is_margin: bool = False
    statistic: str = "count"
    top: tuple[float, ...] = ()
    total: float | None = None
    n_missing: int = 0
    n_negative: int = 0
    suppressed: bool = False
    members: MemberArray = field(default_factory=lambda: _EMPTY_MEMBERS, compare=False,
                                 repr=False)

    @property
    def is_magnitude(self) -> bool:
        """Whether the cell reports a magnitude (sum, mean...) rather than a count."""
        return self.statistic != "count"

    @property
    def coordinates(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Row and column labels, the key of the cell within its table."""
        return (self.row, self.column)


@dataclass(frozen=True)
class TableEvidence:
    """A table, summary or histogram with per-cell evidence.

    Attributes:
        statistic: ``count`` for frequency tables, else the aggregation name;
            ``summary`` when each column is its own statistic.
        row_vars: names of the row variables.
        col_vars: names of the column variables.
        value_var: the measured variable of a magnitude table, if any.
        cells: every cell, interior and margins.
        has_margins: whether totals are part of the table.
        rounding_base: base the released counts were rounded to, if any.
        extreme_statistics: statistics or bin edges released that are one
            record's value (``min``, ``max``, ``lower_edge``, ``upper_edge``).
    """

    statistic: str
    row_vars: tuple[str, ...]
    col_vars: tuple[str, ...]
    value_var: str | None
    cells: tuple[Cell, ...]
    has_margins: bool = True
    rounding_base: int | None = None
    extreme_statistics: tuple[str, ...] = ()

    @property
    def interior(self) -> tuple[Cell, ...]:
        """Cells that are not margins."""
        return tuple(cell for cell in self.cells if not cell.is_margin)

    def to_frame(self) -> pd.DataFrame:
        """Return the released table as a DataFrame (suppressed cells are NaN).

        Returns:
            Rows indexed by the row labels, columns by the column labels.
        """
        import pandas as pd

        rows: list[tuple[str, ...]] = []
        cols: list[tuple[str, ...]] = []
        for cell in self.cells:
            if cell.row not in rows:
                rows.append(cell.row)
            if cell.column not in cols:
                cols.append(cell.column)
        grid = {(c.row, c.column): c.value for c in self.cells}
        data = [
            [
                math.nan if grid.get((r, c)) is None else grid[(r, c)]
                for c in cols
            ]
            for r in rows
        ]
        index = _labels_to_index(rows, self.row_vars or ("row",))
        col_names = self.col_vars or (self.value_var or self.statistic,)
        columns = _labels_to_index(
            [c if c else (col_names[0],) for c in cols], self.col_vars or ("",)
        )
        return pd.DataFrame(data, index=index, columns=columns)


def _labels_to_index(labels: list[tuple[str, ...]], names: tuple[str, ...]) -> pd.Index:
    import pandas as pd

    if len(names) == 1:
        return pd.Index([label[0] for label in labels], name=names[0] or None)
    return pd.MultiIndex.from_tuples(labels, names=list(names))


@dataclass(frozen=True)
class Coefficient:
    """One estimated parameter of a model.

    Attributes:
        name: the regressor (``Intercept`` for the constant).
        estimate: the point estimate.
        std_error: its standard error.
        statistic: t or z statistic.
        p_value: two-sided p value.
        ci_low: lower bound of the 95% confidence interval.
        ci_high: upper bound of the 95% confidence interval.
    """

    name: str
    estimate: float
    std_error: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ModelEvidence:
    """A fitted model with what the checker needs.

    Attributes:
        method: ``ols``, ``logit`` or ``probit``.
        formula: the model formula.
        dependent: the dependent variable.
        nobs: number of observations used in the fit.
        df_resid: residual degrees of freedom.
        coefficients: the estimated parameters.
        summary_text: statsmodels' text summary (what is released).
        term_support: for each 0/1 term of the design (dummies, binary
            regressors, a binary outcome), the records on its rarer side.
    """

    method: str
    formula: str
    dependent: str
    nobs: int
    df_resid: float
    coefficients: tuple[Coefficient, ...]
    summary_text: str
    term_support: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class FileEvidence:
    """A custom file (figure, text, table made elsewhere).

    Attributes:
        filename: the file's base name.
        content: the file's bytes.
        sha256: hex digest of ``content``.
    """

    filename: str
    content: bytes = field(repr=False)
    sha256: str

    @property
    def extension(self) -> str:
        """Lower-case extension without the dot (``""`` when there is none)."""
        base = self.filename.rsplit("/", 1)[-1]
        return base.rsplit(".", 1)[-1].lower() if "." in base else ""


@dataclass(frozen=True)
class Output:
    """One output a researcher may ask to release.

    Attributes:
        name: unique name within the session (used as the release file stem).
        kind: ``table``, ``summary``, ``histogram``, ``model`` or ``file``.
        cohort: the records it was computed over.
        comment: the researcher's explanation for the checker.
        variables: every variable the output uses.
        created_at: ISO-8601 UTC time it was made.
        table: table evidence for tables, summaries and histograms.
        model: model evidence for regressions.
        file: the custom file.
        local_results: the advisory results of the checks run in the kernel.
        recipe: how the output was made, for the enclave to recompute it
            (``None`` for custom files and outputs made outside a session).
    """

    name: str
    kind: OutputKind
    cohort: Cohort
    comment: str
    variables: tuple[str, ...]
    created_at: str
    table: TableEvidence | None = None
    model: ModelEvidence | None = None
    file: FileEvidence | None = None
    local_results: tuple[CheckResult, ...] = ()
    recipe: Recipe | None = None

    def to_evidence(self) -> dict[str, Any]:
        """Serialize to a JSON-compatible dict (see ``export_review.evidence``).

        Returns:
            The versioned evidence dict.
        """
        from export_review.evidence import output_to_evidence

        return output_to_evidence(self)

    @classmethod
    def from_evidence(cls, data: dict[str, Any]) -> Output:
        """Rebuild an output from evidence made by :meth:`to_evidence`.

        Args:
            data: the evidence dict.

        Returns:
            The output.

        Raises:
            EvidenceError: when the evidence is malformed or of an unknown schema.
        """
        from export_review.evidence import output_from_evidence

        return output_from_evidence(data)

    def with_table(self, table: TableEvidence, recipe: Recipe | None = None) -> Output:
        """Return a copy with a new table (used by mitigations) and, if given, its recipe."""
        return dataclasses.replace(self, table=table, local_results=(),
                                   recipe=recipe if recipe is not None else self.recipe)

    def with_results(self, results: tuple[CheckResult, ...]) -> Output:
        """Return a copy carrying the given advisory check results."""
        return dataclasses.replace(self, local_results=results)
