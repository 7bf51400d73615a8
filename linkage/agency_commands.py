"""The agency's commands that talk to the enclave: ``upload``, ``status`` and ``fetch-keys``.

::

    linkage fetch-keys https://enclave.example.org --out keys/      # once, at set-up
    export LINKAGE_TOKEN=...                                        # or --token-file
    linkage upload out/welfare.content.pkg --to https://enclave.example.org
    linkage upload out/welfare.match_keys.pkg --to https://enclave.example.org
    linkage status --to https://enclave.example.org

The token is read from the environment or a file, never from the command line,
where other accounts on the machine could read it in the process list and the
shell would keep it in its history.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from linkage.command_errors import exit_on_linkage_error
from linkage.errors import PackageError, TransferError, WrongProjectError
from linkage.messages import text
from linkage.published_keys import parse_fingerprint_pins, save_published_keys, verify_published_keys
from linkage.sealing import read_manifest_file
from linkage.transfer import EnclaveClient, file_sha256

__all__ = ["ConnectionOptions", "fetch_keys_command", "status_command", "upload_command"]

TOKEN_ENV = "LINKAGE_TOKEN"
F = TypeVar("F", bound=Callable[..., Any])

#: The exit codes of the transfer commands, shown in ``--help``.
EXIT_CODES = """\b
Proxies: https_proxy, http_proxy and no_proxy are honoured; HTTPS passes
through the proxy in a CONNECT tunnel, so it never sees the token or the data.

