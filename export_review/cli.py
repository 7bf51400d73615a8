"""Command line of the export-review library: verify release packages, re-check evidence.

``export-review verify PACKAGE --public-key FILE`` needs nothing but this
package and the enclave's public key, so a recipient outside the enclave can
check that a release is complete, unchanged and signed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from export_review.errors import ExportReviewError, VerificationError
from export_review.ledger import ReleaseLedger
from export_review.messages import CATALOGUE, text
from export_review.policy import load_disclosure_policy
from export_review.release import load_public_key, verify_release_package
from export_review.review import review_outputs
from translation.commands import localized_group

__all__ = ["main"]


@click.group(cls=localized_group(CATALOGUE), help="Check outputs for disclosure and verify signed release packages.")
def main() -> None:
    """Run the export-review command line."""


@main.command("verify", help="Verify a release package's signature and every file in it. "
              "Exits 0 when the package is intact and signed by the given key, 1 otherwise.")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_key_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The enclave's Ed25519 public key (PEM, or 32 raw bytes as hex or base64).")
def verify_command(package: Path, public_key_file: Path) -> None:
    """Verify PACKAGE against the public key."""
    try:
        key = load_public_key(public_key_file.read_bytes())
        release = verify_release_package(package.read_bytes(), key)
    except VerificationError as exc:
        click.echo(text("cli.verify_failed", package=package.name), err=True)
        for problem in exc.problems or [str(exc)]:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(text("cli.verified", package=package.name, files=len(release.files),
                    outputs=len(release.output_names), key=release.signing_key_id,
                    created=release.manifest.get("created_at", "")))
    for name in sorted(release.files):
        click.echo(f"  {name}")


@main.command("check", help="Re-run the disclosure rules on saved evidence files "
              "(<name>.evidence.json) and print each verdict. Exits 1 if any output fails.")
@click.argument("evidence", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--policy", "policy_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=None, help="Policy YAML (default: the shipped default).")
@click.option("--project", default=None, help="Project id whose policy overrides apply.")
def check_command(evidence: tuple[Path, ...], policy_file: Path | None,
                  project: str | None) -> None:
    """Re-check saved evidence files."""
    try:
        policy = load_disclosure_policy(policy_file, project=project)
        items = [json.loads(p.read_text(encoding="utf-8")) for p in evidence]
    except (ExportReviewError, ValueError, OSError) as exc:
        message = str(exc) if isinstance(exc, ExportReviewError) else text("cli.unreadable")
        click.echo(message, err=True)
        raise SystemExit(2) from None
    verdicts = review_outputs(items, policy, ReleaseLedger(project or ""))
    for verdict in verdicts:
        click.echo(f"{verdict.name}: {verdict.status}")
        for result in verdict.results:
            if result.status != "pass":
                click.echo(f"  - {result.rule} ({result.status}): {result.message}")
    if any(v.status == "fail" for v in verdicts):
        raise SystemExit(1)
