"""Generate ``jupyterhub_config.py`` from the enclave's settings.

The generated file lives in ``<data_dir>/hub/`` with JupyterHub's own
database, cookie secret and proxy pid file. It holds no secret: values such
as a database password stay in the environment of ``enclave hub``.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from enclave.hub.errors import ProxyNotFound
from enclave.hub.messages import text
from enclave.settings import Settings, mask_url
from enclave.store import atomic_write

__all__ = ["HubLayout", "find_proxy", "has_idle_culler", "hub_environment", "render_hub_config", "write_hub_config"]

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PROXY = "configurable-http-proxy"


@dataclass(frozen=True)
class HubLayout:
    """Where the hub listens and keeps its files.

    Attributes:
        folder: ``<data_dir>/hub``: config, JupyterHub database, cookie secret, pid file.
        port: Public port of the proxy (what researchers open).
        hub_port: Port of the hub's own API, reached through the proxy and by servers.
        proxy_api_port: Port of the proxy's REST API (the hub programs routes there).
        ip: Address everything binds to.
    """

    folder: Path
    port: int
    hub_port: int
    proxy_api_port: int
    ip: str = "127.0.0.1"

    @property
    def config_file(self) -> Path:
        """The generated ``jupyterhub_config.py``."""
        return self.folder / "jupyterhub_config.py"

    @property
    def url(self) -> str:
        """The URL researchers open."""
        return f"http://{self.ip}:{self.port}/"

    @classmethod
    def for_settings(cls, settings: Settings, *, port: int | None = None, hub_port: int | None = None,
                     proxy_api_port: int | None = None) -> HubLayout:
        """The layout for ``settings``: the proxy on ``ENCLAVE_HUB_PORT``, the hub and proxy API just above it."""
        public = settings.hub_port if port is None else port
        return cls(folder=settings.data_dir / "hub", port=public,
                   hub_port=public + 1 if hub_port is None else hub_port,
                   proxy_api_port=public + 2 if proxy_api_port is None else proxy_api_port)


def find_proxy() -> Path:
    """Return configurable-http-proxy: the project's ``node_modules/.bin`` first, then ``PATH``.

    Raises:
        ProxyNotFound: It is installed in neither place.
    """
    for folder in (_PROJECT_ROOT, Path.cwd()):
        candidate = folder / "node_modules" / ".bin" / _PROXY
        if candidate.exists():
            return candidate
    found = shutil.which(_PROXY)
    if found is None:
        raise ProxyNotFound(text("hub.no_proxy"))
    return Path(found)


def has_idle_culler() -> bool:
    """Whether jupyterhub-idle-culler is installed (then it runs as a hub-managed service)."""
    return importlib.util.find_spec("jupyterhub_idle_culler") is not None


def hub_environment(settings: Settings) -> dict[str, str]:
    """The non-secret ``ENCLAVE_*`` values the hub process needs to open the enclave."""
    env = {
        "ENCLAVE_MODE": settings.mode,
        "ENCLAVE_DATA_DIR": str(settings.data_dir),
        "ENCLAVE_KEY_FILE": str(settings.key_file),
        "ENCLAVE_LINKAGE_UNIT_DIR": str(settings.linkage_unit_dir),
        "ENCLAVE_LINKAGE_UNIT_URL": settings.linkage_unit_url,
        "ENCLAVE_POLICIES_DIR": str(settings.policies_dir),
        "ENCLAVE_NOTEBOOKS_DIR": str(settings.notebooks_dir),
        "ENCLAVE_HOST": settings.host,
        "ENCLAVE_PORT": str(settings.port),
        "ENCLAVE_PUBLIC_URL": settings.public_url,
        "ENCLAVE_LANG": settings.lang,
        "ENCLAVE_WORKSPACES_DIR": str(settings.workspaces_dir),
        "ENCLAVE_HUB_ISOLATION": settings.hub_isolation,
        "ENCLAVE_HUB_EGRESS": settings.hub_egress,
        "ENCLAVE_HUB_UID_BASE": str(settings.hub_uid_base),
    }
    # A URL with a password stays in the environment, out of the file.
    if mask_url(settings.database_url) == settings.database_url:
        env["ENCLAVE_DATABASE_URL"] = settings.database_url
    return env


def render_hub_config(settings: Settings, layout: HubLayout, *, proxy: Path, idle_timeout: int = 3600,
                      culler: bool | None = None) -> str:
    """Return the text of ``jupyterhub_config.py`` for ``settings``.

    Args:
        settings: The enclave's settings.
        layout: Ports and folder.
        proxy: The configurable-http-proxy executable.
        idle_timeout: Seconds of inactivity after which servers are culled.
        culler: Run jupyterhub-idle-culler as a service (default: when installed).
            Without it the servers' own idle shutdown still applies.

    Returns:
        Python source for JupyterHub's ``-f`` option.
    """
    culler = has_idle_culler() if culler is None else culler
    env = hub_environment(settings)
    lines = [
        '"""JupyterHub configuration of the analysis room, generated by `enclave hub`. Do not edit:',
        'run `enclave hub` again to regenerate it from the enclave\'s settings."""',
        "",
        "c = get_config()  # noqa: F821",
        "",
        f"ENCLAVE_ENVIRONMENT = {env!r}",
        "",
        f"c.JupyterHub.bind_url = {f'http://{layout.ip}:{layout.port}'!r}",
        f"c.JupyterHub.hub_bind_url = {f'http://{layout.ip}:{layout.hub_port}'!r}",
        f"c.ConfigurableHTTPProxy.api_url = {f'http://{layout.ip}:{layout.proxy_api_port}'!r}",
        f"c.ConfigurableHTTPProxy.command = [{str(proxy)!r}]",
        f"c.ConfigurableHTTPProxy.pid_file = {str(layout.folder / 'proxy.pid')!r}",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(layout.folder / 'jupyterhub.sqlite')!r}",
        f"c.JupyterHub.cookie_secret_file = {str(layout.folder / 'jupyterhub_cookie_secret')!r}",
        "",
        'c.JupyterHub.authenticator_class = "enclave.hub.authenticator.EnclaveAuthenticator"',
        "c.EnclaveAuthenticator.enclave_environment = ENCLAVE_ENVIRONMENT",
        'c.JupyterHub.spawner_class = "enclave.hub.spawner.EnclaveSpawner"',
        "c.EnclaveSpawner.enclave_environment = ENCLAVE_ENVIRONMENT",
        f"c.EnclaveSpawner.kernel_idle_timeout = {int(idle_timeout)}",
        f"c.EnclaveSpawner.server_idle_timeout = {int(idle_timeout) * 2}",
        f"c.Spawner.cmd = [{sys.executable!r}, '-m', 'jupyterhub.singleuser']",
        'c.Spawner.default_url = "/lab"',
        "c.Spawner.start_timeout = 60",
        "c.Spawner.http_timeout = 60",
        "",
        "# Logging out stops the server, and with it the decrypted copy of the data.",
        "c.JupyterHub.shutdown_on_logout = True",
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.admin_access = False",
    ]
    if culler:
        lines += [
            "",
            "# Idle servers are stopped by jupyterhub-idle-culler, a hub-managed service.",
            "c.JupyterHub.services = [{",
            '    "name": "idle-culler",',
            f'    "command": [{sys.executable!r}, "-m", "jupyterhub_idle_culler", '
            f'"--timeout={int(idle_timeout)}", "--cull-every={max(60, int(idle_timeout) // 10)}"],',
            "}]",
            "c.JupyterHub.load_roles = [{",
            '    "name": "idle-culler",',
            '    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],',
            '    "services": ["idle-culler"],',
            "}]",
        ]
    return "\n".join(lines) + "\n"


def write_hub_config(settings: Settings, layout: HubLayout, *, proxy: Path | None = None,
                     idle_timeout: int = 3600, culler: bool | None = None) -> Path:
    """Write ``jupyterhub_config.py`` into ``layout.folder`` atomically (mode 0600).

    Args:
        settings: The enclave's settings.
        layout: Ports and folder.
        proxy: The proxy executable (default: :func:`find_proxy`).
        idle_timeout: Seconds of inactivity after which servers are culled.
        culler: Run jupyterhub-idle-culler (default: when installed).

    Returns:
        The config file's path.

    Raises:
        ProxyNotFound: No proxy given and none installed.
    """
    layout.folder.mkdir(parents=True, exist_ok=True)
    layout.folder.chmod(0o700)
    source = render_hub_config(settings, layout, proxy=proxy or find_proxy(), idle_timeout=idle_timeout,
                               culler=culler)
    atomic_write(layout.config_file, source.encode("utf-8"), mode=0o600)
    return layout.config_file
