"""Scan released text for identifiers: RRNs, phone numbers, project pseudonyms, birth dates.

Results name where a match is (a file line, a cell, the comment), never the
match itself, so the scan cannot become the leak it guards against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from export_review.checks.base import CellRef, CheckResult, DisclosureCheck, Status, worst_status
from export_review.messages import text
from export_review.outputs import Output

__all__ = ["IdentifierScan", "decode_text"]

# 주민등록번호: YYMMDD, optional hyphen, a sex/century digit 1-8, six more digits.
_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[- ]?[1-8]\d{6}(?!\d)")
# Korean mobile (010, 011, 016-019) and area-code landlines written with separators.
_PHONE = re.compile(
    r"(?<!\d)(?:01[016789][-. ]?\d{3,4}[-. ]?\d{4}|0(?:2|[3-6][1-5])[-. )]\d{3,4}[-. ]\d{4})(?!\d)"
)
_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}\s*(?:[-./]|년)\s*(?:0?[1-9]|1[0-2])\s*(?:[-./]|월)\s*"
    r"(?:0?[1-9]|[12]\d|3[01])(?!\d)"
)
# Compact dates (YYYYMMDD), as registers and claims files write birth dates.
_COMPACT_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")
_BIRTH_WORDS = re.compile(r"birth|dob|born|생년|출생|생일", re.IGNORECASE)
_DELIMITERS = ("\t", ",", ";", "|")
# A boundary at either end of a pseudonym pattern would let a prefix or suffix
# ("id_", "P") hide the pseudonym, so patterns are matched anywhere.
_EDGE_BOUNDARY = re.compile(r"^(?:\\b)+|(?:\\b)+$")
_TEXT_EXTENSIONS = {"csv", "tsv", "txt", "md", "json", "tex", "html", "log", "py", "r"}


def decode_text(content: bytes) -> str | None:
    """Decode file bytes as UTF-8 (with or without BOM) or CP949; ``None`` if binary.

    Args:
        content: the file's bytes.

    Returns:
        The text, or ``None`` when the bytes are not text.
    """
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class IdentifierScan(DisclosureCheck):
    """Fail outputs whose text contains identifiers; review bare dates and unscannable files.

    Scans comments, variable names, table labels, model summaries and the
    content of text files. RRNs, phone numbers and project pseudonyms fail
    (in any letter case, and inside longer tokens or behind a prefix); a date,
    written with separators or compact as YYYYMMDD, next to a word like
    "birth" or "생년월일" fails, as does any number in a column headed so;
    other dates and files that cannot be read as text (images) go to review.

    Args:
        pseudonym_patterns: regular expressions matching the project's pseudonyms.
        pseudonyms: exact pseudonyms to look for (e.g. the project's list).
        scan_dates: whether to look for dates at all.
    """

    name = "IdentifierScan"
    version = "1.1"

    def __init__(
        self,
        pseudonym_patterns: Sequence[str] = (),
        pseudonyms: Iterable[str] = (),
        scan_dates: bool = True,
    ) -> None:
        self.pseudonym_patterns = tuple(pseudonym_patterns)
        # Case-insensitive: an upper-cased pseudonym is the same pseudonym.
        self._patterns = [re.compile(_EDGE_BOUNDARY.sub("", p), re.IGNORECASE)
                          for p in self.pseudonym_patterns]
        self._pseudonyms = frozenset(str(p).lower() for p in pseudonyms if str(p))
        self._lengths = sorted({len(p) for p in self._pseudonyms})
        self.scan_dates = bool(scan_dates)

    def settings(self) -> dict[str, Any]:
        # The pseudonym list itself is secret-adjacent: record only its size.
        return {"pseudonym_patterns": list(self.pseudonym_patterns),
                "pseudonym_count": len(self._pseudonyms), "scan_dates": self.scan_dates}

    def classify(self, line: str) -> Status:
        """Return ``fail``/``review``/``pass`` for one line of text."""
        if _RRN.search(line) or _PHONE.search(line):
            return "fail"
        if any(p.search(line) for p in self._patterns):
            return "fail"
        if self._pseudonyms and self._contains_pseudonym(line.lower()):
            return "fail"
        if self.scan_dates and (_DATE.search(line) or _COMPACT_DATE.search(line)):
            return "fail" if _BIRTH_WORDS.search(line) else "review"
        return "pass"

    def _contains_pseudonym(self, line: str) -> bool:
        # Every window of each pseudonym length, so one inside a longer token is found
        # without a pass per pseudonym (projects hold millions of them).
        return any(line[i:i + n] in self._pseudonyms
                   for n in self._lengths for i in range(len(line) - n + 1))

    def _birth_columns(self, where: str, content: str) -> list[tuple[Status, str]]:
        """Fail dates and numbers beneath a header like ``dob`` or ``생년월일``."""
        lines = content.splitlines()
        if len(lines) < 2 or not _BIRTH_WORDS.search(lines[0]):
            return []
        delimiter = max(_DELIMITERS, key=lines[0].count)
        header = [h.strip().strip("\"'") for h in lines[0].split(delimiter)]
        columns = [i for i, h in enumerate(header) if _BIRTH_WORDS.search(h)]
        found: list[tuple[Status, str]] = []
        for number, line in enumerate(lines[1:], start=2):
            values = line.split(delimiter)
            if any(i < len(values) and re.search(r"\d", values[i]) for i in columns):
                found.append(("fail", text("location.line", where=where, line=number)))
        return found

    def _scan_lines(self, where: str, content: str) -> list[tuple[Status, str]]:
        found: list[tuple[Status, str]] = []
        for number, line in enumerate(content.splitlines(), start=1):
            status = self.classify(line)
            if status != "pass":
                found.append((status, text("location.line", where=where, line=number)))
        return found

    def _common(self, output: Output) -> list[tuple[Status, str]]:
        found = [(s, text("location.name")) for s, _ in self._scan_lines("", output.name)]
        found += self._scan_lines(text("location.comment"), output.comment)
        found += self._scan_lines(text("location.cohort"), output.cohort.description)
        names = "\n".join(output.variables)
        found += [(s, text("location.variables")) for s, _ in self._scan_lines("", names)]
        return found

    def is_identifier(self, label: str) -> bool:
        """Tell whether a label would fail the scan (used to mask labels in messages)."""
        return self.classify(label) == "fail"

    def _finish(self, found: list[tuple[Status, str]], refs: tuple[CellRef, ...] = ()
                ) -> CheckResult:
        statuses = [s for s, _ in found] + (["fail"] if refs else [])
        status = worst_status(statuses)
        locations = list(dict.fromkeys(loc for _, loc in found))
        if status == "pass":
            return self.result("pass", text("rule.identifiers.pass"))
        # Flagged cells are named by position only: their labels are the identifiers.
        where = "; ".join(locations[:8] + [f"cell #{r.position + 1}" for r in refs[:8]])
        key = "rule.identifiers.fail" if status == "fail" else "rule.identifiers.review"
        return self.result(status, text(key, where=where), refs, locations)

    def check_table(self, output: Output) -> CheckResult | None:
        found = self._common(output)
        refs: list[CellRef] = []
        if output.table is not None:
            table = output.table
            # Dates as labels of a variable named like a birth date are birth dates.
            by_birth = any(_BIRTH_WORDS.search(v) for v in (*table.row_vars, *table.col_vars))
            for i, cell in enumerate(table.cells):
                labels = (*cell.row, *cell.column)
                statuses = [self.classify(label) for label in labels]
                # Under a birth-date header any number is a birth date, whatever its format.
                if "fail" in statuses or (by_birth and any(re.search(r"\d", lab) for lab in labels)):
                    refs.append(CellRef.of(cell, i))
        return self._finish(found, tuple(refs))

    def check_model(self, output: Output) -> CheckResult | None:
        found = self._common(output)
        if output.model is not None:
            names = "\n".join(c.name for c in output.model.coefficients)
            found += [(s, text("location.coefficients")) for s, _ in self._scan_lines("", names)]
        return self._finish(found)

    def check_file(self, output: Output) -> CheckResult | None:
        found = self._common(output)
        if output.file is not None:
            content = decode_text(output.file.content)
            if content is None or output.file.extension not in _TEXT_EXTENSIONS:
                if content is not None:
                    found += self._scan_lines(output.file.filename, content)
                found.append(("review", text("location.unscannable", file=output.file.filename)))
            else:
                found += self._scan_lines(output.file.filename, content)
                found += self._birth_columns(output.file.filename, content)
        return self._finish(found)
