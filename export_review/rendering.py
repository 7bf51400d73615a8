"""Render outputs as the files a release contains, safe to open in a spreadsheet.

CSV cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return are prefixed with an apostrophe so spreadsheet programs show them as
text instead of running them as formulas (OWASP "CSV injection"). Plain
numbers such as ``-0.53`` are left alone: no spreadsheet evaluates them.
"""

from __future__ import annotations

import csv
import io
import math
import re

from export_review.checks.identifiers import decode_text
from export_review.outputs import Output

__all__ = ["neutralize_csv", "neutralize_csv_cell", "render_output_files"]

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
SUPPRESSED = "suppressed"


def neutralize_csv_cell(value: str) -> str:
    """Make one CSV cell inert in spreadsheets.

    Args:
        value: the cell text.

    Returns:
        The text, prefixed with ``'`` if it could start a formula.
    """
    if value.startswith(_DANGEROUS_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralize_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def neutralize_csv(content: bytes, delimiter: str = ",") -> bytes:
    """Rewrite CSV bytes with every cell neutralized.

    Args:
        content: the CSV file (UTF-8 or CP949).
        delimiter: field separator.

    Returns:
        UTF-8 CSV bytes; unreadable bytes are returned unchanged (the file
        type rule has already failed them).
    """
    decoded = decode_text(content)
    if decoded is None:
        return content
    rows = list(csv.reader(io.StringIO(decoded), delimiter=delimiter))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralize_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _fmt(value: float | None, suppressed: bool) -> str:
    if suppressed or value is None:
        return SUPPRESSED
    if math.isnan(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.6g}"


def render_output_files(output: Output) -> dict[str, bytes]:
    """Render the files an output releases, keyed by file name.

    Tables become ``<name>.csv`` (long format: labels, then the value);
    models ``<name>.csv`` (coefficients) and ``<name>.txt`` (summary); custom
    files keep their name, with CSV cells neutralized.

    Args:
        output: the output.

    Returns:
        File name to bytes.
    """
    if output.table is not None:
        table = output.table
        if table.statistic == "count":
            measure = "count"
        elif table.statistic == "summary":
            measure = "value"
        else:
            measure = f"{table.statistic}({table.value_var})"
        header = [*table.row_vars, *table.col_vars, measure]
        rows = [header]
        for cell in table.cells:
            labels = list(cell.row) + (list(cell.column) if table.col_vars else [])
            rows.append([*labels, _fmt(cell.value, cell.suppressed)])
        return {f"{output.name}.csv": _csv(rows)}
    if output.model is not None:
        model = output.model
        rows = [["term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high"]]
        for c in model.coefficients:
            rows.append([c.name, *(f"{v:.6g}" for v in (c.estimate, c.std_error, c.statistic,
                                                        c.p_value, c.ci_low, c.ci_high))])
        return {f"{output.name}.csv": _csv(rows),
                f"{output.name}.txt": model.summary_text.encode("utf-8")}
    assert output.file is not None
    content = output.file.content
    ext = output.file.extension
    if ext in ("csv", "tsv"):
        content = neutralize_csv(content, "\t" if ext == "tsv" else ",")
    return {f"{output.name}.{ext}" if ext else output.name: content}
