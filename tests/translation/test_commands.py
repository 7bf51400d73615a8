"""``--help`` of the agency's and the operator's commands follows ENCLAVE_LANG, and switches back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from enclave.cli import cli as enclave_cli
from linkage.cli import main as linkage_cli


@pytest.mark.parametrize(("command", "args", "korean", "english"), [
    (linkage_cli, ["--help"], "식별자를 공유하지 않고", "Link records across agencies"),
    (linkage_cli, ["upload", "--help"], "종료 코드:", "Exit codes:"),
    (linkage_cli, ["prepare", "--help"], "식별자 정책 폴더.", "Identifier policy folder."),
    (enclave_cli, ["--help"], "가명정보 결합·분석을 위한", "Secure pseudonymized-data enclave"),
    (enclave_cli, ["users", "add", "--help"], "12자 이상", "At least 12 characters"),
])
def test_help_is_korean_under_enclave_lang_ko_and_english_otherwise(command, args, korean, english) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    in_korean = runner.invoke(command, args, env={"ENCLAVE_LANG": "ko_KR.UTF-8"})
    assert in_korean.exit_code == 0
    assert korean in in_korean.output and english not in in_korean.output
    assert "사용법:" in in_korean.output and "옵션" in in_korean.output
    in_english = runner.invoke(command, args, env={"ENCLAVE_LANG": "en_US.UTF-8"})
    assert english in in_english.output and korean not in in_english.output
    assert "Usage:" in in_english.output


def test_click_errors_are_korean_too() -> None:
    result = CliRunner().invoke(linkage_cli, ["upload"], env={"ENCLAVE_LANG": "ko"})
    assert result.exit_code != 0
    assert "인자가 빠졌습니다" in result.output
