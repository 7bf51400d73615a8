"""Encrypted storage at rest and atomic writes."""

from __future__ import annotations

from enclave.store.atomic import atomic_write, atomic_writer
from enclave.store.objects import EncryptedObjectStore

__all__ = ["EncryptedObjectStore", "atomic_write", "atomic_writer"]
