"""Encrypted objects: integrity against swaps, edits and truncation; atomic writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from enclave.errors import InputError, ObjectIntegrityError, ObjectMissing
from enclave.store import EncryptedObjectStore, atomic_write

KEY = b"k" * 32


@pytest.fixture
def store(tmp_path: Path) -> EncryptedObjectStore:
    return EncryptedObjectStore(tmp_path / "objects")


def test_round_trip_and_ciphertext_hides_content(store: EncryptedObjectStore) -> None:
    store.put("a/one", "홍길동 content".encode(), KEY, "k1")
    assert store.get("a/one", KEY, "k1") == "홍길동 content".encode()
    assert "홍길동".encode() not in store.path_of("a/one").read_bytes()


def test_swapped_file_fails_integrity_check(store: EncryptedObjectStore) -> None:
    store.put("a/one", b"first", KEY, "k1")
    store.put("a/two", b"second", KEY, "k1")
    store.path_of("a/one").write_bytes(store.path_of("a/two").read_bytes())
    with pytest.raises(ObjectIntegrityError, match="altered, truncated or swapped"):
        store.get("a/one", KEY, "k1")


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_damaged_file_fails_integrity_check(store: EncryptedObjectStore, damage: str) -> None:
    store.put("obj", b"x" * 100, KEY, "k1")
    path = store.path_of("obj")
    blob = bytearray(path.read_bytes())
    if damage == "flip":
        blob[-5] ^= 1
    elif damage == "truncate":
        blob = blob[:-10]
    else:
        blob = bytearray()
    path.write_bytes(bytes(blob))
    with pytest.raises(ObjectIntegrityError):
        store.get("obj", KEY, "k1")


def test_object_under_another_key_id_does_not_decrypt(store: EncryptedObjectStore) -> None:
    store.put("obj", b"data", KEY, "k1")
    with pytest.raises(ObjectIntegrityError):
        store.get("obj", KEY, "k2")


@pytest.mark.parametrize("bad_id", ["../escape", "a/../../b", "", "a//b", "/abs", "a/.hidden"])
def test_ids_that_could_escape_the_store_are_refused(store: EncryptedObjectStore, bad_id: str) -> None:
    with pytest.raises(InputError):
        store.put(bad_id, b"x", KEY, "k1")


def test_missing_object_says_so(store: EncryptedObjectStore) -> None:
    with pytest.raises(ObjectMissing):
        store.get("nothing", KEY, "k1")


_WRITER = """
import sys
from pathlib import Path
from enclave.store import atomic_writer
with atomic_writer(Path(sys.argv[1])) as fh:
    fh.write(b"N" * 1024)
    fh.flush()
    print("writing", flush=True)
    import time
    while True:
        fh.write(b"N" * 1024 * 1024)
        time.sleep(0.01)
"""


def test_write_killed_half_way_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "object.bin"
    atomic_write(target, b"OLD" * 1000)
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == b"writing"
    time.sleep(0.1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert target.read_bytes() == b"OLD" * 1000


def test_failed_write_removes_its_temporary_file(tmp_path: Path) -> None:
    from enclave.store import atomic_writer

    target = tmp_path / "x.bin"
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write(b"partial")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
