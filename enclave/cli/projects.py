"""``enclave projects``: see projects, their flow and where they stand."""

from __future__ import annotations

import click
from sqlalchemy import select

from enclave.cli.context import CliContext
from enclave.db.models import Project, ProjectState, Submission
from enclave.errors import NotFound
from enclave.messages import text

__all__ = ["projects_group"]

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
        click.echo(f"{'id':>5}  {'flow':<12} {'state':<12} {'agencies':<30} title")
        for project in session.scalars(stmt):
            click.echo(f"{project.id:>5}  {project.flow.value:<12} {project.state.value:<12} "
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
        click.echo(f"project {project.id}: {project.title}")
        click.echo(f"  flow:      {project.flow.value}")
        click.echo(f"  state:     {project.state.value}")
        click.echo(f"  retention: until {project.retention_end.isoformat()}")
        for code in project.agency_codes:
            mark = "received" if code in received else "not yet received"
            click.echo(f"  agency {code}: content {mark}")
