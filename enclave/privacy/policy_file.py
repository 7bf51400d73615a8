"""Reading policy files: YAML to a validated ``Policy``, every problem reported at once.

``load_policy`` reads a UTF-8 YAML file; ``policy_from_dict`` checks its
mapping form. Both collect every problem (unknown keys, bad roles, malformed
hierarchies or steps, thresholds out of range) before raising one
``PolicyValidationError`` that lists them all, so a steward fixes a policy in
one pass. The format is documented in ``enclave.privacy.policy``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast, get_args

import yaml

from enclave.privacy.errors import PolicyError, PolicyProblem, PolicyValidationError
from enclave.privacy.hierarchies import Hierarchy, hierarchy_from_dict
from enclave.privacy.policy import (
    ColumnPolicy,
    Generalize,
    GroupCategories,
    LKind,
    Policy,
    Pseudonymize,
    Role,
    Round,
    SensitiveKind,
    SuppressRare,
    Thresholds,
    TopBottomCode,
    TransformStep,
)

__all__ = ["load_policy", "policy_from_dict"]

_ROLES: tuple[str, ...] = get_args(Role)

_TOP_KEYS = {"dataset", "version", "description", "thresholds", "columns"}
_COLUMN_KEYS = {
    "required",
    "role",
    "transforms",
    "hierarchy",
    "min_level",
    "max_level",
    "agency",
    "sensitive_kind",
}
_THRESHOLD_KEYS = set(Thresholds().to_dict())


def load_policy(path: str | Path) -> Policy:
    """Load and validate a policy file.

    Args:
        path: Path of a UTF-8 YAML policy.

    Returns:
        The validated policy.

    Raises:
        PolicyError: If the file cannot be read or is not a YAML mapping.
        PolicyValidationError: Listing every problem of the policy at once.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError("policy.unreadable", path=path.name, reason=type(exc).__name__) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"YAML error at line {mark.line + 1}" if mark is not None else "YAML error"
        raise PolicyError("policy.unreadable", path=path.name, reason=where) from None
    if not isinstance(raw, Mapping):
        raise PolicyError("policy.not_mapping", path=path.name)
    return policy_from_dict(raw, source=str(path))


