"""The hub process's handle on the enclave: settings and one opened service.

The generated ``jupyterhub_config.py`` gives the authenticator and the spawner
the non-secret ``ENCLAVE_*`` values of the enclave it was generated for;
secrets (a database password, ``ENCLAVE_SECRET_KEY``) are never written into
it and come from the environment of ``enclave hub`` instead, which wins.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings

__all__ = ["hub_settings", "service_for"]

_services: dict[Settings, EnclaveService] = {}
_lock = threading.Lock()


def hub_settings(configured: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve the enclave's settings for the hub process.

    Args:
        configured: ``ENCLAVE_*`` values from the hub configuration.
        environ: The process environment (default ``os.environ``); its
            ``ENCLAVE_*`` values win over ``configured``.

    Returns:
        The settings.
    """
    env = os.environ if environ is None else environ
    merged = dict(configured)
    merged.update({k: v for k, v in env.items() if k.startswith("ENCLAVE_")})
    return load_settings(environ=merged)


def service_for(settings: Settings) -> EnclaveService:
    """Return the process's opened enclave for ``settings`` (opened once, then shared).

    Raises:
        EnclaveError: The enclave cannot be opened (see :func:`enclave.service.open_enclave`).
    """
    with _lock:
        service = _services.get(settings)
        if service is None:
            service = open_enclave(settings)
            _services[settings] = service
        return service
