"""Builders for stage-4 job tests: accounts and a project whose agencies have uploaded their packages.

Imported by the job tests of the domain, the web layer, the CLI and the
browser (a module, not a conftest, so fixtures stay explicit).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from enclave.catalog.from_policy import import_dataset_from_policy
from enclave.combination import receive_package
from enclave.db.models import Dataset, Decision, ProjectMember, Role, User
from enclave.parties import linkage_unit_sealing_public
from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
from enclave.service import EnclaveService, open_linkage_unit
from enclave.users import add_user
from linkage import (
    generate_agency_data,
    generate_linkage_secret,
    load_identifier_policies,
    prepare_submission,
    write_synthetic_data,
)
from tests.enclave.domain_fixtures import register_agencies

AGENCIES: tuple[str, ...] = ("welfare", "health", "employment")

PASSWORD = "correct horse battery staple"

#: user name -> (role, agency code)
ACCOUNTS: dict[str, tuple[Role, str | None]] = {
    "rita": (Role.researcher, None),
    "stella": (Role.steward, None),  # starts jobs
    "sven": (Role.steward, None),  # approved the application; approves adequacy
    "mina": (Role.steward, None),  # a steward on the project's team: may not start its jobs
    "adam": (Role.admin, None),
    **{f"agency-{code}": (Role.agency, code) for code in AGENCIES},
}


@dataclass
class Stage4Project:
    """A project in state ``approved`` whose agencies' packages have all arrived."""

    project_id: int
    users: dict[str, User]
    totp: dict[str, bytes]


def build_stage4_project(svc: EnclaveService, workspace: Path, *, persons: int = 300, seed: int = 11,
                         submit: bool = True) -> Stage4Project:
    """Create the accounts, the catalog and an approved project; agencies upload unless ``submit`` is off."""
    users: dict[str, User] = {}
    totp: dict[str, bytes] = {}
    # Agencies are registered (with their signing keys) before their users are added.
    signing = register_agencies(svc, *AGENCIES)
    sources = write_synthetic_data(generate_agency_data(persons, agencies=AGENCIES, corruption="medium", seed=seed),
                                   workspace / "agencies")
    secret = generate_linkage_secret()
    with svc.session() as session:
        for name, (role, agency) in ACCOUNTS.items():
            made = add_user(svc, session, username=name, role=role, password=PASSWORD, actor="test",
                            agency_code=agency)
            users[name] = made.user
            if made.totp_secret is not None:
                totp[name] = made.totp_secret
    with svc.session() as session:
        datasets: dict[str, Dataset] = {code: import_dataset_from_policy(
            svc, session, users[f"agency-{code}"],
            policy=(svc.settings.policies_dir / "identifiers" / f"{code}.yaml").read_bytes(),
            policy_name=f"identifiers/{code}.yaml", agency_code=code, name=code, title=f"{code} data",
            description="", row_count=persons) for code in AGENCIES}
        project = apply_for_project(
            svc, session, session.get(User, users["rita"].id), title="Benefits, health and work",
            purpose="Test of stage-4 jobs.", retention_end=dt.date.today() + dt.timedelta(days=100),
            requests={d.id: [v.name for v in d.variables] for d in datasets.values()})
        session.add(ProjectMember(project_id=project.id, user_id=users["mina"].id))
        session.flush()
        session.refresh(project)
        for code in AGENCIES:
            decide_agency_part(svc, session, project, session.get(User, users[f"agency-{code}"].id),
                               Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, users["sven"].id), Decision.approved)
        project_id = project.id
    if submit:
        linkage_unit = open_linkage_unit(svc.settings, svc)
        policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
        try:
            for code in AGENCIES:
                prepared = prepare_submission(
                    sources[code], agency=code, schema=policies.schema(code), scheme=policies.scheme,
                    project_id=str(project_id), key_id=f"project-{project_id}-k1", linkage_secret=secret,
                    signer=signing[code], linkage_unit_public=linkage_unit_sealing_public(svc.settings),
                    enclave_public=svc.keys.sealing_public_key)
                for package in (prepared.match_keys_package, prepared.content_package):
                    receive_package(svc, linkage_unit, agency_user=users[f"agency-{code}"], project_id=project_id,
                                    stream=io.BytesIO(package), content_length=len(package))
        finally:
            linkage_unit.close()
    return Stage4Project(project_id=project_id, users=users, totp=totp)
