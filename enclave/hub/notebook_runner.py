"""Execute one notebook and write the executed notebook to standard output (run as a workspace account).

``python -m enclave.hub.notebook_runner NOTEBOOK TIMEOUT [TRANSPORT]`` is what
:func:`enclave.hub.headless.run_workspace_notebook` starts, under the
workspace's account, in the workspace folder and with a kernel's
environment. It needs nothing of the enclave: no settings, no database, no
key. The executed notebook goes to standard output as JSON, so the caller
never opens a path inside a folder the researcher controls.

Exit codes: 0 executed; 3 a cell failed, timed out or the kernel died (the
notebook is still written, with the error in its cell); 2 the notebook could
not be read. Errors' own text stays off standard error: it may quote data.
TRANSPORT is ``tcp`` (the default) or ``ipc``: under a workspace account the
kernel talks to this process over Unix sockets, as a spawned server's do, so
egress rules that refuse the account's TCP connections do not cut it off.
"""

from __future__ import annotations

import sys

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

__all__ = ["CELL_FAILED", "UNREADABLE", "main"]

UNREADABLE = 2
CELL_FAILED = 3


def main(argv: list[str] | None = None) -> int:
    """Run the notebook named in ``argv`` (path, timeout in seconds, transport); return the exit code."""
    args = argv if argv is not None else sys.argv[1:]
    path, timeout = args[:2]
    transport = args[2] if len(args) > 2 else "tcp"
    try:
        document = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    except (OSError, ValueError):
        print("the notebook could not be read", file=sys.stderr)
        return UNREADABLE
    client = NotebookClient(document, timeout=int(timeout), kernel_name="python3",
                            km=KernelManager(kernel_name="python3", transport=transport),
                            resources={"metadata": {"path": "."}})
    code = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError):
        code = CELL_FAILED
    sys.stdout.write(nbformat.writes(document))  # type: ignore[no-untyped-call]
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
