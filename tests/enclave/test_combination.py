"""Combination in the enclave: content joined through the linkage map, no identifiers."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from enclave.combination import combine_submissions, derive_pseudonyms
from enclave.errors import InputError
from linkage import (
    LinkageMap,
    SyntheticData,
    generate_agency_data,
    generate_party_keys,
    link_submissions,
    load_identifier_policies,
    open_package,
    prepare_submission,
    write_synthetic_data,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "identifiers"
AGENCIES = ("welfare", "health", "employment")
KEY = bytes(range(32))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticData, dict[str, pa.Table], pa.Table]:
    policies = load_identifier_policies(POLICIES)
    data = generate_agency_data(600, corruption="medium", seed=21)
    paths = write_synthetic_data(data, tmp_path_factory.mktemp("combine"))
    keys = {n: generate_party_keys(n) for n in (*AGENCIES, "linkage-unit", "enclave")}
    signers = {a: keys[a].signing_public for a in AGENCIES}
    contents, match_packages = {}, []
    for agency in AGENCIES:
        prepared = prepare_submission(
            paths[agency], agency=agency, schema=policies.schema(agency), scheme=policies.scheme,
            project_id="p", key_id="k", linkage_secret=bytes(32), signer=keys[agency].signing,
            linkage_unit_public=keys["linkage-unit"].sealing_public,
            enclave_public=keys["enclave"].sealing_public,
        )
        match_packages.append(prepared.match_keys_package)
        contents[agency] = open_package(prepared.content_package, keys["enclave"].sealing, signers).table()
    linkage_map, _ = link_submissions(match_packages, recipient_private=keys["linkage-unit"].sealing,
                                      trusted_signers=signers, scheme=policies.scheme)
    sealed = linkage_map.seal(keys["enclave"].sealing_public, keys["linkage-unit"].signing)
    opened = open_package(sealed, keys["enclave"].sealing, {"linkage-unit": keys["linkage-unit"].signing_public})
    return data, contents, LinkageMap.from_package(opened).table


def test_combined_table_holds_none_of_the_synthetic_identifiers(project: tuple) -> None:
    data, contents, linkage_map = project
    combined = combine_submissions(contents, linkage_map, KEY, keep_unlinked=True)
    cells = {str(v) for column in combined.columns for v in column.to_pylist() if v is not None}
    identifiers: set[str] = set()
    for table in data.tables.values():
        # Birth dates are left out: content dates (eligibility_start ...) can share a day by chance.
        for column in ("name", "family_name", "given_name", "rrn", "phone", "address"):
            if column in table:
                for value in table[column]:
                    if len(str(value)) >= 3:
                        identifiers.update({str(value), str(value).replace("-", "")})
    assert identifiers
    assert cells.isdisjoint(identifiers)
    assert not any(c.startswith("mk_") or c in ("serial", "link_id") for c in combined.column_names)
    link_ids = {str(v) for v in linkage_map.column("link_id").to_pylist()}
    assert cells.isdisjoint(link_ids)


def test_one_row_per_person_and_keep_unlinked_decides_singletons(project: tuple) -> None:
    _, contents, linkage_map = project
    kept = combine_submissions(contents, linkage_map, KEY, keep_unlinked=True)
    linked_only = combine_submissions(contents, linkage_map, KEY, keep_unlinked=False)
    persons = len(set(linkage_map.column("link_id").to_pylist()))
    assert kept.num_rows == persons
    assert linked_only.num_rows < kept.num_rows
    assert len(set(kept.column("pseudonym").to_pylist())) == kept.num_rows
    present = [
        sum(pa.compute.is_valid(linked_only.column(c)).to_numpy(zero_copy_only=False).astype(int))
        for c in ("benefit_type", "insurance_type", "employment_status")
    ]
    assert min(present) > 0


def test_pseudonyms_are_hmac_of_link_ids_under_the_project_key(project: tuple) -> None:
    link_ids = np.array([1, 2**62, 12345], dtype=np.int64)
    expected = [
        hmac.new(KEY, b"enclave-project-pseudonym/v1\x00" + int(i).to_bytes(8, "big", signed=True),
                 hashlib.sha256).hexdigest()[:32]
        for i in link_ids
    ]
    assert derive_pseudonyms(link_ids, KEY) == expected
    assert derive_pseudonyms(link_ids, bytes(32)) != expected


def test_clashing_content_columns_are_prefixed_by_agency() -> None:
    contents = {
        "a": pa.table({"serial": [1], "amount": [10], "only_a": ["x"]}),
        "b": pa.table({"serial": [2], "amount": [20]}),
    }
    linkage_map = pa.table({"agency": ["a", "b"], "serial": [1, 2], "link_id": [7, 7]})
    combined = combine_submissions(contents, linkage_map, KEY, keep_unlinked=False)
    assert combined.column_names == ["pseudonym", "a_amount", "only_a", "b_amount"]
    assert combined.to_pylist()[0]["a_amount"] == 10 and combined.to_pylist()[0]["b_amount"] == 20


def test_match_keys_and_short_keys_are_refused() -> None:
    linkage_map = pa.table({"agency": ["a"], "serial": [1], "link_id": [7]})
    with pytest.raises(InputError, match="reserved columns"):
        combine_submissions({"a": pa.table({"serial": [1], "mk_rrn": [b"x"]})}, linkage_map, KEY, True)
    with pytest.raises(InputError, match="32 bytes"):
        combine_submissions({"a": pa.table({"serial": [1]})}, linkage_map, b"short", True)


def test_shared_demographics_are_merged_into_one_column_first_agency_first() -> None:
    import pyarrow as pa

    from enclave.combination import combine_submissions

    contents = {
        "health": pa.table({"serial": [1, 2], "sex": ["F", None], "visits": [3, 4]}),
        "welfare": pa.table({"serial": [7, 8], "sex": ["M", "M"], "payment": [10, 20]}),
    }
    linkage_map = pa.table({"agency": ["health", "welfare", "health", "welfare"], "serial": [1, 7, 2, 8],
                            "link_id": [100, 100, 200, 200]})
    table = combine_submissions(contents, linkage_map, b"k" * 32, keep_unlinked=False).to_pandas()
    assert "sex" in table and "health_sex" not in table and "welfare_sex" not in table
    by_visits = table.set_index("visits")["sex"].to_dict()
    # health comes first by name; where it has no value, welfare's fills in.
    assert by_visits == {3: "F", 4: "M"}
