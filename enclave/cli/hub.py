"""``enclave hub``: start the analysis room (JupyterHub and its proxy)."""

from __future__ import annotations

import signal
import subprocess
import sys

import click

from enclave.cli.context import CliContext
from enclave.hub.accounts import require_isolation
from enclave.hub.config import HubLayout, write_hub_config
from enclave.hub.errors import JupyterPathsOpen
from enclave.hub.firewall import EgressUnavailable, nft_command
from enclave.hub.jupyter_paths import check_jupyter_paths
from enclave.hub.messages import text
from enclave.hub.singleuser_config import CONFIG_DIR

__all__ = ["hub_command", "run_notebook_command"]

pass_cli = click.make_pass_decorator(CliContext)


@click.command("hub")
@click.option("--port", type=int, default=None,
              help="Port researchers open (the proxy's). Default: ENCLAVE_HUB_PORT.")
@click.option("--hub-port", type=int, default=None, help="Port of the hub's own API. Default: --port + 1.")
@click.option("--proxy-api-port", type=int, default=None, help="Port of the proxy's REST API. Default: --port + 2.")
@click.option("--idle-minutes", type=click.IntRange(min=1), default=60, show_default=True,
              help="Minutes of inactivity after which kernels and servers are stopped.")
@click.option("--config-only", is_flag=True, help="Write jupyterhub_config.py and exit without starting.")
@pass_cli
def hub_command(ctx: CliContext, port: int | None, hub_port: int | None, proxy_api_port: int | None,
                idle_minutes: int, config_only: bool) -> None:
    """Start the analysis room: JupyterHub with configurable-http-proxy.

    The configuration is generated from the enclave's settings into
    <data folder>/hub/jupyterhub_config.py. Researchers of an active project
    log in with their enclave user name, password and (if enrolled) one-time
    code, and get a workspace with their project's data, read-only, and an
    outputs folder. Downloads are switched off: results leave only through
    export requests.

    Run as root, each workspace's server and kernels run under a numeric
    account of their own (ENCLAVE_HUB_ISOLATION, ENCLAVE_HUB_UID_BASE), and a
    probe run as such an account first checks that it can start Python and
    reach ENCLAVE_WORKSPACES_DIR but cannot read the key file, the database or
    the data folder. Production mode refuses to start without these accounts.
    With nftables (ENCLAVE_HUB_EGRESS), those accounts may then open network
    connections only to the hub and the enclave's API. Jupyter's
    configuration and data folders must be root's and outside the workspaces
    (the notebook servers serve kernelspecs and extensions from them).
    """
    settings = ctx.settings
    # Opening the enclave first turns a missing `enclave init` into a plain message.
    ctx.service()
    isolated = require_isolation(settings)
    if isolated:
        click.echo(text("hub.isolation_on", base=settings.hub_uid_base, path=settings.workspaces_dir))
        if settings.hub_egress != "none" and nft_command() is None:
            if settings.hub_egress == "nftables" or not settings.is_development:
                raise EgressUnavailable(text("hub.egress_no_nft"))
            click.echo(text("hub.egress_no_nft"), err=True)
        elif settings.hub_egress != "none":
            click.echo(text("hub.egress_on"))
    else:
        click.echo(text("hub.isolation_off"), err=True)
    problems = check_jupyter_paths(settings.workspaces_dir)
    if problems:
        # Anything a kernel could write there, the notebook server would serve byte for byte.
        raise JupyterPathsOpen(text("hub.jupyter_paths_open", problems="; ".join(problems[:5])))
    click.echo(text("hub.jupyter_paths_pinned", config=CONFIG_DIR))
    # The hub's process takes the decision made here: "none" stays none, and
    # "accounts" is probed once more there before its first workspace opens.
    settings = settings.replace(hub_isolation="accounts" if isolated else "none")
    layout = HubLayout.for_settings(settings, port=port, hub_port=hub_port, proxy_api_port=proxy_api_port)
    path = write_hub_config(settings, layout, idle_timeout=idle_minutes * 60)
    click.echo(text("hub.config_written", path=path))
    if config_only:
        return
    click.echo(text("hub.starting", url=layout.url))
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(path)], cwd=layout.folder)

    def forward(signum: int, _frame: object) -> None:
        # JupyterHub stops its servers (revoking their tokens, removing their data) on SIGINT/SIGTERM.
        process.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(text("hub.stopped", code=code))
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise click.exceptions.Exit(code)


@click.command("run-notebook")
@click.argument("username")
@click.argument("notebook", default="example_analysis.ipynb")
@click.option("--project", "project_id", type=click.IntRange(1, 2**63 - 1), default=None,
              help="The project whose workspace runs it, when the researcher has several active ones.")
@click.option("--timeout", type=click.IntRange(10, 24 * 3600), default=600, show_default=True,
              help="Seconds one cell may run.")
@pass_cli
def run_notebook_command(ctx: CliContext, username: str, notebook: str, project_id: int | None,
                         timeout: int) -> None:
    """Run NOTEBOOK from USERNAME's workspace headless, in a fresh kernel of the analysis room.

    The workspace is provisioned exactly as JupyterHub's spawner does it (the
    project's approved data read-only, an outputs folder, the researcher's own
    workspace account and sandbox when the room runs as root), and the kernel
    gets only what a JupyterHub kernel gets. For batch analyses a researcher
    asked an operator to run: whatever the notebook submits reaches the
    stewards as an export request, re-checked by the service like any other.
    Nothing the notebook prints is shown here, since it has not been reviewed;
    only how the run went and which export requests it made.
    """
    from sqlalchemy import select

    from enclave.db.models import ExportRequest, User
    from enclave.hub.headless import run_workspace_notebook

    svc = ctx.service()
    with svc.session() as session:
        before = session.scalar(select(ExportRequest.id).order_by(ExportRequest.id.desc()).limit(1)) or 0
    run = run_workspace_notebook(svc, username, notebook, project_id=project_id, timeout=timeout)
    with svc.session() as session:
        made = session.scalars(select(ExportRequest.id).join(User, User.id == ExportRequest.author_id).where(
            ExportRequest.id > before, ExportRequest.project_id == run.project_id,
            User.username == username).order_by(ExportRequest.id)).all()
    account = "" if run.account is None else run.account.name
    click.echo(text("hub.notebook_ran", notebook=notebook, project_id=run.project_id,
                    cells=len(run.notebook.cells), account=account or "-",
                    requests=", ".join(str(i) for i in made) or "-"))
