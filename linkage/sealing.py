"""Sealed packages: encrypted to one recipient, signed by the sender, with a manifest.

Layout (all integers big-endian)::

    magic    8 bytes   b"LKPKG\\x00\\x01\\n"
    hlen     4 bytes   length of the header
    header   hlen      canonical JSON: format, manifest, ephemeral X25519 public key, salt, nonce
    clen     8 bytes   length of the ciphertext
    cipher   clen      AES-256-GCM(payload), the header as associated data
    slen     2 bytes   length of the signature
    sig      slen      Ed25519 over everything before ``slen``

Sealing: a fresh ephemeral X25519 key agrees a secret with the recipient's
public key; HKDF-SHA256 (random salt, info binding both public keys) turns it
into the AES key. The manifest travels in clear inside the signed header, so
``linkage inspect`` can show it without keys, but it holds only counts, hashes,
versions and names — never values.

Opening checks, in this order, and raises a distinct error for each: the
structure (truncation), the signer (known agency), the signature (tampering),
the recipient (sealed to this key), the package id (replay), then decryption,
hash and row count (corruption).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import secrets
import struct
import uuid
from collections.abc import Container, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from linkage.errors import (
    BadSignatureError,
    CorruptedPayloadError,
    PackageError,
    ReplayedPackageError,
    TruncatedPackageError,
    UnexpectedPackageError,
    UnknownSignerError,
    WrongRecipientError,
)
from linkage.messages import text
from linkage.party_keys import fingerprint

__all__ = [
    "PACKAGE_KINDS",
    "OpenedPackage",
    "PackageManifest",
    "open_package",
    "read_manifest",
    "read_manifest_file",
    "seal_package",
    "table_to_parquet_bytes",
    "verify_signature",
]

MAGIC = b"LKPKG\x00\x01\n"
FORMAT_VERSION = 1
PackageKind = Literal["match_keys", "content", "linkage_map"]
PACKAGE_KINDS: tuple[str, ...] = ("match_keys", "content", "linkage_map")
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class PackageManifest:
    """What a package says about itself; signed, readable without keys, free of values.

    Attributes:
        package_id: Random id, unique per package (replay detection).
        agency: The sending party (agency name, or ``linkage-unit``).
        kind: ``match_keys``, ``content`` or ``linkage_map``.
        project_id: The project.
        key_id: The match-key key id.
        schema_name: Identifier schema (dataset) name.
        schema_version: Identifier schema version.
        schema_hash: sha256 of the identifier schema.
        scheme_name: Match-key scheme name.
        scheme_version: Match-key scheme version.
        scheme_hash: sha256 of the match-key scheme.
        row_count: Rows in the payload.
        columns: Column names of the payload.
        payload_sha256: sha256 of the plaintext payload.
        payload_format: Always ``parquet``.
        created_at: UTC time of sealing, ISO 8601.
        recipient_fingerprint: Fingerprint of the recipient's sealing key.
        signer_fingerprint: Fingerprint of the sender's signing key.
        missing_counts: Blank identifier values by kind.
        invalid_counts: Invalid identifier values by reason.
        precheck: Content packages: the agency's identification-risk pre-check
            (figures of :class:`linkage.precheck.RiskPrecheck`); empty when none
            was run, as in packages sealed before the pre-check existed.
        probabilistic: Match-key packages: the scheme's probabilistic section
            (encodings, blocking rules, thresholds; figures and field names
            only), so the linkage unit can run the probabilistic pass without
            the policy files; empty when the scheme declares none.
    """

    package_id: str
    agency: str
    kind: str
    project_id: str
    key_id: str = ""
    schema_name: str = ""
    schema_version: int = 0
    schema_hash: str = ""
    scheme_name: str = ""
    scheme_version: int = 0
    scheme_hash: str = ""
    row_count: int = 0
    columns: tuple[str, ...] = ()
    payload_sha256: str = ""
    payload_format: str = "parquet"
    created_at: str = ""
    recipient_fingerprint: str = ""
    signer_fingerprint: str = ""
    missing_counts: dict[str, int] = field(default_factory=dict)
    invalid_counts: dict[str, int] = field(default_factory=dict)
    precheck: dict[str, Any] = field(default_factory=dict)
    probabilistic: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest as JSON-able data."""
        data = asdict(self)
        data["columns"] = list(self.columns)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PackageManifest:
        """Build a manifest from :meth:`to_dict` output, ignoring unknown keys.

        Args:
            data: The manifest data.

        Returns:
            The manifest.
        """
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["columns"] = tuple(values.get("columns", ()))
        values["missing_counts"] = dict(values.get("missing_counts", {}))
        values["invalid_counts"] = dict(values.get("invalid_counts", {}))
        values["precheck"] = dict(values.get("precheck") or {})
        values["probabilistic"] = dict(values.get("probabilistic") or {})
        return cls(**values)


