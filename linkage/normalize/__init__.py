"""Identifier normalization, specified with test vectors in ``docs/normalization.md``.

One module per kind of identifier; :func:`derive_match_fields` applies a
dataset's identifier schema to a chunk of records.
"""

from __future__ import annotations

from linkage.normalize.dates import normalize_birth_dates, normalize_dates
from linkage.normalize.match_fields import MatchFields, derive_match_fields
from linkage.normalize.names import NameParts, normalize_name_parts, normalize_names
from linkage.normalize.phones import normalize_phones
from linkage.normalize.places import (
    RegionResult,
    normalize_addresses,
    normalize_other_ids,
    normalize_postcodes,
    normalize_region_codes,
    normalize_sex,
)
from linkage.normalize.rrn import RrnResult, normalize_rrn, rrn_check_digit
from linkage.normalize.text import Normalized, clean_text

__all__ = [
    "MatchFields",
    "NameParts",
    "Normalized",
    "RegionResult",
    "RrnResult",
    "clean_text",
    "derive_match_fields",
    "normalize_addresses",
    "normalize_birth_dates",
    "normalize_dates",
    "normalize_name_parts",
    "normalize_names",
    "normalize_other_ids",
    "normalize_phones",
    "normalize_postcodes",
    "normalize_region_codes",
    "normalize_rrn",
    "normalize_sex",
    "rrn_check_digit",
]
