"""Documents kept in step with the code they describe, as Datasette's ``tests/test_docs.py`` does.

``docs/benchmarks.md`` must have a section for every benchmark script, name only
result-line fields the script prints, and give each section its target size
and a dated measurement (or say that none was made). Every verdict a benchmark
prints goes through ``judge_target``, so ``--quick`` runs print ``n/a``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from benchmarks.result_line import judge_target

ROOT = Path(__file__).resolve().parents[1]
# As in .ci/run: helpers of a benchmark (a leading underscore) and the result-line module are not benchmarks.
BENCHMARKS = sorted(p for p in (ROOT / "benchmarks").glob("*.py")
                    if p.name != "result_line.py" and not p.name.startswith("_"))
DOC = ROOT / "docs" / "benchmarks.md"
VERDICT_FIELDS = re.compile(r"\w*(target_met|meets_target)")


def _sections() -> dict[str, str]:
    """Return each ``## `name.py``` section of docs/benchmarks.md by script name."""
    parts = re.split(r"^## `([\w.]+)`\n", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _field_patterns(path: Path) -> list[re.Pattern[str]]:
    """Return patterns of the result-line names a script can print: its string literals and f-strings."""
    patterns = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            patterns.append(re.compile(re.escape(node.value)))
        elif isinstance(node, ast.JoinedStr):
            pieces = [re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+" for v in node.values]
            patterns.append(re.compile("".join(pieces)))
    return patterns


def _verdict_values(path: Path) -> list[ast.expr]:
    """Return the expressions a script assigns to a verdict field, in a dict literal or by subscript."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            found += [v for k, v in zip(node.keys, node.values, strict=True)
                      if isinstance(k, ast.Constant) and isinstance(k.value, str)
                      and VERDICT_FIELDS.fullmatch(k.value)]
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
                        and isinstance(target.slice.value, str) and VERDICT_FIELDS.fullmatch(target.slice.value)):
                    found.append(node.value)
    return found


def test_every_benchmark_has_a_section_and_every_section_a_benchmark() -> None:
    assert len(BENCHMARKS) >= 7
    assert set(_sections()) == {p.name for p in BENCHMARKS}


def test_readme_links_the_benchmarks_page() -> None:
    assert "(docs/benchmarks.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_section_gives_target_size_and_a_dated_command(script: Path) -> None:
    section = _sections()[script.name]
    assert "- **Judged at**:" in section and "- **Peer**:" in section
    last = section.split("- **Last full-size run**:", 1)[1]
    measured = re.search(r"\d{4}-\d\d-\d\d", last) and f"python benchmarks/{script.name}" in last
    assert measured or "not measured at full size in this revision" in last


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_section_quotes_only_fields_its_script_prints(script: Path) -> None:
    quoted = re.findall(r"`(\w+)=[^`]*`", _sections()[script.name])
    patterns = _field_patterns(script)
    unknown = [name for name in quoted if not any(p.fullmatch(name) for p in patterns)]
    assert unknown == []


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_verdicts_go_through_judge_target(script: Path) -> None:
    for value in _verdict_values(script):
        assert isinstance(value, ast.Call) and getattr(value.func, "id", None) == "judge_target", (
            f"{script.name} prints a verdict without judge_target, so --quick would judge a size it did not run")


def test_verdict_is_not_applicable_below_the_target_size() -> None:
    assert judge_target(True, 500_000, 10_000_000) == "n/a"
    assert judge_target(False, 9_999_999, 10_000_000) == "n/a"
    assert judge_target(True, 10_000_000, 10_000_000) == "true"
    assert judge_target(False, 12_000_000, 10_000_000) == "false"


def test_docs_quote_no_benchmark_figure_outside_the_benchmarks_page() -> None:
    # A figure copied into another page goes stale there; other pages link to docs/benchmarks.md.
    names = {name for section in _sections().values() for name in re.findall(r"`(\w+)=[^`]*`", section)}
    assert len(names) > 20
    figure = re.compile(r"`(\w+)=\S")
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    copied = [(p.name, name) for p in pages if p != DOC
              for name in figure.findall(p.read_text(encoding="utf-8")) if name in names]
    assert copied == []