@dataclass(frozen=True)
class OpenedPackage:
    """A verified, decrypted package.

    Attributes:
        manifest: The signed manifest.
        payload: The plaintext payload (Parquet bytes).
    """

    manifest: PackageManifest
    payload: bytes = field(repr=False)

    def table(self) -> pa.Table:
        """Return the payload as an Arrow table."""
        return pq.read_table(io.BytesIO(self.payload))

    def expect(self, kind: str, source: str = "given") -> OpenedPackage:
        """Return self if the package is of ``kind``, else raise.

        Args:
            kind: The expected kind.
            source: File name for the message.

        Returns:
            This package.

        Raises:
            UnexpectedPackageError: If the kind differs.
        """
        if self.manifest.kind != kind:
            raise UnexpectedPackageError(
                text("package.unexpected", source=source, expected=kind, actual=self.manifest.kind)
            )
        return self


def table_to_parquet_bytes(table: pa.Table) -> bytes:
    """Serialize an Arrow table to Parquet bytes (zstd-compressed).

    Args:
        table: The table.

    Returns:
        The Parquet file's bytes.
    """
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def _derive_key(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=salt,
        info=b"linkage-package/v1" + ephemeral + recipient,
    )
    return hkdf.derive(shared)


def seal_package(
    payload: bytes,
    manifest: Mapping[str, Any],
    recipient_public: X25519PublicKey,
    signer_private: Ed25519PrivateKey,
) -> bytes:
    """Encrypt ``payload`` to ``recipient_public`` and sign it with ``signer_private``.

    Args:
        payload: Parquet bytes.
        manifest: At least ``agency``, ``kind`` and ``project_id``; other
            :class:`PackageManifest` fields are optional. ``package_id``,
            ``payload_sha256``, ``row_count``, ``columns``, ``created_at`` and the
            fingerprints are filled in here.
        recipient_public: The recipient's X25519 public key.
        signer_private: The sender's Ed25519 private key.

    Returns:
        The sealed package bytes.

    Raises:
        PackageError: If a required manifest field is missing or the payload is not Parquet.
    """
    for required in ("agency", "kind", "project_id"):
        if not manifest.get(required):
            raise PackageError(text("package.bad_manifest", problem=f"'{required}' is empty"))
    if manifest["kind"] not in PACKAGE_KINDS:
        raise PackageError(text("package.bad_manifest", problem="'kind' is not a known kind"))
    try:
        meta = pq.read_metadata(io.BytesIO(payload))
    except (pa.ArrowInvalid, OSError):
        raise PackageError(
            text("package.bad_manifest", problem="the payload is not Parquet")
        ) from None
    fields = dict(manifest)
    fields.setdefault("package_id", uuid.uuid4().hex)
    fields["row_count"] = int(meta.num_rows)
    fields["columns"] = list(meta.schema.names)
    fields["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    fields["created_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fields["recipient_fingerprint"] = fingerprint(recipient_public)
    fields["signer_fingerprint"] = fingerprint(signer_private.public_key())
    checked = PackageManifest.from_dict(fields)

    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = ephemeral.public_key().public_bytes(*_RAW)
    recipient_raw = recipient_public.public_bytes(*_RAW)
    salt = secrets.token_bytes(32)
    nonce = secrets.token_bytes(12)
    key = _derive_key(ephemeral.exchange(recipient_public), salt, ephemeral_raw, recipient_raw)
    header = _canonical(
        {
            "format": FORMAT_VERSION,
            "manifest": checked.to_dict(),
            "ephemeral_public": base64.b64encode(ephemeral_raw).decode("ascii"),
            "salt": base64.b64encode(salt).decode("ascii"),
            "nonce": base64.b64encode(nonce).decode("ascii"),
        }
    )
    ciphertext = AESGCM(key).encrypt(nonce, payload, header)
    body = b"".join(
        [MAGIC, struct.pack(">I", len(header)), header, struct.pack(">Q", len(ciphertext)), ciphertext]
    )
    signature = signer_private.sign(body)
    return body + struct.pack(">H", len(signature)) + signature


@dataclass(frozen=True)
class _Parsed:
    header: dict[str, Any]
    header_bytes: bytes
    ciphertext: bytes = field(repr=False)
    body: bytes = field(repr=False)
    signature: bytes


def _parse(data: bytes, source: str) -> _Parsed:
    def truncated() -> TruncatedPackageError:
        return TruncatedPackageError(text("package.truncated", source=source))

    view = memoryview(data)
    if len(view) < len(MAGIC) + 4 or bytes(view[: len(MAGIC)]) != MAGIC:
        raise truncated()
    pos = len(MAGIC)
    (hlen,) = struct.unpack(">I", view[pos : pos + 4])
    pos += 4
    if len(view) < pos + hlen + 8:
        raise truncated()
    header_bytes = bytes(view[pos : pos + hlen])
    pos += hlen
    (clen,) = struct.unpack(">Q", view[pos : pos + 8])
    pos += 8
    if len(view) < pos + clen + 2:
        raise truncated()
    ciphertext = bytes(view[pos : pos + clen])
    pos += clen
    body_end = pos
    (slen,) = struct.unpack(">H", view[pos : pos + 2])
    pos += 2
    if len(view) != pos + slen or slen != 64:
        raise truncated()
    signature = bytes(view[pos : pos + slen])
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        if not isinstance(header, dict) or not isinstance(header.get("manifest"), dict):
            raise ValueError
    except ValueError:
        raise truncated() from None
    return _Parsed(header, header_bytes, ciphertext, bytes(view[:body_end]), signature)


def read_manifest(data: bytes, source: str = "given") -> PackageManifest:
    """Return a package's manifest WITHOUT verifying anything (for ``linkage inspect``).

    Args:
        data: Package bytes.
        source: File name for messages.

    Returns:
        The manifest as written; trust it only after :func:`open_package`.

    Raises:
        TruncatedPackageError: If the bytes are not a complete package.
    """
    parsed = _parse(data, source)
    try:
        return PackageManifest.from_dict(parsed.header["manifest"])
    except TypeError:
        raise TruncatedPackageError(text("package.truncated", source=source)) from None


def read_manifest_file(path: str | os.PathLike[str]) -> PackageManifest:
    """Return the manifest of a package file, reading only its header, WITHOUT verifying anything.

    The ciphertext is not read, so a package of any size costs a few kilobytes
    of memory; use it to address an upload, never to trust the contents.

    Args:
        path: The package file.

    Returns:
        The manifest as written.

    Raises:
        TruncatedPackageError: If the file does not start with a complete package header.
    """
    source = os.path.basename(os.fspath(path))
    truncated = TruncatedPackageError(text("package.truncated", source=source))
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(MAGIC) + 4)
            if len(start) < len(MAGIC) + 4 or start[: len(MAGIC)] != MAGIC:
                raise truncated
            (hlen,) = struct.unpack(">I", start[len(MAGIC) :])
            # A manifest is a few kilobytes; a huge length means this is not a package.
            if hlen > 1 << 24:
                raise truncated
            header_bytes = handle.read(hlen)
    except OSError:
        raise truncated from None
    try:
        header = json.loads(header_bytes.decode("utf-8"))
        return PackageManifest.from_dict(header["manifest"])
    except (ValueError, KeyError, TypeError):
        raise truncated from None


