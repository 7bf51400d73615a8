"""Linking a project at a separate linkage unit and delivering the sealed map to the enclave.

One function serves the operator's command (``enclave linkage-unit link``)
and the API (``POST /api/v1/projects/<id>/link``): link every agency's match
keys, seal the map (with its aggregate quality report) to the enclave's key,
and ``PUT`` it to the enclave's ``/api/v1/projects/<id>/linkage-map`` with
the linkage unit's account token. Nothing is sent unless the enclave's URL,
key and token are all configured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import requests

from enclave.errors import ConfigurationError, Conflict, EnclaveError
from enclave.linkage_unit.service import LinkageUnitService
from enclave.messages import text

__all__ = ["DeliveryFailed", "LinkageDelivery", "link_and_deliver"]

_TIMEOUT = 300


class DeliveryFailed(EnclaveError):
    """The enclave could not be reached to deliver the map; the run and its sealed map are kept."""

    status = 502
    exit_code = 12


@dataclass(frozen=True)
class LinkageDelivery:
    """What a linkage run produced and the enclave acknowledged (counts only)."""

    project_id: int
    run_id: int
    map_rows: int
    map_sha256: str
    quality: dict[str, Any]


def _enclave_token(service: LinkageUnitService) -> str:
    path = service.settings.enclave_token_file
    if not service.settings.enclave_url:
        raise ConfigurationError(text("lu.no_enclave_url"))
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if not token:
        raise ConfigurationError(text("lu.no_enclave_token", path=path))
    return token


def link_and_deliver(service: LinkageUnitService, project_id: int, *, actor: str) -> LinkageDelivery:
    """Link ``project_id``'s match keys, seal the map to the enclave and deliver it.

    Raises:
        ConfigurationError: No enclave URL, token or sealing key registered; nothing was linked.
        NotFound: Fewer than two agencies' match keys have arrived.
        Conflict: The enclave refused the map (its message says why); the run is kept here.
        DeliveryFailed: The enclave did not answer; the run is kept here.
    """
    token = _enclave_token(service)
    enclave_key = service.enclave_sealing_public()
    try:
        run, sealed = service.role.run_linkage(project_id, enclave_key, actor=actor)
    except EnclaveError as error:
        if error.audit is not None:
            service.record_event(**error.audit)
        raise
    digest = hashlib.sha256(sealed).hexdigest()
    url = f"{service.settings.enclave_url}/api/v1/projects/{int(project_id)}/linkage-map"
    event = {"actor": actor, "action": "lu.deliver", "object_type": "project", "object_id": project_id,
             "run": run.id, "map_sha256": digest}
    try:
        answer = requests.put(url, data=sealed, timeout=_TIMEOUT, headers={
            "Authorization": f"Bearer {token}", "X-Content-SHA256": digest,
            "Content-Type": "application/octet-stream"})
    except requests.RequestException:
        service.record_event(**event, outcome="failed", reason="unreachable")
        raise DeliveryFailed(text("lu.enclave_unreachable", url=service.settings.enclave_url)) from None
    if answer.status_code != 201:
        try:
            reason = str(answer.json().get("error", ""))
        except ValueError:
            reason = ""
        service.record_event(**event, outcome="denied", status=answer.status_code)
        raise Conflict(text("lu.enclave_refused", status=answer.status_code, message=reason or "-"))
    service.record_event(**event, status=answer.status_code)
    return LinkageDelivery(project_id=project_id, run_id=run.id, map_rows=int(answer.json().get("row_count", 0)),
                           map_sha256=digest, quality=json.loads(run.quality))
