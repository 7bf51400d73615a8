"""The workspace sandbox: private /run and temporary folders, what the workspace needs kept, no new privileges."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from enclave.hub.accounts import WorkspaceAccount, enter_account
from enclave.hub.sandbox import code_paths, visible_sockets
from tests.conftest import needs_accounts

ACCOUNT = WorkspaceAccount(uid=209_980, gid=209_980)

_LOOK = """
import json, os
from enclave.hub.sandbox import visible_sockets
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
print(json.dumps({"sockets": visible_sockets(), "run": sorted(os.listdir("/run")),
                  "no_new_privs": status["NoNewPrivs"].strip(), "uid": os.getuid()}))
"""


@needs_accounts
def test_a_sandboxed_account_sees_no_other_services_socket_and_gains_no_privilege() -> None:
    kept = "/run/enclave-room/sandbox-test"
    os.makedirs(kept, mode=0o711, exist_ok=True)
    try:
        done = subprocess.run([sys.executable, "-c", _LOOK], preexec_fn=lambda: enter_account(  # noqa: PLW1509
            ACCOUNT, keep=(*code_paths(), kept)), capture_output=True, text=True, timeout=60, check=True, cwd="/")
    finally:
        os.rmdir(kept)
    inside = json.loads(done.stdout)
    assert inside["sockets"] == [] and inside["no_new_privs"] == "1" and inside["uid"] == ACCOUNT.uid
    assert inside["run"] == ["enclave-room"]  # only the kept folder, bound back at its place
    # The host's own view is untouched: the namespace was the child's alone.
    host = visible_sockets()
    assert all(os.path.exists(path) for path in host)
    if host:
        plain = subprocess.run([sys.executable, "-c", _LOOK], user=ACCOUNT.uid, group=ACCOUNT.gid, extra_groups=[],
                               capture_output=True, text=True, timeout=60, check=True, cwd="/")
        # Without the sandbox the same account would see them: the test can tell the difference.
        assert json.loads(plain.stdout)["sockets"] == host


_SHARE = """
import os, sys
path = sys.argv[1]
if sys.argv[2] == "write":
    with open(path, "w") as f:
        f.write("from another workspace")
    os.chmod(path, 0o644)
    print("written")
else:
    print(open(path).read() if os.path.exists(path) else "absent")
"""


@needs_accounts
def test_two_sandboxed_accounts_share_no_temporary_folder() -> None:
    other = WorkspaceAccount(uid=ACCOUNT.uid + 1, gid=ACCOUNT.gid + 1)
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        path = f"{folder}/enclave-sandbox-test-{os.getpid()}"

        def run(account: WorkspaceAccount, mode: str, path: str = path) -> str:
            done = subprocess.run([sys.executable, "-c", _SHARE, path, mode], capture_output=True, text=True,
                                  preexec_fn=lambda: enter_account(account, keep=code_paths()),  # noqa: PLW1509
                                  timeout=60, check=True, cwd="/")
            return done.stdout.strip()

        assert run(ACCOUNT, "write") == "written"
        assert run(other, "read") == "absent", folder
        assert not os.path.exists(path)  # nor did it reach the host's folder


_PROCESSES = """
import json, os
seen = {}
for pid in (p for p in os.listdir("/proc") if p.isdigit()):
    try:
        seen[pid] = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
    except OSError:
        pass
print(json.dumps({"seen": seen, "self": str(os.getpid())}))
"""


@needs_accounts
def test_a_sandboxed_account_sees_only_its_own_processes() -> None:
    # A process of root's whose command line carries a marker an account must not read.
    marker = f"enclave-hidepid-marker-{os.getpid()}"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        done = subprocess.run([sys.executable, "-c", _PROCESSES], capture_output=True, text=True, timeout=60,
                              preexec_fn=lambda: enter_account(ACCOUNT, keep=code_paths()),  # noqa: PLW1509
                              check=True, cwd="/")
        plain = subprocess.run([sys.executable, "-c", _PROCESSES], capture_output=True, text=True, timeout=60,
                               user=ACCOUNT.uid, group=ACCOUNT.gid, extra_groups=[], check=True, cwd="/")
    finally:
        other.kill()
        other.wait()
    inside = json.loads(done.stdout)
    assert list(inside["seen"]) == [inside["self"]]
    assert not any(marker in line for line in inside["seen"].values())
    # Without the sandbox the same account reads every command line: the test can tell the difference.
    assert any(marker in line for line in json.loads(plain.stdout)["seen"].values())
