"""The shape a package manifest must have before anything reads it.

A manifest arrives from another party as JSON inside the package header, and
the receiver reads it before the signature is checked (to find the signer) and
after (to store counts and show pre-check figures). A hostile or broken sender
can put any JSON there, so every field is checked here, in one place, for its
type, nesting and bounds: integers are whole numbers (never booleans) within
the 64-bit range a database column holds, shares are finite numbers between 0
and 1, strings and tables have a bounded size. :func:`check_manifest_shape`
returns every problem at once, each naming the field, never its value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["MAX_COUNT", "check_manifest_shape"]

MAX_COUNT = (1 << 63) - 1
"""The largest count a manifest may hold: what a signed 64-bit column stores."""

_MAX_TEXT = 512  # names, hashes, fingerprints, ids: all far shorter in a real manifest
_MAX_COLUMNS = 4096  # columns of one payload, pre-check columns
_MAX_COUNT_KEYS = 256  # kinds of blank or invalid values counted per package

_TEXT_FIELDS = ("package_id", "agency", "kind", "key_id", "schema_name", "schema_hash", "scheme_name",
                "scheme_hash", "payload_sha256", "payload_format", "created_at", "recipient_fingerprint",
                "signer_fingerprint")
_COUNT_FIELDS = ("schema_version", "scheme_version", "row_count")
_REQUIRED = ("package_id", "agency", "kind", "project_id")
_PRECHECK_COUNTS = ("k", "records", "classes", "smallest_class", "records_below_k", "unique_records")
_PRECHECK_SHARES = ("max_share_below_k", "max_unique_share", "share_below_k", "unique_share")


def _is_count(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_COUNT


def _is_text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= _MAX_TEXT


def _is_share(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value <= 1


def _text_list_problems(name: str, value: object) -> list[str]:
    if not isinstance(value, list) or len(value) > _MAX_COLUMNS:
        return [f"'{name}' must be a list of at most {_MAX_COLUMNS} names"]
    if not all(_is_text(item) for item in value):
        return [f"'{name}' must hold only names of at most {_MAX_TEXT} characters"]
    return []


def _counts_problems(name: str, value: object) -> list[str]:
    if not isinstance(value, dict) or len(value) > _MAX_COUNT_KEYS:
        return [f"'{name}' must be an object of at most {_MAX_COUNT_KEYS} named counts"]
    if not all(_is_text(key) and _is_count(count) for key, count in value.items()):
        return [f"'{name}' must map names to whole numbers from 0 to {MAX_COUNT}"]
    return []


def _precheck_problems(value: object) -> list[str]:
    if value is None or value == {}:
        return []
    if not isinstance(value, dict):
        return ["'precheck' must be an object"]
    expected = {"quasi_identifiers", "passed", *_PRECHECK_COUNTS, *_PRECHECK_SHARES}
    problems = []
    if set(value) != expected:
        problems.append("'precheck' must hold exactly the pre-check figures")
    problems += _text_list_problems("precheck.quasi_identifiers", value.get("quasi_identifiers", []))
    if "passed" in value and not isinstance(value["passed"], bool):
        problems.append("'precheck.passed' must be true or false")
    problems += [f"'precheck.{name}' must be a whole number from 0 to {MAX_COUNT}"
                 for name in _PRECHECK_COUNTS if name in value and not _is_count(value[name])]
    problems += [f"'precheck.{name}' must be a number from 0 to 1"
                 for name in _PRECHECK_SHARES if name in value and not _is_share(value[name])]
    return problems


def check_manifest_shape(data: object) -> list[str]:
    """List what is wrong with the shape of manifest ``data``; empty when it is well formed.

    Unknown top-level keys are allowed (a newer sender may add fields an older
    receiver ignores); every known one is checked.

    Args:
        data: The manifest as parsed from the package header.

    Returns:
        One sentence fragment per problem, naming the field and what it must be,
        never the value found.
    """
    if not isinstance(data, Mapping):
        return ["the manifest must be an object"]
    problems = [f"'{name}' is missing" for name in _REQUIRED if name not in data]
    problems += [f"'{name}' must be text of at most {_MAX_TEXT} characters"
                 for name in _TEXT_FIELDS if name in data and not _is_text(data[name])]
    problems += [f"'{name}' must be a whole number from 0 to {MAX_COUNT}"
                 for name in _COUNT_FIELDS if name in data and not _is_count(data[name])]
    if "project_id" in data and not (_is_text(data["project_id"]) or _is_count(data["project_id"])):
        problems.append("'project_id' must be text or a whole number")
    if "columns" in data:
        problems += _text_list_problems("columns", data["columns"])
    for name in ("missing_counts", "invalid_counts"):
        if name in data:
            problems += _counts_problems(name, data[name])
    if "precheck" in data:
        problems += _precheck_problems(data["precheck"])
    return problems
