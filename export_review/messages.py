"""Every user-facing sentence of ``export_review``, in English and Korean.

``text(message_id, **params)`` picks the language from ``ENCLAVE_LANG``
(``en`` by default; unknown languages fall back to ``en``). Parameters are
names, counts, labels and file names only, never record values.
"""

from __future__ import annotations

import os

from export_review.recipe_messages import RECIPE_MESSAGES

__all__ = ["MESSAGES", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    # --- outputs -----------------------------------------------------------
    "output.missing_columns": {
        "en": "The data has no column(s) {columns}. Check the spelling, or list the columns with df.columns.",
        "ko": "데이터에 {columns} 열이 없습니다. 철자를 확인하거나 df.columns로 열 목록을 확인하세요.",
    },
    "output.not_frame": {
        "en": "Pass a pandas DataFrame as the data.",
        "ko": "데이터로 pandas DataFrame을 전달하세요.",
    },
    "output.not_numeric": {
        "en": "Column {column} is not numeric. Convert it with pd.to_numeric before summarising it.",
        "ko": "{column} 열이 숫자가 아닙니다. 요약하기 전에 pd.to_numeric으로 변환하세요.",
    },
    "output.bad_statistic": {
        "en": "Unknown statistic {statistic}. Use count, sum, mean, median, std, var, min, max (or p25/p75 in summaries).",
        "ko": "알 수 없는 통계량 {statistic}입니다. count, sum, mean, median, std, var, min, max(요약에서는 p25/p75)를 사용하세요.",
    },
    "output.no_rows": {
        "en": "Give at least one row variable (index).",
        "ko": "행 변수(index)를 하나 이상 지정하세요.",
    },
    "output.bad_labels": {
        "en": "The table's labels could not be read. Convert the grouping columns to plain text or numbers.",
        "ko": "표의 범주 이름을 읽을 수 없습니다. 집계 열을 문자나 숫자로 변환하세요.",
    },
    "model.bad_method": {
        "en": "Unknown model {method}. Use ols, logit or probit.",
        "ko": "알 수 없는 모형 {method}입니다. ols, logit, probit 중 하나를 사용하세요.",
    },
    "model.fit_failed": {
        "en": "The {method} model could not be fitted. Check the formula's column names and that the outcome varies; for logit/probit check for perfect separation.",
        "ko": "{method} 모형을 적합할 수 없습니다. 수식의 열 이름과 종속변수의 변동을 확인하고, logit/probit은 완전분리 여부를 확인하세요.",
    },
    "file.missing": {
        "en": "File {file} was not found. Save it first, then add it.",
        "ko": "{file} 파일을 찾을 수 없습니다. 먼저 저장한 뒤 추가하세요.",
    },
    "file.too_large": {
        "en": "File {file} is larger than the {limit}-byte limit. Release a smaller file (fewer rows, lower resolution).",
        "ko": "{file} 파일이 제한({limit}바이트)보다 큽니다. 더 작은 파일(행 수 축소, 해상도 낮춤)로 반출하세요.",
    },
    "file.unreadable": {
        "en": "File {file} could not be read. Check its permissions.",
        "ko": "{file} 파일을 읽을 수 없습니다. 권한을 확인하세요.",
    },
    # --- session -----------------------------------------------------------
    "session.unknown_output": {
        "en": "There is no output named {name}. See session.outputs for the names.",
        "ko": "{name} 이름의 산출물이 없습니다. session.outputs에서 이름을 확인하세요.",
    },
    "session.bad_name": {
        "en": "Output names may use letters, digits, '_', '-' and '.', must not start with '.', and are at most 100 characters.",
        "ko": "산출물 이름에는 문자, 숫자, '_', '-', '.'만 쓸 수 있고 '.'으로 시작할 수 없으며 100자 이하여야 합니다.",
    },
    "session.duplicate_name": {
        "en": "An output named {name} already exists. Choose another name, or call session.remove('{name}') first.",
        "ko": "{name} 산출물이 이미 있습니다. 다른 이름을 쓰거나 먼저 session.remove('{name}')를 호출하세요.",
    },
    "session.summary_head": {
        "en": "Output {name} ({kind}): {status}",
        "ko": "산출물 {name} ({kind}): {status}",
    },
    "session.hint_table": {
        "en": "  Next: session.suppress('{name}') withholds the flagged cells (and any a total would reveal), or session.round('{name}', 10) rounds the counts; or regroup categories.",
        "ko": "  다음: session.suppress('{name}')로 지적된 칸(합계로 역산될 칸 포함)을 가리거나, session.round('{name}', 10)으로 반올림하거나, 범주를 합치세요.",
    },
    "session.hint_other": {
        "en": "  Next: change the analysis as the messages above say, or explain in the comment why it is safe.",
        "ko": "  다음: 위 안내대로 분석을 바꾸거나, 안전한 이유를 설명(comment)에 적으세요.",
    },
    "session.advisory": {
        "en": "  (Checked in your session for advice; the enclave checks again when you submit.)",
        "ko": "  (세션 내 점검은 참고용이며, 제출하면 결합전문기관에서 다시 점검합니다.)",
    },
    "session.no_outputs_dir": {
        "en": "No folder given and ENCLAVE_OUTPUTS_DIR is not set. Pass a folder: session.save('outputs').",
        "ko": "폴더가 지정되지 않았고 ENCLAVE_OUTPUTS_DIR도 없습니다. session.save('outputs')처럼 폴더를 지정하세요.",
    },
    "session.nothing_to_submit": {
        "en": "There are no outputs to submit. Make a table, model or file first.",
        "ko": "제출할 산출물이 없습니다. 먼저 표, 모형 또는 파일을 만드세요.",
    },
    "session.submitted": {
        "en": "Export request {id} is {status} with {n} output(s). Two data stewards will review it.",
        "ko": "반출신청 {id}이(가) {n}개 산출물로 {status} 상태입니다. 데이터 관리자 두 명이 검토합니다.",
    },
    "status.pass": {"en": "passes the checks", "ko": "점검 통과"},
    "status.review": {"en": "needs a checker's judgement", "ko": "검토자 판단 필요"},
    "status.fail": {"en": "FAILS a disclosure check", "ko": "공개 위험 점검 실패"},
    # --- mitigation --------------------------------------------------------
    "mitigation.bad_base": {
        "en": "The rounding base must be 2 or more (e.g. 5 or 10).",
        "ko": "반올림 단위는 2 이상이어야 합니다(예: 5 또는 10).",
    },
    "mitigation.round_counts_only": {
        "en": "Rounding applies to frequency tables only. For magnitude tables use suppression.",
        "ko": "반올림은 빈도표에만 쓸 수 있습니다. 크기(합계·평균) 표에는 셀 가림을 쓰세요.",
    },
    "mitigation.tables_only": {
        "en": "{name} is not a table; suppression and rounding apply to tables only.",
        "ko": "{name}은(는) 표가 아니므로 셀 가림과 반올림을 적용할 수 없습니다.",
    },
    # --- rules -------------------------------------------------------------
    "rule.min_count.pass": {
        "en": "Every released cell has at least {threshold} records.",
        "ko": "공개되는 모든 칸이 {threshold}건 이상입니다.",
    },
    "rule.min_count.fail": {
        "en": "{n} cell(s) have fewer than {threshold} records: {cells}.",
        "ko": "{n}개 칸이 {threshold}건 미만입니다: {cells}.",
    },
    "rule.dominance.pass": {
        "en": "No cell is dominated: the {n} largest contributors make less than {k}% of every total.",
        "ko": "지배적 기여자가 없습니다: 모든 칸에서 상위 {n}개 기여가 합계의 {k}% 미만입니다.",
    },
    "rule.dominance.fail": {
        "en": "The {n} largest contributors make {k}% or more of the total in: {cells}.",
        "ko": "상위 {n}개 기여가 합계의 {k}% 이상인 칸: {cells}.",
    },
    "rule.dominance.negative": {
        "en": "Dominance cannot be judged where contributions are negative: {cells}. A checker must look.",
        "ko": "음수 기여가 있어 지배성을 판단할 수 없는 칸: {cells}. 검토자 확인이 필요합니다.",
    },
    "rule.p_ratio.pass": {
        "en": "In every cell the other contributors add up to at least {p}% of the largest.",
        "ko": "모든 칸에서 나머지 기여의 합이 최대 기여의 {p}% 이상입니다.",
    },
    "rule.p_ratio.fail": {
        "en": "The largest contribution could be estimated to within {p}% in: {cells}.",
        "ko": "최대 기여를 {p}% 이내로 추정할 수 있는 칸: {cells}.",
    },
    "rule.zeros.pass": {"en": "No empty cells.", "ko": "빈 칸이 없습니다."},
    "rule.zeros.found": {
        "en": "{n} cell(s) are zero: {cells}. Say in the comment whether these zeros are structural.",
        "ko": "{n}개 칸이 0입니다: {cells}. 구조적 0인지 설명(comment)에 적으세요.",
    },
    "rule.missing.pass": {"en": "No missing values in the measured variables.", "ko": "측정 변수에 결측이 없습니다."},
    "rule.missing.found": {
        "en": "{n} cell(s) were computed over missing values, which were left out: {cells}.",
        "ko": "{n}개 칸이 결측을 제외하고 계산되었습니다: {cells}.",
    },
    "rule.negative.pass": {"en": "No negative contributions.", "ko": "음수 기여가 없습니다."},
    "rule.negative.found": {
        "en": "{n} cell(s) include negative contributions, so dominance rules cannot clear them: {cells}.",
        "ko": "{n}개 칸에 음수 기여가 있어 지배성 규칙으로 판단할 수 없습니다: {cells}.",
    },
    "rule.dof.pass": {
        "en": "Residual degrees of freedom {dof} (at least {minimum} needed).",
        "ko": "잔차 자유도 {dof} (최소 {minimum} 필요).",
    },
    "rule.dof.fail": {
        "en": "Residual degrees of freedom {dof} is below {minimum}: the model nearly reproduces its records. Use more records or fewer parameters.",
        "ko": "잔차 자유도 {dof}이(가) {minimum} 미만입니다. 모형이 개별 기록을 거의 재현합니다. 기록을 늘리거나 모수를 줄이세요.",
    },
    "rule.bins.pass": {
        "en": "Every non-empty bin has at least {threshold} records.",
        "ko": "비어 있지 않은 모든 구간이 {threshold}건 이상입니다.",
    },
    "rule.bins.fail": {
        "en": "{n} bin(s) have fewer than {threshold} records: {cells}. Use wider bins.",
        "ko": "{n}개 구간이 {threshold}건 미만입니다: {cells}. 구간을 넓히세요.",
    },
    "rule.extremes.pass": {"en": "No minimum or maximum is released.", "ko": "최솟값·최댓값을 공개하지 않습니다."},
    "rule.extremes.fail": {
        "en": "A minimum or maximum is one record's value: {cells}. Leave min/max out or report percentiles.",
        "ko": "최솟값·최댓값은 한 사람의 값입니다: {cells}. 제외하거나 백분위수로 바꾸세요.",
    },
    "rule.extremes.edges": {
        "en": "The outer bin edges are the data's minimum and maximum. Pass explicit bins or value_range chosen in advance.",
        "ko": "바깥 구간 경계가 데이터의 최솟값·최댓값입니다. 미리 정한 bins 또는 value_range를 지정하세요.",
    },
    "rule.identifiers.pass": {"en": "No identifiers found.", "ko": "식별정보가 발견되지 않았습니다."},
    "rule.identifiers.fail": {
        "en": "Something that looks like an identifier (RRN, phone number, pseudonym or birth date) is in: {where}. Remove it.",
        "ko": "식별정보(주민등록번호, 전화번호, 가명, 생년월일)로 보이는 내용이 있습니다: {where}. 삭제하세요.",
    },
    "rule.identifiers.review": {
        "en": "A checker must look at: {where} (dates, or content that cannot be scanned).",
        "ko": "검토자가 확인해야 합니다: {where} (날짜 또는 자동 점검할 수 없는 내용).",
    },
    "location.line": {"en": "{where} line {line}", "ko": "{where} {line}행"},
    "location.comment": {"en": "comment", "ko": "설명"},
    "location.name": {"en": "output name", "ko": "산출물 이름"},
    "location.cohort": {"en": "cohort description", "ko": "대상자 설명"},
    "location.variables": {"en": "variable names", "ko": "변수 이름"},
    "location.coefficients": {"en": "coefficient names", "ko": "계수 이름"},
    "location.unscannable": {"en": "{file} (not text, cannot be scanned)", "ko": "{file} (텍스트가 아니어서 점검 불가)"},
    "rule.file_type.pass": {"en": "{file} is an allowed file type.", "ko": "{file}은(는) 허용된 파일 형식입니다."},
    "rule.file_type.not_allowed": {
        "en": "{file} is not an allowed file type. Allowed: {allowed}.",
        "ko": "{file}은(는) 허용되지 않는 파일 형식입니다. 허용: {allowed}.",
    },
    "rule.file_type.mismatch": {
        "en": "{file}'s content does not match its extension. Save it again in the stated format.",
        "ko": "{file}의 내용이 확장자와 맞지 않습니다. 해당 형식으로 다시 저장하세요.",
    },
    "rule.consistency.pass": {"en": "The evidence agrees with the released figures.", "ko": "증거자료와 공개 수치가 일치합니다."},
    "rule.consistency.fail": {
        "en": "Released figures do not follow from the evidence (counts, totals or margins disagree). Re-create the output in a session.",
        "ko": "공개 수치가 증거자료와 맞지 않습니다(건수, 합계, 주변합 불일치). 세션에서 산출물을 다시 만드세요.",
    },
    "rule.consistency.model": {
        "en": "The model's residual degrees of freedom do not fit its observations and parameters. Re-fit it in a session.",
        "ko": "모형의 잔차 자유도가 관측수·모수와 맞지 않습니다. 세션에서 다시 적합하세요.",
    },
    "rule.consistency.file": {
        "en": "{file}'s bytes do not match its recorded hash. Add the file again.",
        "ko": "{file}의 내용이 기록된 해시와 다릅니다. 파일을 다시 추가하세요.",
    },
    "rule.differencing.pass": {
        "en": "No released output isolates a small group when subtracted from this one.",
        "ko": "기존 반출물과 차감해도 소집단이 드러나지 않습니다.",
    },
    "rule.differencing.fail": {
        "en": "{n} cell(s) differ from an already released or co-submitted cell by fewer than {threshold} records (first: {other}): {pairs}. Use the same cohort and categories as the released output, or suppress these cells.",
        "ko": "{n}개 칸이 이미 반출되었거나 함께 신청된 칸과 {threshold}건 미만 차이가 납니다(처음: {other}): {pairs}. 반출된 산출물과 같은 대상자·범주를 쓰거나 해당 칸을 가리세요.",
    },
    "rule.differencing.pair": {"en": "{cell} vs {other}: {other_cell}", "ko": "{cell} ↔ {other}: {other_cell}"},
    # --- evidence / ledger -------------------------------------------------
    "evidence.not_object": {"en": "Evidence must be a JSON object. Re-save the output from a session.", "ko": "증거자료는 JSON 객체여야 합니다. 세션에서 다시 저장하세요."},
    "evidence.schema": {"en": "This is not export-review evidence. Re-save the output from a session.", "ko": "반출 검토 증거자료가 아닙니다. 세션에서 다시 저장하세요."},
    "evidence.version": {"en": "Evidence of another format version; this library reads version {version}. Update export_review in the kernel.", "ko": "다른 형식 버전의 증거자료입니다. 이 라이브러리는 {version} 버전을 읽습니다. 커널의 export_review를 갱신하세요."},
    "evidence.missing_field": {"en": "Evidence field {field} is missing. Re-save the output from a session.", "ko": "증거자료의 {field} 항목이 없습니다. 세션에서 다시 저장하세요."},
    "evidence.bad_field": {"en": "Evidence field {field} is malformed. Re-save the output from a session.", "ko": "증거자료의 {field} 항목 형식이 잘못되었습니다. 세션에서 다시 저장하세요."},
    "evidence.bad_name": {"en": "The output name is not a valid file name. Rename the output.", "ko": "산출물 이름이 올바른 파일 이름이 아닙니다. 이름을 바꾸세요."},
    "evidence.file_too_large": {"en": "The file is larger than the {limit}-byte limit. Release a smaller file.", "ko": "파일이 제한({limit}바이트)보다 큽니다. 더 작은 파일로 반출하세요."},
    "ledger.invalid": {"en": "The release ledger could not be read. Restore it from the service's backup.", "ko": "반출 원장을 읽을 수 없습니다. 서비스 백업에서 복원하세요."},
    "review.duplicate_name": {"en": "Two outputs in this request share a name. Rename one and resubmit.", "ko": "이 신청에 같은 이름의 산출물이 둘 있습니다. 하나의 이름을 바꿔 다시 제출하세요."},
    # --- policy ------------------------------------------------------------
    "policy.invalid": {"en": "Disclosure policy {source} is invalid: {problems}. Fix these and load it again.", "ko": "공개 위험 정책 {source}이(가) 올바르지 않습니다: {problems}. 고친 뒤 다시 불러오세요."},
    "policy.unreadable": {"en": "Policy file {source} could not be read. Check the path and that it is UTF-8.", "ko": "정책 파일 {source}을(를) 읽을 수 없습니다. 경로와 UTF-8 인코딩을 확인하세요."},
    "policy.not_yaml": {"en": "Policy file {source} is not valid YAML. Check indentation and quoting.", "ko": "정책 파일 {source}이(가) 올바른 YAML이 아닙니다. 들여쓰기와 따옴표를 확인하세요."},
    "policy.not_mapping": {"en": "the file must be a mapping of keys to values", "ko": "파일은 키-값 매핑이어야 합니다"},
    "policy.unknown_key": {"en": "unknown key {where}", "ko": "알 수 없는 키 {where}"},
    "policy.schema": {"en": "schema must be 1", "ko": "schema는 1이어야 합니다"},
    "policy.mapping": {"en": "{where} must be a mapping", "ko": "{where}은(는) 매핑이어야 합니다"},
    "policy.unknown_rule": {"en": "unknown rule {where} (known: {known})", "ko": "알 수 없는 규칙 {where} (가능: {known})"},
    "policy.unknown_param": {"en": "unknown parameter {where}", "ko": "알 수 없는 매개변수 {where}"},
    "policy.override": {"en": "{where} may only hold rules, max_file_bytes and differencing_threshold", "ko": "{where}에는 rules, max_file_bytes, differencing_threshold만 쓸 수 있습니다"},
    "policy.int_at_least": {"en": "{where} must be a whole number of at least {low}", "ko": "{where}은(는) {low} 이상의 정수여야 합니다"},
    "policy.fraction": {"en": "{where} must be a fraction above 0 and at most 1 (e.g. 0.9)", "ko": "{where}은(는) 0 초과 1 이하의 비율이어야 합니다(예: 0.9)"},
    "policy.status": {"en": "{where} must be review or fail", "ko": "{where}은(는) review 또는 fail이어야 합니다"},
    "policy.bool": {"en": "{where} must be true or false", "ko": "{where}은(는) true 또는 false여야 합니다"},
    "policy.strings": {"en": "{where} must be a list of non-empty texts", "ko": "{where}은(는) 비어 있지 않은 문자열 목록이어야 합니다"},
    "policy.regex": {"en": "{where} is not a valid regular expression", "ko": "{where}은(는) 올바른 정규식이 아닙니다"},
    # --- workflow ----------------------------------------------------------
    "workflow.no_transition": {"en": "An export request cannot go from {source} to {target}. From {source} it can go to: {allowed}.", "ko": "반출신청은 {source}에서 {target}(으)로 바뀔 수 없습니다. {source}에서 가능한 상태: {allowed}."},
    "workflow.wrong_actor": {"en": "Moving a request from {source} to {target} is not for the {actor}; it is done by: {allowed}.", "ko": "{source}에서 {target}(으)로의 변경은 {actor}이(가) 할 수 없습니다. 가능한 주체: {allowed}."},
    "review.no_reviewer": {"en": "A vote needs the reviewer's user name.", "ko": "검토 의견에는 검토자 사용자 이름이 필요합니다."},
    "review.self_review": {"en": "You requested {output}, so you cannot review it. Another data steward must.", "ko": "{output}은(는) 본인이 신청한 산출물이므로 검토할 수 없습니다. 다른 데이터 관리자가 검토해야 합니다."},
    "review.already_voted": {"en": "You have already voted on {output}; your vote stands and nothing was changed.", "ko": "{output}에 이미 의견을 냈습니다. 기존 의견이 유지되며 아무것도 바뀌지 않았습니다."},
    "review.closed": {"en": "The review of {output} is already decided ({outcome}); no more votes are taken.", "ko": "{output}의 검토는 이미 결정되었습니다({outcome}). 더 이상 의견을 받지 않습니다."},
    "review.comment_required": {"en": "The checks say {status} for {output}; to {decision} it anyway, write a comment explaining why.", "ko": "{output}의 점검 결과는 {status}입니다. 그래도 {decision}하려면 이유를 설명에 적으세요."},
    # --- release -----------------------------------------------------------
    "release.nothing_approved": {"en": "No output of this request is approved; there is nothing to release.", "ko": "승인된 산출물이 없어 반출할 것이 없습니다."},
    "release.no_verdict": {"en": "Output {name} has no server-side verdict. Run the review before building the release.", "ko": "{name} 산출물에 서버 점검 결과가 없습니다. 반출 패키지를 만들기 전에 점검을 실행하세요."},
    "release.duplicate_file": {"en": "Two approved outputs would both write {file}. Rename one.", "ko": "승인된 두 산출물이 같은 파일 {file}을(를) 만듭니다. 하나의 이름을 바꾸세요."},
    "release.bad_metadata": {"en": "Release metadata must be plain JSON values (text, numbers, lists, mappings).", "ko": "반출 메타데이터는 JSON 값(문자, 숫자, 목록, 매핑)이어야 합니다."},
    "release.bad_public_key": {"en": "The public key file is not an Ed25519 public key (PEM, or 32 bytes as hex or base64). Ask the enclave for its release key.", "ko": "공개키 파일이 Ed25519 공개키(PEM 또는 32바이트 hex/base64)가 아닙니다. 결합전문기관에 반출 공개키를 요청하세요."},
    "release.not_zip": {"en": "The package is not a readable zip file. Download it again.", "ko": "패키지가 읽을 수 있는 zip 파일이 아닙니다. 다시 내려받으세요."},
    "release.too_many": {"en": "The package holds too many files to be a release. Do not use it.", "ko": "패키지에 파일이 너무 많아 반출 패키지로 볼 수 없습니다. 사용하지 마세요."},
    "release.no_manifest": {"en": "manifest.json or manifest.sig is missing", "ko": "manifest.json 또는 manifest.sig가 없습니다"},
    "release.bad_manifest": {"en": "manifest.json is not a valid release manifest", "ko": "manifest.json이 올바른 반출 목록이 아닙니다"},
    "release.bad_signature": {"en": "the signature does not match the manifest and this public key", "ko": "서명이 목록 및 이 공개키와 맞지 않습니다"},
    "release.added_file": {"en": "{file} was added (not in the manifest)", "ko": "{file}이(가) 추가되었습니다(목록에 없음)"},
    "release.removed_file": {"en": "{file} was removed", "ko": "{file}이(가) 삭제되었습니다"},
    "release.changed_file": {"en": "{file} was changed", "ko": "{file}이(가) 변경되었습니다"},
    "release.duplicate_member": {"en": "{file} appears more than once", "ko": "{file}이(가) 두 번 이상 있습니다"},
    "release.unsafe_path": {"en": "{file} has an unsafe path", "ko": "{file}의 경로가 안전하지 않습니다"},
    "release.invalid": {"en": "The release package failed verification: {problems}. Do not use it; ask the enclave for a fresh copy.", "ko": "반출 패키지 검증에 실패했습니다: {problems}. 사용하지 말고 결합전문기관에 새 사본을 요청하세요."},
    # --- client ------------------------------------------------------------
    "client.missing_env": {"en": "Cannot submit: {names} not set. Start the notebook from the enclave's JupyterHub, which sets them.", "ko": "제출할 수 없습니다: {names}이(가) 설정되지 않았습니다. 이 값을 설정해 주는 JupyterHub에서 노트북을 시작하세요."},
    "client.bad_url": {"en": "ENCLAVE_API_URL must start with http:// or https://.", "ko": "ENCLAVE_API_URL은 http:// 또는 https://로 시작해야 합니다."},
    "client.refused": {"en": "The enclave refused the export request (HTTP {status}): {detail}", "ko": "결합전문기관이 반출신청을 거부했습니다(HTTP {status}): {detail}"},
    "client.no_detail": {"en": "no reason given. Try again, or ask a data steward.", "ko": "사유가 없습니다. 다시 시도하거나 데이터 관리자에게 문의하세요."},
    "client.unreachable": {"en": "The enclave service could not be reached. Check that the service is running and try again; nothing was submitted.", "ko": "결합전문기관 서비스에 연결할 수 없습니다. 서비스 동작을 확인하고 다시 시도하세요. 아무것도 제출되지 않았습니다."},
    "client.unexpected_status": {"en": "The enclave answered HTTP {status} instead of 201. Check the request list before submitting again.", "ko": "결합전문기관이 201 대신 HTTP {status}로 응답했습니다. 다시 제출하기 전에 신청 목록을 확인하세요."},
    "client.bad_response": {"en": "The enclave's answer could not be read. Check the request list before submitting again.", "ko": "결합전문기관의 응답을 읽을 수 없습니다. 다시 제출하기 전에 신청 목록을 확인하세요."},
    # --- cli ---------------------------------------------------------------
    "cli.verified": {"en": "{package}: verified. {files} file(s), {outputs} output(s), signed by key {key} at {created}.", "ko": "{package}: 검증 완료. 파일 {files}개, 산출물 {outputs}개, 키 {key}로 {created}에 서명됨."},
    "cli.verify_failed": {"en": "{package}: NOT verified. Do not use it.", "ko": "{package}: 검증 실패. 사용하지 마세요."},
    "cli.unreadable": {"en": "An evidence file could not be read as JSON. Re-save it from a session.", "ko": "증거자료 파일을 JSON으로 읽을 수 없습니다. 세션에서 다시 저장하세요."},
}

# Recipes, filters and recomputation keep their sentences in their own module.
MESSAGES.update(RECIPE_MESSAGES)


def text(message_id: str, **params: object) -> str:
    """Return the message in the language of ``ENCLAVE_LANG`` (default English).

    Args:
        message_id: a key of :data:`MESSAGES`.
        **params: values for the message's placeholders.

    Returns:
        The formatted sentence.
    """
    entry = MESSAGES[message_id]
    language = os.environ.get("ENCLAVE_LANG", "en").split("_")[0].lower()
    template = entry.get(language) or entry["en"]
    return template.format(**params)
