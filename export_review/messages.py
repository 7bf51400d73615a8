"""Every user-facing sentence of ``export_review``, looked up by id.

The English is the msgid of the ``export_review`` catalogue
(``export_review/locale/ko/LC_MESSAGES/export_review.po``); :mod:`translation`
picks the language (``ENCLAVE_LANG``, or the web request's). Parameters are
names, counts, labels and file names only, never record values.
"""

from __future__ import annotations

from pathlib import Path

from translation import N_, Catalogue, Message

__all__ = ["CATALOGUE", "MESSAGES", "reread", "text"]

CATALOGUE = Catalogue("export_review", Path(__file__).resolve().parent / "locale")

MESSAGES: dict[str, str] = {
    # --- outputs -----------------------------------------------------------
    "output.missing_columns": N_('The data has no column(s) {columns}. Check the spelling, or list the columns with df.columns.'),
    "output.not_frame": N_('Pass a pandas DataFrame as the data.'),
    "output.not_numeric": N_('Column {column} is not numeric. Convert it with pd.to_numeric before summarising it.'),
    "output.bad_statistic": N_('Unknown statistic {statistic}. Use count, sum, mean, median, std, var, min, max (or p25/p75 in summaries).'),
    "output.no_rows": N_('Give at least one row variable (index).'),
    "output.bad_labels": N_("The table's labels could not be read. Convert the grouping columns to plain text or numbers."),
    "model.bad_method": N_('Unknown model {method}. Use ols, logit or probit.'),
    "model.fit_failed": N_("The {method} model could not be fitted. Check the formula's column names and that the outcome varies; for logit/probit check for perfect separation."),
    "file.missing": N_('File {file} was not found. Save it first, then add it.'),
    "file.too_large": N_('File {file} is larger than the {limit}-byte limit. Release a smaller file (fewer rows, lower resolution).'),
    "file.unreadable": N_('File {file} could not be read. Check its permissions.'),
    # --- session -----------------------------------------------------------
    "session.unknown_output": N_('There is no output named {name}. See session.outputs for the names.'),
    "session.bad_name": N_("Output names may use letters, digits, '_', '-' and '.', must not start with '.', and are at most 100 characters."),
    "session.duplicate_name": N_("An output named {name} already exists. Choose another name, or call session.remove('{name}') first."),
    "session.summary_head": N_('Output {name} ({kind}): {status}'),
    "session.hint_table": N_("  Next: session.suppress('{name}') withholds the flagged cells (and any a total would reveal), or session.round('{name}', 10) rounds the counts; or regroup categories."),
    "session.hint_other": N_('  Next: change the analysis as the messages above say, or explain in the comment why it is safe.'),
    "session.advisory": N_('  (Checked in your session for advice; the enclave checks again when you submit.)'),
    "session.no_outputs_dir": N_("No folder given and ENCLAVE_OUTPUTS_DIR is not set. Pass a folder: session.save('outputs')."),
    "session.nothing_to_submit": N_('There are no outputs to submit. Make a table, model or file first.'),
    "session.submitted": N_('Export request {id} is {status} with {n} output(s). Two data stewards will review it.'),
    "status.pass": N_('passes the checks'),
    "status.review": N_("needs a checker's judgement"),
    "status.fail": N_('FAILS a disclosure check'),
    # --- mitigation --------------------------------------------------------
    "mitigation.bad_base": N_('The rounding base must be 2 or more (e.g. 5 or 10).'),
    "mitigation.round_counts_only": N_('Rounding applies to frequency tables only. For magnitude tables use suppression.'),
    "mitigation.tables_only": N_('{name} is not a table; suppression and rounding apply to tables only.'),
    # --- rules -------------------------------------------------------------
    "rule.min_count.pass": N_('Every released cell has at least {threshold} records.'),
    "rule.min_count.fail": N_('{n} cell(s) have fewer than {threshold} records: {cells}.'),
    "rule.dominance.pass": N_('No cell is dominated: the {n} largest contributors make less than {k}% of every total.'),
    "rule.dominance.fail": N_('The {n} largest contributors make {k}% or more of the total in: {cells}.'),
    "rule.dominance.negative": N_('Dominance cannot be judged where contributions are negative: {cells}. A checker must look.'),
    "rule.p_ratio.pass": N_('In every cell the other contributors add up to at least {p}% of the largest.'),
    "rule.p_ratio.fail": N_('The largest contribution could be estimated to within {p}% in: {cells}.'),
    "rule.zeros.pass": N_('No empty cells.'),
    "rule.zeros.found": N_('{n} cell(s) are zero: {cells}. Say in the comment whether these zeros are structural.'),
    "rule.missing.pass": N_('No missing values in the measured variables.'),
    "rule.missing.found": N_('{n} cell(s) were computed over missing values, which were left out: {cells}.'),
    "rule.negative.pass": N_('No negative contributions.'),
    "rule.negative.found": N_('{n} cell(s) include negative contributions, so dominance rules cannot clear them: {cells}.'),
    "rule.dof.pass": N_('Residual degrees of freedom {dof} (at least {minimum} needed).'),
    "rule.dof.fail": N_('Residual degrees of freedom {dof} is below {minimum}: the model nearly reproduces its records. Use more records or fewer parameters.'),
    "rule.bins.pass": N_('Every non-empty bin has at least {threshold} records.'),
    "rule.bins.fail": N_('{n} bin(s) have fewer than {threshold} records: {cells}. Use wider bins.'),
    "rule.extremes.pass": N_('No minimum or maximum is released.'),
    "rule.extremes.fail": N_("A minimum or maximum is one record's value: {cells}. Leave min/max out or report percentiles."),
    "rule.extremes.edges": N_("The outer bin edges are the data's minimum and maximum. Pass explicit bins or value_range chosen in advance."),
    "rule.identifiers.pass": N_('No identifiers found.'),
    "rule.identifiers.fail": N_('Something that looks like an identifier (RRN, phone number, pseudonym or birth date) is in: {where}. Remove it.'),
    "rule.identifiers.review": N_('A checker must look at: {where} (dates, or content that cannot be scanned).'),
    "location.line": N_('{where} line {line}'),
    "location.comment": N_('comment'),
    "location.name": N_('output name'),
    "location.cohort": N_('cohort description'),
    "location.variables": N_('variable names'),
    "location.coefficients": N_('coefficient names'),
    "location.unscannable": N_('{file} (not text, cannot be scanned)'),
    "rule.file_type.pass": N_('{file} is an allowed file type.'),
    "rule.file_type.not_allowed": N_('{file} is not an allowed file type. Allowed: {allowed}.'),
    "rule.file_type.mismatch": N_("{file}'s content does not match its extension. Save it again in the stated format."),
    "rule.consistency.pass": N_('The evidence agrees with the released figures.'),
    "rule.consistency.fail": N_('Released figures do not follow from the evidence (counts, totals or margins disagree). Re-create the output in a session.'),
    "rule.consistency.model": N_("The model's residual degrees of freedom do not fit its observations and parameters. Re-fit it in a session."),
    "rule.consistency.file": N_("{file}'s bytes do not match its recorded hash. Add the file again."),
    "rule.differencing.pass": N_('No released output isolates a small group when subtracted from this one.'),
    "rule.differencing.fail": N_('{n} cell(s) differ from an already released or co-submitted cell by fewer than {threshold} records (first: {other}): {pairs}. Use the same cohort and categories as the released output, or suppress these cells.'),
    "rule.differencing.pair": N_('{cell} vs {other}: {other_cell}'),
    # --- evidence / ledger -------------------------------------------------
    "evidence.not_object": N_('Evidence must be a JSON object. Re-save the output from a session.'),
    "evidence.schema": N_('This is not export-review evidence. Re-save the output from a session.'),
    "evidence.version": N_('Evidence of another format version; this library reads version {version}. Update export_review in the kernel.'),
    "evidence.missing_field": N_('Evidence field {field} is missing. Re-save the output from a session.'),
    "evidence.bad_field": N_('Evidence field {field} is malformed. Re-save the output from a session.'),
    "evidence.bad_name": N_('The output name is not a valid file name. Rename the output.'),
    "evidence.file_too_large": N_('The file is larger than the {limit}-byte limit. Release a smaller file.'),
    "ledger.invalid": N_("The release ledger could not be read. Restore it from the service's backup."),
    "review.duplicate_name": N_('Two outputs in this request share a name. Rename one and resubmit.'),
    # --- policy ------------------------------------------------------------
    "policy.invalid": N_('Disclosure policy {source} is invalid: {problems}. Fix these and load it again.'),
    "policy.unreadable": N_('Policy file {source} could not be read. Check the path and that it is UTF-8.'),
    "policy.not_yaml": N_('Policy file {source} is not valid YAML. Check indentation and quoting.'),
    "policy.not_mapping": N_('the file must be a mapping of keys to values'),
    "policy.unknown_key": N_('unknown key {where}'),
    "policy.schema": N_('schema must be 1'),
    "policy.mapping": N_('{where} must be a mapping'),
    "policy.unknown_rule": N_('unknown rule {where} (known: {known})'),
    "policy.unknown_param": N_('unknown parameter {where}'),
    "policy.override": N_('{where} may only hold rules, max_file_bytes and differencing_threshold'),
    "policy.int_at_least": N_('{where} must be a whole number of at least {low}'),
    "policy.fraction": N_('{where} must be a fraction above 0 and at most 1 (e.g. 0.9)'),
    "policy.status": N_('{where} must be review or fail'),
    "policy.bool": N_('{where} must be true or false'),
    "policy.strings": N_('{where} must be a list of non-empty texts'),
    "policy.regex": N_('{where} is not a valid regular expression'),
    # --- workflow ----------------------------------------------------------
    "workflow.no_transition": N_('An export request cannot go from {source} to {target}. From {source} it can go to: {allowed}.'),
    "workflow.wrong_actor": N_('Moving a request from {source} to {target} is not for the {actor}; it is done by: {allowed}.'),
    "review.no_reviewer": N_("A vote needs the reviewer's user name."),
    "review.self_review": N_('You requested {output}, so you cannot review it. Another data steward must.'),
    "review.already_voted": N_('You have already voted on {output}; your vote stands and nothing was changed.'),
    "review.closed": N_('The review of {output} is already decided ({outcome}); no more votes are taken.'),
    "review.comment_required": N_('The checks say {status} for {output}; to {decision} it anyway, write a comment explaining why.'),
    # --- release -----------------------------------------------------------
    "release.nothing_approved": N_('No output of this request is approved; there is nothing to release.'),
    "release.no_verdict": N_('Output {name} has no server-side verdict. Run the review before building the release.'),
    "release.duplicate_file": N_('Two approved outputs would both write {file}. Rename one.'),
    "release.bad_metadata": N_('Release metadata must be plain JSON values (text, numbers, lists, mappings).'),
    "release.bad_public_key": N_('The public key file is not an Ed25519 public key (PEM, or 32 bytes as hex or base64). Ask the enclave for its release key.'),
    "release.not_zip": N_('The package is not a readable zip file. Download it again.'),
    "release.too_many": N_('The package holds too many files to be a release. Do not use it.'),
    "release.no_manifest": N_('manifest.json or manifest.sig is missing'),
    "release.bad_manifest": N_('manifest.json is not a valid release manifest'),
    "release.bad_signature": N_('the signature does not match the manifest and this public key'),
    "release.added_file": N_('{file} was added (not in the manifest)'),
    "release.removed_file": N_('{file} was removed'),
    "release.changed_file": N_('{file} was changed'),
    "release.duplicate_member": N_('{file} appears more than once'),
    "release.unsafe_path": N_('{file} has an unsafe path'),
    "release.invalid": N_('The release package failed verification: {problems}. Do not use it; ask the enclave for a fresh copy.'),
    # --- client ------------------------------------------------------------
    "client.missing_env": N_("Cannot submit: {names} not set. Start the notebook from the enclave's JupyterHub, which sets them."),
    "client.bad_url": N_('ENCLAVE_API_URL must start with http:// or https://.'),
    "client.refused": N_('The enclave refused the export request (HTTP {status}): {detail}'),
    "client.no_detail": N_('no reason given. Try again, or ask a data steward.'),
    "client.unreachable": N_('The enclave service could not be reached. Check that the service is running and try again; nothing was submitted.'),
    "client.unexpected_status": N_('The enclave answered HTTP {status} instead of 201. Check the request list before submitting again.'),
    "client.bad_response": N_("The enclave's answer could not be read. Check the request list before submitting again."),
    # --- cli ---------------------------------------------------------------
    "cli.verified": N_('{package}: verified. {files} file(s), {outputs} output(s), signed by key {key} at {created}.'),
    "cli.verify_failed": N_('{package}: NOT verified. Do not use it.'),
    "cli.unreadable": N_('An evidence file could not be read as JSON. Re-save it from a session.'),
    # merged from branches that still wrote {en, ko} entries
    'recipe.bad_filter': N_('The cohort filter cannot be used: {reason} Write it as comparisons of columns with constants joined by and/or/not, e.g. age >= 65 and sex == "F".'),
    'filter.not_text': N_('it is not text.'),
    'filter.too_long': N_('it is longer than {most} characters.'),
    'filter.syntax': N_('it does not parse.'),
    'filter.construct': N_('it uses {construct}, which the filter language does not have.'),
    'recipe.filter_type': N_('The cohort filter compares column {variable} with a constant of another type. Compare numbers with numbers and text with quoted text.'),
    'recipe.unknown_variable': N_('The data has no column(s) {variable}. Use the columns of the approved dataset as read from data/, without renaming them.'),
    'recipe.unknown_version': N_('The recipe names a dataset version the project has no approved copy of. Re-read data/ in a fresh workspace and remake the output.'),
    'recipe.malformed': N_('The recipe field {field} is malformed. Remake the output through OutputSession.'),
    'recipe.bad_operation': N_("The recipe's operation {operation} is not one the service can recompute. Use the OutputSession methods."),
    'recipe.bad_formula': N_('The model formula may use column names, C(column), +, -, :, * and the constants 0 and 1 only. Derive other terms as columns of a regrouping, or ask a steward.'),
    'recipe.rounding_below_minimum': N_("A rounding base of {base} is below the policy's minimum of {minimum}. Round to {minimum} or more, or use suppression."),
    'recipe.not_computable': N_("The recipe could not be run on the enclave's copy of the data ({reason}). Remake the output through OutputSession on the data as read from data/."),
    'recipe.in_output': N_('Output {output}: {problem} Nothing was submitted.'),
    'rule.recomputation.pass': N_('The enclave recomputed this output from its own copy of the data; the figures agree.'),
    'rule.recomputation.differs': N_("The figures differ from the enclave's recomputation of the recipe ({n} difference(s): {where}). The checks ran on the enclave's figures; remake the output through OutputSession on the data as read from data/, with the cohort given as where=."),
    'rule.recomputation.no_recipe': N_('This output carries no recipe, so the enclave cannot recompute it and does not trust its evidence. Remake it through OutputSession.'),
    'rule.recomputation.file': N_('A custom file cannot be recomputed from the data; a steward must judge it from its content and comment.'),
    'rule.recomputation.no_data': N_('The project has no approved dataset to recompute from; a steward must judge this output.'),
    'rule.rounding.fail': N_("The counts are rounded to base {base}, below the policy's minimum of {minimum}."),
    'rule.category_support.pass': N_('Every category and dummy of the model is supported by at least {threshold} records.'),
    'rule.category_support.fail': N_('{n} model term(s) rest on fewer than {threshold} records ({terms}); a coefficient of a tiny group describes its members. Merge small categories or drop the term.'),
    'rule.linear.pass': N_('No set of fewer than the threshold of records follows from this output combined with the released ones.'),
    'rule.linear.fail': N_('Combined with earlier outputs ({others}), this output determines {n} group(s) of fewer than {threshold} records exactly (e.g. one total minus others). Use the same cohorts and categories as those outputs, or suppress more cells.'),
    'rule.linear.too_large': N_('The released tables of this project are too many to audit together quickly; a steward must check this output for differencing.'),
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the current language (see :mod:`translation`).

    Args:
        message_id: Key of :data:`MESSAGES`.
        **params: Values for the message's ``{placeholders}``: names, counts,
            ids and paths, never record values.

    Returns:
        The formatted message, in English where the catalogue has no translation; it keeps its id
        and parameters, so a stored check result can be shown again in its reader's language
        (see :func:`reread`).

    Raises:
        KeyError: ``message_id`` is not in :data:`MESSAGES` (a programming error).
    """
    return CATALOGUE.message(MESSAGES, message_id, **params)


def reread(message: str, message_id: str | None, params: dict[str, object] | None) -> str:
    """Return a stored message in the current language when its id is known, else as stored.

    Args:
        message: The text as it was stored.
        message_id: The id stored with it (None for results stored before ids were kept).
        params: The parameters stored with it.
    """
    if message_id in MESSAGES:
        return Message(CATALOGUE.gettext(MESSAGES[message_id], **(params or {})), message_id, params or {})
    return message
