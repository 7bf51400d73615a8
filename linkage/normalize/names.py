"""Normalization of personal names, Hangul and Latin script.

Hangul names lose every space and punctuation mark (``김 민준`` and ``김민준``
are the same name). The family name is the first syllable, or the first two
when they form one of the compound surnames (남궁, 황보, 제갈, 선우, …) and at
least one syllable remains; a name written with exactly one space is split
where the writer put the space. *Loose* forms fold the initial-sound-law
(두음법칙) variants of a surname onto one spelling (리→이, 류→유, 라→나, 림→임,
로→노, …), because agencies record the same person either way.

Latin names are case-folded, stripped of diacritics (``José`` → ``jose``) and
of apostrophes, hyphens and dots inside words (``O'Brien`` → ``obrien``,
``Min-jun`` → ``minjun``); remaining punctuation separates tokens. A Latin full
name is read in Western order: the last token is the family name. Loose forms
fold common romanizations of Korean surnames (Lee/Yi/Rhee → lee, …). The
``name_tokens`` field is order-free, so a swapped family/given order still
meets in the swapped-name pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.text import clean_text, to_series, unicode_normalize

__all__ = [
    "COMPOUND_SURNAMES",
    "HANGUL_SURNAME_VARIANTS",
    "LATIN_SURNAME_VARIANTS",
    "NameParts",
    "normalize_name_parts",
    "normalize_names",
]

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절", "소봉", "장곡"}
)

# Initial-sound law: the same surname written with ㄹ/ㄴ or without.
HANGUL_SURNAME_VARIANTS: dict[str, str] = {
    "리": "이",
    "류": "유",
    "라": "나",
    "림": "임",
    "로": "노",
    "량": "양",
    "렴": "염",
    "려": "여",
    "룡": "용",
    "뢰": "뇌",
}

LATIN_SURNAME_VARIANTS: dict[str, str] = {
    "yi": "lee", "rhee": "lee", "ri": "lee", "rhie": "lee", "li": "lee",
    "gim": "kim", "ghim": "kim",
    "pak": "park", "bak": "park", "bahk": "park",
    "choe": "choi", "chey": "choi", "choy": "choi",
    "jeong": "jung", "chung": "jung", "cheong": "jung", "jeung": "jung",
    "gang": "kang",
    "jo": "cho", "joe": "cho",
    "yun": "yoon", "youn": "yoon",
    "chang": "jang",
    "im": "lim", "rim": "lim", "yim": "lim",
    "o": "oh",
    "sin": "shin", "shinn": "shin",
    "gwon": "kwon", "kweon": "kwon",
    "an": "ahn",
    "ryu": "yoo", "yu": "yoo", "rhyu": "yoo", "you": "yoo",
    "jeon": "jun", "chun": "jun", "chon": "jun",
    "ko": "koh", "go": "koh",
    "noh": "roh", "no": "roh", "ro": "roh",
    "na": "ra", "rha": "ra",
    "hu": "heo", "huh": "heo", "her": "heo",
    "seo": "suh", "so": "suh",
    "bae": "pae",
    "baek": "paik", "back": "paik", "paek": "paik",
}

_HANGUL_ONLY = r"^[가-힣]+$"
_LATIN_ONLY = r"^[a-z]+( [a-z]+)*$"


@dataclass(frozen=True)
class NameParts:
    """Normalized name fields of one name column (or a family/given pair).

    Attributes:
        full_name: Family and given name run together, without spaces.
        full_name_loose: As ``full_name`` with the surname folded to its loose form.
        family_name: The family name.
        family_name_loose: The family name's loose form.
        given_name: The given name.
        given_initial: First syllable (Hangul) or first letter (Latin) of the given name.
        name_tokens: Family and given name sorted, joined by a space (order-free).
        missing: How many inputs were blank.
        invalid: Rejected non-blank inputs by reason.
    """

    full_name: pd.Series = field(repr=False)
    full_name_loose: pd.Series = field(repr=False)
    family_name: pd.Series = field(repr=False)
    family_name_loose: pd.Series = field(repr=False)
    given_name: pd.Series = field(repr=False)
    given_initial: pd.Series = field(repr=False)
    name_tokens: pd.Series = field(repr=False)
    missing: int
    invalid: dict[str, int]


def _null_like(arr: pa.Array) -> pa.Array:
    return pa.nulls(len(arr), pa.string())


def _latin_clean(arr: pa.Array) -> pa.Array:
    # Diacritics are combining marks after compatibility decomposition.
    arr = unicode_normalize(arr, "NFKD")
    arr = pc.replace_substring_regex(arr, r"\p{Mn}", "")
    arr = pc.utf8_lower(arr)
    arr = pc.replace_substring_regex(arr, r"(\pL)['’`.\-](\pL)", r"\1\2")
    arr = pc.replace_substring_regex(arr, r"(\pL)['’`.\-](\pL)", r"\1\2")
    arr = pc.replace_substring_regex(arr, r"[^\pL]+", " ")
    arr = pc.utf8_trim_whitespace(arr)
    return unicode_normalize(arr, "NFC")


def _hangul_clean(arr: pa.Array) -> pa.Array:
    # Spaces inside Hangul names are layout, not content; keep one as a split hint.
    arr = pc.replace_substring_regex(arr, r"[^가-힣\s]+", "")
    arr = pc.replace_substring_regex(arr, r"\s+", " ")
    return pc.utf8_trim_whitespace(arr)


def _fold(arr: pa.Array, table: dict[str, str], first_only: bool) -> pa.Array:
    if first_only:
        head = pc.utf8_slice_codeunits(arr, 0, 1)
        tail = pc.utf8_slice_codeunits(arr, 1)
    else:
        head, tail = arr, pa.array([""] * len(arr), pa.string())
    keys = pa.array(list(table), pa.string())
    values = pa.array(list(table.values()), pa.string())
    idx = pc.index_in(head, value_set=keys)
    folded = pc.if_else(pc.is_valid(idx), pc.take(values, pc.fill_null(idx, 0)), head)
    return pc.binary_join_element_wise(folded, tail, "")


def _split_hangul(clean: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Split Hangul names (with optional single space) into family and given names."""
    has_space = pc.match_substring(clean, " ")
    parts = pc.split_pattern(clean, " ", max_splits=1)
    sp_family = pc.list_element(pc.if_else(has_space, parts, pa.scalar(["", ""], parts.type)), 0)
    sp_given = pc.list_element(pc.if_else(has_space, parts, pa.scalar(["", ""], parts.type)), 1)
    flat = pc.replace_substring(clean, " ", "")
    two = pc.utf8_slice_codeunits(flat, 0, 2)
    is_compound = pc.and_(
        pc.is_in(two, value_set=pa.array(sorted(COMPOUND_SURNAMES))),
        pc.greater(pc.utf8_length(flat), 2),
    )
    fam_len_family = pc.if_else(is_compound, two, pc.utf8_slice_codeunits(flat, 0, 1))
    fam_len_given = pc.if_else(
        is_compound, pc.utf8_slice_codeunits(flat, 2), pc.utf8_slice_codeunits(flat, 1)
    )
    family = pc.if_else(has_space, sp_family, fam_len_family)
    given = pc.if_else(has_space, sp_given, fam_len_given)
    return family, given


