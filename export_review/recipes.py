"""Recipes: how an output was made, declared so the enclave can make it again from its own data.

The researcher's kernel is untrusted, so the figures and evidence it sends
prove nothing. Every output made through :class:`~export_review.OutputSession`
therefore carries a :class:`Recipe`: the dataset version read, the cohort
filter (see :mod:`export_review.filters`), the regrouping of categories, the
operation and its parameters, and the mitigation applied (suppressed cells,
rounding base). :func:`execute_recipe` is the one implementation of every
operation: the session calls it in the kernel and the service calls it on its
own stored copy of the project's approved dataset, so honest figures agree
exactly and edited ones do not.

Layout in evidence (``recipe`` key)::

    {"dataset_version": "17", "where": "age >= 65", "operation": "crosstab",
     "parameters": {"rows": ["sex"], "columns": ["region"], "values": null,
                    "aggfunc": "count", "margins": true},
     "regroup": {"age_band": {"85-89": "85+", "90+": "85+"}},
     "mitigation": {"suppressed": [[["F"], ["north"]], ...], "rounding_base": null}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from export_review.errors import OutputError, RecipeError
from export_review.filters import parse_filter
from export_review.membership import MemberArray
from export_review.messages import text
from export_review.mitigation import round_counts, suppress_cells
from export_review.models import fit_model
from export_review.outputs import ModelEvidence, OutputKind, TableEvidence
from export_review.tables import DEFAULT_SUMMARY_STATISTICS, bin_histogram, summarize_columns, tabulate

__all__ = [
    "MODEL_OPERATIONS",
    "OPERATIONS",
    "Computation",
    "Mitigation",
    "Operation",
    "Recipe",
    "execute_recipe",
    "formula_variables",
    "names_of",
    "recipe_from_dict",
    "suppressed_coordinates",
]

Operation = Literal["crosstab", "pivot_table", "frequency", "summary", "histogram",
                    "ols", "logit", "probit"]
OPERATIONS: tuple[str, ...] = ("crosstab", "pivot_table", "frequency", "summary", "histogram",
                               "ols", "logit", "probit")
MODEL_OPERATIONS: tuple[str, ...] = ("ols", "logit", "probit")
_KIND: dict[str, OutputKind] = {"crosstab": "table", "pivot_table": "table", "frequency": "table",
                                "summary": "summary", "histogram": "histogram", "ols": "model",
                                "logit": "model", "probit": "model"}
Coordinates = tuple[tuple[str, ...], tuple[str, ...]]

# A formula may name columns, C(column), and combine them; patsy evaluates any other
# Python it finds in a formula, so nothing else is let through to it.
_FORMULA_TOKEN = re.compile(r"\s*(?:(C\()|([^\W\d]\w*)|([~+\-:*()])|([01])(?!\w))")


@dataclass(frozen=True)
class Mitigation:
    """What was done to a table before release.

    Attributes:
        suppressed: coordinates of every withheld cell (primary and secondary).
        rounding_base: base the counts were rounded to, if any.
    """

    suppressed: tuple[Coordinates, ...] = ()
    rounding_base: int | None = None


@dataclass(frozen=True)
class Recipe:
    """A declarative description of one output.

    Attributes:
        dataset_version: the approved dataset version read (as the enclave names it).
        where: the cohort filter (``""`` for every record).
        operation: one of :data:`OPERATIONS`.
        parameters: the operation's parameters (see the module docstring).
        regroup: per variable, labels mapped to the group they are merged into.
        mitigation: suppression and rounding applied.
    """

    dataset_version: str
    where: str
    operation: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    regroup: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    mitigation: Mitigation = Mitigation()

    @property
    def kind(self) -> OutputKind:
        """The kind of output the recipe makes."""
        return _KIND[self.operation]

    @property
    def variables(self) -> tuple[str, ...]:
        """Every column the recipe reads: operation variables, filter columns, regrouped ones."""
        p = self.parameters
        if self.operation in MODEL_OPERATIONS:
            names = list(formula_variables(str(p.get("formula", ""))))
        elif self.operation == "summary":
            names = list(p.get("columns", ()))
        elif self.operation == "histogram":
            names = [p.get("column", "")]
        else:
            names = [*p.get("rows", ()), *p.get("columns", ())]
            if p.get("values"):
                names.append(p["values"])
        names += list(parse_filter(self.where).columns)
        names += list(self.regroup)
        return tuple(dict.fromkeys(str(n) for n in names))

    def with_mitigation(self, mitigation: Mitigation) -> Recipe:
        """Return a copy with ``mitigation``."""
        return Recipe(self.dataset_version, self.where, self.operation, self.parameters,
                      self.regroup, mitigation)

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data."""
        return {
            "dataset_version": self.dataset_version, "where": self.where,
            "operation": self.operation, "parameters": _plain(self.parameters),
            "regroup": {k: dict(v) for k, v in self.regroup.items()},
            "mitigation": {
                "suppressed": [[list(r), list(c)] for r, c in self.mitigation.suppressed],
                "rounding_base": self.mitigation.rounding_base,
            },
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _bad(where: str) -> RecipeError:
    return RecipeError(text("recipe.malformed", field=where))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _bad(where)
    return tuple(value)


def _check_parameters(operation: str, p: Mapping[str, Any]) -> dict[str, Any]:
    """Return the operation's parameters, typed and complete, or raise naming the field."""
    if operation in ("crosstab", "pivot_table", "frequency"):
        values = p.get("values")
        if values is not None and not isinstance(values, str):
            raise _bad("parameters.values")
        aggfunc = p.get("aggfunc", "count")
        margins = p.get("margins", True)
        if not isinstance(aggfunc, str):
            raise _bad("parameters.aggfunc")
        if not isinstance(margins, bool):
            raise _bad("parameters.margins")
        rows = _strings(p.get("rows"), "parameters.rows")
        if not rows:
            raise _bad("parameters.rows")
        return {"rows": list(rows), "columns": list(_strings(p.get("columns", []),
                                                              "parameters.columns")),
                "values": values, "aggfunc": aggfunc, "margins": margins}
    if operation == "summary":
        return {"columns": list(_strings(p.get("columns"), "parameters.columns")),
                "statistics": list(_strings(p.get("statistics", list(DEFAULT_SUMMARY_STATISTICS)),
                                            "parameters.statistics"))}
    if operation == "histogram":
        column, bins, span = p.get("column"), p.get("bins", 10), p.get("range")
        if not isinstance(column, str):
            raise _bad("parameters.column")
        if isinstance(bins, bool) or not (
                (isinstance(bins, int) and 1 <= bins <= 10_000)
                or (isinstance(bins, list) and 2 <= len(bins) <= 10_001
                    and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bins))):
            raise _bad("parameters.bins")
        if span is not None and not (isinstance(span, list | tuple) and len(span) == 2 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in span)):
            raise _bad("parameters.range")
        return {"column": column, "bins": bins, "range": None if span is None else list(span)}
    if operation in MODEL_OPERATIONS:
        formula = p.get("formula")
        if not isinstance(formula, str):
            raise _bad("parameters.formula")
        formula_variables(formula)
        return {"formula": formula}
    raise RecipeError(text("recipe.bad_operation", operation=str(operation)[:40]))


