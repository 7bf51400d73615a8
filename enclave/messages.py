"""User-facing text of the enclave service, in one place so it can be translated.

Every message a person reads — CLI output, error messages, page flashes — is
looked up here by id. The English is the msgid of the ``enclave`` catalogue
(``enclave/locale/ko/LC_MESSAGES/enclave.po``), shared by ``enclave.web``,
``enclave.hub`` and ``enclave.privacy``; :mod:`translation` picks the language.
"""

from __future__ import annotations

from pathlib import Path

from translation import N_, NP_, Catalogue

__all__ = ["CATALOGUE", "LABELS", "MESSAGES", "label", "text"]

CATALOGUE = Catalogue("enclave", Path(__file__).resolve().parent / "locale")

MESSAGES: dict[str, str] = {
    # settings and start-up
    "settings.bad_mode": N_("ENCLAVE_MODE must be 'development' or 'production'; it is set to something else. Fix the variable and start again."),
    "settings.workspaces_inside_data": N_('ENCLAVE_WORKSPACES_DIR lies inside the data folder, which workspace accounts must not enter. Choose a folder outside ENCLAVE_DATA_DIR, or leave it empty for <data folder>-workspaces.'),
    "settings.bad_isolation": N_("ENCLAVE_HUB_ISOLATION must be 'auto', 'accounts' or 'none'. Fix the variable and start again."),
    "settings.bad_egress": N_("ENCLAVE_HUB_EGRESS must be 'auto', 'nftables' or 'none'. Fix the variable and start again."),
    "settings.bad_workers": N_('ENCLAVE_WEB_WORKERS must be 0 (two per CPU core plus one) or a positive number of worker processes. Fix the variable and start again.'),
    "settings.bad_uid_base": N_('ENCLAVE_HUB_UID_BASE must be between 1000 and 2137483647: workspace accounts take the ten million ids above it. Choose a range no local account or group uses.'),
    "settings.bad_int": N_('{name} must be a whole number. Fix the variable and start again.'),
    "settings.bad_switch": N_("{name} must be 'on' or 'off'. Fix the variable and start again."),
    "settings.bad_positive": N_('{names} must be whole numbers of at least 1. Fix the variable and start again.'),
    "settings.missing_key_file": N_('No key file at {path}. Create one with `enclave init`, or point ENCLAVE_KEY_FILE at the existing key file.'),
    "settings.dev_secret": N_('ENCLAVE_SECRET_KEY is the development default, which is refused in production mode. Remove the variable (the key file\'s own secret is then used) or set a long random value, e.g. from `python -c "import secrets; print(secrets.token_urlsafe(48))"`.'),
    "settings.short_secret": N_("ENCLAVE_SECRET_KEY is shorter than 32 characters, which is refused in production mode. Set a long random value or remove the variable to use the key file's secret."),
    # database
    "db.unreachable": N_('Cannot reach the database at {url}. Check ENCLAVE_DATABASE_URL and that the database server is running.'),
    "db.newer_schema": N_('The database schema (revision {revision}) is newer than this version of the enclave understands. Upgrade the enclave software; nothing was changed.'),
    "db.not_initialized": N_('The database has not been set up yet. Run `enclave init` first.'),
    # keys and storage
    "keys.bad_key_file": N_('The key file at {path} is not a valid enclave key file. Restore it from your backup, or point ENCLAVE_KEY_FILE at the right file.'),
    "keys.wrong_key_file": N_('Data key {key_id} cannot be unwrapped with the key file in use: it is the wrong key file for this database. Point ENCLAVE_KEY_FILE at the key file created with this database.'),
    "keys.shredded": N_('Data key {key_id} was shredded on {when}; the data it protected can no longer be read.'),
    "keys.unknown": N_('There is no data key {key_id}. Create the dataset or project first.'),
    "keys.key_file_exists": N_('A key file already exists at {path}; it was left unchanged.'),
    "store.integrity": N_('Stored object {object_id} failed its integrity check: the file was altered, truncated or swapped with another. Restore it from backup; it was not read.'),
    "store.missing": N_('Stored object {object_id} does not exist.'),
    "store.bad_id": N_("Object ids may use letters, digits, '.', '_' and '-' only."),
    # users
    "users.duplicate": N_('A user named {username} already exists. Choose another name; nothing was changed.'),
    "users.unknown": N_('There is no user named {username}. List users with `enclave users list`.'),
    "users.bad_role": N_('Role must be one of: {roles}.'),
    "users.bad_name": N_("User names are 3 to 64 characters: lower-case letters, digits, '.', '_' and '-'."),
    "users.weak_password": N_('Passwords must have at least 12 characters.'),
    "users.agency_needs_code": N_("An agency user needs --agency with the agency's code (for example 'welfare')."),
    "users.login_failed": N_('The user name or password is wrong, or the account is disabled.'),
    "users.second_factor_required": N_('This account needs a one-time code from its authenticator app.'),
    "users.bad_totp": N_('The one-time code is wrong, expired or already used. Wait for the next code in your authenticator app and try again.'),
    "users.bad_token": N_('The API token is unknown, expired or revoked. Ask a steward or admin for a new one.'),
    "users.forbidden": N_('Your role ({role}) may not do this.'),
    "users.added": N_('Added {role} {username}.'),
    "users.disabled": N_('Disabled {username}; their tokens were revoked.'),
    "users.totp_enrol": N_('Second factor for {username}: add this URI to an authenticator app (shown once):'),
    "users.token_issued": N_('API token for {username} (shown once; only its hash is stored):'),
    # audit
    "audit.intact": N_('Audit log intact: {count} events, chain and MACs verified.'),
    "audit.broken": N_('Audit log BROKEN at event #{seq}: {reason}. Preserve the database as evidence and inform the security officer.'),
    "audit.reason.changed": N_('its content was changed'),
    "audit.reason.mac": N_('its MAC does not match (forged or re-hashed)'),
    "audit.reason.link": N_('it does not follow the event before it (reordered or an event removed)'),
    "audit.reason.gap": N_('this event is missing (deleted)'),
    "audit.reason.tail": N_('events after it are missing (deleted from the end)'),
    "audit.append_only": N_('The audit log is append-only: events cannot be changed or deleted.'),
    # init and demo
    "init.done": N_('Enclave ready: data folder {data_dir}, database {database}, key file {key_file}.'),
    "keys.rotated": N_('Re-wrapped {count} data keys under the new key-encryption key {kek_id}; no data was re-encrypted.'),
    "cli.error": N_('Error: {message}'),
    "serve.production": N_('Enclave serving on http://{host}:{port}/ with gunicorn, {workers} worker processes (SIGTERM or Ctrl+C stops it after the requests under way).'),
    "serve.development": N_("Enclave serving on http://{host}:{port}/ with Werkzeug's development server, one process (Ctrl+C stops it). For several people, run it in production mode without --dev-server: gunicorn."),
    # catalog
    "catalog.bad_name": N_("Dataset names are lower-case letters, digits and '_', starting with a letter."),
    "catalog.no_title": N_('Give the dataset a title.'),
    "catalog.bad_coverage": N_('The coverage period ends before it starts.'),
    "catalog.no_variables": N_('Describe at least one variable.'),
    "catalog.bad_variable": N_("Variable {position} needs a name of lower-case letters, digits and '_'."),
    "catalog.duplicate_variable": N_('Variable {name} is listed twice.'),
    "catalog.bad_type": N_('Variable {name} has an unknown type; use one of {types}.'),
    "catalog.duplicate": N_('This agency already has a dataset named {name}; nothing was changed.'),
    # parties, intake, linkage unit
    "parties.bad_code": N_("Agency codes are 2 to 64 lower-case letters, digits, '_' and '-', starting with a letter (not 'enclave' or 'linkage-unit'). Use the name the agency's partner tool signs with."),
    "parties.bad_key": N_('That is not an Ed25519 public key in PEM format. Send the file `linkage keygen` wrote as <agency>.signing.pub.pem.'),
    "parties.no_linkage_unit_keys": N_("The linkage unit's public keys are missing from the enclave's parties folder. Run `enclave init` (it exchanges keys with the linkage unit) and try again."),
    # agency registry
    "agencies.no_name": N_("Give the agency's name as people know it."),
    "agencies.duplicate": N_('Agency {code} is registered already; nothing was changed. To give it a new signing key, rotate its key instead.'),
    "agencies.key_in_use": N_('The signing key {fingerprint} is registered already (for this or another agency, now or before); nothing was changed. Ask the agency to generate a new key pair with `linkage keygen`.'),
    "agencies.unknown": N_('No agency is registered with code {code}. See `enclave agencies list` for the codes.'),
    "agencies.revoked": N_('Agency {code} is revoked; a revoked agency cannot be changed or brought back. Register the organisation again under a new code if it is to take part again.'),
    "agencies.not_active": N_('No active agency is registered with code {code}. An admin registers it first (`enclave agencies add` or the Agencies page); then add its users and datasets.'),
    "agencies.registered": N_('Registered agency {code} ({name}); its signing key is trusted by the enclave and the linkage unit.'),
    "agencies.fingerprint": N_('Signing key fingerprint: {fingerprint}'),
    "agencies.confirm_out_of_band": N_('Read this fingerprint back to the agency by telephone or letter, and compare it with the one `linkage keygen` printed there, before it sends packages.'),
    "agencies.rotated": N_('Agency {code} has a new signing key; packages signed with the old key are refused from now on.'),
    "agencies.revoke_confirm": N_('Revoke agency {code}? Its keys will no longer be trusted, its users will be disabled, and it cannot be undone.'),
    "agencies.revoked_done": N_('Revoked agency {code}: its keys are no longer trusted and its {users} user(s) are disabled.'),
    "catalog.long_title": N_('Keep the title to 300 characters; put the rest in the description.'),
    "catalog.bad_rows": N_('The row count cannot be negative.'),
    "catalog.imported": N_('Described dataset {id} ({agency}/{name}) in the catalog with {variables} variables.'),
    "catalog.unknown": N_('Dataset {id} is not in the catalog. See `enclave catalog list`.'),
    "intake.misaddressed": N_('This package was prepared for another project or another agency. Prepare it again for this project with your own agency code.'),
    "intake.too_large": N_('The upload is larger than the limit of {limit_mb} MiB; nothing was kept. Split the file or ask the operator to raise ENCLAVE_UPLOAD_MAX_MB.'),
    "intake.truncated": N_('The upload ended after {received} of {expected} bytes; nothing was kept. Send the package again.'),
    "intake.checksum": N_("The package's SHA-256 does not match the one you declared; nothing was kept. Send the package again; if it keeps failing, prepare it again."),
    "intake.replayed": N_('A different package with this package id arrived before; nothing was kept. Prepare a new package and send that.'),
    "intake.not_requested": N_("This project does not request your agency's data, or is not yet approved; nothing was kept."),
    "intake.unknown_kind": N_('This is a {kind} package; agencies upload match_keys and content packages only.'),
    "linkage_unit.too_few": N_('Match keys from at least two agencies are needed before linking.'),
    # linkage unit as its own service, and linkage maps arriving at the enclave
    "linkage_unit.separate": N_('This enclave uses a separate linkage unit at {url}; the in-process linkage unit is not opened. Do this at the linkage unit (`enclave linkage-unit ...` on its machine).'),
    "intake.match_keys_elsewhere": N_('This is a match-key package: it belongs to the linkage unit at {url}, not to the enclave; nothing was kept. Upload it there (`linkage upload PACKAGE --to {url}`).'),
    "linkage_map.not_linkage_unit": N_("Only the linkage unit's account delivers linkage maps; nothing was kept. Use the token the enclave issued to the linkage unit's account."),
    "linkage_map.embedded": N_('This enclave links in-process (ENCLAVE_LINKAGE_UNIT_URL is empty), so it accepts no linkage map over the API; nothing was kept. Set ENCLAVE_LINKAGE_UNIT_URL to use a separate linkage unit.'),
    "linkage_map.unknown_project": N_("The enclave has no such project, so the linkage map was not kept. Check the project number with the enclave's stewards."),
    "linkage_map.misaddressed": N_('This linkage map was made for another project; nothing was kept. Deliver each map to the project it was linked for.'),
    "linkage_map.no_quality": N_('The linkage map carries no readable quality report; nothing was kept. Link again with this version of the linkage unit.'),
    "parties.bad_linkage_unit_key": N_("The linkage unit's {use} key is not a public key of the right kind in PEM (signing: Ed25519, sealing: X25519); nothing was registered. Use the files or URL the linkage unit publishes."),
    "parties.keys_unreachable": N_('Could not reach {url}. Check the address and that the service is running, or register the keys from files.'),
    "parties.keys_not_published": N_("{url} did not answer with the expected public keys; nothing was registered. Check that it is the right service's address."),
    "parties.linkage_unit_keys_missing": N_('No linkage unit key is registered with this enclave. Run `enclave init`, or `enclave linkage-unit-keys import` for a separate linkage unit.'),
    "parties.linkage_unit_key_source": N_('Give either --url (or set ENCLAVE_LINKAGE_UNIT_URL), or both --signing-key and --sealing-key.'),
    "parties.linkage_unit_key_imported": N_("Registered the linkage unit's {use} key, fingerprint {fingerprint}. Compare it with `enclave linkage-unit status` on the linkage unit's machine."),
    "lu.bad_mode": N_("LINKAGE_UNIT_MODE must be 'development' or 'production'. Fix the variable and start again."),
    "lu.not_initialized": N_('The linkage unit has not been set up in LINKAGE_UNIT_DATA_DIR. Run `enclave linkage-unit init` first.'),
    "lu.init_done": N_("Linkage unit ready: folder {data_dir}, database {database}. Its public keys' fingerprints:"),
    "lu.serving": N_('Linkage unit serving on {url} (Ctrl+C stops it).'),
    "lu.bad_token_name": N_("Token holders are named with lower-case letters, digits, '.', '_' and '-'."),
    "lu.one_holder": N_('Give exactly one of --agency CODE or --operator NAME.'),
    "lu.token_issued": N_('Token for {holder} {name} (shown once; only its hash is kept):'),
    "lu.token_revoked": N_('Token {id} revoked.'),
    "lu.no_token": N_('There is no such token. See `enclave linkage-unit tokens list`.'),
    "lu.token_required": N_("Send a linkage-unit token as 'Authorization: Bearer <token>'. Its operator issues them with `enclave linkage-unit tokens add`."),
    "lu.wrong_holder": N_('A token of an {holder} may not do this here.'),
    "lu.checksum_header": N_("Send the package's SHA-256 in the X-Content-SHA256 header (64 hex digits)."),
    "lu.content_belongs_to_enclave": N_("This is a content package: it belongs to the enclave, not to the linkage unit, which takes match keys only; nothing was kept. Upload it to the enclave's URL."),
    "lu.server_error": N_('The linkage unit could not complete the request; nothing was changed. Tell its operator the time of the request.'),
    "lu.http_error": N_('The request was refused (HTTP {status}). See /api/v1/openapi.json for the routes and methods.'),
    "lu.trusted_agency": N_("Agency {code} trusted; its signing key's fingerprint is {fingerprint}. Confirm it with the agency by another channel."),
    "lu.trusted_enclave": N_("Linkage maps will be sealed to the enclave key with fingerprint {fingerprint}. Confirm it with the enclave's operator (`enclave keys public --kind sealing --fingerprint`)."),
    "lu.one_key_source": N_('Give exactly one of --url or --sealing-key.'),
    "lu.bad_enclave_key": N_('That is not an X25519 public key in PEM format; nothing was registered. Use `enclave keys public --kind sealing` on the enclave.'),
    "lu.no_enclave_key": N_('No enclave key is registered, so no linkage map can be sealed; nothing was linked. Run `enclave linkage-unit trust-enclave` first.'),
    "lu.no_enclave_url": N_("LINKAGE_UNIT_ENCLAVE_URL is empty, so the linkage map has nowhere to go; nothing was linked. Set it to the enclave's URL."),
    "lu.no_enclave_token": N_("No enclave token in {path}; nothing was linked. Ask the enclave's operator for the linkage unit account's token and put it in that file (mode 0600)."),
    "lu.enclave_unreachable": N_('Could not reach the enclave at {url}; the linkage run and its sealed map are kept here. Check the address and try `link` again.'),
    "lu.enclave_refused": N_('The enclave refused the linkage map (HTTP {status}): {message}'),
    "lu.linked": N_('Project {project} linked (run {run}); the enclave at {url} received the map of {rows} records.'),
    "lu.status_folder": N_('Linkage unit folder {data_dir}; delivers to {enclave_url}.'),
    "lu.confirm_destroy": N_('Delete every match-key package, linkage run and sealed map of project {project} held here?'),
    "lu.destroyed": N_('Deleted what the linkage unit held of project {project} ({files} files).'),
    "lu.status_missing": N_('(not registered: run trust-enclave)'),
    "lu.status_project": N_('  project {project}: {packages} match-key packages from {agencies} agencies, {runs} linkage runs'),
    # combination
    "combination.short_key": N_("The project's pseudonym key is shorter than 32 bytes. Use the key the project was created with."),
    "combination.map_columns": N_('The linkage map lacks the columns {columns}. Open it with LinkageMap.from_package.'),
    "combination.no_content": N_("No content tables were given. Open the agencies' content packages first."),
    "combination.bad_agency": N_("An agency name holds characters other than letters, digits, '-' and '_'. Use the agency codes from the content packages."),
    "combination.no_serial": N_("The content table of agency '{agency}' has no 'serial' column. Open it from the agency's content package."),
    "combination.reserved": N_("The content table of agency '{agency}' has reserved columns {columns}. It is not a content package; ask the agency to prepare again."),
    "combination.duplicate_serials": N_("The content of agency '{agency}' holds a serial twice, so it was not made by the partner tool. Ask the agency to prepare and upload it again."),
    "combination.single_dataset": N_("Project {project_id} asks for one dataset, so there is nothing to link or combine. Start the 'provide' step instead."),
    "combination.not_single": N_('Project {project_id} asks for datasets of several agencies: they are linked and combined, not provided one by one. Start the linkage instead.'),
    # provisioning
    "provisioning.missing_content": N_('Content has not arrived yet from: {agencies}.'),
    "provisioning.no_map": N_('There is no linkage map yet; run the linkage first.'),
    "provisioning.not_combined": N_("The project's data has not been combined yet."),
    "provisioning.no_review": N_('There is no such review.'),
    "provisioning.no_approved": N_('The project has no dataset approved for analysis yet.'),
    "provisioning.bad_decision": N_('Choose approve or return.'),
    "provisioning.fails_thresholds": N_("This report does not meet the policy's thresholds, so it cannot be approved. Return it for further processing."),
    "provisioning.replica_risky": N_("The replica's measured risk is above the policy's limit, so it may not leave the enclave."),
    # stage-4 jobs
    "jobs.unknown_kind": N_('There is no such kind of job. Choose one of: {kinds}.'),
    "jobs.not_found": N_('There is no such job, or you may not see it.'),
    "jobs.not_allowed": N_("Only a steward or admin who is not on the project's team may start or cancel its jobs. Ask another steward."),
    "jobs.already_active": N_('Job {job_id} ({kind}) of this project is already {state}; a project runs one stage-4 job at a time. Wait for it to end or cancel it; nothing was changed.'),
    "jobs.already_active_race": N_('Another stage-4 job of this project was started at the same moment; a project runs one at a time. Look at its jobs; nothing was changed.'),
    "jobs.cancel_already_requested": N_('Cancelling job {job_id} was already asked for; it stops at its next step.'),
    "jobs.already_finished": N_('Job {job_id} has already ended ({state}); nothing was changed.'),
    "jobs.abandoned": N_("The worker running this job stopped answering, {attempts} times; the job was given up and whatever it had begun was removed. Ask an operator to look at the workers' logs, then start it again."),
    "jobs.schema_changed": N_('The database schema is now revision {revision}, which this worker does not know. Upgrade the enclave software and start the worker again; no job was claimed.'),
    "jobs.kind_not_here": N_('This worker cannot run jobs of kind {kind}. Run a worker of the same software version as the service.'),
    "jobs.failed_unexpectedly": N_("The job failed unexpectedly; nothing it began was kept. Give an operator the error id {error_id}: the worker's log has the details. Then start the job again."),
    "jobs.worker_started": N_('Worker {worker_id} is waiting for stage-4 jobs (Ctrl+C stops it; a running job goes back to the queue).'),
    "jobs.worker_stopped": N_('Worker stopped after running {ran} jobs.'),
    "jobs.worker_claimed": N_('job {job_id}: {kind} of project {project_id}, attempt {attempt}, started'),
    "jobs.worker_ended": N_('job {job_id}: {kind} {state}'),
    "jobs.worker_recovered": N_('job {job_id}: {kind} was abandoned by its worker; now {state}'),
    "jobs.started": N_('Job {job_id} ({kind}) of project {project_id} is queued; a worker will start it.'),
    "jobs.cancelled": N_('Job {job_id} is cancelled.'),
    "jobs.cancel_requested": N_('Job {job_id} will stop at its next step; what it began is removed.'),
    "jobs.none": N_('No jobs.'),
    "jobs.ended_failed": N_('Job {job_id} failed: {error}'),
    "jobs.ended": N_('Job {job_id} ended: {state}.'),
    "jobs.needs_state": N_('The project is {state}; this job runs on a project in state {needed}. It cannot be started now; nothing was changed.'),
    "jobs.needs_content": N_('Content has not arrived yet from: {agencies}. Those agencies must upload their packages before linking or combining; nothing was changed.'),
    "jobs.needs_flow_combination": N_('Project {project_id} asks for one dataset, so there is nothing to link or combine. Start the provide job instead; nothing was changed.'),
    "jobs.needs_flow_provision": N_("Project {project_id} asks for several agencies' datasets: they are linked and combined. Start the link job instead; nothing was changed."),
    "jobs.needs_map": N_('The linkage map has not arrived yet. Run the link job first; nothing was changed.'),
    "jobs.needs_combined": N_("The project's data has not been combined yet. Run the combine job first; nothing was changed."),
    "jobs.needs_review": N_('A synthetic replica is built from the approved data: an independent steward must approve the risk review (adequacy review) first; nothing was changed.'),
    # exports
    "exports.no_title": N_('Give the export request a title.'),
    "exports.count": N_('An export request holds between 1 and {most} outputs.'),
    "exports.names": N_('Every output needs a name, and names must differ within a request.'),
    "exports.not_found": N_('There is no such export request or output, or you may not see it.'),
    "exports.not_in_review": N_('The export request is {state}, so it cannot be reviewed or changed now.'),
    "exports.already_voted": N_('You have already voted on this output; your vote stands and nothing was changed.'),
    "exports.bad_decision": N_('Choose approve, reject or request_changes.'),
    # projects
    "projects.no_datasets": N_('Choose at least one dataset from the catalog.'),
    "projects.unknown_dataset": N_('Dataset {dataset_id} is not in the catalog.'),
    "projects.unknown_variable": N_('Dataset {dataset} has no variable {variable}.'),
    "projects.no_variables": N_('Choose at least one variable of dataset {dataset}.'),
    "projects.no_purpose": N_('Describe the purpose of the project.'),
    "projects.no_title": N_('Give the project a title.'),
    "projects.retention_past": N_('The retention end must be in the future.'),
    "projects.team_entry": N_('Team entry {number} is not the user name of an active researcher; correct it and apply again.'),
    "projects.bad_retention_end": N_('Write the retention end as a date, YYYY-MM-DD.'),
    "projects.title_too_long": N_('Shorten the title to at most {most} characters.'),
    "projects.not_found": N_('There is no such project, or you may not see it.'),
    "projects.already_decided": N_('This was already decided ({decision}); nothing was changed.'),
    "projects.wrong_state": N_('The project is {state}, so this cannot be done now.'),
    "projects.not_your_data": N_("This application does not request your agency's data."),
    "projects.agencies_pending": N_('Every agency must decide on its part before a steward approves; still waiting for: {agencies}.'),
    "projects.conflict_of_interest": N_('You belong to this project, so you may not decide on it. Ask another steward.'),
    "projects.destroyed": N_('Project {project_id} was destroyed on {when}; its data and keys no longer exist.'),
    "projects.comment_required": N_('Say why in a comment when you decline.'),
    "projects.wrong_state_next": N_('The project is {state}, so this cannot be done now. {next}'),
    "projects.next.applied": N_('First every agency whose data is requested, then a steward not on the team, must approve the application.'),
    "projects.next.approved": N_("First the agencies' data must be linked and combined, and a steward must approve its risk review as adequate."),
    "projects.next.provisioned": N_('First a steward not on the team must open the workspace.'),
    "projects.next.active": N_('First the lead researcher or a steward must close the project.'),
    "projects.next.closing": N_('Only its destruction, by a steward not on the team, remains.'),
    "projects.next.declined": N_('The application was declined; only its destruction, by a steward not on the team, remains.'),
    "projects.next.destroyed": N_('Its data and keys were destroyed; nothing more can be done.'),
    "projects.no_certificate": N_('Project {project_id} has no destruction certificate yet; a steward must destroy the project first.'),
    # merged from branches that still wrote {en, ko} entries
    'projects.key_variable_not_requested': N_("Key variable '{variable}' is not among the variables requested; request it or leave it out of the key variables."),
    'provisioning.undecided_needs_comment': N_("Some attack limits of this report are inconclusive at the data's size. Say in the comment why you approve it anyway, or return it."),
    # merged from branches that still wrote {en, ko} entries
    'web.not_utf8': N_('The request holds text that is not UTF-8, or a NUL character (in the address, a form field, a file name or the JSON body); nothing was changed. Send the text encoded as UTF-8, without NUL, and try again.'),
    'web.json_too_deep': N_('The JSON body is nested too deeply to read; nothing was changed. Send the fields the API documents at /api/v1/openapi.json.'),
    # merged from branches that still wrote {en, ko} entries
    'users.signed_out': N_('Signed {username} out everywhere: {count} sessions ended.'),
    'users.password_changed': N_('Password of {username} changed; {count} other sessions ended.'),
    'users.wrong_password': N_('The current password is not right; type it again.'),
    'sessions.ended': N_('Your session has ended; log in again.'),
    'audit.reason.empty': N_('the log is empty, yet `enclave init` records the first event: every event was deleted. Compare the database with the anchor kept outside the machine (`enclave audit verify --anchor LINE`)'),
    'audit.reason.head_missing': N_('the head file {head} is missing although events exist, so events may have been cut from the end. Check the log against the anchor kept outside the machine (`enclave audit verify --anchor LINE` or `--checkpoints FOLDER`)'),
    'audit.reason.head_unreadable': N_('the head file {head} is not a head file (overwritten)'),
    'audit.reason.signature': N_("its signature does not verify with the enclave's public key (forged)"),
    'audit.reason.stale_head': N_('the head file {head} is older than this checkpoint, so it was put back from a copy after events were cut (only if the service stopped abruptly right after this checkpoint does the next event heal it); check the log against the anchor kept outside the machine'),
    'audit.reason.anchor_signature': N_("the anchor given was not signed by this enclave's key; check that the whole line was copied"),
    'audit.anchor_bad_line': N_('That is not an anchor line; give the whole line `enclave audit anchor` printed (enclave-audit-head/1 seq=… hash=… signature=…).'),
    'audit.anchor_bad_folder': N_('{name} in the checkpoint folder is not an exported checkpoint; move it out and try again.'),
    'audit.anchor_conflict': N_('The checkpoint folder already holds a different checkpoint #{seq}: the log and the export disagree. Run `enclave audit verify --checkpoints FOLDER`, preserve both as evidence and inform the security officer.'),
    'audit.exported': N_('Exported {written} new checkpoints to {folder} ({total} in the log).'),
    'audit.anchor_unsigned': N_('This audit log has no signing key; its anchors cannot be checked outside the machine.'),
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


# Display names of stored values (enum values and state strings) shown on pages.
LABELS: dict[str, str] = {
    # roles
    "researcher": N_("researcher"),
    "steward": N_("steward"),
    "agency": N_("agency"),
    "admin": N_("administrator"),
    "system": N_("system"),
    # audit outcomes
    "ok": N_("done"),
    "denied": N_("denied"),
    "error": N_("error"),
    "duplicate": N_("duplicate"),
    "linkage_unit": N_("Linkage unit"),
    "operator": N_("operator"),
    # decisions and reviews
    "pending": N_("pending"),
    "approved": N_("approved"),
    "declined": N_("declined"),
    "returned": N_("returned"),
    "approve": N_("approve"),
    "reject": N_("reject"),
    "request_changes": N_("request changes"),
    "needs_third_review": N_("needs a third review"),
    # projects
    "applied": N_("applied"),
    "provisioned": N_("data provisioned"),
    "active": NP_("status", "active"),
    "closing": N_("closing"),
    "destroyed": N_("destroyed"),
    "provision": N_("provision"),
    "combination": N_("combination"),
    # export requests and outputs
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "in_review": N_("in review"),
    "changes_requested": N_("changes requested"),
    "released": N_("released"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "pass": N_("pass"),
    "fail": N_("fail"),
    "review": N_("needs review"),
    "table": N_("table"),
    "summary": N_("summary"),
    "histogram": N_("histogram"),
    "model": N_("model"),
    "file": N_("file"),
    # jobs
    "queued": N_("queued"),
    "running": N_("running"),
    "succeeded": N_("succeeded"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    # keys and agencies
    "retired": N_("retired"),
    "revoked": NP_("status", "revoked"),
    # variable types
    "category": N_("category"),
    "number": N_("number"),
    "integer": N_("integer"),
    "date": N_("date"),
    "text": N_("text"),
    "string": N_("text"),
    "boolean": N_("yes/no"),
}


def label(value: object) -> str:
    """Return the display name of a stored value in the current language (the value itself when unknown).

    ``agency:welfare`` (a decision's kind) reads as the label of ``agency`` followed by the code.

    Args:
        value: An enum member or its stored string.
    """
    raw = str(getattr(value, "value", value))
    head, _, rest = raw.partition(":")
    if rest and head in LABELS:
        return f"{CATALOGUE.gettext(LABELS[head])}: {rest}"
    return CATALOGUE.gettext(LABELS[raw]) if raw in LABELS else raw
