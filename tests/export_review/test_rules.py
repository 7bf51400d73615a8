"""Each disclosure rule on hand-made tables at and around its threshold."""

from __future__ import annotations

import hashlib

import pytest

from export_review import (
    AllowedFileTypes,
    Cell,
    Cohort,
    DominanceRule,
    EvidenceConsistency,
    ExtremeValues,
    HistogramBins,
    IdentifierScan,
    MinimumCellCount,
    MissingValues,
    NegativeValues,
    Output,
    PRatioRule,
    ResidualDegreesOfFreedom,
    TableEvidence,
    ZeroCells,
)
from export_review.outputs import Coefficient, FileEvidence, ModelEvidence


def table(cells: list[Cell], kind: str = "table", **extra: object) -> Output:
    evidence = TableEvidence(statistic=cells[0].statistic, row_vars=("sex",),
                             col_vars=("region",), value_var=None, cells=tuple(cells),
                             has_margins=False, **extra)  # type: ignore[arg-type]
    return Output("t", kind, Cohort(), "", ("sex", "region"), "2026-01-01T00:00:00+00:00",
                  table=evidence)  # type: ignore[arg-type]


def count_cell(count: int, row: str = "F", col: str = "Seoul", **kw: object) -> Cell:
    return Cell((row,), (col,), count, float(count), **kw)  # type: ignore[arg-type]


def magnitude_cell(values: list[float], row: str = "F", col: str = "Seoul") -> Cell:
    ordered = sorted(values, reverse=True)
    return Cell((row,), (col,), len(values), sum(values), statistic="sum",
                top=tuple(ordered[:2]), total=sum(values),
                n_negative=sum(v < 0 for v in values))


@pytest.mark.parametrize(("count", "status"), [(9, "fail"), (10, "pass"), (11, "pass"),
                                               (1, "fail")])
def test_minimum_cell_count_flags_cells_below_threshold(count: int, status: str) -> None:
    result = MinimumCellCount(10).check(table([count_cell(count), count_cell(50, "M")]))
    assert result is not None and result.status == status
    if status == "fail":
        assert [c.label() for c in result.cells] == ["F / Seoul"]
        assert "F / Seoul" in result.message


def test_minimum_cell_count_skips_suppressed_cells_and_leaves_zeros_to_zero_rule() -> None:
    cells = [Cell(("F",), ("Seoul",), 3, None, suppressed=True), count_cell(0, "M")]
    result = MinimumCellCount(10).check(table(cells))
    assert result is not None and result.status == "pass"


def test_minimum_cell_count_sends_rounded_small_cells_to_review() -> None:
    result = MinimumCellCount(10).check(table([Cell(("F",), ("Seoul",), 4, 5.0)],
                                              rounding_base=5))
    assert result is not None and result.status == "review"


@pytest.mark.parametrize(("values", "status"), [
    ([45.0, 44.0, 11.0], "pass"),     # top two make 89%
    ([46.0, 44.0, 10.0], "fail"),     # exactly 90% fails (ACRO's >=)
    ([45.0, 44.0, 6.0, 5.0], "pass"),  # 89%
    ([100.0], "fail"),                # a single contributor dominates
])
def test_dominance_rule_fails_at_and_above_k(values: list[float], status: str) -> None:
    result = DominanceRule(2, 0.9).check(table([magnitude_cell(values)]))
    assert result is not None and result.status == status


def test_dominance_with_negative_contributions_needs_review() -> None:
    result = DominanceRule().check(table([magnitude_cell([50.0, -20.0, 30.0, 40.0])]))
    assert result is not None and result.status == "review"


@pytest.mark.parametrize(("values", "status"), [
    ([100.0, 50.0, 9.0], "fail"),    # rest 9 < 10% of 100
    ([100.0, 50.0, 10.0], "pass"),   # rest exactly 10%
    ([100.0, 50.0, 6.0, 5.0], "pass"),
])
def test_p_ratio_rule_fails_when_rest_is_under_p_of_largest(values: list[float],
                                                            status: str) -> None:
    result = PRatioRule(0.1).check(table([magnitude_cell(values)]))
    assert result is not None and result.status == status


def test_zero_cells_go_to_review_by_default_and_fail_when_configured() -> None:
    output = table([count_cell(0), count_cell(20, "M")])
    default = ZeroCells().check(output)
    strict = ZeroCells("fail").check(output)
    assert default is not None and default.status == "review"
    assert strict is not None and strict.status == "fail"
    assert [c.label() for c in default.cells] == ["F / Seoul"]


