"""Identifier schemas and match-key schemes, loaded from validated YAML policy files.

A policy directory (``policies/identifiers/``) holds one match-key scheme file
(``kind: match_key_scheme``) and one identifier schema per dataset
(``kind: identifier_schema``). Loading checks every file completely and raises
one :class:`~linkage.errors.PolicyError` listing *every* problem, so an
operator fixes a policy in one round. Each loaded object carries the sha256 of
its canonical JSON form, which is stored with every package made under it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from linkage.errors import PolicyError
from linkage.messages import text
from linkage.probabilistic_policy import ProbabilisticSpec, parse_probabilistic_spec

__all__ = [
    "CONTENT_TYPES",
    "IDENTIFIER_KINDS",
    "DERIVED_CONTENT",
    "MATCH_FIELDS",
    "ContentColumn",
    "DatasetSchema",
    "IdentifierColumn",
    "IdentifierPolicies",
    "MatchKeyScheme",
    "MatchPass",
    "PrecheckSpec",
    "canonical_hash",
    "load_dataset_schema",
    "load_identifier_policies",
    "parse_dataset_schema",
    "parse_match_key_scheme",
]

IdentifierKind = Literal[
    "full_name",
    "family_name",
    "given_name",
    "rrn",
    "birth_date",
    "sex",
    "phone",
    "postcode",
    "region_code",
    "address",
    "other_id",
]
IDENTIFIER_KINDS: tuple[str, ...] = (
    "full_name",
    "family_name",
    "given_name",
    "rrn",
    "birth_date",
    "sex",
    "phone",
    "postcode",
    "region_code",
    "address",
    "other_id",
)

ContentType = Literal["string", "category", "integer", "number", "date", "boolean"]
CONTENT_TYPES: tuple[str, ...] = ("string", "category", "integer", "number", "date", "boolean")

# Normalized fields a match-key pass may combine; see docs/normalization.md.
MATCH_FIELDS: tuple[str, ...] = (
    "rrn",
    "full_name",
    "full_name_loose",
    "family_name",
    "family_name_loose",
    "given_name",
    "given_initial",
    "name_tokens",
    "birth_date",
    "birth_year",
    "sex",
    "phone",
    "postcode",
    "region",
    "region_sido",
    "address",
    "other_id",
)

#: Content an agency may derive from its normalized identifiers, and the match
#: field each comes from. Demographics at this grain (sex, birth year, 시군구) are
#: what the enclave's risk review needs as quasi-identifiers; the identifiers
#: themselves never leave the agency.
DERIVED_CONTENT: dict[str, str] = {"sex": "sex", "birth_year": "birth_year", "region_code": "region"}
_DERIVED_NEEDS: dict[str, frozenset[str]] = {
    "sex": frozenset({"sex", "rrn"}),
    "birth_year": frozenset({"birth_date", "rrn"}),
    "region_code": frozenset({"region_code"}),
}

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_COLUMN_RE = re.compile(r"^[^\s,\"']{1,64}$")


def canonical_hash(data: Any) -> str:
    """Return the sha256 hex digest of ``data``'s canonical JSON form.

    Args:
        data: JSON-able data (dicts, lists, strings, numbers).

    Returns:
        64 hex characters; equal for equal content whatever the key order.
    """
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class MatchPass:
    """One pass of a match-key scheme: a name and the normalized fields it combines.

    Attributes:
        name: Lower-case identifier, used in column names (``mk_<name>``) and reports.
        fields: Names from :data:`MATCH_FIELDS`, in encoding order.
    """

    name: str
    fields: tuple[str, ...]

    @property
    def column(self) -> str:
        """Return the match-key column name of this pass in a match-key table."""
        return f"mk_{self.name}"


@dataclass(frozen=True)
class MatchKeyScheme:
    """An ordered hierarchy of match-key passes, from the strictest to the loosest.

    Attributes:
        name: Scheme name; part of every key's domain separation.
        version: Scheme version; bump it whenever passes or normalization change.
        passes: The passes in linking order.
        content_hash: sha256 of the scheme's canonical form.
        probabilistic: The probabilistic pass run after the exact passes, when
            the scheme declares one (see :mod:`linkage.probabilistic_policy`).
    """

    name: str
    version: int
    passes: tuple[MatchPass, ...]
    content_hash: str = ""
    probabilistic: ProbabilisticSpec | None = None

    @property
    def pass_names(self) -> tuple[str, ...]:
        """Return the pass names in order."""
        return tuple(p.name for p in self.passes)


@dataclass(frozen=True)
class IdentifierColumn:
    """A source column holding an identifier of a given kind.

    Attributes:
        column: Column name in the agency's file.
        kind: One of :data:`IDENTIFIER_KINDS`.
        script: For names: ``auto`` (Hangul or Latin decided per value), ``hangul`` or ``latin``.
    """

    column: str
    kind: str
    script: str = "auto"


@dataclass(frozen=True)
class ContentColumn:
    """A source column holding content that goes to the enclave.

    Attributes:
        column: Column name in the agency's file.
        type: One of :data:`CONTENT_TYPES`.
        label: Human label (e.g. the Korean term), for documentation only.
    """

    column: str
    type: str
    label: str = ""


@dataclass(frozen=True)
class PrecheckSpec:
    """The identification-risk pre-check an agency runs on its content before sending it (stage 2).

    The quasi-identifiers are content or derived columns; records sharing their
    values form an equivalence class. A package passes when the share of
    records in classes smaller than ``k`` and the share of unique records stay
    within the limits.

    Attributes:
        quasi_identifiers: Content or derived column names, in the order declared.
        k: The smallest equivalence class size the policy aims for (2 or more).
        max_share_below_k: Largest tolerated share (0-1) of records in classes smaller than ``k``.
        max_unique_share: Largest tolerated share (0-1) of records alone in their class.
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    max_share_below_k: float = 0.0
    max_unique_share: float = 0.0


