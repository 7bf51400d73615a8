"""Korean particles agree with the sound the word or number before them ends in."""

from __future__ import annotations

import pytest

from translation import attach_particle, format_message, particle_for
from translation.particles import resolve_particles


@pytest.mark.parametrize(("word", "expected"), [
    ("1", "을"), ("2", "를"), ("3", "을"), ("4", "를"), ("5", "를"), ("6", "을"), ("7", "을"), ("8", "을"),
    ("9", "를"), ("0", "을"), ("10", "을"), ("20", "을"), ("100", "을"), ("1000", "을"), ("10000", "을"),
    ("100000000", "을"), ("1000000000000", "를"), ("12", "를"), ("1,024", "를"), ("3.5", "를"), ("2.0", "을"),
    ("과제", "를"), ("신청", "을"), ("파일", "을"), ("CSV", "를"), ("URL", "을"), ("API", "를"), ("PDF", "를"),
    ("policy.yaml", "을"), ("'data.csv'", "를"), ("신청 4", "를"), ("신청 (3)", "을"),
])
def test_object_particle_follows_how_the_last_syllable_is_read(word: str, expected: str) -> None:
    assert particle_for(word, "을") == expected
    assert particle_for(word, "를") == expected


@pytest.mark.parametrize(("word", "particle", "expected"), [
    ("1", "이", "1이"), ("2", "이", "2가"), ("과제 3", "은", "과제 3은"), ("과제 2", "는", "과제 2는"),
    ("서울", "와", "서울과"), ("부산", "과", "부산과"), ("대구", "과", "대구와"),
    ("1", "으로", "1로"), ("3", "로", "3으로"), ("2", "으로", "2로"), ("10", "로", "10으로"),
    ("파일", "으로", "파일로"), ("폴더", "으로", "폴더로"), ("결과물", "로", "결과물로"), ("계정", "로", "계정으로"),
])
def test_each_pair_takes_the_form_that_agrees(word: str, particle: str, expected: str) -> None:
    assert attach_particle(word, particle) == expected


def test_catalogue_texts_write_particles_as_a_format_spec() -> None:
    template = "신청 {request_id:을} 검토했고 과제 {project_id:는} {folder:으로} 옮겼습니다."
    assert format_message(template, {"request_id": 4, "project_id": 3, "folder": "outputs"}) == \
        "신청 4를 검토했고 과제 3은 outputs로 옮겼습니다."
    assert format_message("{count:,}개", {"count": 12000}) == "12,000개"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("신청 4을(를) 승인했습니다.", "신청 4를 승인했습니다."),
    ("신청 3을(를) 승인했습니다.", "신청 3을 승인했습니다."),
    ("열 'age'이(가) 없습니다.", "열 'age'가 없습니다."),
    ("파일 'name'은(는) 비었습니다.", "파일 'name'은 비었습니다."),
    ("a.csv(12바이트)을(를) 서버(으)로 보냅니다", "a.csv(12바이트)를 서버로 보냅니다"),
    ("작업 7(결합)이(가) 끝났습니다", "작업 7(결합)이 끝났습니다"),
])
def test_written_out_alternations_resolve_after_filling_in(sentence: str, expected: str) -> None:
    assert resolve_particles(sentence) == expected
