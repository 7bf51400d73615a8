"""Agency uploads: bad packages are refused with a clear message and nothing is kept."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from enclave.combination import PayloadTooLarge, receive_package
from enclave.db.models import Decision, MatchKeySubmission, Project, Submission, User
from enclave.errors import Conflict, InputError
from enclave.linkage_unit import LinkageUnitRole
from enclave.parties import linkage_unit_sealing_public
from enclave.projects import decide_agency_part, decide_as_steward
from enclave.service import EnclaveService, open_linkage_unit
from linkage import (
    generate_agency_data,
    load_identifier_policies,
    prepare_submission,
    write_synthetic_data,
)
from tests.enclave.domain_fixtures import World, apply, build_world


@dataclass
class Setup:
    world: World
    project_id: int
    lu: LinkageUnitRole
    packages: dict[str, tuple[bytes, bytes]]


@pytest.fixture
def setup(svc: EnclaveService, tmp_path: Path) -> Setup:
    world = build_world(svc)
    pid = apply(svc, world)
    with svc.session() as session:
        project = session.get(Project, pid)
        for code in ("welfare", "health"):
            decide_agency_part(svc, session, project, session.get(User, world.users[code].id), Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, world.users["carol"].id), Decision.approved)
    data = generate_agency_data(150, agencies=("welfare", "health"), seed=3)
    files = write_synthetic_data(data, tmp_path / "agencies")
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    packages = {}
    for code in ("welfare", "health"):
        prepared = prepare_submission(
            files[code], agency=code, schema=policies.schema(code), scheme=policies.scheme,
            project_id=str(pid), key_id="k1", linkage_secret=b"s" * 32, signer=world.agency_keys[code],
            linkage_unit_public=linkage_unit_sealing_public(svc.settings), enclave_public=svc.keys.sealing_public_key)
        packages[code] = (prepared.match_keys_package, prepared.content_package)
    lu = open_linkage_unit(svc.settings, svc)
    yield Setup(world, pid, lu, packages)  # type: ignore[misc]
    lu.close()


def _upload(svc: EnclaveService, setup: Setup, agency: str, data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("project_id", setup.project_id)
    return receive_package(svc, setup.lu, agency_user=setup.world.users[agency], stream=io.BytesIO(data),
                           **kwargs)  # type: ignore[arg-type]


def _stored(svc: EnclaveService, setup: Setup) -> tuple[int, int]:
    with svc.session() as session:
        content = len(session.scalars(select(Submission)).all())
    with setup.lu.session() as session:
        keys = len(session.scalars(select(MatchKeySubmission)).all())
    return content, keys


def test_packages_go_to_their_recipients(svc: EnclaveService, setup: Setup) -> None:
    match_keys, content = setup.packages["welfare"]
    assert _upload(svc, setup, "welfare", match_keys).received_by == "linkage-unit"
    assert _upload(svc, setup, "welfare", content).received_by == "enclave"
    assert _stored(svc, setup) == (1, 1)


def test_the_same_package_again_is_a_duplicate_and_another_with_its_id_is_a_replay(
        svc: EnclaveService, setup: Setup) -> None:
    import pyarrow as pa

    from linkage.sealing import read_manifest, seal_package, table_to_parquet_bytes

    content = setup.packages["welfare"][1]
    first = _upload(svc, setup, "welfare", content)
    again = _upload(svc, setup, "welfare", content)
    assert again.duplicate and not first.duplicate
    assert (again.package_id, again.row_count, again.sha256) == (first.package_id, first.row_count, first.sha256)
    # The same bytes from another agency's account are not a repeat of its own upload.
    with pytest.raises(Conflict, match="opened before"):
        _upload(svc, setup, "health", content)
    # A different package reusing the id (resealed by the agency itself, with its registered key) is a replay.
    other = seal_package(table_to_parquet_bytes(pa.table({"serial": pa.array([7], pa.int64())})),
                         read_manifest(content).to_dict(), svc.keys.sealing_public_key,
                         setup.world.agency_keys["welfare"])
    with pytest.raises(Conflict, match="opened before"):
        _upload(svc, setup, "welfare", other)
    assert _stored(svc, setup) == (1, 0)
    with svc.session() as session:
        events = svc.audit.query(session, action="intake.upload")
    assert [e.outcome for e in events].count("duplicate") == 1
    denied = [e for e in events if e.outcome == "denied"]
    assert len(denied) == 2 and {e.details["reason"] for e in denied} == {"ReplayedPackageError"}


def test_a_repeated_match_key_package_is_a_duplicate_at_the_linkage_unit(svc: EnclaveService, setup: Setup) -> None:
    match_keys = setup.packages["health"][0]
    first = _upload(svc, setup, "health", match_keys)
    again = _upload(svc, setup, "health", match_keys)
    assert again.duplicate and again.package_id == first.package_id and again.received_by == "linkage-unit"
    assert _stored(svc, setup) == (0, 1)
    with svc.session() as session:
        outcomes = [e.outcome for e in svc.audit.query(session, action="linkage_unit.receive")]
    assert sorted(outcomes) == ["duplicate", "ok"]


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_damaged_package_is_refused_and_nothing_is_kept(svc: EnclaveService, setup: Setup, damage: str) -> None:
    data = bytearray(setup.packages["health"][1])
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 2] ^= 0xFF
    else:
        data = bytearray(b"not a package at all")
    with pytest.raises(InputError):
        _upload(svc, setup, "health", bytes(data))
    assert _stored(svc, setup) == (0, 0)
    assert list((svc.settings.data_dir / "incoming").iterdir()) == []


def test_interrupted_upload_is_refused(svc: EnclaveService, setup: Setup) -> None:
    data = setup.packages["health"][1]
    with pytest.raises(InputError, match="Send the package again"):
        _upload(svc, setup, "health", data[:1000], content_length=len(data))
    assert _stored(svc, setup) == (0, 0)
    # The retry succeeds.
    assert _upload(svc, setup, "health", data, content_length=len(data)).kind == "content"


def test_checksum_mismatch_is_refused(svc: EnclaveService, setup: Setup) -> None:
    with pytest.raises(InputError, match="SHA-256"):
        _upload(svc, setup, "health", setup.packages["health"][1], declared_sha256="0" * 64)
    assert _stored(svc, setup) == (0, 0)


def test_oversized_upload_is_refused(svc: EnclaveService, setup: Setup) -> None:
    small = svc.settings.replace(upload_max_mb=0)
    limited = EnclaveService(settings=small, db=svc.db, keys=svc.keys)
    with pytest.raises(PayloadTooLarge):
        _upload(limited, setup, "health", setup.packages["health"][1])
    assert _stored(svc, setup) == (0, 0)


def test_package_of_another_agency_is_refused(svc: EnclaveService, setup: Setup) -> None:
    with pytest.raises(InputError, match="another project or another agency"):
        _upload(svc, setup, "welfare", setup.packages["health"][1])
    assert _stored(svc, setup) == (0, 0)


def test_package_for_another_project_is_refused(svc: EnclaveService, setup: Setup) -> None:
    other = apply(svc, setup.world, "bob")
    with svc.session() as session:
        project = session.get(Project, other)
        for code in ("welfare", "health"):
            decide_agency_part(svc, session, project, session.get(User, setup.world.users[code].id),
                               Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, setup.world.users["carol"].id),
                          Decision.approved)
    with pytest.raises(InputError, match="another project"):
        _upload(svc, setup, "welfare", setup.packages["welfare"][0], project_id=other)
    assert _stored(svc, setup) == (0, 0)


def test_enclave_connection_refuses_linkage_unit_tables(svc: EnclaveService, setup: Setup) -> None:
    from sqlalchemy import text

    from enclave.db.separation import SeparationViolation

    with pytest.raises(SeparationViolation), svc.db.engine.connect() as conn:
        conn.execute(text("SELECT * FROM lu_submissions"))
    with pytest.raises(SeparationViolation), setup.lu.db.engine.connect() as conn:
        conn.execute(text("SELECT * FROM submissions"))
