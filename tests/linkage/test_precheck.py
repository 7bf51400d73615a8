"""Stage 2 at the agency: the identification-risk pre-check on the content it is about to send."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from linkage import (
    PartyKeys,
    PolicyError,
    generate_party_keys,
    load_identifier_policies,
    open_package,
    prepare_submission,
    read_manifest,
    save_linkage_secret,
    save_party_keys,
)
from linkage.cli import main
from linkage.policy import PrecheckSpec
from linkage.precheck import EquivalenceClassCounter, measure_identification_risk
from linkage.sealing import PackageManifest

REPO = Path(__file__).resolve().parents[2]

# Eleven patients. With the quasi-identifiers sex, birth year and ward the classes are
#   (F, 1980, A) x3 · (M, 1975, B) x2 · (M, 1990, A) x1 · (F, 1985, C) x4 · (F, 1985, blank) x1
# so, by hand: 5 classes, the smallest of size 1; with k = 3 the classes of sizes 2, 1 and 1
# hold 4 records (4/11); 2 records are unique (2/11).
ROWS = [
    ("김민지", "1980-01-02", "F", "A", "3"), ("이서연", "1980-05-06", "F", "A", "1"),
    ("박지우", "1980-07-08", "F", "A", "0"), ("최준호", "1975-01-01", "M", "B", "2"),
    ("정우진", "1975-02-02", "M", "B", "5"), ("강도윤", "1990-03-03", "M", "A", "4"),
    ("조하은", "1985-04-04", "F", "C", "1"), ("윤서아", "1985-05-05", "F", "C", "2"),
    ("장예린", "1985-06-06", "F", "C", "0"), ("임수아", "1985-07-07", "F", "C", "7"),
    ("한지아", "1985-08-08", "F", "", "3"),
]
SCHEMA = """\
kind: identifier_schema
dataset: clinic
version: 1
identifiers:
  name: {kind: full_name}
  birth_date: {kind: birth_date}
  sex: {kind: sex}
content:
  ward: {type: category}
  visits: {type: integer}
derived_content: [sex, birth_year]
"""


def _policies(root: Path, precheck: str | None) -> Path:
    folder = root / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "policies" / "identifiers" / "scheme.yaml", folder / "scheme.yaml")
    (folder / "clinic.yaml").write_text(SCHEMA + (precheck or ""), encoding="utf-8")
    return folder


PRECHECK = """\
precheck:
  quasi_identifiers: [sex, birth_year, ward]
  k: 3
  max_share_below_k: {below}
  max_unique_share: {unique}
