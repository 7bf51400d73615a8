"""Signed release packages: build them inside the enclave, verify them anywhere.

A package is a zip with the approved outputs under ``outputs/``, a
``manifest.json`` (every file's sha256 and size, rule versions, check results,
reviewers and times) and ``manifest.sig``, the base64 Ed25519 signature of the
manifest's exact bytes. Verification needs only this module and the public
key: it detects a bad signature and any changed, added or removed file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from export_review.errors import ReleaseError, VerificationError
from export_review.evidence import output_from_evidence
from export_review.messages import text
from export_review.outputs import Output
from export_review.rendering import render_output_files
from export_review.review import OutputVerdict
from export_review.workflow import ReviewBoard, ReviewOutcome

__all__ = [
    "MANIFEST_NAME",
    "SIGNATURE_NAME",
    "VerifiedRelease",
    "build_release_package",
    "load_public_key",
    "public_key_id",
    "verify_release_package",
]

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
RELEASE_FORMAT = "export-review/release"
RELEASE_VERSION = 1
_MAX_MEMBERS = 10_000
# Refuse to inflate more than this: a crafted zip must not exhaust memory.
_MAX_TOTAL_BYTES = 2 * 1024**3


def public_key_id(key: Ed25519PublicKey) -> str:
    """Return a short fingerprint of a public key (first 16 hex of its sha256)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """Load an Ed25519 public key from PEM, 32 raw bytes, or hex/base64 of them.

    Args:
        data: the key file's bytes.

    Returns:
        The key.

    Raises:
        VerificationError: when the bytes are no Ed25519 public key.
    """
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(stripped)
        except ValueError as exc:
            raise VerificationError(text("release.bad_public_key")) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise VerificationError(text("release.bad_public_key"))
        return key
    candidates = [data] if len(data) == 32 else []
    for decode in (bytes.fromhex, base64.b64decode):
        try:
            candidates.append(decode(stripped.decode("ascii")))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            continue
    for raw in candidates:
        if len(raw) == 32:
            return Ed25519PublicKey.from_public_bytes(raw)
    raise VerificationError(text("release.bad_public_key"))


def _zip_bytes(files: Mapping[str, bytes], when: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


def build_release_package(
    outputs: Sequence[Output | dict[str, Any]],
    verdicts: Sequence[OutputVerdict],
    reviews: Sequence[ReviewBoard],
    signing_key: Ed25519PrivateKey,
    metadata: Mapping[str, Any],
) -> bytes:
    """Build the signed zip of approved outputs.

    Only outputs whose review board approved them are packaged; others given
    here are left out. CSV cells are neutralized against formula injection.

    Args:
        outputs: the request's outputs (objects or evidence dicts).
        verdicts: the server's verdicts on them.
        reviews: one review board per output.
        signing_key: the enclave's Ed25519 private key.
        metadata: JSON-compatible facts for the manifest (project, request id,
            title, approver names...); never record values.

    Returns:
        The zip's bytes.

    Raises:
        ReleaseError: when no output is approved, or an approved output has no
            verdict.
    """
    parsed = [o if isinstance(o, Output) else output_from_evidence(o) for o in outputs]
    boards = {b.output_name: b for b in reviews}
    by_name = {v.name: v for v in verdicts}
    approved = [o for o in parsed
                if o.name in boards and boards[o.name].outcome is ReviewOutcome.APPROVED]
    if not approved:
        raise ReleaseError(text("release.nothing_approved"))
    now = datetime.now(UTC).replace(microsecond=0)
    files: dict[str, bytes] = {}
    manifest_files: list[dict[str, Any]] = []
    manifest_outputs: list[dict[str, Any]] = []
    for output in approved:
        verdict = by_name.get(output.name)
        if verdict is None:
            raise ReleaseError(text("release.no_verdict", name=output.name))
        board = boards[output.name]
        paths = []
        for filename, content in render_output_files(output).items():
            path = f"outputs/{filename}"
            if path in files:
                raise ReleaseError(text("release.duplicate_file", file=filename))
            files[path] = content
            paths.append(path)
            manifest_files.append({"path": path, "sha256": hashlib.sha256(content).hexdigest(),
                                   "size": len(content), "output": output.name})
        manifest_outputs.append({
            "name": output.name, "kind": output.kind, "files": paths,
            "cohort": output.cohort.description, "comment": output.comment,
            "check_status": verdict.status, "checked_at": verdict.checked_at,
            "policy": {"name": verdict.policy_name, "sha256": verdict.policy_hash},
            "rule_versions": dict(verdict.rule_versions),
            "results": [r.to_dict() for r in verdict.results],
            "reviews": [v.to_dict() for v in board.all_votes()],
            "review_outcome": board.outcome.value,
        })
    manifest = {
        "format": RELEASE_FORMAT, "version": RELEASE_VERSION,
        "created_at": now.isoformat(),
        "signing_key_id": public_key_id(signing_key.public_key()),
        "metadata": dict(metadata),
        "files": manifest_files,
        "outputs": manifest_outputs,
    }
    try:
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1,
                                    sort_keys=True).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ReleaseError(text("release.bad_metadata")) from exc
    signature = base64.b64encode(signing_key.sign(manifest_bytes)) + b"\n"
    files[MANIFEST_NAME] = manifest_bytes
    files[SIGNATURE_NAME] = signature
    return _zip_bytes(files, now)


