"""``enclave demo``."""

from __future__ import annotations

from pathlib import Path

import click

from enclave.messages import CATALOGUE

__all__ = ["demo_command"]

_ = CATALOGUE.gettext


@click.command("demo")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-workspace"), show_default=True,
              help="Folder for the demo's own data folder and SQLite database; replaced on each run.")
@click.option("--persons", type=click.IntRange(200, 200_000), default=3000, show_default=True,
              help="Size of the synthetic population the three agencies draw their records from (about three "
                   "quarters are linked); with 30000 every quasi-identifier survives additional processing.")
@click.option("--separate", is_flag=True,
              help="Deploy the parties apart, as in production: the linkage unit as its own service (own folder "
                   "linkage-unit/ in the workspace, own database and port, trust set up with its commands), "
                   "agencies sending match keys to its URL and its operator starting the linking, and stage-4 "
                   "jobs in a separate `enclave worker` process.")
def demo_command(workspace: Path, persons: int, separate: bool) -> None:
    """Run the whole six-stage journey on synthetic data, in a fresh workspace, through the product itself.

    The demo is a script over the public interfaces: operators and agencies
    run the `enclave` and `linkage` commands (init, agencies add, users add,
    catalog import, linkage keygen/fetch-keys/prepare/upload, run-notebook,
    export-review verify, audit verify), and researchers and stewards call the
    JSON API of an `enclave serve` it starts on a free loopback port, whose
    embedded worker runs the stage-4 jobs. Three agencies prepare and upload
    sealed packages; the linkage unit links them; the enclave combines,
    pseudonymizes and reviews risk; a steward approves; the example analysis
    runs as the researcher; two stewards review the export; a signed release
    is downloaded and verified; a second project provides one agency's
    dataset without linkage and is then closed and destroyed. Nothing outside
    the workspace folder is touched; your ENCLAVE_* and LINKAGE_UNIT_*
    settings are ignored.

    With --separate the same journey runs with the parties deployed apart
    (docs/deployment.md): `enclave linkage-unit serve` with its own folder and
    database, `enclave serve` without its embedded worker beside an `enclave
    worker`; the linkage unit's operator links and destroys its own part.
    """
    from enclave.demo import DemoStepFailed, run_demo

    try:
        result = run_demo(workspace, echo=lambda line: click.echo(f"  - {line}"), persons=persons,
                          separate=separate)
    except DemoStepFailed as failed:
        raise click.ClickException(_("The demo stopped: {reason}", reason=failed)) from None
    click.echo("")
    click.echo(_("Demo finished in {seconds} s ({layout}). Workspace: {workspace}", seconds=round(result.seconds),
                 layout=_("separated parties") if result.separate else _("one machine"), workspace=result.workspace))
    for label, path in ((_("linkage quality report"), result.linkage_report),
                        (_("approved risk review"), result.risk_report),
                        (_("release package"), result.release_package),
                        (_("destruction certificate"), result.certificate),
                        (_("demo credentials"), result.credentials_file)):
        if path is not None:
            click.echo(f"  {label}: {path}")
