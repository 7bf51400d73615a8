"""``enclave audit``: verify the chain, anchor it outside the machine, and show events."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from enclave.audit import Anchor, export_checkpoint, parse_anchor_line, read_exported_checkpoints
from enclave.cli.context import CliContext
from enclave.messages import text

__all__ = ["audit_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.group("audit")
def audit_group() -> None:
    """Verify and read the tamper-evident audit log."""


def _anchors(lines: tuple[str, ...], folder: Path | None) -> list[Anchor]:
    anchors = []
    for line in lines:
        anchor = parse_anchor_line(line)
        if anchor is None:
            raise click.BadParameter(text("audit.anchor_bad_line"), param_hint="--anchor")
        anchors.append(anchor)
    if folder is not None:
        try:
            anchors.extend(read_exported_checkpoints(folder))
        except ValueError as error:
            raise click.BadParameter(text("audit.anchor_bad_folder", name=str(error)),
                                     param_hint="--checkpoints") from None
    return anchors


@audit_group.command("verify")
@click.option("--anchor", "anchor_lines", multiple=True, metavar="LINE",
              help="A line printed by `enclave audit anchor` and kept outside the machine; repeatable.")
@click.option("--checkpoints", "checkpoint_folder", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder `enclave audit anchor --export-to` wrote checkpoints into.")
@pass_cli
def verify_command(ctx: CliContext, anchor_lines: tuple[str, ...], checkpoint_folder: Path | None) -> None:
    """Check every event's hash, link and MAC, the signed checkpoints and the head file.

    Exits 0 when the log is intact, and then records a signed checkpoint of
    what was verified. Otherwise names the first broken event, says what to
    do, and exits 11: also when the head file is missing once events exist,
    when the log is empty, when the head file is older than the newest
    checkpoint, and when an anchor kept outside no longer matches.
    """
    anchors = _anchors(anchor_lines, checkpoint_folder)
    svc = ctx.service()
    with svc.session() as session:
        count = svc.audit.verify(session, anchors)
    with svc.session() as session:
        svc.audit.checkpoint(session, reason="verify")
    click.echo(text("audit.intact", count=count))


@audit_group.command("anchor")
@click.option("--export-to", "folder", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Also write every checkpoint not yet there into this write-once folder (one file each, "
                   "never overwritten).")
@pass_cli
def anchor_command(ctx: CliContext, folder: Path | None) -> None:
    """Record a signed checkpoint and print the signed head as one line.

    Keep the line outside the machine (a paper log, a ticket, another
    site): `enclave audit verify --anchor LINE` then proves that no event up
    to it was cut, even if the database and the data folder were both rewritten.
    """
    svc = ctx.service()
    with svc.session() as session:
        head = svc.audit.checkpoint(session, reason="anchor")
    if not head.signature:
        raise click.ClickException(text("audit.anchor_unsigned"))
    if folder is not None:
        with svc.session() as session:
            checkpoints = svc.audit.checkpoints(session)
        written = 0
        for checkpoint in checkpoints:
            try:
                written += export_checkpoint(folder, checkpoint)
            except FileExistsError:
                raise click.ClickException(text("audit.anchor_conflict", seq=checkpoint.seq)) from None
        click.echo(text("audit.exported", written=written, folder=folder, total=len(checkpoints)), err=True)
    click.echo(head.line())


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
