"""Sentences about recipes, cohort filters and the enclave's recomputation, in English and Korean.

Merged into :data:`export_review.messages.MESSAGES`; parameters are output,
column, rule and version names and counts only, never record values.
"""

from __future__ import annotations

__all__ = ["RECIPE_MESSAGES"]

RECIPE_MESSAGES: dict[str, dict[str, str]] = {
    # --- filters -------------------------------------------------------------
    "recipe.bad_filter": {
        "en": "The cohort filter cannot be used: {reason} Write it as comparisons of columns with constants joined by and/or/not, e.g. age >= 65 and sex == \"F\".",
        "ko": "코호트 필터를 쓸 수 없습니다: {reason} 열과 상수의 비교를 and/or/not으로 이어 쓰세요. 예: age >= 65 and sex == \"F\".",
    },
    "filter.not_text": {"en": "it is not text.", "ko": "문자열이 아닙니다."},
    "filter.too_long": {"en": "it is longer than {most} characters.", "ko": "{most}자를 넘습니다."},
    "filter.syntax": {"en": "it does not parse.", "ko": "구문을 해석할 수 없습니다."},
    "filter.construct": {"en": "it uses {construct}, which the filter language does not have.",
                         "ko": "필터 언어에 없는 {construct} 구문을 사용합니다."},
    "recipe.filter_type": {
        "en": "The cohort filter compares column {variable} with a constant of another type. Compare numbers with numbers and text with quoted text.",
        "ko": "코호트 필터가 {variable} 열을 다른 형식의 상수와 비교합니다. 숫자는 숫자와, 문자는 따옴표 친 문자와 비교하세요.",
    },
    # --- recipes -------------------------------------------------------------
    "recipe.unknown_variable": {
        "en": "The data has no column(s) {variable}. Use the columns of the approved dataset as read from data/, without renaming them.",
        "ko": "데이터셋에 {variable} 변수가 없습니다. data/에서 읽은 승인 데이터셋의 열 이름을 바꾸지 말고 사용하세요.",
    },
    "recipe.unknown_version": {
        "en": "The recipe names a dataset version the project has no approved copy of. Re-read data/ in a fresh workspace and remake the output.",
        "ko": "레시피가 이 과제에 승인된 사본이 없는 데이터셋 버전을 가리킵니다. 새 작업공간에서 data/를 다시 읽고 산출물을 다시 만드세요.",
    },
    "recipe.malformed": {
        "en": "The recipe field {field} is malformed. Remake the output through OutputSession.",
        "ko": "레시피의 {field} 항목 형식이 잘못되었습니다. OutputSession으로 산출물을 다시 만드세요.",
    },
    "recipe.bad_operation": {
        "en": "The recipe's operation {operation} is not one the service can recompute. Use the OutputSession methods.",
        "ko": "레시피의 연산 {operation}은(는) 서비스가 다시 계산할 수 없습니다. OutputSession 메서드를 사용하세요.",
    },
    "recipe.bad_formula": {
        "en": "The model formula may use column names, C(column), +, -, :, * and the constants 0 and 1 only. Derive other terms as columns of a regrouping, or ask a steward.",
        "ko": "모형식에는 열 이름, C(열), +, -, :, * 와 상수 0, 1만 쓸 수 있습니다. 다른 항은 재분류로 만들거나 데이터 관리자에게 문의하세요.",
    },
    "recipe.rounding_below_minimum": {
        "en": "A rounding base of {base} is below the policy's minimum of {minimum}. Round to {minimum} or more, or use suppression.",
        "ko": "반올림 단위 {base}은(는) 정책의 최솟값 {minimum}보다 작습니다. {minimum} 이상으로 반올림하거나 셀 가림을 쓰세요.",
    },
    "recipe.not_computable": {
        "en": "The recipe could not be run on the enclave's copy of the data ({reason}). Remake the output through OutputSession on the data as read from data/.",
        "ko": "엔클레이브의 데이터 사본으로 레시피를 실행할 수 없습니다({reason}). data/에서 읽은 데이터로 OutputSession을 통해 산출물을 다시 만드세요.",
    },
    "recipe.in_output": {
        "en": "Output {output}: {problem} Nothing was submitted.",
        "ko": "산출물 {output}: {problem} 아무것도 제출되지 않았습니다.",
    },
    # --- recomputation verdicts ------------------------------------------------
    "rule.recomputation.pass": {
        "en": "The enclave recomputed this output from its own copy of the data; the figures agree.",
        "ko": "엔클레이브가 자체 데이터 사본으로 이 산출물을 다시 계산했고 수치가 일치합니다.",
    },
    "rule.recomputation.differs": {
        "en": "The figures differ from the enclave's recomputation of the recipe ({n} difference(s): {where}). The checks ran on the enclave's figures; remake the output through OutputSession on the data as read from data/, with the cohort given as where=.",
        "ko": "수치가 레시피를 엔클레이브에서 다시 계산한 결과와 다릅니다({n}곳: {where}). 점검은 엔클레이브의 수치로 실행되었습니다. data/에서 읽은 데이터로 where=에 코호트를 지정해 OutputSession에서 다시 만드세요.",
    },
    "rule.recomputation.no_recipe": {
        "en": "This output carries no recipe, so the enclave cannot recompute it and does not trust its evidence. Remake it through OutputSession.",
        "ko": "이 산출물에는 레시피가 없어 엔클레이브가 다시 계산할 수 없고 그 증거자료를 신뢰하지 않습니다. OutputSession으로 다시 만드세요.",
    },
    "rule.recomputation.file": {
        "en": "A custom file cannot be recomputed from the data; a steward must judge it from its content and comment.",
        "ko": "사용자 파일은 데이터로 다시 계산할 수 없으므로 데이터 관리자가 내용과 설명을 보고 판단해야 합니다.",
    },
    "rule.recomputation.no_data": {
        "en": "The project has no approved dataset to recompute from; a steward must judge this output.",
        "ko": "다시 계산할 승인 데이터셋이 과제에 없어 데이터 관리자가 이 산출물을 판단해야 합니다.",
    },
    "rule.rounding.fail": {
        "en": "The counts are rounded to base {base}, below the policy's minimum of {minimum}.",
        "ko": "빈도가 반올림 단위 {base}로 반올림되어 정책의 최솟값 {minimum}보다 작습니다.",
    },
    # --- model category support --------------------------------------------------
    "rule.category_support.pass": {
        "en": "Every category and dummy of the model is supported by at least {threshold} records.",
        "ko": "모형의 모든 범주와 더미 변수가 {threshold}건 이상의 레코드로 뒷받침됩니다.",
    },
    "rule.category_support.fail": {
        "en": "{n} model term(s) rest on fewer than {threshold} records ({terms}); a coefficient of a tiny group describes its members. Merge small categories or drop the term.",
        "ko": "모형 항 {n}개가 {threshold}건 미만의 레코드에 기반합니다({terms}). 작은 집단의 계수는 그 구성원을 드러냅니다. 작은 범주를 합치거나 항을 빼세요.",
    },
    # --- linear differencing audit -------------------------------------------
    "rule.linear.pass": {
        "en": "No set of fewer than the threshold of records follows from this output combined with the released ones.",
        "ko": "이 산출물과 이미 반출된 산출물을 결합해도 기준 미만의 레코드 집합이 드러나지 않습니다.",
    },
    "rule.linear.fail": {
        "en": "Combined with earlier outputs ({others}), this output determines {n} group(s) of fewer than {threshold} records exactly (e.g. one total minus others). Use the same cohorts and categories as those outputs, or suppress more cells.",
        "ko": "이전 산출물({others})과 결합하면 이 산출물로 {threshold}건 미만의 집단 {n}개가 정확히 드러납니다(예: 합계에서 다른 칸을 뺌). 같은 코호트와 범주를 쓰거나 더 많은 칸을 가리세요.",
    },
    "rule.linear.too_large": {
        "en": "The released tables of this project are too many to audit together quickly; a steward must check this output for differencing.",
        "ko": "이 과제의 반출 표가 너무 많아 함께 빠르게 감사할 수 없으므로 데이터 관리자가 차분 공격 여부를 확인해야 합니다.",
    },
}
