"""Sealed packages: round trip, and a distinct, actionable error for each failure."""

from __future__ import annotations

import struct

import pyarrow as pa
import pytest

from linkage import (
    BadSignatureError,
    CorruptedPayloadError,
    PartyKeys,
    ReplayedPackageError,
    TruncatedPackageError,
    UnexpectedPackageError,
    UnknownSignerError,
    WrongRecipientError,
    generate_party_keys,
    open_package,
    read_manifest,
    seal_package,
    table_to_parquet_bytes,
)
from linkage.sealing import _parse

MANIFEST = {"agency": "welfare", "kind": "match_keys", "project_id": "p1", "key_id": "k1"}


@pytest.fixture
def keys() -> dict[str, PartyKeys]:
    return {n: generate_party_keys(n) for n in ("welfare", "linkage-unit", "enclave")}


@pytest.fixture
def sealed(keys: dict[str, PartyKeys]) -> bytes:
    payload = table_to_parquet_bytes(pa.table({"serial": [1, 2, 3]}))
    return seal_package(payload, MANIFEST, keys["linkage-unit"].sealing_public, keys["welfare"].signing)


def test_package_round_trips_and_manifest_is_complete(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    opened = open_package(sealed, keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public})
    assert opened.table().column("serial").to_pylist() == [1, 2, 3]
    m = opened.manifest
    assert (m.kind, m.agency, m.row_count, m.columns) == ("match_keys", "welfare", 3, ("serial",))
    assert m.recipient_fingerprint == keys["linkage-unit"].sealing_fingerprint
    assert m.signer_fingerprint == keys["welfare"].signing_fingerprint
    assert len(m.payload_sha256) == 64 and m.created_at.endswith("+00:00")
    assert read_manifest(sealed) == m


def test_tampered_package_fails_signature(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    tampered = bytearray(sealed)
    tampered[len(sealed) - 100] ^= 1  # inside the ciphertext
    with pytest.raises(BadSignatureError, match="altered after signing"):
        open_package(bytes(tampered), keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public})


def test_package_from_untrusted_agency_is_refused(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    with pytest.raises(UnknownSignerError, match="Register that agency"):
        open_package(sealed, keys["linkage-unit"].sealing, {"health": keys["welfare"].signing_public})


def test_impersonated_agency_fails_signature(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    other = generate_party_keys("welfare")
    with pytest.raises(BadSignatureError):
        open_package(sealed, keys["linkage-unit"].sealing, {"welfare": other.signing_public})


def test_package_for_another_recipient_is_refused(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    with pytest.raises(WrongRecipientError, match="sealed to another recipient"):
        open_package(sealed, keys["enclave"].sealing, {"welfare": keys["welfare"].signing_public})


@pytest.mark.parametrize("cut", [0, 5, 20, 200, -1])
def test_truncated_package_is_refused(keys: dict[str, PartyKeys], sealed: bytes, cut: int) -> None:
    with pytest.raises(TruncatedPackageError, match="send it again"):
        open_package(sealed[:cut], keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public})


def test_second_copy_of_a_package_is_refused(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    trusted = {"welfare": keys["welfare"].signing_public}
    first = open_package(sealed, keys["linkage-unit"].sealing, trusted)
    with pytest.raises(ReplayedPackageError, match="opened before"):
        open_package(sealed, keys["linkage-unit"].sealing, trusted, {first.manifest.package_id})


def test_payload_corrupted_before_signing_is_detected(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    # A sender that signs a broken ciphertext (a bug, or a compromised key) is still caught.
    parsed = _parse(sealed, "x")
    cipher = bytearray(parsed.ciphertext)
    cipher[0] ^= 1
    body = parsed.body[: len(parsed.body) - len(cipher)] + bytes(cipher)
    signature = keys["welfare"].signing.sign(body)
    forged = body + struct.pack(">H", len(signature)) + signature
    with pytest.raises(CorruptedPayloadError, match="decryption failed"):
        open_package(forged, keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public})


def test_expect_refuses_a_package_of_another_kind(keys: dict[str, PartyKeys], sealed: bytes) -> None:
    opened = open_package(sealed, keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public})
    with pytest.raises(UnexpectedPackageError, match="'content'"):
        opened.expect("content", "x.pkg")


def test_error_messages_name_the_file_not_the_content(keys: dict[str, PartyKeys]) -> None:
    payload = table_to_parquet_bytes(pa.table({"name": ["김민준"]}))
    sealed = seal_package(payload, MANIFEST, keys["enclave"].sealing_public, keys["welfare"].signing)
    assert "김민준".encode() not in sealed
    with pytest.raises(WrongRecipientError) as caught:
        open_package(sealed, keys["linkage-unit"].sealing, {"welfare": keys["welfare"].signing_public},
                     source="welfare.pkg")
    assert "welfare.pkg" in str(caught.value) and "김민준" not in str(caught.value)
