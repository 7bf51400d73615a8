"""The workspace sandbox: other services' sockets hidden, the room's own kept, no new privileges."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from enclave.hub.accounts import WorkspaceAccount, enter_account
from enclave.hub.sandbox import KEPT_RUN_FOLDER, visible_sockets
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
    os.makedirs(f"/run/{KEPT_RUN_FOLDER}", mode=0o711, exist_ok=True)
    done = subprocess.run([sys.executable, "-c", _LOOK], preexec_fn=lambda: enter_account(ACCOUNT),  # noqa: PLW1509
                          capture_output=True, text=True, timeout=60, check=True, cwd="/")
    inside = json.loads(done.stdout)
    assert inside["sockets"] == [] and inside["no_new_privs"] == "1" and inside["uid"] == ACCOUNT.uid
    assert KEPT_RUN_FOLDER in inside["run"]
    # The host's own view is untouched: the namespace was the child's alone.
    host = visible_sockets()
    assert all(os.path.exists(path) for path in host)
    if not host:
        return
    plain = subprocess.run([sys.executable, "-c", _LOOK], user=ACCOUNT.uid, group=ACCOUNT.gid, extra_groups=[],
                           capture_output=True, text=True, timeout=60, check=True, cwd="/")
    # Without the sandbox the same account would see them: the test can tell the difference.
    assert json.loads(plain.stdout)["sockets"] == host
