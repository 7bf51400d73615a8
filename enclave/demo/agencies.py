"""The three demo agencies, each working on "its own machine" with the partner tool's commands.

Each agency has a folder of its own in the demo workspace. It makes its key
pairs with ``linkage keygen`` (private keys encrypted with a passphrase of
its own, given to the commands in ``LINKAGE_KEY_PASSPHRASE`` and kept in its
folder's ``key-passphrase.txt`` for whoever replays a step by hand — a demo
shortcut: a real agency keeps it apart from the keys), is registered by the enclave's admin with
``enclave agencies add`` (the fingerprint is what a real admin confirms by
telephone), describes its dataset with ``enclave catalog import`` from the
identifier policy the partner tool reads, fetches the enclave's and the
linkage unit's public keys with ``linkage fetch-keys``, prepares its two
sealed packages with ``linkage prepare`` and sends them with ``linkage
upload``. Raw identifiers and the shared linkage secret never leave the
agencies' folders.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from enclave.demo.processes import Commands

__all__ = ["AGENCIES", "DemoAgency", "describe_datasets", "prepare_agencies", "register_agencies", "send_packages"]

AGENCIES: tuple[str, ...] = ("welfare", "health", "employment")

_NAMES = {
    "welfare": ("Welfare registry (사회보장정보원)", "Welfare benefit eligibility (자격정보)"),
    "health": ("Health insurance (건강보험)", "Health insurance (건강보험)"),
    "employment": ("Employment insurance (고용정보원)", "Employment insurance (고용보험)"),
}


@dataclass(frozen=True)
class DemoAgency:
    """One demo agency's own folder."""

    code: str
    folder: Path
    source: Path

    @property
    def passphrase_file(self) -> Path:
        """Where the demo keeps the passphrase of its private keys (a real agency keeps it elsewhere)."""
        return self.folder / "key-passphrase.txt"

    @property
    def key_environment(self) -> dict[str, str]:
        """The environment ``linkage`` commands open its private keys with."""
        return {"LINKAGE_KEY_PASSPHRASE": self.passphrase_file.read_text(encoding="utf-8").strip()}

    @property
    def keys(self) -> Path:
        """Its key pairs (private keys never leave this folder)."""
        return self.folder / "keys"

    @property
    def signing_public_key(self) -> Path:
        """The public key the enclave's admin registers."""
        return self.keys / f"{self.code}.signing.pub.pem"


def prepare_agencies(commands: Commands, root: Path, persons: int, seed: int) -> tuple[dict[str, DemoAgency], Path]:
    """Synthetic records, key pairs and a shared linkage secret for the agencies.

    Returns:
        The agencies, and the path of the linkage secret they share (never given
        to the enclave or the linkage unit).
    """
    shared = root / "shared"
    commands.linkage("synth", "--out", shared / "synthetic", "--persons", str(persons), "--seed", str(seed),
                     "--agencies", ",".join(AGENCIES), "--corruption", "medium")
    secret = shared / "linkage.secret"
    commands.linkage("keygen", "--secret", secret)
    agencies = {}
    for code in AGENCIES:
        agency = DemoAgency(code=code, folder=root / code, source=shared / "synthetic" / f"{code}.csv")
        agency.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(agency.passphrase_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(18) + "\n")
        commands.linkage("keygen", code, "--out", agency.keys, extra_env=agency.key_environment)
        agencies[code] = agency
    return agencies, secret


def register_agencies(commands: Commands, agencies: dict[str, DemoAgency]) -> list[str]:
    """The admin registers each agency's signing key; returns the fingerprints it printed."""
    printed: list[str] = []
    for code, agency in agencies.items():
        out = commands.enclave("agencies", "add", code, "--name", _NAMES[code][0],
                               "--signing-key", agency.signing_public_key)
        printed.extend(word for word in out.split() if word.startswith("sha256:"))
    return printed


def describe_datasets(commands: Commands, policies: Path) -> None:
    """Each agency describes its dataset in the catalog, from the identifier policy it links with."""
    for code in AGENCIES:
        commands.enclave("catalog", "import", policies / "identifiers" / f"{code}.yaml", "--agency", code,
                         "--title", _NAMES[code][1], "--rows", "1234567",
                         extra_env={"ENCLAVE_ACTOR": f"agency-{code}"})


def send_packages(commands: Commands, agency: DemoAgency, *, url: str, token: str, project_id: int,
                  secret: Path, policies: Path, match_keys: bool = True,
                  match_keys_to: tuple[str, str] | None = None) -> list[str]:
    """The agency fetches the public keys, prepares its packages and uploads them.

    Args:
        commands: How to run the partner tool.
        agency: The agency.
        url: The enclave's URL: content goes there, and the public keys are
            fetched from it (it publishes the linkage unit's once registered).
        token: The agency's API token (passed in the environment, never as an argument).
        project_id: The project the packages are for.
        secret: The project's linkage secret.
        policies: The policies folder (identifier policies).
        match_keys: Also send match keys (not for a single-dataset provision).
        match_keys_to: The separate linkage unit's URL and the agency's token
            there; by default match keys go to ``url`` too (the linkage unit in
            the enclave's process).

    Returns:
        The receipts ``linkage upload`` printed.
    """
    trusted = agency.folder / "trusted"
    commands.linkage("fetch-keys", url, "--out", trusted)
    out = agency.folder / f"out-project-{project_id}"
    commands.linkage("prepare", agency.source, "--agency", agency.code, "--policies", policies / "identifiers",
                     "--project", str(project_id), "--key-id", f"project-{project_id}-k1", "--secret", secret,
                     "--keys", agency.keys, "--linkage-unit-key", trusted / "linkage-unit.sealing.pub.pem",
                     "--enclave-key", trusted / "enclave.sealing.pub.pem", "--out", out,
                     extra_env=agency.key_environment)
    packages = sorted(out.glob("*.pkg"))
    if not match_keys:
        packages = [p for p in packages if "match" not in p.name]
    receipts = []
    for package in packages:
        to, as_token = (match_keys_to or (url, token)) if "match" in package.name else (url, token)
        receipts.append(commands.linkage("upload", package, "--to", to, extra_env={"LINKAGE_TOKEN": as_token}).strip())
    return receipts