@dataclass(frozen=True)
class DatasetSchema:
    """Which columns of a dataset are identifiers (and of which kind) and which are content.

    Attributes:
        dataset: Dataset name (usually the agency's name).
        version: Schema version.
        identifiers: Identifier columns in file order.
        content: Content columns in file order.
        content_hash: sha256 of the schema's canonical form.
        description: Free text.
        derived: Content columns derived from normalized identifiers (names
            from :data:`DERIVED_CONTENT`), appended after ``content``.
        precheck: The identification-risk pre-check, when the policy declares one.
    """

    dataset: str
    version: int
    identifiers: tuple[IdentifierColumn, ...]
    content: tuple[ContentColumn, ...]
    content_hash: str = ""
    description: str = ""
    derived: tuple[str, ...] = ()
    precheck: PrecheckSpec | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Return every declared column: identifiers first, then content."""
        return tuple(c.column for c in self.identifiers) + tuple(c.column for c in self.content)

    @property
    def kinds(self) -> frozenset[str]:
        """Return the identifier kinds this dataset holds."""
        return frozenset(c.kind for c in self.identifiers)


@dataclass(frozen=True)
class IdentifierPolicies:
    """Everything loaded from one policy directory.

    Attributes:
        scheme: The match-key scheme.
        schemas: Identifier schemas by dataset name.
        content_hash: sha256 over the scheme's and every schema's hash.
    """

    scheme: MatchKeyScheme
    schemas: Mapping[str, DatasetSchema] = field(default_factory=dict)
    content_hash: str = ""

    def schema(self, dataset: str) -> DatasetSchema:
        """Return the schema of ``dataset``.

        Args:
            dataset: Dataset name.

        Returns:
            The dataset's schema.

        Raises:
            PolicyError: If no schema has that name.
        """
        try:
            return self.schemas[dataset]
        except KeyError:
            message = text(
                "policy.unknown_dataset", dataset=dataset, known=", ".join(sorted(self.schemas))
            )
            raise PolicyError(message, problems=[]) from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that records duplicate mapping keys instead of dropping them."""

    duplicates: list[str]


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            loader.duplicates.append(f"line {key_node.start_mark.line + 1}: duplicate key '{key}'")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{path.name}: cannot be read as UTF-8 text ({type(exc).__name__})")
        return None
    return _parse_yaml(raw, path.name, problems)


def _parse_yaml(data: bytes, where: str, problems: list[str]) -> Any:
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{where}: cannot be read as UTF-8 text ({type(exc).__name__})")
        return None
    loader = _UniqueKeyLoader(raw)
    loader.duplicates = []
    try:
        parsed = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}" if mark is not None else "somewhere"
        problems.append(f"{where}: not valid YAML ({at})")
        return None
    finally:
        loader.dispose()
    problems.extend(f"{where}: {d}" for d in loader.duplicates)
    return parsed


