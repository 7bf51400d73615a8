"""Settings of a separately deployed linkage unit, from ``LINKAGE_UNIT_*`` variables.

The linkage unit is run by another organisation on another machine, so none
of its settings is shared with the enclave's ``ENCLAVE_*`` ones: it has its
own data folder, database, address, and the enclave's URL and token to
deliver linkage maps with. Declared once in :data:`LINKAGE_UNIT_SETTINGS`, as
the enclave's settings are.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from enclave.errors import ConfigurationError
from enclave.messages import text
from enclave.settings import Setting, mask_url

__all__ = ["LINKAGE_UNIT_SETTINGS", "LinkageUnitSettings", "load_linkage_unit_settings"]

LINKAGE_UNIT_SETTINGS: tuple[Setting, ...] = (
    Setting("mode", "LINKAGE_UNIT_MODE", "production",
            "'development' runs the embedded development server for local work; 'production' is for a "
            "deployment behind a TLS proxy."),
    Setting("data_dir", "LINKAGE_UNIT_DATA_DIR", "linkage-unit-data",
            "The linkage unit's own folder: private keys (keys/), the public keys it trusts (parties/), "
            "sealed match-key packages and maps (store/), its audit head."),
    Setting("database_url", "LINKAGE_UNIT_DATABASE_URL", "",
            "SQLAlchemy URL of the linkage unit's own database; empty means a SQLite file linkage-unit.db "
            "in its folder. Never the enclave's database."),
    Setting("host", "LINKAGE_UNIT_HOST", "127.0.0.1", "Address `enclave linkage-unit serve` listens on."),
    Setting("port", "LINKAGE_UNIT_PORT", "5060", "Port `enclave linkage-unit serve` listens on."),
    Setting("enclave_url", "LINKAGE_UNIT_ENCLAVE_URL", "",
            "The enclave's API base URL (e.g. https://enclave.example.org); linkage maps are delivered to "
            "PUT <url>/api/v1/projects/<id>/linkage-map."),
    Setting("enclave_token_file", "LINKAGE_UNIT_ENCLAVE_TOKEN_FILE", "",
            "File holding the enclave API token of the linkage unit's account (role linkage_unit); "
            "empty means enclave.token in the data folder. Keep it mode 0600."),
    Setting("upload_max_mb", "LINKAGE_UNIT_UPLOAD_MAX_MB", "512",
            "Largest match-key package an agency may upload, in MiB."),
)


@dataclass(frozen=True)
class LinkageUnitSettings:
    """The linkage unit's resolved settings. Build it with :func:`load_linkage_unit_settings`."""

    mode: Literal["development", "production"]
    data_dir: Path
    database_url: str
    host: str
    port: int
    enclave_url: str
    enclave_token_file: Path
    upload_max_mb: int

    @property
    def is_development(self) -> bool:
        """Whether the development server may be used."""
        return self.mode == "development"

    @property
    def keys_dir(self) -> Path:
        """Folder of its private keys (and the audit key)."""
        return self.data_dir / "keys"

    @property
    def audit_key_file(self) -> Path:
        """The key that MACs its audit events."""
        return self.keys_dir / "audit.key"

    @property
    def public_url(self) -> str:
        """Where it answers, as the OpenAPI document names it."""
        return f"http://{self.host}:{self.port}"

    def replace(self, **changes: object) -> LinkageUnitSettings:
        """Return a copy with some fields changed (for tests)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> list[tuple[str, str, str]]:
        """Return ``(variable, value, help)`` rows, the database password masked."""
        rows = []
        for setting in LINKAGE_UNIT_SETTINGS:
            value = str(getattr(self, setting.name))
            rows.append((setting.env, mask_url(value) if setting.name == "database_url" else value, setting.help))
        return rows


def load_linkage_unit_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> LinkageUnitSettings:
    """Build :class:`LinkageUnitSettings` from ``LINKAGE_UNIT_*`` variables and overrides.

    Raises:
        ConfigurationError: A variable has a value of the wrong kind.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {s.name: env.get(s.env, s.default) for s in LINKAGE_UNIT_SETTINGS}
    raw.update(overrides)
    mode = str(raw["mode"])
    if mode not in ("development", "production"):
        raise ConfigurationError(text("lu.bad_mode"))
    data_dir = Path(str(raw["data_dir"])).expanduser().resolve()

    def as_int(name: str) -> int:
        try:
            return int(str(raw[name]))
        except ValueError:
            env_name = next(s.env for s in LINKAGE_UNIT_SETTINGS if s.name == name)
            raise ConfigurationError(text("settings.bad_int", name=env_name)) from None

    return LinkageUnitSettings(
        mode=mode,  # type: ignore[arg-type]
        data_dir=data_dir,
        database_url=str(raw["database_url"]) or f"sqlite:///{data_dir / 'linkage-unit.db'}",
        host=str(raw["host"]),
        port=as_int("port"),
        enclave_url=str(raw["enclave_url"]).rstrip("/"),
        enclave_token_file=Path(str(raw["enclave_token_file"]) or data_dir / "enclave.token").expanduser().resolve(),
        upload_max_mb=as_int("upload_max_mb"),
    )
