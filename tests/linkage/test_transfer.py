"""The agency's HTTP client: one exit code per kind of failure, bounded retries, TLS checked.

A small real HTTP(S) server on 127.0.0.1 answers with scripted statuses, so the
client's handling of answers the real enclave rarely gives (413 behind a proxy,
503 while it restarts, a certificate it does not trust) is exercised for real.
"""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkage import EnclaveClient, ServerError, generate_party_keys, seal_package, table_to_parquet_bytes
from linkage.cli import main

TOKEN = "enc_scripted-token-never-shown"


class Script:
    """Answers to give, in order (the last one repeats), and what was asked."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, object]] = [(200, [])]
        self.seen: list[tuple[str, str, str, int]] = []


def _serve(script: Script, context: ssl.SSLContext | None = None) -> tuple[http.server.HTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, self.headers.get("Authorization", ""), len(body)))
            status, payload = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = _answer  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def scripted() -> Iterator[tuple[Script, str]]:
    script = Script()
    server, url = _serve(script)
    try:
        yield script, url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    import pyarrow as pa

    path = tmp_path / "welfare.content.pkg"
    path.write_bytes(seal_package(table_to_parquet_bytes(pa.table({"serial": pa.array([1, 2], pa.int64())})),
                                  {"agency": "welfare", "kind": "content", "project_id": "3"},
                                  generate_party_keys("enclave").sealing_public,
                                  generate_party_keys("welfare").signing))
    return path


def _upload(url: str, package: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["upload", str(package), "--to", url, "--retry-wait", "0", *extra],
                              env={"LINKAGE_TOKEN": TOKEN, "ENCLAVE_LANG": "en"})


@pytest.mark.parametrize(("status", "code", "says"), [
    (400, 14, "refused the request (400: The package's SHA-256 does not match"),
    (401, 10, "did not accept the token (401"),
    (403, 11, "refused this token for that request (403"),
    (404, 11, "has nothing there for your agency (404"),
    (409, 12, "refused the package as a conflict (409"),
    (413, 13, "larger than the enclave at"),
    (500, 17, "failed to answer (500"),
])
def test_each_refusal_has_its_own_exit_code_and_relays_the_reason(
        scripted: tuple[Script, str], package: Path, status: int, code: int, says: str) -> None:
    script, url = scripted
    reason = "The package's SHA-256 does not match the one you declared; nothing was kept.\x1b[31m"
    script.answers = [(200, {"id": 3}), (status, {"error": reason})]
    result = _upload(url, package)
    assert result.exit_code == code, result.output
    assert says in result.output
    # The server's reason reaches the terminal without control characters; the token never does.
    assert "\x1b" not in result.output and TOKEN not in result.output
    # 4xx and 500 are not retried: the project check, then one upload.
    assert [s[0] for s in script.seen] == ["GET", "PUT"]


def test_upload_sends_the_declared_checksum_and_length_and_the_token_only_as_bearer(
        scripted: tuple[Script, str], package: Path) -> None:
    import hashlib

    script, url = scripted
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    script.answers = [(200, {"id": 3}), (201, {"kind": "content", "package_id": "abc", "row_count": 2,
                                               "sha256": digest, "received_by": "enclave", "duplicate": False})]
    result = _upload(url, package)
    assert result.exit_code == 0, result.output
    assert script.seen[0][:3] == ("GET", "/api/v1/projects/3", f"Bearer {TOKEN}")
    assert script.seen[1] == ("PUT", "/api/v1/projects/3/packages", f"Bearer {TOKEN}", package.stat().st_size)
    assert f"sha256 {digest}" in result.output and TOKEN not in result.output


def test_a_receipt_for_other_bytes_is_not_taken_as_delivery(scripted: tuple[Script, str], package: Path) -> None:
    script, url = scripted
    script.answers = [(200, {"id": 3}), (201, {"kind": "content", "package_id": "abc", "row_count": 2,
                                               "sha256": "0" * 64, "received_by": "enclave"})]
    result = _upload(url, package)
    assert result.exit_code == 17 and "different SHA-256" in result.output


def test_503_is_retried_with_growing_waits_and_then_succeeds(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    script.answers = [(503, {"error": "restarting"}), (502, b"<html>bad gateway</html>"), (200, [])]
    waits: list[float] = []
    client = EnclaveClient(url, TOKEN, retries=3, backoff=0.5, sleep=waits.append)
    assert client.list_submissions() == []
    assert waits == [0.5, 1.0]


def test_503_until_the_retries_run_out_is_a_server_error(scripted: tuple[Script, str]) -> None:
    script, url = scripted
    script.answers = [(503, {"error": "restarting"})]
    waits: list[float] = []
    with pytest.raises(ServerError, match="503"):
        EnclaveClient(url, TOKEN, retries=6, backoff=8, sleep=waits.append).list_submissions()
    assert waits == [8, 16, 30, 30, 30, 30]  # doubled, capped at 30 s
    assert len(script.seen) == 7


def test_the_project_given_must_agree_with_the_package(scripted: tuple[Script, str], package: Path) -> None:
    script, url = scripted
    result = _upload(url, package, "--project", "4")
    assert result.exit_code == 11 and "sealed for project 3, not 4" in result.output
    assert script.seen == []


def test_a_file_that_is_not_a_package_is_refused_before_any_request(
        scripted: tuple[Script, str], tmp_path: Path) -> None:
    script, url = scripted
    other = tmp_path / "records.csv"
    other.write_text("name,rrn\n")
    result = _upload(url, other)
    assert result.exit_code == 5 and "not a sealed linkage package" in result.output
    assert script.seen == []


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "enclave test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_an_untrusted_certificate_is_a_tls_error_and_a_given_ca_is_trusted(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    script = Script()
    server, url = _serve(script, context)
    env = {"LINKAGE_TOKEN": TOKEN, "ENCLAVE_LANG": "en"}
    try:
        refused = CliRunner().invoke(main, ["status", "--to", url, "--retry-wait", "0"], env=env)
        assert refused.exit_code == 16, refused.output
        assert "TLS connection to" in refused.output and "(self-signed certificate)" in refused.output
        assert "trying again" not in refused.output  # never retried
        trusted = CliRunner().invoke(main, ["status", "--to", url, "--ca-file", str(cert)], env=env)
        assert trusted.exit_code == 0, trusted.output
        assert "holds no submissions of your agency yet" in trusted.output
    finally:
        server.shutdown()
        server.server_close()


def test_a_token_file_others_can_read_is_used_with_a_warning(
        scripted: tuple[Script, str], tmp_path: Path) -> None:
    script, url = scripted
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o644)
    open_result = CliRunner().invoke(main, ["status", "--to", url, "--token-file", str(token_file)],
                                     env={"LINKAGE_TOKEN": "", "ENCLAVE_LANG": "en"})
    assert open_result.exit_code == 0 and "readable by other accounts" in open_result.output
    assert script.seen[-1][2] == f"Bearer {TOKEN}" and TOKEN not in open_result.output
    token_file.chmod(0o600)
    private = CliRunner().invoke(main, ["status", "--to", url, "--token-file", str(token_file)])
    assert private.exit_code == 0 and "readable by other accounts" not in private.output


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy for the test: CONNECT tunnels bytes through; plain requests are answered itself."""

    seen: list[tuple[str, str, str, bytes]] = []

    def do_CONNECT(self) -> None:  # noqa: N802
        import select
        import socket

        self.seen.append(("CONNECT", self.path, self.headers.get("Proxy-Authorization", ""), b""))
        host, port = self.path.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self.send_response(200, "Connection established")
        self.end_headers()
        tunnelled = b""
        sockets = [self.connection, upstream]
        while True:
            ready, _, _ = select.select(sockets, [], [], 10)
            if not ready:
                break
            done = False
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    done = True
                    break
                if sock is self.connection:
                    tunnelled += data
                (upstream if sock is self.connection else self.connection).sendall(data)
            if done:
                break
        upstream.close()
        self.seen[-1] = (*self.seen[-1][:3], tunnelled)

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(("GET", self.path, self.headers.get("Proxy-Authorization", ""), b""))
        data = b"[]"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[tuple[str, str, str, bytes]]]]:
    _Proxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", _Proxy.seen
    finally:
        server.shutdown()
        server.server_close()


