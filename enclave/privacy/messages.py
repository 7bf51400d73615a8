"""User-facing text of ``enclave.privacy``, looked up by id.

Every exception message and every sentence of a risk report comes from
``MESSAGES``; the English is the msgid of the ``enclave`` catalogue, so stewards
read it in their language through :mod:`translation`. Parameters are column
names, counts, thresholds and file names; callers never pass record values.
"""

from __future__ import annotations

from pathlib import Path

from translation import N_, Catalogue, current_language

__all__ = ["CATALOGUE", "MESSAGES", "current_language", "text"]

CATALOGUE = Catalogue("enclave", Path(__file__).resolve().parents[1] / "locale")

MESSAGES: dict[str, str] = {
    # --- policy loading and validation ---------------------------------------
    "policy.unreadable": N_('The policy file {path} cannot be read ({reason}). Check the path and that it is UTF-8 YAML.'),
    "policy.not_mapping": N_("The policy file {path} must hold a YAML mapping with 'dataset', 'thresholds' and 'columns'. Fix the file and load it again."),
    "policy.invalid": N_('The pseudonymization policy has {count} problem(s); fix all of them and validate again:\n{problems}'),
    "policy.missing_key": N_("The policy lacks the required key '{key}'."),
    "policy.unknown_key": N_("The policy key '{key}' in {where} is not known; remove or correct it."),
    "policy.bad_role": N_("Column '{column}' has role '{role}'; use one of {allowed}."),
    "policy.bad_transform": N_("Column '{column}', step {step}: {reason}."),
    "policy.bad_hierarchy": N_("Column '{column}' has an unusable hierarchy: {reason}."),
    "policy.hierarchy_not_for_role": N_("Column '{column}' has a hierarchy but is not a quasi-identifier; hierarchies are searched only for quasi-identifiers."),
    "policy.threshold_range": N_("Threshold '{name}' must be {expected}; it is {actual}."),
    "policy.no_quasi_identifiers": N_('The policy names no quasi-identifier; risk cannot be measured without them.'),
    "policy.duplicate_agency_column": N_("Column '{column}' is listed under agency '{agency}' but does not exist in the policy."),
    "policy.unknown_column": N_("The data has column '{column}' that the policy does not mention; give it a role (use 'other' if it carries no risk) or drop it before processing."),
    "policy.missing_column": N_("The policy lists column '{column}' ({role}) but the data lacks it."),
    "policy.uncovered_values": N_("Column '{column}': {count} distinct value(s) in {rows} row(s) are not covered by its hierarchy (first row {first_row}); extend the hierarchy or fix the data."),
    "policy.not_numeric": N_("Column '{column}' needs numbers for '{step}' but {rows} row(s) are not numeric (first row {first_row})."),
    "policy.not_dates": N_("Column '{column}' needs dates (YYYY-MM-DD) but {rows} row(s) are not dates (first row {first_row})."),
    "policy.missing_values": N_("Quasi-identifier '{column}' has {rows} empty row(s) (first row {first_row}); fill them with an explicit 'unknown' category or remove the rows."),
    # --- transformations ------------------------------------------------------
    "transform.key_required": N_("Column '{column}' is replaced by project pseudonyms, which needs the project's pseudonym key; pass pseudonym_key (at least 32 bytes)."),
    "transform.key_too_short": N_('The pseudonym key has {length} bytes; use a key of at least 32 bytes.'),
    "transform.bad_level": N_("Column '{column}' has no generalization level {level}; its hierarchy has levels 0 to {top}."),
    # --- risk -----------------------------------------------------------------
    "risk.empty": N_('The data has no rows; there is nothing to measure.'),
    "risk.missing_columns": N_('The data lacks the column(s) {columns} named by the policy; validate the data against the policy first.'),
    "risk.population_too_small": N_('The population size {population} is smaller than the number of records {records}; give the size of the population the data was drawn from.'),
    # --- anonymization --------------------------------------------------------
    "anonymize.no_solution": N_("No generalization of the quasi-identifiers meets the thresholds within the suppression budget of {budget} record(s) (best found needs {needed}); raise the hierarchies' top levels, the budget, or lower k/l/t with the steward's agreement."),
    "anonymize.too_few_records": N_('The data has {records} record(s), fewer than k = {k}; no release can be k-anonymous.'),
    # --- attacks and replicas -------------------------------------------------
    "attack.too_few_rows": N_('The attack needs at least {needed} rows in each of the original, released and control tables; they have {ori}, {rel} and {ctl}.'),
    "attack.columns_differ": N_('The original, released and control tables must have the same columns; {count} column(s) differ ({columns}).'),
    "attack.failed": N_('The anonymeter {attack} attack could not run ({reason}); check the column types and try a smaller number of attacks.'),
    "replica.unknown_synthesizer": N_("Synthesizer '{name}' is not known; use 'gaussian_copula' or 'ctgan'."),
    "replica.too_few_rows": N_('A replica needs at least {needed} records to fit and hold out a control set; the data has {records}.'),
    "replica.failed": N_('The synthesizer could not be fitted ({reason}); check the column types.'),
    # --- review ---------------------------------------------------------------
    "review.not_independent": N_('The reviewer must be a different person from the one who ran the processing; ask another steward to review this risk report.'),
    "review.missing_person": N_('Both the person who ran the processing and the reviewer must be named.'),
    # --- risk report ----------------------------------------------------------
    "report.title": N_('Identification-risk report'),
    "report.meets": N_('The dataset meets every threshold of the policy. A steward other than {ran_by} may approve it.'),
    "report.fails": N_('The dataset does not meet {count} threshold(s) of the policy; return it for additional processing.'),
    "report.finding_k": N_('Smallest equivalence class has {actual} record(s); the policy requires k = {required}.'),
    "report.finding_l": N_("Sensitive attribute '{column}' has {kind} l-diversity {actual:.3g}; the policy requires l = {required}."),
    "report.finding_t": N_("Sensitive attribute '{column}' has t-closeness {actual:.3g}; the policy requires t ≤ {required}."),
    "report.finding_prosecutor": N_('Highest record-level re-identification (prosecutor) risk is {actual:.3g}; the policy allows at most {required}.'),
    "report.section_classes": N_('Equivalence-class sizes (number of classes of each size)'),
    "report.section_record_risk": N_('Records by prosecutor risk'),
    "report.section_loss": N_('Information loss by column (non-uniform entropy, 0 = none, 1 = all)'),
    "report.section_attacks": N_('Attack-based risks with confidence intervals'),
    "report.section_measures": N_('Risk measures'),
    "report.section_changes": N_('What changed per column'),
    "report.section_replica": N_('Synthetic replica'),
    "report.before": N_('before'),
    "report.after": N_('after'),
    "report.policy_hash": N_('Policy content hash'),
    "report.ran_by": N_('Processing run by'),
    "report.dataset": N_('Dataset'),
    "report.replica_may_release": N_("The replica's attack risks are under the policy threshold at their upper confidence bounds; it may leave the enclave once a steward approves it."),
    "report.replica_may_not_release": N_("The replica's attack risks are not all under the policy threshold at their upper confidence bounds; it must not leave the enclave."),
    # merged from branches that still wrote {en, ko} entries
    'report.meets_undecided': N_('The dataset meets every threshold that the data could decide; {count} attack limit(s) are inconclusive at this data size and are for the steward to judge. A steward other than {ran_by} may approve it, saying why in the comment.'),
    'report.undecided_attack': N_('The {attack} attack risk is {risk:.3g} with interval [{low:.3g}, {high:.3g}] (width {width:.3g}, {n} attacks), which straddles the limit {required}: inconclusive at this data size. Judge it from the attack and control rates below; the processing was not coarsened further on its account.'),
    'report.warning_one_value': N_("Quasi-identifier '{column}' has a single value left for every record: analyses that use it are not possible on this dataset."),
    'report.warning_key_coarsened': N_("Key variable '{column}' of the research plan was coarsened to '{level}' ({before} -> {after} distinct values) because finer levels could not meet the thresholds within the suppression budget."),
    'report.section_utility': N_('Utility: distribution of each quasi-identifier before and after processing'),
    'report.finding_attack': N_('The {attack} attack risk is at least {lower:.3g} (lower confidence bound, interval up to {upper:.3g}); the policy allows at most {required}.'),
}


def text(message_id: str, **params: object) -> str:
    """Return the text for ``message_id`` in the current language.

    Args:
        message_id: Key of ``MESSAGES``.
        **params: Values for the placeholders of the text (never record values).

    Returns:
        The formatted sentence; the id itself when it is unknown, and a
        placeholder with no value left as its name.

    Example:
        >>> text("risk.empty")  # with ENCLAVE_LANG unset
        'The data has no rows; there is nothing to measure.'
    """
    return CATALOGUE.gettext(MESSAGES.get(message_id, message_id), **params)
