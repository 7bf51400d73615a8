"""The service's settings: one frozen object filled from ``ENCLAVE_*`` variables.

Each field is declared once in :data:`SETTINGS` with its variable, default and
help text, so ``enclave config``, the documentation test and the loader cannot
drift apart (the pattern of Datasette's ``Setting(name, default, help)``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from enclave.errors import ConfigurationError
from enclave.messages import text

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings", "mask_url"]

Mode = Literal["development", "production"]

#: The value shipped for development; refused in production mode.
DEVELOPMENT_SECRET = "development-only-secret-do-not-use"

#: Where the repository's policy files live when installed in place.
_REPO_POLICIES = Path(__file__).resolve().parent.parent / "policies"
_REPO_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

#: Spellings accepted for an on/off setting.
_SWITCH = {"on": True, "true": True, "1": True, "yes": True, "off": False, "false": False, "0": False, "no": False}


@dataclass(frozen=True)
class Setting:
    """One setting: its field name, environment variable, default and help.

    A default of ``""`` on a path or URL means "derived from the data folder".
    """

    name: str
    env: str
    default: str
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("mode", "ENCLAVE_MODE", "production",
            "'development' relaxes start-up checks for local work; 'production' refuses missing or default secrets."),
    Setting("data_dir", "ENCLAVE_DATA_DIR", "enclave-data",
            "Folder for encrypted objects, keys, reports and release packages."),
    Setting("database_url", "ENCLAVE_DATABASE_URL", "",
            "SQLAlchemy URL of the database; empty means a SQLite file enclave.db in the data folder."),
    Setting("key_file", "ENCLAVE_KEY_FILE", "",
            "The enclave's key file (key-encryption key, audit key, session secret); "
            "empty means keys/enclave.keys in the data folder."),
    Setting("linkage_unit_dir", "ENCLAVE_LINKAGE_UNIT_DIR", "",
            "Folder of the linkage unit role (its own keys and store); empty means linkage-unit/ in the data folder."),
    Setting("linkage_unit_url", "ENCLAVE_LINKAGE_UNIT_URL", "",
            "URL of a separately deployed linkage unit (`enclave linkage-unit serve`); empty means the linkage "
            "unit runs inside the enclave's process. When set, the enclave never opens the in-process role: "
            "agencies upload match keys there and it delivers linkage maps to this enclave's API."),
    Setting("secret_key", "ENCLAVE_SECRET_KEY", "",
            "Secret that signs session cookies; empty means the key file's own session secret.", secret=True),
    Setting("policies_dir", "ENCLAVE_POLICIES_DIR", "",
            "Folder of policy files; empty means the policies/ folder shipped with the project."),
    Setting("notebooks_dir", "ENCLAVE_NOTEBOOKS_DIR", "",
            "Folder of the notebooks researchers start from; empty means the project's notebooks/."),
    Setting("host", "ENCLAVE_HOST", "127.0.0.1", "Address `enclave serve` listens on."),
    Setting("port", "ENCLAVE_PORT", "5050", "Port `enclave serve` listens on."),
    Setting("web_workers", "ENCLAVE_WEB_WORKERS", "0",
            "Worker processes of `enclave serve` in production mode (gunicorn); 0 means two per CPU core "
            "plus one, at most 8."),
    Setting("public_url", "ENCLAVE_PUBLIC_URL", "",
            "URL people and kernels use to reach the service; empty means http://HOST:PORT."),
    Setting("session_minutes", "ENCLAVE_SESSION_MINUTES", "30",
            "Minutes of inactivity after which a web session expires."),
    Setting("session_absolute_hours", "ENCLAVE_SESSION_ABSOLUTE_HOURS", "12",
            "Hours after login at which a web session ends however active it is (a stolen cookie "
            "dies with it); log in again to continue."),
    Setting("upload_max_mb", "ENCLAVE_UPLOAD_MAX_MB", "512",
            "Largest sealed package an agency may upload, in MiB."),
    Setting("hub_port", "ENCLAVE_HUB_PORT", "8000", "Port the JupyterHub proxy listens on for `enclave hub`."),
    Setting("lang", "ENCLAVE_LANG", "en", "Language of messages: 'en' or 'ko' (ko_KR.UTF-8 works too)."),
    Setting("workspaces_dir", "ENCLAVE_WORKSPACES_DIR", "",
            "Folder of researchers' workspaces (the analysis room); it must lie outside the data folder, "
            "which workspace accounts cannot enter; empty means <data folder>-workspaces beside it."),
    Setting("hub_isolation", "ENCLAVE_HUB_ISOLATION", "auto",
            "How workspaces are kept apart: 'accounts' runs each workspace's notebook server and kernels "
            "under a numeric account of its own (needs root), 'none' under the hub's own account "
            "(development only), 'auto' is 'accounts' when running as root, else 'none'."),
    Setting("hub_egress", "ENCLAVE_HUB_EGRESS", "auto",
            "Network rules for workspace accounts: 'nftables' lets them connect only to the hub and the "
            "enclave's API (and refuses to start a workspace without the rules), 'none' adds no rules, "
            "'auto' adds them when workspace accounts are used and nft works."),
    Setting("hub_uid_base", "ENCLAVE_HUB_UID_BASE", "200000",
            "First numeric user and group id of workspace accounts: a workspace runs as this number plus "
            "its project-membership number. Choose a range no local account or group uses."),
    Setting("room_read_limit_mb", "ENCLAVE_ROOM_READ_LIMIT_MB", "20",
            "Megabytes a researcher may read through the notebook server's contents API from one project's "
            "workspace within 24 hours before the volume is flagged to stewards (every read is audited)."),
    Setting("embedded_worker", "ENCLAVE_EMBEDDED_WORKER", "on",
            "'on' runs a stage-4 job worker inside `enclave serve` (one machine needs nothing more); "
            "'off' leaves jobs to separate `enclave worker` processes."),
    Setting("job_lease_seconds", "ENCLAVE_JOB_LEASE_SECONDS", "60",
            "Seconds without a heartbeat after which a running job counts as abandoned (its worker died) "
            "and any worker requeues it or marks it failed."),
    Setting("job_max_attempts", "ENCLAVE_JOB_MAX_ATTEMPTS", "3",
            "How many times a job is started before an abandoned run marks it failed instead of requeuing it."),
)


@dataclass(frozen=True)
class Settings:
    """The enclave's resolved settings. Build it with :func:`load_settings`.

    Attributes mirror :data:`SETTINGS`; paths are absolute and derived
    defaults are filled in.
    """

    mode: Mode
    data_dir: Path
    database_url: str
    key_file: Path
    linkage_unit_dir: Path
    linkage_unit_url: str
    secret_key: str
    policies_dir: Path
    notebooks_dir: Path
    host: str
    port: int
    web_workers: int
    public_url: str
    session_minutes: int
    session_absolute_hours: int
    upload_max_mb: int
    hub_port: int
    lang: str
    workspaces_dir: Path
    hub_isolation: str
    hub_egress: str
    hub_uid_base: int
    room_read_limit_mb: int
    embedded_worker: bool
    job_lease_seconds: int
    job_max_attempts: int

    @property
    def is_development(self) -> bool:
        """Whether development mode relaxes the start-up checks."""
        return self.mode == "development"

    @property
    def has_separate_linkage_unit(self) -> bool:
        """Whether the linkage unit is its own service elsewhere (``ENCLAVE_LINKAGE_UNIT_URL``)."""
        return bool(self.linkage_unit_url)

    @property
    def objects_dir(self) -> Path:
        """Folder of the enclave's encrypted objects."""
        return self.data_dir / "objects"

    @property
    def reports_dir(self) -> Path:
        """Folder of risk and quality reports stewards read."""
        return self.data_dir / "reports"

    @property
    def releases_dir(self) -> Path:
        """Folder of signed release packages."""
        return self.data_dir / "releases"

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (for tests and the demo)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> list[tuple[str, str, str]]:
        """Return ``(variable, value, help)`` rows with secrets masked."""
        rows = []
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            shown = str(value)
            if setting.secret:
                shown = "(from key file)" if not value else "********"
            elif setting.name == "database_url":
                shown = mask_url(shown)
            rows.append((setting.env, shown, setting.help))
        return rows

    def check_secrets(self) -> None:
        """Refuse to start on missing or development secrets outside development mode.

        Raises:
            ConfigurationError: With a message that says how to create the secret.
        """
        if self.is_development:
            return
        if self.secret_key == DEVELOPMENT_SECRET:
            raise ConfigurationError(text("settings.dev_secret"))
        if self.secret_key and len(self.secret_key) < 32:
            raise ConfigurationError(text("settings.short_secret"))
        if not self.key_file.exists():
            raise ConfigurationError(text("settings.missing_key_file", path=self.key_file))


