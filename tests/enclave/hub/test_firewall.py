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

# Above the default hubs' account span (200,000 plus ACCOUNT_SPAN): egress rules of a hub running on the
# same machine would otherwise refuse these accounts too, and a refusal could not be told from ours.
ACCOUNT = 10_209_990
needs_nft = pytest.mark.skipif(nft_command() is None,
                               reason="nftables is not installed (scripts/install.sh installs it)")


def test_ruleset_accepts_only_the_destinations_for_the_account_range() -> None:
    policy = EgressPolicy(table="enclave_room_test", first_uid=200000, last_uid=209999,
                          destinations=(("127.0.0.1", 8001), ("::1", 5050)))
    rules = policy.ruleset()
    assert "meta skuid != 200000-209999 accept" in rules
    assert "ip daddr 127.0.0.1 tcp dport 8001 accept" in rules and "ip6 daddr ::1 tcp dport 5050 accept" in rules
    assert "ct direction reply ip saddr 127.0.0.1 tcp sport 8001 reject" in rules  # no impostor on a kept port
    assert rules.index("tcp sport 8001 reject") < rules.index("ct direction reply ip daddr 127.0.0.0/8 accept")
    assert rules.rstrip().splitlines()[-3].strip() == "reject"  # everything else, last
    assert "established" not in rules  # an account's listener must not answer the outside world
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
        assert listing.count("reject") == 2  # the impostor rule for the one destination, and the last
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


def _outside_address() -> str | None:
    """A local address that is not loopback (to play a client from outside), if the machine has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


@needs_accounts
@needs_nft
def test_an_account_listener_answers_loopback_but_not_an_outside_address() -> None:
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no address besides loopback")
    policy = EgressPolicy(table="enclave_room_unit_listen", first_uid=ACCOUNT, last_uid=ACCOUNT, destinations=())
    listener = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys\n"
         "s = socket.create_server(('0.0.0.0', 0)); print(s.getsockname()[1], flush=True)\n"
         "while True:\n    c, _ = s.accept(); c.sendall(b'x'); c.close()\n"],
        stdout=subprocess.PIPE, text=True, user=ACCOUNT, group=ACCOUNT, extra_groups=[], cwd="/")
    try:
        assert listener.stdout is not None
        port = int(listener.stdout.readline())
        install_egress_rules(policy)

        def answer(address: str) -> str:
            try:
                with socket.create_connection((address, port), timeout=3) as conn:
                    return conn.recv(1).decode()
            except OSError as error:
                return type(error).__name__

        assert answer("127.0.0.1") == "x"
        assert answer(outside) != "x"
    finally:
        remove_egress_rules(policy.table)
        listener.kill()
        listener.wait(timeout=10)


@needs_accounts
@needs_nft
def test_an_account_squatting_an_allowed_port_is_answered_by_nobody() -> None:
    squatter, victim = ACCOUNT, ACCOUNT + 2
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    policy = EgressPolicy(table="enclave_room_unit_squat", first_uid=squatter, last_uid=victim,
                          destinations=(("127.0.0.1", port),))
    impostor = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys\n"
         f"s = socket.create_server(('127.0.0.1', {port})); print('ready', flush=True)\n"
         "while True:\n    c, _ = s.accept(); c.sendall(b'x'); c.close()\n"],
        stdout=subprocess.PIPE, text=True, user=squatter, group=squatter, extra_groups=[], cwd="/")
    try:
        assert impostor.stdout is not None and impostor.stdout.readline().strip() == "ready"
        # Before the rules the impostor is reachable, so what follows shows the rules closing it.
        assert _reach_as(victim, (port,)) == ["open"]
        assert _reach_as(None, (port,)) == ["open"]
        install_egress_rules(policy)
        assert _reach_as(victim, (port,)) != ["open"]
        assert _reach_as(None, (port,)) != ["open"]  # the impostor answers nobody at all
    finally:
        remove_egress_rules(policy.table)
        impostor.kill()
        impostor.wait(timeout=10)
