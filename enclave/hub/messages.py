"""User-facing text of the analysis room (JupyterHub), in one place so it can be translated.

``ENCLAVE_LANG`` picks the language (``en`` or ``ko``); a message missing in
the chosen language falls back to English. Parameters are names, counts,
paths and ids — never record values.
"""

from __future__ import annotations

import os

__all__ = ["MESSAGES", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    "hub.notebook_ran": {
        "en": "Ran {notebook} in project {project_id}'s workspace: {cells} cells, account {account}; export requests made: {requests}.",
        "ko": "과제 {project_id}의 작업 공간에서 {notebook}을(를) 실행했습니다: 셀 {cells}개, 계정 {account}; 만든 반출 신청: {requests}.",
    },
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
    "hub.isolation_needs_root": {
        "en": "ENCLAVE_HUB_ISOLATION=accounts runs each workspace under an account of its own, which only root can switch to. Start the hub as root, or in development set ENCLAVE_HUB_ISOLATION=none.",
        "ko": "ENCLAVE_HUB_ISOLATION=accounts는 작업 공간마다 별도 계정으로 실행하며, 계정 전환은 root만 할 수 있습니다. 허브를 root로 시작하거나, 개발 환경에서는 ENCLAVE_HUB_ISOLATION=none으로 설정하세요.",
    },
    "hub.isolation_required": {
        "en": "In production every workspace must run under an account of its own, so that no kernel can read the key file, the database or another workspace. Start the hub as root with ENCLAVE_HUB_ISOLATION=accounts (or auto).",
        "ko": "운영 모드에서는 커널이 키 파일, 데이터베이스, 다른 작업 공간을 읽지 못하도록 작업 공간마다 별도 계정으로 실행해야 합니다. ENCLAVE_HUB_ISOLATION=accounts(또는 auto)로 허브를 root로 시작하세요.",
    },
    "hub.isolation_interpreter": {
        "en": "A workspace account cannot start the Python at {python} or import the notebook server from it, probably because it lies in a folder only its owner may enter (such as /root). Reinstall with scripts/install.sh, which uses the system's Python 3.11, or set PYTHON to a Python readable by all users.",
        "ko": "작업 공간 계정이 {python}의 Python을 실행하거나 노트북 서버를 불러올 수 없습니다. 소유자만 들어갈 수 있는 폴더(/root 등)에 있기 때문일 수 있습니다. 시스템 Python 3.11을 쓰는 scripts/install.sh로 다시 설치하거나, 모든 사용자가 읽을 수 있는 Python을 PYTHON에 지정하세요.",
    },
    "hub.isolation_sandbox": {
        "en": "A workspace process could not enter its sandbox (a private mount namespace that hides other services' sockets): the hub needs root with the right to mount (CAP_SYS_ADMIN). Run it as root outside a restricted container, or in development set ENCLAVE_HUB_ISOLATION=none.",
        "ko": "작업 공간 프로세스가 샌드박스(다른 서비스의 소켓을 가리는 별도 마운트 네임스페이스)에 들어가지 못했습니다. 허브에는 마운트 권한(CAP_SYS_ADMIN)이 있는 root가 필요합니다. 제한된 컨테이너 밖에서 root로 실행하거나, 개발 환경에서는 ENCLAVE_HUB_ISOLATION=none으로 설정하세요.",
    },
    "hub.isolation_workspaces": {
        "en": "A workspace account cannot reach the workspaces folder {path}: one of the folders above it may be entered by its owner only. Set ENCLAVE_WORKSPACES_DIR to a folder whose parents all allow others to pass (mode 0711 or 0755).",
        "ko": "작업 공간 계정이 작업 공간 폴더 {path}에 접근할 수 없습니다. 상위 폴더 중 소유자만 들어갈 수 있는 폴더가 있습니다. 모든 상위 폴더가 다른 사용자의 통과를 허용하는(0711 또는 0755) 위치로 ENCLAVE_WORKSPACES_DIR를 지정하세요.",
    },
    "hub.isolation_open": {
        "en": "A workspace account can read the enclave's {what}. Make the data folder {path} and the key file readable by their owner only (chmod 700 on folders, 600 on files) and start again.",
        "ko": "작업 공간 계정이 enclave의 {what}을(를) 읽을 수 있습니다. 데이터 폴더 {path}와 키 파일을 소유자만 읽을 수 있게(폴더 chmod 700, 파일 600) 바꾼 뒤 다시 시작하세요.",
    },
    "hub.notebook_not_run": {
        "en": "The notebook {notebook} could not be run: it is not a notebook file of the workspace, it is not readable, or its kernel did not start. Open the analysis room to check it.",
        "ko": "노트북 {notebook}을(를) 실행할 수 없습니다. 작업 공간의 노트북 파일이 아니거나, 읽을 수 없거나, 커널이 시작되지 않았습니다. 분석실에서 확인하세요.",
    },
    "hub.isolation_on": {
        "en": "Each workspace runs under an account of its own (ids from {base} up); workspaces are in {path}. Checked: such an account cannot read the key file, the database or the data folder.",
        "ko": "작업 공간마다 별도 계정({base}번부터)으로 실행하며, 작업 공간은 {path}에 있습니다. 확인 완료: 이 계정은 키 파일, 데이터베이스, 데이터 폴더를 읽을 수 없습니다.",
    },
    "hub.jupyter_paths_open": {
        "en": "Workspace servers serve kernelspecs and JupyterLab extensions from folders that must be root's and writable by nobody else, outside the workspaces; these are not: {problems}. Reinstall with scripts/install.sh as root, or fix the owners and modes of the folders named, and start again.",
        "ko": "작업 공간 서버는 root 소유이고 다른 누구도 쓸 수 없으며 작업 공간 밖에 있는 폴더에서만 커널 사양과 JupyterLab 확장을 제공해야 하는데, 다음은 그렇지 않습니다: {problems}. root로 scripts/install.sh를 다시 실행하거나 해당 폴더의 소유자와 권한을 고친 뒤 다시 시작하세요.",
    },
    "hub.jupyter_paths_pinned": {
        "en": "Jupyter's configuration and data folders of every workspace are pinned to {config} and the system's folders, read-only to workspaces.",
        "ko": "모든 작업 공간의 Jupyter 설정·데이터 폴더는 {config} 및 시스템 폴더로 고정되며 작업 공간에서는 읽기만 할 수 있습니다.",
    },
    "hub.isolation_off": {
        "en": "Warning: workspaces run under the hub's own account (ENCLAVE_HUB_ISOLATION=none, or not running as root), so a kernel could read the enclave's files. Use this for development only.",
        "ko": "경고: 작업 공간이 허브와 같은 계정으로 실행됩니다(ENCLAVE_HUB_ISOLATION=none 또는 root가 아님). 커널이 enclave 파일을 읽을 수 있으므로 개발 용도로만 쓰세요.",
    },
    "hub.egress_on": {
        "en": "Workspace accounts may connect only to the hub and the enclave's API (nftables rules, installed before the first workspace starts and removed when the hub stops).",
        "ko": "작업 공간 계정은 허브와 enclave API에만 접속할 수 있습니다(nftables 규칙: 첫 작업 공간이 시작되기 전에 설치되고 허브가 멈추면 제거됨).",
    },
    "hub.egress_no_nft": {
        "en": "The nft command (Debian's nftables package) is not installed, so workspace accounts cannot be limited to the hub and the enclave's API. Install nftables (scripts/install.sh does, as root) or set ENCLAVE_HUB_EGRESS=none and enforce a network policy outside this machine.",
        "ko": "nft 명령(Debian nftables 패키지)이 없어 작업 공간 계정의 접속을 허브와 enclave API로 제한할 수 없습니다. nftables를 설치하거나(root로 scripts/install.sh 실행) ENCLAVE_HUB_EGRESS=none으로 설정하고 이 컴퓨터 밖에서 네트워크 정책을 적용하세요.",
    },
    "hub.egress_refused": {
        "en": "nft refused the egress rules for workspace accounts ({reason}). The hub needs root (CAP_NET_ADMIN) to install them; or set ENCLAVE_HUB_EGRESS=none and enforce a network policy outside this machine.",
        "ko": "nft가 작업 공간 계정의 송신 규칙을 거부했습니다({reason}). 규칙을 설치하려면 허브에 root 권한(CAP_NET_ADMIN)이 필요합니다. 또는 ENCLAVE_HUB_EGRESS=none으로 설정하고 이 컴퓨터 밖에서 네트워크 정책을 적용하세요.",
    },
    "hub.egress_unresolved": {
        "en": "The host {host} of the hub or of ENCLAVE_PUBLIC_URL does not resolve, so the egress rules cannot name it. Use an address or a resolvable name.",
        "ko": "허브 또는 ENCLAVE_PUBLIC_URL의 호스트 {host}를 찾을 수 없어 송신 규칙에 넣을 수 없습니다. 주소나 확인 가능한 이름을 쓰세요.",
    },
    "hub.workspace_busy": {
        "en": "Processes of this workspace could not be ended, so it was not prepared again. Ask an administrator to check the machine, then start the server again.",
        "ko": "이 작업 공간의 프로세스를 끝낼 수 없어 다시 준비하지 않았습니다. 관리자에게 서버 점검을 요청한 뒤 서버를 다시 시작하세요.",
    },
    "hub.workspace_contested": {
        "en": "The workspace's {name} kept changing while the analysis room prepared it. Stop every kernel of this workspace and start the server again.",
        "ko": "분석실이 작업 공간을 준비하는 동안 {name}이(가) 계속 바뀌었습니다. 이 작업 공간의 커널을 모두 멈추고 서버를 다시 시작하세요.",
    },
    "hub.runtime_dir_taken": {
        "en": "The folder {path} for the kernels' sockets exists but is not the hub's own or is writable by others. Remove it and start again.",
        "ko": "커널 소켓용 폴더 {path}가 이미 있지만 허브 소유가 아니거나 다른 사용자가 쓸 수 있습니다. 지운 뒤 다시 시작하세요.",
    },
    "egress.refused": {
        "en": "Files leave the analysis room only through an export request: downloads are switched off. Make your output with export_review.OutputSession and submit it for review.",
        "ko": "분석실의 파일은 반출 신청을 통해서만 나갈 수 있어 내려받기가 꺼져 있습니다. export_review.OutputSession으로 결과물을 만들어 심사를 신청하세요.",
    },
    "egress.file_too_large": {
        "en": "This file is larger than the {limit} kB the analysis room opens as text: large text leaves only through an export request. Summarise it in a notebook, or make your output with export_review.OutputSession and submit it for review.",
        "ko": "이 파일은 분석실이 텍스트로 여는 한도({limit} kB)보다 큽니다. 큰 텍스트는 반출 신청을 통해서만 나갈 수 있습니다. 노트북에서 요약하거나 export_review.OutputSession으로 결과물을 만들어 심사를 신청하세요.",
    },
    "egress.notebook_too_large": {
        "en": "This notebook is larger than the {limit} MB the analysis room opens. Clear its outputs from a kernel (nbformat) or split it; results leave only through an export request (export_review.OutputSession).",
        "ko": "이 노트북은 분석실이 여는 한도({limit} MB)보다 큽니다. 커널에서 출력을 지우거나(nbformat) 나누세요. 결과는 반출 신청(export_review.OutputSession)을 통해서만 나갈 수 있습니다.",
    },
    "egress.too_large": {
        "en": "This answer is larger than the analysis room hands out: keep JupyterLab's settings and workspaces small. Results leave only through an export request.",
        "ko": "이 응답은 분석실이 내보내는 한도보다 큽니다. JupyterLab 설정과 작업 공간을 작게 유지하세요. 결과는 반출 신청을 통해서만 나갈 수 있습니다.",
    },
    "egress.output_removed": {
        "en": "[A {kind} output of {size} bytes was removed: notebooks keep only small outputs. Run the cell again to see it; to take results out, submit them with export_review.OutputSession.]",
        "ko": "[{size}바이트 {kind} 출력이 제거되었습니다. 노트북에는 작은 출력만 저장됩니다. 다시 보려면 셀을 다시 실행하고, 결과를 반출하려면 export_review.OutputSession으로 신청하세요.]",
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