def mask_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build :class:`Settings` from ``ENCLAVE_*`` variables and overrides.

    Args:
        environ: The environment to read; ``os.environ`` by default.
        **overrides: Field values that win over the environment (tests, demo).

    Returns:
        The resolved, frozen settings.

    Raises:
        ConfigurationError: When a variable has a value of the wrong kind.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {s.name: env.get(s.env, s.default) for s in SETTINGS}
    raw.update(overrides)

    mode = str(raw["mode"])
    if mode not in ("development", "production"):
        raise ConfigurationError(text("settings.bad_mode"))
    data_dir = Path(str(raw["data_dir"])).expanduser().resolve()
    database_url = str(raw["database_url"]) or f"sqlite:///{data_dir / 'enclave.db'}"
    key_file = Path(str(raw["key_file"]) or data_dir / "keys" / "enclave.keys").expanduser().resolve()
    linkage_unit_dir = Path(str(raw["linkage_unit_dir"]) or data_dir / "linkage-unit").expanduser().resolve()
    policies_dir = Path(str(raw["policies_dir"]) or _REPO_POLICIES).expanduser().resolve()
    notebooks_dir = Path(str(raw["notebooks_dir"]) or _REPO_NOTEBOOKS).expanduser().resolve()
    workspaces_dir = Path(str(raw["workspaces_dir"]) or data_dir.with_name(f"{data_dir.name}-workspaces"))
    workspaces_dir = workspaces_dir.expanduser().resolve()
    if workspaces_dir.is_relative_to(data_dir):
        # Workspace accounts must be able to reach their folder without entering the data folder.
        raise ConfigurationError(text("settings.workspaces_inside_data"))
    hub_isolation = str(raw["hub_isolation"])
    if hub_isolation not in ("auto", "accounts", "none"):
        raise ConfigurationError(text("settings.bad_isolation"))
    hub_egress = str(raw["hub_egress"])
    if hub_egress not in ("auto", "nftables", "none"):
        raise ConfigurationError(text("settings.bad_egress"))

    def as_int(name: str) -> int:
        try:
            return int(str(raw[name]))
        except ValueError:
            env_name = next(s.env for s in SETTINGS if s.name == name)
            raise ConfigurationError(text("settings.bad_int", name=env_name)) from None

    host = str(raw["host"])
    port = as_int("port")
    web_workers = as_int("web_workers")
    if web_workers < 0:
        raise ConfigurationError(text("settings.bad_workers"))
    hub_uid_base = as_int("hub_uid_base")
    # Workspace accounts take ids base .. base + 10,000,000 (enclave.hub.firewall.ACCOUNT_SPAN): above
    # the system's and people's accounts, below the largest id.
    if not 1000 <= hub_uid_base <= 2**31 - 1 - 10_000_000:
        raise ConfigurationError(text("settings.bad_uid_base"))
    room_read_limit_mb = as_int("room_read_limit_mb")
    if room_read_limit_mb < 1:
        raise ConfigurationError(text("settings.bad_positive", names="ENCLAVE_ROOM_READ_LIMIT_MB"))
    embedded = str(raw["embedded_worker"]).strip().lower()
    if embedded not in _SWITCH:
        raise ConfigurationError(text("settings.bad_switch", name="ENCLAVE_EMBEDDED_WORKER"))
    job_lease_seconds, job_max_attempts = as_int("job_lease_seconds"), as_int("job_max_attempts")
    if job_lease_seconds < 1 or job_max_attempts < 1:
        raise ConfigurationError(text("settings.bad_positive", names="ENCLAVE_JOB_LEASE_SECONDS, "
                                                                    "ENCLAVE_JOB_MAX_ATTEMPTS"))
    session_minutes, session_absolute_hours = as_int("session_minutes"), as_int("session_absolute_hours")
    if session_minutes < 1 or session_absolute_hours < 1:
        raise ConfigurationError(text("settings.bad_positive", names="ENCLAVE_SESSION_MINUTES, "
                                                                    "ENCLAVE_SESSION_ABSOLUTE_HOURS"))
    public_url = str(raw["public_url"]) or f"http://{host}:{port}"
    return Settings(
        mode=mode,  # type: ignore[arg-type]
        data_dir=data_dir,
        database_url=database_url,
        key_file=key_file,
        linkage_unit_dir=linkage_unit_dir,
        linkage_unit_url=str(raw["linkage_unit_url"]).rstrip("/"),
        secret_key=str(raw["secret_key"]),
        policies_dir=policies_dir,
        notebooks_dir=notebooks_dir,
        host=host,
        port=port,
        web_workers=web_workers,
        public_url=public_url.rstrip("/"),
        session_minutes=session_minutes,
        session_absolute_hours=session_absolute_hours,
        upload_max_mb=as_int("upload_max_mb"),
        hub_port=as_int("hub_port"),
        lang=str(raw["lang"]),
        workspaces_dir=workspaces_dir,
        hub_isolation=hub_isolation,
        hub_egress=hub_egress,
        hub_uid_base=hub_uid_base,
        room_read_limit_mb=room_read_limit_mb,
        embedded_worker=_SWITCH[embedded],
        job_lease_seconds=job_lease_seconds,
        job_max_attempts=job_max_attempts,
    )
