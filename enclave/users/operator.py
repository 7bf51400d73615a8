"""The operator at the enclave's command line, as an actor of domain functions.

Whoever runs ``enclave`` commands holds the key file and the database, so a
command acts with an admin's powers. Domain functions that check an actor's
role (describing a dataset, for instance) take an :class:`Operator` from
commands and a :class:`~enclave.db.models.User` from pages and the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from enclave.db.models import Role

__all__ = ["Operator"]


@dataclass(frozen=True)
class Operator:
    """A command-line operator: named ``cli:<account>`` in the audit log, acting as an admin.

    Attributes:
        username: The audit name (``CliContext.actor``).
        role: Always :attr:`Role.admin`.
        agency_code: Always ``None``: an operator acts for the enclave, not for an agency.
    """

    username: str
    role: Role = Role.admin
    agency_code: str | None = None
