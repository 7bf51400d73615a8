"""Synthetic agency data with ground truth, for demos, tests and benchmarks.

Persons get realistic Korean identifiers — names drawn from the common
surnames (by their real frequency) and given-name syllables, well-formed fake
resident registration numbers (valid check digits before October 2020),
mobile phones, 시도/시군구 codes with matching addresses — or, with the
``latin`` profile, Latin-script names with diacritics and foreign-resident
numbers (gender digit 5-8). Each agency holds a random subset of the persons,
written in that agency's own formats, with independent corruption at the
chosen level: typos, surname variants (이/리 …), swapped family/given order,
moved address, changed phone, missing fields, broken RRNs, decomposed Hangul
(NFD) and duplicate records. The ground truth (agency, row, person) says which
rows are the same person; it is for evaluation and never goes to the enclave.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from linkage.atomic_files import write_bytes_atomically
from linkage.normalize.names import HANGUL_SURNAME_VARIANTS

__all__ = [
    "AGENCY_PROFILES",
    "CORRUPTION_LEVELS",
    "CorruptionLevel",
    "SyntheticData",
    "generate_agency_data",
    "write_synthetic_data",
]

Corruption = Literal["none", "low", "medium", "high"]
Profile = Literal["korean", "latin"]


@dataclass(frozen=True)
class CorruptionLevel:
    """Per-record probabilities of each kind of corruption.

    Attributes:
        typo: A given-name syllable (or letter) replaced.
        surname_variant: For surnames with a 두음법칙 variant, written the other way.
        swap: Family and given name swapped.
        moved: Region and address changed.
        phone_changed: A different phone number.
        missing: Each identifier field blank (independently).
        rrn_typo: One RRN digit changed (invalid check digit).
        duplicate: The record appears twice in the agency's file.
        nfd: Hangul written decomposed (NFD).
        old_region_code: 강원/전북 written with their pre-2023/2024 codes.
    """

    typo: float
    surname_variant: float
    swap: float
    moved: float
    phone_changed: float
    missing: float
    rrn_typo: float
    duplicate: float
    nfd: float
    old_region_code: float


CORRUPTION_LEVELS: dict[str, CorruptionLevel] = {
    "none": CorruptionLevel(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "low": CorruptionLevel(0.005, 0.05, 0.002, 0.02, 0.02, 0.003, 0.002, 0.001, 0.01, 0.2),
    "medium": CorruptionLevel(0.02, 0.15, 0.01, 0.05, 0.05, 0.01, 0.005, 0.003, 0.03, 0.5),
    "high": CorruptionLevel(0.05, 0.3, 0.03, 0.1, 0.12, 0.03, 0.02, 0.01, 0.05, 0.5),
}

# Agency -> (share of persons it holds, column formats). Columns match policies/identifiers/.
AGENCY_PROFILES: dict[str, float] = {"welfare": 0.6, "health": 0.9, "employment": 0.5}

# Common surnames with their approximate share of the population (통계청 2015 census).
_SURNAMES = [
    ("김", 21.5), ("이", 14.7), ("박", 8.4), ("최", 4.7), ("정", 4.3), ("강", 2.4), ("조", 2.1),
    ("윤", 2.1), ("장", 2.0), ("임", 1.7), ("한", 1.5), ("오", 1.5), ("서", 1.5), ("신", 1.4),
    ("권", 1.4), ("황", 1.4), ("안", 1.3), ("송", 1.3), ("류", 1.2), ("전", 1.1), ("홍", 1.1),
    ("고", 0.9), ("문", 0.9), ("양", 0.9), ("손", 0.9), ("배", 0.8), ("백", 0.8), ("허", 0.7),
    ("유", 0.6), ("남", 0.6), ("심", 0.5), ("노", 0.4), ("하", 0.4), ("곽", 0.4), ("성", 0.4),
    ("차", 0.4), ("주", 0.4), ("우", 0.4), ("구", 0.4), ("나", 0.3), ("민", 0.3), ("진", 0.3),
    ("지", 0.3), ("엄", 0.3), ("채", 0.3), ("원", 0.2), ("천", 0.2), ("방", 0.2), ("공", 0.2),
    ("현", 0.2), ("함", 0.2), ("변", 0.2), ("염", 0.1), ("여", 0.1), ("추", 0.1), ("도", 0.1),
    ("소", 0.1), ("석", 0.1), ("선우", 0.02), ("남궁", 0.05), ("제갈", 0.02), ("황보", 0.02),
]
# Reverse of the 두음법칙 folding: how a surname may also be written.
_VARIANT_OF = {v: k for k, v in HANGUL_SURNAME_VARIANTS.items() if v in {"이", "유", "나", "임", "노"}}
_GIVEN_FIRST = list("민서지도하예준수현우윤건시은주영성재승정유진채다연태동경혜선소아한상")
_GIVEN_SECOND = list("준민서윤우연진원호아은현희수영훈빈율린인석혁미경나열찬규환솔온결")
_LATIN_GIVEN = [
    "José", "María", "Zoë", "François", "Ana", "Nguyễn Văn", "Thị", "Ivan", "Olga", "Chloé",
    "Björn", "Søren", "Łukasz", "João", "Renée", "Ahmed", "Fatima", "Dmitri", "Aigerim", "Bat-Erdene",
    "Siti", "Juan Carlos", "Anne-Marie", "Mikhail", "Élodie", "Rafael", "Tuan", "Hoa", "Saule", "Nurlan",
]
_LATIN_FAMILY = [
    "García", "Müller", "Nguyen", "Tran", "Ivanov", "Petrova", "O'Brien", "Dubois", "Kowalski",
    "Santos", "Pham", "Le", "Kim", "Bakirov", "Smith", "Núñez", "Öztürk", "Sørensen", "Hoang",
    "Rodríguez", "Dela Cruz", "Batbayar", "Wang", "Zhang", "Sato", "Suzuki", "Haddad", "Novak",
]
# (시군구 code, address prefix)
_REGIONS = [
    ("11110", "서울특별시 종로구"), ("11140", "서울특별시 중구"), ("11170", "서울특별시 용산구"),
    ("11200", "서울특별시 성동구"), ("11215", "서울특별시 광진구"), ("11230", "서울특별시 동대문구"),
    ("11260", "서울특별시 중랑구"), ("11290", "서울특별시 성북구"), ("11305", "서울특별시 강북구"),
    ("11350", "서울특별시 노원구"), ("11380", "서울특별시 은평구"), ("11440", "서울특별시 마포구"),
    ("11470", "서울특별시 양천구"), ("11500", "서울특별시 강서구"), ("11530", "서울특별시 구로구"),
    ("11560", "서울특별시 영등포구"), ("11590", "서울특별시 동작구"), ("11620", "서울특별시 관악구"),
    ("11650", "서울특별시 서초구"), ("11680", "서울특별시 강남구"), ("11710", "서울특별시 송파구"),
    ("11740", "서울특별시 강동구"), ("26350", "부산광역시 해운대구"), ("26290", "부산광역시 남구"),
    ("27260", "대구광역시 수성구"), ("28185", "인천광역시 연수구"), ("29155", "광주광역시 남구"),
    ("30170", "대전광역시 서구"), ("31140", "울산광역시 남구"), ("36110", "세종특별자치시"),
    ("41111", "경기도 수원시 장안구"), ("41135", "경기도 성남시 분당구"), ("41173", "경기도 안양시 동안구"),
    ("41463", "경기도 용인시 기흥구"), ("41285", "경기도 고양시 일산동구"), ("51110", "강원특별자치도 춘천시"),
    ("51130", "강원특별자치도 원주시"), ("43113", "충청북도 청주시 흥덕구"), ("44133", "충청남도 천안시 서북구"),
    ("52111", "전북특별자치도 전주시 완산구"), ("46110", "전라남도 목포시"), ("47113", "경상북도 포항시 북구"),
    ("48123", "경상남도 창원시 성산구"), ("50110", "제주특별자치도 제주시"),
]
_ROADS = ["중앙로", "세종대로", "한강대로", "문화로", "평화로", "희망로", "대학로", "시청로", "공원로", "역전로"]
_BENEFITS = [
    "생계급여", "의료급여", "주거급여", "교육급여", "기초연금",
    "장애인연금", "한부모가족", "차상위계층", "아동수당", "부모급여",
]
_HOUSEHOLDS = ["1인가구", "부부가구", "한부모가구", "다자녀가구", "조손가구", "기타가구"]
_INSURANCE = ["직장가입자", "지역가입자", "피부양자", "의료급여"]
_EMPLOYMENT = ["재직", "실직", "구직중", "자영업"]
_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])


@dataclass(frozen=True)
class SyntheticData:
    """Generated agency tables and their ground truth.

    Attributes:
        tables: One DataFrame per agency, columns as in ``policies/identifiers/<agency>.yaml``.
        truth: Columns ``agency``, ``row`` (0-based data row) and ``person`` (person id).
        seed: The seed used.
        corruption: The corruption level used.
    """

    tables: dict[str, pd.DataFrame] = field(repr=False)
    truth: pd.DataFrame = field(repr=False)
    seed: int = 0
    corruption: str = "medium"


def _persons(n: int, rng: np.random.Generator, profile: str) -> pd.DataFrame:
    today = dt.date.today()
    sex = rng.integers(0, 2, n)  # 0 male, 1 female
    age_days = rng.integers(0, 92 * 365, n)
    birth = pd.to_datetime(today) - pd.to_timedelta(age_days, unit="D")
    year = birth.year.to_numpy()
    if profile == "latin":
        given = np.array(_LATIN_GIVEN, dtype=object)[rng.integers(0, len(_LATIN_GIVEN), n)]
        family = np.array(_LATIN_FAMILY, dtype=object)[rng.integers(0, len(_LATIN_FAMILY), n)]
        gender_digit = np.where(year >= 2000, 7, 5) + sex
    else:
        names, weights = zip(*_SURNAMES, strict=True)
        p = np.array(weights) / sum(weights)
        family = np.array(names, dtype=object)[rng.choice(len(names), n, p=p)]
        first = np.array(_GIVEN_FIRST, dtype=object)[rng.integers(0, len(_GIVEN_FIRST), n)]
        second = np.array(_GIVEN_SECOND, dtype=object)[rng.integers(0, len(_GIVEN_SECOND), n)]
        single = rng.random(n) < 0.04
        given = np.where(single, first, first + second)
        gender_digit = np.where(year >= 2000, 3, np.where(year >= 1900, 1, 9)) + sex
        gender_digit = np.where(gender_digit == 10, 0, gender_digit)
    yymmdd = pd.Series(birth.strftime("%y%m%d")).to_numpy(dtype=object)
    tail = rng.integers(0, 100_000, n)
    first12 = [f"{a}{g}{t:05d}" for a, g, t in zip(yymmdd, gender_digit, tail, strict=True)]
    digits = np.frombuffer("".join(first12).encode(), dtype=np.uint8).reshape(n, 12) - 48
    check = (11 - (digits * _WEIGHTS).sum(axis=1) % 11) % 10
    stamp = year * 10000 + birth.month.to_numpy() * 100 + birth.day.to_numpy()
    last = np.where(stamp >= 20201001, rng.integers(0, 10, n), check)
    rrn = [f"{a}{c}" for a, c in zip(first12, last, strict=True)]
    region_idx = rng.integers(0, len(_REGIONS), n)
    phone = rng.choice(np.arange(10_000_000, 99_999_999), n, replace=False)
    return pd.DataFrame(
        {
            "person": np.arange(n),
            "family": family,
            "given": given,
            "sex": sex,
            "birth": birth.strftime("%Y-%m-%d"),
            "rrn": rrn,
            "phone": phone,
            "region": region_idx,
            "street": rng.integers(0, len(_ROADS), n),
            "number": rng.integers(1, 400, n),
            "latin": profile == "latin",
        }
    )


def _typo(value: str, rng: np.random.Generator) -> str:
    if not value:
        return value
    pos = int(rng.integers(0, len(value)))
    if "가" <= value[pos] <= "힣":
        pool = _GIVEN_FIRST + _GIVEN_SECOND
        replacement = pool[int(rng.integers(0, len(pool)))]
    else:
        replacement = "abcdefghijklmnopqrstuvwxyz"[int(rng.integers(0, 26))]
    return value[:pos] + replacement + value[pos + 1 :]


def _rrn_typo(value: str, rng: np.random.Generator) -> str:
    pos = int(rng.integers(7, 12))
    digit = (int(value[pos]) + int(rng.integers(1, 10))) % 10
    return value[:pos] + str(digit) + value[pos + 1 :]


def _agency_view(
    persons: pd.DataFrame, agency: str, level: CorruptionLevel, rng: np.random.Generator
) -> pd.DataFrame:
    n = len(persons)
    fam = persons["family"].to_numpy(dtype=object).copy()
    giv = persons["given"].to_numpy(dtype=object).copy()
    latin = bool(persons["latin"].iloc[0]) if n else False

    for i in np.flatnonzero(rng.random(n) < level.typo):
        giv[i] = _typo(giv[i], rng)
    variant = rng.random(n) < level.surname_variant
    for i in np.flatnonzero(variant):
        if fam[i] in _VARIANT_OF:
            fam[i] = _VARIANT_OF[fam[i]]
    if latin:
        upper = rng.random(n) < 0.3
        fam = np.where(upper, [f.upper() for f in fam], fam)
        strip = rng.random(n) < 0.3
        fam = np.where(
            strip,
            [unicodedata.normalize("NFKD", f).encode("ascii", "ignore").decode() for f in fam],
            fam,
        )
    swap = rng.random(n) < level.swap
    fam, giv = np.where(swap, giv, fam), np.where(swap, fam, giv)

    region = persons["region"].to_numpy().copy()
    moved = rng.random(n) < level.moved
    region[moved] = rng.integers(0, len(_REGIONS), int(moved.sum()))
    codes = np.array([c for c, _ in _REGIONS], dtype=object)[region]
    old = rng.random(n) < level.old_region_code
    codes = np.array(
        [
            ("42" + c[2:])
            if (o and c.startswith("51"))
            else ("45" + c[2:])
            if (o and c.startswith("52"))
            else c
            for c, o in zip(codes, old, strict=True)
        ],
        dtype=object,
    )
    prefix = np.array([a for _, a in _REGIONS], dtype=object)[region]
    street = np.array(_ROADS, dtype=object)[persons["street"].to_numpy()]
    address = [f"{p} {s} {num}" for p, s, num in zip(prefix, street, persons["number"], strict=True)]

    phone = persons["phone"].to_numpy().copy()
    changed = rng.random(n) < level.phone_changed
    phone[changed] = rng.integers(10_000_000, 99_999_999, int(changed.sum()))
    rrn = persons["rrn"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(rng.random(n) < level.rrn_typo):
        rrn[i] = _rrn_typo(rrn[i], rng)

    birth = persons["birth"].to_numpy(dtype=object)
    sex = persons["sex"].to_numpy()
    if agency == "welfare":
        name = np.where(rng.random(n) < 0.5, fam + giv, fam + " " + giv) if not latin else giv + " " + fam
        frame = pd.DataFrame(
            {
                "name": name,
                "rrn": [f"{r[:6]}-{r[6:]}" for r in rrn],
                "birth_date": birth,
                "phone": [f"010-{p // 10000:04d}-{p % 10000:04d}" for p in phone],
                "region_code": codes,
                "address": address,
            }
        )
        ages = (dt.date.today().year - pd.to_datetime(pd.Series(birth)).dt.year).to_numpy()
        benefit = np.where(
            ages >= 65,
            "기초연금",
            np.where(ages < 8, "아동수당", np.array(_BENEFITS, dtype=object)[rng.integers(0, 8, n)]),
        )
        income = (rng.gamma(2.0, 600_000, n) // 1000 * 1000).astype(np.int64)
        frame["benefit_type"] = benefit
        years, months, days = rng.integers(2010, 2026, n), rng.integers(1, 13, n), rng.integers(1, 29, n)
        frame["eligibility_start"] = [
            f"{y}.{m}.{d}" for y, m, d in zip(years, months, days, strict=True)
        ]
        frame["household_type"] = np.array(_HOUSEHOLDS, dtype=object)[rng.integers(0, len(_HOUSEHOLDS), n)]
        frame["household_size"] = rng.integers(1, 7, n)
        frame["payment_krw"] = [f"{v:,}" for v in (rng.gamma(2.0, 250_000, n) // 10 * 10).astype(np.int64)]
        frame["income_krw"] = income
        frame["assets_krw"] = (rng.lognormal(17, 1.2, n) // 10000 * 10000).astype(np.int64)
    elif agency == "health":
        name = (fam + giv) if not latin else np.array([f"{g} {f}" for f, g in zip(fam, giv, strict=True)], dtype=object)
        frame = pd.DataFrame(
            {
                "name": name,
                "rrn": [r if k else f"{r[:6]}-{r[6:]}" for r, k in zip(rrn, rng.random(n) < 0.5, strict=True)],
                "birth_date": [b.replace("-", "") for b in birth],
                "sex": np.where(sex == 0, "1", "2"),
                "phone": [f"010{p:08d}" for p in phone],
                "postcode": [f"{c[:2]}{int(x):03d}" for c, x in zip(codes, rng.integers(0, 999, n), strict=True)],
                "region_code": [c + "00000" for c in codes],
                "insurance_type": np.array(_INSURANCE, dtype=object)[rng.integers(0, 4, n)],
                "premium_krw": (rng.gamma(2.0, 70_000, n) // 10 * 10).astype(np.int64),
                "outpatient_visits": rng.poisson(14, n),
                "inpatient_days": rng.poisson(0.8, n),
                "chronic_condition": np.where(rng.random(n) < 0.3, "Y", "N"),
            }
        )
    elif agency == "employment":
        frame = pd.DataFrame(
            {
                "family_name": fam,
                "given_name": giv,
                "birth_date": [b.replace("-", ".") for b in birth],
                "sex": np.where(sex == 0, "남", "여"),
                "phone": [f"+82 10-{p // 10000:04d}-{p % 10000:04d}" for p in phone],
                "region_code": codes,
                "employment_status": np.array(_EMPLOYMENT, dtype=object)[rng.integers(0, 4, n)],
                "industry_code": np.array(list("ABCDEFGHIJKLMNOPQRS"), dtype=object)[rng.integers(0, 19, n)],
                "monthly_wage_krw": (rng.lognormal(14.9, 0.5, n) // 1000 * 1000).astype(np.int64),
                "insured_since": [
                    f"{y}-{m:02d}-01" for y, m in zip(rng.integers(2000, 2026, n), rng.integers(1, 13, n), strict=True)
                ],
            }
        )
    else:
        raise ValueError(f"unknown agency {agency!r}; choose from {sorted(AGENCY_PROFILES)}")

    identifier_columns = [c for c in frame.columns if c in {
        "name", "rrn", "birth_date", "sex", "phone", "region_code", "address", "postcode",
        "family_name", "given_name"}]
    for column in identifier_columns:
        blank = rng.random(n) < level.missing
        frame.loc[blank, column] = ""
    if not latin:
        for column in ("name", "family_name", "given_name", "address"):
            if column in frame:
                nfd = rng.random(n) < level.nfd
                frame.loc[nfd, column] = [unicodedata.normalize("NFD", str(v)) for v in frame.loc[nfd, column]]
    frame.insert(0, "_person", persons["person"].to_numpy())
    return frame


def generate_agency_data(
    persons: int,
    *,
    agencies: Sequence[str] = ("welfare", "health", "employment"),
    corruption: str = "medium",
    seed: int = 0,
    profile: str = "korean",
) -> SyntheticData:
    """Generate per-agency tables of overlapping persons, and the ground truth.

    Args:
        persons: Size of the population; each agency holds a share of it.
        agencies: Agencies from :data:`AGENCY_PROFILES`.
        corruption: ``none``, ``low``, ``medium`` or ``high``.
        seed: Random seed; the same arguments give the same data.
        profile: ``korean`` (Hangul names, citizen RRNs) or ``latin`` (Latin names,
            foreign-resident numbers).

    Returns:
        The tables and the ground truth.

    Raises:
        ValueError: For an unknown agency, corruption level or profile.
    """
    if corruption not in CORRUPTION_LEVELS:
        raise ValueError(f"corruption must be one of {list(CORRUPTION_LEVELS)}")
    if profile not in ("korean", "latin"):
        raise ValueError("profile must be korean or latin")
    rng = np.random.default_rng(seed)
    population = _persons(persons, rng, profile)
    level = CORRUPTION_LEVELS[corruption]
    tables: dict[str, pd.DataFrame] = {}
    truth_parts = []
    for agency in agencies:
        if agency not in AGENCY_PROFILES:
            raise ValueError(f"unknown agency {agency!r}; choose from {sorted(AGENCY_PROFILES)}")
        members = population[rng.random(persons) < AGENCY_PROFILES[agency]]
        dup = members[rng.random(len(members)) < level.duplicate]
        members = pd.concat([members, dup], ignore_index=True)
        members = members.sample(frac=1.0, random_state=int(rng.integers(0, 2**31))).reset_index(drop=True)
        view = _agency_view(members, agency, level, rng)
        truth_parts.append(
            pd.DataFrame({"agency": agency, "row": np.arange(len(view)), "person": view["_person"].to_numpy()})
        )
        tables[agency] = view.drop(columns="_person").reset_index(drop=True)
    truth = pd.concat(truth_parts, ignore_index=True)
    return SyntheticData(tables=tables, truth=truth, seed=seed, corruption=corruption)


def write_synthetic_data(
    data: SyntheticData, directory: str | Path, encoding: str = "utf-8"
) -> dict[str, Path]:
    """Write ``<agency>.csv`` files and ``ground_truth.csv`` atomically.

    Args:
        data: From :func:`generate_agency_data`.
        directory: Target folder.
        encoding: ``utf-8``, ``utf-8-sig`` or ``cp949`` for the agency files
            (the ground truth is always UTF-8).

    Returns:
        Paths by agency, plus ``ground_truth``.
    """
    out = Path(directory)
    paths: dict[str, Path] = {}
    for agency, frame in data.tables.items():
        body = frame.to_csv(index=False)
        if encoding.lower() == "cp949":
            # CP949 has no decomposed jamo; agencies on CP949 store composed Hangul.
            body = unicodedata.normalize("NFC", body)
        paths[agency] = write_bytes_atomically(out / f"{agency}.csv", body.encode(encoding))
    paths["ground_truth"] = write_bytes_atomically(
        out / "ground_truth.csv", data.truth.to_csv(index=False).encode("utf-8")
    )
    return paths