def formula_variables(formula: str) -> tuple[str, ...]:
    """Return the columns a model formula names, refusing anything but the safe subset.

    Args:
        formula: e.g. ``"cost ~ age + C(sex)"``.

    Returns:
        The column names, dependent first.

    Raises:
        RecipeError: for any construct outside columns, ``C()``, ``+ - : *``,
            parentheses and the constants 0 and 1, or a formula without ``~``.
    """
    if not isinstance(formula, str) or len(formula) > 2000 or formula.count("~") != 1:
        raise RecipeError(text("recipe.bad_formula"))
    names: list[str] = []
    position, depth = 0, 0
    stripped = formula.rstrip()
    while position < len(stripped):
        match = _FORMULA_TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            raise RecipeError(text("recipe.bad_formula"))
        call, name, symbol, _ = match.groups()
        if call or symbol == "(":
            depth += 1
        elif symbol == ")":
            depth -= 1
            if depth < 0:
                raise RecipeError(text("recipe.bad_formula"))
        elif name:
            names.append(name)
        position = match.end()
    if depth or not names:
        raise RecipeError(text("recipe.bad_formula"))
    return tuple(dict.fromkeys(names))


def recipe_from_dict(data: Any) -> Recipe:
    """Rebuild a recipe from evidence, validating every field.

    Args:
        data: the ``recipe`` value of an evidence dict.

    Returns:
        The recipe, parameters typed and complete.

    Raises:
        RecipeError: naming the first malformed field (never a value).
    """
    if not isinstance(data, dict):
        raise _bad("recipe")
    version, where, operation = (data.get(k) for k in ("dataset_version", "where", "operation"))
    if not isinstance(version, str):
        raise _bad("dataset_version")
    if not isinstance(where, str):
        raise _bad("where")
    if operation not in OPERATIONS:
        raise RecipeError(text("recipe.bad_operation", operation=str(operation)[:40]))
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _bad("parameters")
    regroup = data.get("regroup", {}) or {}
    if not isinstance(regroup, dict) or not all(
            isinstance(k, str) and isinstance(m, dict)
            and all(isinstance(a, str) and isinstance(b, str) for a, b in m.items())
            for k, m in regroup.items()):
        raise _bad("regroup")
    mitigation = data.get("mitigation", {}) or {}
    if not isinstance(mitigation, dict):
        raise _bad("mitigation")
    base = mitigation.get("rounding_base")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
        raise _bad("mitigation.rounding_base")
    suppressed: list[Coordinates] = []
    for i, pair in enumerate(mitigation.get("suppressed", []) or []):
        if not isinstance(pair, list) or len(pair) != 2:
            raise _bad(f"mitigation.suppressed[{i}]")
        suppressed.append((_strings(pair[0], f"mitigation.suppressed[{i}]"),
                           _strings(pair[1], f"mitigation.suppressed[{i}]")))
    return Recipe(version, where, str(operation), _check_parameters(str(operation), parameters),
                  {k: dict(m) for k, m in regroup.items()},
                  Mitigation(tuple(suppressed), base))


