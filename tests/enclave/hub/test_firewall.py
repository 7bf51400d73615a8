"""Egress rules for workspace accounts: rendered, installed with nft for real, enforced, and removed."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from enclave.hub.firewall import (
    EgressPolicy,
    EgressUnavailable,
    destinations_of,
    install_egress_rules,
    nft_command,
    remove_egress_rules,
)
from tests.conftest import needs_accounts

ACCOUNT = 209_990
needs_nft = pytest.mark.skipif(nft_command() is None,
                               reason="nftables is not installed (scripts/install.sh installs it)")


def test_ruleset_accepts_only_the_destinations_for_the_account_range() -> None:
    policy = EgressPolicy(table="enclave_room_test", first_uid=200000, last_uid=209999,
                          destinations=(("127.0.0.1", 8001), ("::1", 5050)))
    rules = policy.ruleset()
    assert "meta skuid != 200000-209999 accept" in rules
    assert "ip daddr 127.0.0.1 tcp dport 8001 accept" in rules and "ip6 daddr ::1 tcp dport 5050 accept" in rules
    assert rules.index("ct state established,related accept") < rules.index("reject")
    # Replacing is one transaction: declare (so a missing table is no error), delete, define.
    assert rules.startswith("table inet enclave_room_test {}\ndelete table inet enclave_room_test\n")


def test_destinations_are_resolved_to_addresses_with_their_ports() -> None:
    found = destinations_of(["http://127.0.0.1:8001/hub/api", "http://localhost:5050"])
    assert ("127.0.0.1", 8001) in found and ("127.0.0.1", 5050) in found
    assert destinations_of(["https://127.0.0.1/"]) == (("127.0.0.1", 443),)
    with pytest.raises(EgressUnavailable, match="does not resolve"):
        destinations_of(["http://no-such-host.invalid:1"])


@pytest.fixture
def listeners() -> Iterator[tuple[int, int]]:
    """Two local TCP servers that accept and close: one allowed by the rules, one not."""
    servers = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    stop = threading.Event()

    def serve(server: socket.socket) -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield servers[0].getsockname()[1], servers[1].getsockname()[1]
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    for server in servers:
        server.close()


def _reach_as(uid: int | None, ports: tuple[int, ...]) -> list[str]:
    code = ("import socket, sys\n"
            "for port in map(int, sys.argv[1:]):\n"
            "    try:\n"
            "        socket.create_connection(('127.0.0.1', port), timeout=5).close(); print('open')\n"
            "    except OSError as error:\n"
            "        print(type(error).__name__)\n")
    as_account = {} if uid is None else {"user": uid, "group": uid, "extra_groups": []}
    done = subprocess.run([sys.executable, "-c", code, *map(str, ports)], capture_output=True, text=True,
                          timeout=60, check=True, cwd="/", **as_account)  # type: ignore[call-overload]
    return list(done.stdout.split())


@needs_accounts
@needs_nft
def test_installed_rules_refuse_an_account_everything_but_the_destinations(listeners: tuple[int, int]) -> None:
    allowed, other = listeners
    policy = EgressPolicy(table="enclave_room_unit_test", first_uid=ACCOUNT, last_uid=ACCOUNT,
                          destinations=(("127.0.0.1", allowed),))
    install_egress_rules(policy)
    try:
        install_egress_rules(policy)  # installing again replaces, never duplicates
        assert _reach_as(ACCOUNT, (allowed, other)) == ["open", "ConnectionRefusedError"]
        # Other accounts, root included, are not affected.
        assert _reach_as(ACCOUNT + 1, (allowed, other)) == ["open", "open"]
        assert _reach_as(None, (allowed, other)) == ["open", "open"]
        listing = subprocess.run([nft_command(), "list", "table", "inet", policy.table],  # type: ignore[list-item]
                                 capture_output=True, text=True, check=True).stdout
        assert listing.count("reject") == 1
    finally:
        remove_egress_rules(policy.table)
    assert _reach_as(ACCOUNT, (allowed, other)) == ["open", "open"]
    remove_egress_rules(policy.table)  # removing what is gone is no error


def test_egress_setting_is_checked() -> None:
    from enclave.errors import ConfigurationError
    from enclave.settings import load_settings

    with pytest.raises(ConfigurationError, match="ENCLAVE_HUB_EGRESS"):
        load_settings(environ={"ENCLAVE_HUB_EGRESS": "iptables"})
    assert load_settings(environ={}).hub_egress == "auto"
