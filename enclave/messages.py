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
