"""``enclave init``, ``enclave config`` and ``enclave keys``."""

from __future__ import annotations

import click

from enclave.bootstrap import initialize_enclave, rotate_keys
from enclave.cli.context import CliContext
from enclave.messages import text

__all__ = ["config_command", "init_command", "keys_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.command("init")
@pass_cli
def init_command(ctx: CliContext) -> None:
    """Create the data folder, key file and database. Safe to run twice.

    An existing key file is never overwritten; an existing database is
    upgraded to this version's schema, or refused if it is newer.
    """
    settings = ctx.settings
    report = initialize_enclave(settings)
    if not report.created_key_file:
        click.echo(text("keys.key_file_exists", path=settings.key_file))
    click.echo(text("init.done", data_dir=settings.data_dir, database=report.database,
                    key_file=settings.key_file))


@click.command("config")
@pass_cli
def config_command(ctx: CliContext) -> None:
    """Show every setting, its value (secrets masked) and what it does."""
    for env, value, help_text in ctx.settings.describe():
        click.echo(f"{env}={value}")
        click.echo(f"    {help_text}")


@click.group("keys")
def keys_group() -> None:
    """Manage the key-encryption key and see the enclave's public keys."""


@keys_group.command("rotate")
@pass_cli
def rotate_command(ctx: CliContext) -> None:
    """Re-wrap every data key under a new key-encryption key.

    Data is not re-encrypted. Back up the key file afterwards: the old
    key-encryption key is gone once the rotation completes.
    """
    count, kek_id = rotate_keys(ctx.service(), ctx.actor)
    click.echo(text("keys.rotated", count=count, kek_id=kek_id))


@keys_group.command("public")
@click.option("--kind", type=click.Choice(["signing", "sealing"]), default="signing", show_default=True,
              help="signing: verifies releases and certificates (or linkage maps); sealing: packages are sealed to it.")
@click.option("--party", type=click.Choice(["enclave", "linkage-unit"]), default="enclave", show_default=True,
              help="Whose key: the enclave's own, or the linkage unit's as registered with the enclave.")
@click.option("--fingerprint", "show_fingerprint", is_flag=True,
              help="Print the key's fingerprint instead of its PEM, to compare with the other party's.")
@pass_cli
def public_command(ctx: CliContext, kind: str, party: str, show_fingerprint: bool) -> None:
    """Print one of the enclave's (or the registered linkage unit's) public keys as PEM."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from enclave.errors import NotFound
    from enclave.parties import linkage_unit_public_pems
    from linkage.party_keys import fingerprint

    if party == "enclave":
        keys = ctx.service().keys
        pem = keys.signing_public_pem() if kind == "signing" else keys.sealing_public_pem()
    else:
        pem = linkage_unit_public_pems(ctx.settings).get(kind, b"")
        if not pem:
            raise NotFound(text("parties.linkage_unit_keys_missing"))
    if show_fingerprint:
        click.echo(fingerprint(load_pem_public_key(pem)))  # type: ignore[arg-type]
    else:
        click.echo(pem.decode("ascii"), nl=False)