\b
Exit codes:
  0   done (also when the enclave already held this very package)
  5   the file is not a sealed package, or not one an agency uploads
  8   fetched public keys failed verification or a pinned fingerprint
  9   no usable token, or a malformed enclave address
  10  401: the token is wrong, expired or revoked
  11  403/404: not your agency's project, or not an agency token
  12  409: a different package with the same id, or the project is not waiting for data
  13  413: larger than the enclave's upload limit
  14  400 or another refusal (the enclave's reason is shown)
  15  the enclave could not be reached, even after the retries
  16  TLS failure (certificate or handshake); never retried
  17  the enclave failed (5xx after the retries) or answered outside its API"""


def _read_token(token_file: Path | None) -> str:
    if token_file is not None:
        try:
            token, source = token_file.read_text(encoding="utf-8").strip(), str(token_file)
            mode = token_file.stat().st_mode
        except (OSError, UnicodeDecodeError):
            raise TransferError(text("cli.token_unreadable", path=token_file)) from None
        if mode & 0o077:
            # As ssh does for keys: say so, since anyone who can read the file can upload as the agency.
            click.echo(text("cli.token_file_open", path=token_file), err=True)
    else:
        token, source = os.environ.get(TOKEN_ENV, "").strip(), TOKEN_ENV
        if not token:
            raise TransferError(text("cli.token_missing"))
    if not token or not token.isprintable() or any(ch.isspace() for ch in token):
        raise TransferError(text("cli.token_malformed", source=source))
    return token


@dataclass(frozen=True)
class ConnectionOptions:
    """The connection options every transfer command takes.

    Attributes:
        retries: Further attempts after a connection error, a timeout or a 502/503/504.
        retry_wait: Seconds before the first retry (doubled each time, capped at 30 s).
        timeout: Seconds to wait for the connection and for each answer.
        ca_file: CA certificates for the enclave's HTTPS certificate, or None for the system's.
    """

    retries: int
    retry_wait: float
    timeout: float
    ca_file: Path | None


def _client(url: str, token: str | None, connection: ConnectionOptions) -> EnclaveClient:
    def announce(attempt: int, reason: str) -> None:
        click.echo(text("cli.upload_retry", reason=reason, attempt=attempt, retries=connection.retries), err=True)

    return EnclaveClient(url, token, timeout=connection.timeout, retries=connection.retries,
                         backoff=connection.retry_wait, ca_file=connection.ca_file, on_retry=announce)


def _upload_project(package: Path, project: int | None) -> tuple[int, str]:
    manifest = read_manifest_file(package)
    if manifest.kind not in ("content", "match_keys"):
        raise PackageError(text("cli.not_uploadable", path=package.name, kind=manifest.kind))
    sealed_for = manifest.project_id.strip()
    if project is not None:
        if sealed_for != str(project):
            raise WrongProjectError(text("cli.project_mismatch", manifest=sealed_for, given=project))
        return project, manifest.kind
    if not sealed_for.isdigit() or int(sealed_for) < 1:
        raise WrongProjectError(text("cli.project_unknown", manifest=sealed_for))
    return int(sealed_for), manifest.kind


_connection_options = [
    click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
                 help="Further attempts after a connection error, timeout or 502/503/504."),
    click.option("--retry-wait", type=click.FloatRange(0, 30), default=1.0, show_default=True,
                 help="Seconds before the first retry; doubled for each next one, at most 30 s."),
    click.option("--timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
                 help="Seconds to wait for the connection and for each answer."),
    click.option("--ca-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                 help="CA certificate(s) to verify the enclave's HTTPS certificate with (default: the system's)."),
]


def _with_connection_options(func: F) -> F:
    """Add the connection options; the command receives them together as ``connection``."""

    @functools.wraps(func)
    def wrapper(*args: Any, retries: int, retry_wait: float, timeout: float, ca_file: Path | None,
                **kwargs: Any) -> Any:
        connection = ConnectionOptions(retries=retries, retry_wait=retry_wait, timeout=timeout, ca_file=ca_file)
        return func(*args, connection=connection, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_connection_options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


@click.command("upload", epilog=EXIT_CODES)
@click.argument("package", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--to", "url", required=True, metavar="URL",
              help="The enclave's address, e.g. https://enclave.example.org.")
@click.option("--project", type=click.IntRange(1), default=None,
              help="The enclave's project number; default: the one sealed in the package (must agree if given).")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"File holding the agency's API token; default: the {TOKEN_ENV} environment variable.")
@_with_connection_options
@exit_on_linkage_error
def upload_command(package: Path, url: str, project: int | None, token_file: Path | None,
                   connection: ConnectionOptions) -> None:
    """Send a sealed PACKAGE made by `linkage prepare` to the enclave (stage 4-3).

    Content packages go to the enclave and match-key packages to the linkage
    unit; the enclave routes them by their signed manifest. The file is
    streamed with its SHA-256, so the enclave refuses anything altered or cut
    short in transit.

    A failed connection is retried. Running the command again after any
    failure is always safe: if the enclave already holds this very package it
    answers with the original receipt and stores nothing twice.

    The token comes from LINKAGE_TOKEN or --token-file, never the command line.
    """
    project_id, kind = _upload_project(package, project)
    client = _client(url, _read_token(token_file), connection)
    checksum = file_sha256(package)
    click.echo(text("cli.upload_sending", path=package, size=checksum[1], kind=kind, sha256=checksum[0],
                    url=client.url(f"/api/v1/projects/{project_id}/packages")))
    receipt = client.upload_package(package, project_id, checksum=checksum)
    click.echo(text("cli.upload_receipt", received_by=receipt.received_by, kind=receipt.kind,
                    package_id=receipt.package_id, rows=receipt.row_count, sha256=receipt.sha256))
    if receipt.duplicate:
        click.echo(text("cli.upload_duplicate"))


def _precheck_cell(figures: object) -> str:
    if not isinstance(figures, dict) or "passed" not in figures:
        return "-"
    verdict = text("precheck.pass") if figures["passed"] else text("precheck.flagged")
    return f"{verdict} (k={figures.get('smallest_class')}, unique {figures.get('unique_share', 0):.1%})"


@click.command("status", epilog=EXIT_CODES)
@click.option("--to", "url", required=True, metavar="URL", help="The enclave's address.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"File holding the agency's API token; default: the {TOKEN_ENV} environment variable.")
@click.option("--json", "as_json", is_flag=True, help="Print the enclave's JSON list, for scripts.")
@_with_connection_options
@exit_on_linkage_error
def status_command(url: str, token_file: Path | None, as_json: bool, connection: ConnectionOptions) -> None:
    """List the content packages your agency has submitted to the enclave, newest first.

    Shows project, package id, rows, size, when it arrived, and the verdict of
    the identification-risk pre-check sealed in the package.
    """
    client = _client(url, _read_token(token_file), connection)
    found = client.list_submissions()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(text("cli.status_none", url=client.base_url))
        return
    click.echo(text("cli.status_header", url=client.base_url))
    rows = [tuple(text("cli.status_columns").split("|"))]
    for s in found:
        rows.append((str(s.get("project_id", "")), str(s.get("package_id", "")), str(s.get("row_count", "")),
                     str(s.get("size", "")), str(s.get("received_at", ""))[:19].replace("T", " "),
                     _precheck_cell(s.get("precheck"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


@click.command("fetch-keys", epilog=EXIT_CODES)
@click.argument("url")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("keys"),
              show_default=True, help="Folder for the <party>.<use>.pub.pem files.")
@click.option("--expect", "pins", multiple=True, metavar="PARTY.USE=sha256:...",
              help="A fingerprint you were given out of band, e.g. enclave.sealing=sha256:...; repeatable. "
                   "Any mismatch refuses every key and writes nothing.")
@_with_connection_options
@exit_on_linkage_error
def fetch_keys_command(url: str, out_dir: Path, pins: tuple[str, ...], connection: ConnectionOptions) -> None:
    """Fetch the enclave's and the linkage unit's public keys from URL, verify them, and save them.

    Each key must parse as the algorithm its use needs (X25519 for sealing,
    Ed25519 for signing) and match its published fingerprint. The files are
    named as `linkage prepare --enclave-key/--linkage-unit-key` expect, e.g.
    enclave.sealing.pub.pem and linkage-unit.sealing.pub.pem. No token is needed.

    Confirm the printed fingerprints with the enclave's operators by another
    channel, or pin them with --expect, before you seal anything to them.
    """
    expected = parse_fingerprint_pins(pins)
    client = _client(url, None, connection)
    keys = verify_published_keys(client.fetch_public_keys(), expected)
    paths = save_published_keys(keys, out_dir)
    for key, path in zip(keys, paths, strict=True):
        click.echo(text("cli.keys_written", label=key.label, algorithm=key.algorithm,
                        fingerprint=key.fingerprint, path=path))
    click.echo(text("cli.keys_confirm", count=len(keys), url=client.base_url))

