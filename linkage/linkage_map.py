"""The linkage map: which (agency, serial) belongs to which link id.

It is the only thing the linkage unit tells the enclave. Link ids are random
63-bit numbers, fresh for every run, so they carry nothing of the match keys;
every record appears once, and a link id shared by records of two or more
agencies is one linked person. ``link_pass`` names the pass that linked the
record (null when it stayed unlinked), so analysts can weigh link quality.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from linkage.errors import CorruptedPayloadError
from linkage.messages import text
from linkage.sealing import OpenedPackage, seal_package, table_to_parquet_bytes

__all__ = ["LINKAGE_MAP_SCHEMA", "LinkageMap"]

LINKAGE_MAP_SCHEMA = pa.schema(
    [
        pa.field("agency", pa.string(), nullable=False),
        pa.field("serial", pa.int64(), nullable=False),
        pa.field("link_id", pa.int64(), nullable=False),
        pa.field("link_pass", pa.string()),
    ]
)


@dataclass(frozen=True)
class LinkageMap:
    """The linkage unit's output for the enclave.

    Attributes:
        table: Columns ``agency``, ``serial``, ``link_id``, ``link_pass``.
        project_id: The project.
        scheme_hash: sha256 of the match-key scheme used.
    """

    table: pa.Table = field(repr=False)
    project_id: str = ""
    scheme_hash: str = ""

    def __repr__(self) -> str:
        return f"LinkageMap(project_id={self.project_id!r}, rows={self.table.num_rows})"

    @property
    def linked_records(self) -> int:
        """Return how many records share their link id with another agency's record."""
        return int(pc.sum(pc.is_valid(self.table.column("link_pass"))).as_py() or 0)

    def seal(
        self,
        enclave_public: X25519PublicKey,
        signer: Ed25519PrivateKey,
        extra_manifest: Mapping[str, object] | None = None,
        agency: str = "linkage-unit",
    ) -> bytes:
        """Seal the map to the enclave, signed by the linkage unit.

        Args:
            enclave_public: The enclave's X25519 sealing key.
            signer: The linkage unit's Ed25519 signing key.
            extra_manifest: More manifest fields (scheme, key id ...).
            agency: The signer's name as the enclave trusts it.

        Returns:
            The sealed package (kind ``linkage_map``).
        """
        manifest: dict[str, object] = {
            "agency": agency,
            "kind": "linkage_map",
            "project_id": self.project_id,
            "scheme_hash": self.scheme_hash,
        }
        manifest.update(extra_manifest or {})
        return seal_package(table_to_parquet_bytes(self.table), manifest, enclave_public, signer)

    @classmethod
    def from_package(cls, opened: OpenedPackage, source: str = "given") -> LinkageMap:
        """Read a map from an opened ``linkage_map`` package.

        Args:
            opened: From :func:`~linkage.sealing.open_package`.
            source: File name for messages.

        Returns:
            The map.

        Raises:
            UnexpectedPackageError: If the package is of another kind.
            CorruptedPayloadError: If the table lacks the map's columns.
        """
        opened.expect("linkage_map", source)
        table = pq.read_table(io.BytesIO(opened.payload))
        if set(LINKAGE_MAP_SCHEMA.names) - set(table.column_names):
            raise CorruptedPayloadError(
                text("package.corrupted", source=source, reason="not a linkage map table")
            )
        return cls(
            table=table.select(LINKAGE_MAP_SCHEMA.names).cast(LINKAGE_MAP_SCHEMA),
            project_id=opened.manifest.project_id,
            scheme_hash=opened.manifest.scheme_hash,
        )
