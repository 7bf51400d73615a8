"""The researcher's output session: make outputs in the kernel, check them, submit them.

Every call returns what the researcher asked for (a DataFrame or a statsmodels
result) and records an :class:`~export_review.outputs.Output` with the
evidence a checker needs, and a recipe (:mod:`export_review.recipes`) saying
how it was made. The policy's rules run at once and a plain-language summary
is printed; this local check is advice only: the service re-executes each
recipe on its own copy of the approved dataset and checks its own figures.

Example:
    >>> session = OutputSession(dataset="nhis_claims", record_id="pseudonym")
    >>> table = session.crosstab(df, "sex", "region", where="age >= 65",
    ...                          comment="Figure 2 of the paper")
    >>> session.suppress("crosstab_1")        # withhold small cells, protect the margins
    >>> session.submit("Tables for the 2026 report")
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from export_review.checks import DominanceRule, MinimumCellCount, PRatioRule, worst_status
from export_review.checks.base import CheckResult
from export_review.errors import OutputError, UnknownOutputError
from export_review.evidence import is_valid_output_name
from export_review.files import read_custom_file
from export_review.membership import digest_record_ids
from export_review.messages import text
from export_review.mitigation import round_counts, suppress_cells
from export_review.models import ModelMethod
from export_review.outputs import Cohort, Output, OutputKind, TableEvidence
from export_review.policy import DisclosurePolicy, default_policy
from export_review.recipes import (
    Mitigation,
    Recipe,
    execute_recipe,
    names_of,
    recipe_from_dict,
    suppressed_coordinates,
)
from export_review.rendering import render_output_files
from export_review.review import check_output
from export_review.tables import DEFAULT_SUMMARY_STATISTICS

if TYPE_CHECKING:
    from export_review.client import SubmissionReceipt

__all__ = ["DATASET_FILE", "OutputSession", "workspace_dataset_version"]

_SUPPRESSING_RULES = (MinimumCellCount, DominanceRule, PRatioRule)


#: Written by the enclave beside ``linked.parquet``: which approved version the workspace holds.
DATASET_FILE = Path("data") / "dataset.json"


def workspace_dataset_version(path: Path = DATASET_FILE) -> str:
    """Return the dataset version the enclave provisioned into this workspace (``""`` outside one)."""
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


class OutputSession:
    """Make, check, mitigate, save and submit outputs from a notebook kernel.

    Args:
        policy: the disclosure rules (default: ``policies/disclosure/default.yaml``).
        dataset: name of the dataset analysed, recorded with each output's cohort.
        record_id: column holding the record identifier (the project pseudonym);
            without it the DataFrame index is used. Used by the local differencing
            advice only: the enclave recomputes membership from its own copy.
        echo: where the plain-language check summaries go (``None`` for silence).
        dataset_version: the approved dataset version the data was read from
            (default: what the enclave wrote to ``data/dataset.json``). It goes
            into every output's recipe so the enclave recomputes from that version.
    """

    def __init__(
        self,
        *,
        policy: DisclosurePolicy | None = None,
        dataset: str = "",
        record_id: str | None = None,
        echo: Callable[[str], Any] | None = print,
        dataset_version: str | None = None,
    ) -> None:
        self.policy = policy or default_policy()
        self.dataset_version = (workspace_dataset_version() if dataset_version is None
                                else str(dataset_version))
        self.dataset = dataset
        self.record_id = record_id
        self._echo = echo
        self._outputs: dict[str, Output] = {}
        self._counter = 0

    # ----------------------------------------------------------------- outputs
    @property
    def outputs(self) -> dict[str, Output]:
        """The recorded outputs by name (a copy)."""
        return dict(self._outputs)

    def get(self, name: str) -> Output:
        """Return the recorded output ``name``.

        Raises:
            UnknownOutputError: when there is none.
        """
        try:
            return self._outputs[name]
        except KeyError:
            raise UnknownOutputError(text("session.unknown_output", name=name)) from None

    def remove(self, name: str) -> None:
        """Forget the output ``name``."""
        self.get(name)
        del self._outputs[name]

    def _ids(self, data: pd.DataFrame) -> Any:
        if not isinstance(data, pd.DataFrame):
            raise OutputError(text("output.not_frame"))
        if self.record_id is not None:
            if self.record_id not in data.columns:
                raise OutputError(text("output.missing_columns", columns=self.record_id))
            return digest_record_ids(data[self.record_id])
        return digest_record_ids(data.index)

    def _name(self, name: str | None, prefix: str) -> str:
        if name is None:
            self._counter += 1
            name = f"{prefix}_{self._counter}"
            while name in self._outputs:
                self._counter += 1
                name = f"{prefix}_{self._counter}"
        if not is_valid_output_name(name):
            raise OutputError(text("session.bad_name"))
        if name in self._outputs:
            raise OutputError(text("session.duplicate_name", name=name))
        return name

    def _make(self, name: str | None, prefix: str, data: pd.DataFrame, operation: str,
              parameters: dict[str, Any], where: str, regroup: Mapping[str, Mapping[str, str]] | None,
              cohort: str, comment: str, variables: Sequence[str]) -> tuple[Output, Any]:
        """Run a recipe on ``data`` with the shared executor and record the output."""
        if not isinstance(data, pd.DataFrame):
            raise OutputError(text("output.not_frame"))
        recipe = Recipe(self.dataset_version, where.strip(), operation, parameters,
                        {k: {str(a): str(b) for a, b in m.items()} for k, m in (regroup or {}).items()})
        recipe = recipe_from_dict(recipe.to_dict())
        done = execute_recipe(recipe, data, self._ids(data),
                              minimum_rounding_base=self.policy.minimum_rounding_base)
        if done.model is not None:
            variables = [done.model.dependent, *(c.name for c in done.model.coefficients)]
        output = Output(
            name=self._name(name, prefix), kind=done.kind,
            cohort=Cohort(self.dataset, cohort or recipe.where, done.cohort_size),
            comment=comment, variables=tuple(dict.fromkeys(variables)),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            table=done.table, model=done.model, recipe=recipe,
        )
        return self._store(output), done.fitted

    def _record(self, name: str, kind: OutputKind, data: pd.DataFrame | None,
                variables: Sequence[str], cohort: str, comment: str, **parts: Any) -> Output:
        output = Output(
            name=name, kind=kind,
            cohort=Cohort(self.dataset, cohort, 0 if data is None else len(data)),
            comment=comment, variables=tuple(dict.fromkeys(variables)),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"), **parts,
        )
        return self._store(output)

    def _store(self, output: Output) -> Output:
        results = check_output(output, self.policy)
        output = output.with_results(results)
        self._outputs[output.name] = output
        if self._echo is not None:
            self._echo(self.describe(output.name))
        return output

    def _table_result(self, output: Output, suppress: bool, round_to: int | None
                      ) -> pd.DataFrame:
        if suppress:
            return self.suppress(output.name)
        if round_to:
            return self.round(output.name, round_to)
        assert output.table is not None
        return output.table.to_frame()

    # ----------------------------------------------------------------- tables
    def crosstab(
        self,
        data: pd.DataFrame,
        index: str | Sequence[str],
        columns: str | Sequence[str] | None = None,
        *,
        values: str | None = None,
        aggfunc: str = "count",
        margins: bool = True,
        name: str | None = None,
        where: str = "",
        regroup: Mapping[str, Mapping[str, str]] | None = None,
        cohort: str = "",
        comment: str = "",
        suppress: bool = False,
        round_to: int | None = None,
    ) -> pd.DataFrame:
        """Cross-tabulate counts (or a statistic of ``values``) and record the output.

        Args:
            data: the dataset as read from ``data/`` (not modified); choose the
                cohort with ``where``, not by filtering ``data``, so the enclave
                can recompute the output.
            index: row variable(s).
            columns: column variable(s), or ``None`` for a one-way table.
            values: measured variable for a magnitude table.
            aggfunc: ``count`` or ``sum``/``mean``/``median``/``std``/``var``/``min``/``max``.
            margins: add totals.
            name: output name (default ``crosstab_<n>``).
            where: the cohort filter (see :mod:`export_review.filters`), e.g. ``"age >= 65"``.
            regroup: per variable, labels to merge, e.g. ``{"age_band": {"90+": "85+"}}``.
            cohort: description of the cohort for the checker (default: the filter).
            comment: explanation for the checker.
            suppress: apply suppression at once.
            round_to: round counts to this base at once.

        Returns:
            The released table (suppressed cells are NaN).

        Raises:
            OutputError: on unknown columns, bad arguments or a duplicate name
                (``RecipeError`` for a filter outside the filter language).
        """
        rows, cols = names_of(index), names_of(columns)
        output, _ = self._make(name, "crosstab", data, "crosstab", {
            "rows": rows, "columns": cols, "values": values,
            "aggfunc": aggfunc if values else "count", "margins": margins,
        }, where, regroup, cohort, comment, [*rows, *cols, *names_of(values)])
        return self._table_result(output, suppress, round_to)

    def pivot_table(
        self,
        data: pd.DataFrame,
        values: str,
        index: str | Sequence[str],
        columns: str | Sequence[str] | None = None,
        *,
        aggfunc: str = "mean",
        margins: bool = True,
        name: str | None = None,
        where: str = "",
        regroup: Mapping[str, Mapping[str, str]] | None = None,
        cohort: str = "",
        comment: str = "",
        suppress: bool = False,
    ) -> pd.DataFrame:
        """Aggregate ``values`` by row and column variables and record the output.

        Args:
            data: the dataset as read (not modified).
            values: the measured variable.
            index: row variable(s).
            columns: column variable(s).
            aggfunc: the statistic (default ``mean``).
            margins: add totals.
            name: output name (default ``pivot_table_<n>``).
            where: the cohort filter.
            regroup: per variable, labels to merge.
            cohort: description of the cohort for the checker.
            comment: explanation for the checker.
            suppress: apply suppression at once.

        Returns:
            The released table.
        """
        rows, cols = names_of(index), names_of(columns)
        output, _ = self._make(name, "pivot_table", data, "pivot_table", {
            "rows": rows, "columns": cols, "values": values, "aggfunc": aggfunc,
            "margins": margins,
        }, where, regroup, cohort, comment, [*rows, *cols, values])
        return self._table_result(output, suppress, None)

    def frequency(
        self,
        data: pd.DataFrame,
        column: str | Sequence[str],
        *,
        name: str | None = None,
        where: str = "",
        regroup: Mapping[str, Mapping[str, str]] | None = None,
        cohort: str = "",
        comment: str = "",
        suppress: bool = False,
        round_to: int | None = None,
    ) -> pd.DataFrame:
        """Count records per category (a one-way table with a total) and record it.

        Args:
            data: the dataset as read (not modified).
            column: the variable(s) to count by.
            name: output name (default ``frequency_<n>``).
            where: the cohort filter.
            regroup: per variable, labels to merge.
            cohort: description of the cohort for the checker.
            comment: explanation for the checker.
            suppress: apply suppression at once.
            round_to: round counts to this base at once.

        Returns:
            The released counts.
        """
        cols = names_of(column)
        output, _ = self._make(name, "frequency", data, "frequency", {
            "rows": cols, "columns": [], "values": None, "aggfunc": "count", "margins": True,
        }, where, regroup, cohort, comment, cols)
        return self._table_result(output, suppress, round_to)

    def summary(
        self,
        data: pd.DataFrame,
        columns: str | Sequence[str],
        *,
        statistics: Sequence[str] = DEFAULT_SUMMARY_STATISTICS,
        name: str | None = None,
        where: str = "",
        cohort: str = "",
        comment: str = "",
    ) -> pd.DataFrame:
        """Describe numeric columns like ``DataFrame.describe`` and record the output.

        ``min`` and ``max`` are each one record's value, so they are left out
        by default; ask for them in ``statistics`` and ``ExtremeValues`` fails
        the output.

        Args:
            data: the dataset as read (not modified).
            columns: numeric columns.
            statistics: subset of ``count, mean, std, min, p25, median, p75, max, sum, var``.
            name: output name (default ``summary_<n>``).
            where: the cohort filter.
            cohort: description of the cohort for the checker.
            comment: explanation for the checker.

        Returns:
            One row per variable, one column per statistic.
        """
        cols = names_of(columns)
        output, _ = self._make(name, "summary", data, "summary", {
            "columns": cols, "statistics": list(statistics),
        }, where, None, cohort, comment, cols)
        assert output.table is not None
        return output.table.to_frame()

    def histogram(
        self,
        data: pd.DataFrame,
        column: str,
        *,
        bins: int | Sequence[float] = 10,
        value_range: tuple[float, float] | None = None,
        name: str | None = None,
        where: str = "",
        cohort: str = "",
        comment: str = "",
    ) -> pd.DataFrame:
        """Count records per bin of a numeric column and record the output.

        Give explicit ``bins`` edges or a ``value_range`` chosen without looking
        at the data: otherwise the outer edges are the data's minimum and
        maximum, which ``ExtremeValues`` fails.

        Args:
            data: the dataset as read (not modified).
            column: the numeric column.
            bins: number of bins or explicit edges.
            value_range: lower and upper edge.
            name: output name (default ``histogram_<n>``).
            where: the cohort filter.
            cohort: description of the cohort for the checker.
            comment: explanation for the checker.

        Returns:
            A frame of bins (``bin``) and counts (``count``).
        """
        output, _ = self._make(name, "histogram", data, "histogram", {
            "column": column, "bins": bins if isinstance(bins, int) else [float(b) for b in bins],
            "range": None if value_range is None else [float(v) for v in value_range],
        }, where, None, cohort, comment, [column])
        assert output.table is not None
        return pd.DataFrame({"bin": [c.row[0] for c in output.table.cells],
                             "count": [c.count for c in output.table.cells]})

    # ----------------------------------------------------------------- models
    def _model(self, method: ModelMethod, formula: str, data: pd.DataFrame, name: str | None,
               where: str, regroup: Mapping[str, Mapping[str, str]] | None, cohort: str,
               comment: str) -> Any:
        _, fitted = self._make(name, method, data, method, {"formula": formula}, where, regroup,
                               cohort, comment, [])
        return fitted

    def ols(self, formula: str, data: pd.DataFrame, *, name: str | None = None,
            where: str = "", regroup: Mapping[str, Mapping[str, str]] | None = None,
            cohort: str = "", comment: str = "") -> Any:
        """Fit ordinary least squares (statsmodels) and record the output.

        Args:
            formula: e.g. ``"cost ~ age + C(sex)"``: column names, ``C(column)``,
                ``+ - : *`` and 0/1 only, so the enclave can refit it safely.
            data: the dataset as read (not modified).
            name: output name (default ``ols_<n>``).
            where: the cohort filter.
            regroup: per variable, labels to merge (e.g. small categories of a factor).
            cohort: description of the cohort for the checker.
            comment: explanation for the checker.

        Returns:
            The statsmodels results.
        """
        return self._model("ols", formula, data, name, where, regroup, cohort, comment)

    def logit(self, formula: str, data: pd.DataFrame, *, name: str | None = None,
              where: str = "", regroup: Mapping[str, Mapping[str, str]] | None = None,
              cohort: str = "", comment: str = "") -> Any:
        """Fit a logit model (statsmodels) and record the output; see :meth:`ols`."""
        return self._model("logit", formula, data, name, where, regroup, cohort, comment)

    def probit(self, formula: str, data: pd.DataFrame, *, name: str | None = None,
               where: str = "", regroup: Mapping[str, Mapping[str, str]] | None = None,
               cohort: str = "", comment: str = "") -> Any:
        """Fit a probit model (statsmodels) and record the output; see :meth:`ols`."""
        return self._model("probit", formula, data, name, where, regroup, cohort, comment)

    # ----------------------------------------------------------------- files
    def add_file(self, path: str | Path, comment: str, *, name: str | None = None,
                 cohort: str = "") -> Output:
        """Record a custom file (figure, text, table made elsewhere) as an output.

        Args:
            path: the file.
            comment: what it shows and why it is safe; checkers read this.
            name: output name (default: the file's stem).
            cohort: description of the records behind it.

        Returns:
            The recorded output.

        Raises:
            OutputError: when the file is missing, too large, or the name is taken.
        """
        file = read_custom_file(path, self.policy.max_file_bytes)
        stem = name or Path(file.filename).stem
        return self._record(self._name(stem, "file"), "file", None, [], cohort, comment,
                            file=file)

    # ----------------------------------------------------------------- mitigation
    def suppress(self, name: str) -> pd.DataFrame:
        """Withhold failing cells, and any cell a total would reveal, then re-check.

        Cells failing ``MinimumCellCount``, ``DominanceRule`` or ``PRatioRule``
        are withheld; secondary suppression then protects them from the margins
        (see :mod:`export_review.mitigation`).

        Args:
            name: the output.

        Returns:
            The released table with withheld cells as NaN.
        """
        output = self.get(name)
        if output.table is None:
            raise OutputError(text("mitigation.tables_only", name=name))
        flagged: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for rule in self.policy.checks:
            if isinstance(rule, _SUPPRESSING_RULES):
                result = rule.check(output)
                if result is not None and result.status != "pass":
                    flagged |= {(c.row, c.column) for c in result.cells}
        table = suppress_cells(output.table, flagged)
        recipe = None if output.recipe is None else output.recipe.with_mitigation(Mitigation(
            suppressed_coordinates(table), output.recipe.mitigation.rounding_base))
        updated = self._store(output.with_table(table, recipe))
        assert updated.table is not None
        return updated.table.to_frame()

    def round(self, name: str, base: int = 5) -> pd.DataFrame:
        """Round every released count of a frequency table to a multiple of ``base``.

        Args:
            name: the output.
            base: the rounding base (e.g. 5 or 10); at least the policy's
                ``minimum_rounding_base``.

        Returns:
            The released table.
        """
        output = self.get(name)
        if output.table is None:
            raise OutputError(text("mitigation.tables_only", name=name))
        minimum = self.policy.minimum_rounding_base
        if base < minimum:
            raise OutputError(text("recipe.rounding_below_minimum", base=base, minimum=minimum))
        table: TableEvidence = round_counts(output.table, base)
        recipe = None if output.recipe is None else output.recipe.with_mitigation(Mitigation(
            output.recipe.mitigation.suppressed, base))
        updated = self._store(output.with_table(table, recipe))
        assert updated.table is not None
        return updated.table.to_frame()

    def add_comment(self, name: str, comment: str) -> None:
        """Replace the comment on an output."""
        import dataclasses

        output = self.get(name)
        self._outputs[name] = dataclasses.replace(output, comment=comment)

    # ----------------------------------------------------------------- reporting
    def results(self, name: str) -> tuple[CheckResult, ...]:
        """Return the advisory results of the local checks on ``name``."""
        return self.get(name).local_results

    def describe(self, name: str) -> str:
        """Explain in plain words how the output fared and what to do next.

        Args:
            name: the output.

        Returns:
            A few lines of text.
        """
        output = self.get(name)
        status = worst_status(r.status for r in output.local_results)
        lines = [text("session.summary_head", name=name, kind=output.kind,
                      status=text(f"status.{status}"))]
        for result in output.local_results:
            if result.status != "pass":
                lines.append(f"  - {result.rule} ({result.status}): {result.message}")
        if status == "fail" and output.kind == "table":
            lines.append(text("session.hint_table", name=name))
        elif status == "fail":
            lines.append(text("session.hint_other"))
        lines.append(text("session.advisory"))
        return "\n".join(lines)

    # ----------------------------------------------------------------- save / submit
    def _selected(self, outputs: Sequence[str] | None) -> list[Output]:
        if outputs is None:
            return list(self._outputs.values())
        return [self.get(n) for n in outputs]

    def save(self, directory: str | Path | None = None,
             outputs: Sequence[str] | None = None) -> Path:
        """Write each output's files and its evidence to the outputs folder.

        Files are written atomically; ``<name>.evidence.json`` sits next to the
        output's files.

        Args:
            directory: target folder (default ``$ENCLAVE_OUTPUTS_DIR``).
            outputs: names to write (default: all).

        Returns:
            The folder written to.

        Raises:
            OutputError: when no folder is given and ``ENCLAVE_OUTPUTS_DIR`` is unset.
        """
        from linkage.atomic_files import write_bytes_atomically

        target = directory or os.environ.get("ENCLAVE_OUTPUTS_DIR")
        if not target:
            raise OutputError(text("session.no_outputs_dir"))
        folder = Path(target)
        for output in self._selected(outputs):
            for filename, content in render_output_files(output).items():
                write_bytes_atomically(folder / filename, content, mode=0o600)
            evidence = json.dumps(output.to_evidence(), ensure_ascii=False, indent=1)
            write_bytes_atomically(folder / f"{output.name}.evidence.json",
                                   evidence.encode("utf-8"), mode=0o600)
        return folder

    def submit(self, title: str, outputs: Sequence[str] | None = None) -> SubmissionReceipt:
        """Send outputs to the enclave service as an export request.

        Uses ``ENCLAVE_API_URL``, ``ENCLAVE_API_TOKEN`` and ``ENCLAVE_PROJECT_ID``.

        Args:
            title: what the request is for.
            outputs: names to submit (default: all).

        Returns:
            The service's receipt (request id, status, per-output status).

        Raises:
            SubmissionError: when the service refuses or cannot be reached.
        """
        from export_review.client import submit_export_request

        chosen = self._selected(outputs)
        if not chosen:
            raise OutputError(text("session.nothing_to_submit"))
        receipt = submit_export_request(title, [o.to_evidence() for o in chosen])
        if self._echo is not None:
            self._echo(text("session.submitted", id=receipt.id, status=receipt.status,
                            n=len(chosen)))
        return receipt


