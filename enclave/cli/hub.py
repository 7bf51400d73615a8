"""``enclave hub``: start the analysis room (JupyterHub and its proxy)."""

from __future__ import annotations

import signal
import subprocess
import sys

import click

from enclave.cli.context import CliContext
from enclave.hub.accounts import require_isolation
from enclave.hub.config import HubLayout, write_hub_config
from enclave.hub.firewall import EgressUnavailable, nft_command
from enclave.hub.messages import text

__all__ = ["hub_command"]

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
    connections only to the hub and the enclave's API.
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
