"""User-facing text of the enclave service, in one place so it can be translated.

Every message a person reads — CLI output, error messages, page flashes — is
looked up here by id. ``ENCLAVE_LANG`` picks the language (``en`` or ``ko``);
a message missing in the chosen language falls back to English.
"""

from __future__ import annotations

import os

__all__ = ["MESSAGES", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    # settings and start-up
    "settings.bad_mode": {
        "en": "ENCLAVE_MODE must be 'development' or 'production'; it is set to something else. Fix the variable and start again.",
        "ko": "ENCLAVE_MODE 값은 'development' 또는 'production'이어야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.workspaces_inside_data": {
        "en": "ENCLAVE_WORKSPACES_DIR lies inside the data folder, which workspace accounts must not enter. Choose a folder outside ENCLAVE_DATA_DIR, or leave it empty for <data folder>-workspaces.",
        "ko": "ENCLAVE_WORKSPACES_DIR가 데이터 폴더 안에 있습니다. 분석 환경 계정은 데이터 폴더에 들어갈 수 없어야 합니다. ENCLAVE_DATA_DIR 밖의 폴더를 지정하거나, 비워 두어 <데이터 폴더>-workspaces를 쓰세요.",
    },
    "settings.bad_isolation": {
        "en": "ENCLAVE_HUB_ISOLATION must be 'auto', 'accounts' or 'none'. Fix the variable and start again.",
        "ko": "ENCLAVE_HUB_ISOLATION 값은 'auto', 'accounts', 'none' 중 하나여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.bad_egress": {
        "en": "ENCLAVE_HUB_EGRESS must be 'auto', 'nftables' or 'none'. Fix the variable and start again.",
        "ko": "ENCLAVE_HUB_EGRESS 값은 'auto', 'nftables', 'none' 중 하나여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.bad_workers": {
        "en": "ENCLAVE_WEB_WORKERS must be 0 (two per CPU core plus one) or a positive number of worker processes. Fix the variable and start again.",
        "ko": "ENCLAVE_WEB_WORKERS 값은 0(CPU 코어당 둘에 하나를 더한 수) 또는 양의 작업 프로세스 수여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.bad_uid_base": {
        "en": "ENCLAVE_HUB_UID_BASE must be between 1000 and 2137483647: workspace accounts take the ten million ids above it. Choose a range no local account or group uses.",
        "ko": "ENCLAVE_HUB_UID_BASE는 1000에서 2137483647 사이여야 합니다. 작업 공간 계정이 그 위의 천만 개 번호를 씁니다. 로컬 계정이나 그룹이 쓰지 않는 범위를 고르세요.",
    },
    "settings.bad_int": {
        "en": "{name} must be a whole number. Fix the variable and start again.",
        "ko": "{name} 값은 정수여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.missing_key_file": {
        "en": "No key file at {path}. Create one with `enclave init`, or point ENCLAVE_KEY_FILE at the existing key file.",
        "ko": "{path}에 키 파일이 없습니다. `enclave init`으로 만들거나 ENCLAVE_KEY_FILE이 기존 키 파일을 가리키게 하세요.",
    },
    "settings.dev_secret": {
        "en": "ENCLAVE_SECRET_KEY is the development default, which is refused in production mode. Remove the variable (the key file's own secret is then used) or set a long random value, e.g. from `python -c \"import secrets; print(secrets.token_urlsafe(48))\"`.",
        "ko": "ENCLAVE_SECRET_KEY가 개발용 기본값이라 운영 모드에서 거부되었습니다. 변수를 지우거나(키 파일의 비밀값 사용) 긴 무작위 값을 설정하세요.",
    },
    "settings.short_secret": {
        "en": "ENCLAVE_SECRET_KEY is shorter than 32 characters, which is refused in production mode. Set a long random value or remove the variable to use the key file's secret.",
        "ko": "ENCLAVE_SECRET_KEY가 32자보다 짧아 운영 모드에서 거부되었습니다. 긴 무작위 값을 설정하거나 변수를 지우세요.",
    },
    # database
    "db.unreachable": {
        "en": "Cannot reach the database at {url}. Check ENCLAVE_DATABASE_URL and that the database server is running.",
        "ko": "{url} 데이터베이스에 연결할 수 없습니다. ENCLAVE_DATABASE_URL과 데이터베이스 서버 상태를 확인하세요.",
    },
    "db.newer_schema": {
        "en": "The database schema (revision {revision}) is newer than this version of the enclave understands. Upgrade the enclave software; nothing was changed.",
        "ko": "데이터베이스 스키마(리비전 {revision})가 이 버전의 enclave보다 새롭습니다. 소프트웨어를 업그레이드하세요. 아무것도 바뀌지 않았습니다.",
    },
    "db.not_initialized": {
        "en": "The database has not been set up yet. Run `enclave init` first.",
        "ko": "데이터베이스가 아직 준비되지 않았습니다. 먼저 `enclave init`을 실행하세요.",
    },
    # keys and storage
    "keys.bad_key_file": {
        "en": "The key file at {path} is not a valid enclave key file. Restore it from your backup, or point ENCLAVE_KEY_FILE at the right file.",
        "ko": "{path}의 키 파일이 올바른 enclave 키 파일이 아닙니다. 백업에서 복원하거나 ENCLAVE_KEY_FILE을 올바른 파일로 지정하세요.",
    },
    "keys.wrong_key_file": {
        "en": "Data key {key_id} cannot be unwrapped with the key file in use: it is the wrong key file for this database. Point ENCLAVE_KEY_FILE at the key file created with this database.",
        "ko": "사용 중인 키 파일로 데이터 키 {key_id}를 풀 수 없습니다. 이 데이터베이스와 함께 만든 키 파일을 ENCLAVE_KEY_FILE로 지정하세요.",
    },
    "keys.shredded": {
        "en": "Data key {key_id} was shredded on {when}; the data it protected can no longer be read.",
        "ko": "데이터 키 {key_id}는 {when}에 파기되어 보호하던 데이터를 더 이상 읽을 수 없습니다.",
    },
    "keys.unknown": {
        "en": "There is no data key {key_id}. Create the dataset or project first.",
        "ko": "데이터 키 {key_id}가 없습니다. 데이터셋이나 프로젝트를 먼저 만드세요.",
    },
    "keys.key_file_exists": {
        "en": "A key file already exists at {path}; it was left unchanged.",
        "ko": "{path}에 키 파일이 이미 있어 그대로 두었습니다.",
    },
    "store.integrity": {
        "en": "Stored object {object_id} failed its integrity check: the file was altered, truncated or swapped with another. Restore it from backup; it was not read.",
        "ko": "저장 객체 {object_id}의 무결성 검사가 실패했습니다(변조, 잘림 또는 교체). 백업에서 복원하세요.",
    },
    "store.missing": {
        "en": "Stored object {object_id} does not exist.",
        "ko": "저장 객체 {object_id}가 없습니다.",
    },
    "store.bad_id": {
        "en": "Object ids may use letters, digits, '.', '_' and '-' only.",
        "ko": "객체 ID에는 영문자, 숫자, '.', '_', '-'만 쓸 수 있습니다.",
    },
    # users
    "users.duplicate": {
        "en": "A user named {username} already exists. Choose another name; nothing was changed.",
        "ko": "{username} 사용자가 이미 있습니다. 다른 이름을 쓰세요. 아무것도 바뀌지 않았습니다.",
    },
    "users.unknown": {
        "en": "There is no user named {username}. List users with `enclave users list`.",
        "ko": "{username} 사용자가 없습니다. `enclave users list`로 확인하세요.",
    },
    "users.bad_role": {
        "en": "Role must be one of: {roles}.",
        "ko": "역할은 다음 중 하나여야 합니다: {roles}.",
    },
    "users.bad_name": {
        "en": "User names are 3 to 64 characters: lower-case letters, digits, '.', '_' and '-'.",
        "ko": "사용자 이름은 3~64자의 영문 소문자, 숫자, '.', '_', '-'입니다.",
    },
    "users.weak_password": {
        "en": "Passwords must have at least 12 characters.",
        "ko": "비밀번호는 12자 이상이어야 합니다.",
    },
    "users.agency_needs_code": {
        "en": "An agency user needs --agency with the agency's code (for example 'welfare').",
        "ko": "기관 사용자는 --agency로 기관 코드(예: 'welfare')를 지정해야 합니다.",
    },
    "users.login_failed": {
        "en": "The user name or password is wrong, or the account is disabled.",
        "ko": "사용자 이름이나 비밀번호가 틀렸거나 계정이 비활성화되었습니다.",
    },
    "users.second_factor_required": {
        "en": "This account needs a one-time code from its authenticator app.",
        "ko": "이 계정은 인증 앱의 일회용 코드가 필요합니다.",
    },
    "users.bad_totp": {
        "en": "The one-time code is wrong, expired or already used. Wait for the next code in your authenticator app and try again.",
        "ko": "일회용 코드가 틀렸거나 만료되었거나 이미 사용되었습니다. 인증 앱의 다음 코드로 다시 시도하세요.",
    },
    "users.bad_token": {
        "en": "The API token is unknown, expired or revoked. Ask a steward or admin for a new one.",
        "ko": "API 토큰이 없거나 만료 또는 폐기되었습니다. 관리자에게 새 토큰을 요청하세요.",
    },
    "users.forbidden": {
        "en": "Your role ({role}) may not do this.",
        "ko": "현재 역할({role})로는 이 작업을 할 수 없습니다.",
    },
    "users.added": {
        "en": "Added {role} {username}.",
        "ko": "{role} {username}을(를) 추가했습니다.",
    },
    "users.disabled": {
        "en": "Disabled {username}; their tokens were revoked.",
        "ko": "{username}을(를) 비활성화하고 토큰을 폐기했습니다.",
    },
    "users.totp_enrol": {
        "en": "Second factor for {username}: add this URI to an authenticator app (shown once):",
        "ko": "{username}의 2차 인증: 이 URI를 인증 앱에 등록하세요(한 번만 표시):",
    },
    "users.token_issued": {
        "en": "API token for {username} (shown once; only its hash is stored):",
        "ko": "{username}의 API 토큰(한 번만 표시되며 해시만 저장됩니다):",
    },
    # audit
    "audit.intact": {
        "en": "Audit log intact: {count} events, chain and MACs verified.",
        "ko": "감사 로그 무결: 이벤트 {count}건, 해시 체인과 MAC 검증 완료.",
    },
    "audit.broken": {
        "en": "Audit log BROKEN at event #{seq}: {reason}. Preserve the database as evidence and inform the security officer.",
        "ko": "감사 로그 손상: 이벤트 #{seq}에서 {reason}. 데이터베이스를 증거로 보존하고 보안 책임자에게 알리세요.",
    },
    "audit.reason.changed": {"en": "its content was changed", "ko": "내용이 변경됨"},
    "audit.reason.mac": {"en": "its MAC does not match (forged or re-hashed)", "ko": "MAC 불일치(위조 또는 재계산)"},
    "audit.reason.link": {"en": "it does not follow the event before it (reordered or an event removed)", "ko": "앞 이벤트와 연결되지 않음(순서 변경 또는 삭제)"},
    "audit.reason.gap": {"en": "this event is missing (deleted)", "ko": "이 이벤트가 없음(삭제)"},
    "audit.reason.tail": {"en": "events after it are missing (deleted from the end)", "ko": "이후 이벤트가 없음(끝부분 삭제)"},
    "audit.append_only": {
        "en": "The audit log is append-only: events cannot be changed or deleted.",
        "ko": "감사 로그는 추가만 가능하며 변경하거나 삭제할 수 없습니다.",
    },
    # init and demo
    "init.done": {
        "en": "Enclave ready: data folder {data_dir}, database {database}, key file {key_file}.",
        "ko": "Enclave 준비 완료: 데이터 폴더 {data_dir}, 데이터베이스 {database}, 키 파일 {key_file}.",
    },
    "keys.rotated": {
        "en": "Re-wrapped {count} data keys under the new key-encryption key {kek_id}; no data was re-encrypted.",
        "ko": "데이터 키 {count}개를 새 키 암호화 키 {kek_id}로 다시 감쌌습니다. 데이터는 재암호화하지 않았습니다.",
    },
    "cli.error": {"en": "Error: {message}", "ko": "오류: {message}"},
    "serve.production": {
        "en": "Enclave serving on http://{host}:{port}/ with gunicorn, {workers} worker processes (SIGTERM or Ctrl+C stops it after the requests under way).",
        "ko": "Enclave가 http://{host}:{port}/ 에서 gunicorn 작업 프로세스 {workers}개로 서비스 중입니다 (SIGTERM 또는 Ctrl+C로 진행 중인 요청을 마친 뒤 멈춥니다).",
    },
    "serve.development": {
        "en": "Enclave serving on http://{host}:{port}/ with Werkzeug's development server, one process (Ctrl+C stops it). For several people, run it in production mode without --dev-server: gunicorn.",
        "ko": "Enclave가 http://{host}:{port}/ 에서 Werkzeug 개발용 서버(프로세스 하나)로 서비스 중입니다 (Ctrl+C로 멈춥니다). 여러 사람이 쓰려면 --dev-server 없이 운영 모드로 실행하세요: gunicorn.",
    },
    # catalog
    "catalog.bad_name": {"en": "Dataset names are lower-case letters, digits and '_', starting with a letter.", "ko": "데이터셋 이름은 영문 소문자로 시작하는 소문자·숫자·'_'입니다."},
    "catalog.no_title": {"en": "Give the dataset a title.", "ko": "데이터셋 제목을 입력하세요."},
    "catalog.bad_coverage": {"en": "The coverage period ends before it starts.", "ko": "수록 기간의 끝이 시작보다 앞섭니다."},
    "catalog.no_variables": {"en": "Describe at least one variable.", "ko": "변수를 하나 이상 기술하세요."},
    "catalog.bad_variable": {"en": "Variable {position} needs a name of lower-case letters, digits and '_'.", "ko": "{position}번째 변수 이름은 영문 소문자·숫자·'_'여야 합니다."},
    "catalog.duplicate_variable": {"en": "Variable {name} is listed twice.", "ko": "변수 {name}이(가) 두 번 있습니다."},
    "catalog.bad_type": {"en": "Variable {name} has an unknown type; use one of {types}.", "ko": "변수 {name}의 유형을 {types} 중에서 고르세요."},
    "catalog.duplicate": {"en": "This agency already has a dataset named {name}; nothing was changed.", "ko": "이 기관에 {name} 데이터셋이 이미 있습니다."},
    # parties, intake, linkage unit
    "parties.bad_code": {"en": "Agency codes are lower-case letters, digits, '_' and '-'.", "ko": "기관 코드는 영문 소문자, 숫자, '_', '-'입니다."},
    "parties.bad_key": {"en": "That is not an Ed25519 public key in PEM format. Send the file `linkage keygen` wrote as <agency>.signing.pub.pem.", "ko": "PEM 형식의 Ed25519 공개키가 아닙니다. `linkage keygen`이 만든 <기관>.signing.pub.pem 파일을 보내세요."},
    "intake.misaddressed": {"en": "This package was prepared for another project or another agency. Prepare it again for this project with your own agency code.", "ko": "다른 과제나 다른 기관용으로 만든 패키지입니다. 이 과제와 귀 기관 코드로 다시 만드세요."},
    "intake.too_large": {"en": "The upload is larger than the limit of {limit_mb} MiB; nothing was kept. Split the file or ask the operator to raise ENCLAVE_UPLOAD_MAX_MB.", "ko": "업로드가 한도 {limit_mb} MiB를 넘어 저장하지 않았습니다."},
    "intake.truncated": {"en": "The upload ended after {received} of {expected} bytes; nothing was kept. Send the package again.", "ko": "업로드가 {expected}바이트 중 {received}바이트에서 끊겨 저장하지 않았습니다. 다시 보내세요."},
    "intake.checksum": {"en": "The package's SHA-256 does not match the one you declared; nothing was kept. Send the package again; if it keeps failing, prepare it again.", "ko": "패키지 SHA-256이 신고한 값과 달라 저장하지 않았습니다. 다시 보내세요."},
    "intake.not_requested": {"en": "This project does not request your agency's data, or is not yet approved; nothing was kept.", "ko": "이 과제는 귀 기관 데이터를 요청하지 않았거나 아직 승인되지 않았습니다."},
    "intake.unknown_kind": {"en": "This is a {kind} package; agencies upload match_keys and content packages only.", "ko": "{kind} 패키지입니다. 기관은 match_keys와 content 패키지만 올립니다."},
    "linkage_unit.too_few": {"en": "Match keys from at least two agencies are needed before linking.", "ko": "결합하려면 두 기관 이상의 매치키가 필요합니다."},
    # combination
    "combination.short_key": {"en": "The project's pseudonym key is shorter than 32 bytes. Use the key the project was created with.", "ko": "과제 가명 키가 32바이트보다 짧습니다. 과제 생성 시의 키를 쓰세요."},
    "combination.map_columns": {"en": "The linkage map lacks the columns {columns}. Open it with LinkageMap.from_package.", "ko": "결합 매핑에 {columns} 열이 없습니다. LinkageMap.from_package로 여세요."},
    "combination.no_content": {"en": "No content tables were given. Open the agencies' content packages first.", "ko": "내용 테이블이 없습니다. 먼저 기관의 내용 패키지를 여세요."},
    "combination.bad_agency": {"en": "An agency name holds characters other than letters, digits, '-' and '_'. Use the agency codes from the content packages.", "ko": "기관 이름에 영문자, 숫자, '-', '_' 외의 문자가 있습니다. 내용 패키지의 기관 코드를 쓰세요."},
    "combination.no_serial": {"en": "The content table of agency '{agency}' has no 'serial' column. Open it from the agency's content package.", "ko": "기관 '{agency}'의 내용 테이블에 'serial' 열이 없습니다."},
    "combination.reserved": {"en": "The content table of agency '{agency}' has reserved columns {columns}. It is not a content package; ask the agency to prepare again.", "ko": "기관 '{agency}'의 내용 테이블에 예약된 열 {columns}이(가) 있습니다. 기관에 다시 준비하도록 요청하세요."},
    # provisioning
    "provisioning.missing_content": {"en": "Content has not arrived yet from: {agencies}.", "ko": "다음 기관의 데이터가 아직 도착하지 않았습니다: {agencies}."},
    "provisioning.no_map": {"en": "There is no linkage map yet; run the linkage first.", "ko": "결합 매핑이 아직 없습니다. 먼저 결합을 실행하세요."},
    "provisioning.not_combined": {"en": "The project's data has not been combined yet.", "ko": "과제 데이터가 아직 결합되지 않았습니다."},
    "provisioning.no_review": {"en": "There is no such review.", "ko": "해당 검토가 없습니다."},
    "provisioning.no_approved": {"en": "The project has no dataset approved for analysis yet.", "ko": "분석용으로 승인된 데이터셋이 아직 없습니다."},
    "provisioning.bad_decision": {"en": "Choose approve or return.", "ko": "approve 또는 return을 고르세요."},
    "provisioning.fails_thresholds": {"en": "This report does not meet the policy's thresholds, so it cannot be approved. Return it for further processing.", "ko": "기준을 충족하지 않아 승인할 수 없습니다. 추가 처리를 위해 반려하세요."},
    "provisioning.replica_risky": {"en": "The replica's measured risk is above the policy's limit, so it may not leave the enclave.", "ko": "합성 데이터의 위험도가 기준을 넘어 반출할 수 없습니다."},
    # exports
    "exports.no_title": {"en": "Give the export request a title.", "ko": "반출 신청 제목을 입력하세요."},
    "exports.count": {"en": "An export request holds between 1 and {most} outputs.", "ko": "반출 신청에는 결과물이 1개에서 {most}개까지 들어갑니다."},
    "exports.names": {"en": "Every output needs a name, and names must differ within a request.", "ko": "결과물마다 서로 다른 이름이 필요합니다."},
    "exports.not_found": {"en": "There is no such export request or output, or you may not see it.", "ko": "반출 신청이나 결과물이 없거나 볼 권한이 없습니다."},
    "exports.not_in_review": {"en": "The export request is {state}, so it cannot be reviewed or changed now.", "ko": "반출 신청 상태가 {state}이므로 지금은 심사하거나 바꿀 수 없습니다."},
    "exports.already_voted": {"en": "You have already voted on this output; your vote stands and nothing was changed.", "ko": "이 결과물에 이미 투표했습니다. 아무것도 바뀌지 않았습니다."},
    "exports.bad_decision": {"en": "Choose approve, reject or request_changes.", "ko": "approve, reject, request_changes 중에서 고르세요."},
    # projects
    "projects.no_datasets": {"en": "Choose at least one dataset from the catalog.", "ko": "카탈로그에서 데이터셋을 하나 이상 고르세요."},
    "projects.unknown_dataset": {"en": "Dataset {dataset_id} is not in the catalog.", "ko": "데이터셋 {dataset_id}은(는) 카탈로그에 없습니다."},
    "projects.unknown_variable": {"en": "Dataset {dataset} has no variable {variable}.", "ko": "데이터셋 {dataset}에 변수 {variable}이(가) 없습니다."},
    "projects.no_variables": {"en": "Choose at least one variable of dataset {dataset}.", "ko": "데이터셋 {dataset}의 변수를 하나 이상 고르세요."},
    "projects.no_purpose": {"en": "Describe the purpose of the project.", "ko": "연구 목적을 기술하세요."},
    "projects.no_title": {"en": "Give the project a title.", "ko": "과제명을 입력하세요."},
    "projects.retention_past": {"en": "The retention end must be in the future.", "ko": "보유 기간 종료일은 미래여야 합니다."},
    "projects.team_not_researcher": {"en": "Team member {username} is not a researcher account.", "ko": "팀원 {username}은(는) 연구자 계정이 아닙니다."},
    "projects.not_found": {"en": "There is no such project, or you may not see it.", "ko": "과제가 없거나 볼 권한이 없습니다."},
    "projects.already_decided": {"en": "This was already decided ({decision}); nothing was changed.", "ko": "이미 결정되었습니다({decision}). 아무것도 바뀌지 않았습니다."},
    "projects.wrong_state": {"en": "The project is {state}, so this cannot be done now.", "ko": "과제 상태가 {state}이므로 지금은 할 수 없습니다."},
    "projects.not_your_data": {"en": "This application does not request your agency's data.", "ko": "이 신청은 귀 기관의 데이터를 요청하지 않습니다."},
    "projects.agencies_pending": {"en": "Every agency must decide on its part before a steward approves; still waiting for: {agencies}.", "ko": "심사자 승인 전에 모든 기관이 결정해야 합니다. 대기 중: {agencies}."},
    "projects.conflict_of_interest": {"en": "You belong to this project, so you may not decide on it. Ask another steward.", "ko": "이 과제의 구성원이므로 결정할 수 없습니다. 다른 심사자에게 요청하세요."},
    "projects.destroyed": {"en": "Project {project_id} was destroyed on {when}; its data and keys no longer exist.", "ko": "과제 {project_id}는 {when}에 파기되어 데이터와 키가 없습니다."},
    "projects.comment_required": {"en": "Say why in a comment when you decline.", "ko": "거절할 때는 사유를 입력하세요."},
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the configured language.

    Args:
        message_id: Key of :data:`MESSAGES`.
        **params: Values for the message's ``{placeholders}``. Callers pass
            names, counts and paths here — never record values.

    Returns:
        The formatted message.
    """
    lang = os.environ.get("ENCLAVE_LANG", "en")
    entry = MESSAGES[message_id]
    template = entry.get(lang) or entry["en"]
    return template.format(**params)
