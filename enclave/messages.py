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
    "settings.bad_switch": {
        "en": "{name} must be 'on' or 'off'. Fix the variable and start again.",
        "ko": "{name} 값은 'on' 또는 'off'여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
    },
    "settings.bad_positive": {
        "en": "{names} must be whole numbers of at least 1. Fix the variable and start again.",
        "ko": "{names} 값은 1 이상의 정수여야 합니다. 변수를 고친 뒤 다시 시작하세요.",
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
    "users.signed_out": {
        "en": "Signed {username} out everywhere: {count} sessions ended.",
        "ko": "{username}을(를) 모든 곳에서 로그아웃했습니다: 세션 {count}개 종료.",
    },
    "users.password_changed": {
        "en": "Password of {username} changed; {count} other sessions ended.",
        "ko": "{username}의 비밀번호를 변경했습니다. 다른 세션 {count}개를 종료했습니다.",
    },
    "users.wrong_password": {
        "en": "The current password is not right; type it again.",
        "ko": "현재 비밀번호가 맞지 않습니다. 다시 입력하세요.",
    },
    "sessions.ended": {
        "en": "Your session has ended; log in again.",
        "ko": "세션이 종료되었습니다. 다시 로그인하세요.",
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
    "audit.reason.empty": {
        "en": "the log is empty, yet `enclave init` records the first event: every event was deleted. Compare the "
              "database with the anchor kept outside the machine (`enclave audit verify --anchor LINE`)",
        "ko": "로그가 비어 있으나 `enclave init`이 첫 이벤트를 기록하므로 모든 이벤트가 삭제된 것입니다. 외부에 보관한 "
              "앵커와 비교하세요(`enclave audit verify --anchor LINE`)"},
    "audit.reason.head_missing": {
        "en": "the head file {head} is missing although events exist, so events may have been cut from the end. "
              "Check the log against the anchor kept outside the machine (`enclave audit verify --anchor LINE` or "
              "`--checkpoints FOLDER`)",
        "ko": "이벤트가 있는데 헤드 파일 {head}이(가) 없어 끝부분이 잘렸을 수 있습니다. 외부에 보관한 앵커로 확인하세요"
              "(`enclave audit verify --anchor LINE` 또는 `--checkpoints FOLDER`)"},
    "audit.reason.head_unreadable": {
        "en": "the head file {head} is not a head file (overwritten)",
        "ko": "헤드 파일 {head}의 형식이 올바르지 않음(덮어씀)"},
    "audit.reason.signature": {
        "en": "its signature does not verify with the enclave's public key (forged)",
        "ko": "서명이 enclave 공개키로 검증되지 않음(위조)"},
    "audit.reason.stale_head": {
        "en": "the head file {head} is older than this checkpoint, so it was put back from a copy after events were "
              "cut (only if the service stopped abruptly right after this checkpoint does the next event heal it); "
              "check the log against the anchor kept outside the machine",
        "ko": "헤드 파일 {head}이(가) 이 체크포인트보다 오래되어, 이벤트를 잘라낸 뒤 사본으로 되돌린 것입니다(서비스가 "
              "이 체크포인트 직후 비정상 종료된 경우에만 다음 이벤트에서 회복됨). 외부에 보관한 앵커로 확인하세요"},
    "audit.reason.anchor_signature": {
        "en": "the anchor given was not signed by this enclave's key; check that the whole line was copied",
        "ko": "주어진 앵커가 이 enclave의 키로 서명되지 않음. 줄 전체를 복사했는지 확인하세요"},
    "audit.anchor_bad_line": {
        "en": "That is not an anchor line; give the whole line `enclave audit anchor` printed "
              "(enclave-audit-head/1 seq=… hash=… signature=…).",
        "ko": "앵커 줄이 아닙니다. `enclave audit anchor`가 출력한 줄 전체를 주세요(enclave-audit-head/1 seq=… hash=… signature=…)."},
    "audit.anchor_bad_folder": {
        "en": "{name} in the checkpoint folder is not an exported checkpoint; move it out and try again.",
        "ko": "체크포인트 폴더의 {name}은(는) 내보낸 체크포인트가 아닙니다. 옮긴 뒤 다시 시도하세요."},
    "audit.anchor_conflict": {
        "en": "The checkpoint folder already holds a different checkpoint #{seq}: the log and the export disagree. "
              "Run `enclave audit verify --checkpoints FOLDER`, preserve both as evidence and inform the security "
              "officer.",
        "ko": "체크포인트 폴더에 다른 체크포인트 #{seq}이(가) 이미 있습니다. 로그와 내보낸 사본이 다릅니다. "
              "`enclave audit verify --checkpoints FOLDER`를 실행하고, 둘 다 증거로 보존한 뒤 보안 책임자에게 알리세요."},
    "audit.exported": {
        "en": "Exported {written} new checkpoints to {folder} ({total} in the log).",
        "ko": "체크포인트 {written}개를 {folder}에 새로 내보냈습니다(로그에 {total}개)."},
    "audit.anchor_unsigned": {
        "en": "This audit log has no signing key; its anchors cannot be checked outside the machine.",
        "ko": "이 감사 로그에는 서명 키가 없어 외부에서 앵커를 검증할 수 없습니다."},
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
    "parties.bad_code": {"en": "Agency codes are 2 to 64 lower-case letters, digits, '_' and '-', starting with a letter (not 'enclave' or 'linkage-unit'). Use the name the agency's partner tool signs with.", "ko": "기관 코드는 영문 소문자로 시작하는 2~64자의 소문자·숫자·'_'·'-'입니다('enclave', 'linkage-unit' 제외). 기관의 파트너 도구가 서명에 쓰는 이름을 쓰세요."},
    "parties.bad_key": {"en": "That is not an Ed25519 public key in PEM format. Send the file `linkage keygen` wrote as <agency>.signing.pub.pem.", "ko": "PEM 형식의 Ed25519 공개키가 아닙니다. `linkage keygen`이 만든 <기관>.signing.pub.pem 파일을 보내세요."},
    "parties.no_linkage_unit_keys": {"en": "The linkage unit's public keys are missing from the enclave's parties folder. Run `enclave init` (it exchanges keys with the linkage unit) and try again.", "ko": "엔클레이브의 parties 폴더에 결합키관리기관의 공개키가 없습니다. `enclave init`(결합키관리기관과 키를 교환함)을 실행한 뒤 다시 시도하세요."},
    # agency registry
    "agencies.no_name": {"en": "Give the agency's name as people know it.", "ko": "기관 이름을 입력하세요."},
    "agencies.duplicate": {"en": "Agency {code} is registered already; nothing was changed. To give it a new signing key, rotate its key instead.", "ko": "기관 {code}은(는) 이미 등록되어 있습니다. 아무것도 바뀌지 않았습니다. 새 서명키는 키 교체로 등록하세요."},
    "agencies.key_in_use": {"en": "The signing key {fingerprint} is registered already (for this or another agency, now or before); nothing was changed. Ask the agency to generate a new key pair with `linkage keygen`.", "ko": "서명키 {fingerprint}은(는) 이미 등록된 적이 있습니다. 아무것도 바뀌지 않았습니다. 기관에 `linkage keygen`으로 새 키 쌍을 만들도록 요청하세요."},
    "agencies.unknown": {"en": "No agency is registered with code {code}. See `enclave agencies list` for the codes.", "ko": "코드 {code}로 등록된 기관이 없습니다. `enclave agencies list`에서 코드를 확인하세요."},
    "agencies.revoked": {"en": "Agency {code} is revoked; a revoked agency cannot be changed or brought back. Register the organisation again under a new code if it is to take part again.", "ko": "기관 {code}은(는) 폐지되어 바꾸거나 되살릴 수 없습니다. 다시 참여하려면 새 코드로 등록하세요."},
    "agencies.not_active": {"en": "No active agency is registered with code {code}. An admin registers it first (`enclave agencies add` or the Agencies page); then add its users and datasets.", "ko": "코드 {code}로 등록된 활성 기관이 없습니다. 관리자가 먼저 기관을 등록(`enclave agencies add` 또는 기관 화면)한 뒤 사용자와 데이터셋을 추가하세요."},
    "agencies.registered": {"en": "Registered agency {code} ({name}); its signing key is trusted by the enclave and the linkage unit.", "ko": "기관 {code}({name})을(를) 등록했습니다. 서명키를 엔클레이브와 결합키관리기관이 신뢰합니다."},
    "agencies.fingerprint": {"en": "Signing key fingerprint: {fingerprint}", "ko": "서명키 지문: {fingerprint}"},
    "agencies.confirm_out_of_band": {"en": "Read this fingerprint back to the agency by telephone or letter, and compare it with the one `linkage keygen` printed there, before it sends packages.", "ko": "기관이 패키지를 보내기 전에 이 지문을 전화나 서면으로 기관에 알려 `linkage keygen`이 출력한 지문과 비교하세요."},
    "agencies.rotated": {"en": "Agency {code} has a new signing key; packages signed with the old key are refused from now on.", "ko": "기관 {code}의 서명키를 교체했습니다. 이제부터 이전 키로 서명한 패키지는 거부됩니다."},
    "agencies.revoke_confirm": {"en": "Revoke agency {code}? Its keys will no longer be trusted, its users will be disabled, and it cannot be undone.", "ko": "기관 {code}을(를) 폐지할까요? 키는 더 이상 신뢰되지 않고 사용자는 비활성화되며 되돌릴 수 없습니다."},
    "agencies.revoked_done": {"en": "Revoked agency {code}: its keys are no longer trusted and its {users} user(s) are disabled.", "ko": "기관 {code}을(를) 폐지했습니다. 키는 더 이상 신뢰되지 않으며 사용자 {users}명이 비활성화되었습니다."},
    "catalog.long_title": {"en": "Keep the title to 300 characters; put the rest in the description.", "ko": "제목은 300자 이내로 쓰고 나머지는 설명에 쓰세요."},
    "catalog.bad_rows": {"en": "The row count cannot be negative.", "ko": "행 수는 음수일 수 없습니다."},
    "catalog.imported": {"en": "Described dataset {id} ({agency}/{name}) in the catalog with {variables} variables.", "ko": "데이터셋 {id}({agency}/{name})을(를) 변수 {variables}개로 카탈로그에 기술했습니다."},
    "catalog.unknown": {"en": "Dataset {id} is not in the catalog. See `enclave catalog list`.", "ko": "데이터셋 {id}은(는) 카탈로그에 없습니다. `enclave catalog list`를 보세요."},
    "intake.misaddressed": {"en": "This package was prepared for another project or another agency. Prepare it again for this project with your own agency code.", "ko": "다른 과제나 다른 기관용으로 만든 패키지입니다. 이 과제와 귀 기관 코드로 다시 만드세요."},
    "intake.too_large": {"en": "The upload is larger than the limit of {limit_mb} MiB; nothing was kept. Split the file or ask the operator to raise ENCLAVE_UPLOAD_MAX_MB.", "ko": "업로드가 한도 {limit_mb} MiB를 넘어 저장하지 않았습니다."},
    "intake.truncated": {"en": "The upload ended after {received} of {expected} bytes; nothing was kept. Send the package again.", "ko": "업로드가 {expected}바이트 중 {received}바이트에서 끊겨 저장하지 않았습니다. 다시 보내세요."},
    "intake.checksum": {"en": "The package's SHA-256 does not match the one you declared; nothing was kept. Send the package again; if it keeps failing, prepare it again.", "ko": "패키지 SHA-256이 신고한 값과 달라 저장하지 않았습니다. 다시 보내세요."},
    "intake.replayed": {"en": "A different package with this package id arrived before; nothing was kept. Prepare a new package and send that.", "ko": "같은 패키지 id의 다른 패키지가 이미 도착해 저장하지 않았습니다. 새 패키지를 만들어 보내세요."},
    "intake.not_requested": {"en": "This project does not request your agency's data, or is not yet approved; nothing was kept.", "ko": "이 과제는 귀 기관 데이터를 요청하지 않았거나 아직 승인되지 않았습니다."},
    "intake.unknown_kind": {"en": "This is a {kind} package; agencies upload match_keys and content packages only.", "ko": "{kind} 패키지입니다. 기관은 match_keys와 content 패키지만 올립니다."},
    "linkage_unit.too_few": {"en": "Match keys from at least two agencies are needed before linking.", "ko": "결합하려면 두 기관 이상의 매치키가 필요합니다."},
    # linkage unit as its own service, and linkage maps arriving at the enclave
    "linkage_unit.separate": {"en": "This enclave uses a separate linkage unit at {url}; the in-process linkage unit is not opened. Do this at the linkage unit (`enclave linkage-unit ...` on its machine).", "ko": "이 enclave는 {url}의 별도 결합키관리기관을 씁니다. 내장 결합키관리기관은 열지 않습니다. 결합키관리기관 서버에서 `enclave linkage-unit ...`으로 하세요."},
    "intake.match_keys_elsewhere": {"en": "This is a match-key package: it belongs to the linkage unit at {url}, not to the enclave; nothing was kept. Upload it there (`linkage upload PACKAGE --to {url}`).", "ko": "매치키 패키지입니다. enclave가 아니라 {url}의 결합키관리기관으로 보내야 하며, 아무것도 저장하지 않았습니다. 그곳에 올리세요(`linkage upload PACKAGE --to {url}`)."},
    "linkage_map.not_linkage_unit": {"en": "Only the linkage unit's account delivers linkage maps; nothing was kept. Use the token the enclave issued to the linkage unit's account.", "ko": "결합 매핑은 결합키관리기관 계정만 보낼 수 있어 저장하지 않았습니다. enclave가 결합키관리기관 계정에 발급한 토큰을 쓰세요."},
    "linkage_map.embedded": {"en": "This enclave links in-process (ENCLAVE_LINKAGE_UNIT_URL is empty), so it accepts no linkage map over the API; nothing was kept. Set ENCLAVE_LINKAGE_UNIT_URL to use a separate linkage unit.", "ko": "이 enclave는 내장 결합키관리기관을 써서(ENCLAVE_LINKAGE_UNIT_URL이 비어 있음) API로 결합 매핑을 받지 않습니다. 별도 결합키관리기관을 쓰려면 ENCLAVE_LINKAGE_UNIT_URL을 설정하세요."},
    "linkage_map.unknown_project": {"en": "The enclave has no such project, so the linkage map was not kept. Check the project number with the enclave's stewards.", "ko": "enclave에 해당 과제가 없어 결합 매핑을 저장하지 않았습니다. 과제 번호를 enclave 심사자에게 확인하세요."},
    "linkage_map.misaddressed": {"en": "This linkage map was made for another project; nothing was kept. Deliver each map to the project it was linked for.", "ko": "다른 과제용 결합 매핑이라 저장하지 않았습니다. 결합한 과제로 보내세요."},
    "linkage_map.no_quality": {"en": "The linkage map carries no readable quality report; nothing was kept. Link again with this version of the linkage unit.", "ko": "결합 매핑에 읽을 수 있는 품질 보고서가 없어 저장하지 않았습니다. 이 버전의 결합키관리기관으로 다시 결합하세요."},
    "parties.bad_linkage_unit_key": {"en": "The linkage unit's {use} key is not a public key of the right kind in PEM (signing: Ed25519, sealing: X25519); nothing was registered. Use the files or URL the linkage unit publishes.", "ko": "결합키관리기관의 {use} 키가 올바른 종류의 PEM 공개키가 아닙니다(signing: Ed25519, sealing: X25519). 아무것도 등록하지 않았습니다."},
    "parties.keys_unreachable": {"en": "Could not reach {url}. Check the address and that the service is running, or register the keys from files.", "ko": "{url}에 연결할 수 없습니다. 주소와 서비스 상태를 확인하거나 파일로 키를 등록하세요."},
    "parties.keys_not_published": {"en": "{url} did not answer with the expected public keys; nothing was registered. Check that it is the right service's address.", "ko": "{url}이(가) 기대한 공개키로 응답하지 않아 아무것도 등록하지 않았습니다. 올바른 서비스 주소인지 확인하세요."},
    "parties.linkage_unit_keys_missing": {"en": "No linkage unit key is registered with this enclave. Run `enclave init`, or `enclave linkage-unit-keys import` for a separate linkage unit.", "ko": "이 enclave에 등록된 결합키관리기관 키가 없습니다. `enclave init` 또는 별도 결합키관리기관이면 `enclave linkage-unit-keys import`를 실행하세요."},
    "parties.linkage_unit_key_source": {"en": "Give either --url (or set ENCLAVE_LINKAGE_UNIT_URL), or both --signing-key and --sealing-key.", "ko": "--url(또는 ENCLAVE_LINKAGE_UNIT_URL)을 주거나, --signing-key와 --sealing-key를 함께 주세요."},
    "parties.linkage_unit_key_imported": {"en": "Registered the linkage unit's {use} key, fingerprint {fingerprint}. Compare it with `enclave linkage-unit status` on the linkage unit's machine.", "ko": "결합키관리기관의 {use} 키를 등록했습니다. 지문 {fingerprint}. 결합키관리기관 서버의 `enclave linkage-unit status`와 비교하세요."},
    "lu.bad_mode": {"en": "LINKAGE_UNIT_MODE must be 'development' or 'production'. Fix the variable and start again.", "ko": "LINKAGE_UNIT_MODE 값은 'development' 또는 'production'이어야 합니다. 변수를 고친 뒤 다시 시작하세요."},
    "lu.not_initialized": {"en": "The linkage unit has not been set up in LINKAGE_UNIT_DATA_DIR. Run `enclave linkage-unit init` first.", "ko": "LINKAGE_UNIT_DATA_DIR에 결합키관리기관이 준비되지 않았습니다. 먼저 `enclave linkage-unit init`을 실행하세요."},
    "lu.init_done": {"en": "Linkage unit ready: folder {data_dir}, database {database}. Its public keys' fingerprints:", "ko": "결합키관리기관 준비 완료: 폴더 {data_dir}, 데이터베이스 {database}. 공개키 지문:"},
    "lu.serving": {"en": "Linkage unit serving on {url} (Ctrl+C stops it).", "ko": "결합키관리기관이 {url}에서 동작합니다(Ctrl+C로 중지)."},
    "lu.bad_token_name": {"en": "Token holders are named with lower-case letters, digits, '.', '_' and '-'.", "ko": "토큰 보유자 이름은 영문 소문자, 숫자, '.', '_', '-'입니다."},
    "lu.one_holder": {"en": "Give exactly one of --agency CODE or --operator NAME.", "ko": "--agency CODE와 --operator NAME 중 하나만 주세요."},
    "lu.token_issued": {"en": "Token for {holder} {name} (shown once; only its hash is kept):", "ko": "{holder} {name}의 토큰(한 번만 표시하며 해시만 보관합니다):"},
    "lu.token_revoked": {"en": "Token {id} revoked.", "ko": "토큰 {id}을(를) 폐기했습니다."},
    "lu.no_token": {"en": "There is no such token. See `enclave linkage-unit tokens list`.", "ko": "해당 토큰이 없습니다. `enclave linkage-unit tokens list`를 보세요."},
    "lu.token_required": {"en": "Send a linkage-unit token as 'Authorization: Bearer <token>'. Its operator issues them with `enclave linkage-unit tokens add`.", "ko": "'Authorization: Bearer <토큰>'으로 결합키관리기관 토큰을 보내세요. 운영자가 `enclave linkage-unit tokens add`로 발급합니다."},
    "lu.wrong_holder": {"en": "A token of an {holder} may not do this here.", "ko": "{holder} 토큰으로는 여기서 이 일을 할 수 없습니다."},
    "lu.checksum_header": {"en": "Send the package's SHA-256 in the X-Content-SHA256 header (64 hex digits).", "ko": "X-Content-SHA256 헤더에 패키지의 SHA-256(16진수 64자)을 보내세요."},
    "lu.content_belongs_to_enclave": {"en": "This is a content package: it belongs to the enclave, not to the linkage unit, which takes match keys only; nothing was kept. Upload it to the enclave's URL.", "ko": "내용 패키지입니다. 매치키만 받는 결합키관리기관이 아니라 enclave로 보내야 하며, 아무것도 저장하지 않았습니다. enclave 주소로 올리세요."},
    "lu.server_error": {"en": "The linkage unit could not complete the request; nothing was changed. Tell its operator the time of the request.", "ko": "결합키관리기관이 요청을 처리하지 못했습니다. 아무것도 바뀌지 않았습니다. 운영자에게 요청 시각을 알려 주세요."},
    "lu.http_error": {"en": "The request was refused (HTTP {status}). See /api/v1/openapi.json for the routes and methods.", "ko": "요청이 거부되었습니다(HTTP {status}). 경로와 메서드는 /api/v1/openapi.json을 보세요."},
    "lu.trusted_agency": {"en": "Agency {code} trusted; its signing key's fingerprint is {fingerprint}. Confirm it with the agency by another channel.", "ko": "기관 {code}을(를) 신뢰합니다. 서명키 지문 {fingerprint}. 다른 경로로 기관과 확인하세요."},
    "lu.trusted_enclave": {"en": "Linkage maps will be sealed to the enclave key with fingerprint {fingerprint}. Confirm it with the enclave's operator (`enclave keys public --kind sealing --fingerprint`).", "ko": "결합 매핑을 지문 {fingerprint}인 enclave 키로 봉인합니다. enclave 운영자와 확인하세요(`enclave keys public --kind sealing --fingerprint`)."},
    "lu.one_key_source": {"en": "Give exactly one of --url or --sealing-key.", "ko": "--url과 --sealing-key 중 하나만 주세요."},
    "lu.bad_enclave_key": {"en": "That is not an X25519 public key in PEM format; nothing was registered. Use `enclave keys public --kind sealing` on the enclave.", "ko": "PEM 형식의 X25519 공개키가 아니어서 등록하지 않았습니다. enclave에서 `enclave keys public --kind sealing`을 쓰세요."},
    "lu.no_enclave_key": {"en": "No enclave key is registered, so no linkage map can be sealed; nothing was linked. Run `enclave linkage-unit trust-enclave` first.", "ko": "등록된 enclave 키가 없어 결합 매핑을 봉인할 수 없습니다. 먼저 `enclave linkage-unit trust-enclave`를 실행하세요."},
    "lu.no_enclave_url": {"en": "LINKAGE_UNIT_ENCLAVE_URL is empty, so the linkage map has nowhere to go; nothing was linked. Set it to the enclave's URL.", "ko": "LINKAGE_UNIT_ENCLAVE_URL이 비어 있어 결합 매핑을 보낼 곳이 없습니다. enclave 주소로 설정하세요."},
    "lu.no_enclave_token": {"en": "No enclave token in {path}; nothing was linked. Ask the enclave's operator for the linkage unit account's token and put it in that file (mode 0600).", "ko": "{path}에 enclave 토큰이 없어 결합하지 않았습니다. enclave 운영자에게 결합키관리기관 계정 토큰을 받아 그 파일에 넣으세요(권한 0600)."},
    "lu.enclave_unreachable": {"en": "Could not reach the enclave at {url}; the linkage run and its sealed map are kept here. Check the address and try `link` again.", "ko": "{url}의 enclave에 연결할 수 없습니다. 결합 실행과 봉인된 매핑은 여기 보관했습니다. 주소를 확인하고 다시 `link`하세요."},
    "lu.enclave_refused": {"en": "The enclave refused the linkage map (HTTP {status}): {message}", "ko": "enclave가 결합 매핑을 거부했습니다(HTTP {status}): {message}"},
    "lu.linked": {"en": "Project {project} linked (run {run}); the enclave at {url} received the map of {rows} records.", "ko": "과제 {project} 결합 완료(실행 {run}). {url}의 enclave가 레코드 {rows}개의 매핑을 받았습니다."},
    "lu.status_folder": {"en": "Linkage unit folder {data_dir}; delivers to {enclave_url}.", "ko": "결합키관리기관 폴더 {data_dir}, 전달 대상 {enclave_url}."},
    "lu.confirm_destroy": {"en": "Delete every match-key package, linkage run and sealed map of project {project} held here?", "ko": "여기 보관한 과제 {project}의 매치키 패키지, 결합 실행, 봉인된 매핑을 모두 삭제할까요?"},
    "lu.destroyed": {"en": "Deleted what the linkage unit held of project {project} ({files} files).", "ko": "결합키관리기관이 보관한 과제 {project}의 자료를 삭제했습니다(파일 {files}개)."},
    "lu.status_missing": {"en": "(not registered: run trust-enclave)", "ko": "(미등록: trust-enclave 실행)"},
    "lu.status_project": {"en": "  project {project}: {packages} match-key packages from {agencies} agencies, {runs} linkage runs", "ko": "  과제 {project}: {agencies}개 기관의 매치키 패키지 {packages}개, 결합 실행 {runs}회"},
    # combination
    "combination.short_key": {"en": "The project's pseudonym key is shorter than 32 bytes. Use the key the project was created with.", "ko": "과제 가명 키가 32바이트보다 짧습니다. 과제 생성 시의 키를 쓰세요."},
    "combination.map_columns": {"en": "The linkage map lacks the columns {columns}. Open it with LinkageMap.from_package.", "ko": "결합 매핑에 {columns} 열이 없습니다. LinkageMap.from_package로 여세요."},
    "combination.no_content": {"en": "No content tables were given. Open the agencies' content packages first.", "ko": "내용 테이블이 없습니다. 먼저 기관의 내용 패키지를 여세요."},
    "combination.bad_agency": {"en": "An agency name holds characters other than letters, digits, '-' and '_'. Use the agency codes from the content packages.", "ko": "기관 이름에 영문자, 숫자, '-', '_' 외의 문자가 있습니다. 내용 패키지의 기관 코드를 쓰세요."},
    "combination.no_serial": {"en": "The content table of agency '{agency}' has no 'serial' column. Open it from the agency's content package.", "ko": "기관 '{agency}'의 내용 테이블에 'serial' 열이 없습니다."},
    "combination.reserved": {"en": "The content table of agency '{agency}' has reserved columns {columns}. It is not a content package; ask the agency to prepare again.", "ko": "기관 '{agency}'의 내용 테이블에 예약된 열 {columns}이(가) 있습니다. 기관에 다시 준비하도록 요청하세요."},
    "combination.duplicate_serials": {"en": "The content of agency '{agency}' holds a serial twice, so it was not made by the partner tool. Ask the agency to prepare and upload it again.", "ko": "기관 '{agency}'의 내용에 같은 일련번호가 두 번 있어 결합 도구가 만든 패키지가 아닙니다. 기관에 다시 준비해 올리도록 요청하세요."},
    "combination.single_dataset": {"en": "Project {project_id} asks for one dataset, so there is nothing to link or combine. Start the 'provide' step instead.", "ko": "과제 {project_id}은(는) 데이터셋 하나만 요청하므로 결합할 것이 없습니다. 대신 '제공'(provide) 단계를 시작하세요."},
    "combination.not_single": {"en": "Project {project_id} asks for datasets of several agencies: they are linked and combined, not provided one by one. Start the linkage instead.", "ko": "과제 {project_id}은(는) 여러 기관의 데이터셋을 요청하므로 하나씩 제공하지 않고 결합합니다. 대신 결합을 시작하세요."},
    # provisioning
    "provisioning.missing_content": {"en": "Content has not arrived yet from: {agencies}.", "ko": "다음 기관의 데이터가 아직 도착하지 않았습니다: {agencies}."},
    "provisioning.no_map": {"en": "There is no linkage map yet; run the linkage first.", "ko": "결합 매핑이 아직 없습니다. 먼저 결합을 실행하세요."},
    "provisioning.not_combined": {"en": "The project's data has not been combined yet.", "ko": "과제 데이터가 아직 결합되지 않았습니다."},
    "provisioning.no_review": {"en": "There is no such review.", "ko": "해당 검토가 없습니다."},
    "provisioning.no_approved": {"en": "The project has no dataset approved for analysis yet.", "ko": "분석용으로 승인된 데이터셋이 아직 없습니다."},
    "provisioning.bad_decision": {"en": "Choose approve or return.", "ko": "approve 또는 return을 고르세요."},
    "provisioning.fails_thresholds": {"en": "This report does not meet the policy's thresholds, so it cannot be approved. Return it for further processing.", "ko": "기준을 충족하지 않아 승인할 수 없습니다. 추가 처리를 위해 반려하세요."},
    "provisioning.replica_risky": {"en": "The replica's measured risk is above the policy's limit, so it may not leave the enclave.", "ko": "합성 데이터의 위험도가 기준을 넘어 반출할 수 없습니다."},
    # stage-4 jobs
    "jobs.unknown_kind": {"en": "There is no such kind of job. Choose one of: {kinds}.", "ko": "그런 작업 종류가 없습니다. 다음 중에서 고르세요: {kinds}."},
    "jobs.not_found": {"en": "There is no such job, or you may not see it.", "ko": "작업이 없거나 볼 권한이 없습니다."},
    "jobs.not_allowed": {"en": "Only a steward or admin who is not on the project's team may start or cancel its jobs. Ask another steward.", "ko": "과제 구성원이 아닌 심사자나 관리자만 작업을 시작하거나 취소할 수 있습니다. 다른 심사자에게 요청하세요."},
    "jobs.already_active": {"en": "Job {job_id} ({kind}) of this project is already {state}; a project runs one stage-4 job at a time. Wait for it to end or cancel it; nothing was changed.", "ko": "이 과제의 작업 {job_id}({kind})이(가) 이미 {state} 상태입니다. 과제마다 4단계 작업은 한 번에 하나만 실행됩니다. 끝날 때까지 기다리거나 취소하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.already_active_race": {"en": "Another stage-4 job of this project was started at the same moment; a project runs one at a time. Look at its jobs; nothing was changed.", "ko": "같은 순간에 이 과제의 다른 4단계 작업이 시작되었습니다. 과제마다 한 번에 하나만 실행됩니다. 작업 목록을 확인하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.cancel_already_requested": {"en": "Cancelling job {job_id} was already asked for; it stops at its next step.", "ko": "작업 {job_id}의 취소가 이미 요청되었습니다. 다음 단계에서 멈춥니다."},
    "jobs.already_finished": {"en": "Job {job_id} has already ended ({state}); nothing was changed.", "ko": "작업 {job_id}은(는) 이미 끝났습니다({state}). 아무것도 바뀌지 않았습니다."},
    "jobs.abandoned": {"en": "The worker running this job stopped answering, {attempts} times; the job was given up and whatever it had begun was removed. Ask an operator to look at the workers' logs, then start it again.", "ko": "이 작업을 실행하던 작업자가 {attempts}번 응답을 멈추어 작업을 포기했고, 시작된 내용은 지웠습니다. 운영자에게 작업자 로그 확인을 요청한 뒤 다시 시작하세요."},
    "jobs.schema_changed": {"en": "The database schema is now revision {revision}, which this worker does not know. Upgrade the enclave software and start the worker again; no job was claimed.", "ko": "데이터베이스 스키마가 이 작업자가 모르는 리비전 {revision}입니다. 소프트웨어를 업그레이드한 뒤 작업자를 다시 시작하세요. 가져간 작업은 없습니다."},
    "jobs.kind_not_here": {"en": "This worker cannot run jobs of kind {kind}. Run a worker of the same software version as the service.", "ko": "이 작업자는 {kind} 종류의 작업을 실행할 수 없습니다. 서비스와 같은 버전의 작업자를 실행하세요."},
    "jobs.failed_unexpectedly": {"en": "The job failed unexpectedly; nothing it began was kept. Give an operator the error id {error_id}: the worker's log has the details. Then start the job again.", "ko": "작업이 예기치 않게 실패했고 시작된 내용은 남기지 않았습니다. 운영자에게 오류 번호 {error_id}를 알려 주세요(작업자 로그에 자세한 내용이 있습니다). 그런 뒤 다시 시작하세요."},
    "jobs.worker_started": {"en": "Worker {worker_id} is waiting for stage-4 jobs (Ctrl+C stops it; a running job goes back to the queue).", "ko": "작업자 {worker_id}가 4단계 작업을 기다립니다(Ctrl+C로 멈춤. 실행 중인 작업은 대기열로 돌아갑니다)."},
    "jobs.worker_stopped": {"en": "Worker stopped after running {ran} jobs.", "ko": "작업자가 작업 {ran}개를 실행하고 멈췄습니다."},
    "jobs.worker_claimed": {"en": "job {job_id}: {kind} of project {project_id}, attempt {attempt}, started", "ko": "작업 {job_id}: 과제 {project_id}의 {kind}, {attempt}번째 시도 시작"},
    "jobs.worker_ended": {"en": "job {job_id}: {kind} {state}", "ko": "작업 {job_id}: {kind} {state}"},
    "jobs.worker_recovered": {"en": "job {job_id}: {kind} was abandoned by its worker; now {state}", "ko": "작업 {job_id}: {kind}의 작업자가 응답하지 않아 {state} 상태가 되었습니다"},
    "jobs.started": {"en": "Job {job_id} ({kind}) of project {project_id} is queued; a worker will start it.", "ko": "과제 {project_id}의 작업 {job_id}({kind})이(가) 대기열에 들어갔습니다. 작업자가 시작합니다."},
    "jobs.cancelled": {"en": "Job {job_id} is cancelled.", "ko": "작업 {job_id}이(가) 취소되었습니다."},
    "jobs.cancel_requested": {"en": "Job {job_id} will stop at its next step; what it began is removed.", "ko": "작업 {job_id}은(는) 다음 단계에서 멈추고, 시작된 내용은 지워집니다."},
    "jobs.none": {"en": "No jobs.", "ko": "작업이 없습니다."},
    "jobs.ended_failed": {"en": "Job {job_id} failed: {error}", "ko": "작업 {job_id} 실패: {error}"},
    "jobs.ended": {"en": "Job {job_id} ended: {state}.", "ko": "작업 {job_id} 종료: {state}."},
    "jobs.needs_state": {"en": "The project is {state}; this job runs on a project in state {needed}. It cannot be started now; nothing was changed.", "ko": "과제 상태가 {state}입니다. 이 작업은 {needed} 상태의 과제에서만 실행됩니다. 지금은 시작할 수 없으며 아무것도 바뀌지 않았습니다."},
    "jobs.needs_content": {"en": "Content has not arrived yet from: {agencies}. Those agencies must upload their packages before linking or combining; nothing was changed.", "ko": "다음 기관의 데이터가 아직 도착하지 않았습니다: {agencies}. 결합 전에 해당 기관이 패키지를 올려야 합니다. 아무것도 바뀌지 않았습니다."},
    "jobs.needs_flow_combination": {"en": "Project {project_id} asks for one dataset, so there is nothing to link or combine. Start the provide job instead; nothing was changed.", "ko": "과제 {project_id}은(는) 데이터셋 하나만 요청하므로 결합할 것이 없습니다. 대신 provide 작업을 시작하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.needs_flow_provision": {"en": "Project {project_id} asks for several agencies' datasets: they are linked and combined. Start the link job instead; nothing was changed.", "ko": "과제 {project_id}은(는) 여러 기관의 데이터셋을 요청하므로 결합합니다. 대신 link 작업을 시작하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.needs_map": {"en": "The linkage map has not arrived yet. Run the link job first; nothing was changed.", "ko": "결합 매핑이 아직 도착하지 않았습니다. 먼저 link 작업을 실행하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.needs_combined": {"en": "The project's data has not been combined yet. Run the combine job first; nothing was changed.", "ko": "과제 데이터가 아직 결합되지 않았습니다. 먼저 combine 작업을 실행하세요. 아무것도 바뀌지 않았습니다."},
    "jobs.needs_review": {"en": "A synthetic replica is built from the approved data: an independent steward must approve the risk review (adequacy review) first; nothing was changed.", "ko": "합성 데이터는 승인된 데이터로 만듭니다. 먼저 독립된 심사자가 위험 검토(적정성 검토)를 승인해야 합니다. 아무것도 바뀌지 않았습니다."},
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
    "projects.team_entry": {"en": "Team entry {number} is not the user name of an active researcher; correct it and apply again.", "ko": "연구진 {number}번째 항목은 활성 연구자 계정의 사용자 이름이 아닙니다. 고친 뒤 다시 신청하세요."},
    "projects.bad_retention_end": {"en": "Write the retention end as a date, YYYY-MM-DD.", "ko": "보유 기간 종료일을 YYYY-MM-DD 형식의 날짜로 쓰세요."},
    "projects.title_too_long": {"en": "Shorten the title to at most {most} characters.", "ko": "과제명을 {most}자 이내로 줄이세요."},
    "projects.not_found": {"en": "There is no such project, or you may not see it.", "ko": "과제가 없거나 볼 권한이 없습니다."},
    "projects.already_decided": {"en": "This was already decided ({decision}); nothing was changed.", "ko": "이미 결정되었습니다({decision}). 아무것도 바뀌지 않았습니다."},
    "projects.wrong_state": {"en": "The project is {state}, so this cannot be done now.", "ko": "과제 상태가 {state}이므로 지금은 할 수 없습니다."},
    "projects.not_your_data": {"en": "This application does not request your agency's data.", "ko": "이 신청은 귀 기관의 데이터를 요청하지 않습니다."},
    "projects.agencies_pending": {"en": "Every agency must decide on its part before a steward approves; still waiting for: {agencies}.", "ko": "심사자 승인 전에 모든 기관이 결정해야 합니다. 대기 중: {agencies}."},
    "projects.conflict_of_interest": {"en": "You belong to this project, so you may not decide on it. Ask another steward.", "ko": "이 과제의 구성원이므로 결정할 수 없습니다. 다른 심사자에게 요청하세요."},
    "projects.destroyed": {"en": "Project {project_id} was destroyed on {when}; its data and keys no longer exist.", "ko": "과제 {project_id}는 {when}에 파기되어 데이터와 키가 없습니다."},
    "projects.comment_required": {"en": "Say why in a comment when you decline.", "ko": "거절할 때는 사유를 입력하세요."},
    "projects.wrong_state_next": {"en": "The project is {state}, so this cannot be done now. {next}", "ko": "과제 상태가 {state}이므로 지금은 할 수 없습니다. {next}"},
    "projects.next.applied": {"en": "First every agency whose data is requested, then a steward not on the team, must approve the application.", "ko": "먼저 데이터를 요청받은 모든 기관과, 이어서 연구진이 아닌 심사자가 신청을 승인해야 합니다."},
    "projects.next.approved": {"en": "First the agencies' data must be linked and combined, and a steward must approve its risk review as adequate.", "ko": "먼저 기관 데이터가 결합되고, 심사자가 위험 검토를 적정하다고 승인해야 합니다."},
    "projects.next.provisioned": {"en": "First a steward not on the team must open the workspace.", "ko": "먼저 연구진이 아닌 심사자가 분석 환경을 열어야 합니다."},
    "projects.next.active": {"en": "First the lead researcher or a steward must close the project.", "ko": "먼저 책임 연구자나 심사자가 과제를 종료해야 합니다."},
    "projects.next.closing": {"en": "Only its destruction, by a steward not on the team, remains.", "ko": "연구진이 아닌 심사자의 파기만 남았습니다."},
    "projects.next.declined": {"en": "The application was declined; only its destruction, by a steward not on the team, remains.", "ko": "신청이 거절되었습니다. 연구진이 아닌 심사자의 파기만 남았습니다."},
    "projects.next.destroyed": {"en": "Its data and keys were destroyed; nothing more can be done.", "ko": "데이터와 키가 파기되어 더 할 수 있는 일이 없습니다."},
    "projects.no_certificate": {"en": "Project {project_id} has no destruction certificate yet; a steward must destroy the project first.", "ko": "과제 {project_id}에는 아직 파기 확인서가 없습니다. 먼저 심사자가 과제를 파기해야 합니다."},
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
