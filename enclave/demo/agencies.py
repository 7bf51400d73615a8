"""The three demo agencies: their keys, synthetic records, catalog entries and packages.

Each agency runs the partner tool (:mod:`linkage`) on its own synthetic file,
exactly as a real agency would on its own machine, and uploads the two sealed
packages. Raw identifiers stay in the agency's folder of the demo workspace.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from enclave.catalog import VariableSpec, register_dataset
from enclave.combination import ReceivedPackage, receive_package
from enclave.db.models import Dataset, User
from enclave.linkage_unit import LinkageUnitRole
from enclave.parties import linkage_unit_sealing_public, register_agency_key
from enclave.service import EnclaveService
from linkage import (
    generate_agency_data,
    generate_linkage_secret,
    generate_party_keys,
    load_identifier_policies,
    prepare_submission,
    save_linkage_secret,
    save_party_keys,
    write_synthetic_data,
)
from linkage.party_keys import PartyKeys

__all__ = ["AGENCIES", "DemoAgency", "prepare_agencies", "register_catalog", "submit_packages"]

AGENCIES: tuple[str, ...] = ("welfare", "health", "employment")

_TYPES = {"category": "category", "integer": "integer", "number": "number", "date": "date",
          "boolean": "boolean", "text": "text", "string": "text", "float": "number"}
#: Content variables that, combined, could single a person out (the catalog flags them).
_QUASI_IDENTIFIERS = frozenset({"sex", "birth_year", "age_band", "sido_code", "region_code", "household_type",
                                "household_size", "insurance_type", "employment_status", "industry_code"})
#: Demographics the partner tool derives from identifiers (type, meaning for the catalog).
_DERIVED = {
    "sex": ("category", "성별 — derived from the resident registration number or sex field"),
    "birth_year": ("integer", "출생연도 — derived from the resident registration number or birth date"),
    "region_code": ("category", "시군구 코드 — 5-digit district code of the address"),
}
_DESCRIPTIONS = {
    "welfare": ("Welfare benefit eligibility (자격정보)",
                "Basic livelihood security, basic pension, disability pension and other eligibility, "
                "with household type, payments and income/asset assessments."),
    "health": ("Health insurance (건강보험)", "Insurance type, premiums, outpatient visits, inpatient days, "
               "chronic conditions."),
    "employment": ("Employment insurance (고용보험)", "Employment status, industry, monthly wage, insured since."),
}


@dataclass
class DemoAgency:
    """One demo agency's own folder, keys and prepared packages."""

    code: str
    folder: Path
    keys: PartyKeys
    source: Path


def prepare_agencies(
    svc: EnclaveService, workspace: Path, persons: int, seed: int
) -> tuple[dict[str, DemoAgency], bytes]:
    """Give each agency keys (registered with the enclave and linkage unit) and its synthetic file.

    Returns:
        The agencies, and the linkage secret they share (never given to the enclave or linkage unit).
    """
    root = workspace / "agencies"
    secret = generate_linkage_secret()
    save_linkage_secret(secret, root / "shared" / "linkage.secret", overwrite=True)
    data = generate_agency_data(persons, agencies=AGENCIES, corruption="medium", seed=seed)
    # The ground truth stays with the demo's agencies: it never reaches the enclave.
    written = write_synthetic_data(data, root / "shared" / "synthetic")
    agencies: dict[str, DemoAgency] = {}
    for code in AGENCIES:
        keys = generate_party_keys(code)
        folder = root / code
        save_party_keys(keys, folder / "keys", overwrite=True)
        register_agency_key(svc.settings, code, keys.signing.public_key().public_bytes(
            *_pem_public()))
        agencies[code] = DemoAgency(code=code, folder=folder, keys=keys, source=written[code])
    return agencies, secret


def _pem_public() -> tuple[object, object]:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Encoding.PEM, PublicFormat.SubjectPublicKeyInfo


def register_catalog(svc: EnclaveService, session: Session, users: dict[str, User]) -> dict[str, Dataset]:
    """Each agency describes its dataset in the catalog, from its identifier policy."""
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    datasets = {}
    for code in AGENCIES:
        schema = policies.schema(code)
        variables = [VariableSpec(name=c.column, type=_TYPES.get(c.type, "text"), meaning=c.label,
                                  is_quasi_identifier=c.column in _QUASI_IDENTIFIERS)
                     for c in schema.content]
        variables += [VariableSpec(name=name, type=_DERIVED[name][0], meaning=_DERIVED[name][1],
                                   is_quasi_identifier=True) for name in schema.derived]
        title, description = _DESCRIPTIONS[code]
        datasets[code] = register_dataset(
            svc, session, users[f"agency-{code}"], agency_code=code, name=code, title=title,
            description=description, row_count=1_234_567, identifier_policy=f"identifiers/{code}.yaml",
            variables=variables)
    return datasets


def submit_packages(
    svc: EnclaveService,
    linkage_unit: LinkageUnitRole,
    agencies: dict[str, DemoAgency],
    users: dict[str, User],
    secret: bytes,
    project_id: int,
) -> list[ReceivedPackage]:
    """Each agency prepares its two sealed packages and uploads them."""
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    lu_public = linkage_unit_sealing_public(svc.settings)
    received = []
    for code, agency in agencies.items():
        prepared = prepare_submission(
            agency.source, agency=code, schema=policies.schema(code), scheme=policies.scheme,
            project_id=str(project_id), key_id=f"project-{project_id}-k1", linkage_secret=secret,
            signer=agency.keys.signing, linkage_unit_public=lu_public,
            enclave_public=svc.keys.sealing_public_key, output_dir=agency.folder / "out")
        for package in (prepared.match_keys_package, prepared.content_package):
            received.append(receive_package(
                svc, linkage_unit, agency_user=users[f"agency-{code}"], project_id=project_id,
                stream=io.BytesIO(package), content_length=len(package)))
    return received
