"""The ``linkage`` command: what an agency and the linkage unit run.

::

    linkage keygen welfare --out keys/          # a party's key pairs
    linkage keygen --secret project.secret      # a project's linkage secret
    linkage synth --out data/ --persons 10000   # synthetic agencies + ground truth
    linkage prepare data/welfare.csv --agency welfare ...   # two sealed packages
    linkage link out/*.match_keys.pkg ...       # linkage map + quality report
    linkage inspect out/welfare.content.pkg     # show a manifest (never values)
    linkage fetch-keys URL --out keys/          # the enclave's public keys, verified
    linkage upload out/welfare.content.pkg --to URL   # send a package (token in LINKAGE_TOKEN)
    linkage status --to URL                     # the agency's submissions

Errors print one sentence saying what to do, and exit with the error's code.
The transfer commands live in :mod:`linkage.agency_commands`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from linkage.agency_commands import fetch_keys_command, status_command, upload_command
from linkage.atomic_files import write_bytes_atomically, write_text_atomically
from linkage.command_errors import exit_on_linkage_error
from linkage.linkage_unit import link_submissions
from linkage.messages import CATALOGUE, text
from linkage.partner import prepare_submission
from linkage.party_keys import (
    generate_linkage_secret,
    generate_party_keys,
    load_linkage_secret,
    load_sealing_public_key,
    load_signing_public_key,
    save_linkage_secret,
    save_party_keys,
)
from linkage.passphrases import PASSPHRASE_ENV, load_private_keys, read_new_passphrase
from linkage.policy import load_identifier_policies
from linkage.sealing import read_manifest, verify_signature
from linkage.synth import CORRUPTION_LEVELS, generate_agency_data, write_synthetic_data
from translation.commands import localized_group

__all__ = ["main"]

DEFAULT_POLICIES = "policies/identifiers"


# One error-to-exit mechanism for every command, shared with the agency's transfer commands.
_friendly = exit_on_linkage_error


def _trust(entries: tuple[str, ...]) -> dict[str, Any]:
    trusted = {}
    for entry in entries:
        if "=" not in entry:
            raise click.UsageError(text("cli.bad_trust"))
        agency, path = entry.split("=", 1)
        trusted[agency.strip()] = load_signing_public_key(path.strip())
    return trusted


@click.group(cls=localized_group(CATALOGUE), context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Link records across agencies without sharing identifiers.

    An agency sets up once with `keygen` and `fetch-keys`, then per project runs
    `prepare` on its own machine (which also runs the identification-risk
    pre-check on the content), `upload` for each of the two packages, and
    `status` to see what the enclave holds. The linkage unit runs `link`.
    Identifiers never leave `prepare`: only keyed hashes (match keys) and content
    do, each sealed to its recipient and signed by the agency.

    Every command prints one sentence saying what to do when it fails, and
    exits with a code per kind of failure (see each command's --help).
    """


@main.command("keygen")
@click.argument("name", required=False)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("keys"),
              show_default=True, help="Folder for the four PEM files.")
@click.option("--secret", "secret_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Instead of key pairs, write a new project linkage secret to this file.")
@click.option("--passphrase-env", metavar="VAR", default=PASSPHRASE_ENV, show_default=True,
              help="Environment variable holding the passphrase that encrypts the private keys "
                   "(asked at the terminal when it is not set). Other commands read "
                   f"{PASSPHRASE_ENV} to open them.")
@click.option("--unencrypted", is_flag=True,
              help="Write the private keys without a passphrase (only where the disk itself is protected).")
@_friendly
def keygen_command(
    name: str | None, out_dir: Path, secret_path: Path | None, passphrase_env: str, unencrypted: bool
) -> None:
    """Create a party's sealing (X25519) and signing (Ed25519) key pairs, or a linkage secret.

    NAME is the party: an agency code, `linkage-unit` or `enclave`. Private key
    files are written with mode 0600 and encrypted with a passphrase: from
    LINKAGE_KEY_PASSPHRASE (or the variable --passphrase-env names), else asked
    at the terminal; --unencrypted writes them in clear. `prepare` and `link`
    read the passphrase from LINKAGE_KEY_PASSPHRASE or ask for it. Share only
    the .pub.pem files.
    """
    if secret_path is not None:
        save_linkage_secret(generate_linkage_secret(), secret_path)
        click.echo(text("cli.secret_done", path=secret_path))
        return
    if not name:
        raise click.UsageError("Give the party's NAME, or --secret FILE for a linkage secret.")
    passphrase = None if unencrypted else read_new_passphrase(passphrase_env)
    keys = generate_party_keys(name)
    save_party_keys(keys, out_dir, passphrase=passphrase)
    click.echo(
        text(
            "cli.keygen_done",
            name=name,
            directory=out_dir,
            sealing=keys.sealing_fingerprint,
            signing=keys.signing_fingerprint,
        )
    )


