"""``enclave demo``."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["demo_command"]


@click.command("demo")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-workspace"), show_default=True,
              help="Folder for the demo's own data folder and SQLite database; replaced on each run.")
@click.option("--persons", type=click.IntRange(200, 200_000), default=3000, show_default=True,
              help="Size of the synthetic population the three agencies draw their records from.")
def demo_command(workspace: Path, persons: int) -> None:
    """Run the whole six-stage journey headless on synthetic data, in a fresh workspace.

    Three agencies prepare and upload sealed packages, the linkage unit links
    them, the enclave combines, pseudonymizes and reviews risk, a steward
    approves, the example analysis runs as the researcher, two stewards review
    the export, a signed release is written and verified, and a second,
    finished project is destroyed. Nothing outside the workspace folder is
    touched; your ENCLAVE_* settings are ignored.
    """
    # Imported here: the demo pulls in the linkage, privacy and hub stacks,
    # which other commands (``enclave serve``) should not wait for.
    from enclave.demo import run_demo

    result = run_demo(workspace, echo=lambda line: click.echo(f"  - {line}"), persons=persons)
    click.echo("")
    click.echo(f"Demo finished in {result.seconds:.0f} s. Workspace: {result.workspace}")
    for label, path in (("linkage quality report", result.linkage_report), ("risk report", result.risk_report),
                        ("release package", result.release_package),
                        ("destruction certificate", result.certificate),
                        ("demo credentials", result.credentials_file)):
        if path is not None:
            click.echo(f"  {label}: {path}")
