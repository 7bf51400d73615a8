"""A catalogue of hostile input: each gets a 4xx with a clear message, and nothing stored changes.

Packages signed by a trusted agency but carrying manifests of the wrong types,
sizes or nesting; ids past any row in every route's path; oversized headers;
bytes that are not UTF-8 in uploads and form fields.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from flask.testing import FlaskClient

from enclave.db.models import MatchKeySubmission, Submission
from enclave.service import EnclaveService, open_linkage_unit
from linkage.sealing import MAGIC, _canonical, _derive_key, read_manifest
from tests.enclave.web.test_uploads import sealed  # noqa: F401  # the fixture: real packages of a real agency

#: A value a hostile sender might hope to see echoed; no answer may contain it.
PLANTED = "PLANTED-VALUE-9f3e"


def seal_hostile(original: bytes, changes: dict[str, Any], recipient, signer) -> bytes:  # noqa: ANN001
    """Seal ``original``'s manifest with ``changes`` applied, by hand, past the sealer's own checks.

    The result is a well-formed package validly signed by ``signer``: only the
    manifest's shape is wrong, as a broken or hostile partner tool would send it.
    """
    from cryptography.hazmat.primitives import serialization

    raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    manifest: Any = read_manifest(original).to_dict()
    if "__whole__" in changes:
        manifest = changes["__whole__"]
    else:
        manifest.update(changes)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = ephemeral.public_key().public_bytes(*raw)
    salt, nonce = secrets.token_bytes(32), secrets.token_bytes(12)
    key = _derive_key(ephemeral.exchange(recipient), salt, ephemeral_raw, recipient.public_bytes(*raw))
    header = _canonical({"format": 1, "manifest": manifest,
                         "ephemeral_public": base64.b64encode(ephemeral_raw).decode("ascii"),
                         "salt": base64.b64encode(salt).decode("ascii"),
                         "nonce": base64.b64encode(nonce).decode("ascii")})
    ciphertext = AESGCM(key).encrypt(nonce, b"not parquet", header)
    body = b"".join([MAGIC, struct.pack(">I", len(header)), header, struct.pack(">Q", len(ciphertext)), ciphertext])
    signature = signer.sign(body)
    return body + struct.pack(">H", len(signature)) + signature


HOSTILE_MANIFESTS = [
    pytest.param({"missing_counts": "ab"}, id="counts-as-text"),
    pytest.param({"invalid_counts": [[1]]}, id="counts-as-nested-list"),
    pytest.param({"missing_counts": {"blank": {"deeper": 1}}}, id="counts-nested-object"),
    pytest.param({"invalid_counts": {"bad": 2**64}}, id="count-past-64-bits"),
    pytest.param({"invalid_counts": {"bad": -1}}, id="count-negative"),
    pytest.param({"invalid_counts": {"bad": 1.5}}, id="count-fraction"),
    pytest.param({"invalid_counts": {f"k{i}": 1 for i in range(1000)}}, id="counts-too-many"),
    pytest.param({"row_count": 10**30}, id="row-count-huge"),
    pytest.param({"row_count": True}, id="row-count-boolean"),
    pytest.param({"row_count": PLANTED}, id="row-count-text"),
    pytest.param({"schema_version": 1e300}, id="version-float"),
    pytest.param({"columns": {"a": PLANTED}}, id="columns-object"),
    pytest.param({"columns": ["x" * 10_000]}, id="column-name-huge"),
    pytest.param({"columns": [[PLANTED]]}, id="columns-nested"),
    pytest.param({"package_id": ["a"]}, id="package-id-list"),
    pytest.param({"agency": {"code": PLANTED}}, id="agency-object"),
    pytest.param({"project_id": [1]}, id="project-list"),
    pytest.param({"precheck": PLANTED}, id="precheck-text"),
    pytest.param({"precheck": {"k": -1}}, id="precheck-incomplete"),
    pytest.param({"precheck": {"quasi_identifiers": ["sex"], "k": 5, "max_share_below_k": 0.1,
                               "max_unique_share": 0.1, "records": 10, "classes": 2, "smallest_class": 1,
                               "records_below_k": 1, "share_below_k": float("nan"), "unique_records": 1,
                               "unique_share": 7, "passed": "yes"}}, id="precheck-bad-figures"),
    pytest.param({"__whole__": [PLANTED]}, id="manifest-a-list"),
]


def _put(client: FlaskClient, project_id: int, body: bytes, headers: dict[str, str]):  # noqa: ANN202
    return client.put(f"/api/v1/projects/{project_id}/packages", data=body,
                      headers={**headers, "X-Content-SHA256": hashlib.sha256(body).hexdigest()})


def _stored(svc: EnclaveService) -> tuple[int, int]:
    linkage_unit = open_linkage_unit(svc.settings, svc)
    try:
        with linkage_unit.session() as session:
            keys = session.query(MatchKeySubmission).count()
    finally:
        linkage_unit.close()
    with svc.session() as session:
        return session.query(Submission).count(), keys


@pytest.mark.parametrize("kind", ["content", "match_keys"])
def test_signed_packages_with_malformed_manifests_are_refused_and_audited(
    client: FlaskClient, sealed: dict[str, Any], svc: EnclaveService, kind: str,  # noqa: F811
) -> None:
    recipient = svc.keys.sealing_public_key if kind == "content" else sealed["linkage_unit_public"]
    for case in HOSTILE_MANIFESTS:
        package = seal_hostile(sealed[kind], case.values[0], recipient, sealed["signer"])
        answer = _put(client, sealed["projects"][0], package, sealed["headers"])
        assert answer.status_code == 400, (case.id, answer.get_data(as_text=True))
        message = answer.get_json()["error"]
        assert "manifest" in message and "send it again" in message, case.id
        assert PLANTED not in answer.get_data(as_text=True), case.id
        assert _stored(svc) == (0, 0), case.id
    with svc.session() as session:
        events = svc.audit.query(session, limit=1000)
    refusals = [e for e in events if e.outcome == "denied" and e.details.get("reason") == "MalformedManifestError"]
    assert len(refusals) == len(HOSTILE_MANIFESTS)
    assert not any(PLANTED in json.dumps(e.details) for e in events)
    # The real package still goes through: the refusals left nothing in its way.
    assert _put(client, sealed["projects"][0], sealed[kind], sealed["headers"]).status_code == 201


def test_a_header_nested_past_the_parser_is_refused_as_not_a_package(
    client: FlaskClient, sealed: dict[str, Any], svc: EnclaveService,  # noqa: F811
) -> None:
    header = b'{"manifest":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    body = MAGIC + struct.pack(">I", len(header)) + header + struct.pack(">Q", 0)
    package = body + struct.pack(">H", 64) + b"\0" * 64
    answer = _put(client, sealed["projects"][0], package, sealed["headers"])
    assert answer.status_code == 400
    assert "not a sealed linkage package" in answer.get_json()["error"]
    assert _stored(svc) == (0, 0)


HUGE_IDS = [str(2**31), str(2**63), str(2**64 + 1), "9" * 40, "9" * 5000]


def _routes_with_int_ids(app: Flask) -> list[tuple[str, str]]:
    """Every (method, URL) of ``app`` whose rule has an int part, each int part filled with a marker."""
    found = []
    for rule in app.url_map.iter_rules():
        if not any(type(c).__name__ == "RowIdConverter" for c in rule._converters.values()):  # noqa: SLF001
            continue
        url = rule.rule
        for name, converter in rule._converters.items():  # noqa: SLF001
            placeholder = f"<int:{name}>" if f"<int:{name}>" in url else f"<{name}>"
            url = url.replace(placeholder, "{big}" if type(converter).__name__ == "RowIdConverter" else "x")
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_route_with_an_id_is_bounded_by_the_row_id_converter(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():  # noqa: SLF001
            if isinstance(converter, IntegerConverter):
                assert type(converter).__name__ == "RowIdConverter", rule.rule


@pytest.mark.parametrize("big", HUGE_IDS)
def test_ids_past_any_row_are_404_on_every_route(
    app: Flask, client: FlaskClient, people, login: Callable[..., None], token_for, big: str  # noqa: ANN001
) -> None:
    routes = _routes_with_int_ids(app)
    assert len(routes) >= 40  # pages, API: every route that names a row
    login(client, people["admin"])
    api = token_for(people["admin"])
    for method, url in routes:
        path = url.format(big=big)
        headers = api if path.startswith("/api/") else {}
        data = {"csrf_token": "test-csrf-token"} if method == "POST" and not path.startswith("/api/") else None
        answer = client.open(path, method=method, headers=headers, data=data)
        assert answer.status_code == 404, (method, url, answer.status_code)



NOT_UTF8 = "%FF%FEtitle%C3"  # percent-encoded bytes that decode to nothing in UTF-8


def _projects(svc: EnclaveService) -> int:
    from enclave.db.models import Project

    with svc.session() as session:
        return session.query(Project).count()


def test_form_fields_that_are_not_utf8_are_refused_and_change_nothing(
    client: FlaskClient, people, login: Callable[..., None], world, svc: EnclaveService  # noqa: ANN001
) -> None:
    world.add_datasets()
    login(client, people["researcher"])
    before = _projects(svc)
    body = (f"csrf_token=test-csrf-token&title={NOT_UTF8}&purpose=Study&retention_end=2099-01-01"
            f"&variable={world.welfare_dataset}:sex")
    answer = client.post("/projects/apply", data=body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    assert "not UTF-8" in answer.get_data(as_text=True)
    assert _projects(svc) == before
    # The same form in UTF-8 goes through.
    fine = body.replace(NOT_UTF8, "%EC%97%B0%EA%B5%AC")  # 연구
    answer = client.post("/projects/apply", data=fine, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 302
    assert _projects(svc) == before + 1


def test_a_login_name_that_is_not_utf8_is_refused_without_counting_or_echoing(client: FlaskClient, people) -> None:  # noqa: ANN001
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/login", data=f"csrf_token={token}&username={NOT_UTF8}&password=x",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    assert "not UTF-8" in answer.get_data(as_text=True)


def test_multipart_fields_and_file_names_that_are_not_utf8_are_refused(
    client: FlaskClient, people, login: Callable[..., None], svc: EnclaveService  # noqa: ANN001
) -> None:
    from enclave.db.models import Dataset

    login(client, people["steward"])
    boundary = "hostileboundary"

    def multipart(name_bytes: bytes, filename: bytes) -> bytes:
        parts = [(b'name="csrf_token"', b"test-csrf-token"), (b'name="agency_code"', b"welfare"),
                 (b'name="name"', name_bytes), (b'name="title"', b"Title"),
                 (b'name="policy_file"; filename="' + filename + b'"', b"dataset: welfare\n")]
        body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n"
                        + value + b"\r\n" for head, value in parts)
        return body + b"--" + boundary.encode() + b"--\r\n"

    for body in (multipart(b"\xff\xfe", b"policy.yaml"), multipart(b"benefits", b"\xff\xfepolicy.yaml")):
        answer = client.post("/catalog/new", data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert answer.status_code == 400
        assert "not UTF-8" in answer.get_data(as_text=True)
    with svc.session() as session:
        assert session.query(Dataset).count() == 0


def test_json_and_query_text_that_is_not_utf8_is_refused(
    client: FlaskClient, people, token_for, world, svc: EnclaveService  # noqa: ANN001
) -> None:
    world.add_datasets()
    headers = {**token_for(people["researcher"]), "Content-Type": "application/json"}
    before = _projects(svc)
    body = (b'{"title":"\xff\xfe","purpose":"Study","retention_end":"2099-01-01","requests":{"'
            + str(world.welfare_dataset).encode() + b'":["sex"]}}')
    answer = client.post("/api/v1/projects", data=body, headers=headers)
    assert answer.status_code == 400 and "error" in answer.get_json()
    assert _projects(svc) == before
    answer = client.get(f"/api/v1/catalog/datasets?q={NOT_UTF8}", headers=token_for(people["researcher"]))
    assert answer.status_code == 400 and "not UTF-8" in answer.get_json()["error"]


def test_upload_headers_that_are_not_ascii_or_too_long_are_refused_and_store_nothing(
    client: FlaskClient, sealed: dict[str, Any], svc: EnclaveService,  # noqa: F811
) -> None:
    url = f"/api/v1/projects/{sealed['projects'][0]}/packages"
    # WSGI hands header bytes over as latin-1: "\xff" stands for a byte that is no part of a SHA-256.
    for declared in ("\xff" * 64, "a" * 100_000):
        answer = client.put(url, data=sealed["content"], headers={**sealed["headers"], "X-Content-SHA256": declared})
        assert answer.status_code == 400, declared[:4]
    for token in ("Bearer \xff\xfe", "Bearer " + "A" * 100_000, "\xff" * 10):
        answer = client.put(url, data=sealed["content"], headers={"Authorization": token})
        assert answer.status_code == 401
    assert _stored(svc) == (0, 0)
    assert _put(client, sealed["projects"][0], sealed["content"], sealed["headers"]).status_code == 201


def test_oversized_headers_are_refused_by_the_server_which_keeps_serving(svc: EnclaveService, tmp_path) -> None:  # noqa: ANN001
    from tests.enclave.web.test_server import _serve

    with _serve(svc, tmp_path, "production", "--workers", "2") as served:
        one_huge = served.request("GET", "/login", headers={"X-Filler": "a" * 100_000})
        assert 400 <= one_huge.status < 500
        many = served.request("GET", "/login", headers={f"X-Filler-{i}": "a" for i in range(300)})
        assert 400 <= many.status < 500
        huge_cookie = served.request("GET", "/login", headers={"Cookie": "enclave_session=" + "a" * 100_000})
        assert 400 <= huge_cookie.status < 500
        assert served.request("GET", "/login").status == 200
    assert "Traceback" not in served.log.read_text()


@pytest.mark.parametrize("field", ["title", "analysis_plan", "team", "requests"])
def test_json_text_with_nul_is_refused_on_every_backend(
    client: FlaskClient, people, token_for, world, svc: EnclaveService, field: str  # noqa: ANN001
) -> None:
    world.add_datasets()
    body: dict[str, Any] = {"title": "T", "purpose": "P", "retention_end": "2099-01-01",
                            "requests": {str(world.welfare_dataset): ["sex"]}}
    body[field] = {"team": ["a\0"], "requests": {str(world.welfare_dataset): ["sex\0"]}}.get(field, "a\0b")
    before = _projects(svc)
    answer = client.post("/api/v1/projects", json=body, headers=token_for(people["researcher"]))
    assert answer.status_code == 400 and "NUL" in answer.get_json()["error"]
    assert _projects(svc) == before


def test_json_nested_past_the_parser_is_refused(client: FlaskClient, people, token_for) -> None:  # noqa: ANN001
    answer = client.post("/api/v1/projects", data="[" * 100_000 + "]" * 100_000,
                         headers={**token_for(people["researcher"]), "Content-Type": "application/json"})
    assert answer.status_code == 400 and "nested too deeply" in answer.get_json()["error"]
