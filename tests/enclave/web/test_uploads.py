"""Agency uploads of real sealed packages through ``PUT /api/v1/projects/<id>/packages``."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from enclave.db.models import Decision, Submission
from enclave.service import EnclaveService
from enclave.users import find_user


@pytest.fixture
def sealed(svc: EnclaveService, tmp_path, token_for, people):  # noqa: ANN001, ANN201
    """Two approved projects asking the welfare agency, and its packages sealed for the first one."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from enclave.catalog import VariableSpec, register_dataset
    from enclave.parties import linkage_unit_sealing_public, register_agency_key
    from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
    from linkage import (
        generate_agency_data,
        generate_linkage_secret,
        generate_party_keys,
        load_identifier_policies,
        prepare_submission,
        write_synthetic_data,
    )

    source = write_synthetic_data(generate_agency_data(40, agencies=("welfare",), seed=3), tmp_path / "agencies")
    keys = generate_party_keys("welfare")
    register_agency_key(svc.settings, "welfare", keys.signing.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    secret = generate_linkage_secret()
    with svc.session() as session:
        # The web fixtures' agency account for welfare is agency-welfare.
        agency = find_user(session, "agency-welfare")
        dataset = register_dataset(svc, session, agency, agency_code="welfare", name="welfare", title="Welfare",
                                   row_count=40, variables=[VariableSpec("benefit_type", "category")])
        researcher = find_user(session, people["researcher"].username)
        steward = find_user(session, people["steward"].username)
        projects = []
        for title in ("First", "Second"):
            project = apply_for_project(
                svc, session, researcher, title=title, purpose="p",
                retention_end=dt.date.today() + dt.timedelta(days=60), requests={dataset.id: ["benefit_type"]})
            decide_agency_part(svc, session, project, agency, Decision.approved)
            decide_as_steward(svc, session, project, steward, Decision.approved)
            projects.append(project.id)
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    prepared = prepare_submission(
        source["welfare"], agency="welfare", schema=policies.schema("welfare"), scheme=policies.scheme,
        project_id=str(projects[0]), key_id=f"project-{projects[0]}-k1", linkage_secret=secret,
        signer=keys.signing, linkage_unit_public=linkage_unit_sealing_public(svc.settings),
        enclave_public=svc.keys.sealing_public_key, output_dir=tmp_path / "out")
    return {"projects": projects, "content": prepared.content_package, "match_keys": prepared.match_keys_package,
            "headers": token_for(people["agency"])}


def _put(client, project_id: int, body: bytes, headers: dict[str, str]):  # noqa: ANN001, ANN202
    return client.put(f"/api/v1/projects/{project_id}/packages", data=body,
                      headers={**headers, "X-Content-SHA256": hashlib.sha256(body).hexdigest()})


def test_agency_uploads_both_packages_and_a_replay_is_refused(client, sealed, svc) -> None:
    first = sealed["projects"][0]
    content = _put(client, first, sealed["content"], sealed["headers"])
    assert content.status_code == 201, content.get_json()
    assert content.get_json()["received_by"] == "enclave"
    keys = _put(client, first, sealed["match_keys"], sealed["headers"])
    assert keys.status_code == 201
    assert keys.get_json()["received_by"] == "linkage-unit"
    replay = _put(client, first, sealed["content"], sealed["headers"])
    assert replay.status_code == 409
    listed = client.get("/api/v1/submissions", headers=sealed["headers"]).get_json()
    assert [s["project_id"] for s in listed] == [first]
    with svc.session() as session:
        assert session.query(Submission).count() == 1


def test_package_sealed_for_another_project_is_refused_and_audited(client, sealed, svc) -> None:
    second = sealed["projects"][1]
    answer = _put(client, second, sealed["content"], sealed["headers"])
    assert answer.status_code == 400
    with svc.session() as session:
        assert session.query(Submission).count() == 0
        refusals = svc.audit.query(session, action="intake.upload")
    assert any(e.outcome == "denied" and e.details.get("reason") == "misaddressed" for e in refusals)
    # Nothing half-written is left for a retry to trip over.
    retry = _put(client, sealed["projects"][0], sealed["content"], sealed["headers"])
    assert retry.status_code == 201


def test_upload_with_a_wrong_checksum_stores_nothing(client, sealed, svc) -> None:
    answer = client.put(f"/api/v1/projects/{sealed['projects'][0]}/packages", data=sealed["content"],
                        headers={**sealed["headers"], "X-Content-SHA256": "f" * 64})
    assert answer.status_code == 400
    with svc.session() as session:
        assert session.query(Submission).count() == 0
    incoming = svc.settings.data_dir / "incoming"
    assert not any(incoming.iterdir())
