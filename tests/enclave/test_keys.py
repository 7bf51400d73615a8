"""Envelope encryption: rotation, shredding, wrong key files, file permissions."""

from __future__ import annotations

import stat

import pytest

from enclave.bootstrap import rotate_keys
from enclave.errors import ConfigurationError, KeyShredded, WrongKeyFile
from enclave.keys import create_key_file, dataset_key_id, load_key_file, project_key_id
from enclave.service import EnclaveService, open_enclave


def test_key_file_is_created_private(svc: EnclaveService) -> None:
    mode = stat.S_IMODE(svc.settings.key_file.stat().st_mode)
    assert mode == 0o600


def test_key_file_repr_shows_no_key_material(svc: EnclaveService) -> None:
    shown = repr(svc.keys)
    assert svc.keys.kek.hex() not in shown
    assert "kek_id" in shown


def test_rotation_rewraps_every_key_and_data_stays_readable(svc: EnclaveService) -> None:
    with svc.session() as session:
        for key_id in (dataset_key_id(1), project_key_id(1)):
            svc.keyring.create(session, key_id)
            svc.put_object(session, f"probe/{key_id}", b"payload " + key_id.encode(), key_id)
    old_kek = svc.keys.kek_id
    blob_before = svc.store.path_of(f"probe/{dataset_key_id(1)}").read_bytes()

    count, new_kek = rotate_keys(svc, "tester")

    assert count == 2 and new_kek != old_kek
    # Data was not re-encrypted: the stored object is byte-for-byte the same.
    assert svc.store.path_of(f"probe/{dataset_key_id(1)}").read_bytes() == blob_before
    reopened = open_enclave(svc.settings)
    try:
        assert reopened.keys.retired_keks == {}
        with reopened.session() as session:
            assert reopened.get_object(session, f"probe/{project_key_id(1)}", project_key_id(1)) == (
                b"payload " + project_key_id(1).encode()
            )
            assert reopened.audit.verify(session) >= 2
    finally:
        reopened.close()


def test_shredded_key_makes_its_objects_unreadable_for_good(svc: EnclaveService) -> None:
    key_id = project_key_id(9)
    with svc.session() as session:
        svc.keyring.create(session, key_id)
        svc.put_object(session, "p9/data", b"secret content", key_id)
        assert svc.keyring.shred(session, key_id) is True
    with svc.session() as session, pytest.raises(KeyShredded):
        svc.get_object(session, "p9/data", key_id)
    # Even a later rotation cannot bring it back, and the id is never reused.
    rotate_keys(svc, "tester")
    from enclave.errors import Conflict

    with svc.session() as session:
        with pytest.raises(KeyShredded):
            svc.keyring.unwrap(session, key_id)
        with pytest.raises(Conflict):
            svc.keyring.create(session, key_id)


def test_wrong_key_file_gives_clear_error_and_changes_nothing(svc: EnclaveService, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with svc.session() as session:
        svc.keyring.create(session, dataset_key_id(3))
        svc.put_object(session, "d3/x", b"abc", dataset_key_id(3))
    other = tmp_path / "other.keys"
    create_key_file(other)
    wrong = open_enclave(svc.settings.replace(key_file=other))
    try:
        with wrong.session() as session, pytest.raises(WrongKeyFile, match="wrong key file"):
            wrong.get_object(session, "d3/x", dataset_key_id(3))
    finally:
        wrong.close()
    with svc.session() as session:
        assert svc.get_object(session, "d3/x", dataset_key_id(3)) == b"abc"


def test_garbled_key_file_is_refused_without_echoing_content(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.keys"
    path.write_text('{"format": "enclave-keys/1", "kek": {"id": "k", "key": "c2VjcmV0LXZhbHVl"}}')
    with pytest.raises(ConfigurationError) as caught:
        load_key_file(path)
    assert "c2VjcmV0LXZhbHVl" not in str(caught.value)
    assert str(path) in str(caught.value)
