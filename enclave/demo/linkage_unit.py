"""The separated demo's linkage unit: another organisation's service, set up and run by its own commands.

With ``enclave demo --separate`` the linkage unit is not part of the
enclave's process. It has a folder and database of its own and runs as
``enclave linkage-unit serve`` on its own port, with only ``LINKAGE_UNIT_*``
settings. Trust between the two is set up the way docs/deployment.md orders
it, and only through commands: the enclave's sealing public key is handed
over (``trust-enclave``), the enclave makes a ``linkage_unit`` account whose
token is written to the linkage unit's token file, the enclave imports the
linkage unit's published keys (``linkage-unit-keys import --url``), the
linkage unit trusts each agency's signing key and issues tokens to the
agencies and to its own operator. Its operator starts linking over its API
and, after the enclave destroyed a project, deletes its own part of it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from enclave.demo.processes import Commands, DemoStepFailed, serve

__all__ = ["LU_OPERATOR", "LU_SERVICE_ACCOUNT", "SeparateLinkageUnit"]

#: The enclave's account the linkage unit delivers linkage maps with (role ``linkage_unit``).
LU_SERVICE_ACCOUNT = "demo-linkage-unit"
#: The linkage unit's operator, who starts linking (a linkage-unit token, not an enclave account).
LU_OPERATOR = "demo-lu-operator"


def _fingerprint(printed: str) -> str:
    found = [word.strip(".,()") for word in printed.split() if word.startswith("sha256:")]
    if not found:
        raise DemoStepFailed("a key was registered but no fingerprint was printed to compare")
    return found[-1]


@dataclass
class SeparateLinkageUnit:
    """The linkage unit on "its own machine": a folder, a database, a port and its commands.

    Args:
        folder: Its own folder (the data folder is ``folder/data``; logs beside it).
        port: The port it will serve on.
        enclave_url: The enclave's URL, where it delivers linkage maps.
        database_url: Its own database; empty means a SQLite file in its data folder.
    """

    folder: Path
    port: int
    enclave_url: str
    database_url: str = ""
    agency_tokens: dict[str, str] = field(default_factory=dict, repr=False)
    _operator_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.commands = Commands({"LINKAGE_UNIT_MODE": "development", "LINKAGE_UNIT_DATA_DIR": str(self.data_dir),
                                  "LINKAGE_UNIT_DATABASE_URL": self.database_url,
                                  "LINKAGE_UNIT_HOST": "127.0.0.1", "LINKAGE_UNIT_PORT": str(self.port),
                                  "LINKAGE_UNIT_ENCLAVE_URL": self.enclave_url, "ENCLAVE_ACTOR": LU_OPERATOR},
                                 cwd=self.folder)

    @property
    def data_dir(self) -> Path:
        """Its data folder (LINKAGE_UNIT_DATA_DIR)."""
        return self.folder / "data"

    @property
    def url(self) -> str:
        """Where it answers."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def environment(self) -> Mapping[str, str]:
        """Its ``LINKAGE_UNIT_*`` settings, for running its commands by hand after the demo."""
        return dict(self.commands.environment)

    def lu(self, *args: str | os.PathLike[str]) -> str:
        """Run ``enclave linkage-unit …`` on its machine."""
        return self.commands.enclave("linkage-unit", *args)

    def set_up(self, enclave: Commands, handover: Path) -> str:
        """``init``, then trust the enclave's sealing key handed over as a file; returns its fingerprint.

        Raises:
            DemoStepFailed: The fingerprint it registered is not the one the enclave's operator reads out.
        """
        self.lu("init")
        handover.mkdir(parents=True, exist_ok=True)
        pem = handover / "enclave.sealing.pub.pem"
        pem.write_text(enclave.enclave("keys", "public", "--kind", "sealing"))
        registered = _fingerprint(self.lu("trust-enclave", "--sealing-key", pem))
        read_out = enclave.enclave("keys", "public", "--kind", "sealing", "--fingerprint").strip()
        if registered not in read_out:
            raise DemoStepFailed("the enclave's sealing key the linkage unit trusts is not the enclave's own")
        return registered

    def trust_agencies(self, signing_keys: Mapping[str, Path]) -> None:
        """Trust each agency's signing key and issue the agency an upload token here."""
        for code, public_key in signing_keys.items():
            self.lu("trust-agency", code, "--signing-key", public_key)
            self.agency_tokens[code] = self.lu("tokens", "add", "--agency", code, "--label",
                                               "demo").strip().splitlines()[-1]
        self._operator_token = self.lu("tokens", "add", "--operator", LU_OPERATOR, "--label",
                                       "demo").strip().splitlines()[-1]

    def accept_enclave_account(self, enclave: Commands) -> None:
        """The enclave's admin makes the linkage unit's account; its token goes to the token file (0600)."""
        enclave.enclave("users", "add", LU_SERVICE_ACCOUNT, "--role", "linkage_unit", "--name",
                        "Demo linkage unit (결합키관리기관)", "--password", secrets.token_urlsafe(16))
        token = enclave.enclave("users", "token", LU_SERVICE_ACCOUNT, "--label", "demo-linkage-unit",
                                "--days", "1").strip().splitlines()[-1]
        token_file = self.data_dir / "enclave.token"
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(token + "\n")

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Run ``enclave linkage-unit serve``; yield its URL."""
        with serve(self.commands, ["linkage-unit", "serve"], self.folder / "serve.log", port=self.port) as url:
            yield url

    def link(self, project_id: int) -> dict[str, Any]:
        """Its operator starts linking over its API; it seals the map and delivers it to the enclave.

        Raises:
            DemoStepFailed: It refused, or the enclave did not receive the map.
        """
        answer = requests.post(f"{self.url}/api/v1/projects/{project_id}/link", timeout=900,
                               headers={"Authorization": f"Bearer {self._operator_token}"})
        if answer.status_code != 201:
            try:
                reason = answer.json().get("error", answer.reason)
            except ValueError:
                reason = answer.reason
            raise DemoStepFailed(f"{LU_OPERATOR}: POST /projects/{project_id}/link at the linkage unit answered "
                                 f"{answer.status_code}: {reason}")
        linked = dict(answer.json())
        if linked.get("delivered") is not True:
            raise DemoStepFailed(f"the linkage unit linked project {project_id} but the enclave did not receive "
                                 f"the map")
        return linked

    def destroy(self, project_ids: Iterable[int]) -> list[str]:
        """Delete what it holds of projects the enclave destroyed; returns what each command printed."""
        return [self.lu("destroy", str(project_id), "--yes").strip() for project_id in project_ids]

    def audit_verify(self) -> str:
        """Check its own audit log; returns what the command printed."""
        return self.lu("audit-verify").strip()
