"""SQLite writers queue on the WriteLock: across threads, across processes, never on themselves."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from enclave.db.write_lock import WriteLock


def test_a_second_thread_waits_until_the_first_lets_go(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "enclave.db", timeout=30)
    order: list[str] = []
    assert lock.acquire()
    waiter = threading.Thread(target=lambda: (lock.acquire(), order.append("second"), lock.release()))
    waiter.start()
    waiter.join(timeout=0.3)
    order.append("first done")
    lock.release()
    waiter.join()
    assert order == ["first done", "second"]


def test_the_same_thread_asking_again_is_not_made_to_wait_for_itself(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path / "enclave.db", timeout=30)
    assert lock.acquire()
    assert lock.acquire() is False
    lock.release()
    assert lock.acquire()
    lock.release()


def test_another_process_holding_the_file_lock_makes_this_one_wait(tmp_path: Path) -> None:
    database = tmp_path / "enclave.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.readline()",
         str(database.with_name("enclave.db-writer"))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        short = WriteLock(database, timeout=0.2)
        assert short.acquire() is False  # gave up: the transaction then meets SQLite's busy timeout
        patient = WriteLock(database, timeout=30)
        got: list[bool] = []
        waiter = threading.Thread(target=lambda: got.append(patient.acquire()))
        waiter.start()
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        waiter.join()
        assert got == [True]
        patient.release()
    finally:
        holder.kill()
        holder.wait()
