"""Keep the message catalogues in step with the code.

Usage (from the repository root, with the project's Python)::

    python scripts/i18n.py update   # adopt old {"en","ko"} entries, extract, update the .po files
    python scripts/i18n.py check    # list every msgid with no Korean (or a fuzzy one); exit 1 if any

``update`` does three things for each package (``linkage``, ``export_review``,
``enclave``):

1. *Adopt*: an entry still written the old way in a ``messages.py`` table,
   ``"id": {"en": "...", "ko": "..."}``, becomes ``"id": N_("...")``; its Korean
   goes into the package's ``.po`` file, with glued particles such as
   ``{count}을(를)`` rewritten as ``{count:을}`` (see ``translation.particles``).
2. *Extract*: Babel reads every ``N_``/``NP_``/``_``/``gettext``/``ngettext`` call in
   the package's Python code and ``gettext``/``ngettext`` in its templates (a template's
   ``_("message.id")`` looks up a table that is itself extracted).
3. *Update*: the ``.po`` file gains the new msgids (empty, to fill in) and drops
   obsolete ones; existing translations are kept.

Then fill in every empty ``msgstr`` in ``<package>/locale/ko/LC_MESSAGES/<domain>.po``
and run ``check`` (the test suite runs the same check).
"""

from __future__ import annotations

import ast
import re
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("linkage", "export_review", "enclave")
# Each package's command line, whose help texts (docstrings and ``help=``) belong to its catalogue.
COMMANDS = {"linkage": ("linkage.cli", "main"), "export_review": ("export_review.cli", "main"),
            "enclave": ("enclave.cli", "cli")}
# In Python code every marker takes the English text. Templates call ``_("message.id")`` to look up a
# package table (extracted from that table), and ``gettext``/``ngettext`` with English text.
PYTHON_KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "NP_": ((1, "c"), 2),
                   "pgettext": ((1, "c"), 2)}
TEMPLATE_KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PYTHON_MAP = [("**/locale/**", "ignore"), ("**/templates/**", "ignore"), ("**.py", "python")]
TEMPLATE_MAP = [("**/templates/**.html", "jinja2")]

# Korean written with both particle forms after a placeholder, and a form glued after one.
_BOTH_FORMS = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\[\]]*)\}"
                         r"(을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로)")
_GLUED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\[\]]*)\}(으로|을|를|은|는|가|과|와|로|이)(?=[\s,.)·:;!?]|$)")


def korean_with_particles(korean: str) -> str:
    """Rewrite ``{x}을(를)`` and a fixed ``{x}을`` after a placeholder as ``{x:을}``."""
    def both(match: re.Match[str]) -> str:
        particle = "으로" if match.group(2) == "(으)로" else match.group(2)[0]
        return "{" + match.group(1) + ":" + particle + "}"

    korean = _BOTH_FORMS.sub(both, korean)
    return _GLUED.sub(lambda match: "{" + match.group(1) + ":" + match.group(2) + "}", korean)


def _locale_dir(domain: str) -> Path:
    return ROOT / domain / "locale"


def _po_path(domain: str) -> Path:
    return _locale_dir(domain) / "ko" / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path) -> Catalog:
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale="ko")
    return Catalog(locale="ko", domain=path.stem, project="pseudonym-enclave", fuzzy=False)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    # File names without line numbers: a line added above a message must not change the catalogue.
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False, ignore_obsolete=True,
             include_lineno=False)
    path.write_bytes(buffer.getvalue())


def _old_entries(tree: ast.AST) -> list[ast.Dict]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and node.keys and all(
                isinstance(k, ast.Constant) and k.value in ("en", "ko") for k in node.keys) and \
                any(k.value == "en" for k in node.keys):  # type: ignore[union-attr]
            found.append(node)
    return found


