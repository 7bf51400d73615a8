"""The one translation lookup of the project: Babel message catalogues.

Each package keeps its texts in English in its code, marked with :func:`N_`
(module-level tables) or :meth:`Catalogue.gettext` (inline), and its Korean in
``<package>/locale/ko/LC_MESSAGES/<domain>.po``, extracted and updated by
``scripts/i18n.sh``. The ``.po`` file is read at run time through Babel, so
an installed wheel, an editable install and a source checkout behave alike
with no compile step; fuzzy and empty entries count as untranslated and fall
back to English.

Values are put into the text with :class:`MessageFormatter`, which also
accepts a Korean particle as the format spec (``{path:을}``, see
:mod:`translation.particles`).
"""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from translation.language import DEFAULT_LANGUAGE, Language, current_language
from translation.particles import PARTICLES, attach_particle, resolve_particles

__all__ = ["NP_", "Catalogue", "Message", "MessageFormatter", "N_", "catalogue_path", "format_message"]


def N_(message: str) -> str:  # noqa: N802 — the name gettext tools look for
    """Mark ``message`` for extraction without translating it now (for tables read later)."""
    return message


class _InContext(str):
    """An English text that needs a context to pick its translation (``active`` of a key vs of a project)."""

    context: str


def _in_context(context: str, message: str) -> str:
    marked = _InContext(message)
    marked.context = context
    return marked


def NP_(context: str, message: str) -> str:  # noqa: N802 — pgettext's marker, as gettext tools name it
    """Mark ``message`` with a ``context`` (msgctxt) for extraction, for a word translated differently by use."""
    return _in_context(context, message)


class Message(str):
    """A text shown in one language that remembers how to be shown in another.

    It is the filled-in sentence (a ``str``), plus the message id and the
    parameters it was made from, so a result stored today (an output check's
    explanation) can be read tomorrow in the reader's language.

    Attributes:
        message_id: The key of the package's table.
        params: The placeholders' values: names, counts, thresholds — never record values.
    """

    message_id: str
    params: dict[str, Any]

    def __new__(cls, rendered: str, message_id: str, params: Mapping[str, object]) -> Message:
        made = super().__new__(cls, rendered)
        made.message_id = message_id
        made.params = {k: v if isinstance(v, int | float | str | bool) or v is None else str(v)
                       for k, v in params.items()}
        return made


class _KeepMissing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class MessageFormatter(string.Formatter):
    """``str.format`` that also takes a Korean particle as the format spec: ``{count:을}``."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec in PARTICLES:
            return attach_particle(str(value), format_spec)
        return super().format_field(value, format_spec)


_FORMATTER = MessageFormatter()


def format_message(template: str, params: Mapping[str, object]) -> str:
    """Fill ``template``'s ``{placeholders}`` from ``params``.

    A placeholder with no value is left as its name, so a caller's slip never hides the
    message itself. Korean particles are made to agree: ``{x:을}`` as a format spec, or
    ``을(를)`` written out after any word (see :func:`translation.particles.resolve_particles`).
    """
    if not params:
        return resolve_particles(template)
    try:
        filled = _FORMATTER.vformat(template, (), dict(params))
    except (KeyError, IndexError, ValueError, AttributeError):
        try:
            filled = _FORMATTER.vformat(template, (), _KeepMissing(params))
        except (KeyError, IndexError, ValueError, AttributeError):
            filled = template
    return resolve_particles(filled)


def catalogue_path(locale_dir: Path, domain: str, language: Language) -> Path:
    """Return where the ``.po`` file of ``domain`` in ``language`` lives."""
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


_loaded: dict[Path, tuple[float, dict[object, object]]] = {}
_lock = threading.Lock()


def _load(path: Path) -> dict[object, object]:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return {}
    cached = _loaded.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock, path.open("rb") as handle:
        catalog = read_po(handle)
    table: dict[object, object] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = (message.context, message.id) if message.context else message.id
        if isinstance(message.string, tuple | list):
            if all(message.string):
                table[key] = tuple(message.string)
        elif message.string:
            table[key] = message.string
    _loaded[path] = (stamp, table)
    return table


class Catalogue:
    """The translations of one domain (one package).

    Args:
        domain: The catalogue's name, e.g. ``"linkage"``.
        locale_dir: The package's ``locale`` folder.
        language: A fixed language; by default :func:`translation.current_language` decides per call.

    Example:
        >>> from pathlib import Path
        >>> catalogue = Catalogue("linkage", Path("linkage/locale"))
        >>> catalogue.translate("en", "Linkage quality report")
        'Linkage quality report'
    """

    def __init__(self, domain: str, locale_dir: Path, language: Callable[[], Language] = current_language) -> None:
        self.domain = domain
        self.locale_dir = Path(locale_dir)
        self._language = language

    def _table(self, language: Language | None) -> dict[object, object]:
        chosen = language or self._language()
        if chosen == DEFAULT_LANGUAGE:
            return {}
        return _load(catalogue_path(self.locale_dir, self.domain, chosen))

    def pgettext(self, context: str, message: str, /, **params: object) -> str:
        """Return ``message`` as translated in ``context`` (the msgctxt), filled with ``params``."""
        return self.translate(None, _in_context(context, message), **params)

    def gettext(self, message: str, /, **params: object) -> str:
        """Return ``message`` in the current language, filled with ``params``.

        Args:
            message: The English text, which is also the catalogue's msgid (from :func:`N_` or
                :func:`NP_` when it carries a context).
            **params: Values for the ``{placeholders}``: names, counts, ids, paths — never record values.

        Returns:
            The translation, or ``message`` itself when the catalogue has none.
        """
        return self.translate(None, message, **params)

    def translate(self, language: Language | None, message: str, /, **params: object) -> str:
        """Return ``message`` in ``language`` (None: the current one), filled with ``params``."""
        context = getattr(message, "context", None)
        key: object = (context, str(message)) if context is not None else message
        found = self._table(language).get(key)
        return format_message(found if isinstance(found, str) else str(message), params)

    def ngettext(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        """Return the form for ``count`` in the current language (``{count}`` is filled in too)."""
        found = self._table(None).get((singular, plural))
        if isinstance(found, tuple) and found:
            template = str(found[0]) if len(found) == 1 else str(found[0 if count == 1 else 1])
        else:
            template = singular if count == 1 else plural
        return format_message(template, {"count": count, **params})

    def message(self, messages: Mapping[str, str], message_id: str, /, **params: object) -> Message:
        """Return the text ``message_id`` of a package's table as a :class:`Message` that can be re-read later."""
        return Message(self.gettext(messages[message_id], **params), message_id, params)
