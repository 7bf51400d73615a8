"""``enclave projects``: see projects, their flow and where they stand."""

from __future__ import annotations

import click
from sqlalchemy import select

from enclave.cli.context import CliContext
from enclave.db.models import Project, ProjectState, Submission
from enclave.errors import NotFound
from enclave.messages import CATALOGUE, label, text

__all__ = ["projects_group"]

_ = CATALOGUE.gettext

pass_cli = click.make_pass_decorator(CliContext)


@click.group("projects")
def projects_group() -> None:
    """List projects and show one: its flow (provision or combination), state and agencies."""


@projects_group.command("list")
@click.option("--state", type=click.Choice([s.value for s in ProjectState]), default=None, help="Only this state.")
@pass_cli
def list_command(ctx: CliContext, state: str | None) -> None:
    """List projects with their flow and state, newest first."""
    svc = ctx.service()
    with svc.session() as session:
        stmt = select(Project).order_by(Project.id.desc())
        if state:
            stmt = stmt.where(Project.state == ProjectState(state))
        click.echo(f"{_('id'):>5}  {_('flow'):<12} {_('state'):<12} {_('agencies'):<30} {_('title')}")
        for project in session.scalars(stmt):
            click.echo(f"{project.id:>5}  {label(project.flow):<12} {label(project.state):<12} "
                       f"{','.join(project.agency_codes):<30} {project.title}")


@projects_group.command("show")
@click.argument("project_id", type=click.IntRange(1, 2**63 - 1))
@pass_cli
def show_command(ctx: CliContext, project_id: int) -> None:
    """Show one project: flow, state, agencies and the content received from each."""
    svc = ctx.service()
    with svc.session() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(text("projects.not_found"))
        received = {s.agency_code for s in session.scalars(
            select(Submission).where(Submission.project_id == project_id))}
        click.echo(_("project {id}: {title}", id=project.id, title=project.title))
        click.echo("  " + _("flow:      {flow}", flow=label(project.flow)))
        click.echo("  " + _("state:     {state}", state=label(project.state)))
        click.echo("  " + _("retention: until {date}", date=project.retention_end.isoformat()))
        for code in project.agency_codes:
            if code in received:
                click.echo("  " + _("agency {code}: content received", code=code))
            else:
                click.echo("  " + _("agency {code}: content not yet received", code=code))
