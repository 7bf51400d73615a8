"""Key management: the key file and envelope-encrypted data keys."""

from __future__ import annotations

from enclave.keys.data_keys import Keyring, dataset_key_id, project_key_id
from enclave.keys.key_file import KeyFile, create_key_file, load_key_file, new_kek_id

__all__ = [
    "KeyFile",
    "Keyring",
    "create_key_file",
    "dataset_key_id",
    "load_key_file",
    "new_kek_id",
    "project_key_id",
]
