"""User-facing text of the linkage library, in one place so it can be translated.

Every sentence a person reads from ``linkage`` (errors, CLI output, report
headings) is looked up here by id; the English is the msgid of the ``linkage``
catalogue (``linkage/locale/ko/LC_MESSAGES/linkage.po``), looked up through
:mod:`translation` in the language ``ENCLAVE_LANG`` names. Parameters are file
names, column names, row numbers and counts — never values.
"""

from __future__ import annotations

from pathlib import Path

from translation import N_, Catalogue

__all__ = ["CATALOGUE", "MESSAGES", "text"]

CATALOGUE = Catalogue("linkage", Path(__file__).resolve().parent / "locale")

MESSAGES: dict[str, str] = {
    # policies
    "policy.invalid": N_('The identifier policy in {path} has {count} problem(s). Fix them all and load again:'),
    "policy.no_scheme": N_('No match-key scheme file (kind: match_key_scheme) in {path}. Add one, e.g. scheme.yaml.'),
    "policy.unknown_dataset": N_("No identifier schema for dataset '{dataset}'. Known datasets: {known}. Pick one of them or add a schema file."),
    # input files
    "input.missing_file": N_('The input file {path} does not exist. Check the path.'),
    "input.bad_encoding": N_('The file {path} is neither UTF-8 nor CP949 (problem near byte {offset}). Save it as UTF-8 and try again.'),
    "input.bad_format": N_('The file {path} is not a CSV or Parquet file this tool can read. Export it as CSV (UTF-8) or Parquet.'),
    "input.bad_csv": N_('The CSV file {path} is malformed near row {row}: the number of fields differs from the header. Fix the file and try again.'),
    "input.columns": N_("The columns of {path} do not match the identifier schema '{dataset}'. Missing: {missing}. Not declared: {extra}. Rename or remove columns, or update the schema, then try again."),
    "input.empty": N_('The file {path} has a header but no records. Nothing to prepare; check that you exported the right file.'),
    # keys
    "keys.missing": N_('No key file at {path}. Create keys with `linkage keygen`, or give the right path.'),
    "keys.bad": N_('The file {path} is not a {expected} key in PEM form. Give the right file; `linkage keygen` writes them.'),
    "keys.bad_secret": N_('The linkage secret in {path} is not 64 hexadecimal characters. Use the file written by `linkage keygen --secret`.'),
    "keys.exists": N_('{path} exists already; refusing to overwrite a key. Choose another name or move the old key away first.'),
    # packages
    "package.truncated": N_('The package {source} is truncated or is not a sealed linkage package. Ask the sender to send it again.'),
    "package.unknown_signer": N_("The package {source} is signed by agency '{agency}', whose signing key is not trusted here. Register that agency's public signing key first, or reject the package."),
    "package.bad_signature": N_("The signature of package {source} does not verify against agency '{agency}''s registered key: it was altered after signing, or signed with a key that has since been rotated or revoked. Do not use it; ask the agency to sign it again with its current key and send it again."),
    "package.wrong_recipient": N_('The package {source} was sealed to another recipient (key {expected}), not to this key ({actual}). Send it to the right party, or ask the agency to seal it to this key.'),
    "package.replayed": N_('The package {source} (id {package_id}) was opened before; a second copy is refused. If the agency meant to resubmit, it must prepare a new package.'),
    "package.corrupted": N_('The payload of package {source} is corrupted ({reason}). Do not use it; ask the agency to prepare and send it again.'),
    "package.unexpected": N_("The package {source} is a '{actual}' package where '{expected}' was expected. Check which file you passed."),
    "package.bad_manifest": N_('The manifest for a package is incomplete: {problem}. This is a programming error in the caller; fill the field.'),
    # linking
    "link.too_few": N_("Linking needs match-key packages from at least two agencies; got {count}. Add the other agencies' packages."),
    "link.too_many": N_('Linking supports at most {limit} agencies at once; got {count}. Link in groups.'),
    "link.duplicate_agency": N_("Two match-key packages come from agency '{agency}'. Give one package per agency."),
    "link.mismatch": N_('The match-key packages were made under different {what}. All agencies must prepare with the same project, key id and scheme; ask the odd one out to prepare again.'),
    "link.bad_columns": N_("The match-key table of agency '{agency}' lacks the columns {columns}. Ask the agency to prepare it again with the current scheme."),
    "link.duplicate_serial": N_("The match-key table of agency '{agency}' repeats {count} serial(s). Ask the agency to prepare it again."),
    # combination is in enclave; synth
    "synth.bad_option": N_('{option} must be {expected}. Fix the option and run again.'),
    # CLI output
    "cli.keygen_done": N_("Wrote key pair '{name}' to {directory} (sealing {sealing}, signing {signing}). Keep the .key.pem files private; share the .pub.pem files."),
    "cli.secret_done": N_('Wrote a new linkage secret to {path}. Give it only to the agencies of this project, over a secure channel.'),
    "cli.synth_done": N_('Wrote {count} agency file(s) for {persons} persons to {directory}; ground truth in {truth} (never send it to the enclave).'),
    "cli.prepare_done": N_("Prepared {rows} records of agency '{agency}': match keys -> {match_keys}, content -> {content}."),
    "cli.link_done": N_('Linked {agencies} agencies: linkage map -> {map_path}, quality report -> {report_path}.'),
    "cli.bad_trust": N_("--trust must look like AGENCY=PATH_TO_SIGNING_PUBLIC_KEY; got an entry without '='. Fix it and run again."),
    "cli.token_missing": N_("No API token: put your agency's token in the LINKAGE_TOKEN environment variable or in a file given with --token-file (never on the command line)."),
    "cli.token_unreadable": N_('Cannot read the token file {path}. Check the path and its permissions.'),
    "cli.token_file_open": N_('Warning: the token file {path} is readable by other accounts; make it yours alone (chmod 600 {path}).'),
    "cli.token_malformed": N_('The token (from {source}) is empty or holds spaces or control characters. Copy the token exactly as the enclave issued it.'),
    "cli.project_mismatch": N_('The package was sealed for project {manifest}, not {given}. Upload it to project {manifest}, or prepare a package for project {given}.'),
    "cli.project_unknown": N_("The package's project '{manifest}' is not an enclave project number. Give the number with --project."),
    "cli.not_uploadable": N_("{path} is a '{kind}' package; agencies upload only content and match-key packages made by `linkage prepare`."),
    "cli.upload_sending": N_('Sending {path} ({size} bytes, {kind}, sha256 {sha256}) to {url}'),
    "cli.upload_retry": N_('Connection problem ({reason}); trying again ({attempt} of {retries}).'),
    "cli.upload_receipt": N_('Received by the {received_by}: {kind} package {package_id}, {rows} rows, sha256 {sha256}.'),
    "cli.upload_duplicate": N_('The enclave already held this very package (an earlier attempt arrived); nothing was stored twice.'),
    "cli.status_none": N_('The enclave at {url} holds no submissions of your agency yet.'),
    "cli.status_columns": N_('project|package id|rows|bytes|received at|pre-check'),
    "cli.status_header": N_('Submissions of your agency at {url} (newest first):'),
    "cli.keys_written": N_('{label:<22} {algorithm:<8} {fingerprint}  -> {path}'),
    "cli.keys_confirm": N_("Wrote {count} verified public key(s) from {url}. Confirm these fingerprints with the enclave's operators by another channel (telephone, signed letter) before you seal packages to them, or pin them with --expect."),
    "cli.inspect_unverified": N_('Signature not verified (give --trust to verify). Manifest:'),
    "cli.inspect_verified": N_("Signature verified for agency '{agency}'. Manifest:"),
    # talking to the enclave (linkage upload / status / fetch-keys)
    "transfer.bad_url": N_('The enclave address must look like https://host[:port][/path], without a query. Check --to.'),
    "transfer.unauthorized": N_("The enclave at {url} did not accept the token (401: wrong, expired or revoked). Ask the enclave's administrator for a new agency token and put it in LINKAGE_TOKEN or --token-file."),
    "transfer.forbidden": N_("The enclave at {url} refused this token for that request (403: {reason}). Use your agency's own token, not a researcher's or a project-scoped one."),
    "transfer.not_found": N_("The enclave at {url} has nothing there for your agency (404: {reason}). Check the address, and for an upload the project number (--project or the package's manifest) and that the project asks for your agency's data."),
    "transfer.conflict": N_('The enclave at {url} refused the package as a conflict (409: {reason}). If it holds a different package with the same id, prepare a new package with `linkage prepare`; if the project is not waiting for data, ask the steward.'),
    "transfer.too_large": N_("The package is larger than the enclave at {url} accepts (413: {reason}). Ask the enclave's operators to raise the limit, or prepare the file in parts."),
    "transfer.refused": N_('The enclave at {url} refused the request ({status}: {reason}). Fix what it says and send again.'),
    "transfer.server_error": N_("The enclave at {url} failed to answer ({status}: {reason}). Try again later; if it persists, tell the enclave's operators."),
    "transfer.unreachable": N_('Cannot reach the enclave at {url} after {attempts} attempt(s) ({reason}). Check the address, your network and proxy, then run the command again; a package already received is not stored twice.'),
    "transfer.tls": N_("The TLS connection to {url} failed ({reason}); nothing was sent. Check the address, or give the enclave's CA certificate with --ca-file."),
    "transfer.bad_answer": N_("The server answered ({status}) with something that is not the enclave's API. Check that --to points at the enclave itself."),
    "transfer.receipt_mismatch": N_("The enclave's receipt names a different SHA-256 than the file sent. Do not count the package as delivered; send it again and tell the enclave's operators."),
    # fetched public keys
    "keys.document_malformed": N_('The keys document is not {{"keys": [...]}} with at least one key; nothing was written. Check that the URL is the enclave\'s.'),
    "keys.refused": N_("Refused the published keys ({count} problem(s)); nothing was written. Do not seal packages to these keys; ask the enclave's operators:"),
    "keys.entry_malformed": N_('{at} lacks a known party (enclave, linkage-unit), use (sealing, signing), PEM text or fingerprint'),
    "keys.wrong_algorithm": N_('{label} must be an {expected} key'),
    "keys.not_that_key": N_('{label}: the PEM text is not an {expected} public key'),
    "keys.fingerprint_differs": N_("{label}: the published fingerprint differs from the key's own ({computed})"),
    "keys.listed_twice": N_('{label} is listed twice'),
    "keys.pin_differs": N_('{label}: fingerprint {computed}, but --expect pinned {expected}'),
    "keys.pin_missing": N_('{label} is pinned with --expect but not published'),
    "keys.pin_malformed": N_('--expect must look like PARTY.USE=sha256:..., with PARTY.USE one of {known}'),
    "keys.pin_twice": N_('--expect gives two fingerprints for {label}'),
    # identification-risk pre-check (stage 2 at the agency)
    "precheck.none": N_("identification-risk pre-check: none declared by the identifier policy (add a 'precheck' section to run one)"),
    "precheck.pass": N_('PASS'),
    "precheck.flagged": N_('FAIL'),
    "precheck.fail": N_("FAIL — the enclave's steward will see this package flagged"),
    "precheck.summary": N_('identification-risk pre-check on {columns}: {verdict}\n  {records} records in {classes} classes; smallest class {smallest}; in classes below k={k}: {below} ({below_share}, limit {below_limit}); unique: {unique} ({unique_share}, limit {unique_limit})'),
    # progress bars and report headings
    "progress.prepare": N_('preparing records'),
    "progress.link": N_('linking passes'),
    "report.title": N_('Linkage quality report'),
    "report.records": N_('Records per agency'),
    "report.passes": N_('Passes (strict to loose)'),
    "report.pairs": N_('Match rate per agency pair'),
    "report.invalid": N_('Invalid identifiers (counted, never shown)'),
    "report.clusters": N_('Linked persons by number of agencies'),
    # merged from branches that still wrote {en, ko} entries
    'link.bad_probabilistic': N_("The packages' probabilistic section has {count} problem(s). Ask the agencies to prepare again with the project's current identifier policy."),
    # merged from branches that still wrote {en, ko} entries
    'keys.needs_passphrase': N_("The private keys of '{name}' in {path} are encrypted and no passphrase was given. Set {env} to the passphrase chosen at `linkage keygen`, or run the command at a terminal to be asked for it."),
    'keys.wrong_passphrase': N_('The passphrase does not open the private key {path}. Give the passphrase chosen at `linkage keygen`; it cannot be recovered, so if it is lost, make new keys and register their public halves again.'),
    'keys.no_new_passphrase': N_('Private keys are encrypted by default, and no passphrase was given. Set {env} to a passphrase, run `linkage keygen` at a terminal to be asked for one, or pass --unencrypted to keep them in clear (only where the disk itself is protected).'),
    'keys.prompt_new': N_('Passphrase for the new private keys'),
    'keys.prompt': N_("Passphrase of the private keys of '{name}'"),
    'package.malformed_manifest': N_('The manifest of package {source} is malformed ({problems}). Do not use it; ask the sender to prepare and send it again with the current linkage tool.'),
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the current language (see :mod:`translation`).

    Args:
        message_id: Key of :data:`MESSAGES`.
        **params: Values for the message's ``{placeholders}``: names, counts,
            ids and paths, never record values.

    Returns:
        The formatted message, in English where the catalogue has no translation.

    Raises:
        KeyError: ``message_id`` is not in :data:`MESSAGES` (a programming error).
    """
    return CATALOGUE.gettext(MESSAGES[message_id], **params)
