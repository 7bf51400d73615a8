"""The linkage-map route on an enclave that links in-process, and who may call it.

The separate deployment (maps accepted, bad ones refused) is tested end to
end over HTTP in ``tests/enclave/linkage_unit/test_separate_service.py``.
"""

from __future__ import annotations

import hashlib

import pytest

from enclave.db.models import LinkageMapReceipt, Role
from enclave.errors import ConfigurationError
from enclave.service import EnclaveService, open_linkage_unit
from enclave.users import add_user, issue_token


def _put(client, project_id: int, token: str, body: bytes = b"sealed map"):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/projects/{project_id}/linkage-map", data=body, headers={
        "Authorization": f"Bearer {token}", "X-Content-SHA256": hashlib.sha256(body).hexdigest()})


def _linkage_unit_token(svc: EnclaveService) -> str:
    with svc.session() as session:
        user = add_user(svc, session, username="lu-service", role=Role.linkage_unit,
                        password="a long service password", actor="test").user
        return issue_token(svc, session, user, actor="test")


def test_an_enclave_that_links_in_process_refuses_maps_over_the_api(client, svc, world) -> None:  # type: ignore[no-untyped-def]
    project_id = world.project("approved")
    answer = _put(client, project_id, _linkage_unit_token(svc))
    assert answer.status_code == 403
    assert "ENCLAVE_LINKAGE_UNIT_URL" in answer.get_json()["error"]
    with svc.session() as session:
        assert session.query(LinkageMapReceipt).count() == 0
        denied = svc.audit.query(session, action="combination.receive_map")
    assert denied[0].outcome == "denied" and denied[0].details["reason"] == "embedded"


def test_only_the_linkage_unit_account_may_deliver_a_map(client, svc, world, people, token_for) -> None:  # type: ignore[no-untyped-def]
    project_id = world.project("approved")
    for key in ("agency", "steward", "researcher"):
        headers = token_for(people[key])
        body = b"sealed map"
        answer = client.put(f"/api/v1/projects/{project_id}/linkage-map", data=body, headers={
            **headers, "X-Content-SHA256": hashlib.sha256(body).hexdigest()})
        assert answer.status_code == 403, key
    with svc.session() as session:
        reasons = {e.details["reason"] for e in svc.audit.query(session, action="combination.receive_map")}
    assert reasons == {"role"}


def test_the_linkage_unit_account_sees_no_project(client, svc, world) -> None:  # type: ignore[no-untyped-def]
    project_id = world.project("approved")
    headers = {"Authorization": f"Bearer {_linkage_unit_token(svc)}"}
    assert client.get("/api/v1/projects", headers=headers).get_json() == []
    assert client.get(f"/api/v1/projects/{project_id}", headers=headers).status_code == 404


def test_a_separate_linkage_unit_is_never_opened_in_process(svc: EnclaveService) -> None:
    separate = svc.settings.replace(linkage_unit_url="https://lu.example.org")
    with pytest.raises(ConfigurationError, match="lu.example.org"):
        open_linkage_unit(separate, svc)