def _split_latin(clean: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Split Latin names in Western order: the last token is the family name."""
    family = pc.replace_substring_regex(clean, r"^.* ", "")
    given = pc.replace_substring(pc.replace_substring_regex(clean, r" ?[^ ]*$", ""), " ", "")
    return family, given


def _assemble(family: pa.Array, given: pa.Array, is_hangul: pa.Array) -> dict[str, pa.Array]:
    family_loose = pc.if_else(
        is_hangul,
        _fold(family, HANGUL_SURNAME_VARIANTS, first_only=True),
        _fold(family, LATIN_SURNAME_VARIANTS, first_only=False),
    )
    initial = pc.utf8_slice_codeunits(given, 0, 1)
    ordered = pc.less_equal(family, given)
    first = pc.if_else(ordered, family, given)
    second = pc.if_else(ordered, given, family)
    return {
        "full_name": pc.binary_join_element_wise(family, given, ""),
        "full_name_loose": pc.binary_join_element_wise(family_loose, given, ""),
        "family_name": family,
        "family_name_loose": family_loose,
        "given_name": given,
        "given_initial": initial,
        "name_tokens": pc.binary_join_element_wise(first, second, " "),
    }


def _classify(raw: pa.Array, script: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Return (hangul-cleaned, latin-cleaned, is_hangul) for raw NFC text."""
    has_hangul = pc.fill_null(pc.match_substring_regex(raw, r"[가-힣]"), False)
    if script == "hangul":
        has_hangul = pc.fill_null(pc.is_valid(raw), False)
    elif script == "latin":
        has_hangul = pc.and_(has_hangul, pa.scalar(False))
    return _hangul_clean(raw), _latin_clean(raw), has_hangul


def normalize_name_parts(
    full: pd.Series | None = None,
    *,
    family: pd.Series | None = None,
    given: pd.Series | None = None,
    script: str = "auto",
) -> NameParts:
    """Normalize a full-name column, or a family-name and given-name column pair.

    Args:
        full: Full names (Hangul ``김민준``/``김 민준`` or Latin ``Minjun Kim``).
        family: Family names, when the dataset splits names.
        given: Given names, paired with ``family``.
        script: ``auto`` decides per value (any Hangul syllable means Hangul),
            or force ``hangul`` / ``latin``.

    Returns:
        The name fields; null where the input was blank or invalid.

    Raises:
        ValueError: If neither ``full`` nor both ``family`` and ``given`` are given.

    Example:
        >>> parts = normalize_name_parts(pd.Series(["리 민준"]))
        >>> parts.full_name_loose.iloc[0]
        '이민준'
    """
    invalid: dict[str, int] = {}
    if full is not None:
        index = full.index
        raw = clean_text(full)
        missing_mask = pc.is_null(raw)
        hangul, latin, is_hangul = _classify(raw, script)
        h_family, h_given = _split_hangul(hangul)
        l_family, l_given = _split_latin(latin)
        family_arr = pc.if_else(is_hangul, h_family, l_family)
        given_arr = pc.if_else(is_hangul, h_given, l_given)
        ok_h = pc.and_(
            pc.fill_null(pc.match_substring_regex(pc.replace_substring(hangul, " ", ""), _HANGUL_ONLY), False),
            pc.and_(
                pc.greater_equal(pc.utf8_length(pc.replace_substring(hangul, " ", "")), 2),
                pc.less_equal(pc.utf8_length(pc.replace_substring(hangul, " ", "")), 12),
            ),
        )
        ok_l = pc.and_(
            pc.fill_null(pc.match_substring_regex(latin, _LATIN_ONLY), False),
            pc.greater_equal(pc.list_value_length(pc.split_pattern(latin, " ")), 2),
        )
        ok = pc.fill_null(pc.if_else(is_hangul, ok_h, ok_l), False)
        ok = pc.and_(ok, pc.fill_null(pc.greater(pc.utf8_length(given_arr), 0), False))
        ok = pc.and_(ok, pc.fill_null(pc.greater(pc.utf8_length(family_arr), 0), False))
    else:
        if family is None or given is None:
            raise ValueError("give either full names or both family and given names")
        index = family.index
        raw_f = clean_text(family)
        raw_g = clean_text(given)
        missing_mask = pc.or_(pc.is_null(raw_f), pc.is_null(raw_g))
        hf, lf, ishf = _classify(raw_f, script)
        hg, lg, ishg = _classify(raw_g, script)
        is_hangul = pc.or_(ishf, ishg)
        family_arr = pc.if_else(is_hangul, pc.replace_substring(hf, " ", ""), pc.replace_substring(lf, " ", ""))
        given_arr = pc.if_else(is_hangul, pc.replace_substring(hg, " ", ""), pc.replace_substring(lg, " ", ""))
        pattern_h = _HANGUL_ONLY
        ok_h = pc.and_(
            pc.fill_null(pc.match_substring_regex(family_arr, pattern_h), False),
            pc.fill_null(pc.match_substring_regex(given_arr, pattern_h), False),
        )
        ok_l = pc.and_(
            pc.fill_null(pc.match_substring_regex(family_arr, r"^[a-z]+$"), False),
            pc.fill_null(pc.match_substring_regex(given_arr, r"^[a-z]+$"), False),
        )
        ok = pc.fill_null(pc.if_else(is_hangul, ok_h, ok_l), False)
    missing_np = missing_mask.to_numpy(zero_copy_only=False)
    ok_np = ok.to_numpy(zero_copy_only=False) & ~missing_np
    bad = int((~ok_np & ~missing_np).sum())
    if bad:
        invalid["name_format"] = bad
    keep = pa.array(ok_np)
    fields = _assemble(
        pc.if_else(keep, family_arr, pa.scalar(None, pa.string())),
        pc.if_else(keep, given_arr, pa.scalar(None, pa.string())),
        is_hangul,
    )
    series = {k: to_series(v, index) for k, v in fields.items()}
    return NameParts(**series, missing=int(missing_np.sum()), invalid=invalid)


def normalize_names(values: pd.Series, script: str = "auto") -> pd.Series:
    """Return full names normalized for strict comparison (``full_name``).

    Args:
        values: Full names in Hangul or Latin script.
        script: ``auto``, ``hangul`` or ``latin``.

    Returns:
        Normalized names; null where blank or invalid.

    Example:
        >>> normalize_names(pd.Series(["  김 민준 ", "José  O'Brien"])).tolist()
        ['김민준', 'joseobrien']
    """
    return normalize_name_parts(values, script=script).full_name
