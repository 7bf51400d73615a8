"""``linkage fetch-keys``: the enclave's published public keys, checked, pinned and saved.

The enclave's ``/api/v1/keys`` document is served by a small real HTTP server on
127.0.0.1 in the exact shape the enclave publishes.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from linkage import PartyKeys, fingerprint, generate_party_keys, load_sealing_public_key, load_signing_public_key
from linkage.cli import main


def _pem(key: Any) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _document(parties: dict[str, PartyKeys]) -> dict[str, Any]:
    keys = []
    for party in ("enclave", "linkage-unit"):
        for use, algorithm, public in (("sealing", "X25519", parties[party].sealing_public),
                                       ("signing", "Ed25519", parties[party].signing_public)):
            keys.append({"party": party, "use": use, "algorithm": algorithm, "pem": _pem(public),
                         "fingerprint": fingerprint(public)})
    return {"keys": keys}


class _Published:
    """What the tiny server answers; tests change ``document`` or ``status``."""

    document: Any = None
    status: int = 200
    requests: list[str]


@pytest.fixture
def served() -> Iterator[tuple[str, _Published]]:
    published = _Published()
    published.requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            published.requests.append(self.path)
            body = json.dumps(published.document).encode() if self.path == "/api/v1/keys" else b'{"error":"no"}'
            self.send_response(published.status if self.path == "/api/v1/keys" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", published
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def parties() -> dict[str, PartyKeys]:
    return {name: generate_party_keys(name) for name in ("enclave", "linkage-unit")}


def test_keys_are_verified_saved_under_the_names_prepare_expects_and_fingerprints_printed(
        served: tuple[str, _Published], parties: dict[str, PartyKeys], tmp_path: Path) -> None:
    url, published = served
    published.document = _document(parties)
    pin = f"enclave.sealing={fingerprint(parties['enclave'].sealing_public)}"
    result = CliRunner().invoke(main, ["fetch-keys", url, "--out", str(tmp_path / "keys"), "--expect", pin])
    assert result.exit_code == 0, result.output
    assert published.requests == ["/api/v1/keys"]
    saved = sorted(p.name for p in (tmp_path / "keys").iterdir())
    assert saved == ["enclave.sealing.pub.pem", "enclave.signing.pub.pem",
                     "linkage-unit.sealing.pub.pem", "linkage-unit.signing.pub.pem"]
    for party in ("enclave", "linkage-unit"):
        sealing = load_sealing_public_key(tmp_path / "keys" / f"{party}.sealing.pub.pem")
        signing = load_signing_public_key(tmp_path / "keys" / f"{party}.signing.pub.pem")
        assert fingerprint(sealing) == fingerprint(parties[party].sealing_public)
        assert fingerprint(signing) == fingerprint(parties[party].signing_public)
        assert fingerprint(sealing) in result.output and fingerprint(signing) in result.output
    assert "Confirm these fingerprints" in result.output


def _tamper(document: dict[str, Any], parties: dict[str, PartyKeys], how: str) -> None:
    entry = document["keys"][0]  # enclave.sealing
    if how == "fingerprint":
        entry["fingerprint"] = "sha256:" + "0" * 32
    elif how == "swapped_key":
        # A key that is not the one published under this fingerprint (a substitution in transit).
        entry["pem"] = _pem(generate_party_keys("mallory").sealing_public)
    elif how == "wrong_algorithm":
        entry["pem"] = _pem(parties["enclave"].signing_public)
        entry["fingerprint"] = fingerprint(parties["enclave"].signing_public)
    elif how == "not_pem":
        entry["pem"] = "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n"
    elif how == "unknown_party":
        entry["party"] = "someone-else"


@pytest.mark.parametrize(("how", "says"), [
    ("fingerprint", "published fingerprint differs"),
    ("swapped_key", "published fingerprint differs"),
    ("wrong_algorithm", "not an X25519 public key"),
    ("not_pem", "not an X25519 public key"),
    ("unknown_party", "lacks a known party"),
])
def test_a_key_that_is_not_what_it_claims_refuses_everything_and_writes_nothing(
        served: tuple[str, _Published], parties: dict[str, PartyKeys], tmp_path: Path, how: str,
        says: str) -> None:
    url, published = served
    published.document = _document(parties)
    _tamper(published.document, parties, how)
    result = CliRunner().invoke(main, ["fetch-keys", url, "--out", str(tmp_path / "keys")])
    assert result.exit_code == 8, result.output
    assert says in result.output and "nothing was written" in result.output
    assert not (tmp_path / "keys").exists()


def test_a_pinned_fingerprint_that_differs_refuses_and_writes_nothing(
        served: tuple[str, _Published], parties: dict[str, PartyKeys], tmp_path: Path) -> None:
    url, published = served
    published.document = _document(parties)
    wrong = f"linkage-unit.sealing=sha256:{'a' * 32}"
    missing = f"enclave.signing={fingerprint(parties['enclave'].signing_public)}"
    published.document["keys"] = [k for k in published.document["keys"] if k["use"] == "sealing"]
    result = CliRunner().invoke(main, ["fetch-keys", url, "--out", str(tmp_path / "keys"),
                                       "--expect", wrong, "--expect", missing])
    assert result.exit_code == 8, result.output
    assert "--expect pinned sha256:" + "a" * 32 in result.output
    assert "enclave.signing is pinned with --expect but not published" in result.output
    assert not (tmp_path / "keys").exists()


def test_a_malformed_pin_is_refused_before_any_request(served: tuple[str, _Published], tmp_path: Path) -> None:
    url, published = served
    result = CliRunner().invoke(main, ["fetch-keys", url, "--out", str(tmp_path), "--expect", "enclave=abc"])
    assert result.exit_code == 8 and "PARTY.USE=sha256:" in result.output
    assert published.requests == []


def test_an_address_without_the_keys_document_says_so(served: tuple[str, _Published], tmp_path: Path) -> None:
    url, published = served
    published.document = {"something": "else"}
    result = CliRunner().invoke(main, ["fetch-keys", url, "--out", str(tmp_path / "keys")])
    assert result.exit_code == 8 and "nothing was written" in result.output
    published.status = 404
    result = CliRunner().invoke(main, ["fetch-keys", url + "/nowhere", "--out", str(tmp_path / "keys")])
    assert result.exit_code == 11, result.output


def test_an_unreachable_address_is_retried_then_reported(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more: every attempt is refused.
    result = CliRunner().invoke(main, ["fetch-keys", f"http://127.0.0.1:{port}", "--out", str(tmp_path),
                                       "--retries", "2", "--retry-wait", "0"])
    assert result.exit_code == 15, result.output
    assert result.output.count("trying again") == 2
    assert "after 3 attempt(s)" in result.output
