"""Every text the code marks is in its package's Korean catalogue, translated, with the same placeholders.

A failure names the msgids to fix: run ``python scripts/i18n.py update`` and
fill in their ``msgstr`` in ``<package>/locale/ko/LC_MESSAGES/<package>.po``.
"""

from __future__ import annotations

import importlib.util
import string
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from translation import format_message

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("linkage", "export_review", "enclave")


def _i18n_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_script"] = module
    spec.loader.exec_module(module)
    return module


def _catalogue(domain: str):  # type: ignore[no-untyped-def]
    with (ROOT / domain / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("domain", DOMAINS)
def test_extraction_finds_no_text_missing_from_the_korean_catalogue(domain: str) -> None:
    extracted = _i18n_script().extract(domain)
    catalogue = _catalogue(domain)
    missing = sorted(str(m.id) for m in extracted if m.id and catalogue.get(m.id, context=m.context) is None)
    assert not missing, f"run `python scripts/i18n.py update {domain}` and translate: {missing}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_korean_entry_is_translated_and_not_fuzzy(domain: str) -> None:
    untranslated = _i18n_script().untranslated(domain)
    assert not untranslated, f"fill in Korean (and drop '#, fuzzy') in {domain}.po for: {untranslated}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_korean_uses_the_same_placeholders_as_english(domain: str) -> None:
    wrong = []
    for message in _catalogue(domain):
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        if _fields(message.id) != _fields(message.string):
            wrong.append(message.id)
    assert not wrong, wrong


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("value", [1, 2, "과제", "신청", "data.csv"])
def test_no_korean_sentence_shows_both_particle_forms(domain: str, value: object) -> None:
    glued = []
    for message in _catalogue(domain):
        if not isinstance(message.string, str) or not message.string:
            continue
        filled = format_message(message.string, dict.fromkeys(_fields(message.string), value))
        if any(both in filled for both in ("을(를)", "를(을)", "이(가)", "은(는)", "와(과)", "(으)로")):
            glued.append(message.id)
    assert not glued, glued


def test_the_check_command_names_a_missing_translation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _i18n_script()
    package = tmp_path / "demo"
    (package / "locale" / "ko" / "LC_MESSAGES").mkdir(parents=True)
    (package / "messages.py").write_text(
        'from translation import N_\nMESSAGES = {"a": N_("Translated"), "b": {"en": "Old style", "ko": "옛 {n}을(를)"},'
        ' "c": N_("Not yet")}\n', encoding="utf-8")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.adopt_old_entries("demo") == 1
    assert 'N_("Old style")' in (package / "messages.py").read_text(encoding="utf-8").replace("'", '"')
    count, missing = script.update("demo")
    assert count == 3
    assert sorted(missing) == ["Not yet", "Translated"]
    assert script.main(["check", "demo"]) == 1
