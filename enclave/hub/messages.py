"""User-facing text of the analysis room (JupyterHub), in one place so it can be translated.

``ENCLAVE_LANG`` picks the language (``en`` or ``ko``); a message missing in
the chosen language falls back to English. Parameters are names, counts,
paths and ids — never record values.
"""

from __future__ import annotations

import os

__all__ = ["MESSAGES", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    "hub.researchers_only": {
        "en": "The analysis room is for researchers. Stewards, agencies and administrators use the enclave's web pages instead.",
        "ko": "분석실은 연구자 전용입니다. 심사자, 기관, 관리자는 enclave 웹 화면을 사용하세요.",
    },
    "hub.no_active_project": {
        "en": "You are not a member of an active project, so there is no workspace to open. Ask your project lead or a data steward whether your project is approved and active.",
        "ko": "활성 상태인 과제의 구성원이 아니어서 열 수 있는 작업공간이 없습니다. 과제 책임자나 데이터 심사자에게 과제 승인·활성 여부를 문의하세요.",
    },
    "hub.project_not_yours": {
        "en": "Project {project_id} is not one of your active projects. Choose one of your active projects and start the server again.",
        "ko": "과제 {project_id}은(는) 귀하의 활성 과제가 아닙니다. 본인의 활성 과제를 골라 서버를 다시 시작하세요.",
    },
    "hub.choose_project": {
        "en": "You work on several active projects. Choose the project whose workspace to open:",
        "ko": "여러 활성 과제에 참여하고 있습니다. 열 작업공간의 과제를 고르세요:",
    },
    "hub.bad_project_choice": {
        "en": "The project choice is not a project number. Pick a project from the list and start again.",
        "ko": "선택한 과제가 과제 번호가 아닙니다. 목록에서 과제를 골라 다시 시작하세요.",
    },
    "hub.no_proxy": {
        "en": "configurable-http-proxy was not found in node_modules/.bin or on PATH. Run scripts/install.sh (it installs the proxy from npm) and start again.",
        "ko": "node_modules/.bin 또는 PATH에서 configurable-http-proxy를 찾을 수 없습니다. scripts/install.sh를 실행해(npm으로 설치) 다시 시작하세요.",
    },
    "hub.config_written": {
        "en": "JupyterHub configuration written to {path}.",
        "ko": "JupyterHub 설정을 {path}에 저장했습니다.",
    },
    "hub.starting": {
        "en": "Starting the analysis room (JupyterHub) at {url}\nLog in there as a researcher of an active project with your enclave user name and password; leave the one-time code empty unless you have enrolled a second factor.\nStop it with Ctrl+C.",
        "ko": "분석실(JupyterHub)을 {url}에서 시작합니다\n활성 과제의 연구자로 enclave 사용자 이름과 비밀번호로 로그인하세요. 2단계 인증을 등록하지 않았다면 일회용 코드는 비워 두세요.\n중지하려면 Ctrl+C를 누르세요.",
    },
    "hub.stopped": {
        "en": "The analysis room stopped (exit code {code}).",
        "ko": "분석실이 종료되었습니다(종료 코드 {code}).",
    },
    "hub.otp_prompt": {
        "en": "One-time code (if enrolled):",
        "ko": "일회용 코드(등록한 경우):",
    },
    "hub.notebook_failed": {
        "en": "The notebook {notebook} stopped with an error in cell {cell}. Open it in the analysis room to see the error, fix the cell and run it again.",
        "ko": "노트북 {notebook}의 {cell}번째 셀에서 오류가 발생했습니다. 분석실에서 열어 오류를 확인하고 셀을 고친 뒤 다시 실행하세요.",
    },
    "egress.refused": {
        "en": "Files leave the analysis room only through an export request: downloads are switched off. Make your output with export_review.OutputSession and submit it for review.",
        "ko": "분석실의 파일은 반출 신청을 통해서만 나갈 수 있어 내려받기가 꺼져 있습니다. export_review.OutputSession으로 결과물을 만들어 심사를 신청하세요.",
    },
    "egress.data_read_only": {
        "en": "The data/ folder is read-only: the project's dataset is provisioned by the enclave. Write your results to outputs/ instead.",
        "ko": "data/ 폴더는 읽기 전용입니다(데이터는 enclave가 제공). 결과는 outputs/에 저장하세요.",
    },
}


def text(message_id: str, **params: object) -> str:
    """Return the message ``message_id`` in the configured language.

    Args:
        message_id: Key of :data:`MESSAGES`.
        **params: Values for the message's ``{placeholders}``: names, counts,
            ids and paths, never record values.

    Returns:
        The formatted message.
    """
    lang = os.environ.get("ENCLAVE_LANG", "en")
    entry = MESSAGES[message_id]
    template = entry.get(lang) or entry["en"]
    return template.format(**params)
