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
    "link.bad_probabilistic": {
        "en": "The packages' probabilistic section has {count} problem(s). Ask the agencies to prepare again with the project's current identifier policy.",
        "ko": "패키지의 확률적 결합 설정에 문제가 {count}개 있습니다. 기관들에 프로젝트의 현재 식별자 정책으로 다시 준비해 달라고 요청하세요.",
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
    "cli.token_missing": {
        "en": "No API token: put your agency's token in the LINKAGE_TOKEN environment variable or in a file given with --token-file (never on the command line).",
        "ko": "API 토큰이 없습니다. 기관 토큰을 LINKAGE_TOKEN 환경변수나 --token-file 파일에 넣으세요(명령줄에는 넣지 마세요).",
    },
    "cli.token_unreadable": {
        "en": "Cannot read the token file {path}. Check the path and its permissions.",
        "ko": "토큰 파일 {path}을(를) 읽을 수 없습니다. 경로와 권한을 확인하세요.",
    },
    "cli.token_file_open": {
        "en": "Warning: the token file {path} is readable by other accounts; make it yours alone (chmod 600 {path}).",
        "ko": "경고: 토큰 파일 {path}을(를) 다른 계정도 읽을 수 있습니다. 본인만 읽도록 하세요(chmod 600 {path}).",
    },
    "cli.token_malformed": {
        "en": "The token (from {source}) is empty or holds spaces or control characters. Copy the token exactly as the enclave issued it.",
        "ko": "토큰({source})이 비어 있거나 공백·제어문자를 담고 있습니다. 발급받은 토큰을 그대로 넣으세요.",
    },
    "cli.project_mismatch": {
        "en": "The package was sealed for project {manifest}, not {given}. Upload it to project {manifest}, or prepare a package for project {given}.",
        "ko": "이 패키지는 프로젝트 {given}이(가) 아니라 {manifest}용으로 봉인되었습니다. 프로젝트 {manifest}에 올리거나 {given}용 패키지를 새로 만드세요.",
    },
    "cli.project_unknown": {
        "en": "The package's project '{manifest}' is not an enclave project number. Give the number with --project.",
        "ko": "패키지의 프로젝트 '{manifest}'은(는) 결합전문기관의 프로젝트 번호가 아닙니다. --project 로 번호를 주세요.",
    },
    "cli.not_uploadable": {
        "en": "{path} is a '{kind}' package; agencies upload only content and match-key packages made by `linkage prepare`.",
        "ko": "{path}은(는) '{kind}' 패키지입니다. 기관은 `linkage prepare`가 만든 내용·결합키 패키지만 올립니다.",
    },
    "cli.upload_sending": {
        "en": "Sending {path} ({size} bytes, {kind}, sha256 {sha256}) to {url}",
        "ko": "{path}({size}바이트, {kind}, sha256 {sha256})을(를) {url}(으)로 보냅니다",
    },
    "cli.upload_retry": {
        "en": "Connection problem ({reason}); trying again ({attempt} of {retries}).",
        "ko": "연결 문제({reason}); 다시 시도합니다({retries}번 중 {attempt}번째).",
    },
    "cli.upload_receipt": {
        "en": "Received by the {received_by}: {kind} package {package_id}, {rows} rows, sha256 {sha256}.",
        "ko": "{received_by}이(가) 받았습니다: {kind} 패키지 {package_id}, {rows}행, sha256 {sha256}.",
    },
    "cli.upload_duplicate": {
        "en": "The enclave already held this very package (an earlier attempt arrived); nothing was stored twice.",
        "ko": "결합전문기관이 이미 이 패키지를 받아 두었습니다(앞선 시도가 도착함). 두 번 저장되지 않았습니다.",
    },
    "cli.status_none": {
        "en": "The enclave at {url} holds no submissions of your agency yet.",
        "ko": "{url}의 결합전문기관에 귀 기관의 제출이 아직 없습니다.",
    },
    "cli.status_columns": {
        "en": "project|package id|rows|bytes|received at|pre-check",
        "ko": "프로젝트|패키지 id|행|바이트|받은 시각|사전점검",
    },
    "cli.status_header": {
        "en": "Submissions of your agency at {url} (newest first):",
        "ko": "{url}에 있는 귀 기관의 제출(최신순):",
    },
    "cli.keys_written": {
        "en": "{label:<22} {algorithm:<8} {fingerprint}  -> {path}",
        "ko": "{label:<22} {algorithm:<8} {fingerprint}  -> {path}",
    },
    "cli.keys_confirm": {
        "en": "Wrote {count} verified public key(s) from {url}. Confirm these fingerprints with the enclave's operators by another channel (telephone, signed letter) before you seal packages to them, or pin them with --expect.",
        "ko": "{url}에서 검증한 공개키 {count}개를 저장했습니다. 이 키로 봉인하기 전에 다른 경로(전화, 서명된 공문)로 결합전문기관 운영자와 지문을 확인하거나 --expect 로 고정하세요.",
    },
    "cli.inspect_unverified": {
        "en": "Signature not verified (give --trust to verify). Manifest:",
        "ko": "서명을 검증하지 않았습니다(--trust로 검증). 매니페스트:",
    },
    "cli.inspect_verified": {
        "en": "Signature verified for agency '{agency}'. Manifest:",
        "ko": "기관 '{agency}'의 서명을 검증했습니다. 매니페스트:",
    },
    # talking to the enclave (linkage upload / status / fetch-keys)
    "transfer.bad_url": {
        "en": "The enclave address must look like https://host[:port][/path], without a query. Check --to.",
        "ko": "결합전문기관 주소는 https://호스트[:포트][/경로] 형식이어야 합니다(쿼리 없이). --to 를 확인하세요.",
    },
    "transfer.unauthorized": {
        "en": "The enclave at {url} did not accept the token (401: wrong, expired or revoked). Ask the enclave's administrator for a new agency token and put it in LINKAGE_TOKEN or --token-file.",
        "ko": "{url}의 결합전문기관이 토큰을 받지 않았습니다(401: 틀림, 만료 또는 폐기). 관리자에게 새 기관 토큰을 받아 LINKAGE_TOKEN 또는 --token-file 에 넣으세요.",
    },
    "transfer.forbidden": {
        "en": "The enclave at {url} refused this token for that request (403: {reason}). Use your agency's own token, not a researcher's or a project-scoped one.",
        "ko": "{url}의 결합전문기관이 이 토큰의 요청을 거부했습니다(403: {reason}). 연구자용이나 프로젝트 한정 토큰이 아닌 기관 토큰을 쓰세요.",
    },
    "transfer.not_found": {
        "en": "The enclave at {url} has nothing there for your agency (404: {reason}). Check the address, and for an upload the project number (--project or the package's manifest) and that the project asks for your agency's data.",
        "ko": "{url}의 결합전문기관에 귀 기관을 위한 해당 항목이 없습니다(404: {reason}). 주소를 확인하고, 업로드라면 프로젝트 번호(--project 또는 패키지 매니페스트)와 그 프로젝트가 귀 기관의 자료를 요청했는지 확인하세요.",
    },
    "transfer.conflict": {
        "en": "The enclave at {url} refused the package as a conflict (409: {reason}). If it holds a different package with the same id, prepare a new package with `linkage prepare`; if the project is not waiting for data, ask the steward.",
        "ko": "{url}의 결합전문기관이 패키지를 충돌로 거부했습니다(409: {reason}). 같은 id의 다른 패키지가 이미 있으면 `linkage prepare`로 새 패키지를 만들고, 프로젝트가 자료를 기다리는 상태가 아니면 담당자에게 문의하세요.",
    },
    "transfer.too_large": {
        "en": "The package is larger than the enclave at {url} accepts (413: {reason}). Ask the enclave's operators to raise the limit, or prepare the file in parts.",
        "ko": "패키지가 {url}의 결합전문기관이 받는 크기보다 큽니다(413: {reason}). 운영자에게 한도 상향을 요청하거나 파일을 나누어 준비하세요.",
    },
    "transfer.refused": {
        "en": "The enclave at {url} refused the request ({status}: {reason}). Fix what it says and send again.",
        "ko": "{url}의 결합전문기관이 요청을 거부했습니다({status}: {reason}). 안내대로 고친 뒤 다시 보내세요.",
    },
    "transfer.server_error": {
        "en": "The enclave at {url} failed to answer ({status}: {reason}). Try again later; if it persists, tell the enclave's operators.",
        "ko": "{url}의 결합전문기관이 응답하지 못했습니다({status}: {reason}). 나중에 다시 시도하고, 계속되면 운영자에게 알리세요.",
    },
    "transfer.unreachable": {
        "en": "Cannot reach the enclave at {url} after {attempts} attempt(s) ({reason}). Check the address, your network and proxy, then run the command again; a package already received is not stored twice.",
        "ko": "{attempts}번 시도했지만 {url}의 결합전문기관에 연결할 수 없습니다({reason}). 주소, 네트워크, 프록시를 확인한 뒤 다시 실행하세요. 이미 받은 패키지는 두 번 저장되지 않습니다.",
    },
    "transfer.tls": {
        "en": "The TLS connection to {url} failed ({reason}); nothing was sent. Check the address, or give the enclave's CA certificate with --ca-file.",
        "ko": "{url}과의 TLS 연결에 실패했습니다({reason}). 아무것도 보내지 않았습니다. 주소를 확인하거나 --ca-file 로 결합전문기관의 CA 인증서를 주세요.",
    },
    "transfer.bad_answer": {
        "en": "The server answered ({status}) with something that is not the enclave's API. Check that --to points at the enclave itself.",
        "ko": "서버가 결합전문기관 API가 아닌 응답({status})을 보냈습니다. --to 가 결합전문기관을 가리키는지 확인하세요.",
    },
    "transfer.receipt_mismatch": {
        "en": "The enclave's receipt names a different SHA-256 than the file sent. Do not count the package as delivered; send it again and tell the enclave's operators.",
        "ko": "결합전문기관의 수령증에 보낸 파일과 다른 SHA-256이 적혀 있습니다. 전달된 것으로 보지 말고 다시 보낸 뒤 운영자에게 알리세요.",
    },
    # fetched public keys
    "keys.document_malformed": {
        "en": "The keys document is not {{\"keys\": [...]}} with at least one key; nothing was written. Check that the URL is the enclave's.",
        "ko": "키 문서가 키를 하나 이상 담은 {{\"keys\": [...]}} 형식이 아닙니다. 아무것도 쓰지 않았습니다. 결합전문기관의 주소인지 확인하세요.",
    },
    "keys.refused": {
        "en": "Refused the published keys ({count} problem(s)); nothing was written. Do not seal packages to these keys; ask the enclave's operators:",
        "ko": "공개된 키를 거부했습니다(문제 {count}개). 아무것도 쓰지 않았습니다. 이 키로 봉인하지 말고 결합전문기관 운영자에게 문의하세요:",
    },
    "keys.entry_malformed": {
        "en": "{at} lacks a known party (enclave, linkage-unit), use (sealing, signing), PEM text or fingerprint",
        "ko": "{at}에 알려진 당사자(enclave, linkage-unit), 용도(sealing, signing), PEM 또는 지문이 없습니다",
    },
    "keys.wrong_algorithm": {
        "en": "{label} must be an {expected} key",
        "ko": "{label}은(는) {expected} 키여야 합니다",
    },
    "keys.not_that_key": {
        "en": "{label}: the PEM text is not an {expected} public key",
        "ko": "{label}: PEM이 {expected} 공개키가 아닙니다",
    },
    "keys.fingerprint_differs": {
        "en": "{label}: the published fingerprint differs from the key's own ({computed})",
        "ko": "{label}: 공개된 지문이 키에서 계산한 지문({computed})과 다릅니다",
    },
    "keys.listed_twice": {"en": "{label} is listed twice", "ko": "{label}이(가) 두 번 나옵니다"},
    "keys.pin_differs": {
        "en": "{label}: fingerprint {computed}, but --expect pinned {expected}",
        "ko": "{label}: 지문이 {computed}인데 --expect 는 {expected}입니다",
    },
    "keys.pin_missing": {
        "en": "{label} is pinned with --expect but not published",
        "ko": "{label}이(가) --expect 로 지정되었지만 공개되지 않았습니다",
    },
    "keys.pin_malformed": {
        "en": "--expect must look like PARTY.USE=sha256:..., with PARTY.USE one of {known}",
        "ko": "--expect 는 당사자.용도=sha256:... 형식이어야 합니다(당사자.용도: {known})",
    },
    "keys.pin_twice": {
        "en": "--expect gives two fingerprints for {label}",
        "ko": "--expect 가 {label}에 지문을 두 개 줍니다",
    },
    # identification-risk pre-check (stage 2 at the agency)
    "precheck.none": {
        "en": "identification-risk pre-check: none declared by the identifier policy (add a 'precheck' section to run one)",
        "ko": "식별위험 사전점검: 식별자 정책에 선언되지 않았습니다('precheck' 항목을 추가하면 실행됩니다)",
    },
    "precheck.pass": {"en": "PASS", "ko": "통과"},
    "precheck.flagged": {"en": "FAIL", "ko": "미달"},
    "precheck.fail": {"en": "FAIL — the enclave's steward will see this package flagged", "ko": "미달 — 결합전문기관 담당자에게 이 패키지가 표시됩니다"},
    "precheck.summary": {
        "en": "identification-risk pre-check on {columns}: {verdict}\n  {records} records in {classes} classes; smallest class {smallest}; in classes below k={k}: {below} ({below_share}, limit {below_limit}); unique: {unique} ({unique_share}, limit {unique_limit})",
        "ko": "식별위험 사전점검({columns}): {verdict}\n  레코드 {records}건, 동질집합 {classes}개, 최소 집합 크기 {smallest}; k={k} 미만 집합의 레코드: {below}건({below_share}, 한도 {below_limit}); 유일 레코드: {unique}건({unique_share}, 한도 {unique_limit})",
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
