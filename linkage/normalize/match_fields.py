"""Derive every normalized match field of a dataset from its identifier columns.

This is the one place where a dataset's identifier schema meets the
normalizers. Birth date and sex come from their own columns when valid and
fall back to what the RRN encodes, because agencies fill one or the other.
Counts of missing and invalid values are kept per identifier kind; values are
never kept anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from linkage.normalize.dates import normalize_birth_dates
from linkage.normalize.names import normalize_name_parts
from linkage.normalize.phones import normalize_phones
from linkage.normalize.places import (
    normalize_addresses,
    normalize_other_ids,
    normalize_postcodes,
    normalize_region_codes,
    normalize_sex,
)
from linkage.normalize.rrn import normalize_rrn
from linkage.policy import MATCH_FIELDS, DatasetSchema

__all__ = ["MatchFields", "derive_match_fields"]


@dataclass(frozen=True)
class MatchFields:
    """Normalized match fields of a chunk of records, with quality counts.

    Attributes:
        fields: One ``string[pyarrow]`` column per name in
            :data:`~linkage.policy.MATCH_FIELDS`; null where not derivable.
        missing: Blank identifier values by kind.
        invalid: Rejected identifier values by reason.
    """

    fields: pd.DataFrame = field(repr=False)
    missing: dict[str, int]
    invalid: dict[str, int]


def _add(counter: dict[str, int], key: str, value: int) -> None:
    if value:
        counter[key] = counter.get(key, 0) + value


def derive_match_fields(frame: pd.DataFrame, schema: DatasetSchema) -> MatchFields:
    """Normalize the identifier columns of ``frame`` into match fields.

    Args:
        frame: Records with (at least) the schema's identifier columns; not modified.
        schema: The dataset's identifier schema.

    Returns:
        The match fields aligned with ``frame``'s rows, and counts.

    Example:
        >>> from linkage.policy import DatasetSchema, IdentifierColumn
        >>> schema = DatasetSchema("d", 1, (IdentifierColumn("rrn", "rrn"),), ())
        >>> mf = derive_match_fields(pd.DataFrame({"rrn": ["900101-1234568"]}), schema)
        >>> mf.fields.loc[0, "birth_date"]
        '1990-01-01'
    """
    index = frame.index
    empty = pd.Series(pd.NA, index=index, dtype="string[pyarrow]")
    out: dict[str, pd.Series] = {name: empty for name in MATCH_FIELDS}
    missing: dict[str, int] = {}
    invalid: dict[str, int] = {}
    by_kind = {c.kind: c for c in schema.identifiers}

    names = None
    if "full_name" in by_kind:
        col = by_kind["full_name"]
        names = normalize_name_parts(frame[col.column], script=col.script)
        _add(missing, "full_name", names.missing)
    elif "family_name" in by_kind:
        fam, giv = by_kind["family_name"], by_kind["given_name"]
        names = normalize_name_parts(
            family=frame[fam.column], given=frame[giv.column], script=fam.script
        )
        _add(missing, "name", names.missing)
    if names is not None:
        for reason, count in names.invalid.items():
            _add(invalid, reason, count)
        for name in (
            "full_name",
            "full_name_loose",
            "family_name",
            "family_name_loose",
            "given_name",
            "given_initial",
            "name_tokens",
        ):
            out[name] = getattr(names, name)

    rrn_birth = rrn_sex = None
    if "rrn" in by_kind:
        rrn = normalize_rrn(frame[by_kind["rrn"].column])
        out["rrn"] = rrn.rrn
        rrn_birth, rrn_sex = rrn.birth_date, rrn.sex
        _add(missing, "rrn", rrn.missing)
        for reason, count in rrn.invalid.items():
            _add(invalid, reason, count)

    birth = rrn_birth
    if "birth_date" in by_kind:
        bd = normalize_birth_dates(frame[by_kind["birth_date"].column])
        _add(missing, "birth_date", bd.missing)
        for reason, count in bd.invalid.items():
            _add(invalid, "birth_" + reason, count)
        birth = bd.values if rrn_birth is None else bd.values.fillna(rrn_birth)
    if birth is not None:
        out["birth_date"] = birth
        out["birth_year"] = birth.str.slice(0, 4)

    sex = rrn_sex
    if "sex" in by_kind:
        sx = normalize_sex(frame[by_kind["sex"].column])
        _add(missing, "sex", sx.missing)
        for reason, count in sx.invalid.items():
            _add(invalid, reason, count)
        sex = sx.values if rrn_sex is None else sx.values.fillna(rrn_sex)
    if sex is not None:
        out["sex"] = sex

    simple = (
        ("phone", "phone", normalize_phones),
        ("postcode", "postcode", normalize_postcodes),
        ("address", "address", normalize_addresses),
        ("other_id", "other_id", normalize_other_ids),
    )
    for kind, target, normalizer in simple:
        if kind in by_kind:
            result = normalizer(frame[by_kind[kind].column])
            out[target] = result.values
            _add(missing, kind, result.missing)
            for reason, count in result.invalid.items():
                _add(invalid, reason, count)

    if "region_code" in by_kind:
        region = normalize_region_codes(frame[by_kind["region_code"].column])
        out["region"] = region.region
        out["region_sido"] = region.region_sido
        _add(missing, "region_code", region.missing)
        for reason, count in region.invalid.items():
            _add(invalid, reason, count)

    return MatchFields(fields=pd.DataFrame(out, index=index), missing=missing, invalid=invalid)
