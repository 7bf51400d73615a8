"""Builders for domain tests: registered agencies, users of every role, a catalog, an applied project.

Imported by the domain test modules (not a conftest, so fixtures stay explicit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from enclave.agencies import register_agency
from enclave.catalog import VariableSpec, register_dataset
from enclave.db.models import Dataset, Project, User
from enclave.projects import apply_for_project
from enclave.service import EnclaveService
from enclave.users import add_user

PASSWORD = "long enough password"
ROLES = {
    "alice": ("researcher", None), "bob": ("researcher", None), "carol": ("steward", None),
    "dave": ("steward", None), "erin": ("admin", None), "welfare": ("agency", "welfare"),
    "health": ("agency", "health"),
}


@dataclass
class World:
    users: dict[str, User]
    datasets: dict[str, Dataset]
    #: The registered agencies' signing keys, as their partner tools hold them.
    agency_keys: dict[str, Ed25519PrivateKey]


def public_pem(key: Ed25519PrivateKey) -> bytes:
    """The PEM an agency's partner tool writes as ``<agency>.signing.pub.pem``."""
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def register_agencies(svc: EnclaveService, *codes: str) -> dict[str, Ed25519PrivateKey]:
    """Register each agency with a fresh signing key (as an admin would); returns the private keys."""
    keys = {}
    for code in codes:
        keys[code] = Ed25519PrivateKey.generate()
        register_agency(svc, code=code, name=f"{code.title()} agency", signing_public_pem=public_pem(keys[code]),
                        actor="test")
    return keys


def build_world(svc: EnclaveService) -> World:
    """Register two agencies; create one user per role and one dataset per agency."""
    agency_keys = register_agencies(svc, "welfare", "health")
    users = {}
    with svc.session() as session:
        for name, (role, agency) in ROLES.items():
            users[name] = add_user(svc, session, username=name, role=role, password=PASSWORD, actor="test",
                                   agency_code=agency).user
        datasets = {
            code: register_dataset(svc, session, users[code], agency_code=code, name=code, title=f"{code} data",
                                   row_count=12_345, variables=[VariableSpec("x", "integer"),
                                                                VariableSpec("kind", "category", "a kind", True)])
            for code in ("welfare", "health")
        }
    return World(users, datasets, agency_keys)


def apply(svc: EnclaveService, world: World, researcher: str = "alice", team: tuple[str, ...] = ()) -> int:
    """Apply for a project requesting both datasets; returns its id."""
    with svc.session() as session:
        project: Project = apply_for_project(
            svc, session, session.get(User, world.users[researcher].id), title="T", purpose="P",
            retention_end=dt.date.today() + dt.timedelta(days=30),
            requests={d.id: ["x"] for d in world.datasets.values()}, team=team)
        return project.id