@dataclass(frozen=True)
class VerifiedRelease:
    """A release package whose signature and files checked out.

    Attributes:
        manifest: the signed manifest.
        files: path to bytes of every released file.
        signing_key_id: fingerprint of the key that signed it.
    """

    manifest: dict[str, Any]
    files: dict[str, bytes]
    signing_key_id: str

    @property
    def output_names(self) -> tuple[str, ...]:
        """Names of the released outputs."""
        return tuple(str(o["name"]) for o in self.manifest.get("outputs", []))


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not (path.is_absolute() or ".." in path.parts or "\\" in name or name.endswith("/"))


def verify_release_package(package: bytes, public_key: Ed25519PublicKey) -> VerifiedRelease:
    """Verify a release package's signature and every file against its manifest.

    Args:
        package: the zip's bytes.
        public_key: the enclave's Ed25519 public key.

    Returns:
        The verified release.

    Raises:
        VerificationError: listing every problem (bad signature, changed,
            added or removed files, unsafe paths, unreadable zip).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise VerificationError(text("release.not_zip"), [text("release.not_zip")]) from exc
    problems: list[str] = []
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_MEMBERS or sum(i.file_size for i in infos) > _MAX_TOTAL_BYTES:
            raise VerificationError(text("release.too_many"), [text("release.too_many")])
        names = [i.filename for i in infos]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        problems += [text("release.duplicate_member", file=n) for n in duplicates]
        problems += [text("release.unsafe_path", file=n) for n in names if not _safe_member(n)]
        if MANIFEST_NAME not in names or SIGNATURE_NAME not in names:
            problems.append(text("release.no_manifest"))
            raise VerificationError(text("release.invalid", problems="; ".join(problems)),
                                    problems)
        try:
            contents = {n: archive.read(n) for n in dict.fromkeys(names) if _safe_member(n)}
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise VerificationError(text("release.not_zip"), [text("release.not_zip")]) from exc
    manifest_bytes = contents[MANIFEST_NAME]
    try:
        signature = base64.b64decode(contents[SIGNATURE_NAME].strip(), validate=True)
        public_key.verify(signature, manifest_bytes)
    except (InvalidSignature, binascii.Error, ValueError):
        problems.append(text("release.bad_signature"))
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        listed = {str(f["path"]): (str(f["sha256"]), int(f["size"])) for f in manifest["files"]}
        if manifest.get("format") != RELEASE_FORMAT:
            raise ValueError("format")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        problems.append(text("release.bad_manifest"))
        raise VerificationError(text("release.invalid", problems="; ".join(problems)),
                                problems) from None
    present = {n: c for n, c in contents.items() if n not in (MANIFEST_NAME, SIGNATURE_NAME)}
    for path in sorted(set(present) - set(listed)):
        problems.append(text("release.added_file", file=path))
    for path in sorted(set(listed) - set(present)):
        problems.append(text("release.removed_file", file=path))
    for path in sorted(set(listed) & set(present)):
        digest, size = listed[path]
        if hashlib.sha256(present[path]).hexdigest() != digest or len(present[path]) != size:
            problems.append(text("release.changed_file", file=path))
    if problems:
        raise VerificationError(text("release.invalid", problems="; ".join(problems)), problems)
    return VerifiedRelease(manifest=manifest, files=present,
                           signing_key_id=public_key_id(public_key))
