"""The demo journey: a fresh workspace walked through the enclave's stages.

Everything the demo prints is something it did; every figure in its summary
is read back from what it stored.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from enclave.bootstrap import initialize_enclave
from enclave.db.models import Role
from enclave.service import EnclaveService, open_enclave
from enclave.settings import Settings, load_settings
from enclave.store import atomic_write
from enclave.users import add_user, encode_secret

__all__ = ["DEMO_USERS", "DemoResult", "DemoUser", "demo_settings", "run_demo"]


@dataclass(frozen=True)
class DemoUser:
    """A demo account."""

    username: str
    role: Role
    display_name: str
    agency_code: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-admin", Role.admin, "Demo administrator"),
    DemoUser("demo-steward-1", Role.steward, "Demo steward 1 (데이터 심사자)"),
    DemoUser("demo-steward-2", Role.steward, "Demo steward 2 (데이터 심사자)"),
    DemoUser("demo-researcher", Role.researcher, "Demo researcher (연구자)"),
    DemoUser("demo-researcher-2", Role.researcher, "Second demo researcher"),
    DemoUser("agency-welfare", Role.agency, "Welfare registry (사회보장정보원)", "welfare"),
    DemoUser("agency-health", Role.agency, "Health registry (건강보험)", "health"),
    DemoUser("agency-employment", Role.agency, "Employment registry (고용정보원)", "employment"),
)


@dataclass
class DemoResult:
    """What the demo did, for its summary."""

    workspace: Path
    settings: Settings
    credentials_file: Path
    steps: list[str] = field(default_factory=list)
    secrets: dict[str, tuple[str, bytes | None]] = field(default_factory=dict, repr=False)


def demo_settings(workspace: Path) -> Settings:
    """Settings of a self-contained demo workspace (SQLite, local data folder)."""
    return load_settings(
        environ={},
        mode="development",
        data_dir=str(workspace / "data"),
        database_url=f"sqlite:///{workspace / 'data' / 'enclave.db'}",
    )


def _create_users(svc: EnclaveService, result: DemoResult) -> None:
    lines = ["# Demo credentials. Demo only: delete this workspace when done.", ""]
    with svc.session() as session:
        for demo in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            new = add_user(svc, session, username=demo.username, role=demo.role, password=password,
                           actor="demo", display_name=demo.display_name, agency_code=demo.agency_code)
            result.secrets[demo.username] = (password, new.totp_secret)
            line = f"{demo.username:<20} role={demo.role.value:<10} password={password}"
            if new.totp_secret is not None:
                line += f" totp_secret={encode_secret(new.totp_secret)}"
            lines.append(line)
    atomic_write(result.credentials_file, ("\n".join(lines) + "\n").encode(), mode=0o600)
    result.steps.append(f"created {len(DEMO_USERS)} demo users (every role); credentials in "
                        f"{result.credentials_file}")


def run_demo(workspace: Path, *, echo: Callable[[str], None] = print, fresh: bool = True) -> DemoResult:
    """Create a fresh demo workspace and walk it through the journey.

    Args:
        workspace: Folder of the demo; replaced when ``fresh``.
        echo: Where progress lines go.
        fresh: Remove an earlier demo workspace first.

    Returns:
        What was done.
    """
    workspace = workspace.resolve()
    if fresh and workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(workspace)
    result = DemoResult(workspace=workspace, settings=settings,
                        credentials_file=workspace / "demo-credentials.txt")

    report = initialize_enclave(settings)
    result.steps.append(f"initialized the enclave: data folder {settings.data_dir}, "
                        f"database {report.database}, key file {settings.key_file}")
    echo(result.steps[-1])
    svc = open_enclave(settings)
    try:
        _create_users(svc, result)
        echo(result.steps[-1])
        with svc.session() as session:
            count = svc.audit.verify(session)
        result.steps.append(f"verified the audit log: {count} events, chain intact")
        echo(result.steps[-1])
    finally:
        svc.close()
    return result
