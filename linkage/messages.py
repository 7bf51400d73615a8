"""User-facing text of the linkage library, in one place so it can be translated.

Every sentence a person reads from ``linkage`` (errors, CLI output, report
headings) is looked up here by id. ``ENCLAVE_LANG`` picks the language (``en``
or ``ko``); a message missing in the chosen language falls back to English.
Parameters are file names, column names, row numbers and counts — never values.
"""

from __future__ import annotations

import os

__all__ = ["MESSAGES", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    # policies
    "policy.invalid": {
        "en": "The identifier policy in {path} has {count} problem(s). Fix them all and load again:",
        "ko": "{path}의 식별자 정책에 문제가 {count}개 있습니다. 모두 고친 뒤 다시 불러오세요:",
    },
    "policy.no_scheme": {
        "en": "No match-key scheme file (kind: match_key_scheme) in {path}. Add one, e.g. scheme.yaml.",
        "ko": "{path}에 결합키 체계 파일(kind: match_key_scheme)이 없습니다. scheme.yaml 등을 추가하세요.",
    },
    "policy.unknown_dataset": {
        "en": "No identifier schema for dataset '{dataset}'. Known datasets: {known}. Pick one of them or add a schema file.",
        "ko": "데이터셋 '{dataset}'의 식별자 스키마가 없습니다. 알려진 데이터셋: {known}. 그중 하나를 고르거나 스키마 파일을 추가하세요.",
    },
    # input files
    "input.missing_file": {
        "en": "The input file {path} does not exist. Check the path.",
        "ko": "입력 파일 {path}이(가) 없습니다. 경로를 확인하세요.",
    },
    "input.bad_encoding": {
        "en": "The file {path} is neither UTF-8 nor CP949 (problem near byte {offset}). Save it as UTF-8 and try again.",
        "ko": "{path} 파일은 UTF-8도 CP949도 아닙니다(바이트 {offset} 부근). UTF-8로 저장한 뒤 다시 시도하세요.",
    },
    "input.bad_format": {
        "en": "The file {path} is not a CSV or Parquet file this tool can read. Export it as CSV (UTF-8) or Parquet.",
        "ko": "{path} 파일은 읽을 수 있는 CSV 또는 Parquet 파일이 아닙니다. CSV(UTF-8)나 Parquet으로 내보내세요.",
    },
    "input.bad_csv": {
        "en": "The CSV file {path} is malformed near row {row}: the number of fields differs from the header. Fix the file and try again.",
        "ko": "CSV 파일 {path}의 {row}행 부근 형식이 잘못되었습니다(필드 수가 머리글과 다름). 파일을 고친 뒤 다시 시도하세요.",
    },
    "input.columns": {
        "en": "The columns of {path} do not match the identifier schema '{dataset}'. Missing: {missing}. Not declared: {extra}. Rename or remove columns, or update the schema, then try again.",
        "ko": "{path}의 열이 식별자 스키마 '{dataset}'와 맞지 않습니다. 없는 열: {missing}. 선언되지 않은 열: {extra}. 열을 고치거나 스키마를 갱신한 뒤 다시 시도하세요.",
    },
    "input.empty": {
        "en": "The file {path} has a header but no records. Nothing to prepare; check that you exported the right file.",
        "ko": "{path} 파일에 머리글만 있고 레코드가 없습니다. 올바른 파일을 내보냈는지 확인하세요.",
    },
    # keys
    "keys.missing": {
        "en": "No key file at {path}. Create keys with `linkage keygen`, or give the right path.",
        "ko": "{path}에 키 파일이 없습니다. `linkage keygen`으로 키를 만들거나 올바른 경로를 주세요.",
    },
    "keys.bad": {
        "en": "The file {path} is not a {expected} key in PEM form. Give the right file; `linkage keygen` writes them.",
        "ko": "{path} 파일은 PEM 형식의 {expected} 키가 아닙니다. 올바른 파일을 주세요(`linkage keygen`이 만듭니다).",
    },
    "keys.bad_secret": {
        "en": "The linkage secret in {path} is not 64 hexadecimal characters. Use the file written by `linkage keygen --secret`.",
        "ko": "{path}의 결합 비밀값이 16진수 64자가 아닙니다. `linkage keygen --secret`이 만든 파일을 쓰세요.",
    },
    "keys.exists": {
        "en": "{path} exists already; refusing to overwrite a key. Choose another name or move the old key away first.",
        "ko": "{path}이(가) 이미 있어 키를 덮어쓰지 않습니다. 다른 이름을 쓰거나 기존 키를 옮기세요.",
    },
    # packages
    "package.truncated": {
        "en": "The package {source} is truncated or is not a sealed linkage package. Ask the sender to send it again.",
        "ko": "패키지 {source}이(가) 잘렸거나 봉인된 결합 패키지가 아닙니다. 보낸 기관에 다시 보내 달라고 요청하세요.",
    },
    "package.unknown_signer": {
        "en": "The package {source} is signed by agency '{agency}', whose signing key is not trusted here. Register that agency's public signing key first, or reject the package.",
        "ko": "패키지 {source}은(는) 신뢰하지 않는 기관 '{agency}'의 서명입니다. 그 기관의 공개 서명키를 먼저 등록하거나 패키지를 거부하세요.",
    },
    "package.bad_signature": {
        "en": "The signature of package {source} does not verify against agency '{agency}''s registered key: it was altered after signing, or signed with a key that has since been rotated or revoked. Do not use it; ask the agency to sign it again with its current key and send it again.",
        "ko": "패키지 {source}의 서명이 기관 '{agency}'의 등록된 키로 검증되지 않습니다(서명 후 변경되었거나, 이후 교체·폐기된 키로 서명됨). 사용하지 말고 현재 키로 다시 서명해 보내 달라고 요청하세요.",
    },
    "package.wrong_recipient": {
        "en": "The package {source} was sealed to another recipient (key {expected}), not to this key ({actual}). Send it to the right party, or ask the agency to seal it to this key.",
        "ko": "패키지 {source}은(는) 다른 수신자(키 {expected})에게 봉인되었습니다(이 키: {actual}). 올바른 곳으로 보내거나 이 키로 다시 봉인해 달라고 요청하세요.",
    },
    "package.replayed": {
        "en": "The package {source} (id {package_id}) was opened before; a second copy is refused. If the agency meant to resubmit, it must prepare a new package.",
        "ko": "패키지 {source}(id {package_id})은(는) 이미 열린 적이 있어 거부합니다. 다시 제출하려면 기관이 새 패키지를 만들어야 합니다.",
    },
    "package.corrupted": {
        "en": "The payload of package {source} is corrupted ({reason}). Do not use it; ask the agency to prepare and send it again.",
        "ko": "패키지 {source}의 내용이 손상되었습니다({reason}). 사용하지 말고 기관에 다시 만들어 보내 달라고 요청하세요.",
    },
    "package.unexpected": {
        "en": "The package {source} is a '{actual}' package where '{expected}' was expected. Check which file you passed.",
        "ko": "패키지 {source}은(는) '{expected}'가 아니라 '{actual}' 패키지입니다. 전달한 파일을 확인하세요.",
    },
    "package.bad_manifest": {
        "en": "The manifest for a package is incomplete: {problem}. This is a programming error in the caller; fill the field.",
        "ko": "패키지 매니페스트가 불완전합니다: {problem}. 호출하는 쪽의 오류이니 해당 항목을 채우세요.",
    },
    # linking
    "link.too_few": {
        "en": "Linking needs match-key packages from at least two agencies; got {count}. Add the other agencies' packages.",
        "ko": "결합에는 최소 두 기관의 결합키 패키지가 필요합니다. 받은 수: {count}. 다른 기관의 패키지를 추가하세요.",
    },
    "link.too_many": {
        "en": "Linking supports at most {limit} agencies at once; got {count}. Link in groups.",
        "ko": "한 번에 최대 {limit}개 기관까지 결합할 수 있습니다. 받은 수: {count}. 나누어 결합하세요.",
    },
    "link.duplicate_agency": {
        "en": "Two match-key packages come from agency '{agency}'. Give one package per agency.",
        "ko": "기관 '{agency}'의 결합키 패키지가 두 개입니다. 기관마다 하나씩만 주세요.",
    },
    "link.mismatch": {
        "en": "The match-key packages were made under different {what}. All agencies must prepare with the same project, key id and scheme; ask the odd one out to prepare again.",
        "ko": "결합키 패키지들의 {what}이(가) 서로 다릅니다. 모든 기관이 같은 프로젝트, 키 id, 체계로 만들어야 하니 다른 기관에 다시 만들어 달라고 요청하세요.",
    },
    "link.bad_columns": {
        "en": "The match-key table of agency '{agency}' lacks the columns {columns}. Ask the agency to prepare it again with the current scheme.",
        "ko": "기관 '{agency}'의 결합키 표에 {columns} 열이 없습니다. 현재 체계로 다시 만들어 달라고 요청하세요.",
    },
    "link.duplicate_serial": {
        "en": "The match-key table of agency '{agency}' repeats {count} serial(s). Ask the agency to prepare it again.",
        "ko": "기관 '{agency}'의 결합키 표에 일련번호가 {count}개 중복됩니다. 다시 만들어 달라고 요청하세요.",
    },
    # combination is in enclave; synth
    "synth.bad_option": {
        "en": "{option} must be {expected}. Fix the option and run again.",
        "ko": "{option} 값은 {expected}이어야 합니다. 옵션을 고친 뒤 다시 실행하세요.",
    },
    # CLI output
    "cli.keygen_done": {
        "en": "Wrote key pair '{name}' to {directory} (sealing {sealing}, signing {signing}). Keep the .key.pem files private; share the .pub.pem files.",
        "ko": "키 쌍 '{name}'을(를) {directory}에 만들었습니다(봉인 {sealing}, 서명 {signing}). .key.pem 파일은 비공개로, .pub.pem 파일만 공유하세요.",
    },
    "cli.secret_done": {
        "en": "Wrote a new linkage secret to {path}. Give it only to the agencies of this project, over a secure channel.",
        "ko": "새 결합 비밀값을 {path}에 만들었습니다. 이 프로젝트의 기관에만 안전한 경로로 전달하세요.",
    },
    "cli.synth_done": {
        "en": "Wrote {count} agency file(s) for {persons} persons to {directory}; ground truth in {truth} (never send it to the enclave).",
        "ko": "{persons}명에 대한 기관 파일 {count}개를 {directory}에 만들었습니다. 정답 파일은 {truth}입니다(결합전문기관에 보내지 마세요).",
    },
    "cli.prepare_done": {
        "en": "Prepared {rows} records of agency '{agency}': match keys -> {match_keys}, content -> {content}.",
        "ko": "기관 '{agency}'의 레코드 {rows}건을 준비했습니다: 결합키 -> {match_keys}, 내용 -> {content}.",
    },
    "cli.link_done": {
        "en": "Linked {agencies} agencies: linkage map -> {map_path}, quality report -> {report_path}.",
        "ko": "{agencies}개 기관을 결합했습니다: 연계표 -> {map_path}, 품질 보고서 -> {report_path}.",
    },
    "cli.bad_trust": {
        "en": "--trust must look like AGENCY=PATH_TO_SIGNING_PUBLIC_KEY; got an entry without '='. Fix it and run again.",
        "ko": "--trust 는 기관=서명공개키경로 형식이어야 합니다. '='가 없는 항목이 있습니다.",
    },
    "cli.inspect_unverified": {
        "en": "Signature not verified (give --trust to verify). Manifest:",
        "ko": "서명을 검증하지 않았습니다(--trust로 검증). 매니페스트:",
    },
    "cli.inspect_verified": {
        "en": "Signature verified for agency '{agency}'. Manifest:",
        "ko": "기관 '{agency}'의 서명을 검증했습니다. 매니페스트:",
    },
    # progress bars and report headings
    "progress.prepare": {"en": "preparing records", "ko": "레코드 준비"},
    "progress.link": {"en": "linking passes", "ko": "결합 단계"},
    "report.title": {"en": "Linkage quality report", "ko": "결합 품질 보고서"},
    "report.records": {"en": "Records per agency", "ko": "기관별 레코드"},
    "report.passes": {"en": "Passes (strict to loose)", "ko": "단계(엄격 -> 느슨)"},
    "report.pairs": {"en": "Match rate per agency pair", "ko": "기관 쌍별 결합률"},
    "report.invalid": {"en": "Invalid identifiers (counted, never shown)", "ko": "잘못된 식별자(개수만 표시)"},
    "report.clusters": {"en": "Linked persons by number of agencies", "ko": "기관 수별 결합된 사람"},
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the language ``ENCLAVE_LANG`` asks for.

    Args:
        message_id: A key of :data:`MESSAGES`.
        **params: Values for the ``{placeholders}``; only names, paths and counts.

    Returns:
        The formatted sentence, in English when the language or message is missing.

    Raises:
        KeyError: If ``message_id`` is not in the catalog (a programming error).
    """
    entry = MESSAGES[message_id]
    lang = os.environ.get("ENCLAVE_LANG", "en").split("_")[0].lower()
    template = entry.get(lang) or entry["en"]
    return template.format(**params)
