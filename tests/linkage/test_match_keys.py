"""Match keys: canonical encoding, domain separation, HMAC correctness, missing fields."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace

import pandas as pd
import pytest

from linkage import MatchKeyer, derive_project_key, encode_fields, hmac_messages
from linkage.policy import MATCH_FIELDS, MatchKeyScheme, MatchPass

SCHEME = MatchKeyScheme(
    "s",
    1,
    (MatchPass("rrn", ("rrn",)), MatchPass("name_birth", ("full_name", "birth_date"))),
)


def _fields(**values: list[str | None]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    data = {name: pd.Series([None] * n, dtype="string[pyarrow]") for name in MATCH_FIELDS}
    for name, column in values.items():
        data[name] = pd.Series(column, dtype="string[pyarrow]")
    return pd.DataFrame(data)


def test_length_prefixed_encoding_is_unambiguous() -> None:
    assert encode_fields(["ab", "c"]) != encode_fields(["a", "bc"])
    assert encode_fields(["김", ""]) != encode_fields(["", "김"])
    assert encode_fields(["a"]) == b"\x00\x00\x00\x01a"


def test_hmac_stage_matches_the_standard_library() -> None:
    key = bytes(range(40))
    messages = [b"", b"x" * 100, "김민준".encode()]
    tags = hmac_messages(key, messages, prefix=b"dom", length=32)
    assert tags == [hmac.new(key, b"dom" + m, hashlib.sha256).digest() for m in messages]
    long_key = bytes(100)
    assert hmac_messages(long_key, [b"m"], length=32) == [hmac.new(long_key, b"m", hashlib.sha256).digest()]


def test_same_fields_give_same_keys_and_missing_field_gives_no_key() -> None:
    keyer = MatchKeyer(SCHEME, derive_project_key(bytes(32), "p", "k1"), "k1")
    fields = _fields(
        rrn=["9001011234568", "9001011234568", None],
        full_name=["김민준", "김민준", "김민준"],
        birth_date=["1990-01-01", None, "1990-01-01"],
    )
    keys = keyer.derive(fields).to_pydict()
    assert keys["mk_rrn"][0] == keys["mk_rrn"][1] and keys["mk_rrn"][2] is None
    assert keys["mk_name_birth"][1] is None
    assert keys["mk_name_birth"][0] == keys["mk_name_birth"][2]
    assert len(keys["mk_rrn"][0]) == 16


@pytest.mark.parametrize(
    "change",
    ["project", "key_id", "scheme_version", "pass_name", "secret"],
)
def test_keys_are_separated_by_project_key_id_version_and_pass(change: str) -> None:
    secret, project, key_id, scheme = bytes(32), "p", "k1", SCHEME
    fields = _fields(rrn=["9001011234568"], full_name=["x"], birth_date=["y"])
    base = MatchKeyer(scheme, derive_project_key(secret, project, key_id), key_id).derive(fields)
    if change == "project":
        project = "q"
    elif change == "key_id":
        key_id = "k2"
    elif change == "scheme_version":
        scheme = replace(SCHEME, version=2)
    elif change == "pass_name":
        scheme = replace(SCHEME, passes=(MatchPass("rrn2", ("rrn",)), SCHEME.passes[1]))
    else:
        secret = bytes([1] * 32)
    other = MatchKeyer(scheme, derive_project_key(secret, project, key_id), key_id).derive(fields)
    assert other.column(0)[0].as_py() != base.column(0)[0].as_py()


def test_short_linkage_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        derive_project_key(b"short", "p", "k")


def test_keyer_repr_shows_no_key_material() -> None:
    key = derive_project_key(bytes(32), "p", "k1")
    assert key.hex() not in repr(MatchKeyer(SCHEME, key, "k1"))


def test_vectorized_encoding_gives_the_reference_keys() -> None:
    key = derive_project_key(bytes(32), "p", "k1")
    keyer = MatchKeyer(SCHEME, key, "k1")
    names = ["김민준", "", "José", None, "남궁민수", "a" * 300]
    births = ["1990-01-01", "2000-02-02", None, "1970-03-03", "1980-04-04", "1999-09-09"]
    fields = _fields(rrn=["1", None, "", "22", "333", None], full_name=names, birth_date=births)
    keys = keyer.derive(fields).to_pydict()
    for match_pass in SCHEME.passes:
        for i in range(len(names)):
            values = [fields[f].iloc[i] for f in match_pass.fields]
            if any(pd.isna(v) for v in values):
                assert keys[match_pass.column][i] is None
                continue
            message = keyer.domain(match_pass) + encode_fields([str(v) for v in values])
            expected = hmac.new(key, message, hashlib.sha256).digest()[:16]
            assert keys[match_pass.column][i] == expected
