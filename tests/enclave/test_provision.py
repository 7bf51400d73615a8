"""Single-dataset provision (가명정보 제공): one agency's data pseudonymized, no linkage."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from enclave.combination import (
    combine_project,
    deliver_linkage_map,
    provide_project,
    pseudonymize_serials,
    receive_package,
    review_risk,
)
from enclave.combination.datasets import read_parquet
from enclave.db.models import AuditEvent, Decision, LinkedDataset, Project, ProjectFlow, User
from enclave.errors import Conflict, InputError, NotFound
from enclave.keys import project_key_id
from enclave.parties import linkage_unit_sealing_public, register_agency_key
from enclave.projects import apply_for_project, decide_agency_part, decide_as_steward
from enclave.service import EnclaveService, open_linkage_unit
from linkage import (
    generate_agency_data,
    generate_party_keys,
    load_identifier_policies,
    prepare_submission,
    write_synthetic_data,
)
from tests.enclave.domain_fixtures import World, apply, build_world


@dataclass
class Single:
    world: World
    project_id: int
    content: bytes
    rows: int


def _approve(svc: EnclaveService, world: World, project_id: int, agencies: tuple[str, ...]) -> None:
    with svc.session() as session:
        project = session.get(Project, project_id)
        for code in agencies:
            decide_agency_part(svc, session, project, session.get(User, world.users[code].id), Decision.approved)
        decide_as_steward(svc, session, project, session.get(User, world.users["carol"].id), Decision.approved)


@pytest.fixture
def single(svc: EnclaveService, tmp_path: Path) -> Single:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    world = build_world(svc)
    with svc.session() as session:
        project = apply_for_project(
            svc, session, session.get(User, world.users["alice"].id), title="One registry", purpose="P",
            retention_end=dt.date.today() + dt.timedelta(days=30), requests={world.datasets["welfare"].id: ["x"]})
        project_id = project.id
    _approve(svc, world, project_id, ("welfare",))
    files = write_synthetic_data(generate_agency_data(1200, agencies=("welfare",), seed=5), tmp_path / "agencies")
    policies = load_identifier_policies(svc.settings.policies_dir / "identifiers")
    keys = generate_party_keys("welfare")
    register_agency_key(svc.settings, "welfare", keys.signing.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    prepared = prepare_submission(
        files["welfare"], agency="welfare", schema=policies.schema("welfare"), scheme=policies.scheme,
        project_id=str(project_id), key_id="k1", linkage_secret=b"s" * 32, signer=keys.signing,
        linkage_unit_public=linkage_unit_sealing_public(svc.settings), enclave_public=svc.keys.sealing_public_key)
    return Single(world, project_id, prepared.content_package, prepared.report.rows)


def _upload(svc: EnclaveService, single: Single) -> None:
    lu = open_linkage_unit(svc.settings, svc)
    try:
        receive_package(svc, lu, agency_user=single.world.users["welfare"], project_id=single.project_id,
                        stream=io.BytesIO(single.content))
    finally:
        lu.close()


def test_a_project_asking_for_one_dataset_follows_the_provision_flow(svc: EnclaveService, single: Single) -> None:
    world = single.world
    with svc.session() as session:
        assert session.get(Project, single.project_id).flow is ProjectFlow.provision
    both = apply(svc, world)
    with svc.session() as session:
        assert session.get(Project, both).flow is ProjectFlow.combination


def test_provide_replaces_serials_with_project_pseudonyms(svc: EnclaveService, single: Single) -> None:
    _upload(svc, single)
    dataset = provide_project(svc, single.project_id, actor="carol")
    with svc.session() as session:
        table = read_parquet(svc.get_object(session, dataset.object_id, project_key_id(single.project_id)))
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "combination.provide")).all()
    assert dataset.stage == "combined"
    assert table.num_rows == single.rows == dataset.row_count
    assert "serial" not in table.column_names and table.column_names[0] == "pseudonym"
    pseudonyms = table.column("pseudonym").to_pylist()
    assert len(set(pseudonyms)) == len(pseudonyms)
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in pseudonyms)
    assert pseudonyms == sorted(pseudonyms)
    assert len(events) == 1 and events[0].actor == "carol"


def test_provided_data_goes_on_to_the_same_risk_review(svc: EnclaveService, single: Single) -> None:
    _upload(svc, single)
    provide_project(svc, single.project_id, actor="carol")
    review = review_risk(svc, single.project_id, actor="dave", n_attacks=20, seed=1)
    summary = json.loads(review.summary)
    assert summary["rows"] > 0
    assert review.state.value == "pending"


def test_linking_or_combining_a_single_dataset_project_is_refused(svc: EnclaveService, single: Single) -> None:
    _upload(svc, single)
    lu = open_linkage_unit(svc.settings, svc)
    try:
        with pytest.raises(Conflict, match="provide"):
            deliver_linkage_map(svc, lu, single.project_id, actor="carol")
    finally:
        lu.close()
    with pytest.raises(Conflict, match="provide"):
        combine_project(svc, single.project_id, actor="carol")
    with svc.session() as session:
        assert session.scalars(select(LinkedDataset)).all() == []


def test_provide_is_refused_for_a_combination_project(svc: EnclaveService, single: Single) -> None:
    both = apply(svc, single.world)
    _approve(svc, single.world, both, ("welfare", "health"))
    with pytest.raises(Conflict, match="several agencies"):
        provide_project(svc, both, actor="carol")


def test_provide_before_the_content_arrived_names_the_missing_agency(svc: EnclaveService, single: Single) -> None:
    with pytest.raises(NotFound, match="welfare"):
        provide_project(svc, single.project_id, actor="carol")


def test_duplicate_serials_are_refused_without_echoing_them() -> None:
    import pyarrow as pa

    content = pa.table({"serial": pa.array([7, 7], pa.int64()), "x": pa.array([1, 2])})
    with pytest.raises(InputError) as caught:
        pseudonymize_serials("welfare", content, b"k" * 32)
    assert "7" not in str(caught.value).replace("welfare", "")


def test_serial_and_link_id_pseudonyms_never_coincide() -> None:
    import numpy as np

    from enclave.combination import derive_pseudonyms

    ids = np.arange(50, dtype=np.int64)
    assert not set(derive_pseudonyms(ids, b"k" * 32)) & set(derive_pseudonyms(ids, b"k" * 32, of="serial"))


def test_the_projects_command_says_which_flow_each_project_follows(svc: EnclaveService, single: Single,
                                                                   runner) -> None:  # type: ignore[no-untyped-def]
    from enclave.cli import cli

    both = apply(svc, single.world)
    listed = runner.invoke(cli, ["projects", "list"])
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[0]: line.split()[1] for line in listed.output.splitlines()[1:]}
    assert rows == {str(single.project_id): "provision", str(both): "combination"}
    shown = runner.invoke(cli, ["projects", "show", str(single.project_id)])
    assert shown.exit_code == 0 and "flow:      provision" in shown.output
    assert "agency welfare: content not yet received" in shown.output


def test_the_api_says_which_flow_a_project_follows(svc: EnclaveService, single: Single) -> None:
    from enclave.users import issue_token
    from enclave.web import create_app

    app = create_app(svc.settings, svc)
    with svc.session() as session:
        token = issue_token(svc, session, session.get(User, single.world.users["alice"].id), actor="test", label="t")
    got = app.test_client().get(f"/api/v1/projects/{single.project_id}",
                                headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.get_json()["flow"] == "provision"


def test_a_steward_provides_a_single_dataset_as_a_job_and_never_links_it(svc: EnclaveService,
                                                                         single: Single) -> None:
    from enclave.combination import STAGE4_JOBS, next_step, startable_kinds
    from enclave.db.models import Job, JobKind, JobState
    from enclave.jobs import Worker, start_job

    def state() -> tuple[str, list[str]]:
        with svc.session() as session:
            project = session.get(Project, single.project_id)
            return next_step(svc, session, project), [k.value for k in startable_kinds(svc, session, project)]

    assert state() == ("wait_content", [])
    _upload(svc, single)
    assert state() == ("provide", ["provide"])
    for kind in (JobKind.link, JobKind.combine):
        with svc.session() as session, pytest.raises(Conflict, match="Start the provide job instead"):
            start_job(svc, session, session.get(User, single.world.users["carol"].id), single.project_id, kind,
                      STAGE4_JOBS)
    with svc.session() as session:
        job_id = start_job(svc, session, session.get(User, single.world.users["carol"].id), single.project_id,
                           JobKind.provide, STAGE4_JOBS).id
    Worker(svc, STAGE4_JOBS).run_once()
    with svc.session() as session:
        job = session.get(Job, job_id)
        assert job.state is JobState.succeeded, job.error
        assert json.loads(job.result)["rows"] == single.rows
    assert state() == ("process", ["process", "provide"])


def test_provide_is_not_offered_for_a_combination_project(svc: EnclaveService, single: Single) -> None:
    from enclave.combination import STAGE4_JOBS
    from enclave.db.models import JobKind
    from enclave.jobs import start_job

    both = apply(svc, single.world)
    _approve(svc, single.world, both, ("welfare", "health"))
    with svc.session() as session, pytest.raises(Conflict, match="Start the link job instead"):
        start_job(svc, session, session.get(User, single.world.users["carol"].id), both, JobKind.provide,
                  STAGE4_JOBS)
