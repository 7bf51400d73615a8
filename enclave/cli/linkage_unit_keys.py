"""``enclave linkage-unit-keys``: register a separate linkage unit's public keys with the enclave."""

from __future__ import annotations

from pathlib import Path

import click

from enclave.cli.context import CliContext
from enclave.errors import InputError
from enclave.linkage_unit import LINKAGE_UNIT
from enclave.linkage_unit.published_keys import fetch_published_keys
from enclave.messages import text
from enclave.parties import import_linkage_unit_keys

_PEM_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

__all__ = ["linkage_unit_keys_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.group("linkage-unit-keys")
def linkage_unit_keys_group() -> None:
    """Register the public keys of a linkage unit that runs as its own service (ENCLAVE_LINKAGE_UNIT_URL)."""


@linkage_unit_keys_group.command("import")
@click.option("--url", default=None,
              help="The linkage unit's base URL; its GET /api/v1/keys is read. Default: ENCLAVE_LINKAGE_UNIT_URL.")
@click.option("--signing-key", "signing_key", default=None, type=_PEM_FILE,
              help="Its Ed25519 signing public key as PEM, handed over out of band (instead of --url).")
@click.option("--sealing-key", "sealing_key", default=None, type=_PEM_FILE,
              help="Its X25519 sealing public key as PEM (with --signing-key).")
@pass_cli
def import_command(ctx: CliContext, url: str | None, signing_key: Path | None, sealing_key: Path | None) -> None:
    """Register the linkage unit's signing key (verifies linkage maps) and sealing key (agencies seal to it).

    Prints both fingerprints: compare them with `enclave linkage-unit status`
    on the linkage unit's machine before agencies upload or maps arrive.
    """
    settings = ctx.settings
    if signing_key is not None or sealing_key is not None:
        if signing_key is None or sealing_key is None or url is not None:
            raise InputError(text("parties.linkage_unit_key_source"))
        signing_pem, sealing_pem = signing_key.read_bytes(), sealing_key.read_bytes()
    else:
        source = url or settings.linkage_unit_url
        if not source:
            raise InputError(text("parties.linkage_unit_key_source"))
        published = fetch_published_keys(source, LINKAGE_UNIT)
        signing_pem, sealing_pem = published.get("signing", b""), published.get("sealing", b"")
    fingerprints = import_linkage_unit_keys(settings, signing_pem, sealing_pem)
    svc = ctx.service()
    with svc.session() as session:
        svc.audit.record(session, actor=ctx.actor, action="parties.import_linkage_unit_keys",
                         object_type="party", object_id=LINKAGE_UNIT, signing=fingerprints["signing"],
                         sealing=fingerprints["sealing"])
    for use in ("sealing", "signing"):
        click.echo(text("parties.linkage_unit_key_imported", use=use, fingerprint=fingerprints[use]))
