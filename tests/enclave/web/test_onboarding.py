"""Onboarding through pages and the API: agencies, datasets described by agencies, public keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from enclave.db.models import Dataset, User
from enclave.parties import enclave_parties_dir
from linkage.party_keys import fingerprint
from tests.enclave.domain_fixtures import public_pem

CSRF = {"csrf_token": "test-csrf-token"}
POLICIES = Path(__file__).resolve().parents[3] / "policies" / "identifiers"


def _pem() -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return key, public_pem(key).decode("ascii")


def _events(svc, action: str):  # noqa: ANN001, ANN202
    with svc.session() as session:
        return svc.audit.query(session, action=action)


# -- agency pages ------------------------------------------------------------------------------------


def test_admin_registers_an_agency_on_the_page_and_sees_the_fingerprint(client, people, login, svc) -> None:
    login(client, people["admin"])
    key, pem = _pem()
    answer = client.post("/admin/agencies", data={**CSRF, "code": "pension", "name": "Pension service",
                                                  "signing_public_pem": pem}, follow_redirects=True)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert fingerprint(key.public_key()) in page and "telephone or letter" in page
    assert (enclave_parties_dir(svc.settings) / "pension.signing.pub.pem").read_bytes() == public_pem(key)
    listing = client.get("/admin/agencies").get_data(as_text=True)
    assert "pension" in listing and fingerprint(key.public_key()) in listing
    assert _events(svc, "agency.register")[0].actor == people["admin"].username


def test_a_refused_registration_keeps_what_was_typed(client, people, login, svc) -> None:
    login(client, people["admin"])
    answer = client.post("/admin/agencies", data={**CSRF, "code": "pension", "name": "Pension service",
                                                  "signing_public_pem": "not a key"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "Ed25519 public key" in page
    assert 'value="pension"' in page and 'value="Pension service"' in page and ">not a key</textarea>" in page
    duplicate = client.post("/admin/agencies", data={**CSRF, "code": "welfare", "name": "Again",
                                                     "signing_public_pem": _pem()[1]})
    assert duplicate.status_code == 409 and "registered already" in duplicate.get_data(as_text=True)
    refused = [e for e in _events(svc, "agency.register") if e.outcome == "denied"]
    # Each refusal is on record exactly once.
    assert sorted(e.details["reason"] for e in refused) == ["bad_key", "duplicate"]


def test_admin_rotates_a_key_and_revokes_after_confirming(client, people, login, svc) -> None:
    login(client, people["admin"])
    key, pem = _pem()
    rotated = client.post("/admin/agencies/welfare/keys", data={**CSRF, "signing_public_pem": pem},
                          follow_redirects=True)
    assert rotated.status_code == 200
    page = rotated.get_data(as_text=True)
    assert fingerprint(key.public_key()) in page and "retired" in page
    confirm = client.get("/admin/agencies/welfare/revoke")
    assert confirm.status_code == 200 and "confirm_code" in confirm.get_data(as_text=True)
    wrong = client.post("/admin/agencies/welfare/revoke", data={**CSRF, "confirm_code": "health"})
    assert wrong.status_code == 400
    assert (enclave_parties_dir(svc.settings) / "welfare.signing.pub.pem").exists()
    done = client.post("/admin/agencies/welfare/revoke", data={**CSRF, "confirm_code": "welfare"},
                       follow_redirects=True)
    assert done.status_code == 200 and "Revoked agency welfare" in done.get_data(as_text=True)
    assert not (enclave_parties_dir(svc.settings) / "welfare.signing.pub.pem").exists()
    with svc.session() as session:
        assert not session.query(User).filter_by(username=people["agency"].username).one().is_active


def test_adding_an_agency_user_on_the_users_page_needs_a_registered_agency(client, people, login) -> None:
    login(client, people["admin"])
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="welfare">' in page
    refused = client.post("/admin/users", data={**CSRF, "username": "agency-x", "role": "agency",
                                                "agency_code": "nowhere", "password": "long enough password"})
    assert refused.status_code == 400
    assert "No active agency is registered with code nowhere" in refused.get_data(as_text=True)


# -- describing datasets on the page -------------------------------------------------------------------

_LINES = "household_type | category | 가구유형 | qi\npayment_krw | integer | 지급금액 | sensitive\n"


def test_an_agency_describes_its_dataset_on_the_page(client, people, login, svc) -> None:
    login(client, people["agency"])
    form = client.get("/catalog/new").get_data(as_text=True)
    assert '<option value="welfare"' in form and '<option value="health"' not in form
    answer = client.post("/catalog/new", data={**CSRF, "agency_code": "welfare", "name": "eligibility",
                                               "title": "Eligibility", "row_count": "12,345",
                                               "variables": _LINES}, follow_redirects=True)
    assert answer.status_code == 200
    with svc.session() as session:
        dataset = session.query(Dataset).filter_by(name="eligibility").one()
        described = [(v.name, v.type, v.meaning, v.is_quasi_identifier, v.is_sensitive) for v in dataset.variables]
        assert described == [("household_type", "category", "가구유형", True, False),
                             ("payment_krw", "integer", "지급금액", False, True)]
        assert dataset.row_count_rounded == 12_000 and dataset.created_by == people["agency"].username


def test_an_agency_cannot_describe_another_agencys_dataset(client, people, login, svc) -> None:
    login(client, people["agency"])
    answer = client.post("/catalog/new", data={**CSRF, "agency_code": "health", "name": "visits2", "title": "V",
                                               "variables": _LINES})
    assert answer.status_code == 403
    with svc.session() as session:
        assert session.query(Dataset).count() == 0
    denied = [e for e in _events(svc, "catalog.register") if e.outcome == "denied"]
    assert denied and denied[0].details["reason"] == "not_their_agency"


def test_a_refused_description_comes_back_as_typed_with_every_problem(client, people, login, svc) -> None:
    login(client, people["steward"])
    lines = "sex | category | 성별 | qi\nsex | category\nage | years\njust one field\nx | integer | m | secret\n"
    answer = client.post("/catalog/new", data={**CSRF, "agency_code": "welfare", "name": "Bad Name",
                                               "title": "Kept title", "description": "Kept description",
                                               "coverage_start": "2020-13-01", "variables": lines})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    for problem in ("Variable line 4", "Variable line 5 has an unknown flag", "Variable sex is listed twice",
                    "Variable age has an unknown type", "Dataset names are lower-case", "YYYY-MM-DD"):
        assert problem in page, problem
    assert 'value="Kept title"' in page and "Kept description</textarea>" in page
    assert "just one field" in page and 'value="Bad Name"' in page
    with svc.session() as session:
        assert session.query(Dataset).count() == 0


def test_the_page_reads_an_uploaded_identifier_policy(client, people, login, svc) -> None:
    import io

    login(client, people["agency"])
    answer = client.post("/catalog/new", data={
        **CSRF, "agency_code": "welfare", "policy_file": (io.BytesIO((POLICIES / "welfare.yaml").read_bytes()),
                                                           "welfare.yaml")},
        content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200
    with svc.session() as session:
        dataset = session.query(Dataset).filter_by(agency_code="welfare").one()
        assert dataset.name == "welfare" and len(dataset.variables) == 10
    broken = client.post("/catalog/new", data={
        **CSRF, "agency_code": "welfare", "name": "second", "variables": _LINES,
        "policy_file": (io.BytesIO("content: [".encode("cp949")), "w.yaml")}, content_type="multipart/form-data")
    assert broken.status_code == 400 and "not valid YAML" in broken.get_data(as_text=True)
    assert "household_type | category" in broken.get_data(as_text=True)


# -- the API -----------------------------------------------------------------------------------------------


def test_api_registers_lists_rotates_and_revokes_agencies(client, people, token_for, svc) -> None:
    headers = token_for(people["admin"])
    key, pem = _pem()
    made = client.post("/api/v1/agencies", headers=headers,
                       json={"code": "pension", "name": "Pension", "signing_public_pem": pem})
    assert made.status_code == 201
    assert made.get_json()["fingerprint"] == fingerprint(key.public_key())
    assert made.get_json()["state"] == "active"
    again = client.post("/api/v1/agencies", headers=headers,
                        json={"code": "pension", "name": "Pension", "signing_public_pem": _pem()[1]})
    assert again.status_code == 409
    same_key = client.post("/api/v1/agencies", headers=headers,
                           json={"code": "other", "name": "Other", "signing_public_pem": pem})
    assert same_key.status_code == 409
    for body in ({}, {"code": "x1", "name": "X"}, {"code": "X", "name": "X", "signing_public_pem": pem},
                 {"code": "x1", "name": "X", "signing_public_pem": "nope"}):
        bad = client.post("/api/v1/agencies", headers=headers, json=body)
        assert bad.status_code == 400 and "error" in bad.get_json()
    assert client.post("/api/v1/agencies", headers=headers, data="[", content_type="application/json"
                       ).status_code == 400
    listed = client.get("/api/v1/agencies", headers=headers).get_json()
    assert [a["code"] for a in listed] == ["employment", "health", "pension", "welfare"]
    new_key, new_pem = _pem()
    rotated = client.post("/api/v1/agencies/pension/keys", headers=headers,
                          json={"signing_public_pem": new_pem, "compromised": True})
    assert rotated.status_code == 200
    assert [(k["fingerprint"], k["state"]) for k in rotated.get_json()["keys"]] == [
        (fingerprint(key.public_key()), "revoked"), (fingerprint(new_key.public_key()), "active")]
    assert client.post("/api/v1/agencies/nobody/keys", headers=headers,
                       json={"signing_public_pem": _pem()[1]}).status_code == 404
    revoked = client.post("/api/v1/agencies/pension/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert client.post("/api/v1/agencies/pension/revoke", headers=headers).status_code == 409
    assert [e.details["reason"] for e in _events(svc, "agency.revoke") if e.outcome == "denied"] == ["revoked"]
    assert client.get("/api/v1/agencies/pension", headers=headers).get_json()["fingerprint"] is None
    actions = {e.action for e in _events(svc, "agency.") if e.actor == people["admin"].username}
    assert actions == {"agency.register", "agency.rotate_key", "agency.revoke"}


@pytest.mark.parametrize("role", ["researcher", "agency", "steward"])
def test_only_admins_use_the_agency_api(client, people, token_for, role: str) -> None:
    headers = token_for(people[role])
    assert client.get("/api/v1/agencies", headers=headers).status_code == 403
    assert client.post("/api/v1/agencies", headers=headers, json={
        "code": "pension", "name": "P", "signing_public_pem": _pem()[1]}).status_code == 403


def test_api_describes_datasets_by_role(client, people, token_for, svc) -> None:
    body = {"name": "benefits", "title": "Benefits", "row_count": 4321,
            "variables": [{"name": "sex", "type": "category", "meaning": "성별", "is_quasi_identifier": True},
                          {"name": "payment_krw", "type": "integer", "is_sensitive": True}]}
    agency = token_for(people["agency"])
    made = client.post("/api/v1/catalog/datasets", headers=agency, json=body)
    assert made.status_code == 201
    assert made.get_json()["agency_code"] == "welfare" and made.get_json()["row_count_rounded"] == 4000
    assert client.post("/api/v1/catalog/datasets", headers=agency, json=body).status_code == 409
    other = client.post("/api/v1/catalog/datasets", headers=agency, json={**body, "agency_code": "health"})
    assert other.status_code == 403
    assert client.post("/api/v1/catalog/datasets", headers=token_for(people["researcher"]),
                       json=body).status_code == 403
    steward = token_for(people["steward"])
    from_policy = client.post("/api/v1/catalog/datasets", headers=steward, json={
        "agency_code": "health", "identifier_policy": "identifiers/health.yaml",
        "policy_yaml": (POLICIES / "health.yaml").read_text(encoding="utf-8")})
    assert from_policy.status_code == 201 and from_policy.get_json()["name"] == "health"
    bad = client.post("/api/v1/catalog/datasets", headers=steward, json={
        "agency_code": "nobody", "name": "x", "title": "X" * 301, "row_count": "many",
        "variables": [{"name": "a", "type": "money"}, {"name": "a", "type": "integer"}, "junk"]})
    assert bad.status_code == 400
    error = bad.get_json()["error"]
    for problem in ("Variable 3 needs", "No active agency is registered with code nobody", "unknown type",
                    "listed twice", "300 characters", "'row_count'"):
        assert problem in error, problem
    with svc.session() as session:
        assert session.query(Dataset).count() == 2


def test_openapi_document_lists_the_onboarding_routes(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in (("/api/v1/agencies", "post"), ("/api/v1/agencies", "get"),
                         ("/api/v1/agencies/{code}/keys", "post"), ("/api/v1/agencies/{code}/revoke", "post"),
                         ("/api/v1/catalog/datasets", "post"), ("/api/v1/keys", "get")):
        assert method in paths[path], (path, method)
    assert paths["/api/v1/keys"]["get"]["security"] == []


# -- public keys ------------------------------------------------------------------------------------------


def test_public_keys_api_has_the_exact_shape_and_matches_the_command(client, runner, svc) -> None:
    from tests.enclave.test_cli import invoke

    answer = client.get("/api/v1/keys")
    assert answer.status_code == 200
    body = answer.get_json()
    assert list(body) == ["keys"]
    assert [(k["party"], k["use"], k["algorithm"]) for k in body["keys"]] == [
        ("enclave", "sealing", "X25519"), ("enclave", "signing", "Ed25519"),
        ("linkage-unit", "sealing", "X25519"), ("linkage-unit", "signing", "Ed25519")]
    for key in body["keys"]:
        assert set(key) == {"party", "use", "algorithm", "pem", "fingerprint"}
        assert re.fullmatch(r"sha256:[0-9a-f]{32}", key["fingerprint"])
        assert fingerprint(load_pem_public_key(key["pem"].encode())) == key["fingerprint"]
    assert body["keys"][1]["pem"] == svc.keys.signing_public_pem().decode()
    printed = invoke(runner, "keys", "public").output
    for key in body["keys"]:
        assert f"# {key['party']} {key['use']} {key['algorithm']} {key['fingerprint']}\n{key['pem']}" in printed


def test_keys_page_is_public_and_linked_from_the_login_page(client, svc) -> None:
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/keys"' in login_page
    page = client.get("/keys")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert fingerprint(svc.keys.sealing_public_key) in text and fingerprint(svc.keys.signing_public_key) in text
    assert text.count("-----BEGIN PUBLIC KEY-----") == 4 and "linkage fetch-keys" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_onboarding_pages_render_in_both_languages(client, people, login, lang: str) -> None:
    login(client, people["admin"])
    for url in ("/admin/agencies", "/admin/agencies/welfare", "/admin/agencies/welfare/revoke", "/catalog/new",
                "/keys"):
        answer = client.get(f"{url}?lang={lang}")
        assert answer.status_code == 200, url
        assert f'<html lang="{lang}">' in answer.get_data(as_text=True)
