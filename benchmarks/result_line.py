"""The last line every benchmark prints: space-separated ``name=value`` pairs.

CI and the README read this line, so its form is fixed here once: names are
kept as given, floats get four significant digits (or six for values of a
million and more), booleans are ``true``/``false``, and spaces inside a value
become ``_`` so that the line always splits cleanly.

A benchmark's target is defined at one size; a verdict on it is printed only
when the run was at least that size (:func:`judge_target`), so a ``--quick``
run in CI never reports a verdict it did not measure.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["format_result_line", "judge_target", "print_result_line"]


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) >= 1e6 else f"{value:.4g}"
    return str(value).replace(" ", "_")


def judge_target(met: bool, size: float, target_size: float) -> str:
    """Return the verdict on a target: ``true`` or ``false``, or ``n/a`` below the target's size.

    Args:
        met: Whether this run's figures meet the target.
        size: The size this run measured (records, rows, operations).
        target_size: The size at which the target is defined.

    Returns:
        ``"true"``, ``"false"``, or ``"n/a"`` when ``size < target_size``.
    """
    if size < target_size:
        return "n/a"
    return "true" if met else "false"


def format_result_line(values: Mapping[str, object]) -> str:
    """Return ``values`` as one line of ``name=value`` pairs.

    Args:
        values: Names and values, in the order to print.

    Returns:
        The line, without a newline.
    """
    return " ".join(f"{name}={_format(value)}" for name, value in values.items())


def print_result_line(values: Mapping[str, object]) -> None:
    """Print the final result line (flushing, so it is last even with pipes).

    Args:
        values: Names and values, in the order to print.
    """
    print(format_result_line(values), flush=True)
