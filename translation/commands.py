"""Command-line help in the reader's language.

A click command's help comes from its docstring and its options' ``help=``;
:func:`command_texts` collects them for the catalogue (``scripts/i18n.py``
adds them to the package's ``.po``), and :func:`localize_command` puts the
translations in place when the command runs, so ``linkage --help`` under
``ENCLAVE_LANG=ko`` is Korean. The English stays in the code, where the
options are declared.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import click

from translation.catalogue import N_, Catalogue

__all__ = ["CLICK_TEXTS", "command_texts", "localize_command", "localized_group"]

# click's own words around the help (it looks them up through the standard library's gettext).
CLICK_TEXTS: tuple[str, ...] = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Missing argument"), N_("Missing option"), N_("Missing command."),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("default: {default}"), N_("required"), N_("Show the version and exit."),
    N_("Aborted!"),
)
_ORIGINAL = "_translation_original"


def _walk(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _walk(sub)


def _texts_of(command: click.Command) -> Iterator[tuple[Any, str, str]]:
    """Yield (object, attribute, English text) for each help text of ``command`` and its parameters."""
    for attribute in ("help", "short_help", "epilog"):
        value = getattr(command, attribute, None)
        if value:
            yield command, attribute, inspect.cleandoc(value)
    for param in command.params:
        value = getattr(param, "help", None)
        if value:
            yield param, "help", value


def command_texts(root: click.Command) -> list[str]:
    """Return every help text of ``root`` and its subcommands, in English, for the catalogue."""
    texts: list[str] = []
    for command in _walk(root):
        for owner, attribute, english in _texts_of(command):
            original = getattr(owner, _ORIGINAL, {}).get(attribute, english)
            if original not in texts:
                texts.append(original)
    return [*texts, *(t for t in CLICK_TEXTS if t not in texts)]


def localize_command(root: click.Command, catalogue: Catalogue) -> None:
    """Show ``root``'s help (and click's own words) in the current language.

    The English is kept on each object, so calling this again in another language works.
    """
    for command in _walk(root):
        for owner, attribute, english in _texts_of(command):
            originals: dict[str, str] = owner.__dict__.setdefault(_ORIGINAL, {})
            source = originals.setdefault(attribute, english)
            setattr(owner, attribute, catalogue.gettext(source))

    def click_gettext(message: str) -> str:
        # click formats its own placeholders with %; ours are braces, so look up without filling in.
        return catalogue.gettext(message)

    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser):
        if hasattr(module, "_"):
            module._ = click_gettext  # type: ignore[attr-defined]


def localized_group(catalogue: Catalogue) -> type[click.Group]:
    """Return a ``click.Group`` class whose help follows the current language (pass it as ``cls=``)."""

    class LocalizedGroup(click.Group):
        def main(self, *args: Any, **kwargs: Any) -> Any:
            localize_command(self, catalogue)
            return super().main(*args, **kwargs)

    return LocalizedGroup
