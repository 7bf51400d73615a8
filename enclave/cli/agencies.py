"""``enclave agencies``: register partner agencies, rotate their keys, revoke them."""

from __future__ import annotations

from pathlib import Path

import click

from enclave.agencies import AgencyRecord, find_agency, list_agencies, register_agency, revoke_agency, rotate_agency_key
from enclave.cli.context import CliContext
from enclave.messages import text

__all__ = ["agencies_group"]

pass_cli = click.make_pass_decorator(CliContext)

_KEY_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("agencies")
def agencies_group() -> None:
    """Register partner agencies and the signing keys their packages are accepted under."""


def _read_key(path: Path) -> bytes:
    # A public key file is a few hundred bytes; anything much larger is the wrong file.
    return path.read_bytes()[:16384]


def _confirm_fingerprint(record: AgencyRecord) -> None:
    key = record.active_key
    if key is not None:
        click.echo(text("agencies.fingerprint", fingerprint=key.fingerprint))
        click.echo(text("agencies.confirm_out_of_band"))


@agencies_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="The agency's name, shown in pages.")
@click.option("--signing-key", "signing_key", required=True, type=_KEY_FILE,
              help="The agency's Ed25519 public key, the <agency>.signing.pub.pem that `linkage keygen` wrote.")
@pass_cli
def add_command(ctx: CliContext, code: str, name: str, signing_key: Path) -> None:
    """Register agency CODE and trust its signing key; prints the key's fingerprint.

    Read the fingerprint back to the agency by telephone or letter before it
    sends packages. Then add its users: `enclave users add NAME --role agency --agency CODE`.
    """
    record = register_agency(ctx.service(), code=code, name=name, signing_public_pem=_read_key(signing_key),
                             actor=ctx.actor)
    click.echo(text("agencies.registered", code=record.code, name=record.name))
    _confirm_fingerprint(record)


@agencies_group.command("list")
@pass_cli
def list_command(ctx: CliContext) -> None:
    """List agencies with their state and active key's fingerprint."""
    svc = ctx.service()
    with svc.session() as session:
        agencies = list_agencies(session)
    click.echo(f"{'agency':<20} {'state':<8} {'fingerprint':<39} {'users':>5}  name")
    for agency in agencies:
        key = agency.active_key
        click.echo(f"{agency.code:<20} {agency.state.value:<8} {key.fingerprint if key else '-':<39} "
                   f"{len(agency.users):>5}  {agency.name}")


@agencies_group.command("show")
@click.argument("code")
@pass_cli
def show_command(ctx: CliContext, code: str) -> None:
    """Show one agency: its users and every key it ever had, with states and times."""
    svc = ctx.service()
    with svc.session() as session:
        agency = find_agency(session, code)
    click.echo(f"{agency.code}: {agency.name}")
    click.echo(f"  state:    {agency.state.value}"
               + (f" ({agency.revoked_at:%Y-%m-%d %H:%M} UTC by {agency.revoked_by})" if agency.revoked_at else ""))
    click.echo(f"  added:    {agency.created_at:%Y-%m-%d %H:%M} UTC by {agency.created_by}")
    click.echo(f"  users:    {', '.join(agency.users) or '-'}")
    click.echo("  keys:")
    for key in agency.keys:
        ended = f", until {key.retired_at:%Y-%m-%d %H:%M} UTC ({key.retired_by})" if key.retired_at else ""
        click.echo(f"    {key.fingerprint}  {key.state.value:<8} from {key.created_at:%Y-%m-%d %H:%M} UTC "
                   f"({key.created_by}){ended}")


@agencies_group.command("rotate-key")
@click.argument("code")
@click.option("--signing-key", "signing_key", required=True, type=_KEY_FILE,
              help="The agency's new Ed25519 public key (PEM).")
@click.option("--compromised", is_flag=True,
              help="Revoke the old key instead of retiring it: match keys already received under it "
                   "can no longer be linked, and must be sent again.")
@pass_cli
def rotate_command(ctx: CliContext, code: str, signing_key: Path, compromised: bool) -> None:
    """Replace agency CODE's signing key; packages signed with the old key are refused from now on."""
    record = rotate_agency_key(ctx.service(), code, _read_key(signing_key), actor=ctx.actor,
                               compromised=compromised)
    click.echo(text("agencies.rotated", code=record.code))
    _confirm_fingerprint(record)


@agencies_group.command("revoke")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_cli
def revoke_command(ctx: CliContext, code: str, yes: bool) -> None:
    """Revoke agency CODE: its keys are no longer trusted and its users are disabled. It cannot be undone."""
    if not yes:
        click.confirm(text("agencies.revoke_confirm", code=code), abort=True)
    record = revoke_agency(ctx.service(), code, actor=ctx.actor)
    click.echo(text("agencies.revoked_done", code=record.code, users=len(record.users)))
