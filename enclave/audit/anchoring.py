"""Anchors of the audit log: the signed head, signed checkpoints and their exports.

The hash chain shows that no event was changed, removed or reordered *between*
the first and the last row; it cannot show that rows were cut from the end.
Three anchors close that gap, each signed with the enclave's Ed25519 key from
the key file (the key that signs releases), so anyone holding only the public
key can check them:

- the **head file** (``audit.head`` in the data folder) names the newest
  event; it is rewritten after every commit and must exist once events do;
- **checkpoints**, events of their own (``audit.checkpoint``) written every
  :data:`CHECKPOINT_EVERY` events, when the service starts, after each
  successful ``enclave audit verify`` and for each ``enclave audit anchor``:
  a head file older than the newest checkpoint was put back from a copy;
- **anchors kept outside the machine**: the one-line signed head printed by
  ``enclave audit anchor``, and checkpoints it exports to a write-once folder.
  Given to ``enclave audit verify``, they catch a cut that removed the
  checkpoints too and restored an old head file.

Each anchor is also MACed under the audit key, as every event is.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "CHECKPOINT_ACTION",
    "CHECKPOINT_EVERY",
    "Anchor",
    "export_checkpoint",
    "parse_anchor_line",
    "read_exported_checkpoints",
    "sign_anchor",
    "verify_anchor_signature",
]

#: The action of checkpoint events.
CHECKPOINT_ACTION = "audit.checkpoint"
#: Events between two periodic checkpoints.
CHECKPOINT_EVERY = 1000

_HEAD_FORMAT = "enclave-audit-head/1"
_CHECKPOINT_FORMAT = "enclave-audit-checkpoint/1"
_LINE = re.compile(r"^enclave-audit-(head|checkpoint)/1 seq=(\d{1,18}) hash=([0-9a-f]{64}) signature=(\S+)$")
AnchorKind = Literal["head", "checkpoint"]


@dataclass(frozen=True)
class Anchor:
    """A signed statement "event ``seq`` of the log had hash ``hash``".

    Attributes:
        kind: ``head`` (the newest event when it was made) or ``checkpoint``
            (the event a checkpoint event covers).
        seq: The event's sequence number.
        hash: The event's hash.
        signature: Ed25519 signature over :meth:`payload`, base64; ``""`` when unsigned.
    """

    kind: AnchorKind
    seq: int
    hash: str
    signature: str = ""

    def payload(self) -> bytes:
        """The bytes the signature covers: format, sequence number and hash."""
        fmt = _HEAD_FORMAT if self.kind == "head" else _CHECKPOINT_FORMAT
        return f"{fmt}:{self.seq}:{self.hash}".encode("ascii")

    def line(self) -> str:
        """One line to keep outside the machine (``enclave audit anchor`` prints it)."""
        return f"enclave-audit-{self.kind}/1 seq={self.seq} hash={self.hash} signature={self.signature}"


def sign_anchor(kind: AnchorKind, seq: int, digest: str, signer: Ed25519PrivateKey | None) -> Anchor:
    """Return the anchor for event ``seq`` with hash ``digest``, signed when a key is given."""
    unsigned = Anchor(kind, seq, digest)
    if signer is None:
        return unsigned
    signature = base64.b64encode(signer.sign(unsigned.payload())).decode("ascii")
    return Anchor(kind, seq, digest, signature)


def verify_anchor_signature(anchor: Anchor, public_key: Ed25519PublicKey) -> bool:
    """Whether ``anchor`` carries a valid signature by ``public_key``."""
    try:
        public_key.verify(base64.b64decode(anchor.signature, validate=True), anchor.payload())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def parse_anchor_line(line: str) -> Anchor | None:
    """Read a line printed by ``enclave audit anchor``; ``None`` when it is not one."""
    match = _LINE.match(line.strip())
    if match is None:
        return None
    kind, seq, digest, signature = match.groups()
    return Anchor(kind, int(seq), digest, signature)  # type: ignore[arg-type]


def export_checkpoint(folder: Path, anchor: Anchor) -> bool:
    """Write a checkpoint into ``folder`` once: never over an existing file.

    The folder is meant to be write-once (a WORM share, an append-only
    bucket mount): a file, once there, is only ever read.

    Returns:
        ``True`` when written, ``False`` when the same checkpoint was there already.

    Raises:
        FileExistsError: A different checkpoint with the same number is there:
            the log and the export disagree.
    """
    path = folder / f"checkpoint-{anchor.seq:012d}.json"
    body = json.dumps({"format": _CHECKPOINT_FORMAT, "seq": anchor.seq, "hash": anchor.hash,
                       "signature": anchor.signature}, sort_keys=True).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        if path.read_bytes() == body:
            return False
        raise
    with os.fdopen(fd, "wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    return True


def read_exported_checkpoints(folder: Path) -> list[Anchor]:
    """Read every checkpoint exported to ``folder``, oldest first.

    Raises:
        ValueError: A file there is not an exported checkpoint (named, never shown).
    """
    anchors = []
    for path in sorted(folder.glob("checkpoint-*.json")):
        try:
            doc = json.loads(path.read_bytes())
            if doc.get("format") != _CHECKPOINT_FORMAT:
                raise ValueError(path.name)
            anchors.append(Anchor("checkpoint", int(doc["seq"]), str(doc["hash"]), str(doc["signature"])))
        except (KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
            raise ValueError(path.name) from None
    return anchors
