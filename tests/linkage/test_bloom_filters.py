"""Keyed Bloom-filter encodings: deterministic under the secret, unrelated under another, error-tolerant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from linkage import IdentifierPolicies
from linkage.bloom_filters import BloomEncoder, encode_qgram_filters, harden_filters
from linkage.match_keys import derive_project_key
from linkage.probabilistic_pass import EncodedRecords, dice_similarity
from linkage.probabilistic_policy import FieldEncoding

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))


def _fields(names: list[str | None]) -> pd.DataFrame:
    n = len(names)
    frame = pd.DataFrame(
        {
            "full_name_loose": pd.Series(names, dtype="string[pyarrow]"),
            "birth_date": pd.Series(["1990-01-02"] * n, dtype="string[pyarrow]"),
            "birth_year": pd.Series(["1990"] * n, dtype="string[pyarrow]"),
            "sex": pd.Series(["F"] * n, dtype="string[pyarrow]"),
            "phone": pd.Series(["01012345678"] * n, dtype="string[pyarrow]"),
            "region": pd.Series(["11110"] * n, dtype="string[pyarrow]"),
            "name_tokens": pd.Series(names, dtype="string[pyarrow]"),
        }
    )
    return frame


def _encode(policies: IdentifierPolicies, names: list[str | None], secret: bytes = SECRET) -> pa.Table:
    key = derive_project_key(secret, "p1", "k1")
    return BloomEncoder(policies.scheme, key, "k1").encode(_fields(names))


def test_encodings_are_deterministic_under_the_project_secret(policies: IdentifierPolicies) -> None:
    first = _encode(policies, ["김민준", "이서연", None])
    again = _encode(policies, ["김민준", "이서연", None])
    assert first.equals(again)
    assert first.column("bf_full_name_loose").null_count == 1


def test_encodings_differ_under_another_secret(policies: IdentifierPolicies) -> None:
    ours = _encode(policies, ["김민준"])
    theirs = _encode(policies, ["김민준"], OTHER_SECRET)
    for name in ours.column_names:
        assert ours.column(name).to_pylist() != theirs.column(name).to_pylist(), name


def test_the_same_qgrams_set_unrelated_bits_in_two_fields() -> None:
    encoding = FieldEncoding("birth_date", q=2, bits=256, hashes=8)
    values = pd.Series(["19900102"])
    key = derive_project_key(SECRET, "p1", "k1")
    a, _ = encode_qgram_filters(values, encoding, key, b"field-a")
    b, _ = encode_qgram_filters(values, encoding, key, b"field-b")
    overlap = (a & b).sum() / max(a.sum(), 1)
    assert a.sum() > 0 and overlap < 0.5


def test_a_typo_keeps_the_filters_similar_and_another_name_does_not(policies: IdentifierPolicies) -> None:
    table = _encode(policies, ["김민준", "김민중", "박서연"])
    spec = policies.scheme.probabilistic
    assert spec is not None
    records = EncodedRecords.from_table(table, spec)
    pair = np.array([0, 0]), np.array([1, 2])
    typo, other = dice_similarity(records, records, "full_name_loose", *pair)
    assert typo > 0.6
    assert other < typo - 0.3


def test_rule90_and_xor_fold_harden_the_filter_shape() -> None:
    bits = np.zeros((1, 8), dtype=np.uint8)
    bits[0, 3] = 1
    assert harden_filters(bits, ("rule90",)).tolist() == [[0, 0, 1, 0, 1, 0, 0, 0]]
    assert harden_filters(bits, ("xor_fold",)).tolist() == [[0, 0, 0, 1]]
    with pytest.raises(ValueError, match="unknown hardening"):
        harden_filters(bits, ("shuffle",))


def test_blocking_keys_never_equal_the_match_keys(policies: IdentifierPolicies) -> None:
    from linkage.match_keys import MatchKeyer
    from linkage.policy import MatchKeyScheme, MatchPass

    key = derive_project_key(SECRET, "p1", "k1")
    fields = _fields(["김민준"])
    encoded = BloomEncoder(policies.scheme, key, "k1").encode(fields)
    same_fields = MatchKeyScheme(
        policies.scheme.name, policies.scheme.version, (MatchPass("birth_date", ("birth_date",)),)
    )
    match_key = MatchKeyer(same_fields, key, "k1").derive(fields).column("mk_birth_date").to_pylist()
    assert encoded.column("bk_birth_date").to_pylist() != match_key
