"""Fixtures of the linkage tests.

Everything expensive is session-scoped and small (about 1,500 synthetic
persons), so the whole folder stays fast.

Fixtures:

``policies``
    :class:`linkage.IdentifierPolicies` loaded from the repository's
    ``policies/identifiers/``.
``parties``
    Fresh :class:`linkage.PartyKeys` by name: ``welfare``, ``health``,
    ``employment``, ``linkage-unit``, ``enclave``.
``signers``
    The agencies' signing public keys by agency name (what the linkage unit and
    the enclave trust).
``secret``
    A 32-byte project linkage secret.
``synthetic``
    :class:`linkage.SyntheticData` for 1,500 persons at medium corruption, seed 11.
``synthetic_files``
    ``synthetic`` written as UTF-8 CSV files: paths by agency and ``ground_truth``.
``prepared``
    :class:`linkage.PreparedSubmission` by agency, prepared from ``synthetic_files``
    for project ``p-test`` with key id ``k1``.
``linked``
    ``(LinkageMap, QualityReport)`` from linking the three ``prepared`` match-key packages.
``identifier_values``
    Every identifier string of ``synthetic`` (names, RRNs with and without hyphen,
    phones in their written and digit forms), to prove none leaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage import (
    IdentifierPolicies,
    LinkageMap,
    PartyKeys,
    PreparedSubmission,
    QualityReport,
    SyntheticData,
    generate_agency_data,
    generate_party_keys,
    link_submissions,
    load_identifier_policies,
    prepare_submission,
    write_synthetic_data,
)

REPO = Path(__file__).resolve().parents[2]
AGENCIES = ("welfare", "health", "employment")


@pytest.fixture(scope="session")
def policies() -> IdentifierPolicies:
    return load_identifier_policies(REPO / "policies" / "identifiers")


@pytest.fixture(scope="session")
def parties() -> dict[str, PartyKeys]:
    names = (*AGENCIES, "linkage-unit", "enclave")
    return {name: generate_party_keys(name) for name in names}


@pytest.fixture(scope="session")
def signers(parties: dict[str, PartyKeys]) -> dict[str, object]:
    return {a: parties[a].signing_public for a in AGENCIES}


@pytest.fixture(scope="session")
def secret() -> bytes:
    return bytes(range(32))


@pytest.fixture(scope="session")
def synthetic() -> SyntheticData:
    return generate_agency_data(1500, corruption="medium", seed=11)


@pytest.fixture(scope="session")
def synthetic_files(synthetic: SyntheticData, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_synthetic_data(synthetic, tmp_path_factory.mktemp("synth"))


@pytest.fixture(scope="session")
def prepared(
    synthetic_files: dict[str, Path],
    policies: IdentifierPolicies,
    parties: dict[str, PartyKeys],
    secret: bytes,
) -> dict[str, PreparedSubmission]:
    return {
        agency: prepare_submission(
            synthetic_files[agency],
            agency=agency,
            schema=policies.schema(agency),
            scheme=policies.scheme,
            project_id="p-test",
            key_id="k1",
            linkage_secret=secret,
            signer=parties[agency].signing,
            linkage_unit_public=parties["linkage-unit"].sealing_public,
            enclave_public=parties["enclave"].sealing_public,
            chunk_rows=1000,
        )
        for agency in AGENCIES
    }


@pytest.fixture(scope="session")
def linked(
    prepared: dict[str, PreparedSubmission],
    parties: dict[str, PartyKeys],
    signers: dict[str, object],
    policies: IdentifierPolicies,
) -> tuple[LinkageMap, QualityReport]:
    return link_submissions(
        [p.match_keys_package for p in prepared.values()],
        recipient_private=parties["linkage-unit"].sealing,
        trusted_signers=signers,  # type: ignore[arg-type]
        scheme=policies.scheme,
    )


@pytest.fixture(scope="session")
def identifier_values(synthetic: SyntheticData) -> set[str]:
    values: set[str] = set()
    for table in synthetic.tables.values():
        for column in ("name", "family_name", "given_name", "rrn", "phone"):
            if column in table:
                for value in table[column].astype(str):
                    if len(value) >= 3:
                        values.add(value)
                        values.add(value.replace("-", "").replace(" ", "").replace("+82", "0"))
    return {v for v in values if len(v) >= 3}
