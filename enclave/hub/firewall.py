"""Egress rules: workspace accounts may open connections to the hub and the enclave's API, and nowhere else.

Workspace accounts (:mod:`enclave.hub.accounts`) are numeric ids in a known
range, so one nftables table can filter what their processes send, whatever
the kernel runs: a connection from such an account is accepted only to the
hub's API (the notebook server's OAuth and activity reports) and to the
enclave's API (``ENCLAVE_PUBLIC_URL``, where ``export_review`` submits);
anything else — the database, other local services, other researchers'
notebook servers, DNS, the internet — is refused. Replies on connections
made *to* an account's process pass only towards loopback (the proxy
reaching a notebook server), so a listener an account opens on an outside
address answers nobody; kernels talk to their server over Unix sockets (the
spawner sets ``KernelManager.transport=ipc``), which the rules do not touch,
and other services' Unix sockets are hidden by :mod:`enclave.hub.sandbox`.

The table is ``inet enclave_room_<hub port>``: the hub process installs it
before the first workspace starts (replacing a table left by a hub that was
killed) and removes it when it exits. ``ENCLAVE_HUB_EGRESS`` chooses:
``nftables`` (refuse to start a workspace without the rules), ``none``, or
``auto`` (the rules when workspace accounts are used and ``nft`` works).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from enclave.errors import ConfigurationError
from enclave.hub.messages import text

__all__ = [
    "ACCOUNT_SPAN",
    "EgressPolicy",
    "EgressUnavailable",
    "destinations_of",
    "install_egress_rules",
    "nft_command",
    "remove_egress_rules",
]

#: How many ids above ``ENCLAVE_HUB_UID_BASE`` the rules treat as workspace accounts.
ACCOUNT_SPAN = 10_000_000


class EgressUnavailable(ConfigurationError):
    """The egress rules cannot be installed (no ``nft``, or no right to change the firewall)."""


@dataclass(frozen=True)
class EgressPolicy:
    """Where workspace accounts may connect.

    Attributes:
        table: The nftables table (family ``inet``) that holds the rules.
        first_uid: First id of the workspace accounts.
        last_uid: Last id of the workspace accounts.
        destinations: ``(address, port)`` pairs they may open TCP connections to.
    """

    table: str
    first_uid: int
    last_uid: int
    destinations: tuple[tuple[str, int], ...]

    def ruleset(self) -> str:
        """Return the nftables script that replaces the table in one transaction."""
        allowed, squatted = [], []
        for address, port in self.destinations:
            family = "ip6" if ipaddress.ip_address(address).version == 6 else "ip"
            allowed.append(f"        {family} daddr {address} tcp dport {port} accept")
            squatted.append(f"        ct direction reply {family} saddr {address} tcp sport {port} reject")
        return "\n".join([
            # Declaring the table first makes the delete succeed whether or not it existed.
            f"table inet {self.table} {{}}",
            f"delete table inet {self.table}",
            f"table inet {self.table} {{",
            "    chain output {",
            "        type filter hook output priority filter; policy accept;",
            f"        meta skuid != {self.first_uid}-{self.last_uid} accept",
            # An account answering from an allowed destination's port has taken it while its real
            # service was down: its replies are refused, so no other account talks to an impostor.
            *squatted,
            # Replies on connections made *to* an account (the proxy to a notebook server) pass only
            # towards this machine: a server an account opens on another address answers nobody outside.
            "        ct direction reply ip daddr 127.0.0.0/8 accept",
            "        ct direction reply ip6 daddr ::1 accept",
            *allowed,
            "        reject",
            "    }",
            "}",
            "",
        ])


def destinations_of(urls: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Return every ``(address, port)`` the URLs' hosts resolve to, sorted and without repeats.

    Raises:
        EgressUnavailable: A host name does not resolve.
    """
    found: set[tuple[str, int]] = set()
    for url in urls:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname or "127.0.0.1"
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError:
            raise EgressUnavailable(text("hub.egress_unresolved", host=host)) from None
        found.update((str(info[4][0]), port) for info in infos)
    return tuple(sorted(found))


def nft_command() -> str | None:
    """Return the ``nft`` executable: on ``PATH``, or in the sbin folders a non-login PATH may lack."""
    found = shutil.which("nft")
    if found is None:
        found = next((p for p in ("/usr/sbin/nft", "/sbin/nft") if os.access(p, os.X_OK)), None)
    return found


def _nft(script: str | None, *args: str) -> None:
    nft = nft_command()
    if nft is None:
        raise EgressUnavailable(text("hub.egress_no_nft"))
    done = subprocess.run([nft, *args], input=script, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise EgressUnavailable(text("hub.egress_refused", reason=lines[0] if lines else "?"))


def install_egress_rules(policy: EgressPolicy) -> None:
    """Install (or replace) the policy's table.

    Raises:
        EgressUnavailable: ``nft`` is missing or refused the rules.
    """
    _nft(policy.ruleset(), "-f", "-")


def remove_egress_rules(table: str) -> None:
    """Remove the table if it is there (at hub exit); never raises."""
    with contextlib.suppress(EgressUnavailable, OSError, subprocess.SubprocessError):
        _nft(f"table inet {table} {{}}\ndelete table inet {table}\n", "-f", "-")