def _check_version(data: Mapping[str, Any], where: str, problems: list[str]) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(f"{where}: 'version' must be a whole number of 1 or more")
        return 0
    return version


def parse_match_key_scheme(data: Any, where: str, problems: list[str]) -> MatchKeyScheme | None:
    """Validate a parsed scheme document, appending every problem to ``problems``.

    Args:
        data: The YAML document.
        where: File name used in problem lines.
        problems: Collector of problem lines.

    Returns:
        The scheme, or None when the document has problems.
    """
    before = len(problems)
    if not isinstance(data, dict):
        problems.append(f"{where}: must be a mapping with kind, name, version and passes")
        return None
    unknown = sorted(set(data) - {"kind", "name", "version", "description", "passes", "probabilistic"})
    if unknown:
        problems.append(f"{where}: unknown top-level keys {unknown}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name.replace("-", "_")):
        problems.append(f"{where}: 'name' must be a short lower-case name")
    version = _check_version(data, where, problems)
    raw_passes = data.get("passes")
    passes: list[MatchPass] = []
    if not isinstance(raw_passes, list) or not raw_passes:
        problems.append(f"{where}: 'passes' must be a non-empty list")
        raw_passes = []
    seen_names: set[str] = set()
    seen_fields: dict[tuple[str, ...], str] = {}
    for i, raw in enumerate(raw_passes, start=1):
        at = f"{where}: passes[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{at}: must be a mapping with 'name' and 'fields'")
            continue
        extra = sorted(set(raw) - {"name", "fields", "description"})
        if extra:
            problems.append(f"{at}: unknown keys {extra}")
        pname = raw.get("name")
        if not isinstance(pname, str) or not _NAME_RE.match(pname):
            problems.append(f"{at}: 'name' must be lower-case letters, digits and '_'")
            pname = None
        elif pname in seen_names:
            problems.append(f"{at}: pass name '{pname}' is used twice")
        fields = raw.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.append(f"{at}: 'fields' must be a non-empty list")
            continue
        bad = [f for f in fields if f not in MATCH_FIELDS]
        if bad:
            problems.append(f"{at}: unknown fields {bad}; choose from {list(MATCH_FIELDS)}")
        if len(set(fields)) != len(fields):
            problems.append(f"{at}: a field is listed twice")
        key = tuple(fields)
        if key in seen_fields:
            problems.append(f"{at}: same fields as pass '{seen_fields[key]}'")
        if pname is not None:
            seen_names.add(pname)
            seen_fields[key] = pname
            passes.append(MatchPass(name=pname, fields=tuple(str(f) for f in fields)))
    probabilistic = parse_probabilistic_spec(
        data.get("probabilistic"), where, MATCH_FIELDS, sorted(seen_names), problems
    )
    if len(problems) > before:
        return None
    assert isinstance(name, str)
    return MatchKeyScheme(
        name=name,
        version=version,
        passes=tuple(passes),
        content_hash=canonical_hash(data),
        probabilistic=probabilistic,
    )


