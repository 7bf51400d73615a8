"""``enclave init``, ``enclave config`` and ``enclave keys``."""

from __future__ import annotations

import click

from enclave.bootstrap import initialize_enclave, rotate_keys
from enclave.cli.context import CliContext
from enclave.messages import text
from enclave.parties import public_keys

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
    """Manage the key-encryption key; print the public keys (enclave and linkage unit) with fingerprints."""


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
@click.option("--party", type=click.Choice(["enclave", "linkage-unit"]), default=None,
              help="Whose keys: the enclave's or the linkage unit's (default: both; with --kind alone, the "
                   "enclave's, as before).")
@click.option("--kind", type=click.Choice(["signing", "sealing"]), default=None,
              help="signing: verifies releases, certificates and linkage maps; sealing: agencies seal packages "
                   "to it (default: both).")
@click.option("--fingerprint", "show_fingerprint", is_flag=True,
              help="Print only the chosen keys' fingerprints, to compare with what the other party reads out.")
@pass_cli
def public_command(ctx: CliContext, party: str | None, kind: str | None, show_fingerprint: bool) -> None:
    """Print the public keys the enclave hands out, each with its fingerprint.

    Agencies need the enclave's and the linkage unit's sealing keys to seal
    packages, and their signing keys to verify what they sign; confirm the
    fingerprints with them out of band. When one key is chosen (for example
    `--kind signing`), only its PEM goes to standard output, so it can be
    redirected into a file, and its fingerprint to standard error.
    """
    if kind is not None and party is None:
        party = "enclave"
    entries = [e for e in public_keys(ctx.settings, ctx.service().keys)
               if (party is None or e.party == party) and (kind is None or e.use == kind)]
    if show_fingerprint:
        for entry in entries:
            click.echo(f"{entry.party} {entry.use} {entry.fingerprint}" if len(entries) > 1 else entry.fingerprint)
        return
    if len(entries) == 1:
        entry = entries[0]
        click.echo(f"{entry.party} {entry.use} {entry.algorithm} {entry.fingerprint}", err=True)
        click.echo(entry.pem, nl=False)
        return
    for entry in entries:
        click.echo(f"# {entry.party} {entry.use} {entry.algorithm} {entry.fingerprint}")
        click.echo(entry.pem)