"""


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    source = tmp_path / "clinic.csv"
    source.write_text("name,birth_date,sex,ward,visits\n" + "".join(",".join(r) + "\n" for r in ROWS),
                      encoding="utf-8")
    return source


@pytest.fixture(scope="module")
def keys() -> dict[str, PartyKeys]:
    return {name: generate_party_keys(name) for name in ("clinic", "linkage-unit", "enclave")}


def _prepare(source: Path, policies: Path, keys: dict[str, PartyKeys]):  # type: ignore[no-untyped-def]
    loaded = load_identifier_policies(policies)
    return prepare_submission(
        source, agency="clinic", schema=loaded.schema("clinic"), scheme=loaded.scheme, project_id="7",
        key_id="k1", linkage_secret=bytes(32), signer=keys["clinic"].signing,
        linkage_unit_public=keys["linkage-unit"].sealing_public, enclave_public=keys["enclave"].sealing_public)


@pytest.mark.parametrize(("below", "unique", "passed"), [
    (0.4, 0.2, True),     # 4/11 = 36% <= 40% and 2/11 = 18% <= 20%
    (0.3, 0.2, False),    # 36% of records sit in classes below k = 3
    (0.4, 0.1, False),    # 18% are unique
])
def test_precheck_figures_match_a_hand_count_and_are_sealed_in_the_manifest(
        tmp_path: Path, clinic: Path, keys: dict[str, PartyKeys], below: float, unique: float,
        passed: bool) -> None:
    policies = _policies(tmp_path, PRECHECK.format(below=below, unique=unique))
    prepared = _prepare(clinic, policies, keys)
    figures = prepared.report.precheck
    assert figures == {
        "quasi_identifiers": ["sex", "birth_year", "ward"], "k": 3, "max_share_below_k": below,
        "max_unique_share": unique, "records": 11, "classes": 5, "smallest_class": 1, "records_below_k": 4,
        "share_below_k": round(4 / 11, 6), "unique_records": 2, "unique_share": round(2 / 11, 6),
        "passed": passed}
    opened = open_package(prepared.content_package, keys["enclave"].sealing,
                          {"clinic": keys["clinic"].signing_public})
    assert opened.manifest.precheck == figures
    # Figures only: no name, birth date or ward value travels in the manifest.
    header = json.dumps(opened.manifest.to_dict(), ensure_ascii=False)
    assert not any(name in header for name, *_ in ROWS)
    assert "1980-01-02" not in header
    # The match-key package, which goes to the linkage unit, carries no content figures.
    assert read_manifest(prepared.match_keys_package).precheck == {}


def test_prepare_prints_the_precheck(tmp_path: Path, clinic: Path, keys: dict[str, PartyKeys]) -> None:
    policies = _policies(tmp_path, PRECHECK.format(below=0.3, unique=0.2))
    save_party_keys(keys["clinic"], tmp_path / "k")
    for name in ("linkage-unit", "enclave"):
        save_party_keys(keys[name], tmp_path / "k")
    save_linkage_secret(bytes(32), tmp_path / "p.secret")
    result = CliRunner().invoke(main, [
        "prepare", str(clinic), "--agency", "clinic", "--policies", str(policies), "--project", "7",
        "--key-id", "k1", "--secret", str(tmp_path / "p.secret"), "--keys", str(tmp_path / "k"),
        "--linkage-unit-key", str(tmp_path / "k" / "linkage-unit.sealing.pub.pem"),
        "--enclave-key", str(tmp_path / "k" / "enclave.sealing.pub.pem"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "identification-risk pre-check on sex, birth_year, ward: FAIL" in result.output
    assert "11 records in 5 classes; smallest class 1" in result.output
    assert "below k=3: 4 (36.36%, limit 30.00%)" in result.output
    assert "unique: 2 (18.18%, limit 20.00%)" in result.output
    saved = json.loads((tmp_path / "o" / "clinic.preparation.json").read_text(encoding="utf-8"))
    assert saved["precheck"]["passed"] is False


def test_a_policy_without_precheck_still_loads_and_says_none_was_run(
        tmp_path: Path, clinic: Path, keys: dict[str, PartyKeys]) -> None:
    policies = _policies(tmp_path, None)
    assert load_identifier_policies(policies).schema("clinic").precheck is None
    prepared = _prepare(clinic, policies, keys)
    assert prepared.report.precheck == {}
    assert read_manifest(prepared.content_package).precheck == {}
    assert "none declared by the identifier policy" in prepared.report.to_text()


def test_a_manifest_written_before_the_precheck_existed_still_reads() -> None:
    old = {"package_id": "p", "agency": "a", "kind": "content", "project_id": "1", "columns": ["serial"]}
    assert PackageManifest.from_dict(old).precheck == {}


def test_every_precheck_problem_is_reported_at_once(tmp_path: Path) -> None:
    bad = """\
precheck:
  quasi_identifiers: [sex, name, sex]
  k: 1
  max_share_below_k: 2
  max_unique_share: yes
  minimum: 4
"""
    with pytest.raises(PolicyError) as caught:
        load_identifier_policies(_policies(tmp_path, bad))
    problems = "\n".join(caught.value.problems)
    assert "unknown keys ['minimum']" in problems
    assert "'name' is not a content or derived column" in problems
    assert "a column is listed twice" in problems
    assert "k: must be a whole number of 2 or more" in problems
    assert "max_share_below_k: must be a share between 0 and 1" in problems
    assert "max_unique_share: must be a share between 0 and 1" in problems
    assert len(caught.value.problems) == 6


def test_the_shipped_policies_declare_a_precheck_on_the_derived_demographics() -> None:
    policies = load_identifier_policies(REPO / "policies" / "identifiers")
    for dataset in ("welfare", "health", "employment"):
        spec = policies.schema(dataset).precheck
        assert spec is not None and spec.quasi_identifiers == ("sex", "birth_year", "region_code")
        assert spec.k >= 2


def test_counting_in_chunks_equals_counting_at_once_and_is_fast_on_a_million_rows() -> None:
    import time

    import numpy as np

    rng = np.random.default_rng(5)
    n = 1_000_000
    table = pa.table({"sex": pa.array(rng.choice(["1", "2"], n)),
                      "birth_year": pa.array(rng.integers(1930, 2010, n).astype("int16")),
                      "region_code": pa.array(rng.integers(0, 250, n).astype(str))})
    spec = PrecheckSpec(("sex", "birth_year", "region_code"), k=5, max_share_below_k=0.05, max_unique_share=0.01)
    started = time.perf_counter()
    counter = EquivalenceClassCounter(spec)
    for offset in range(0, n, 100_000):
        counter.add(table.slice(offset, 100_000))
    chunked = counter.result()
    elapsed = time.perf_counter() - started
    assert chunked == measure_identification_risk(table, spec)
    assert chunked.records == n and chunked.classes == 2 * 80 * 250
    # A vectorized group-by: a second or two on the shared test machine, not minutes.
    assert elapsed < 10, elapsed
