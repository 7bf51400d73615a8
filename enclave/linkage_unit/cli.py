"""``enclave linkage-unit``: run the linkage unit as its own service on its own machine.

Its settings come from ``LINKAGE_UNIT_*`` variables (``enclave linkage-unit
config`` lists them), never from ``ENCLAVE_*``. The order of first use:
``init``, ``trust-enclave``, ``trust-agency`` for each agency, ``tokens add``
for each agency and operator, then ``serve``; agencies upload, and an
operator runs ``link`` (or calls ``POST /api/v1/projects/<id>/link``).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

import click
from sqlalchemy import func, select

from enclave.db.models import LinkageRun, MatchKeySubmission, TokenHolder
from enclave.errors import ConfigurationError, InputError
from enclave.linkage_unit.published_keys import fetch_published_keys
from enclave.linkage_unit.service import LinkageUnitService, initialize_linkage_unit, open_linkage_unit_service
from enclave.linkage_unit.settings import LinkageUnitSettings, load_linkage_unit_settings
from enclave.linkage_unit.tokens import (
    issue_linkage_unit_token,
    list_linkage_unit_tokens,
    revoke_linkage_unit_token,
)
from enclave.messages import text
from enclave.parties import ENCLAVE
from linkage.party_keys import fingerprint

_PEM_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

__all__ = ["linkage_unit_group"]


@dataclass
class LinkageUnitCliContext:
    """Lazily loaded settings and service for one ``enclave linkage-unit`` invocation."""

    _settings: LinkageUnitSettings | None = None
    _service: LinkageUnitService | None = field(default=None, repr=False)

    @property
    def settings(self) -> LinkageUnitSettings:
        """The settings from ``LINKAGE_UNIT_*`` variables."""
        if self._settings is None:
            self._settings = load_linkage_unit_settings()
        return self._settings

    def service(self) -> LinkageUnitService:
        """The opened linkage unit."""
        if self._service is None:
            self._service = open_linkage_unit_service(self.settings)
        return self._service

    @property
    def actor(self) -> str:
        """Who runs the command, for the audit log: the operating-system user."""
        return "cli:" + (os.environ.get("ENCLAVE_ACTOR") or getpass.getuser())


pass_lu = click.make_pass_decorator(LinkageUnitCliContext, ensure=True)


@click.group("linkage-unit")
def linkage_unit_group() -> None:
    """Run the linkage unit as its own service (LINKAGE_UNIT_* settings).

    It holds only match keys and its own keys, in its own folder and database,
    and delivers sealed linkage maps to the enclave's API.
    """


@linkage_unit_group.command("config")
@pass_lu
def config_command(ctx: LinkageUnitCliContext) -> None:
    """Show every LINKAGE_UNIT_* setting, its value and what it does."""
    for env, value, help_text in ctx.settings.describe():
        click.echo(f"{env}={value}")
        click.echo(f"    {help_text}")


@linkage_unit_group.command("init")
@pass_lu
def init_command(ctx: LinkageUnitCliContext) -> None:
    """Create the linkage unit's folder (0700), key pairs, audit key and database. Safe to run twice."""
    report = initialize_linkage_unit(ctx.settings)
    click.echo(text("lu.init_done", data_dir=ctx.settings.data_dir, database=report.database))
    for entry in ctx.service().public_keys():
        click.echo(f"  {entry['use']:<8} {entry['fingerprint']}")


@linkage_unit_group.command("serve")
@click.option("--host", default=None, help="Address to listen on; default LINKAGE_UNIT_HOST (127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on; default LINKAGE_UNIT_PORT (5060).")
@pass_lu
def serve_command(ctx: LinkageUnitCliContext, host: str | None, port: int | None) -> None:
    """Serve the linkage unit's JSON API (agencies upload match keys; operators start linking)."""
    from enclave.cli.serve import run_web_server
    from enclave.linkage_unit.app import create_linkage_unit_app

    settings = ctx.settings
    bind_host, bind_port = host or settings.host, port or settings.port
    if settings.is_development:
        service = ctx.service()
        factory = lambda: create_linkage_unit_app(settings, service)  # noqa: E731
    else:
        # Production: gunicorn workers each open the linkage unit after the fork.
        ctx.service().close()
        factory = lambda: create_linkage_unit_app(settings)  # noqa: E731
    run_web_server(factory, bind_host, bind_port, production=not settings.is_development,
                   on_ready=lambda bound, _workers: click.echo(text("lu.serving",
                                                                    url=f"http://{bind_host}:{bound}/")))


@linkage_unit_group.command("trust-agency")
@click.argument("code")
@click.option("--signing-key", "signing_key", required=True, type=_PEM_FILE,
              help="The agency's Ed25519 signing public key (<agency>.signing.pub.pem from `linkage keygen`).")
@pass_lu
def trust_agency_command(ctx: LinkageUnitCliContext, code: str, signing_key: Path) -> None:
    """Trust an agency's signing key for its match-key packages; prints the fingerprint to confirm."""
    fp = ctx.service().trust_agency(code, signing_key.read_bytes(), ctx.actor)
    click.echo(text("lu.trusted_agency", code=code, fingerprint=fp))


@linkage_unit_group.command("trust-enclave")
@click.option("--url", default=None, help="The enclave's base URL: its GET /api/v1/keys is read.")
@click.option("--sealing-key", "sealing_key", default=None, type=_PEM_FILE,
              help="The enclave's X25519 sealing public key as PEM (`enclave keys public --kind sealing`).")
