"""``enclave audit``: verify the chain and show events."""

from __future__ import annotations

import datetime as dt
import json

import click

from enclave.cli.context import CliContext
from enclave.messages import text

__all__ = ["audit_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.group("audit")
def audit_group() -> None:
    """Verify and read the tamper-evident audit log."""


@audit_group.command("verify")
@pass_cli
def verify_command(ctx: CliContext) -> None:
    """Check every event's hash, link and MAC.

    Exits 0 when the log is intact; otherwise names the first broken event
    and exits 11.
    """
    svc = ctx.service()
    with svc.session() as session:
        count = svc.audit.verify(session)
    click.echo(text("audit.intact", count=count))


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@audit_group.command("show")
@click.option("--actor", help="Only events by this actor (user name).")
@click.option("--object", "object_ref", help="Only events on this object, as TYPE:ID or TYPE.")
@click.option("--action", help="Only actions starting with this, e.g. 'export' or 'user.login'.")
@click.option("--since", help="Only events at or after this time (ISO 8601, UTC if no zone).")
@click.option("--until", help="Only events at or before this time (ISO 8601).")
@click.option("--limit", type=click.IntRange(1, 100000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_cli
def show_command(ctx: CliContext, actor: str | None, object_ref: str | None, action: str | None,
                 since: str | None, until: str | None, limit: int, as_json: bool) -> None:
    """Show audit events, newest first."""
    object_type, _, object_id = (object_ref or "").partition(":")
    try:
        since_at, until_at = _when(since), _when(until)
    except ValueError:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-22T09:00") from None
    svc = ctx.service()
    with svc.session() as session:
        events = svc.audit.query(session, actor=actor, object_type=object_type or None,
                                 object_id=object_id or None, action=action, since=since_at,
                                 until=until_at, limit=limit)
    for event in events:
        if as_json:
            click.echo(json.dumps({**event.__dict__, "at": event.at.isoformat()}, ensure_ascii=False))
        else:
            obj = f"{event.object_type}:{event.object_id}" if event.object_type else "-"
            click.echo(f"#{event.seq:<6} {event.at:%Y-%m-%d %H:%M:%S} {event.actor:<20} "
                       f"{event.action:<24} {obj:<24} {event.outcome}")
