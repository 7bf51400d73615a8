"""``enclave catalog``: describe datasets from identifier policies, list and show them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from enclave.catalog import import_dataset_from_policy, search_datasets
from enclave.cli.context import CliContext
from enclave.db.models import Dataset
from enclave.errors import NotFound
from enclave.messages import text
from enclave.users import Operator

__all__ = ["catalog_group"]

pass_cli = click.make_pass_decorator(CliContext)


@click.group("catalog")
def catalog_group() -> None:
    """Describe agencies' datasets in the catalog researchers browse."""


@catalog_group.command("import")
@click.argument("policy_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_code", required=True, help="The registered agency whose dataset it is.")
@click.option("--name", default=None, help="Short name of the dataset; the policy's `dataset` by default.")
@click.option("--title", default=None, help="Title for researchers; the policy's description by default.")
@click.option("--description", default=None, help="What the data holds; the policy's description by default.")
@click.option("--rows", type=click.IntRange(0), default=0, show_default=True,
              help="About how many rows; stored rounded to the nearest thousand.")
@click.option("--coverage-start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day covered.")
@click.option("--coverage-end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day covered.")
@pass_cli
def import_command(ctx: CliContext, policy_file: Path, agency_code: str, name: str | None, title: str | None,
                   description: str | None, rows: int, coverage_start: dt.datetime | None,
                   coverage_end: dt.datetime | None) -> None:
    """Describe a dataset from POLICY_FILE, the identifier policy the agency's partner tool reads.

    Its content columns (with labels and types) and the demographics the
    partner tool derives become the catalog's variables; identifier columns
    stay at the agency and are not listed. Every problem is listed at once
    and nothing is stored until there are none.
    """
    svc = ctx.service()
    with svc.session() as session:
        dataset = import_dataset_from_policy(
            svc, session, Operator(ctx.actor), policy=policy_file.read_bytes(), policy_name=policy_file.name,
            agency_code=agency_code, name=name, title=title, description=description, row_count=rows,
            coverage_start=coverage_start.date() if coverage_start else None,
            coverage_end=coverage_end.date() if coverage_end else None)
        click.echo(text("catalog.imported", id=dataset.id, agency=dataset.agency_code, name=dataset.name,
                        variables=len(dataset.variables)))


@catalog_group.command("list")
@click.option("--agency", "agency_code", default=None, help="Only this agency's datasets.")
@click.option("-q", "--query", default="", help="Only datasets whose name, title or variables mention this.")
@pass_cli
def list_command(ctx: CliContext, agency_code: str | None, query: str) -> None:
    """List catalog datasets."""
    svc = ctx.service()
    with svc.session() as session:
        click.echo(f"{'id':>4}  {'agency':<16} {'name':<20} {'variables':>9}  title")
        for dataset in search_datasets(session, query, agency_code):
            click.echo(f"{dataset.id:>4}  {dataset.agency_code:<16} {dataset.name:<20} "
                       f"{len(dataset.variables):>9}  {dataset.title}")


@catalog_group.command("show")
@click.argument("dataset_id", type=int)
@pass_cli
def show_command(ctx: CliContext, dataset_id: int) -> None:
    """Show one dataset and its variables."""
    svc = ctx.service()
    with svc.session() as session:
        dataset = session.get(Dataset, dataset_id)
        if dataset is None:
            raise NotFound(text("catalog.unknown", id=dataset_id))
        click.echo(f"{dataset.id}: {dataset.title}")
        click.echo(f"  agency:  {dataset.agency_code}    name: {dataset.name}")
        if dataset.coverage_start or dataset.coverage_end:
            click.echo(f"  covers:  {dataset.coverage_start or ''} - {dataset.coverage_end or ''}")
        click.echo(f"  rows:    about {dataset.row_count_rounded:,}")
        if dataset.identifier_policy:
            click.echo(f"  policy:  {dataset.identifier_policy}")
        if dataset.description:
            click.echo(f"  {dataset.description}")
        click.echo(f"  {'variable':<24} {'type':<9} {'QI':<3} {'sens':<4} meaning")
        for var in dataset.variables:
            click.echo(f"  {var.name:<24} {var.type:<9} {'yes' if var.is_quasi_identifier else '':<3} "
                       f"{'yes' if var.is_sensitive else '':<4} {var.meaning}")
