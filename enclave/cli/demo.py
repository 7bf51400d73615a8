"""``enclave demo``."""

from __future__ import annotations

from pathlib import Path

import click

from enclave.demo import run_demo

__all__ = ["demo_command"]


@click.command("demo")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-workspace"), show_default=True,
              help="Folder for the demo's own data folder and SQLite database; replaced on each run.")
def demo_command(workspace: Path) -> None:
    """Run the enclave's journey headless on synthetic data, in a fresh workspace.

    Nothing outside the workspace folder is touched; your ENCLAVE_* settings
    are ignored so the demo can never write into a real enclave.
    """
    result = run_demo(workspace, echo=lambda line: click.echo(f"  - {line}"))
    click.echo(f"Demo finished in {result.workspace}.")
