"""What every CLI command shares: settings, and the enclave opened on demand."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field

from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings

__all__ = ["CliContext"]


@dataclass
class CliContext:
    """Lazily loaded settings and service for one CLI invocation."""

    _settings: Settings | None = None
    _service: EnclaveService | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings from the environment."""
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def service(self) -> EnclaveService:
        """The opened enclave (key file loaded, schema checked)."""
        if self._service is None:
            self._service = open_enclave(self.settings)
        return self._service

    @property
    def actor(self) -> str:
        """Who runs the command, for the audit log: the operating-system user."""
        return "cli:" + (os.environ.get("ENCLAVE_ACTOR") or getpass.getuser())
