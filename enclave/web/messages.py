"""Text of the web pages and JSON API, in one place so it can be translated.

The language of a page is chosen per request: ``?lang=ko`` (remembered in the
session), else the ``ENCLAVE_LANG`` setting, else English. Outside a request
:func:`text` follows the ``ENCLAVE_LANG`` environment variable like every
other catalogue in the project.
"""

from __future__ import annotations

import os

__all__ = ["LANGUAGES", "MESSAGES", "text", "translate"]

LANGUAGES = ("en", "ko")

MESSAGES: dict[str, dict[str, str]] = {
    # frame
    "app.name": {"en": "Enclave", "ko": "결합·반출 서비스"},
    "app.skip": {"en": "Skip to content", "ko": "본문으로 건너뛰기"},
    "nav.catalog": {"en": "Catalog", "ko": "데이터 목록"},
    "nav.projects": {"en": "My projects", "ko": "내 과제"},
    "nav.apply": {"en": "Apply", "ko": "과제 신청"},
    "nav.exports": {"en": "Export requests", "ko": "반출 신청"},
    "nav.agency": {"en": "Applications", "ko": "결합 신청"},
    "nav.submissions": {"en": "Submissions", "ko": "제출 내역"},
    "nav.queue": {"en": "Review queue", "ko": "심사 대기"},
    "nav.audit": {"en": "Audit log", "ko": "감사 로그"},
    "nav.users": {"en": "Users", "ko": "사용자"},
    "nav.login": {"en": "Log in", "ko": "로그인"},
    "nav.logout": {"en": "Log out", "ko": "로그아웃"},
    "nav.signed_in": {"en": "Signed in as {username} ({role})", "ko": "{username}({role})로 로그인됨"},
    "nav.language": {"en": "한국어", "ko": "English"},
    "home.title": {"en": "Pseudonymized-data enclave", "ko": "가명정보 결합·반출 서비스"},
    "home.intro": {
        "en": "Agencies submit records, the linkage unit links them without seeing content, researchers analyse the linked data here, and nothing leaves until two stewards have reviewed it.",
        "ko": "기관이 자료를 제출하고, 결합키관리기관이 내용을 보지 않고 결합하며, 연구자는 이곳에서 분석하고, 두 명의 심사자가 검토하기 전에는 아무것도 반출되지 않습니다.",
    },
    # login and sessions
    "login.title": {"en": "Log in", "ko": "로그인"},
    "login.username": {"en": "User name", "ko": "사용자 이름"},
    "login.password": {"en": "Password", "ko": "비밀번호"},
    "login.totp": {"en": "One-time code (stewards and admins)", "ko": "일회용 코드(심사자·관리자)"},
    "login.submit": {"en": "Log in", "ko": "로그인"},
    "login.welcome": {"en": "Welcome, {username}.", "ko": "{username}님, 환영합니다."},
    "login.logged_out": {"en": "You are logged out.", "ko": "로그아웃되었습니다."},
    "login.required": {"en": "Log in to see this page.", "ko": "이 페이지를 보려면 로그인하세요."},
    "login.expired": {"en": "Your session expired after {minutes} minutes without activity; log in again.",
                      "ko": "{minutes}분 동안 활동이 없어 세션이 만료되었습니다. 다시 로그인하세요."},
    "login.rate_limited": {
        "en": "Too many failed logins for this account from your address. Wait {minutes} minutes and try again, or ask an admin.",
        "ko": "이 주소에서 이 계정의 로그인 실패가 너무 많습니다. {minutes}분 뒤 다시 시도하거나 관리자에게 문의하세요.",
    },
    # errors
    "error.title": {"en": "Something went wrong", "ko": "문제가 생겼습니다"},
    "error.back": {"en": "Back to the start page", "ko": "처음 화면으로"},
    "error.400": {"en": "The request could not be understood. Check the form and send it again.", "ko": "요청을 이해할 수 없습니다. 입력을 확인하고 다시 보내세요."},
    "error.401": {"en": "Log in first; this needs to know who you are.", "ko": "먼저 로그인하세요."},
    "error.403": {"en": "Your account may not do this.", "ko": "이 계정으로는 할 수 없는 작업입니다."},
    "error.404": {"en": "There is nothing here. Check the address, or go back to the start page.", "ko": "여기에는 아무것도 없습니다. 주소를 확인하거나 처음 화면으로 가세요."},
    "error.405": {"en": "This address does not accept that kind of request.", "ko": "이 주소는 그런 요청을 받지 않습니다."},
    "error.409": {"en": "This was already decided or has moved on; nothing was changed.", "ko": "이미 결정되었거나 상태가 바뀌었습니다. 아무것도 바뀌지 않았습니다."},
    "error.410": {"en": "This is gone for good: its data was destroyed.", "ko": "이 데이터는 파기되어 더 이상 없습니다."},
    "error.413": {"en": "The upload is larger than the limit of {limit} MiB. Split the package or ask the operator to raise ENCLAVE_UPLOAD_MAX_MB; nothing was stored.",
                  "ko": "업로드가 {limit} MiB 제한보다 큽니다. 패키지를 나누거나 운영자에게 ENCLAVE_UPLOAD_MAX_MB 상향을 요청하세요. 아무것도 저장되지 않았습니다."},
    "error.429": {"en": "Too many attempts. Wait a while and try again.", "ko": "시도가 너무 많습니다. 잠시 뒤 다시 시도하세요."},
    "error.500": {"en": "The service failed while doing this; nothing was changed. Try again, and tell the operator if it happens again.",
                  "ko": "처리 중 서비스 오류가 났습니다. 아무것도 바뀌지 않았습니다. 다시 시도하고, 반복되면 운영자에게 알리세요."},
    "error.503": {"en": "The service cannot reach its database right now. Try again in a minute.", "ko": "지금은 데이터베이스에 연결할 수 없습니다. 잠시 뒤 다시 시도하세요."},
    "error.csrf": {"en": "This form is out of date or was not sent from this site. Reload the form and send it again; nothing was changed.",
                   "ko": "이 양식이 오래되었거나 이 사이트에서 보낸 것이 아닙니다. 양식을 새로 고친 뒤 다시 보내세요. 아무것도 바뀌지 않았습니다."},
    "error.bad_json": {"en": "The request body must be a JSON object; see /api/v1/openapi.json.", "ko": "요청 본문은 JSON 객체여야 합니다. /api/v1/openapi.json을 보세요."},
    "error.missing_field": {"en": "The field '{field}' is missing or has the wrong type.", "ko": "'{field}' 항목이 없거나 형식이 틀렸습니다."},
    "error.bad_date": {"en": "The field '{field}' must be a date written YYYY-MM-DD.", "ko": "'{field}' 항목은 YYYY-MM-DD 형식의 날짜여야 합니다."},
    "error.token_scope": {"en": "This token is limited to another project. Use a token for this project.", "ko": "이 토큰은 다른 과제 전용입니다. 이 과제의 토큰을 쓰세요."},
    "error.bearer_required": {"en": "Send an API token as 'Authorization: Bearer <token>'.", "ko": "'Authorization: Bearer <토큰>' 형식으로 API 토큰을 보내세요."},
    "error.checksum_header": {"en": "Send the package's SHA-256 in the X-Content-SHA256 header (64 hex digits).", "ko": "X-Content-SHA256 헤더에 패키지의 SHA-256(16진수 64자)을 보내세요."},
    "error.steward_member": {"en": "You are a member of this project, so you may not decide on it; another steward must.", "ko": "이 과제의 구성원이므로 결정할 수 없습니다. 다른 심사자가 결정해야 합니다."},
    # common words
    "word.status": {"en": "Status", "ko": "상태"},
    "word.title": {"en": "Title", "ko": "제목"},
    "word.agency": {"en": "Agency", "ko": "기관"},
    "word.created": {"en": "Created", "ko": "생성"},
    "word.actions": {"en": "Actions", "ko": "작업"},
    "word.project": {"en": "Project", "ko": "과제"},
    "exports.row": {"en": "Row", "ko": "행"},
    "exports.column": {"en": "Column", "ko": "열"},
    "exports.count": {"en": "Count", "ko": "건수"},
    "exports.value": {"en": "Value", "ko": "값"},
    "queue.waiting_agencies": {"en": "Waiting for agencies: {agencies}", "ko": "기관 결정 대기: {agencies}"},
    "word.none": {"en": "Nothing here yet.", "ko": "아직 없습니다."},
    "word.comment": {"en": "Comment", "ko": "의견"},
    "word.approve": {"en": "Approve", "ko": "승인"},
    "word.decline": {"en": "Decline", "ko": "거절"},
    "word.return": {"en": "Return", "ko": "반려"},
    "word.search": {"en": "Search", "ko": "검색"},
    "word.yes": {"en": "yes", "ko": "예"},
    "word.no": {"en": "no", "ko": "아니오"},
    "word.decided": {"en": "Decision recorded.", "ko": "결정을 기록했습니다."},
    # admin
    "users.title": {"en": "Users", "ko": "사용자"},
    "users.add": {"en": "Add a user", "ko": "사용자 추가"},
    "users.username": {"en": "User name", "ko": "사용자 이름"},
    "users.display_name": {"en": "Name shown in pages", "ko": "표시 이름"},
    "users.role": {"en": "Role", "ko": "역할"},
    "users.agency_code": {"en": "Agency code (agency users)", "ko": "기관 코드(기관 사용자)"},
    "users.password": {"en": "Initial password (12 characters or more)", "ko": "초기 비밀번호(12자 이상)"},
    "users.second_factor": {"en": "Second factor", "ko": "2차 인증"},
    "users.active": {"en": "Active", "ko": "활성"},
    "users.disable": {"en": "Disable", "ko": "비활성화"},
    "users.disabled_state": {"en": "disabled", "ko": "비활성"},
    "users.added": {"en": "Added {role} {username}.", "ko": "{role} {username}을(를) 추가했습니다."},
    "users.totp_once": {"en": "Second factor for {username}: add this URI to an authenticator app now. It is shown only once.",
                        "ko": "{username}의 2차 인증: 지금 이 URI를 인증 앱에 등록하세요. 한 번만 표시됩니다."},
    "users.disabled": {"en": "Disabled {username}; their tokens were revoked.", "ko": "{username}을(를) 비활성화하고 토큰을 폐기했습니다."},
    "users.self_disable": {"en": "You cannot disable your own account; ask another admin.", "ko": "자기 계정은 비활성화할 수 없습니다. 다른 관리자에게 요청하세요."},
    # audit
    "audit.title": {"en": "Audit log", "ko": "감사 로그"},
    "audit.actor": {"en": "Actor", "ko": "행위자"},
    "audit.object": {"en": "Object", "ko": "대상"},
    "audit.object_type": {"en": "Object type", "ko": "대상 종류"},
    "audit.object_id": {"en": "Object id", "ko": "대상 ID"},
    "audit.action": {"en": "Action starts with", "ko": "작업(앞부분)"},
    "audit.since": {"en": "Since (YYYY-MM-DD)", "ko": "시작일(YYYY-MM-DD)"},
    "audit.until": {"en": "Until (YYYY-MM-DD)", "ko": "종료일(YYYY-MM-DD)"},
    "audit.filter": {"en": "Filter", "ko": "필터"},
    "audit.when": {"en": "When (UTC)", "ko": "시각(UTC)"},
    "audit.outcome": {"en": "Outcome", "ko": "결과"},
    "audit.details": {"en": "Details", "ko": "세부"},
    "audit.shown": {"en": "{count} events shown, newest first (at most {limit}).", "ko": "최근 순으로 {count}건 표시(최대 {limit}건)."},
    # catalog
    "catalog.title": {"en": "Dataset catalog", "ko": "데이터셋 목록"},
    "catalog.intro": {"en": "Descriptions of what agencies can provide. The catalog holds metadata only, never records; counts are rounded to the nearest thousand.",
                      "ko": "기관이 제공할 수 있는 데이터의 설명입니다. 목록에는 메타데이터만 있으며 건수는 천 단위로 반올림됩니다."},
    "catalog.query": {"en": "Words in the name, title or description", "ko": "이름·제목·설명에 든 단어"},
    "catalog.rows": {"en": "Rows (rounded)", "ko": "건수(반올림)"},
    "catalog.coverage": {"en": "Coverage", "ko": "수록 기간"},
    "catalog.variables": {"en": "Variables", "ko": "변수"},
    "catalog.variable": {"en": "Variable", "ko": "변수"},
    "catalog.type": {"en": "Type", "ko": "형식"},
    "catalog.meaning": {"en": "Meaning", "ko": "의미"},
    "catalog.qi": {"en": "Quasi-identifier", "ko": "준식별자"},
    "catalog.sensitive": {"en": "Sensitive attribute", "ko": "민감속성"},
    "catalog.identifier_policy": {"en": "Identifier policy", "ko": "식별자 정책"},
    "catalog.unavailable": {"en": "The catalog is not available in this version of the service.", "ko": "이 버전에서는 데이터 목록을 쓸 수 없습니다."},
    # projects
    "projects.title": {"en": "My projects", "ko": "내 과제"},
    "projects.apply": {"en": "Apply for a project", "ko": "과제 신청"},
    "projects.purpose": {"en": "Purpose", "ko": "목적"},
    "projects.plan": {"en": "Analysis plan", "ko": "분석 계획"},
    "projects.team": {"en": "Team (user names of other researchers, one per line)", "ko": "연구진(다른 연구자 사용자 이름, 한 줄에 하나)"},
    "projects.retention_end": {"en": "Retention end (YYYY-MM-DD)", "ko": "보유 종료일(YYYY-MM-DD)"},
    "projects.keep_unlinked": {"en": "Keep records that do not link", "ko": "결합되지 않은 레코드도 보관"},
    "projects.choose": {"en": "Tick the variables you need from each dataset.", "ko": "각 데이터셋에서 필요한 변수를 고르세요."},
    "projects.submit": {"en": "Send the application", "ko": "신청서 제출"},
    "projects.applied": {"en": "Application {id} sent. The agencies and a steward will decide on it.", "ko": "신청 {id}을(를) 제출했습니다. 기관과 심사자가 결정합니다."},
    "projects.no_variables": {"en": "Choose at least one variable from at least one dataset.", "ko": "적어도 한 데이터셋에서 변수를 하나 이상 고르세요."},
    "projects.bad_team_line": {"en": "Team line {line} is not the user name of an active researcher. Correct it and send the application again; nothing was stored.",
                               "ko": "연구진 {line}번째 줄이 활성 연구자의 사용자 이름이 아닙니다. 고친 뒤 다시 제출하세요. 아무것도 저장되지 않았습니다."},
    "projects.workspace": {"en": "Open the workspace (JupyterHub)", "ko": "분석 환경 열기(JupyterHub)"},
    "projects.activate": {"en": "Open the workspace to the researchers", "ko": "연구자에게 분석 환경 열기"},
    "projects.close": {"en": "Close the project (access ends; destruction follows)", "ko": "과제 종료(접근 종료 후 파기)"},
    "projects.closed": {"en": "Project {id} is closing; its data will be destroyed.", "ko": "과제 {id}이(가) 종료 중이며 자료는 파기됩니다."},
    "projects.part": {"en": "Part", "ko": "구분"},
    "projects.timeline": {"en": "Timeline", "ko": "진행 경과"},
    "projects.flow": {"en": "Flow", "ko": "절차"},
    "flow.provision": {"en": "Provision of one dataset (가명정보 제공): pseudonymized and provided, no linkage", "ko": "가명정보 제공: 데이터셋 하나를 가명처리해 제공 (결합 없음)"},
    "flow.combination": {"en": "Combination (가명정보 결합): several agencies' datasets linked and combined", "ko": "가명정보 결합: 여러 기관의 데이터셋을 결합"},
    "projects.decisions": {"en": "Decisions", "ko": "결정"},
    "projects.requests": {"en": "Requested datasets", "ko": "신청 데이터셋"},
    "projects.members": {"en": "Team", "ko": "연구진"},
    "projects.state": {"en": "State", "ko": "상태"},
    "projects.application_hash": {"en": "Application hash", "ko": "신청서 해시"},
    "projects.applicant": {"en": "Applicant", "ko": "신청자"},
    "projects.your_part": {"en": "Your agency's part", "ko": "우리 기관 몫"},
    "projects.decide_part": {"en": "Decide your agency's part", "ko": "기관 몫 결정"},
    "projects.unavailable": {"en": "Projects are not available in this version of the service.", "ko": "이 버전에서는 과제 기능을 쓸 수 없습니다."},
    "state.applied": {"en": "applied", "ko": "신청"},
    "state.approved": {"en": "approved", "ko": "승인"},
    "state.provisioned": {"en": "data provisioned", "ko": "자료 제공"},
    "state.active": {"en": "active", "ko": "분석 중"},
    "state.closing": {"en": "closing", "ko": "종료 중"},
    "state.destroyed": {"en": "destroyed", "ko": "파기"},
    "state.declined": {"en": "declined", "ko": "거절"},
    # exports
    "exports.title": {"en": "Export requests", "ko": "반출 신청"},
    "exports.intro": {"en": "Export requests are created from the workspace (export_review.client); here you follow them.", "ko": "반출 신청은 분석 환경(export_review.client)에서 만들며, 여기서 진행을 확인합니다."},
    "exports.outputs": {"en": "Outputs", "ko": "결과물"},
    "exports.output": {"en": "Output", "ko": "결과물"},
    "exports.kind": {"en": "Kind", "ko": "종류"},
    "exports.checks": {"en": "Checks", "ko": "점검"},
    "exports.check_status": {"en": "Check result", "ko": "점검 결과"},
    "exports.outcome": {"en": "Outcome", "ko": "결과"},
    "exports.failing_cells": {"en": "Failing cells", "ko": "기준 미달 셀"},
    "exports.votes": {"en": "Votes", "ko": "심사 의견"},
    "exports.votes_hidden": {"en": "Other votes are hidden until you have voted.", "ko": "내 의견을 낼 때까지 다른 의견은 숨겨집니다."},
    "exports.vote": {"en": "Your vote", "ko": "내 의견"},
    "exports.withdraw": {"en": "Withdraw this request", "ko": "신청 철회"},
    "exports.withdrawn": {"en": "Export request {id} withdrawn.", "ko": "반출 신청 {id}을(를) 철회했습니다."},
    "exports.release": {"en": "Build the signed release", "ko": "서명된 반출 패키지 만들기"},
    "exports.released": {"en": "Release package built for request {id}.", "ko": "신청 {id}의 반출 패키지를 만들었습니다."},
    "exports.download": {"en": "Download the release package", "ko": "반출 패키지 내려받기"},
    "exports.comment_needed": {"en": "Approving an output whose check failed needs a comment saying why.", "ko": "점검에 실패한 결과물을 승인하려면 이유를 적어야 합니다."},
    "exports.voted": {"en": "Vote recorded for {name}.", "ko": "{name}에 대한 의견을 기록했습니다."},
    "exports.unavailable": {"en": "Export requests are not available in this version of the service.", "ko": "이 버전에서는 반출 신청을 쓸 수 없습니다."},
    # steward queue
    "queue.title": {"en": "What waits for you", "ko": "심사 대기 목록"},
    "queue.applications": {"en": "Applications", "ko": "과제 신청"},
    "precheck.title": {"en": "Identification-risk pre-checks (stage 2, at the agencies)", "ko": "식별위험 사전점검(2단계, 제공기관)"},
    "precheck.explain": {"en": "Each agency ran this check on the content it sent, on the quasi-identifiers its identifier policy declares; the figures are signed inside the package. Read them before starting stage 4 (combination or provision).", "ko": "각 기관이 보낸 내용에 대해 식별자 정책이 정한 준식별자로 실행한 점검입니다. 수치는 패키지 안에 서명되어 있습니다. 4단계(결합 또는 제공)를 시작하기 전에 확인하세요."},
    "precheck.flagged_note": {"en": "At least one package failed its policy's pre-check thresholds. Plan further processing (stage 4-6) or ask the agency before starting stage 4.", "ko": "사전점검 기준에 미달한 패키지가 있습니다. 4단계를 시작하기 전에 추가처리(4-6단계)를 계획하거나 해당 기관에 문의하세요."},
    "precheck.package": {"en": "Package", "ko": "패키지"},
    "precheck.records": {"en": "Records", "ko": "레코드"},
    "precheck.qis": {"en": "Quasi-identifiers", "ko": "준식별자"},
    "precheck.smallest": {"en": "Smallest class", "ko": "최소 동질집합"},
    "precheck.below_k": {"en": "Records in classes below k", "ko": "k 미만 집합의 레코드"},
    "precheck.unique": {"en": "Unique records", "ko": "유일 레코드"},
    "precheck.verdict": {"en": "Verdict", "ko": "판정"},
    "precheck.pass": {"en": "passes", "ko": "통과"},
    "precheck.flag": {"en": "FAILED thresholds", "ko": "기준 미달"},
    "precheck.none": {"en": "No pre-check in this package (its identifier policy declares none).", "ko": "이 패키지에는 사전점검이 없습니다(식별자 정책에 선언되지 않음)."},
    "queue.adequacy": {"en": "Dataset adequacy (risk reports)", "ko": "적정성 검토(위험 보고서)"},
    "queue.risk_report": {"en": "Risk report", "ko": "위험 보고서"},
    "queue.meets": {"en": "Meets thresholds", "ko": "기준 충족"},
    "queue.linkage": {"en": "Linkage quality", "ko": "결합 품질"},
    "queue.exports": {"en": "Export requests", "ko": "반출 신청"},
    "queue.replicas": {"en": "Synthetic replicas", "ko": "합성 재현자료"},
    "queue.destruction": {"en": "Projects due for destruction", "ko": "파기 대상 과제"},
    "queue.destroy": {"en": "Destroy the project's data and keys", "ko": "과제 자료와 키 파기"},
    "queue.destroyed": {"en": "Project {id} destroyed; certificate {certificate} signed.", "ko": "과제 {id}을(를) 파기하고 확인서 {certificate}에 서명했습니다."},
    "queue.member": {"en": "you are a member: another steward decides", "ko": "구성원이므로 다른 심사자가 결정"},
    "queue.open": {"en": "Open", "ko": "열기"},
    "queue.part_missing": {"en": "Not available in this version: {parts}.", "ko": "이 버전에서 쓸 수 없음: {parts}."},
    # agency
    "agency.title": {"en": "Applications that request your data", "ko": "우리 기관 자료를 신청한 과제"},
    "agency.submissions": {"en": "Your submissions", "ko": "우리 기관 제출 내역"},
    "agency.package": {"en": "Package", "ko": "패키지"},
    "agency.rows": {"en": "Rows", "ko": "건수"},
    "agency.size": {"en": "Size (bytes)", "ko": "크기(바이트)"},
    "agency.received": {"en": "Received (UTC)", "ko": "수신(UTC)"},
    "agency.upload_hint": {"en": "Packages are uploaded by the partner tool through the API: PUT /api/v1/projects/<id>/packages.", "ko": "패키지는 파트너 도구가 API(PUT /api/v1/projects/<id>/packages)로 올립니다."},
}


def translate(lang: str, message_id: str, **params: object) -> str:
    """Return ``message_id`` in ``lang`` (English when missing there).

    Args:
        lang: ``"en"`` or ``"ko"``.
        message_id: Key of :data:`MESSAGES`.
        **params: Names, counts and ids for the placeholders — never record values.
    """
    entry = MESSAGES[message_id]
    template = entry.get(lang) or entry["en"]
    return template.format(**params) if params else template


def text(message_id: str, **params: object) -> str:
    """Return ``message_id`` in the language of the current request.

    Inside a request the language is the one the page is shown in; outside
    one, ``ENCLAVE_LANG`` decides (default English).
    """
    from flask import g, has_request_context

    lang = g.get("lang") if has_request_context() else None
    return translate(lang or os.environ.get("ENCLAVE_LANG", "en"), message_id, **params)
