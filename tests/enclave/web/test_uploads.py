"""Agency uploads of real sealed packages through ``PUT /api/v1/projects/<id>/packages``."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from enclave.db.models import Decision, MatchKeySubmission, Submission
from enclave.service import EnclaveService, open_linkage_unit
from enclave.users import find_user


@pytest.fixture
def sealed(svc: EnclaveService, tmp_path, token_for, people):  # noqa: ANN001, ANN201
    """Two approved projects asking the welfare agency, and its packages sealed for the first one."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from enclave.agencies import rotate_agency_key
    from enclave.catalog import VariableSpec, register_dataset
    from enclave.parties import linkage_unit_sealing_public
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
    # The web fixtures registered the welfare agency; it hands the enclave this key, as an admin records it.
    rotate_agency_key(svc, "welfare", keys.signing.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo), actor="test")
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
            "headers": token_for(people["agency"]), "signer": keys.signing,
            "linkage_unit_public": linkage_unit_sealing_public(svc.settings)}


def _reuse_id(package: bytes, recipient, signer) -> bytes:  # noqa: ANN001
    """A different package (other payload, new seal) that reuses ``package``'s id and addressing."""
    import pyarrow as pa

    from linkage.sealing import read_manifest, seal_package, table_to_parquet_bytes

    manifest = read_manifest(package).to_dict()
    payload = table_to_parquet_bytes(pa.table({"serial": pa.array([1, 2], pa.int64())}))
    return seal_package(payload, manifest, recipient, signer)


def _put(client, project_id: int, body: bytes, headers: dict[str, str]):  # noqa: ANN001, ANN202
    return client.put(f"/api/v1/projects/{project_id}/packages", data=body,
                      headers={**headers, "X-Content-SHA256": hashlib.sha256(body).hexdigest()})


def test_a_repeat_is_answered_with_the_original_receipt_and_a_reused_id_is_a_replay(client, sealed, svc) -> None:
    first = sealed["projects"][0]
    content = _put(client, first, sealed["content"], sealed["headers"])
    assert content.status_code == 201, content.get_json()
    assert content.get_json()["received_by"] == "enclave" and content.get_json()["duplicate"] is False
    keys = _put(client, first, sealed["match_keys"], sealed["headers"])
    assert keys.status_code == 201
    assert keys.get_json()["received_by"] == "linkage-unit"
    # The very same bytes again (a client retry after a lost answer): success, nothing stored twice.
    for package, receipt in ((sealed["content"], content), (sealed["match_keys"], keys)):
        again = _put(client, first, package, sealed["headers"])
        assert again.status_code == 200, again.get_json()
        assert again.get_json() == {**receipt.get_json(), "duplicate": True}
    # A different package reusing an id is a replay, for both roles.
    forged_content = _reuse_id(sealed["content"], svc.keys.sealing_public_key, sealed["signer"])
    forged_keys = _reuse_id(sealed["match_keys"], sealed["linkage_unit_public"], sealed["signer"])
    assert _put(client, first, forged_content, sealed["headers"]).status_code == 409
    assert _put(client, first, forged_keys, sealed["headers"]).status_code == 409
    listed = client.get("/api/v1/submissions", headers=sealed["headers"]).get_json()
    assert [s["project_id"] for s in listed] == [first]
    assert listed[0]["precheck"]["quasi_identifiers"] == ["sex", "birth_year", "region_code"]
    linkage_unit = open_linkage_unit(svc.settings, svc)
    with linkage_unit.session() as session:
        assert session.query(MatchKeySubmission).count() == 1
    linkage_unit.close()
    with svc.session() as session:
        assert session.query(Submission).count() == 1
        intake = svc.audit.query(session, action="intake.upload")
        receipts = svc.audit.query(session, action="linkage_unit.receive")
    assert [e.outcome for e in intake if e.details.get("kind") == "content"].count("duplicate") == 1
    assert [e.outcome for e in receipts].count("duplicate") == 1
    assert [e.outcome for e in receipts].count("denied") == 1
    stored = list((svc.settings.linkage_unit_dir / "store" / f"project-{first}").glob("*.pkg"))
    assert len(stored) == 1


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


def test_a_package_failing_its_precheck_is_flagged_for_the_steward(client, sealed, people, login, token_for) -> None:
    from linkage.sealing import read_manifest

    first = sealed["projects"][0]
    figures = read_manifest(sealed["content"]).precheck
    # 40 synthetic persons spread over sex, birth year and 시군구 are nearly all unique: the policy fails them.
    assert figures["passed"] is False and figures["unique_share"] > 0.01
    assert _put(client, first, sealed["content"], sealed["headers"]).status_code == 201
    login(client, people["steward"])
    page = client.get(f"/projects/{first}").get_data(as_text=True)
    assert "Identification-risk pre-checks" in page
    assert "FAILED thresholds" in page and 'class="flagged"' in page
    assert f"{figures['unique_share'] * 100:.1f}%" in page
    steward_view = client.get(f"/api/v1/projects/{first}", headers=token_for(people["steward"])).get_json()
    [entry] = steward_view["prechecks"]
    assert entry["agency_code"] == "welfare" and entry["flagged"] is True
    assert entry["precheck"]["smallest_class"] == figures["smallest_class"]
    # The agency sees its own; a researcher sees none of the agencies' figures.
    assert len(client.get(f"/api/v1/projects/{first}", headers=sealed["headers"]).get_json()["prechecks"]) == 1
    researcher_view = client.get(f"/api/v1/projects/{first}", headers=token_for(people["researcher"]))
    assert researcher_view.get_json()["prechecks"] == []
