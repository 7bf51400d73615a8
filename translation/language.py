"""Which language a message is shown in.

One rule for every package: a source registered by the program (the web app
registers the language of the current request: the user's choice, then the
browser's ``Accept-Language``) wins; otherwise ``ENCLAVE_LANG`` decides, read
like a POSIX locale (``ko``, ``ko_KR``, ``ko-KR``, ``ko_KR.UTF-8`` all mean
Korean); otherwise English.
"""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "current_language", "language_from_environment",
           "normalize_language", "register_language_source"]

Language = str
LANGUAGES: tuple[Language, ...] = ("en", "ko")
DEFAULT_LANGUAGE: Language = "en"

_sources: list[Callable[[], Language | None]] = []


def normalize_language(value: str | None) -> Language | None:
    """Return the supported language ``value`` names, or None.

    Args:
        value: A language tag or POSIX locale: ``ko``, ``ko_KR``, ``ko-KR``,
            ``ko_KR.UTF-8``, ``en_US.UTF-8``, ``KO``; ``C`` and ``POSIX`` mean English.

    Returns:
        ``"en"`` or ``"ko"``, or None when ``value`` names neither.
    """
    if not value:
        return None
    tag = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    if tag in ("c", "posix"):
        return "en"
    primary = tag.split("_", 1)[0]
    return primary if primary in LANGUAGES else None


def language_from_environment() -> Language:
    """Return the language ``ENCLAVE_LANG`` names, English when unset or unknown."""
    return normalize_language(os.environ.get("ENCLAVE_LANG")) or DEFAULT_LANGUAGE


def register_language_source(source: Callable[[], Language | None]) -> None:
    """Let a program say which language applies now (e.g. the current web request's).

    Args:
        source: Called on every lookup; returns a language, or None to defer to
            ``ENCLAVE_LANG``. Registering the same callable twice has no effect.
    """
    if source not in _sources:
        _sources.append(source)


def current_language() -> Language:
    """Return the language to show messages in now."""
    for source in _sources:
        chosen = source()
        if chosen:
            return chosen
    return language_from_environment()
