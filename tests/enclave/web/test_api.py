"""The JSON API: tokens and scopes, export requests, uploads, and the OpenAPI document."""

from __future__ import annotations

import hashlib

from enclave.db.models import ExportRequest, Submission
from enclave.web.api.spec import openapi_path


def test_openapi_document_lists_every_api_route_and_nothing_else(app, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    registered = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == registered
    assert ("/api/v1/projects/{project_id}/export-requests", "post") in documented
    assert ("/api/v1/projects/{project_id}/packages", "put") in documented


def test_kernel_submits_an_export_request_with_a_project_token(client, people, world, token_for, svc, evidence) -> None:
    project_id = world.project("active")
    headers = token_for(people["researcher"], scope=f"project:{project_id}")
    answer = client.post(f"/api/v1/projects/{project_id}/export-requests", headers=headers,
                         json={"title": "Tables", "outputs": evidence(project_id)})
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["status"] == "in_review"
    assert {o["name"]: o["status"] for o in body["outputs"]} == {"by_region": "pass", "by_sex_small": "fail"}
    with svc.session() as session:
        assert session.get(ExportRequest, body["id"]) is not None


def test_project_token_cannot_act_on_another_project_or_list_all(client, people, world, token_for, evidence) -> None:
    first = world.project("active")
    second = world.project("active", title="Second")
    headers = token_for(people["researcher"], scope=f"project:{first}")
    refused = client.post(f"/api/v1/projects/{second}/export-requests", headers=headers,
                          json={"title": "x", "outputs": evidence(first)})
    assert refused.status_code == 403
    assert "another project" in refused.get_json()["error"]
    assert client.get("/api/v1/projects", headers=headers).status_code == 403
    assert client.get(f"/api/v1/projects/{first}", headers=headers).status_code == 200


def test_other_researcher_gets_404_for_a_project_that_is_not_theirs(client, people, world, token_for, evidence) -> None:
    project_id = world.project("active")
    headers = token_for(people["other_researcher"])
    assert client.get(f"/api/v1/projects/{project_id}", headers=headers).status_code == 404
    answer = client.post(f"/api/v1/projects/{project_id}/export-requests", headers=headers,
                         json={"title": "x", "outputs": evidence(project_id)})
    assert answer.status_code == 404


def test_bad_json_body_is_a_400_with_a_json_error(client, people, world, token_for) -> None:
    project_id = world.project("active")
    headers = token_for(people["researcher"])
    answer = client.post(f"/api/v1/projects/{project_id}/export-requests", headers=headers, data="not json",
                         content_type="application/json")
    assert answer.status_code == 400
    assert "JSON" in answer.get_json()["error"]


def test_unknown_token_is_401_and_not_echoed(client) -> None:
    answer = client.get("/api/v1/projects", headers={"Authorization": "Bearer enc_not-a-real-token"})
    assert answer.status_code == 401
    assert "enc_not-a-real-token" not in answer.get_data(as_text=True)


def test_catalog_and_project_lists(client, people, world, token_for) -> None:
    project_id = world.project()
    researcher = token_for(people["researcher"])
    datasets = client.get("/api/v1/catalog/datasets?q=benefit", headers=researcher).get_json()
    assert [d["name"] for d in datasets] == ["benefits"]
    assert client.get(f"/api/v1/catalog/datasets/{datasets[0]['id']}", headers=researcher).status_code == 200
    assert [p["id"] for p in client.get("/api/v1/projects", headers=researcher).get_json()] == [project_id]
    agency_view = client.get(f"/api/v1/projects/{project_id}", headers=token_for(people["agency"])).get_json()
    assert {r["agency_code"] for r in agency_view["requests"]} == {"welfare"}


def test_upload_over_the_limit_is_413_and_leaves_nothing(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    svc.settings = svc.settings.replace(upload_max_mb=1)
    client.application.extensions["enclave"].settings = svc.settings
    body = b"x" * ((1 << 20) + 10)
    answer = client.put(f"/api/v1/projects/{project_id}/packages", data=body, headers={
        **token_for(people["agency"]), "X-Content-SHA256": hashlib.sha256(body).hexdigest()})
    assert answer.status_code == 413
    assert "1 MiB" in answer.get_json()["error"]
    incoming = svc.settings.data_dir / "incoming"
    assert not incoming.exists() or not any(incoming.iterdir())


def test_upload_of_garbage_is_refused_and_stores_nothing(client, people, world, token_for, svc) -> None:
    project_id = world.project("approved")
    body = b"this is not a sealed package"
    headers = {**token_for(people["agency"]), "X-Content-SHA256": hashlib.sha256(body).hexdigest()}
    answer = client.put(f"/api/v1/projects/{project_id}/packages", data=body, headers=headers)
    assert answer.status_code == 400
    wrong_sum = client.put(f"/api/v1/projects/{project_id}/packages", data=body,
                           headers={**headers, "X-Content-SHA256": "0" * 64})
    assert wrong_sum.status_code == 400
    missing = client.put(f"/api/v1/projects/{project_id}/packages", data=body,
                         headers=token_for(people["agency"]))
    assert missing.status_code == 400
    assert "X-Content-SHA256" in missing.get_json()["error"]
    with svc.session() as session:
        assert session.query(Submission).count() == 0
    assert client.get("/api/v1/submissions", headers=token_for(people["agency"])).get_json() == []


def test_researcher_may_not_upload_packages(client, people, world, token_for) -> None:
    project_id = world.project("approved")
    answer = client.put(f"/api/v1/projects/{project_id}/packages", data=b"x",
                        headers={**token_for(people["researcher"]), "X-Content-SHA256": "0" * 64})
    assert answer.status_code == 403


def test_export_request_detail_keeps_votes_blind(client, app, people, world, token_for, login) -> None:
    project_id = world.project("active")
    request_id = world.export_request(project_id)
    steward = app.test_client()
    login(steward, people["steward"])
    detail = client.get(f"/api/v1/export-requests/{request_id}", headers=token_for(people["steward"])).get_json()
    output_id_name = detail["outputs"][0]["name"]
    assert all(o["votes"] == [] for o in detail["outputs"])
    assert output_id_name in {"by_region", "by_sex_small"}
    assert client.get(f"/api/v1/export-requests/{request_id}",
                      headers=token_for(people["other_researcher"])).status_code == 404


def test_docs_api_md_lists_every_documented_route(client) -> None:
    from pathlib import Path

    document = client.get("/api/v1/openapi.json").get_json()
    docs = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"| `{method.upper()}` | `{path}` |" in docs, f"{method.upper()} {path} missing from docs/api.md"


def test_the_kernel_client_submits_to_the_running_service(app, people, world, token_for, evidence) -> None:
    import threading

    from werkzeug.serving import make_server

    from export_review import submit_export_request

    project_id = world.project("active")
    token = token_for(people["researcher"], scope=f"project:{project_id}")["Authorization"].split()[1]
    outputs = evidence(project_id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        receipt = submit_export_request("From the kernel", outputs, environ={
            "ENCLAVE_API_URL": f"http://127.0.0.1:{server.server_port}", "ENCLAVE_API_TOKEN": token,
            "ENCLAVE_PROJECT_ID": str(project_id)})
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert receipt.status == "in_review"
    assert dict(receipt.outputs) == {"by_region": "pass", "by_sex_small": "fail"}
