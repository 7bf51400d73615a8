"""``enclave users``: add, list, disable, sign out, passwords, tokens and second factors."""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select

from enclave.cli.context import CliContext
from enclave.db.models import Role, User
from enclave.messages import label, text
from enclave.users import (
    add_user,
    change_password,
    disable_user,
    enrol_second_factor,
    find_user,
    issue_token,
    sign_out_everywhere,
)
from enclave.users.totp import provisioning_uri

__all__ = ["users_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.group("users")
def users_group() -> None:
    """Add, list and disable users; issue API tokens."""


@users_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="researcher, steward, agency, admin, or linkage_unit (the service account a separate linkage "
                   "unit delivers linkage maps with). Stewards and admins get a second factor.")
@click.option("--name", "display_name", default="", help="Name shown in pages.")
@click.option("--agency", "agency_code", default=None, help="Agency code; required for agency users.")
@click.password_option("--password", prompt=True, help="At least 12 characters; prompted if omitted.")
@pass_cli
def add_command(ctx: CliContext, username: str, role: str, display_name: str,
                agency_code: str | None, password: str) -> None:
    """Add a user. A steward's or admin's TOTP enrolment URI is shown once."""
    svc = ctx.service()
    with svc.session() as session:
        new = add_user(svc, session, username=username, role=role, password=password,
                       actor=ctx.actor, display_name=display_name, agency_code=agency_code)
    click.echo(text("users.added", role=label(role), username=username))
    if new.totp_secret is not None:
        click.echo(text("users.totp_enrol", username=username))
        click.echo(provisioning_uri(new.totp_secret, username))


@users_group.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None, help="Only this role.")
@pass_cli
def list_command(ctx: CliContext, role: str | None) -> None:
    """List users with role, status and whether a second factor is enrolled."""
    svc = ctx.service()
    with svc.session() as session:
        stmt = select(User).order_by(User.username)
        if role:
            stmt = stmt.where(User.role == Role(role))
        users = session.scalars(stmt).all()
        click.echo(f"{'user':<24} {'role':<12} {'status':<9} {'2FA':<4} agency")
        for user in users:
            click.echo(f"{user.username:<24} {user.role.value:<12} "
                       f"{'active' if user.is_active else 'disabled':<9} "
                       f"{'yes' if user.has_second_factor else 'no':<4} {user.agency_code or ''}")


@users_group.command("disable")
@click.argument("username")
@pass_cli
def disable_command(ctx: CliContext, username: str) -> None:
    """Disable a user and revoke all their tokens. Their history stays."""
    svc = ctx.service()
    with svc.session() as session:
        disable_user(svc, session, username, ctx.actor)
    click.echo(text("users.disabled", username=username))


@users_group.command("sign-out")
@click.argument("username")
@pass_cli
def sign_out_command(ctx: CliContext, username: str) -> None:
    """End every web session of a user at once ("sign out everywhere"). API tokens stay."""
    svc = ctx.service()
    with svc.session() as session:
        ended = sign_out_everywhere(svc, session, username, ctx.actor)
    click.echo(text("users.signed_out", username=username, count=ended))


@users_group.command("set-password")
@click.argument("username")
@click.password_option("--password", prompt=True, help="At least 12 characters; prompted if omitted.")
@pass_cli
def set_password_command(ctx: CliContext, username: str, password: str) -> None:
    """Reset a user's password; every web session they have ends."""
    svc = ctx.service()
    with svc.session() as session:
        ended = change_password(svc, session, find_user(session, username), password, actor=ctx.actor)
    click.echo(text("users.password_changed", username=username, count=ended))


@users_group.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for, shown in lists.")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="Days until the token expires.")
@pass_cli
def token_command(ctx: CliContext, username: str, label: str, days: int) -> None:
    """Issue an API token (for agencies and services). It is shown once."""
    svc = ctx.service()
    with svc.session() as session:
        user = find_user(session, username)
        token = issue_token(svc, session, user, actor=ctx.actor, label=label,
                            lifetime=dt.timedelta(days=days))
    click.echo(text("users.token_issued", username=username))
    click.echo(token)


@users_group.command("enrol-totp")
@click.argument("username")
@pass_cli
def enrol_command(ctx: CliContext, username: str) -> None:
    """Give a user a new second factor; the enrolment URI is shown once."""
    svc = ctx.service()
    with svc.session() as session:
        user = find_user(session, username)
        secret = enrol_second_factor(svc, session, user, ctx.actor)
    click.echo(text("users.totp_enrol", username=username))
    click.echo(provisioning_uri(secret, username))