def test_missing_values_are_flagged_per_cell() -> None:
    cell = Cell(("F",), ("Seoul",), 12, 3.0, statistic="mean", top=(5.0, 4.0), total=36.0,
                n_missing=2)
    result = MissingValues().check(table([cell]))
    assert result is not None and result.status == "review"


def test_empty_magnitude_cell_counts_as_a_missing_value() -> None:
    empty = Cell(("M",), ("Seoul",), 0, None, statistic="mean")
    full = Cell(("F",), ("Seoul",), 12, 3.0, statistic="mean", top=(5.0, 4.0), total=36.0)
    result = MissingValues().check(table([full, empty]))
    assert result is not None and result.status == "review"
    assert [c.label() for c in result.cells] == ["M / Seoul"]
    counts = MissingValues().check(table([count_cell(0, "M"), count_cell(12)]))
    assert counts is not None and counts.status == "pass"


def test_negative_values_are_never_silently_passed() -> None:
    result = NegativeValues().check(table([magnitude_cell([10.0, -1.0] + [5.0] * 10)]))
    assert result is not None and result.status == "review"
    clean = NegativeValues().check(table([magnitude_cell([5.0] * 12)]))
    assert clean is not None and clean.status == "pass"


def model_output(df_resid: float, nobs: int = 100) -> Output:
    coef = Coefficient("age", 0.1, 0.01, 10.0, 0.0, 0.08, 0.12)
    model = ModelEvidence("ols", "y ~ age", "y", nobs, df_resid, (coef, coef), "summary")
    return Output("m", "model", Cohort(), "", ("y", "age"), "2026-01-01", model=model)


@pytest.mark.parametrize(("dof", "status"), [(9, "fail"), (10, "pass"), (11, "pass")])
def test_residual_degrees_of_freedom_at_threshold(dof: int, status: str) -> None:
    result = ResidualDegreesOfFreedom(10).check(model_output(dof, dof + 2))
    assert result is not None and result.status == status


@pytest.mark.parametrize(("count", "status"), [(9, "fail"), (10, "pass"), (0, "pass")])
def test_histogram_bins_below_threshold_fail(count: int, status: str) -> None:
    output = table([count_cell(count, "[0, 10)", "count"), count_cell(40, "[10, 20]", "count")],
                   kind="histogram")
    result = HistogramBins(10).check(output)
    assert result is not None and result.status == status


def test_extreme_values_fail_released_min_and_data_driven_edges() -> None:
    summary = table([Cell(("age",), ("min",), 50, 20.0, statistic="min", top=(90.0,),
                          total=2000.0),
                     Cell(("age",), ("mean",), 50, 40.0, statistic="mean", top=(90.0,),
                          total=2000.0)],
                    kind="summary", extreme_statistics=("min",))
    result = ExtremeValues().check(summary)
    assert result is not None and result.status == "fail"
    assert [c.label() for c in result.cells] == ["age / min"]
    edges = table([count_cell(40, "[0, 10)", "count")], kind="histogram",
                  extreme_statistics=("lower_edge", "upper_edge"))
    edge_result = ExtremeValues().check(edges)
    assert edge_result is not None and edge_result.status == "fail"


def file_output(name: str, content: bytes, comment: str = "") -> Output:
    file = FileEvidence(name, content, hashlib.sha256(content).hexdigest())
    return Output("f", "file", Cohort(), comment, (), "2026-01-01", file=file)


@pytest.mark.parametrize(("content", "status"), [
    (b"group,count\nA,40\n", "pass"),
    (b"note: subject 900101-1234567 excluded\n", "fail"),      # RRN
    (b"call 010-1234-5678 for details\n", "fail"),             # mobile
    (b"date of birth 1990-01-01\n", "fail"),                    # birth date
    (b"study ran 2020-03-01 to 2021-02-28\n", "review"),       # bare dates
    (b"row PSEUDO-7f3a9c11 excluded\n", "fail"),               # pseudonym pattern
])
def test_identifier_scan_flags_identifiers_without_echoing_them(content: bytes,
                                                                status: str) -> None:
    rule = IdentifierScan(pseudonym_patterns=[r"PSEUDO-[0-9a-f]{8}"])
    result = rule.check(file_output("notes.txt", content))
    assert result is not None and result.status == status
    for secret in ("900101-1234567", "010-1234-5678", "1990-01-01", "PSEUDO-7f3a9c11"):
        assert secret not in result.message
        assert all(secret not in loc for loc in result.locations)
    if status != "pass":
        assert "notes.txt line 1" in result.message