def adopt_old_entries(domain: str) -> int:
    """Turn ``{"en", "ko"}`` entries of the domain's ``messages.py`` tables into ``N_`` texts; return how many."""
    catalog = _read(_po_path(domain))
    adopted = 0
    for path in sorted((ROOT / domain).rglob("messages.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        entries = _old_entries(tree)
        if not entries:
            continue
        lines = source.splitlines(keepends=True)
        encoded = source.encode("utf-8")
        edits = []
        for node in entries:
            values = {k.value: ast.literal_eval(v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[union-attr]
            english, korean = values["en"], values.get("ko", "")
            start = len(lines_bytes(lines, node.lineno, node.col_offset))
            end = len(lines_bytes(lines, node.end_lineno or node.lineno, node.end_col_offset or 0))
            edits.append((start, end, f"N_({english!r})"))
            existing = catalog.get(english)
            if korean and (existing is None or not existing.string):
                catalog.add(english, korean_with_particles(korean),
                            locations=[(str(path.relative_to(ROOT)), node.lineno)])
            adopted += 1
        for start, end, replacement in sorted(edits, reverse=True):
            encoded = encoded[:start] + replacement.encode("utf-8") + encoded[end:]
        text = encoded.decode("utf-8")
        if "N_" in text and not re.search(r"^from translation import .*\bN_\b", text, re.M):
            text = re.sub(r"^(from __future__ import annotations\n)", r"\1\nfrom translation import N_\n", text,
                          count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    _write(_po_path(domain), catalog)
    return adopted


def lines_bytes(lines: list[str], lineno: int, col: int) -> bytes:
    """Return the source's bytes before line ``lineno`` (1-based), column ``col`` (a byte offset, as ast gives)."""
    return "".join(lines[:lineno - 1]).encode("utf-8") + lines[lineno - 1].encode("utf-8")[:col]


def extract(domain: str) -> Catalog:
    """Return the template catalogue of every marked text in the domain's code and templates."""
    template = Catalog(domain=domain, project="pseudonym-enclave", fuzzy=False)
    base = ROOT / domain
    found = [*extract_from_dir(base, PYTHON_MAP, {}, PYTHON_KEYWORDS),
             *extract_from_dir(base, TEMPLATE_MAP, {}, TEMPLATE_KEYWORDS)]
    for filename, lineno, message, comments, context in found:
        if not message or (isinstance(message, tuple) and not all(message)):
            continue
        template.add(message, None, [(f"{domain}/{filename}", lineno)], auto_comments=comments, context=context)
    if domain in COMMANDS:
        import importlib

        from translation.commands import command_texts

        module, name = COMMANDS[domain]
        for help_text in command_texts(getattr(importlib.import_module(module), name)):
            if help_text not in template:
                template.add(help_text, None, [(f"{domain}/cli --help", 0)])
    return template


def update(domain: str) -> tuple[int, list[str]]:
    """Extract ``domain`` and merge into its Korean catalogue; return (msgids, those still untranslated)."""
    template = extract(domain)
    catalog = _read(_po_path(domain))
    # Keep the header's date: a run that changes no message must leave the file as it was (no merge noise).
    template.creation_date = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    _write(_po_path(domain), catalog)
    return len(template), untranslated(domain)


def untranslated(domain: str) -> list[str]:
    """Return the msgids of ``domain`` with an empty or fuzzy Korean entry."""
    missing = []
    for message in _read(_po_path(domain)):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    domains = argv[1:] or list(DOMAINS)
    status = 0
    for domain in domains:
        if command == "update":
            adopted = adopt_old_entries(domain)
            count, missing = update(domain)
            print(f"{domain}: {count} messages, {adopted} adopted from old tables, {len(missing)} without Korean")
        elif command == "check":
            missing = untranslated(domain)
            print(f"{domain}: {len(missing)} without Korean")
        else:
            print(__doc__)
            return 2
        for msgid in missing:
            print(f"  missing: {msgid}")
        status |= bool(missing) and command == "check"
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
