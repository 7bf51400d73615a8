"""The ``enclave`` command line.

Every command opens the enclave from ``ENCLAVE_*`` settings, does one thing,
and reports in plain words. Errors raised on purpose (:class:`EnclaveError`)
print their message and exit with the error's code; nothing else is printed,
so no traceback can carry a value to the terminal or a log.
"""

from __future__ import annotations

import sys

import click

from enclave.cli.admin import config_command, init_command, keys_group
from enclave.cli.agencies import agencies_group
from enclave.cli.audit import audit_group
from enclave.cli.catalog import catalog_group
from enclave.cli.context import CliContext
from enclave.cli.demo import demo_command
from enclave.cli.jobs import jobs_group, worker_command
from enclave.cli.projects import projects_group
from enclave.cli.serve import serve_command
from enclave.cli.users import users_group
from enclave.errors import EnclaveError
from enclave.messages import CATALOGUE, text
from translation.commands import localized_group

__all__ = ["cli", "main"]


@click.group(
    cls=localized_group(CATALOGUE),
    help=(
        "Secure pseudonymized-data enclave and linkage service.\n\n"
        "Settings come from ENCLAVE_* environment variables; `enclave config` "
        "lists them. Start with `enclave init`, or try everything at once with "
        "`enclave demo`."
    ),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="pseudonym-enclave")
@click.pass_context
def cli(ctx: click.Context) -> None:
    ctx.obj = CliContext()


for command in (init_command, config_command, keys_group, users_group, projects_group, audit_group, demo_command,
                serve_command):
    cli.add_command(command)
_hub = __import__("enclave.cli.hub", fromlist=["hub_command", "run_notebook_command"])
cli.add_command(_hub.hub_command)
cli.add_command(_hub.run_notebook_command)
cli.add_command(jobs_group)
cli.add_command(worker_command)
cli.add_command(__import__("enclave.cli.linkage_unit_keys", fromlist=["x"]).linkage_unit_keys_group)
cli.add_command(__import__("enclave.linkage_unit.cli", fromlist=["x"]).linkage_unit_group)
for command in (agencies_group, catalog_group):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn enclave errors into a message and an exit code."""
    try:
        cli.main(args=argv, prog_name="enclave", standalone_mode=False)
    except EnclaveError as error:
        click.echo(text("cli.error", message=error.message), err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