def test_identifier_scan_finds_listed_pseudonyms_in_table_labels() -> None:
    rule = IdentifierScan(pseudonyms=["ab12cd34"])
    result = rule.check(table([count_cell(30, "ab12cd34"), count_cell(30, "M")]))
    assert result is not None and result.status == "fail"
    assert "ab12cd34" not in result.message
    assert "F / Seoul" not in result.message


def test_identifier_scan_sends_images_to_review() -> None:
    result = IdentifierScan().check(file_output("plot.png", b"\x89PNG\r\n\x1a\n...."))
    assert result is not None and result.status == "review"


@pytest.mark.parametrize(("name", "content", "status"), [
    ("table.csv", b"a,b\n1,2\n", "pass"),
    ("figure.png", b"\x89PNG\r\n\x1a\nrest", "pass"),
    ("figure.svg", b"<svg/>", "fail"),
    ("figure.png", b"PK\x03\x04zip", "fail"),   # an archive renamed to .png
    ("data.csv", b"\x00\x01\x02", "fail"),
])
def test_allowed_file_types_checks_extension_and_content(name: str, content: bytes,
                                                         status: str) -> None:
    result = AllowedFileTypes(["csv", "png"]).check(file_output(name, content))
    assert result is not None and result.status == status


def test_evidence_consistency_fails_released_value_that_is_not_the_count() -> None:
    forged = table([Cell(("F",), ("Seoul",), 3, 30.0)])
    result = EvidenceConsistency().check(forged)
    assert result is not None and result.status == "fail"
    honest = EvidenceConsistency().check(table([count_cell(30)]))
    assert honest is not None and honest.status == "pass"


def test_other_rules_name_pseudonym_labelled_cells_by_position_only() -> None:
    from export_review import check_output
    from export_review.policy import parse_disclosure_policy

    policy = parse_disclosure_policy({"schema": 1, "rules": {
        "identifier_scan": {"pseudonym_patterns": ["PS[0-9]{8}"]}}})
    output = table([count_cell(3, "PS00000042"), count_cell(30, "M")])
    results = check_output(output, policy)
    assert {r.rule for r in results if r.status == "fail"} >= {"MinimumCellCount",
                                                               "IdentifierScan"}
    assert all("PS00000042" not in r.message for r in results)


def test_table_by_birth_date_fails_the_identifier_scan() -> None:
    cells = [Cell(("1990-01-01",), ("Seoul",), 12, 12.0), Cell(("1990-01-02",), ("Seoul",), 15,
                                                                  15.0)]
    evidence = TableEvidence("count", ("birth_date",), ("region",), None, tuple(cells),
                             has_margins=False)
    output = Output("t", "table", Cohort(), "", ("birth_date", "region"), "2026-01-01",
                    table=evidence)
    result = IdentifierScan().check(output)
    assert result is not None and result.status == "fail"
    assert "1990-01-01" not in result.message and "cell #1" in result.message


_HEX = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("line", [
    _HEX.upper(),
    f"id_{_HEX}",
    f"P{_HEX}x",
    f"patient {_HEX[:16].upper()}-{_HEX[16:]}".replace("-", ""),
    "born 19800101",
    "생년월일 19800101",
])
def test_identifier_scan_finds_variants_of_pseudonyms_and_birth_dates(line: str) -> None:
    from export_review import IdentifierScan

    scan = IdentifierScan([r"\b[0-9a-f]{32}\b"], pseudonyms=["PX00042"])
    assert scan.classify(line) == "fail"
    assert scan.classify("cohort of xpx00042y") == "fail"
    assert scan.classify("visits per year 2024") == "pass"


def test_identifier_scan_applies_a_birth_header_to_the_values_beneath(tmp_path) -> None:  # noqa: ANN001
    import pandas as pd

    from export_review import OutputSession

    (tmp_path / "ages.csv").write_text("region,생년월일\nnorth,800101\nsouth,-\n", encoding="utf-8")
    session = OutputSession(echo=None, dataset_version="")
    output = session.add_file(tmp_path / "ages.csv", "Birth dates by region")
    scan = next(r for r in output.local_results if r.rule == "IdentifierScan")
    assert scan.status == "fail" and "line 2" in scan.message and "line 3" not in scan.message
    frame = pd.DataFrame({"dob": ["800101"] * 12 + ["810202"] * 12})
    session.frequency(frame, "dob", name="by_dob")
    assert next(r for r in session.results("by_dob") if r.rule == "IdentifierScan").status == "fail"