@pass_lu
def trust_enclave_command(ctx: LinkageUnitCliContext, url: str | None, sealing_key: Path | None) -> None:
    """Register the enclave's sealing key, which linkage maps are sealed to; prints its fingerprint.

    Compare the fingerprint with the one the enclave's operator reads out
    (`enclave keys public --kind sealing --fingerprint`) before linking.
    """
    if (url is None) == (sealing_key is None):
        raise InputError(text("lu.one_key_source"))
    if url is not None:
        published = fetch_published_keys(url, ENCLAVE)
        if "sealing" not in published:
            raise InputError(text("parties.keys_not_published", url=url))
        pem = published["sealing"]
    else:
        assert sealing_key is not None
        pem = sealing_key.read_bytes()
    fp = ctx.service().trust_enclave(pem, ctx.actor)
    click.echo(text("lu.trusted_enclave", fingerprint=fp))


@linkage_unit_group.group("tokens")
def tokens_group() -> None:
    """Issue, list and revoke the linkage unit's API tokens."""


@tokens_group.command("add")
@click.option("--agency", "agency", default=None, help="An agency's code: the token uploads its match keys.")
@click.option("--operator", "operator", default=None, help="An operator's name: the token starts linking.")
@click.option("--label", default="", help="What the token is for, shown in lists.")
@pass_lu
def tokens_add_command(ctx: LinkageUnitCliContext, agency: str | None, operator: str | None, label: str) -> None:
    """Issue a token for an agency or an operator. It is shown once and stored hashed."""
    if (agency is None) == (operator is None):
        raise InputError(text("lu.one_holder"))
    holder, name = (TokenHolder.agency, agency) if agency else (TokenHolder.operator, operator)
    assert name is not None
    service = ctx.service()
    with service.session() as session:
        token = issue_linkage_unit_token(session, service.audit, holder=holder, name=name, actor=ctx.actor,
                                         label=label)
    click.echo(text("lu.token_issued", holder=holder.value, name=name))
    click.echo(token)


@tokens_group.command("list")
@pass_lu
def tokens_list_command(ctx: LinkageUnitCliContext) -> None:
    """List tokens: id, prefix, holder, name and whether revoked (never the token)."""
    service = ctx.service()
    with service.session() as session:
        for row in list_linkage_unit_tokens(session):
            state = "revoked" if row.revoked_at else "active"
            click.echo(f"{row.id:<5} {row.prefix:<11} {row.holder.value:<9} {row.name:<24} {state:<8} {row.label}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@pass_lu
def tokens_revoke_command(ctx: LinkageUnitCliContext, token_id: int) -> None:
    """Revoke a token by its id (from `tokens list`)."""
    service = ctx.service()
    with service.session() as session:
        revoke_linkage_unit_token(session, service.audit, token_id, ctx.actor)
    click.echo(text("lu.token_revoked", id=token_id))


@linkage_unit_group.command("link")
@click.argument("project_id", type=int)
@pass_lu
def link_command(ctx: LinkageUnitCliContext, project_id: int) -> None:
    """Link a project's match keys, seal the map to the enclave and deliver it to the enclave's API."""
    from enclave.linkage_unit.delivery import link_and_deliver

    done = link_and_deliver(ctx.service(), project_id, actor=ctx.actor)
    click.echo(text("lu.linked", project=project_id, run=done.run_id, rows=done.map_rows,
                    url=ctx.settings.enclave_url))


@linkage_unit_group.command("status")
@pass_lu
def status_command(ctx: LinkageUnitCliContext) -> None:
    """Show its keys' fingerprints, whom it trusts, and what it holds per project (counts only)."""
    service = ctx.service()
    settings = ctx.settings
    click.echo(text("lu.status_folder", data_dir=settings.data_dir, enclave_url=settings.enclave_url or "-"))
    for entry in service.public_keys():
        click.echo(f"  linkage-unit {entry['use']:<8} {entry['fingerprint']}")
    try:
        click.echo(f"  enclave      sealing  {fingerprint(service.enclave_sealing_public())}")
    except ConfigurationError:
        # Not yet trusted: a state to show, not a failure.
        click.echo(f"  enclave      sealing  {text('lu.status_missing')}")
    for code, fp in sorted(service.trusted_agencies().items()):
        click.echo(f"  agency {code:<12} signing {fp}")
    with service.session() as session:
        rows = session.execute(
            select(MatchKeySubmission.project_ref, func.count(func.distinct(MatchKeySubmission.agency_code)),
                   func.count(MatchKeySubmission.id))
            .group_by(MatchKeySubmission.project_ref).order_by(MatchKeySubmission.project_ref)).all()
        runs = dict(session.execute(select(LinkageRun.project_ref, func.count(LinkageRun.id))
                                    .group_by(LinkageRun.project_ref)).all())
    for project_ref, agencies, packages in rows:
        click.echo(text("lu.status_project", project=project_ref, agencies=agencies, packages=packages,
                        runs=runs.get(project_ref, 0)))


@linkage_unit_group.command("destroy")
@click.argument("project_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_lu
def destroy_command(ctx: LinkageUnitCliContext, project_id: int, yes: bool) -> None:
    """Delete everything the linkage unit holds of a project: match-key packages, runs and sealed maps.

    Run it when the enclave has destroyed the project (its certificate
    records no linkage-unit files when the linkage unit is separate).
    """
    if not yes:
        click.confirm(text("lu.confirm_destroy", project=project_id), abort=True)
    removed = ctx.service().role.destroy(project_id, actor=ctx.actor)
    click.echo(text("lu.destroyed", project=project_id, files=removed))


@linkage_unit_group.command("audit-verify")
@pass_lu
def audit_verify_command(ctx: LinkageUnitCliContext) -> None:
    """Check every event of the linkage unit's own audit log (hash, link and MAC under its audit key).

    Exits 0 when the log is intact; otherwise names the first broken event and exits 11.
    """
    service = ctx.service()
    with service.session() as session:
        count = service.audit.verify(session)
    click.echo(text("audit.intact", count=count))