def verify_signature(
    data: bytes, trusted_signers: Mapping[str, Ed25519PublicKey], source: str = "given"
) -> PackageManifest:
    """Verify a package's signature without decrypting it.

    Args:
        data: Package bytes.
        trusted_signers: Signing public keys by agency name.
        source: File name for messages.

    Returns:
        The verified manifest.

    Raises:
        TruncatedPackageError: Not a complete package.
        UnknownSignerError: The agency is not in ``trusted_signers``.
        BadSignatureError: The signature does not verify.
    """
    parsed = _parse(data, source)
    manifest = read_manifest(data, source)
    signer = trusted_signers.get(manifest.agency)
    if signer is None:
        raise UnknownSignerError(text("package.unknown_signer", source=source, agency=manifest.agency))
    try:
        signer.verify(parsed.signature, parsed.body)
    except InvalidSignature:
        raise BadSignatureError(
            text("package.bad_signature", source=source, agency=manifest.agency)
        ) from None
    return manifest


def open_package(
    data: bytes,
    recipient_private: X25519PrivateKey,
    trusted_signers: Mapping[str, Ed25519PublicKey],
    already_seen: Container[str] = frozenset(),
    source: str = "given",
) -> OpenedPackage:
    """Verify, check and decrypt a sealed package.

    Args:
        data: Package bytes.
        recipient_private: This party's X25519 private key.
        trusted_signers: Signing public keys by agency name.
        already_seen: Package ids opened before (replay protection); the caller
            records the returned ``manifest.package_id`` after use.
        source: File name used in error messages.

    Returns:
        The manifest and plaintext payload.

    Raises:
        TruncatedPackageError: Cut short, or not a package.
        UnknownSignerError: Signed by an agency not in ``trusted_signers``.
        BadSignatureError: Altered after signing.
        WrongRecipientError: Sealed to another key.
        ReplayedPackageError: The package id is in ``already_seen``.
        CorruptedPayloadError: Does not decrypt, or hash / row count differ.
    """
    parsed = _parse(data, source)
    manifest = verify_signature(data, trusted_signers, source)
    own = fingerprint(recipient_private.public_key())
    if manifest.recipient_fingerprint != own:
        raise WrongRecipientError(
            text(
                "package.wrong_recipient",
                source=source,
                expected=manifest.recipient_fingerprint,
                actual=own,
            )
        )
    if manifest.package_id in already_seen:
        raise ReplayedPackageError(
            text("package.replayed", source=source, package_id=manifest.package_id)
        )
    header = parsed.header
    try:
        ephemeral_raw = base64.b64decode(header["ephemeral_public"])
        salt = base64.b64decode(header["salt"])
        nonce = base64.b64decode(header["nonce"])
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
    except (KeyError, ValueError, TypeError):
        raise CorruptedPayloadError(
            text("package.corrupted", source=source, reason="bad key exchange fields")
        ) from None
    recipient_raw = recipient_private.public_key().public_bytes(*_RAW)
    key = _derive_key(recipient_private.exchange(ephemeral), salt, ephemeral_raw, recipient_raw)
    try:
        payload = AESGCM(key).decrypt(nonce, parsed.ciphertext, parsed.header_bytes)
    except InvalidTag:
        raise CorruptedPayloadError(
            text("package.corrupted", source=source, reason="decryption failed")
        ) from None
    if hashlib.sha256(payload).hexdigest() != manifest.payload_sha256:
        raise CorruptedPayloadError(
            text("package.corrupted", source=source, reason="payload hash differs from manifest")
        )
    try:
        rows = pq.read_metadata(io.BytesIO(payload)).num_rows
    except (pa.ArrowInvalid, OSError):
        rows = -1
    if rows != manifest.row_count:
        raise CorruptedPayloadError(
            text("package.corrupted", source=source, reason="row count differs from manifest")
        )
    return OpenedPackage(manifest=manifest, payload=payload)