@main.command("synth")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for <agency>.csv and ground_truth.csv.")
@click.option("--persons", type=click.IntRange(1), default=10_000, show_default=True,
              help="Population size; each agency holds a share of it.")
@click.option("--agencies", default="welfare,health,employment", show_default=True,
              help="Comma-separated agencies (welfare, health, employment).")
@click.option("--corruption", type=click.Choice(sorted(CORRUPTION_LEVELS)), default="medium",
              show_default=True, help="How much the agencies' copies of a person differ.")
@click.option("--profile", type=click.Choice(["korean", "latin"]), default="korean",
              show_default=True, help="Hangul names and citizen RRNs, or Latin names and foreign-resident numbers.")
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "cp949"]), default="utf-8",
              show_default=True, help="Encoding of the agency CSV files.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@_friendly
def synth_command(
    out_dir: Path, persons: int, agencies: str, corruption: str, profile: str, encoding: str, seed: int
) -> None:
    """Generate synthetic agency files with a ground-truth file.

    The ground truth says which rows are the same person; use it to measure
    linkage quality, and never send it to the enclave.
    """
    names = [a.strip() for a in agencies.split(",") if a.strip()]
    try:
        data = generate_agency_data(
            persons, agencies=names, corruption=corruption, seed=seed, profile=profile
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--agencies") from None
    paths = write_synthetic_data(data, out_dir, encoding=encoding)
    click.echo(
        text(
            "cli.synth_done",
            count=len(names),
            persons=persons,
            directory=out_dir,
            truth=paths["ground_truth"],
        )
    )


@main.command("prepare")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="This agency's code, as the others trust its key.")
@click.option("--dataset", help="Identifier schema to use (default: the agency code).")
@click.option("--policies", "policy_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(DEFAULT_POLICIES), show_default=True, help="Identifier policy folder.")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--key-id", required=True, help="Match-key key id agreed for the project.")
@click.option("--secret", "secret_path", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The project's linkage secret file.")
@click.option("--keys", "keys_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("keys"), show_default=True, help="Folder with this agency's key pairs.")
@click.option("--linkage-unit-key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The linkage unit's sealing public key (linkage-unit.sealing.pub.pem, from `linkage fetch-keys`).")
@click.option("--enclave-key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The enclave's sealing public key (enclave.sealing.pub.pem, from `linkage fetch-keys`).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the two packages and the report.")
@click.option("--chunk-rows", type=click.IntRange(1000), default=100_000, show_default=True,
              help="Records per chunk; bounds memory.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Processes for normalizing and hashing.")
@_friendly
def prepare_command(
    source: Path,
    agency: str,
    dataset: str | None,
    policy_dir: Path,
    project_id: str,
    key_id: str,
    secret_path: Path,
    keys_dir: Path,
    linkage_unit_key: Path,
    enclave_key: Path,
    out_dir: Path,
    chunk_rows: int,
    workers: int,
) -> None:
    """Turn SOURCE (CSV or Parquet) into sealed match-key and content packages.

    Identifiers are normalized and hashed here and never written out. The
    match-key package goes to the linkage unit, the content package to the enclave.

    Stage 2 runs here too: when the identifier policy has a `precheck` section,
    the content about to be sent is checked for identification risk (the
    smallest equivalence class over the declared quasi-identifiers, the records
    in classes smaller than k, the unique records) against the policy's
    thresholds. The figures — never values — are printed and sealed into the
    content package, where the enclave's steward sees them; a package that
    fails is still prepared, and flagged to the steward.
    """
    policies = load_identifier_policies(policy_dir)
    keys = load_private_keys(keys_dir, agency)
    prepared = prepare_submission(
        source,
        agency=agency,
        schema=policies.schema(dataset or agency),
        scheme=policies.scheme,
        project_id=project_id,
        key_id=key_id,
        linkage_secret=load_linkage_secret(secret_path),
        signer=keys.signing,
        linkage_unit_public=load_sealing_public_key(linkage_unit_key),
        enclave_public=load_sealing_public_key(enclave_key),
        output_dir=out_dir,
        chunk_rows=chunk_rows,
        workers=workers,
        progress=True,
    )
    click.echo(prepared.report.to_text())
    click.echo(
        text(
            "cli.prepare_done",
            rows=prepared.report.rows,
            agency=agency,
            match_keys=prepared.match_keys_path,
            content=prepared.content_path,
        )
    )


@main.command("link")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--keys", "keys_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("keys"), show_default=True, help="Folder with the linkage unit's key pairs.")
@click.option("--name", default="linkage-unit", show_default=True, help="The linkage unit's key name.")
@click.option("--trust", multiple=True, required=True, metavar="AGENCY=PUBKEY",
              help="An agency's signing public key; repeat for each agency.")
@click.option("--enclave-key", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The enclave's sealing public key.")
@click.option("--policies", "policy_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(DEFAULT_POLICIES), show_default=True, help="Identifier policy folder.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the sealed linkage map and the quality report.")
@click.option("--seen-file", type=click.Path(dir_okay=False, path_type=Path),
              help="File of package ids opened before; replays are refused and new ids appended.")
@_friendly
def link_command(
    packages: tuple[Path, ...],
    keys_dir: Path,
    name: str,
    trust: tuple[str, ...],
    enclave_key: Path,
    policy_dir: Path,
    out_dir: Path,
    seen_file: Path | None,
) -> None:
    """Link the agencies' match-key PACKAGES and seal the linkage map to the enclave.

    Passes run from the strictest key to the loosest and accept one-to-one
    matches only; ambiguous records stay unlinked and are counted.
    """
    policies = load_identifier_policies(policy_dir)
    keys = load_private_keys(keys_dir, name)
    seen: set[str] = set()
    if seen_file is not None and seen_file.exists():
        seen = {line.strip() for line in seen_file.read_text().splitlines() if line.strip()}
    linkage_map, report = link_submissions(
        [p.read_bytes() for p in packages],
        recipient_private=keys.sealing,
        trusted_signers=_trust(trust),
        already_seen=seen,
        scheme=policies.scheme,
        sources=[p.name for p in packages],
        progress=True,
    )
    sealed = linkage_map.seal(
        load_sealing_public_key(enclave_key),
        keys.signing,
        {
            "key_id": report.key_id,
            "scheme_name": report.scheme_name,
            "scheme_version": report.scheme_version,
        },
        agency=name,
    )
    map_path = write_bytes_atomically(out_dir / "linkage_map.pkg", sealed)
    report_path = write_text_atomically(out_dir / "quality_report.json", report.to_json())
    write_text_atomically(out_dir / "quality_report.html", report.to_html())
    if seen_file is not None:
        seen.update(report.package_ids.values())
        write_text_atomically(seen_file, "\n".join(sorted(seen)) + "\n")
    click.echo(report.to_text())
    click.echo(
        text("cli.link_done", agencies=len(report.records), map_path=map_path, report_path=report_path)
    )


@main.command("inspect")
@click.argument("package", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--trust", multiple=True, metavar="AGENCY=PUBKEY",
              help="Verify the signature with this agency's signing public key.")
@_friendly
def inspect_command(package: Path, trust: tuple[str, ...]) -> None:
    """Print a package's manifest: kind, agency, versions, counts, hashes — never values."""
    data = package.read_bytes()
    if trust:
        manifest = verify_signature(data, _trust(trust), source=package.name)
        click.echo(text("cli.inspect_verified", agency=manifest.agency))
    else:
        manifest = read_manifest(data, source=package.name)
        click.echo(text("cli.inspect_unverified"))
    click.echo(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2))


for _command in (fetch_keys_command, upload_command, status_command):
    main.add_command(_command)
