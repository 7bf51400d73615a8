"""The agency registry: registering, rotating and revoking keys, and what the trust folders then accept."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from enclave.agencies import find_agency, list_agencies, register_agency, revoke_agency, rotate_agency_key
from enclave.combination import receive_package
from enclave.db.models import AgencyKeyState, AgencyState, Decision, Project, User
from enclave.errors import Conflict, InputError, NotFound
from enclave.linkage_unit import LinkageUnitRole
from enclave.parties import enclave_parties_dir, enclave_trusted_signers, linkage_unit_sealing_public
from enclave.projects import decide_agency_part, decide_as_steward
from enclave.service import EnclaveService, open_linkage_unit
from enclave.users import add_user
from linkage import generate_agency_data, load_identifier_policies, prepare_submission, write_synthetic_data
from linkage.errors import BadSignatureError, UnknownSignerError
from linkage.party_keys import fingerprint
from tests.enclave.domain_fixtures import World, apply, build_world, public_pem


def _trusted_files(svc: EnclaveService, code: str) -> list[Path]:
    return [folder / f"{code}.signing.pub.pem"
            for folder in (enclave_parties_dir(svc.settings), svc.settings.linkage_unit_dir / "parties")]


def test_registering_an_agency_trusts_its_key_in_both_folders_and_audits(svc: EnclaveService) -> None:
    key = Ed25519PrivateKey.generate()
    record = register_agency(svc, code="welfare", name="Welfare", signing_public_pem=public_pem(key), actor="cli:op")
    assert record.state is AgencyState.active
    assert record.active_key is not None and record.active_key.fingerprint == fingerprint(key.public_key())
    for path in _trusted_files(svc, "welfare"):
        assert path.read_bytes() == public_pem(key)
    assert fingerprint(enclave_trusted_signers(svc.settings)["welfare"]) == record.active_key.fingerprint
    with svc.session() as session:
        events = svc.audit.query(session, action="agency.register")
        assert [a.code for a in list_agencies(session)] == ["welfare"]
    assert events[0].actor == "cli:op" and events[0].details["fingerprint"] == record.active_key.fingerprint


@pytest.mark.parametrize("code", ["Welfare", "w", "linkage-unit", "enclave", "1st", "wel fare", ""])
def test_a_bad_agency_code_is_refused(svc: EnclaveService, code: str) -> None:
    with pytest.raises(InputError, match="Agency codes"):
        register_agency(svc, code=code, name="X", signing_public_pem=public_pem(Ed25519PrivateKey.generate()),
                        actor="t")
    with svc.session() as session:
        assert list_agencies(session) == []


def _pems() -> dict[str, bytes]:
    ed = Ed25519PrivateKey.generate()
    return {
        "not pem": b"hello",
        "private key": ed.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()),
        "sealing key": X25519PrivateKey.generate().public_key().public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
        "empty": b"",
    }


@pytest.mark.parametrize("kind", sorted(_pems()))
def test_anything_but_an_ed25519_public_key_is_refused_and_audited(svc: EnclaveService, kind: str) -> None:
    with pytest.raises(InputError, match="Ed25519 public key"):
        register_agency(svc, code="welfare", name="Welfare", signing_public_pem=_pems()[kind], actor="t")
    with svc.session() as session:
        assert list_agencies(session) == []
        refused = svc.audit.query(session, action="agency.register")
    assert refused[0].outcome == "denied" and refused[0].details["reason"] == "bad_key"
    assert not any(path.exists() for path in _trusted_files(svc, "welfare"))


def test_a_taken_code_or_a_key_registered_before_is_a_conflict(svc: EnclaveService) -> None:
    key = Ed25519PrivateKey.generate()
    register_agency(svc, code="welfare", name="Welfare", signing_public_pem=public_pem(key), actor="t")
    with pytest.raises(Conflict, match="registered already"):
        register_agency(svc, code="welfare", name="Again", signing_public_pem=public_pem(
            Ed25519PrivateKey.generate()), actor="t")
    with pytest.raises(Conflict, match="registered already"):
        register_agency(svc, code="health", name="Health", signing_public_pem=public_pem(key), actor="t")
    with pytest.raises(Conflict):
        # Rotating back to a key the registry knows would undo a rotation.
        rotate_agency_key(svc, "welfare", public_pem(key), actor="t")
    with svc.session() as session:
        assert [a.code for a in list_agencies(session)] == ["welfare"]
        denied = [e for e in svc.audit.query(session, action="agency.") if e.outcome == "denied"]
    assert {e.details["reason"] for e in denied} == {"duplicate", "key_in_use"}


def test_rotation_retires_the_old_key_and_revocation_ends_everything(svc: EnclaveService) -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    register_agency(svc, code="welfare", name="Welfare", signing_public_pem=public_pem(first), actor="t")
    with svc.session() as session:
        add_user(svc, session, username="agency-welfare", role="agency", password="long enough password",
                 actor="t", agency_code="welfare")
    rotated = rotate_agency_key(svc, "welfare", public_pem(second), actor="admin-a")
    assert [k.state for k in rotated.keys] == [AgencyKeyState.retired, AgencyKeyState.active]
    assert rotated.keys[0].retired_by == "admin-a" and rotated.keys[0].retired_at is not None
    for path in _trusted_files(svc, "welfare"):
        assert path.read_bytes() == public_pem(second)
    retired = svc.settings.linkage_unit_dir / "parties" / "retired"
    assert [p.read_bytes() for p in retired.iterdir()] == [public_pem(first)]

    revoked = revoke_agency(svc, "welfare", actor="admin-b")
    assert revoked.state is AgencyState.revoked and revoked.revoked_by == "admin-b"
    assert {k.state for k in revoked.keys} == {AgencyKeyState.revoked}
    assert not any(path.exists() for path in _trusted_files(svc, "welfare"))
    assert list(retired.iterdir()) == []
    with svc.session() as session:
        user = session.query(User).filter_by(username="agency-welfare").one()
        assert not user.is_active
        actions = [e.action for e in svc.audit.query(session, object_type="agency")]
    assert {"agency.register", "agency.rotate_key", "agency.revoke"} <= set(actions)
    with pytest.raises(Conflict, match="revoked"):
        rotate_agency_key(svc, "welfare", public_pem(Ed25519PrivateKey.generate()), actor="t")
    with pytest.raises(Conflict, match="revoked"):
        revoke_agency(svc, "welfare", actor="t")


def test_unknown_agency_is_not_found(svc: EnclaveService) -> None:
    with pytest.raises(NotFound), svc.session() as session:
        find_agency(session, "nobody")
    with pytest.raises(NotFound):
        rotate_agency_key(svc, "nobody", public_pem(Ed25519PrivateKey.generate()), actor="t")
    with pytest.raises(NotFound):
        revoke_agency(svc, "nobody", actor="t")


@pytest.mark.parametrize("state", ["unregistered", "revoked"])
def test_agency_users_need_a_registered_active_agency(svc: EnclaveService, state: str) -> None:
    if state == "revoked":
        register_agency(svc, code="welfare", name="W", signing_public_pem=public_pem(Ed25519PrivateKey.generate()),
                        actor="t")
        revoke_agency(svc, "welfare", actor="t")
    with pytest.raises(InputError, match="No active agency is registered with code welfare"), \
            svc.session() as session:
        add_user(svc, session, username="agency-welfare", role="agency", password="long enough password",
                 actor="t", agency_code="welfare")


# -- what the trust folders accept -----------------------------------------------------------------


@dataclass
class Packages:
    world: World
    project_id: int
    lu: LinkageUnitRole
    files: dict[str, Path]


@pytest.fixture
def approved(svc: EnclaveService, tmp_path: Path) -> Iterator[Packages]:
    world = build_world(svc)
    pid = apply(svc, world)
    with svc.session() as session:
        project = session.get(Project, pid)
        for code in ("welfare", "health"):
            decide_agency_part(svc, session, project, session.get(User, world.users[code].id), Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, world.users["carol"].id), Decision.approved)
    files = write_synthetic_data(generate_agency_data(60, agencies=("welfare", "health"), seed=5), tmp_path / "src")
    lu = open_linkage_unit(svc.settings, svc)
    yield Packages(world, pid, lu, files)
    lu.close()


def _sealed(svc: EnclaveService, setup: Packages, code: str, signer: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    prepared = prepare_submission(
        setup.files[code], agency=code, schema=policies.schema(code), scheme=policies.scheme,
        project_id=str(setup.project_id), key_id="k1", linkage_secret=b"s" * 32, signer=signer,
        linkage_unit_public=linkage_unit_sealing_public(svc.settings), enclave_public=svc.keys.sealing_public_key)
    return prepared.match_keys_package, prepared.content_package


def _upload(svc: EnclaveService, setup: Packages, code: str, data: bytes):  # type: ignore[no-untyped-def]
    return receive_package(svc, setup.lu, agency_user=setup.world.users[code], project_id=setup.project_id,
                           stream=io.BytesIO(data))


def test_after_rotation_a_package_signed_with_the_old_key_is_refused(svc: EnclaveService,
                                                                     approved: Packages) -> None:
    old = approved.world.agency_keys["welfare"]
    old_keys, old_content = _sealed(svc, approved, "welfare", old)
    new = Ed25519PrivateKey.generate()
    rotate_agency_key(svc, "welfare", public_pem(new), actor="t")
    for package in (old_content, old_keys):
        with pytest.raises(InputError, match="signature"):
            _upload(svc, approved, "welfare", package)
    with svc.session() as session:
        denied = [e for e in svc.audit.query(session, action="intake.upload") if e.outcome == "denied"]
    assert denied and denied[0].details["reason"] == "BadSignatureError"
    new_keys, new_content = _sealed(svc, approved, "welfare", new)
    assert _upload(svc, approved, "welfare", new_content).kind == "content"
    assert _upload(svc, approved, "welfare", new_keys).kind == "match_keys"


@pytest.mark.parametrize("compromised", [False, True])
def test_match_keys_received_before_a_rotation_are_linked_unless_the_old_key_was_compromised(
        svc: EnclaveService, approved: Packages, compromised: bool) -> None:
    for code in ("welfare", "health"):
        _upload(svc, approved, code, _sealed(svc, approved, code, approved.world.agency_keys[code])[0])
    rotate_agency_key(svc, "welfare", public_pem(Ed25519PrivateKey.generate()), actor="t", compromised=compromised)
    if compromised:
        with pytest.raises((BadSignatureError, UnknownSignerError)):
            approved.lu.run_linkage(approved.project_id, svc.keys.sealing_public_key, actor="t")
    else:
        run, _ = approved.lu.run_linkage(approved.project_id, svc.keys.sealing_public_key, actor="t")
        assert run.map_sha256


def test_a_revoked_agency_cannot_upload(svc: EnclaveService, approved: Packages) -> None:
    match_keys, content = _sealed(svc, approved, "health", approved.world.agency_keys["health"])
    revoke_agency(svc, "health", actor="t")
    for package in (content, match_keys):
        with pytest.raises(InputError, match="not trusted|unknown|not registered|signer"):
            _upload(svc, approved, "health", package)
    with svc.session() as session:
        reasons = {e.details.get("reason") for e in svc.audit.query(session, action="intake.upload")}
    assert "UnknownSignerError" in reasons


def test_init_adopts_keys_trusted_by_file_before_the_registry(svc: EnclaveService) -> None:
    from enclave.bootstrap import initialize_enclave

    key = Ed25519PrivateKey.generate()
    folder = enclave_parties_dir(svc.settings)
    (folder / "pension.signing.pub.pem").write_bytes(public_pem(key))
    (folder / "Bad Name.signing.pub.pem").write_bytes(public_pem(Ed25519PrivateKey.generate()))
    initialize_enclave(svc.settings)
    with svc.session() as session:
        adopted = find_agency(session, "pension")
        events = [e for e in svc.audit.query(session, action="agency.register") if e.details.get("adopted")]
    assert adopted.active_key is not None and adopted.active_key.fingerprint == fingerprint(key.public_key())
    assert [e.object_id for e in events] == ["pension"]
    # The registry decides from now on: the linkage unit trusts the adopted key, the stray file is gone.
    assert (svc.settings.linkage_unit_dir / "parties" / "pension.signing.pub.pem").read_bytes() == public_pem(key)
    assert not (folder / "Bad Name.signing.pub.pem").exists()
    assert (folder / "linkage-unit.signing.pub.pem").exists()
