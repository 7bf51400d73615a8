"""Creating an enclave on a machine: folders, key file, database schema.

Safe to run again: what exists is kept, what is missing is created.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from enclave.db import Database, upgrade_database
from enclave.keys import KeyFile, Keyring, create_key_file, load_key_file
from enclave.parties import exchange_keys
from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, mask_url

__all__ = ["InitReport", "initialize_enclave", "rotate_keys"]


@dataclass(frozen=True)
class InitReport:
    """What :func:`initialize_enclave` did."""

    created_key_file: bool
    schema_before: str | None
    schema_after: str
    database: str

    @property
    def created_schema(self) -> bool:
        """Whether the database had no schema before."""
        return self.schema_before is None


def initialize_enclave(settings: Settings) -> InitReport:
    """Create the data folder, key file and database schema as needed.

    Args:
        settings: Where to create them.

    Returns:
        A report of what was created and what already existed.
    """
    folders = [settings.data_dir, settings.objects_dir, settings.reports_dir, settings.releases_dir]
    if not settings.has_separate_linkage_unit:
        folders.append(settings.linkage_unit_dir)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        # The data folder holds only ciphertext, but its names and reports
        # are still nobody else's business.
        os.chmod(folder, 0o700)
    created = not settings.key_file.exists()
    keys = create_key_file(settings.key_file) if created else load_key_file(settings.key_file)
    db = Database(settings.database_url)
    try:
        db.check_reachable()
        before, after = upgrade_database(db)
    finally:
        db.dispose()
    if settings.database_url.startswith("sqlite:///"):
        # The folder is 0700 already; the file is the owner's alone too, should it ever be moved.
        os.chmod(settings.database_url.removeprefix("sqlite:///"), 0o600)
    exchange_keys(settings, keys)
    svc = open_enclave(settings)
    try:
        with svc.session() as session:
            svc.audit.record(session, actor="system", action="enclave.init", object_type="enclave",
                             created_key_file=created, schema=after, kek_id=keys.kek_id)
    finally:
        svc.close()
    return InitReport(created_key_file=created, schema_before=before, schema_after=after,
                      database=mask_url(settings.database_url))


def rotate_keys(svc: EnclaveService, actor: str) -> tuple[int, str]:
    """Re-wrap every data key under a new key-encryption key.

    The new key file is written (with the old KEK retired) before the database
    changes and the old KEK is dropped only after they commit, so a crash at any
    step leaves every data key readable.

    Returns:
        How many keys were re-wrapped, and the new KEK's id.
    """
    rotated: KeyFile = svc.keys.with_new_kek()
    rotated.save()
    with svc.session() as session:
        count = Keyring(svc.keys).rewrap_all(session, rotated)
        svc.audit.record(session, actor=actor, action="keys.rotate", object_type="enclave",
                         rewrapped=count, old_kek_id=svc.keys.kek_id, new_kek_id=rotated.kek_id)
    rotated.without_retired().save()
    svc.reload_keys()
    return count, rotated.kek_id