def parse_dataset_schema(data: Any, where: str, problems: list[str]) -> DatasetSchema | None:
    """Validate a parsed identifier-schema document, appending every problem to ``problems``.

    Args:
        data: The YAML document.
        where: File name used in problem lines.
        problems: Collector of problem lines.

    Returns:
        The schema, or None when the document has problems.
    """
    before = len(problems)
    if not isinstance(data, dict):
        problems.append(f"{where}: must be a mapping with kind, dataset, version, identifiers, content")
        return None
    unknown = sorted(
        set(data)
        - {"kind", "dataset", "version", "description", "identifiers", "content", "derived_content", "precheck"}
    )
    if unknown:
        problems.append(f"{where}: unknown top-level keys {unknown}")
    dataset = data.get("dataset")
    if not isinstance(dataset, str) or not _NAME_RE.match(dataset):
        problems.append(f"{where}: 'dataset' must be lower-case letters, digits and '_'")
    version = _check_version(data, where, problems)
    identifiers: list[IdentifierColumn] = []
    content: list[ContentColumn] = []
    raw_ids = data.get("identifiers")
    if not isinstance(raw_ids, dict) or not raw_ids:
        problems.append(f"{where}: 'identifiers' must map at least one column to its kind")
        raw_ids = {}
    for column, spec in raw_ids.items():
        at = f"{where}: identifiers.{column}"
        if not isinstance(column, str) or not _COLUMN_RE.match(column):
            problems.append(f"{at}: column name must be 1-64 characters without spaces or quotes")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{at}: must be a mapping with 'kind'")
            continue
        extra = sorted(set(spec) - {"kind", "script", "label"})
        if extra:
            problems.append(f"{at}: unknown keys {extra}")
        kind = spec.get("kind")
        if kind not in IDENTIFIER_KINDS:
            problems.append(f"{at}: kind must be one of {list(IDENTIFIER_KINDS)}")
            continue
        script = spec.get("script", "auto")
        if script not in ("auto", "hangul", "latin"):
            problems.append(f"{at}: script must be auto, hangul or latin")
            continue
        identifiers.append(IdentifierColumn(column=column, kind=str(kind), script=str(script)))
    kinds = [c.kind for c in identifiers]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            problems.append(f"{where}: identifier kind '{kind}' is declared for two columns")
    if "full_name" in kinds and ("family_name" in kinds or "given_name" in kinds):
        problems.append(f"{where}: declare either full_name or family_name/given_name, not both")
    if ("family_name" in kinds) != ("given_name" in kinds):
        problems.append(f"{where}: family_name and given_name must be declared together")
    raw_content = data.get("content", {})
    if raw_content is None:
        raw_content = {}
    if not isinstance(raw_content, dict):
        problems.append(f"{where}: 'content' must map columns to their type")
        raw_content = {}
    for column, spec in raw_content.items():
        at = f"{where}: content.{column}"
        if not isinstance(column, str) or not _COLUMN_RE.match(column):
            problems.append(f"{at}: column name must be 1-64 characters without spaces or quotes")
            continue
        if column == "serial" or column.startswith("mk_"):
            problems.append(f"{at}: the names 'serial' and 'mk_*' are reserved")
            continue
        if column in raw_ids:
            problems.append(f"{at}: column is declared both as identifier and as content")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{at}: must be a mapping with 'type'")
            continue
        extra = sorted(set(spec) - {"type", "label"})
        if extra:
            problems.append(f"{at}: unknown keys {extra}")
        ctype = spec.get("type")
        if ctype not in CONTENT_TYPES:
            problems.append(f"{at}: type must be one of {list(CONTENT_TYPES)}")
            continue
        content.append(
            ContentColumn(column=column, type=str(ctype), label=str(spec.get("label", "")))
        )
    derived = _parse_derived(data.get("derived_content", []), where, kinds, {c.column for c in content}, problems)
    precheck = _parse_precheck(
        data.get("precheck"), where, [c.column for c in content] + list(derived), problems
    )
    if len(problems) > before:
        return None
    assert isinstance(dataset, str)
    return DatasetSchema(
        dataset=dataset,
        version=version,
        identifiers=tuple(identifiers),
        content=tuple(content),
        content_hash=canonical_hash(data),
        description=str(data.get("description", "")),
        derived=derived,
        precheck=precheck,
    )


_PRECHECK_KEYS = frozenset({"quasi_identifiers", "k", "max_share_below_k", "max_unique_share"})


def _share(raw: Mapping[str, Any], key: str, at: str, problems: list[str]) -> float:
    value = raw.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        problems.append(f"{at}.{key}: must be a share between 0 and 1")
        return 0.0
    return float(value)


def _parse_precheck(raw: Any, where: str, columns: list[str], problems: list[str]) -> PrecheckSpec | None:
    # Policies written before the pre-check existed simply have none: they keep loading.
    if raw is None:
        return None
    at = f"{where}: precheck"
    if not isinstance(raw, dict):
        problems.append(f"{at}: must be a mapping with quasi_identifiers and k")
        return None
    extra = sorted(set(raw) - _PRECHECK_KEYS)
    if extra:
        problems.append(f"{at}: unknown keys {extra}")
    qis = raw.get("quasi_identifiers")
    if not isinstance(qis, list) or not qis or not all(isinstance(q, str) for q in qis):
        problems.append(f"{at}.quasi_identifiers: must be a non-empty list of column names")
        qis = []
    for name in qis:
        if name not in columns:
            problems.append(
                f"{at}.quasi_identifiers: '{name}' is not a content or derived column; choose from {columns}"
            )
    if len(set(qis)) != len(qis):
        problems.append(f"{at}.quasi_identifiers: a column is listed twice")
    k = raw.get("k")
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        problems.append(f"{at}.k: must be a whole number of 2 or more")
        k = 0
    below = _share(raw, "max_share_below_k", at, problems)
    unique = _share(raw, "max_unique_share", at, problems)
    return PrecheckSpec(
        quasi_identifiers=tuple(qis), k=k, max_share_below_k=below, max_unique_share=unique
    )