def test_plain_http_goes_through_the_proxy_with_its_credentials(
        proxy: tuple[str, list[tuple[str, str, str, bytes]]]) -> None:
    import base64

    address, seen = proxy
    result = CliRunner().invoke(main, ["status", "--to", "http://enclave.invalid:8000"], env={
        "LINKAGE_TOKEN": TOKEN, "http_proxy": f"http://agency%40user:s3cret@{address}", "no_proxy": ""})
    assert result.exit_code == 0, result.output
    assert seen[0][:2] == ("GET", "http://enclave.invalid:8000/api/v1/submissions")
    assert seen[0][2] == "Basic " + base64.b64encode(b"agency@user:s3cret").decode()
    assert "s3cret" not in result.output


def test_https_is_tunnelled_so_the_proxy_never_sees_the_token(
        proxy: tuple[str, list[tuple[str, str, str, bytes]]], tmp_path: Path) -> None:
    address, seen = proxy
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    script = Script()
    server, url = _serve(script, context)
    try:
        result = CliRunner().invoke(main, ["status", "--to", url, "--ca-file", str(cert)], env={
            "LINKAGE_TOKEN": TOKEN, "https_proxy": f"http://{address}", "no_proxy": ""})
        assert result.exit_code == 0, result.output
        # no_proxy covering the host sends it directly.
        direct = CliRunner().invoke(main, ["status", "--to", url, "--ca-file", str(cert)], env={
            "LINKAGE_TOKEN": TOKEN, "https_proxy": f"http://{address}", "no_proxy": "127.0.0.1"})
        assert direct.exit_code == 0, direct.output
    finally:
        server.shutdown()
        server.server_close()
    assert [(s[0], s[1]) for s in seen] == [("CONNECT", url.removeprefix("https://"))]
    assert TOKEN.encode() not in seen[0][3] and len(seen[0][3]) > 0
    assert [s[2] for s in script.seen] == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]
