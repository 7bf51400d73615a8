"""Cohort filters: a small, safe language for choosing records, read the same in kernel and enclave.

A recipe names its cohort as a filter over the dataset's columns, such as
``age >= 65 and sex == "F"`` or ``region in ("Seoul", "Busan") and not (income < 0)``.
The enclave re-applies it to its own copy of the data, so the text comes from
the researcher's kernel and is untrusted: it is parsed with Python's parser
into a syntax tree and only a fixed set of node types is accepted (names of
columns, constants, comparisons, ``and``/``or``/``not``, ``in`` lists, ``is
None``). Nothing is ever evaluated as code.

Grammar, informally::

    filter     := "" | expr
    expr       := expr "and" expr | expr "or" expr | "not" expr | "(" expr ")" | comparison
    comparison := column OP constant [OP constant ...] | column ["not"] "in" (constant, ...)
                | column "is" ["not"] "None"
    OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
    constant   := number | "text" | True | False | None

A comparison with a missing value is false, as in SQL; ``is None`` finds them.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from export_review.errors import RecipeError
from export_review.messages import text

__all__ = ["MAX_FILTER_LENGTH", "CohortFilter", "parse_filter"]

#: Longest filter accepted; a cohort definition is a line, not a program.
MAX_FILTER_LENGTH = 2000
_MAX_NODES = 400

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CohortFilter:
    """A parsed cohort filter.

    Attributes:
        text: the filter as written (``""`` selects every record).
        columns: the columns it reads.
    """

    text: str
    columns: tuple[str, ...]
    _tree: ast.expr | None = None

    def mask(self, frame: pd.DataFrame) -> _Mask:
        """Return which rows of ``frame`` the filter selects.

        Args:
            frame: the records (not modified).

        Returns:
            A boolean array aligned with ``frame``'s rows.

        Raises:
            RecipeError: when a column is missing or a comparison does not fit its type.
        """
        if self._tree is None:
            return np.ones(len(frame), dtype=bool)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise RecipeError(text("recipe.unknown_variable", variable=", ".join(missing)))
        return _evaluate(self._tree, frame)


def parse_filter(source: str, columns: Iterable[str] | None = None) -> CohortFilter:
    """Parse a cohort filter, refusing anything outside the language.

    Args:
        source: the filter text.
        columns: the dataset's columns; when given, every name must be one of them.

    Returns:
        The parsed filter.

    Raises:
        RecipeError: when the text does not parse, uses a construct outside the
            language, or names an unknown column (the message names the column,
            never a value).
    """
    if not isinstance(source, str):
        raise RecipeError(text("recipe.bad_filter", reason=text("filter.not_text")))
    if len(source) > MAX_FILTER_LENGTH:
        raise RecipeError(text("recipe.bad_filter", reason=text("filter.too_long",
                                                                 most=MAX_FILTER_LENGTH)))
    if not source.strip():
        return CohortFilter("", ())
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        raise RecipeError(text("recipe.bad_filter", reason=text("filter.syntax"))) from None
    if sum(1 for _ in ast.walk(tree)) > _MAX_NODES:
        raise RecipeError(text("recipe.bad_filter", reason=text("filter.too_long",
                                                                 most=MAX_FILTER_LENGTH)))
    names: list[str] = []
    _validate(tree.body, names)
    used = tuple(dict.fromkeys(names))
    if columns is not None:
        known = set(columns)
        unknown = [n for n in used if n not in known]
        if unknown:
            raise RecipeError(text("recipe.unknown_variable", variable=", ".join(unknown)))
    return CohortFilter(source.strip(), used, tree.body)


def _refuse(node: ast.AST) -> RecipeError:
    return RecipeError(text("recipe.bad_filter",
                            reason=text("filter.construct", construct=type(node).__name__)))


def _is_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant) and _is_number(node.operand.value)
    return isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, str | bool) or _is_number(node.value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate(node: ast.expr, names: list[str]) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _validate(value, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _validate(node.operand, names)
    elif isinstance(node, ast.Compare):
        # One operator per comparison: Python's chained ``a < b < c`` reads differently than SQL.
        if len(node.ops) != 1 or not isinstance(node.left, ast.Name):
            raise _refuse(node.left)
        names.append(node.left.id)
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if len(node.ops) != 1 or not isinstance(right, ast.Tuple | ast.List) \
                        or not all(_is_constant(e) for e in right.elts):
                    raise _refuse(right)
            elif isinstance(op, ast.Is | ast.IsNot):
                if len(node.ops) != 1 or not (isinstance(right, ast.Constant) and right.value is None):
                    raise _refuse(right)
            elif type(op) not in _COMPARE or not _is_constant(right):
                raise _refuse(right)
    else:
        raise _refuse(node)


def _constant(node: ast.expr) -> Any:
    if isinstance(node, ast.UnaryOp):
        return -node.operand.value  # type: ignore[attr-defined]
    return node.value  # type: ignore[attr-defined]


def _evaluate(node: ast.expr, frame: pd.DataFrame) -> _Mask:
    if isinstance(node, ast.BoolOp):
        parts = [_evaluate(v, frame) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = parts[0]
        for part in parts[1:]:
            result = combine(result, part)
        return result
    if isinstance(node, ast.UnaryOp):
        return ~_evaluate(node.operand, frame)
    assert isinstance(node, ast.Compare) and isinstance(node.left, ast.Name)
    column = node.left.id
    series = frame[column]
    present: _Mask = np.asarray(series.notna().to_numpy(dtype=bool))
    first = node.ops[0]
    if isinstance(first, ast.Is | ast.IsNot):
        return ~present if isinstance(first, ast.Is) else present
    if isinstance(first, ast.In | ast.NotIn):
        values = [_constant(e) for e in node.comparators[0].elts]  # type: ignore[attr-defined]
        inside: _Mask = np.asarray(series.isin(values).to_numpy(dtype=bool))
        return (inside if isinstance(first, ast.In) else ~inside) & present
    result = present.copy()
    for op, right in zip(node.ops, node.comparators, strict=True):
        value = _constant(right)
        if value is None:
            hit = ~present if isinstance(op, ast.Eq) else present
            result &= hit if isinstance(op, ast.Eq | ast.NotEq) else np.zeros_like(present)
            continue
        try:
            compared = _COMPARE[type(op)](series, value)
            hit = np.asarray(pd.Series(compared).fillna(False).to_numpy(dtype=bool))
        except (TypeError, ValueError):
            raise RecipeError(text("recipe.filter_type", variable=column)) from None
        result &= hit
    return result
