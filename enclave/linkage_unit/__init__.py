"""The linkage unit: match keys in, linkage map out, never content.

It runs either inside the enclave's process (:class:`LinkageUnitRole`, the
embedded default) or as its own service on another machine
(``enclave linkage-unit``: :mod:`~enclave.linkage_unit.settings`,
:mod:`~enclave.linkage_unit.service`, :mod:`~enclave.linkage_unit.app`,
:mod:`~enclave.linkage_unit.api`, :mod:`~enclave.linkage_unit.cli`), with its
own folder, keys, database and HTTP API.
"""

from __future__ import annotations

from enclave.linkage_unit.role import LINKAGE_UNIT, QUALITY_METADATA_KEY, LinkageUnitRole, ReceivedMatchKeys

__all__ = ["LINKAGE_UNIT", "QUALITY_METADATA_KEY", "LinkageUnitRole", "ReceivedMatchKeys"]
