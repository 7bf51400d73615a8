"""The linkage unit's own service in one process: set-up, settings, tokens and its API's contract."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from enclave.db.models import LinkageRun, LinkageUnitToken, TokenHolder
from enclave.errors import ConfigurationError, InputError
from enclave.linkage_unit.app import create_linkage_unit_app
from enclave.linkage_unit.delivery import link_and_deliver
from enclave.linkage_unit.service import LinkageUnitService, initialize_linkage_unit, open_linkage_unit_service
from enclave.linkage_unit.settings import LINKAGE_UNIT_SETTINGS, LinkageUnitSettings, load_linkage_unit_settings
from enclave.linkage_unit.tokens import issue_linkage_unit_token
from enclave.web.api.spec import openapi_path
from linkage.party_keys import fingerprint, generate_party_keys, load_party_keys
from tests.enclave.linkage_unit.builders import second_postgres_database

ROOT = Path(__file__).resolve().parents[3]
PG_URL = os.environ.get("ENCLAVE_TEST_DATABASE_URL", "")


@pytest.fixture
def lu_settings(tmp_path: Path) -> LinkageUnitSettings:
    database = second_postgres_database(PG_URL) if PG_URL.startswith("postgresql") else ""
    return load_linkage_unit_settings(environ={}, mode="development", data_dir=str(tmp_path / "lu"),
                                      database_url=database)


@pytest.fixture
def lu(lu_settings: LinkageUnitSettings) -> Iterator[LinkageUnitService]:
    initialize_linkage_unit(lu_settings)
    service = open_linkage_unit_service(lu_settings)
    yield service
    service.close()


@pytest.fixture
def client(lu: LinkageUnitService) -> FlaskClient:
    return create_linkage_unit_app(service=lu).test_client()


def _token(lu: LinkageUnitService, holder: TokenHolder, name: str) -> str:
    with lu.session() as session:
        return issue_linkage_unit_token(session, lu.audit, holder=holder, name=name, actor="test")


def test_defaults_keep_everything_in_its_own_folder(tmp_path: Path) -> None:
    settings = load_linkage_unit_settings(environ={"LINKAGE_UNIT_DATA_DIR": str(tmp_path / "lu")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'lu' / 'linkage-unit.db'}"
    assert settings.enclave_token_file == tmp_path / "lu" / "enclave.token"
    assert settings.mode == "production" and settings.port == 5060
    with pytest.raises(ConfigurationError, match="LINKAGE_UNIT_PORT"):
        load_linkage_unit_settings(environ={"LINKAGE_UNIT_PORT": "many"})


def test_every_linkage_unit_setting_is_documented_in_the_deployment_guide() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for setting in LINKAGE_UNIT_SETTINGS:
        assert setting.help.strip()
        assert setting.env in guide, f"{setting.env} is not documented in docs/deployment.md"


def test_init_is_safe_to_run_twice_and_keeps_its_keys(lu_settings: LinkageUnitSettings) -> None:
    initialize_linkage_unit(lu_settings)
    keys_before = {p.name: p.read_bytes() for p in lu_settings.keys_dir.iterdir()}
    again = initialize_linkage_unit(lu_settings)
    assert not again.created_keys and not again.created_schema
    assert {p.name: p.read_bytes() for p in lu_settings.keys_dir.iterdir()} == keys_before
    assert oct(lu_settings.data_dir.stat().st_mode & 0o777) == "0o700"
    assert oct((lu_settings.keys_dir / "linkage-unit.signing.key.pem").stat().st_mode & 0o777) == "0o600"


def test_opening_before_init_says_what_to_run(lu_settings: LinkageUnitSettings) -> None:
    with pytest.raises(Exception, match="enclave linkage-unit init"):
        open_linkage_unit_service(lu_settings)


def test_keys_route_lists_exactly_its_public_keys(client: FlaskClient, lu_settings: LinkageUnitSettings) -> None:
    keys = load_party_keys(lu_settings.keys_dir, "linkage-unit")
    answer = client.get("/api/v1/keys").get_json()
    assert list(answer) == ["keys"]
    assert [(k["party"], k["use"], k["algorithm"]) for k in answer["keys"]] == [
        ("linkage-unit", "sealing", "X25519"), ("linkage-unit", "signing", "Ed25519")]
    assert [k["fingerprint"] for k in answer["keys"]] == [fingerprint(keys.sealing_public),
                                                           fingerprint(keys.signing_public)]
    assert all(set(k) == {"party", "use", "algorithm", "pem", "fingerprint"} for k in answer["keys"])
    assert all("PRIVATE" not in k["pem"] for k in answer["keys"])


def test_openapi_document_lists_every_route_and_nothing_else(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    registered = {(openapi_path(rule.rule), method.lower()) for rule in client.application.url_map.iter_rules()
                  if rule.rule.startswith("/api/v1") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == registered
    assert ("/api/v1/projects/{project_id}/packages", "put") in documented
    assert document["info"]["title"] == "Linkage unit API"


def test_tokens_are_stored_hashed_and_revoked_ones_are_refused(client: FlaskClient, lu: LinkageUnitService) -> None:
    token = _token(lu, TokenHolder.operator, "olivia")
    with lu.session() as session:
        row = session.scalars(select(LinkageUnitToken)).one()
        assert token not in (row.token_hash, row.prefix) and row.token_hash != token
        stored = [str(getattr(row, c.key)) for c in LinkageUnitToken.__table__.columns]
    assert not any(token in value for value in stored)
    assert client.get("/api/v1/projects/1/submissions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from enclave.linkage_unit.tokens import revoke_linkage_unit_token

    with lu.session() as session:
        revoke_linkage_unit_token(session, lu.audit, row.id, "test")
    refused = client.get("/api/v1/projects/1/submissions", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and token not in refused.get_data(as_text=True)


def test_no_token_is_a_401_that_says_how_to_get_one(client: FlaskClient) -> None:
    answer = client.put("/api/v1/projects/1/packages", data=b"x")
    assert answer.status_code == 401
    assert "tokens add" in answer.get_json()["error"]


def test_garbage_upload_is_refused_and_leaves_nothing(client: FlaskClient, lu: LinkageUnitService) -> None:
    import hashlib

    token = _token(lu, TokenHolder.agency, "welfare")
    body = b"not a package at all"
    answer = client.put("/api/v1/projects/1/packages", data=body, headers={
        "Authorization": f"Bearer {token}", "X-Content-SHA256": hashlib.sha256(body).hexdigest()})
    assert answer.status_code == 400
    assert not list((lu.settings.data_dir / "incoming").iterdir())
    assert not (lu.settings.data_dir / "store" / "project-1").exists()


def test_linking_without_the_enclave_configured_changes_nothing(lu: LinkageUnitService) -> None:
    with pytest.raises(ConfigurationError, match="LINKAGE_UNIT_ENCLAVE_URL"):
        link_and_deliver(lu, 1, actor="test")
    lu.settings = lu.settings.replace(enclave_url="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="enclave token"):
        link_and_deliver(lu, 1, actor="test")
    lu.settings.enclave_token_file.write_text("enc_x")
    with pytest.raises(ConfigurationError, match="trust-enclave"):
        link_and_deliver(lu, 1, actor="test")
    with lu.session() as session:
        assert session.scalars(select(LinkageRun)).all() == []


def test_trust_refuses_keys_of_the_wrong_kind(lu: LinkageUnitService) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    keys = generate_party_keys("welfare")
    sealing_pem = keys.sealing_public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    signing_pem = keys.signing_public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(InputError):
        lu.trust_agency("welfare", sealing_pem, "test")
    with pytest.raises(InputError):
        lu.trust_agency("Bad Code", signing_pem, "test")
    with pytest.raises(InputError):
        lu.trust_enclave(signing_pem, "test")
    assert lu.trust_agency("welfare", signing_pem, "test") == keys.signing_fingerprint
    assert lu.trusted_agencies() == {"welfare": keys.signing_fingerprint}


def test_deployment_guide_lists_every_linkage_unit_route(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"| `{method.upper()}` | `{path}` |" in guide, f"{method.upper()} {path} missing from the guide"


@pytest.mark.parametrize("big", [str(2**31), str(2**64 + 1), "9" * 5000])
def test_ids_past_any_row_are_404_on_every_linkage_unit_route(client: FlaskClient, lu: LinkageUnitService,
                                                              big: str) -> None:
    app = client.application
    routes = [(rule.rule.replace("<int:project_id>", big), sorted(rule.methods - {"HEAD", "OPTIONS"}))
              for rule in app.url_map.iter_rules() if "<int:project_id>" in rule.rule]
    assert len(routes) == 4
    for holder, name in ((TokenHolder.operator, "ops"), (TokenHolder.agency, "welfare")):
        headers = {"Authorization": f"Bearer {_token(lu, holder, name)}"}
        for path, methods in routes:
            for method in methods:
                answer = client.open(path, method=method, headers=headers, data=b"x")
                assert answer.status_code == 404, (method, path, answer.status_code)