@dataclass(frozen=True)
class Computation:
    """What :func:`execute_recipe` made.

    Attributes:
        kind: the output kind.
        table: the table evidence (tables, summaries, histograms).
        model: the model evidence.
        fitted: the statsmodels results (models only; for the researcher).
        cohort_size: records the filter selected.
    """

    kind: OutputKind
    table: TableEvidence | None
    model: ModelEvidence | None
    fitted: Any
    cohort_size: int


def _regrouped(frame: pd.DataFrame, regroup: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    if not regroup:
        return frame
    changed = {}
    for column, mapping in regroup.items():
        series = frame[column]
        mapped = series.astype("string").map(dict(mapping))
        hit = mapped.notna().to_numpy(dtype=bool)
        out = series.astype(object).to_numpy(copy=True)
        out[hit] = mapped.to_numpy(dtype=object)[hit]
        changed[column] = pd.Series(out, index=frame.index, dtype=object)
    return frame.assign(**changed)


def execute_recipe(recipe: Recipe, frame: pd.DataFrame, ids: MemberArray, *,
                   minimum_rounding_base: int = 2) -> Computation:
    """Run a recipe on a dataset: the one implementation, in the kernel and in the enclave.

    Args:
        recipe: what to compute.
        frame: the whole dataset as read from the approved version (not modified).
        ids: record digests aligned with ``frame``'s rows.
        minimum_rounding_base: the policy's smallest rounding base.

    Returns:
        The computed evidence, mitigation applied.

    Raises:
        RecipeError: on an unknown variable, a filter outside the language or
            not fitting the column types, a refused rounding base, or a
            computation that cannot run on this data.
    """
    unknown = [v for v in recipe.variables if v not in frame.columns]
    if unknown:
        raise RecipeError(text("recipe.unknown_variable", variable=", ".join(unknown)))
    base = recipe.mitigation.rounding_base
    if base is not None and base < max(2, minimum_rounding_base):
        raise RecipeError(text("recipe.rounding_below_minimum", base=base,
                               minimum=max(2, minimum_rounding_base)))
    mask = parse_filter(recipe.where, frame.columns).mask(frame)
    cohort = frame if mask.all() else frame.loc[mask]
    cohort_ids = ids if mask.all() else ids[mask]
    cohort = _regrouped(cohort, recipe.regroup)
    p = recipe.parameters
    table: TableEvidence | None = None
    model: ModelEvidence | None = None
    fitted: Any = None
    try:
        if recipe.operation in ("crosstab", "pivot_table", "frequency"):
            table = tabulate(cohort, p["rows"], p.get("columns", ()), cohort_ids,
                             values=p.get("values"),
                             aggfunc=p.get("aggfunc", "count") if p.get("values") else "count",
                             margins=bool(p.get("margins", True)))
        elif recipe.operation == "summary":
            table = summarize_columns(cohort, p["columns"], cohort_ids,
                                      statistics=p.get("statistics", DEFAULT_SUMMARY_STATISTICS))
        elif recipe.operation == "histogram":
            span = p.get("range")
            table, _ = bin_histogram(cohort, p["column"], cohort_ids, bins=p["bins"],
                                     value_range=None if span is None else (span[0], span[1]))
        else:
            used = list(formula_variables(p["formula"]))
            # Rows missing a model variable are left out, as statsmodels does; dropping
            # them first also spares patsy the nullable dtypes (pd.NA) it cannot read.
            rows = cohort.dropna(subset=used)
            # A category no record of the cohort has would become an all-zero dummy.
            unused = {c: rows[c].cat.remove_unused_categories() for c in used
                      if isinstance(rows[c].dtype, pd.CategoricalDtype)}
            fitted, model = fit_model(recipe.operation, p["formula"],  # type: ignore[arg-type]
                                      rows.assign(**unused) if unused else rows)
    except OutputError as exc:
        raise RecipeError(text("recipe.not_computable", reason=str(exc).rstrip("."))) from None
    except ValueError:
        raise RecipeError(text("recipe.not_computable", reason="ValueError")) from None
    if table is not None:
        if recipe.mitigation.suppressed:
            table = suppress_cells(table, recipe.mitigation.suppressed)
        if base is not None:
            try:
                table = round_counts(table, base)
            except OutputError as exc:
                raise RecipeError(str(exc)) from None
    return Computation(recipe.kind, table, model, fitted, int(len(cohort)))


def suppressed_coordinates(table: TableEvidence) -> tuple[Coordinates, ...]:
    """Return the coordinates of a table's withheld cells, in table order."""
    return tuple(c.coordinates for c in table.cells if c.suppressed)


def names_of(value: str | Sequence[str] | None) -> list[str]:
    """Return a variable argument as a list of names."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