def _parse_derived(raw: Any, where: str, kinds: Any, content: set[str], problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        problems.append(f"{where}: derived_content must be a list of names from {sorted(DERIVED_CONTENT)}")
        return ()
    derived: list[str] = []
    for name in raw:
        at = f"{where}: derived_content.{name}"
        if name not in DERIVED_CONTENT:
            problems.append(f"{at}: unknown; choose from {sorted(DERIVED_CONTENT)}")
        elif name in content:
            problems.append(f"{at}: clashes with a content column of the same name")
        elif not (_DERIVED_NEEDS[name] & set(kinds)):
            problems.append(f"{at}: needs an identifier of kind {' or '.join(sorted(_DERIVED_NEEDS[name]))}")
        elif name in derived:
            problems.append(f"{at}: listed twice")
        else:
            derived.append(name)
    return tuple(derived)


def load_identifier_policies(directory: str | Path) -> IdentifierPolicies:
    """Load and validate every policy file in ``directory``.

    Args:
        directory: A folder of ``*.yaml`` files: one ``match_key_scheme`` and any
            number of ``identifier_schema`` files.

    Returns:
        The validated policies with their content hashes.

    Raises:
        PolicyError: Listing every problem in every file at once.

    Example:
        >>> policies = load_identifier_policies("policies/identifiers")
        >>> policies.scheme.pass_names[0]
        'rrn'
    """
    root = Path(directory)
    problems: list[str] = []
    schemes: list[MatchKeyScheme] = []
    schemas: dict[str, DatasetSchema] = {}
    files = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    for path in files:
        data = _read_yaml(path, problems)
        if data is None:
            continue
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind == "match_key_scheme":
            scheme = parse_match_key_scheme(data, path.name, problems)
            if scheme is not None:
                schemes.append(scheme)
        elif kind == "identifier_schema":
            schema = parse_dataset_schema(data, path.name, problems)
            if schema is not None:
                if schema.dataset in schemas:
                    problems.append(f"{path.name}: dataset '{schema.dataset}' is defined twice")
                schemas[schema.dataset] = schema
        else:
            problems.append(f"{path.name}: 'kind' must be match_key_scheme or identifier_schema")
    if len(schemes) > 1:
        problems.append("more than one match_key_scheme file; keep exactly one")
    if not schemes and not problems:
        raise PolicyError(text("policy.no_scheme", path=root), problems=[])
    if problems:
        raise PolicyError(text("policy.invalid", path=root, count=len(problems)), problems=problems)
    scheme = schemes[0]
    combined = canonical_hash(
        {"scheme": scheme.content_hash, "schemas": {k: v.content_hash for k, v in schemas.items()}}
    )
    return IdentifierPolicies(scheme=scheme, schemas=dict(schemas), content_hash=combined)


def load_dataset_schema(data: bytes, where: str) -> DatasetSchema:
    """Validate one identifier-schema file's bytes, as :func:`load_identifier_policies` would.

    The enclave's catalog reads the same file an agency's partner tool reads,
    so both see the same columns, types and labels.

    Args:
        data: The file's bytes (UTF-8 YAML).
        where: The file's name, used in problem lines.

    Returns:
        The validated schema.

    Raises:
        PolicyError: Listing every problem at once (not UTF-8, not YAML,
            duplicate keys, unknown types, missing sections, wrong kind).
    """
    problems: list[str] = []
    parsed = _parse_yaml(data, where, problems)
    schema = None
    if parsed is not None:
        if isinstance(parsed, dict) and parsed.get("kind") != "identifier_schema":
            problems.append(f"{where}: 'kind' must be identifier_schema")
        schema = parse_dataset_schema(parsed, where, problems)
    if problems or schema is None:
        raise PolicyError(text("policy.invalid", path=where, count=len(problems)), problems=problems)
    return schema
