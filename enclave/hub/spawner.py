"""The spawner: a notebook server per researcher, on their project's workspace only.

Before the server starts it provisions the workspace of the researcher's
project (:mod:`enclave.hub.workspace`), issues an API token scoped to that
project for ``export_review`` and passes it in the environment; at stop it
revokes the token and removes the decrypted dataset. While the server runs,
every poll re-checks that the project is still active and stops the server
when it is not.

The server and its kernels run under the workspace's own numeric account
(:mod:`enclave.hub.accounts`) when the hub runs as root: the child process
switches to it after its resource limits are set and before it executes
anything, so no kernel can read the key file, the database or another
workspace. With ``ENCLAVE_HUB_ISOLATION=none`` (development only) they run
as the hub's own user, as JupyterHub's ``SimpleLocalProcessSpawner`` does.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import html
import inspect
import math
import os
import resource
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Dict, Float, Integer, default

from enclave.errors import EnclaveError
from enclave.hub.access import active_projects_for, choose_workspace_project
from enclave.hub.accounts import (
    MAX_PROCESSES,
    WorkspaceAccount,
    enter_account,
    isolation_enabled,
    kill_account_processes,
)
from enclave.hub.connection import hub_settings, service_for
from enclave.hub.errors import BadProjectChoice
from enclave.hub.firewall import (
    ACCOUNT_SPAN,
    EgressPolicy,
    EgressUnavailable,
    destinations_of,
    install_egress_rules,
    remove_egress_rules,
)
from enclave.hub.jupyter_paths import jupyter_environment
from enclave.hub.lifecycle import close_workspace, open_workspace
from enclave.hub.messages import text
from enclave.hub.workspace import clear_kernel_runtime, process_environment, sandbox_keep, workspace_environment
from enclave.service import EnclaveService
from enclave.users import find_user

__all__ = ["EnclaveSpawner", "KERNEL_ENVIRONMENT"]

#: The only ``ENCLAVE_*`` variables a researcher's server and kernels receive.
KERNEL_ENVIRONMENT = ("ENCLAVE_API_URL", "ENCLAVE_API_TOKEN", "ENCLAVE_PROJECT_ID", "ENCLAVE_OUTPUTS_DIR",
                      "ENCLAVE_LANG")


class EnclaveSpawner(SimpleLocalProcessSpawner):  # type: ignore[misc]
    """Spawn a researcher's notebook server on their project's workspace.

    Configuration (``c.EnclaveSpawner.<name>``) beyond JupyterHub's own:
    ``enclave_environment``, ``token_lifetime_hours``, ``kernel_idle_timeout``,
    ``server_idle_timeout``. ``mem_limit`` is enforced as an address-space
    limit and ``cpu_limit`` as a CPU-affinity limit of the server process
    and its kernels; both are off by default.
    """

    enclave_environment = Dict(
        help="Non-secret ENCLAVE_* values of the enclave this hub serves; the environment's own win.",
    ).tag(config=True)
    token_lifetime_hours = Float(
        12.0, help="Hours the project-scoped API token of a server is valid; it is revoked at stop anyway.",
    ).tag(config=True)
    kernel_idle_timeout = Integer(
        3600, help="Seconds after which an idle kernel is shut down (0: never).",
    ).tag(config=True)
    max_processes = Integer(
        MAX_PROCESSES, help="Processes a workspace account may run at once (RLIMIT_NPROC), with workspace accounts.",
    ).tag(config=True)
    server_idle_timeout = Integer(
        7200, help="Seconds without kernels or activity after which the server shuts itself down (0: never).",
    ).tag(config=True)

    # Egress tables this hub process installed (None: tried, unavailable, allowed to go without).
    _egress_tables: ClassVar[dict[str, EgressPolicy | None]] = {}
    _egress_lock: ClassVar[threading.Lock] = threading.Lock()

    # What the running server belongs to. Kept in the hub's stored state so a
    # restarted hub still revokes the token and clears the data at stop.
    project_id = Integer(0)
    token_id = Integer(0)

    @default("poll_interval")
    def _default_poll_interval(self) -> int:
        # Polls are where a closed project's running server is stopped.
        return 10

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        return [sys.executable, "-m", "jupyterhub.singleuser"]

    @default("options_form")
    def _default_options_form(self) -> Callable[[Any], Any]:
        return _project_form

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api_token = ""
        self._account: WorkspaceAccount | None = None

    # ------------------------------------------------------------ enclave
    def _service(self) -> EnclaveService:
        return service_for(hub_settings(self.enclave_environment))

    def options_from_form(self, formdata: dict[str, list[str]]) -> dict[str, Any]:
        """Turn the project choice of the spawn form into ``user_options``.

        Raises:
            BadProjectChoice: The choice is not a project number.
        """
        values = formdata.get("project") or []
        if not values:
            return {}
        try:
            return {"project": int(values[0])}
        except ValueError:
            raise BadProjectChoice(text("hub.bad_project_choice")) from None

    def _requested_project(self) -> int | None:
        value = (self.user_options or {}).get("project")
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise BadProjectChoice(text("hub.bad_project_choice")) from None

    def _open_workspace(self) -> None:
        opened = open_workspace(self._service(), self.user.name, self._requested_project(),
                                lifetime=dt.timedelta(hours=self.token_lifetime_hours))
        self.project_id = opened.workspace.project_id
        self.token_id = opened.token_id
        self._api_token = opened.api_token
        self._account = opened.account
        root = str(opened.workspace.root)
        # The server's root folder is its working folder (set in the child), not an argument:
        # a command line is readable by every account in /proc, and names the researcher.
        self.home_dir = root

    def _ensure_egress_rules(self) -> None:
        """Install this hub's egress rules for workspace accounts, once per hub process.

        Raises:
            EgressUnavailable: The rules cannot be installed and ``ENCLAVE_HUB_EGRESS=nftables``, or
                production mode (only development runs on without them, with a warning).
        """
        settings = self._service().settings
        if settings.hub_egress == "none" or not isolation_enabled(settings):
            return
        hub_api = self.hub.api_url
        table = f"enclave_room_{urlsplit(hub_api).port or 80}"
        with self._egress_lock:
            if table in self._egress_tables:
                return
            policy = EgressPolicy(table=table, first_uid=settings.hub_uid_base,
                                  last_uid=settings.hub_uid_base + ACCOUNT_SPAN - 1,
                                  destinations=destinations_of([hub_api, settings.public_url]))
            try:
                install_egress_rules(policy)
            except EgressUnavailable:
                if settings.hub_egress == "nftables" or not settings.is_development:
                    raise
                self.log.warning("No egress rules for workspace accounts (nft unavailable): "
                                 "a deployment must enforce a network policy instead")
                self._egress_tables[table] = None
                return
            self._egress_tables[table] = policy
            atexit.register(remove_egress_rules, table)
            self.log.info("Workspace accounts may connect only to %s",
                          ", ".join(f"{a}:{p}" for a, p in policy.destinations))

    def _project_still_open(self) -> bool:
        svc = self._service()
        try:
            with svc.session() as session:
                choose_workspace_project(session, find_user(session, self.user.name), self.project_id)
        except EnclaveError:
            # Access that cannot be confirmed (refused, user gone, database down) ends: fail closed.
            return False
        return True

    # ------------------------------------------------------------ spawner
    def get_env(self) -> dict[str, str]:
        """Return the server's environment: JupyterHub's, less the hub's ``ENCLAVE_*``, plus export settings."""
        env: dict[str, str] = super().get_env()
        for key in [k for k in env if k.startswith("ENCLAVE_")]:
            # The hub's own settings name the data folder, key file and database: never for a kernel.
            del env[key]
        if self.project_id:
            env.update(workspace_environment(self._service().settings, self.project_id, self._api_token,
                                             Path(self.home_dir)))
        # Configuration and data come from shipped, read-only folders; nothing
        # in the workspace may add configuration, kernelspecs or extensions.
        env.update(jupyter_environment(Path(self.home_dir or "/nonexistent")))
        if self.home_dir:
            env.update(process_environment(Path(self.home_dir), self._account))
        return env

    def get_args(self) -> list[str]:
        """Return the server's arguments; the egress guard and culling settings are always added.

        They are command-line arguments because those win over any
        configuration file a researcher could write into the workspace.
        """
        args: list[str] = list(super().get_args())
        if self._account is None and os.geteuid() == 0 and "--allow-root" not in args:
            args.append("--allow-root")
        args += [
            "--ServerApp.jpserver_extensions=enclave.hub.egress=True",
            "--ServerApp.contents_manager_class=enclave.hub.egress.GuardedContentsManager",
            "--ContentsManager.files_handler_class=enclave.hub.egress.DownloadRefusedHandler",
            "--ServerApp.terminals_enabled=False",
            f"--ServerApp.shutdown_no_activity_timeout={int(self.server_idle_timeout)}",
            f"--MappingKernelManager.cull_idle_timeout={int(self.kernel_idle_timeout)}",
            "--MappingKernelManager.cull_interval=60",
            # The server asks the hub about a user's token at most this often,
            # so a closed project's access ends within seconds, not minutes.
            "--HubOAuth.cache_max_age=5",
        ]
        if self.home_dir:
            # Notebook trust is the researcher's own; its key and database live in the workspace,
            # not in the pinned, read-only data folder.
            args.append(f"--NotebookNotary.data_dir={Path(self.home_dir) / '.local' / 'share' / 'jupyter'}")
        if self._account is not None:
            # Kernels talk to their server over Unix sockets, so the egress rules can refuse every
            # TCP connection of a workspace account but those to the hub and the enclave's API.
            args.append("--KernelManager.transport=ipc")
        return args

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Prepare the child process: workspace as working folder, resource limits, then the workspace account.

        The account comes last: the limits are set while the process may
        still set them, and nothing after the switch runs with root's rights.
        """
        base = super().make_preexec_fn(name)
        mem_limit = self.mem_limit
        cpus = math.ceil(self.cpu_limit) if self.cpu_limit else 0
        account = self._account
        max_processes = int(self.max_processes)
        keep = () if account is None else sandbox_keep(self._service().settings, account)

        def preexec() -> None:
            base()
            if mem_limit:
                resource.setrlimit(resource.RLIMIT_AS, (int(mem_limit), int(mem_limit)))
            if cpus:
                allowed = sorted(os.sched_getaffinity(0))
                os.sched_setaffinity(0, allowed[:cpus])
            if account is not None:
                enter_account(account, keep=keep, max_processes=max_processes)

        return preexec

    async def start(self) -> Any:
        """Install the egress rules (once), provision the workspace, then start the server in it.

        A start that fails here is closed at once, as a stop would close it.
        """
        await asyncio.to_thread(self._ensure_egress_rules)
        await asyncio.to_thread(self._open_workspace)
        try:
            return await super().start()
        except BaseException:
            await self._close_session(failed_start=True)
            raise

    async def stop(self, now: bool = False) -> None:
        """Stop the server and every process of its account, revoke its token and remove the decrypted dataset."""
        try:
            await super().stop(now=now)
        finally:
            # Whatever the stop met, the token is revoked and the decrypted data removed.
            await self._close_session(failed_start=False)

    async def run_post_stop_hook(self) -> Any:
        """Close a session JupyterHub did not stop: a server that died while starting.

        JupyterHub calls :meth:`stop` only for a server still running, so a
        server that exited during its start (the hub answers 500) would keep
        its token and decrypted data; this hook runs after every stop.
        """
        if self.project_id:
            self.log.warning("The server of %s ended while starting: closing its workspace", self.user.name)
            await self._close_session(failed_start=True)
        result = super().run_post_stop_hook()
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _close_session(self, *, failed_start: bool) -> None:
        """End the account's processes, remove the decrypted dataset, revoke the token, audit; never twice."""
        project_id, token_id, account = self.project_id, self.token_id, self._account
        self.project_id = 0
        self.token_id = 0
        self._api_token = ""
        self._account = None
        try:
            if account is not None:
                # A kernel's own children outlive the server JupyterHub stops.
                await asyncio.to_thread(kill_account_processes, account)
        finally:
            if project_id:
                await asyncio.to_thread(close_workspace, self._service(), self.user.name, project_id, token_id,
                                        failed_start=failed_start)
            if account is not None:
                await asyncio.to_thread(clear_kernel_runtime, account)

    async def poll_and_notify(self) -> Any:
        """Poll the server; stop it first when its project is no longer active."""
        if self.project_id and not await asyncio.to_thread(self._project_still_open):
            self.log.warning("Stopping the server of %s: its project is no longer active", self.user.name)
            await self.stop(now=True)
        return await super().poll_and_notify()

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore the pid, project, token id and account after a hub restart."""
        super().load_state(state)
        self.project_id = int(state.get("project_id", 0))
        self.token_id = int(state.get("token_id", 0))
        if state.get("account"):
            self._account = WorkspaceAccount(uid=int(state["account"]), gid=int(state["account"]))

    def get_state(self) -> dict[str, Any]:
        """Save the pid, project, token id and account."""
        state: dict[str, Any] = super().get_state()
        if self.project_id:
            state["project_id"] = self.project_id
            state["token_id"] = self.token_id
        if self._account is not None:
            state["account"] = self._account.uid
        return state


async def _project_form(spawner: EnclaveSpawner) -> str:
    """The spawn form: a choice of project, shown only to researchers with more than one."""

    def projects() -> list[tuple[int, str]]:
        svc = spawner._service()
        with svc.session() as session:
            user = find_user(session, spawner.user.name)
            return [(p.id, p.title) for p in active_projects_for(session, user)]

    choices = await asyncio.to_thread(projects)
    if len(choices) <= 1:
        return ""
    options = "\n".join(
        f'<option value="{pid}">{pid}: {html.escape(title)}</option>' for pid, title in choices)
    return (f'<label for="project">{html.escape(text("hub.choose_project"))}</label>\n'
            f'<select class="form-control" name="project" id="project">\n{options}\n</select>')
