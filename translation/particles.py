"""Korean particles that agree with the word before them.

Korean writes 을/를, 이/가, 은/는, 과/와 and 으로/로 by whether the syllable
before ends in a consonant (받침). A message that puts a file name or a
number in front of a particle cannot know that in advance, so the catalogue
writes the particle as a format spec, ``{path:을}``, and
:func:`attach_particle` picks the form when the value is known.

Numbers are judged by how they are read in Sino-Korean (1 일 → 을,
2 이 → 를, 10 십 → 을, 10000 만 → 을); Latin letters by how Koreans spell
them (acronyms letter by letter: CSV 씨에스브이 → 를, URL 유알엘 → 을).

Example:
    >>> attach_particle("3", "을")
    '3을'
    >>> attach_particle("과제 2", "은")
    '과제 2는'
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["PARTICLES", "attach_particle", "final_sound", "particle_for", "resolve_particles"]

FinalSound = Literal["vowel", "rieul", "consonant"]

# Each pair as (after a consonant, after a vowel); either form names the pair.
_PAIRS: tuple[tuple[str, str], ...] = (("을", "를"), ("이", "가"), ("은", "는"), ("과", "와"), ("으로", "로"),
                                       ("이나", "나"), ("이라", "라"), ("아", "야"))
PARTICLES: dict[str, tuple[str, str]] = {form: pair for pair in _PAIRS for form in pair}

# The final sound of each digit read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT_SOUND: dict[str, FinalSound] = {
    "0": "consonant", "1": "rieul", "2": "vowel", "3": "consonant", "4": "vowel",
    "5": "vowel", "6": "consonant", "7": "rieul", "8": "rieul", "9": "vowel",
}
# Powers of ten that end a number with zeros: 십 백 천, then 만 억 조 경 every four places.
_PLACE_SOUND: dict[int, FinalSound] = {1: "consonant", 2: "consonant", 3: "consonant"}
_MYRIAD_SOUND: dict[int, FinalSound] = {1: "consonant", 2: "consonant", 3: "vowel", 4: "consonant"}

# Letters as Koreans spell them: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이
# 더블유 엑스 와이 제트.
_LETTER_SOUND: dict[str, FinalSound] = {letter: "vowel" for letter in "abcdefghijkopqstuvwxy"}
_LETTER_SOUND.update({"l": "rieul", "r": "rieul", "m": "consonant", "n": "consonant", "z": "vowel"})

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL_FINAL = 8


def _number_sound(digits: str) -> FinalSound:
    if "." in digits:
        fraction = digits.rsplit(".", 1)[1]
        if fraction:
            return _DIGIT_SOUND[fraction[-1]]
        digits = digits.rsplit(".", 1)[0]
    digits = digits.replace(",", "").lstrip("0") or "0"
    if digits == "0":
        return _DIGIT_SOUND["0"]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return _DIGIT_SOUND[digits[-1]]
    if zeros % 4:
        return _PLACE_SOUND[zeros % 4]
    return _MYRIAD_SOUND.get(zeros // 4, "consonant")


def _latin_sound(word: str) -> FinalSound:
    last = word[-1].lower()
    if word.isupper() or len(word) == 1:
        return _LETTER_SOUND[last]
    # An English word: Korean spelling ends in a consonant after l, m, n (and -ng); otherwise
    # the final consonant usually takes a vowel (desk 데스크, test 테스트). A silent final e is
    # not read (name 네임, file 파일, code 코드).
    lowered = word.lower()
    if len(lowered) > 2 and lowered.endswith("e") and lowered[-2] not in "aeiouy":
        last = lowered[-2]
    if last == "l":
        return "rieul"
    if last in "mn" or word.lower().endswith("ng"):
        return "consonant"
    return "vowel"


def _spoken_end(word: str) -> str:
    """Drop what is not read before a particle: closing quotes and punctuation, and a trailing
    parenthetical, whose particle agrees with the word before it (파일(CSV)을)."""
    while True:
        stripped = word.rstrip(" \t\n'\"`’”]}>.,;:!?-_/")
        if stripped.endswith(")") and "(" in stripped:
            depth = 0
            for index in range(len(stripped) - 1, -1, -1):
                depth += {")": 1, "(": -1}.get(stripped[index], 0)
                if depth == 0:
                    break
            if index > 0 and stripped[:index].strip():
                word = stripped[:index]
                continue
            stripped = stripped.rstrip(")")
        return stripped


def final_sound(word: str) -> FinalSound:
    """Tell how ``word`` ends when read aloud in Korean.

    Args:
        word: Any text; closing quotes, brackets and punctuation are skipped.

    Returns:
        ``"vowel"``, ``"rieul"`` (the consonant ㄹ, which takes 로) or ``"consonant"``.
    """
    stripped = _spoken_end(word)
    if not stripped:
        return "vowel"
    last = stripped[-1]
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        final = (code - _HANGUL_FIRST) % 28
        return "vowel" if final == 0 else "rieul" if final == _RIEUL_FINAL else "consonant"
    if last.isdigit():
        start = len(stripped)
        while start > 0 and (stripped[start - 1].isdigit() or stripped[start - 1] in ".,"):
            start -= 1
        return _number_sound(stripped[start:].strip(".,"))
    if last.isascii() and last.isalpha():
        start = len(stripped)
        while start > 0 and stripped[start - 1].isascii() and stripped[start - 1].isalpha():
            start -= 1
        return _latin_sound(stripped[start:])
    if last == "%":
        return "vowel"  # 퍼센트
    return "vowel"


def particle_for(word: str, particle: str) -> str:
    """Return the form of ``particle`` that agrees with ``word``.

    Args:
        word: The word the particle follows.
        particle: Either form of a pair, e.g. ``"을"`` or ``"를"``.

    Returns:
        The form to write after ``word``.

    Raises:
        KeyError: ``particle`` is not one of :data:`PARTICLES`.
    """
    after_consonant, after_vowel = PARTICLES[particle]
    sound = final_sound(word)
    if after_consonant == "으로":
        return after_vowel if sound in ("vowel", "rieul") else after_consonant
    return after_vowel if sound == "vowel" else after_consonant


def attach_particle(word: str, particle: str) -> str:
    """Return ``word`` followed by the agreeing form of ``particle``."""
    return word + particle_for(word, particle)


# Both forms written out, as translators did before this helper: 을(를), 이(가), 은(는), 와(과), (으)로.
_ALTERNATIONS = re.compile(r"을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로")


def resolve_particles(sentence: str) -> str:
    """Replace each ``을(를)``-style alternation in a filled-in sentence by the form that agrees.

    Example:
        >>> resolve_particles("신청 4을(를) 승인했습니다. 파일 'a.csv'이(가) 없습니다.")
        "신청 4를 승인했습니다. 파일 'a.csv'가 없습니다."
    """
    if "(" not in sentence:
        return sentence
    out: list[str] = []
    last = 0
    for match in _ALTERNATIONS.finditer(sentence):
        before = "".join(out) + sentence[last:match.start()]
        particle = "으로" if match.group() == "(으)로" else match.group()[0]
        out = [before, particle_for(before, particle)]
        last = match.end()
    if not out:
        return sentence
    return "".join(out) + sentence[last:]
