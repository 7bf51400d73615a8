"""User-facing text of the analysis room (JupyterHub), in one place so it can be translated.

The English is the msgid of the ``enclave`` catalogue; :mod:`translation`
picks the language. Parameters are names, counts, paths and ids — never
record values.
"""

from __future__ import annotations

from pathlib import Path

from translation import N_, Catalogue

__all__ = ["CATALOGUE", "MESSAGES", "text"]

CATALOGUE = Catalogue("enclave", Path(__file__).resolve().parents[1] / "locale")

MESSAGES: dict[str, str] = {
    "hub.notebook_ran": N_("Ran {notebook} in project {project_id}'s workspace: {cells} cells, account {account}; export requests made: {requests}."),
    "hub.researchers_only": N_("The analysis room is for researchers. Stewards, agencies and administrators use the enclave's web pages instead."),
    "hub.no_active_project": N_('You are not a member of an active project, so there is no workspace to open. Ask your project lead or a data steward whether your project is approved and active.'),
    "hub.project_not_yours": N_('Project {project_id} is not one of your active projects. Choose one of your active projects and start the server again.'),
    "hub.choose_project": N_('You work on several active projects. Choose the project whose workspace to open:'),
    "hub.bad_project_choice": N_('The project choice is not a project number. Pick a project from the list and start again.'),
    "hub.no_proxy": N_('configurable-http-proxy was not found in node_modules/.bin or on PATH. Run scripts/install.sh (it installs the proxy from npm) and start again.'),
    "hub.config_written": N_('JupyterHub configuration written to {path}.'),
    "hub.starting": N_('Starting the analysis room (JupyterHub) at {url}\nLog in there as a researcher of an active project with your enclave user name and password; leave the one-time code empty unless you have enrolled a second factor.\nStop it with Ctrl+C.'),
    "hub.stopped": N_('The analysis room stopped (exit code {code}).'),
    "hub.otp_prompt": N_('One-time code (if enrolled):'),
    "hub.notebook_failed": N_('The notebook {notebook} stopped with an error in cell {cell}. Open it in the analysis room to see the error, fix the cell and run it again.'),
    "hub.isolation_needs_root": N_('ENCLAVE_HUB_ISOLATION=accounts runs each workspace under an account of its own, which only root can switch to. Start the hub as root, or in development set ENCLAVE_HUB_ISOLATION=none.'),
    "hub.isolation_required": N_('In production every workspace must run under an account of its own, so that no kernel can read the key file, the database or another workspace. Start the hub as root with ENCLAVE_HUB_ISOLATION=accounts (or auto).'),
    "hub.isolation_interpreter": N_("A workspace account cannot start the Python at {python} or import the notebook server from it, probably because it lies in a folder only its owner may enter (such as /root). Reinstall with scripts/install.sh, which uses the system's Python 3.11, or set PYTHON to a Python readable by all users."),
    "hub.isolation_sandbox": N_("A workspace process could not enter its sandbox (a private mount namespace that hides other services' sockets): the hub needs root with the right to mount (CAP_SYS_ADMIN). Run it as root outside a restricted container, or in development set ENCLAVE_HUB_ISOLATION=none."),
    "hub.isolation_workspaces": N_('A workspace account cannot reach the workspaces folder {path}: one of the folders above it may be entered by its owner only. Set ENCLAVE_WORKSPACES_DIR to a folder whose parents all allow others to pass (mode 0711 or 0755).'),
    "hub.isolation_open": N_("A workspace account can read the enclave's {what}. Make the data folder {path} and the key file readable by their owner only (chmod 700 on folders, 600 on files) and start again."),
    "hub.notebook_not_run": N_('The notebook {notebook} could not be run: it is not a notebook file of the workspace, it is not readable, or its kernel did not start. Open the analysis room to check it.'),
    "hub.isolation_on": N_('Each workspace runs under an account of its own (ids from {base} up); workspaces are in {path}. Checked: such an account cannot read the key file, the database or the data folder.'),
    "hub.isolation_off": N_("Warning: workspaces run under the hub's own account (ENCLAVE_HUB_ISOLATION=none, or not running as root), so a kernel could read the enclave's files. Use this for development only."),
    "hub.egress_on": N_("Workspace accounts may connect only to the hub and the enclave's API (nftables rules, installed before the first workspace starts and removed when the hub stops)."),
    "hub.egress_no_nft": N_("The nft command (Debian's nftables package) is not installed, so workspace accounts cannot be limited to the hub and the enclave's API. Install nftables (scripts/install.sh does, as root) or set ENCLAVE_HUB_EGRESS=none and enforce a network policy outside this machine."),
    "hub.egress_refused": N_('nft refused the egress rules for workspace accounts ({reason}). The hub needs root (CAP_NET_ADMIN) to install them; or set ENCLAVE_HUB_EGRESS=none and enforce a network policy outside this machine.'),
    "hub.egress_unresolved": N_('The host {host} of the hub or of ENCLAVE_PUBLIC_URL does not resolve, so the egress rules cannot name it. Use an address or a resolvable name.'),
    "hub.workspace_busy": N_('Processes of this workspace could not be ended, so it was not prepared again. Ask an administrator to check the machine, then start the server again.'),
    "hub.workspace_contested": N_("The workspace's {name} kept changing while the analysis room prepared it. Stop every kernel of this workspace and start the server again."),
    "hub.runtime_dir_taken": N_("The folder {path} for the kernels' sockets exists but is not the hub's own or is writable by others. Remove it and start again."),
    "egress.refused": N_('Files leave the analysis room only through an export request: downloads are switched off. Make your output with export_review.OutputSession and submit it for review.'),
    "egress.data_read_only": N_("The data/ folder is read-only: the project's dataset is provisioned by the enclave. Write your results to outputs/ instead."),
    # merged from branches that still wrote {en, ko} entries
    'hub.jupyter_paths_open': N_("Workspace servers serve kernelspecs and JupyterLab extensions from folders that must be root's and writable by nobody else, outside the workspaces; these are not: {problems}. Reinstall with scripts/install.sh as root, or fix the owners and modes of the folders named, and start again."),
    'hub.jupyter_paths_pinned': N_("Jupyter's configuration and data folders of every workspace are pinned to {config} and the system's folders, read-only to workspaces."),
    'egress.file_too_large': N_('This file is larger than the {limit} kB the analysis room opens as text: large text leaves only through an export request. Summarise it in a notebook, or make your output with export_review.OutputSession and submit it for review.'),
    'egress.notebook_too_large': N_('This notebook is larger than the {limit} MB the analysis room opens. Clear its outputs from a kernel (nbformat) or split it; results leave only through an export request (export_review.OutputSession).'),
    'egress.too_large': N_("This answer is larger than the analysis room hands out: keep JupyterLab's settings and workspaces small. Results leave only through an export request."),
    'egress.output_removed': N_('[A {kind} output of {size} bytes was removed: notebooks keep only small outputs. Run the cell again to see it; to take results out, submit them with export_review.OutputSession.]'),
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the current language (see :mod:`translation`).

    Args:
        message_id: Key of :data:`MESSAGES`.
        **params: Values for the message's ``{placeholders}``: names, counts,
            ids and paths, never record values.

    Returns:
        The formatted message, in English where the catalogue has no translation.

    Raises:
        KeyError: ``message_id`` is not in :data:`MESSAGES` (a programming error).
    """
    return CATALOGUE.gettext(MESSAGES[message_id], **params)
