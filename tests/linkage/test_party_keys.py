"""Party key pairs and linkage secrets on disk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from linkage import (
    KeyFileError,
    fingerprint,
    generate_linkage_secret,
    generate_party_keys,
    load_linkage_secret,
    load_party_keys,
    load_sealing_public_key,
    load_signing_public_key,
    save_linkage_secret,
    save_party_keys,
)


def test_private_key_files_are_written_with_mode_0600(tmp_path: Path) -> None:
    paths = save_party_keys(generate_party_keys("welfare"), tmp_path)
    assert stat.S_IMODE(paths["sealing_key"].stat().st_mode) == 0o600
    assert stat.S_IMODE(paths["signing_key"].stat().st_mode) == 0o600
    assert stat.S_IMODE(paths["sealing_pub"].stat().st_mode) == 0o644


def test_keys_round_trip_with_and_without_passphrase(tmp_path: Path) -> None:
    keys = generate_party_keys("health")
    save_party_keys(keys, tmp_path / "plain")
    save_party_keys(keys, tmp_path / "locked", passphrase=b"correct horse")
    for folder, passphrase in ((tmp_path / "plain", None), (tmp_path / "locked", b"correct horse")):
        loaded = load_party_keys(folder, "health", passphrase=passphrase)
        assert loaded.sealing_fingerprint == keys.sealing_fingerprint
        assert loaded.signing_fingerprint == keys.signing_fingerprint
    pub = load_sealing_public_key(tmp_path / "plain" / "health.sealing.pub.pem")
    assert fingerprint(pub) == keys.sealing_fingerprint
    with pytest.raises(KeyFileError):
        load_party_keys(tmp_path / "locked", "health", passphrase=b"wrong")


def test_wrong_key_type_and_missing_file_get_clear_errors(tmp_path: Path) -> None:
    save_party_keys(generate_party_keys("a"), tmp_path)
    with pytest.raises(KeyFileError, match="not a Ed25519 public key"):
        load_signing_public_key(tmp_path / "a.sealing.pub.pem")
    with pytest.raises(KeyFileError, match="linkage keygen"):
        load_party_keys(tmp_path, "nobody")


def test_existing_keys_are_not_overwritten(tmp_path: Path) -> None:
    save_party_keys(generate_party_keys("a"), tmp_path)
    with pytest.raises(KeyFileError, match="exists already"):
        save_party_keys(generate_party_keys("a"), tmp_path)


def test_linkage_secret_round_trips_and_repr_hides_private_keys(tmp_path: Path) -> None:
    secret = generate_linkage_secret()
    path = save_linkage_secret(secret, tmp_path / "p.secret")
    assert load_linkage_secret(path) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (tmp_path / "bad.secret").write_text("zz")
    with pytest.raises(KeyFileError, match="64 hexadecimal"):
        load_linkage_secret(tmp_path / "bad.secret")
    assert "PRIVATE" not in repr(generate_party_keys("x"))
