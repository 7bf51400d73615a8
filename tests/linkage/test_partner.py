"""The partner tool: encodings, column checks, chunking, serials, the split, no leaks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from linkage import (
    ColumnMismatchError,
    EncodingError,
    IdentifierPolicies,
    InputFileError,
    PartyKeys,
    PreparedSubmission,
    open_package,
    prepare_submission,
)
from linkage.partner import SerialAllocator


def _prepare(path: Path, policies: IdentifierPolicies, parties: dict[str, PartyKeys], secret: bytes,
             agency: str = "welfare", **kwargs: object) -> PreparedSubmission:
    return prepare_submission(
        path,
        agency=agency,
        schema=policies.schema(agency),
        scheme=policies.scheme,
        project_id="p-test",
        key_id="k1",
        linkage_secret=secret,
        signer=parties[agency].signing,
        linkage_unit_public=parties["linkage-unit"].sealing_public,
        enclave_public=parties["enclave"].sealing_public,
        **kwargs,  # type: ignore[arg-type]
    )


def _keys(prepared: PreparedSubmission, parties: dict[str, PartyKeys], agency: str = "welfare") -> pa.Table:
    opened = open_package(prepared.match_keys_package, parties["linkage-unit"].sealing,
                          {agency: parties[agency].signing_public})
    return opened.table()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949"])
def test_utf8_bom_and_cp949_files_give_the_same_match_keys(
    encoding: str, synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    frame = pd.read_csv(synthetic_files["welfare"], dtype=str, keep_default_na=False).head(200)
    plain, other = tmp_path / "plain.csv", tmp_path / "other.csv"
    plain.write_bytes(frame.to_csv(index=False).encode("utf-8"))
    import unicodedata
    other.write_bytes(unicodedata.normalize("NFC", frame.to_csv(index=False)).encode(encoding))
    a = _prepare(plain, policies, parties, secret)
    b = _prepare(other, policies, parties, secret)
    assert b.report.source_encoding == encoding
    ka, kb = _keys(a, parties), _keys(b, parties)
    for column in ka.column_names[1:]:
        assert ka.column(column).to_pylist() == kb.column(column).to_pylist()


def test_file_in_unknown_encoding_is_refused_by_name(
    policies: IdentifierPolicies, parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path
) -> None:
    bad = tmp_path / "latin.csv"
    bad.write_bytes(b"name,rrn\n" + bytes([0xFF, 0xFE, 0x81, 0x00, 0xC0]) + b",x\n")
    with pytest.raises(EncodingError) as caught:
        _prepare(bad, policies, parties, secret)
    assert "latin.csv" in str(caught.value) and "UTF-8" in str(caught.value)


def test_missing_and_extra_columns_are_reported_together(
    synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    frame = pd.read_csv(synthetic_files["welfare"], dtype=str).head(5)
    frame = frame.drop(columns=["phone", "income_krw"]).assign(email="x")
    path = tmp_path / "w.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ColumnMismatchError) as caught:
        _prepare(path, policies, parties, secret)
    assert caught.value.missing == ["phone", "income_krw"]
    assert caught.value.extra == ["email"]


def test_header_only_file_is_refused(
    synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(synthetic_files["welfare"].read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(InputFileError, match="no records"):
        _prepare(path, policies, parties, secret)


def test_parquet_chunks_and_workers_give_the_same_keys(
    synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    frame = pd.read_csv(synthetic_files["welfare"], dtype=str, keep_default_na=False)
    csv, parquet = tmp_path / "w.csv", tmp_path / "w.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    one = _keys(_prepare(csv, policies, parties, secret, chunk_rows=100_000), parties)
    chunked = _keys(_prepare(parquet, policies, parties, secret, chunk_rows=200, workers=2), parties)
    assert one.num_rows == chunked.num_rows == len(frame) > 500
    for column in one.column_names[1:]:
        assert one.column(column).to_pylist() == chunked.column(column).to_pylist()


def test_serials_are_random_unique_and_not_row_numbers(prepared: dict[str, PreparedSubmission],
                                                        parties: dict[str, PartyKeys]) -> None:
    serials = _keys(prepared["health"], parties, "health").column("serial").to_numpy()
    assert len(np.unique(serials)) == len(serials)
    assert (serials >= 0).all()
    assert not (np.diff(serials) > 0).all()
    allocator = SerialAllocator()
    drawn = np.concatenate([allocator.take(500) for _ in range(4)])
    assert len(np.unique(drawn)) == 2000


def test_packages_split_identifiers_from_content(
    prepared: dict[str, PreparedSubmission], parties: dict[str, PartyKeys], policies: IdentifierPolicies
) -> None:
    sub = prepared["welfare"]
    keys = _keys(sub, parties)
    spec = policies.scheme.probabilistic
    assert spec is not None
    assert keys.column_names == (
        ["serial"]
        + [p.column for p in policies.scheme.passes]
        + [e.column for e in spec.encodings]
        + [r.column for r in spec.blocking]
    )
    content = open_package(sub.content_package, parties["enclave"].sealing,
                           {"welfare": parties["welfare"].signing_public}).table()
    schema = policies.schema("welfare")
    assert content.column_names == ["serial"] + [c.column for c in schema.content] + list(schema.derived)
    assert content.schema.field("payment_krw").type == pa.int64()
    assert content.schema.field("eligibility_start").type == pa.date32()
    assert keys.column("serial").to_pylist() == content.column("serial").to_pylist()


def test_report_counts_invalid_identifiers_and_leaks_no_value(
    prepared: dict[str, PreparedSubmission], identifier_values: set[str]
) -> None:
    report = prepared["welfare"].report
    assert sum(p.report.invalid_counts.get("rrn_check_digit", 0) for p in prepared.values()) > 0
    assert report.rows > 0 and report.keys_per_pass["rrn"] <= report.rows
    rendered = report.to_text() + json.dumps(report.to_dict(), ensure_ascii=False)
    for submission in prepared.values():
        rendered += json.dumps(
            __import__("linkage").read_manifest(submission.match_keys_package).to_dict(), ensure_ascii=False
        )
    leaked = [v for v in identifier_values if v in rendered]
    assert leaked == []


def test_packages_are_written_atomically_to_the_output_folder(
    synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    frame = pd.read_csv(synthetic_files["employment"], dtype=str, keep_default_na=False).head(50)
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    result = _prepare(path, policies, parties, secret, agency="employment", output_dir=out)
    assert sorted(p.name for p in out.iterdir()) == [
        "employment.content.pkg", "employment.match_keys.pkg", "employment.preparation.json"]
    assert result.match_keys_path is not None
    assert result.match_keys_path.read_bytes() == result.match_keys_package
    assert pq.read_metadata  # the payload is Parquet (checked in test_sealing)


def test_malformed_csv_row_is_reported_by_row_number(
    synthetic_files: dict[str, Path], policies: IdentifierPolicies,
    parties: dict[str, PartyKeys], secret: bytes, tmp_path: Path,
) -> None:
    lines = synthetic_files["welfare"].read_text(encoding="utf-8").splitlines()[:6]
    lines[3] = lines[3] + ",surplus,fields"
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        _prepare(path, policies, parties, secret)
    message = str(caught.value)
    assert "broken.csv" in message and "row 4" in message
    assert lines[3].split(",")[0] not in message


def test_derived_demographics_are_coarse_and_well_formed(
    prepared: dict[str, PreparedSubmission], parties: dict[str, PartyKeys]
) -> None:
    content = open_package(prepared["health"].content_package, parties["enclave"].sealing,
                           {"health": parties["health"].signing_public}).table().to_pandas()
    assert set(content["sex"].dropna()) <= {"M", "F"} and content["sex"].notna().mean() > 0.9
    years = content["birth_year"].dropna()
    assert years.between(1900, 2026).all() and len(years) > 0.9 * len(content)
    regions = content["region_code"].dropna()
    assert regions.str.fullmatch(r"\d{5}").all() and len(regions) > 0.9 * len(content)


def test_unknown_or_underivable_derived_content_is_reported(tmp_path: Path) -> None:
    from linkage.policy import parse_dataset_schema

    problems: list[str] = []
    parse_dataset_schema({"kind": "identifier_schema", "dataset": "d", "version": 1,
                          "identifiers": {"nm": {"kind": "full_name"}},
                          "content": {"x": {"type": "integer"}},
                          "derived_content": ["sex", "shoe_size"]}, "d.yaml", problems)
    assert any("shoe_size" in p and "unknown" in p for p in problems)
    assert any("sex" in p and "needs an identifier" in p for p in problems)
