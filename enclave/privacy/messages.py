"""User-facing text of ``enclave.privacy`` in English and Korean.

Every exception message and every sentence of a risk report comes from
``MESSAGES`` so that stewards read it in their language and translators work
in one file. Parameters are column names, counts, thresholds and file names;
callers never pass record values.
"""

from __future__ import annotations

import os
import string

__all__ = ["MESSAGES", "current_language", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    # --- policy loading and validation ---------------------------------------
    "policy.unreadable": {
        "en": "The policy file {path} cannot be read ({reason}). Check the path and that it is UTF-8 YAML.",
        "ko": "정책 파일 {path}을(를) 읽을 수 없습니다({reason}). 경로와 UTF-8 YAML 형식인지 확인하십시오.",
    },
    "policy.not_mapping": {
        "en": "The policy file {path} must hold a YAML mapping with 'dataset', 'thresholds' "
        "and 'columns'. Fix the file and load it again.",
        "ko": "정책 파일 {path}은(는) 'dataset', 'thresholds', 'columns'를 가진 YAML 매핑이어야 "
        "합니다. 파일을 고친 뒤 다시 불러오십시오.",
    },
    "policy.invalid": {
        "en": "The pseudonymization policy has {count} problem(s); fix all of them and validate again:\n{problems}",
        "ko": "가명처리 정책에 문제가 {count}건 있습니다. 모두 고친 뒤 다시 검증하십시오:\n{problems}",
    },
    "policy.missing_key": {
        "en": "The policy lacks the required key '{key}'.",
        "ko": "정책에 필수 항목 '{key}'이(가) 없습니다.",
    },
    "policy.unknown_key": {
        "en": "The policy key '{key}' in {where} is not known; remove or correct it.",
        "ko": "{where}의 정책 항목 '{key}'은(는) 알 수 없는 항목입니다. 지우거나 고치십시오.",
    },
    "policy.bad_role": {
        "en": "Column '{column}' has role '{role}'; use one of {allowed}.",
        "ko": "열 '{column}'의 역할 '{role}'은(는) 잘못되었습니다. {allowed} 중 하나를 쓰십시오.",
    },
    "policy.bad_transform": {
        "en": "Column '{column}', step {step}: {reason}.",
        "ko": "열 '{column}', {step}번째 처리: {reason}.",
    },
    "policy.bad_hierarchy": {
        "en": "Column '{column}' has an unusable hierarchy: {reason}.",
        "ko": "열 '{column}'의 일반화 계층이 잘못되었습니다: {reason}.",
    },
    "policy.hierarchy_not_for_role": {
        "en": "Column '{column}' has a hierarchy but is not a quasi-identifier; hierarchies "
        "are searched only for quasi-identifiers.",
        "ko": "열 '{column}'은(는) 준식별자가 아닌데 일반화 계층이 있습니다. 일반화 계층은 준식별자에만 씁니다.",
    },
    "policy.threshold_range": {
        "en": "Threshold '{name}' must be {expected}; it is {actual}.",
        "ko": "임계값 '{name}'은(는) {expected}이어야 하는데 {actual}입니다.",
    },
    "policy.no_quasi_identifiers": {
        "en": "The policy names no quasi-identifier; risk cannot be measured without them.",
        "ko": "정책에 준식별자가 없습니다. 준식별자 없이는 식별위험을 측정할 수 없습니다.",
    },
    "policy.duplicate_agency_column": {
        "en": "Column '{column}' is listed under agency '{agency}' but does not exist in the policy.",
        "ko": "열 '{column}'이(가) 기관 '{agency}'에 적혀 있으나 정책에 없는 열입니다.",
    },
    "policy.unknown_column": {
        "en": "The data has column '{column}' that the policy does not mention; give it a "
        "role (use 'other' if it carries no risk) or drop it before processing.",
        "ko": "데이터의 열 '{column}'이(가) 정책에 없습니다. 역할을 정하거나(위험이 없으면 "
        "'other') 처리 전에 지우십시오.",
    },
    "policy.missing_column": {
        "en": "The policy lists column '{column}' ({role}) but the data lacks it.",
        "ko": "정책에는 열 '{column}'({role})이(가) 있으나 데이터에 없습니다.",
    },
    "policy.uncovered_values": {
        "en": "Column '{column}': {count} distinct value(s) in {rows} row(s) are not covered "
        "by its hierarchy (first row {first_row}); extend the hierarchy or fix the data.",
        "ko": "열 '{column}': 일반화 계층에 없는 값이 {count}종, {rows}행 있습니다(첫 행 "
        "{first_row}). 계층을 늘리거나 데이터를 고치십시오.",
    },
    "policy.not_numeric": {
        "en": "Column '{column}' needs numbers for '{step}' but {rows} row(s) are not numeric (first row {first_row}).",
        "ko": "열 '{column}'의 '{step}' 처리는 숫자가 필요하나 숫자가 아닌 행이 {rows}개 있습니다(첫 행 {first_row}).",
    },
    "policy.not_dates": {
        "en": "Column '{column}' needs dates (YYYY-MM-DD) but {rows} row(s) are not dates (first row {first_row}).",
        "ko": "열 '{column}'은(는) 날짜(YYYY-MM-DD)가 필요하나 날짜가 아닌 행이 {rows}개 있습니다(첫 행 {first_row}).",
    },
    "policy.missing_values": {
        "en": "Quasi-identifier '{column}' has {rows} empty row(s) (first row {first_row}); "
        "fill them with an explicit 'unknown' category or remove the rows.",
        "ko": "준식별자 '{column}'에 빈 값이 {rows}행 있습니다(첫 행 {first_row}). '미상' 같은 "
        "범주로 채우거나 행을 지우십시오.",
    },
    # --- transformations ------------------------------------------------------
    "transform.key_required": {
        "en": "Column '{column}' is replaced by project pseudonyms, which needs the "
        "project's pseudonym key; pass pseudonym_key (at least 32 bytes).",
        "ko": "열 '{column}'을(를) 프로젝트 가명으로 바꾸려면 프로젝트 가명 키가 필요합니다. "
        "pseudonym_key(32바이트 이상)를 넘기십시오.",
    },
    "transform.key_too_short": {
        "en": "The pseudonym key has {length} bytes; use a key of at least 32 bytes.",
        "ko": "가명 키가 {length}바이트입니다. 32바이트 이상의 키를 쓰십시오.",
    },
    "transform.bad_level": {
        "en": "Column '{column}' has no generalization level {level}; its hierarchy has levels 0 to {top}.",
        "ko": "열 '{column}'에는 일반화 수준 {level}이(가) 없습니다. 수준은 0부터 {top}까지 입니다.",
    },
    # --- risk -----------------------------------------------------------------
    "risk.empty": {
        "en": "The data has no rows; there is nothing to measure.",
        "ko": "데이터에 행이 없어 측정할 것이 없습니다.",
    },
    "risk.missing_columns": {
        "en": "The data lacks the column(s) {columns} named by the policy; validate the data against the policy first.",
        "ko": "정책에 있는 열 {columns}이(가) 데이터에 없습니다. 먼저 정책으로 데이터를 검증하십시오.",
    },
    "risk.population_too_small": {
        "en": "The population size {population} is smaller than the number of records "
        "{records}; give the size of the population the data was drawn from.",
        "ko": "모집단 크기 {population}이(가) 레코드 수 {records}보다 작습니다. 자료를 뽑은 "
        "모집단의 크기를 넣으십시오.",
    },
    # --- anonymization --------------------------------------------------------
    "anonymize.no_solution": {
        "en": "No generalization of the quasi-identifiers meets the thresholds within the "
        "suppression budget of {budget} record(s) (best found needs {needed}); raise the "
        "hierarchies' top levels, the budget, or lower k/l/t with the steward's agreement.",
        "ko": "억제 한도 {budget}건 안에서 임계값을 만족하는 준식별자 일반화가 없습니다(최선의 "
        "경우 {needed}건 필요). 계층의 최상위 수준이나 억제 한도를 높이거나, 관리자와 "
        "협의하여 k/l/t를 낮추십시오.",
    },
    "anonymize.too_few_records": {
        "en": "The data has {records} record(s), fewer than k = {k}; no release can be k-anonymous.",
        "ko": "레코드가 {records}건으로 k = {k}보다 적어 k-익명성을 만족할 수 없습니다.",
    },
    # --- attacks and replicas -------------------------------------------------
    "attack.too_few_rows": {
        "en": "The attack needs at least {needed} rows in each of the original, released "
        "and control tables; they have {ori}, {rel} and {ctl}.",
        "ko": "공격 평가에는 원본·공개·대조 표마다 최소 {needed}행이 필요하나 각각 {ori}, {rel}, {ctl}행입니다.",
    },
    "attack.columns_differ": {
        "en": "The original, released and control tables must have the same columns; "
        "{count} column(s) differ ({columns}).",
        "ko": "원본·공개·대조 표의 열이 같아야 하나 {count}개 열이 다릅니다({columns}).",
    },
    "attack.failed": {
        "en": "The anonymeter {attack} attack could not run ({reason}); check the column "
        "types and try a smaller number of attacks.",
        "ko": "anonymeter {attack} 공격을 실행할 수 없습니다({reason}). 열 형식을 확인하고 공격 횟수를 줄여 보십시오.",
    },
    "replica.unknown_synthesizer": {
        "en": "Synthesizer '{name}' is not known; use 'gaussian_copula' or 'ctgan'.",
        "ko": "합성기 '{name}'은(는) 알 수 없습니다. 'gaussian_copula' 또는 'ctgan'을 쓰십시오.",
    },
    "replica.too_few_rows": {
        "en": "A replica needs at least {needed} records to fit and hold out a control set; the data has {records}.",
        "ko": "합성 복제본은 학습과 대조군 분리에 최소 {needed}건이 필요하나 {records}건입니다.",
    },
    "replica.failed": {
        "en": "The synthesizer could not be fitted ({reason}); check the column types.",
        "ko": "합성기를 학습할 수 없습니다({reason}). 열 형식을 확인하십시오.",
    },
    # --- review ---------------------------------------------------------------
    "review.not_independent": {
        "en": "The reviewer must be a different person from the one who ran the processing; "
        "ask another steward to review this risk report.",
        "ko": "검토자는 처리를 실행한 사람과 달라야 합니다. 다른 관리자에게 이 위험 보고서의 검토를 요청하십시오.",
    },
    "review.missing_person": {
        "en": "Both the person who ran the processing and the reviewer must be named.",
        "ko": "처리 실행자와 검토자를 모두 적어야 합니다.",
    },
    # --- risk report ----------------------------------------------------------
    "report.title": {
        "en": "Identification-risk report",
        "ko": "식별위험 평가 보고서",
    },
    "report.meets": {
        "en": "The dataset meets every threshold of the policy. A steward other than {ran_by} may approve it.",
        "ko": "이 데이터셋은 정책의 모든 임계값을 만족합니다. {ran_by}이(가) 아닌 관리자가 승인할 수 있습니다.",
    },
    "report.fails": {
        "en": "The dataset does not meet {count} threshold(s) of the policy; return it for additional processing.",
        "ko": "이 데이터셋은 정책의 임계값 {count}개를 만족하지 않습니다. 추가처리를 위해 반려하십시오.",
    },
    "report.finding_k": {
        "en": "Smallest equivalence class has {actual} record(s); the policy requires k = {required}.",
        "ko": "가장 작은 동질집합의 레코드 수는 {actual}건이며, 정책은 k = {required}을(를) 요구합니다.",
    },
    "report.finding_l": {
        "en": "Sensitive attribute '{column}' has {kind} l-diversity {actual:.3g}; the policy requires l = {required}.",
        "ko": "민감속성 '{column}'의 {kind} l-다양성은 {actual:.3g}이며, 정책은 l = {required}을(를) 요구합니다.",
    },
    "report.finding_t": {
        "en": "Sensitive attribute '{column}' has t-closeness {actual:.3g}; the policy requires t ≤ {required}.",
        "ko": "민감속성 '{column}'의 t-근접성은 {actual:.3g}이며, 정책은 t ≤ {required}을(를) 요구합니다.",
    },
    "report.finding_prosecutor": {
        "en": "Highest record-level re-identification (prosecutor) risk is {actual:.3g}; "
        "the policy allows at most {required}.",
        "ko": "레코드 단위 최대 재식별(검사자) 위험은 {actual:.3g}이며, 정책은 최대 {required}까지 허용합니다.",
    },
    "report.meets_undecided": {
        "en": "The dataset meets every threshold that the data could decide; {count} attack limit(s) are "
        "inconclusive at this data size and are for the steward to judge. A steward other than {ran_by} may "
        "approve it, saying why in the comment.",
        "ko": "이 데이터셋은 판정할 수 있는 모든 임계값을 만족합니다. 공격 위험 {count}건은 이 데이터 규모에서 "
        "판정할 수 없어 관리자가 판단합니다. {ran_by}이(가) 아닌 관리자가 사유를 의견에 적어 승인할 수 있습니다.",
    },
    "report.undecided_attack": {
        "en": "The {attack} attack risk is {risk:.3g} with interval [{low:.3g}, {high:.3g}] (width {width:.3g}, "
        "{n} attacks), which straddles the limit {required}: inconclusive at this data size. Judge it from the "
        "attack and control rates below; the processing was not coarsened further on its account.",
        "ko": "{attack} 공격 위험은 {risk:.3g}, 신뢰구간 [{low:.3g}, {high:.3g}](폭 {width:.3g}, 공격 {n}회)로 "
        "한계 {required}에 걸쳐 있어 이 데이터 규모에서 판정할 수 없습니다. 아래 공격·대조 성공률로 판단하십시오. "
        "이 결과 때문에 데이터를 더 일반화하지 않았습니다.",
    },
    "report.warning_one_value": {
        "en": "Quasi-identifier '{column}' has a single value left for every record: analyses that use it "
        "are not possible on this dataset.",
        "ko": "준식별자 '{column}'에는 모든 레코드에 값이 하나만 남았습니다. 이 변수를 쓰는 분석은 할 수 없습니다.",
    },
    "report.warning_key_coarsened": {
        "en": "Key variable '{column}' of the research plan was coarsened to '{level}' ({before} -> {after} "
        "distinct values) because finer levels could not meet the thresholds within the suppression budget.",
        "ko": "연구계획의 핵심 변수 '{column}'은(는) 더 세밀한 수준으로는 억제 한도 안에서 임계값을 만족할 수 없어 "
        "'{level}'(으)로 일반화되었습니다(고유값 {before} -> {after}개).",
    },
    "report.section_utility": {
        "en": "Utility: distribution of each quasi-identifier before and after processing",
        "ko": "유용성: 처리 전후 준식별자별 분포",
    },
    "report.finding_attack": {
        "en": "The {attack} attack risk is at least {lower:.3g} (lower confidence bound, interval up to "
        "{upper:.3g}); the policy allows at most {required}.",
        "ko": "{attack} 공격 위험의 신뢰하한은 {lower:.3g}(상한 {upper:.3g})이며, 정책은 최대 {required}까지 "
        "허용합니다.",
    },
    "report.section_classes": {
        "en": "Equivalence-class sizes (number of classes of each size)",
        "ko": "동질집합 크기 분포(크기별 동질집합 수)",
    },
    "report.section_record_risk": {
        "en": "Records by prosecutor risk",
        "ko": "검사자 위험 구간별 레코드 수",
    },
    "report.section_loss": {
        "en": "Information loss by column (non-uniform entropy, 0 = none, 1 = all)",
        "ko": "열별 정보 손실(비균일 엔트로피, 0 = 없음, 1 = 전부)",
    },
    "report.section_attacks": {
        "en": "Attack-based risks with confidence intervals",
        "ko": "공격 기반 위험과 신뢰구간",
    },
    "report.section_measures": {
        "en": "Risk measures",
        "ko": "위험 측정값",
    },
    "report.section_changes": {
        "en": "What changed per column",
        "ko": "열별 변경 내용",
    },
    "report.section_replica": {
        "en": "Synthetic replica",
        "ko": "합성 복제본",
    },
    "report.before": {"en": "before", "ko": "처리 전"},
    "report.after": {"en": "after", "ko": "처리 후"},
    "report.policy_hash": {"en": "Policy content hash", "ko": "정책 내용 해시"},
    "report.ran_by": {"en": "Processing run by", "ko": "처리 실행자"},
    "report.dataset": {"en": "Dataset", "ko": "데이터셋"},
    "report.replica_may_release": {
        "en": "The replica's attack risks are under the policy threshold at their upper "
        "confidence bounds; it may leave the enclave once a steward approves it.",
        "ko": "복제본의 공격 위험 신뢰상한이 정책 임계값보다 낮습니다. 관리자가 승인하면 반출할 수 있습니다.",
    },
    "report.replica_may_not_release": {
        "en": "The replica's attack risks are not all under the policy threshold at their "
        "upper confidence bounds; it must not leave the enclave.",
        "ko": "복제본의 공격 위험 신뢰상한이 모두 정책 임계값보다 낮지는 않습니다. 반출할 수 없습니다.",
    },
}

_LANGUAGES = ("en", "ko")


def current_language() -> str:
    """Return the language chosen by ``ENCLAVE_LANG`` (``en`` unless ``ko`` is set)."""
    language = os.environ.get("ENCLAVE_LANG", "en").strip().lower()[:2]
    return language if language in _LANGUAGES else "en"


def text(message_id: str, **params: object) -> str:
    """Return the catalog text for ``message_id`` in the language of ``ENCLAVE_LANG``.

    Args:
        message_id: Key of ``MESSAGES``.
        **params: Values for the placeholders of the text (never record values).

    Returns:
        The formatted sentence; English when the language or id is unknown.

    Example:
        >>> text("risk.empty")
        'The data has no rows; there is nothing to measure.'
    """
    language = current_language()
    entry = MESSAGES.get(message_id)
    if entry is None:
        return message_id
    template = entry.get(language) or entry["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        # A missing parameter must not hide the message itself; show the
        # template with the fields that could not be filled left as names.
        try:
            return string.Formatter().vformat(template, (), _KeepMissing(params))
        except (KeyError, IndexError, ValueError):
            return template


class _KeepMissing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