def policy_from_dict(raw: Mapping[str, Any], *, source: str | None = None) -> Policy:
    """Build a policy from its mapping form, collecting every problem.

    Args:
        raw: The parsed YAML mapping.
        source: Where it came from (kept on the policy, not hashed).

    Returns:
        The validated policy.

    Raises:
        PolicyValidationError: Listing every problem at once.
    """
    problems: list[PolicyProblem] = []
    for key in ("dataset", "thresholds", "columns"):
        if key not in raw:
            problems.append(PolicyProblem.of("policy.missing_key", key=key))
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(PolicyProblem.of("policy.unknown_key", key=str(key), where="policy"))
    thresholds = _parse_thresholds(raw.get("thresholds") or {}, problems)
    columns: list[ColumnPolicy] = []
    raw_columns = raw.get("columns") or {}
    if not isinstance(raw_columns, Mapping):
        problems.append(PolicyProblem.of("policy.missing_key", key="columns"))
        raw_columns = {}
    for name, spec in raw_columns.items():
        col = _parse_column(str(name), spec, problems)
        if col is not None:
            columns.append(col)
    if raw_columns and not any(c.role == "quasi_identifier" for c in columns):
        problems.append(PolicyProblem.of("policy.no_quasi_identifiers"))
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(
            PolicyProblem.of(
                "policy.threshold_range",
                name="version",
                expected="a positive integer",
                actual=str(version),
            )
        )
        version = 1
    if problems:
        raise PolicyValidationError(problems)
    return Policy(
        dataset=str(raw["dataset"]),
        version=version,
        thresholds=thresholds,
        columns=tuple(columns),
        description=str(raw.get("description", "")),
        source=source,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_thresholds(raw: Any, problems: list[PolicyProblem]) -> Thresholds:
    if not isinstance(raw, Mapping):
        problems.append(PolicyProblem.of("policy.missing_key", key="thresholds"))
        return Thresholds()
    for key in sorted(set(raw) - _THRESHOLD_KEYS):
        problems.append(PolicyProblem.of("policy.unknown_key", key=str(key), where="thresholds"))
    values = {**Thresholds().to_dict(), **{k: v for k, v in raw.items() if k in _THRESHOLD_KEYS}}

    def check(name: str, ok: bool, expected: str) -> None:
        if not ok:
            problems.append(
                PolicyProblem.of("policy.threshold_range", name=name, expected=expected, actual=str(values[name]))
            )

    k = values["k"]
    check("k", isinstance(k, int) and not isinstance(k, bool) and k >= 1, "an integer ≥ 1")
    l_value = values["l"]
    check("l", l_value is None or (_is_number(l_value) and l_value >= 1), "a number ≥ 1 or absent")
    check("l_kind", values["l_kind"] in get_args(LKind), "distinct or entropy")
    t = values["t"]
    check("t", t is None or (_is_number(t) and 0 < t <= 1), "a number in (0, 1] or absent")
    risk = values["max_prosecutor_risk"]
    check(
        "max_prosecutor_risk",
        risk is None or (_is_number(risk) and 0 < risk <= 1),
        "a number in (0, 1] or absent",
    )
    budget = values["suppression_budget"]
    check("suppression_budget", _is_number(budget) and 0 <= budget < 1, "a share in [0, 1)")
    population = values["population_size"]
    check(
        "population_size",
        population is None or (isinstance(population, int) and not isinstance(population, bool) and population >= 1),
        "a positive integer or absent",
    )
    attack = values["max_attack_risk"]
    check("max_attack_risk", _is_number(attack) and 0 < attack <= 1, "a number in (0, 1]")
    confidence = values["confidence_level"]
    check("confidence_level", _is_number(confidence) and 0.5 <= confidence < 1, "a number in [0.5, 1)")
    try:
        return Thresholds(
            k=int(k) if isinstance(k, int) else 5,
            l=float(l_value) if _is_number(l_value) else None,
            l_kind=values["l_kind"] if values["l_kind"] in get_args(LKind) else "distinct",
            t=float(t) if _is_number(t) else None,
            max_prosecutor_risk=float(risk) if _is_number(risk) else None,
            suppression_budget=float(budget) if _is_number(budget) else 0.05,
            population_size=population if isinstance(population, int) else None,
            max_attack_risk=float(attack) if _is_number(attack) else 0.1,
            confidence_level=float(confidence) if _is_number(confidence) else 0.95,
        )
    except (TypeError, ValueError):
        return Thresholds()


def _parse_column(name: str, spec: Any, problems: list[PolicyProblem]) -> ColumnPolicy | None:
    if isinstance(spec, str):
        spec = {"role": spec}
    if not isinstance(spec, Mapping):
        problems.append(PolicyProblem.of("policy.bad_role", column=name, role="(none)", allowed=list(_ROLES)))
        return None
    for key in sorted(set(spec) - _COLUMN_KEYS):
        problems.append(PolicyProblem.of("policy.unknown_key", key=str(key), where=f"column '{name}'"))
    role = spec.get("role")
    ok = True
    if role not in _ROLES:
        problems.append(PolicyProblem.of("policy.bad_role", column=name, role=str(role), allowed=list(_ROLES)))
        ok = False
    hierarchy: Hierarchy | None = None
    if "hierarchy" in spec:
        if isinstance(spec["hierarchy"], Mapping):
            hierarchy, reasons = hierarchy_from_dict(spec["hierarchy"])
        else:
            reasons = ["hierarchy must be a mapping with a 'kind'"]
        for reason in reasons:
            problems.append(PolicyProblem.of("policy.bad_hierarchy", column=name, reason=reason))
            ok = False
    transforms: list[TransformStep] = []
    raw_steps = spec.get("transforms", [])
    if not isinstance(raw_steps, list):
        problems.append(
            PolicyProblem.of("policy.bad_transform", column=name, step=1, reason="'transforms' must be a list")
        )
        raw_steps = []
        ok = False
    for index, raw_step in enumerate(raw_steps, start=1):
        step, reason = _parse_step(raw_step)
        if step is None:
            problems.append(PolicyProblem.of("policy.bad_transform", column=name, step=index, reason=reason))
            ok = False
            continue
        if isinstance(step, Generalize):
            if hierarchy is None or not 0 <= step.level < hierarchy.height:
                problems.append(
                    PolicyProblem.of(
                        "policy.bad_transform",
                        column=name,
                        step=index,
                        reason="generalize needs a hierarchy with that level",
                    )
                )
                ok = False
            elif role == "quasi_identifier":
                problems.append(
                    PolicyProblem.of(
                        "policy.bad_transform",
                        column=name,
                        step=index,
                        reason="quasi-identifiers use min_level, not generalize",
                    )
                )
                ok = False
        transforms.append(step)
    if role == "direct_identifier" and transforms:
        problems.append(
            PolicyProblem.of(
                "policy.bad_transform",
                column=name,
                step=1,
                reason="direct identifiers are removed; they take no transforms",
            )
        )
        ok = False
    min_level = spec.get("min_level", 0)
    max_level = spec.get("max_level")
    height = hierarchy.height if hierarchy is not None else 1
    if not isinstance(min_level, int) or isinstance(min_level, bool) or not 0 <= min_level < height:
        problems.append(
            PolicyProblem.of(
                "policy.bad_hierarchy",
                column=name,
                reason=f"min_level must be an integer in 0..{height - 1}",
            )
        )
        ok = False
        min_level = 0
    if max_level is not None and (
        not isinstance(max_level, int) or isinstance(max_level, bool) or not min_level <= max_level < height
    ):
        problems.append(
            PolicyProblem.of(
                "policy.bad_hierarchy",
                column=name,
                reason=f"max_level must be an integer in {min_level}..{height - 1}",
            )
        )
        ok = False
        max_level = None
    sensitive_kind = spec.get("sensitive_kind", "categorical")
    if sensitive_kind not in get_args(SensitiveKind):
        problems.append(
            PolicyProblem.of(
                "policy.bad_transform",
                column=name,
                step=0,
                reason="sensitive_kind must be categorical or numeric",
            )
        )
        ok = False
        sensitive_kind = "categorical"
    agency = spec.get("agency")
    required = spec.get("required", True)
    if not isinstance(required, bool):
        problems.append(
            PolicyProblem.of("policy.bad_transform", column=name, step=0, reason="required must be true or false")
        )
        ok = False
    if not ok:
        return None
    return ColumnPolicy(
        name=name,
        role=cast(Role, role),
        transforms=tuple(transforms),
        hierarchy=hierarchy,
        min_level=min_level,
        max_level=max_level,
        agency=None if agency is None else str(agency),
        sensitive_kind=sensitive_kind,
        required=bool(required),
    )


def _parse_step(raw: Any) -> tuple[TransformStep | None, str]:
    if raw == "pseudonym":
        return Pseudonymize(), ""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        return None, "a step is 'pseudonym' or a one-key mapping such as {round: 1000}"
    ((kind, arg),) = raw.items()
    if kind == "round":
        if _is_number(arg) and arg > 0:
            return Round(float(arg)), ""
        return None, "round needs a positive base"
    if kind == "top_bottom_code":
        if not isinstance(arg, Mapping) or not set(arg) <= {"lower", "upper"} or not arg:
            return None, "top_bottom_code needs {lower: number, upper: number}"
        lower, upper = arg.get("lower"), arg.get("upper")
        if any(v is not None and not _is_number(v) for v in (lower, upper)):
            return None, "top_bottom_code bounds must be numbers"
        if lower is not None and upper is not None and lower > upper:
            return None, "top_bottom_code lower must not exceed upper"
        return TopBottomCode(None if lower is None else float(lower), None if upper is None else float(upper)), ""
    if kind == "group_categories":
        if not isinstance(arg, Mapping) or not arg:
            return None, "group_categories needs {group: [categories]}"
        seen: set[str] = set()
        groups: list[tuple[str, tuple[str, ...]]] = []
        for group, members in arg.items():
            if not isinstance(members, list) or not members:
                return None, "each group needs a non-empty list of categories"
            labels = tuple(str(m) for m in members)
            if seen & set(labels):
                return None, "a category is listed in two groups"
            seen |= set(labels)
            groups.append((str(group), labels))
        return GroupCategories(tuple(groups)), ""
    if kind == "suppress_rare":
        if not isinstance(arg, Mapping) or not set(arg) <= {"min_count", "replacement"}:
            return None, "suppress_rare needs {min_count: integer, replacement: label}"
        count = arg.get("min_count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 2:
            return None, "suppress_rare min_count must be an integer ≥ 2"
        return SuppressRare(count, str(arg.get("replacement", "other"))), ""
    if kind == "generalize":
        if isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0:
            return Generalize(arg), ""
        return None, "generalize needs a hierarchy level (integer ≥ 0)"
    return None, f"unknown step '{kind}'"
