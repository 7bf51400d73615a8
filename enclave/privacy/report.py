"""Risk reports that a steward reads to approve or return a dataset (적정성 검토).

A ``RiskReport`` gathers the risk measures before and after additional
processing, the information loss and change log, attack risks with their
intervals and, if one was built, the synthetic replica's evidence; it says in
plain words whether the policy's thresholds hold. It serializes to stable
JSON (sorted keys; ``content_hash`` is the SHA-256 of that JSON without the
hash) and to a self-contained HTML page whose plots are inline PNG images
drawn with matplotlib's Agg canvas, so the page opens offline.

The report holds aggregates only (class sizes, counts, rates, column names):
never a record value, a quasi-identifier combination or a pseudonym.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from enclave.privacy.anonymize import AnonymizationResult
from enclave.privacy.attacks import AttackResults
from enclave.privacy.errors import ReviewerIndependenceError
from enclave.privacy.messages import current_language, text
from enclave.privacy.policy import Policy
from enclave.privacy.replica import ReplicaResult
from enclave.privacy.risk import RiskMeasures

__all__ = ["RiskReport", "build_risk_report", "check_reviewer_independence"]

_SIZE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 4, "3-4"),
    (5, 9, "5-9"),
    (10, 19, "10-19"),
    (20, 49, "20-49"),
    (50, 99, "50-99"),
    (100, None, "100+"),
)
_RISK_BUCKETS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.01, "≤0.01"),
    (0.01, 0.05, "0.01-0.05"),
    (0.05, 0.1, "0.05-0.1"),
    (0.1, 0.2, "0.1-0.2"),
    (0.2, 0.5, "0.2-0.5"),
    (0.5, 1.0, ">0.5"),
)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def class_size_distribution(class_sizes: Sequence[Sequence[int]]) -> dict[str, int]:
    """Count equivalence classes per size bucket (1, 2, 3-4, 5-9, ...).

    Args:
        class_sizes: Pairs (class size, number of classes).

    Returns:
        Bucket label -> number of classes, for every bucket.
    """
    out = {label: 0 for _, _, label in _SIZE_BUCKETS}
    for size, count in class_sizes:
        for low, high, label in _SIZE_BUCKETS:
            if size >= low and (high is None or size <= high):
                out[label] += int(count)
                break
    return out


def records_by_risk(class_sizes: Sequence[Sequence[int]]) -> dict[str, int]:
    """Count records per prosecutor-risk bucket (risk of a record = 1 / its class size).

    Args:
        class_sizes: Pairs (class size, number of classes).

    Returns:
        Bucket label -> number of records, for every bucket.
    """
    out = {label: 0 for _, _, label in _RISK_BUCKETS}
    for size, count in class_sizes:
        risk = 1.0 / size
        for low, high, label in _RISK_BUCKETS:
            if low < risk <= high or (low == 0.0 and risk <= high):
                out[label] += int(size) * int(count)
                break
    return out


@dataclass(frozen=True)
class RiskReport:
    """What a steward needs to approve or return a dataset, and nothing identifying.

    Attributes:
        dataset: Dataset or project the policy governs.
        policy_hash: Content hash of the policy applied.
        ran_by: Who ran the processing (the reviewer must be someone else).
        created_at: When the report was made (ISO 8601, UTC).
        language: Language of ``summary`` and ``findings``.
        thresholds: The policy's thresholds.
        meets_thresholds: Whether every threshold holds.
        summary: One plain sentence: meets the thresholds or not.
        findings: One sentence per threshold that does not hold.
        risk_after: Risk measures of the data to approve.
        risk_before: Risk measures before additional processing, if it ran.
        information_loss: Information loss of additional processing, if it ran.
        levels: Chosen hierarchy level per quasi-identifier, if it ran.
        change_log: What changed per column (counts), if known.
        attacks: Attack risks with intervals, widths and verdicts, if attacks ran.
        replica: Replica evidence, if a replica was built.
        undecided: One sentence per attack limit the data could not decide
            (its interval straddles the limit): the steward judges these.
        warnings: Sentences for the first screen about what processing cost
            the analysis (a quasi-identifier left with one value, a key
            variable coarsened).
        utility: Per quasi-identifier distribution before and after processing.
    """

    dataset: str
    policy_hash: str
    ran_by: str
    created_at: str
    language: str
    thresholds: dict[str, Any]
    meets_thresholds: bool
    summary: str
    findings: tuple[str, ...]
    risk_after: dict[str, Any]
    risk_before: dict[str, Any] | None = None
    information_loss: dict[str, Any] | None = None
    levels: dict[str, int] | None = None
    change_log: dict[str, Any] | None = None
    attacks: dict[str, Any] | None = None
    replica: dict[str, Any] | None = None
    undecided: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    utility: dict[str, Any] | None = None

    def _body(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "policy_hash": self.policy_hash,
            "ran_by": self.ran_by,
            "created_at": self.created_at,
            "language": self.language,
            "thresholds": self.thresholds,
            "meets_thresholds": self.meets_thresholds,
            "summary": self.summary,
            "findings": list(self.findings),
            "risk_after": self.risk_after,
            "risk_before": self.risk_before,
            "information_loss": self.information_loss,
            "levels": self.levels,
            "change_log": self.change_log,
            "attacks": self.attacks,
            "replica": self.replica,
            "undecided": list(self.undecided),
            "warnings": list(self.warnings),
            "utility": self.utility,
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of the report without this hash."""
        return hashlib.sha256(_canonical(self._body()).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready mapping, including ``content_hash``."""
        return {**self._body(), "content_hash": self.content_hash}

    def to_json(self) -> str:
        """Return the report as stable JSON (sorted keys, UTF-8 text)."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2)

    def to_html(self) -> str:
        """Return a self-contained HTML page with inline plots (no external resources)."""
        return _render_html(self)


def check_reviewer_independence(ran_by: str, reviewer: str) -> None:
    """Refuse a review by the person who ran the processing.

    Names are compared after Unicode normalization, trimming and case folding,
    so ``"Kim"`` and ``" kim "`` are the same person.

    Args:
        ran_by: Who ran the processing.
        reviewer: Who would approve or return the report.

    Raises:
        ReviewerIndependenceError: If either is empty or both are the same person.
    """

    def norm(name: str) -> str:
        return unicodedata.normalize("NFC", name or "").strip().casefold()

    if not norm(ran_by) or not norm(reviewer):
        raise ReviewerIndependenceError("review.missing_person")
    if norm(ran_by) == norm(reviewer):
        raise ReviewerIndependenceError("review.not_independent")


def _findings(policy: Policy, risk: RiskMeasures, attacks: AttackResults | None) -> list[str]:
    t = policy.thresholds
    found = []
    if risk.measured_records and risk.smallest_class < t.effective_k:
        found.append(text("report.finding_k", actual=risk.smallest_class, required=t.effective_k))
    if t.max_prosecutor_risk is not None and risk.max_prosecutor_risk > t.max_prosecutor_risk + 1e-12:
        found.append(text("report.finding_prosecutor", actual=risk.max_prosecutor_risk, required=t.max_prosecutor_risk))
    for s in risk.sensitive:
        if t.l is not None:
            actual = s.distinct_l if t.l_kind == "distinct" else s.entropy_l
            if actual < t.l - 1e-9:
                found.append(
                    text("report.finding_l", column=s.column, kind=t.l_kind, actual=float(actual), required=t.l)
                )
        if t.t is not None and s.t_closeness > t.t + 1e-12:
            found.append(text("report.finding_t", column=s.column, actual=s.t_closeness, required=t.t))
    if attacks is not None:
        # Only a decided excess fails the data; an interval that straddles
        # the limit is the steward's to judge (see ``_undecided``).
        for r in attacks.above(t.max_attack_risk):
            found.append(
                text(
                    "report.finding_attack",
                    attack=r.attack,
                    lower=r.ci_low,
                    upper=r.ci_high,
                    required=t.max_attack_risk,
                )
            )
    return found


def _undecided(policy: Policy, attacks: AttackResults | None) -> list[str]:
    if attacks is None:
        return []
    limit = policy.thresholds.max_attack_risk
    return [
        text(
            "report.undecided_attack",
            attack=r.attack,
            risk=r.risk,
            low=r.ci_low,
            high=r.ci_high,
            width=r.ci_width,
            n=r.n_attacks,
            required=limit,
        )
        for r in attacks.inconclusive(limit)
    ]


def _warnings(anonymization: AnonymizationResult | None) -> list[str]:
    if anonymization is None:
        return []
    out = []
    for c in anonymization.information_loss.by_column:
        utility = (anonymization.utility or {}).get(c.column)
        if utility is not None and utility["single_value"]:
            out.append(text("report.warning_one_value", column=c.column))
    for c in anonymization.information_loss.by_column:
        if c.column in anonymization.information_loss.importance and c.distinct_after < c.distinct_before:
            out.append(
                text(
                    "report.warning_key_coarsened",
                    column=c.column,
                    level=c.level_name,
                    before=c.distinct_before,
                    after=c.distinct_after,
                )
            )
    return out


def build_risk_report(
    policy: Policy,
    *,
    ran_by: str,
    risk: RiskMeasures | None = None,
    anonymization: AnonymizationResult | None = None,
    attacks: AttackResults | None = None,
    replica: ReplicaResult | None = None,
    created_at: datetime | None = None,
) -> RiskReport:
    """Assemble the risk report of a dataset for the steward's adequacy review.

    Args:
        policy: The policy the data was processed under.
        ran_by: Who ran the processing (recorded; the reviewer must differ).
        risk: Risk measures of the data, when no additional processing ran.
        anonymization: Result of ``anonymize`` (its ``risk_after`` is judged).
        attacks: anonymeter risks of the data to approve, if run.
        replica: A synthetic replica's evidence, if one was built.
        created_at: Report time (defaults to now, UTC).

    Returns:
        The report.

    Raises:
        ValueError: If neither ``risk`` nor ``anonymization`` is given.
    """
    if anonymization is None and risk is None:
        raise ValueError("build_risk_report needs risk measures or an anonymization result")
    judged = anonymization.risk_after if anonymization is not None else risk
    assert judged is not None
    findings = _findings(policy, judged, attacks)
    undecided = _undecided(policy, attacks)
    meets = not findings
    if not meets:
        summary = text("report.fails", count=len(findings))
    elif undecided:
        summary = text("report.meets_undecided", count=len(undecided), ran_by=ran_by)
    else:
        summary = text("report.meets", ran_by=ran_by)
    when = (created_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    language = current_language()
    return RiskReport(
        dataset=policy.dataset,
        policy_hash=policy.content_hash,
        ran_by=ran_by,
        created_at=when.isoformat(),
        language=language,
        thresholds=policy.thresholds.to_dict(),
        meets_thresholds=meets,
        summary=summary,
        findings=tuple(findings),
        risk_after=judged.to_dict(),
        risk_before=anonymization.risk_before.to_dict() if anonymization is not None else None,
        information_loss=(anonymization.information_loss.to_dict() if anonymization is not None else None),
        levels=dict(anonymization.levels) if anonymization is not None else None,
        change_log=anonymization.change_log.to_dict() if anonymization is not None else None,
        attacks=attacks.to_dict(policy.thresholds.max_attack_risk) if attacks is not None else None,
        replica=replica.to_dict() if replica is not None else None,
        undecided=tuple(undecided),
        warnings=tuple(_warnings(anonymization)),
        utility=anonymization.utility if anonymization is not None else None,
    )


# --- HTML ------------------------------------------------------------------------


def _png(fig: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Column names in Hangul may lack a glyph in the installed fonts; the
        # plot is still right and the table below it names the columns.
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{encoded}">'


def _bars(title: str, series: Mapping[str, Mapping[str, int]], ylabel: str, *, log: bool = False) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3))
    ax = fig.add_subplot()
    names = list(series)
    labels = list(next(iter(series.values())).keys()) if series else []
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        xs = [j + i * width for j in range(len(labels))]
        ax.bar(xs, [series[name][lab] for lab in labels], width=width, label=name)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(labels))])
    ax.set_xticklabels(labels)
    ax.set_ylabel(ylabel)
    if log:
        # Before processing there are thousands of tiny classes, after it a
        # few hundred large ones; a log axis keeps both visible.
        ax.set_yscale("symlog", linthresh=1)
    ax.set_title(title)
    if len(names) > 1:
        ax.legend()
    return _png(fig)


def _loss_plot(title: str, losses: list[dict[str, Any]]) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 0.5 + 0.4 * max(len(losses), 1)))
    ax = fig.add_subplot()
    ax.barh([r["column"] for r in losses], [r["non_uniform_entropy"] for r in losses])
    ax.set_xlim(0, 1)
    ax.set_title(title)
    return _png(fig)


def _attack_plot(title: str, risks: list[dict[str, Any]], threshold: float) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 0.8 + 0.4 * max(len(risks), 1)))
    ax = fig.add_subplot()
    ys = list(range(len(risks)))
    values = [r["risk"] for r in risks]
    low = [r["risk"] - r["ci_low"] for r in risks]
    high = [r["ci_high"] - r["risk"] for r in risks]
    ax.errorbar(values, ys, xerr=[low, high], fmt="o", capsize=4)
    ax.axvline(threshold, linestyle="--", color="red")
    ax.set_yticks(ys)
    ax.set_yticklabels([r["attack"] for r in risks])
    ax.set_xlim(0, 1)
    ax.set_title(title)
    return _png(fig)


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _render_html(report: RiskReport) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(report.language)}"><head><meta charset="utf-8">',
        f"<title>{e(text('report.title'))} · {e(report.dataset)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #999;padding:.2rem .5rem}"
        ".meets{background:#e6f4e6;padding:1rem}.fails{background:#fbe3e3;padding:1rem}"
        ".undecided{background:#fff4d6;padding:.5rem 2rem}.warnings{background:#fde8c8;padding:.5rem 2rem}"
        ".dist td:nth-child(n+2){text-align:right}</style>",
        "</head><body>",
        f"<h1>{e(text('report.title'))}</h1>",
        f'<p class="{"meets" if report.meets_thresholds else "fails"}"><strong>{e(report.summary)}</strong></p>',
    ]
    if report.findings:
        parts.append("<ul>" + "".join(f"<li>{e(f)}</li>" for f in report.findings) + "</ul>")
    if report.undecided:
        parts.append('<ul class="undecided">' + "".join(f"<li>{e(u)}</li>" for u in report.undecided) + "</ul>")
    if report.warnings:
        parts.append('<ul class="warnings">' + "".join(f"<li>{e(w)}</li>" for w in report.warnings) + "</ul>")
    parts.append(
        _table(
            [
                (text("report.dataset"), report.dataset),
                (text("report.policy_hash"), report.policy_hash),
                (text("report.ran_by"), report.ran_by),
                ("created_at", report.created_at),
                ("content_hash", report.content_hash),
            ],
            ("", ""),
        )
    )
    after = report.risk_after
    before = report.risk_before
    parts.append(f"<h2>{e(text('report.section_measures'))}</h2>")
    keys = (
        "records",
        "suppressed_records",
        "classes",
        "smallest_class",
        "k_required",
        "share_in_small_classes",
        "max_prosecutor_risk",
        "mean_prosecutor_risk",
        "share_above_risk_threshold",
        "sample_uniqueness",
    )
    parts.append(
        _table(
            [(k, before[k] if before else None, after[k]) for k in keys],
            ("", text("report.before"), text("report.after")),
        )
    )
    sens_rows = [
        (s["column"], s["kind"], s["distinct_l"], s["entropy_l"], s["t_closeness"]) for s in after["sensitive"]
    ]
    if sens_rows:
        parts.append(_table(sens_rows, ("sensitive", "kind", "distinct l", "entropy l", "t")))
    if after.get("population"):
        pop = after["population"]
        parts.append(
            _table(
                [
                    (k, pop[k])
                    for k in (
                        "population_size",
                        "sampling_fraction",
                        "zayatz",
                        "pitman",
                        "snb",
                        "dankar",
                        "dankar_model",
                    )
                ],
                ("population uniqueness", ""),
            )
        )
    # Plot labels stay in ASCII: the enclave's fonts may lack Hangul glyphs,
    # and the translated heading above each plot says what it shows.
    series = {"after": class_size_distribution(after["class_sizes"])}
    risk_series = {"after": records_by_risk(after["class_sizes"])}
    if before:
        series = {"before": class_size_distribution(before["class_sizes"]), **series}
        risk_series = {"before": records_by_risk(before["class_sizes"]), **risk_series}
    parts.append(f"<h2>{e(text('report.section_classes'))}</h2>")
    parts.append(_bars("Equivalence-class sizes", series, "classes", log=True))
    parts.append(f"<h2>{e(text('report.section_record_risk'))}</h2>")
    parts.append(_bars("Records by prosecutor risk", risk_series, "records", log=True))
    if report.information_loss:
        losses = report.information_loss["by_column"]
        parts.append(f"<h2>{e(text('report.section_loss'))}</h2>")
        parts.append(_loss_plot("Non-uniform entropy by column", losses))
        parts.append(
            _table(
                [
                    (
                        r["column"],
                        r["level"],
                        r["top_level"],
                        r["level_name"],
                        r["non_uniform_entropy"],
                        r["suppressed"],
                        r.get("distinct_before"),
                        r.get("distinct_after"),
                    )
                    for r in losses
                ],
                (
                    "column",
                    "level",
                    "top",
                    "level name",
                    "non-uniform entropy",
                    "values suppressed",
                    "distinct before",
                    "distinct after",
                ),
            )
        )
        loss = report.information_loss
        parts.append(
            _table(
                [
                    ("discernibility", loss["discernibility"]),
                    ("non_uniform_entropy", loss["non_uniform_entropy"]),
                    ("records with a suppressed value", loss["suppressed_records"]),
                    ("records fully suppressed", loss.get("removed_records")),
                    ("least loss over the lattice proven", loss.get("is_optimal")),
                    ("lower bound of any node's loss", loss.get("lower_bound")),
                    ("importance ranking (plan)", ", ".join(loss.get("importance") or []) or "none"),
                ],
                ("", ""),
            )
        )
    if report.utility:
        parts.append(f"<h2>{e(text('report.section_utility'))}</h2>")
        for column, u in report.utility.items():
            before, after = u["before"], u["after"]
            parts.append(
                f"<h3>{e(column)}: {u['distinct_before']} → {u['distinct_after']} distinct, "
                f"{u['suppressed_share']:.1%} suppressed, entropy {before['entropy_bits']:.2f} → "
                f"{after['entropy_bits']:.2f} bits</h3>"
            )
            ranks = max(len(before["counts"]), len(after["counts"]))
            rows: list[tuple[object, ...]] = [
                (
                    f"value #{i + 1}",
                    before["counts"][i] if i < len(before["counts"]) else None,
                    after["counts"][i] if i < len(after["counts"]) else None,
                )
                for i in range(ranks)
            ]
            rows += [
                ("further values", before["further"], after["further"]),
                ("values with fewer than k records", before["rare"], after["rare"]),
                ("*", before["suppressed"], after["suppressed"]),
            ]
            table = _table(rows, ("most common first", text("report.before"), text("report.after")))
            parts.append(table.replace("<table>", '<table class="dist">', 1))
    if report.change_log:
        parts.append(f"<h2>{e(text('report.section_changes'))}</h2>")
        parts.append(
            _table(
                [
                    (
                        c["column"],
                        c["action"],
                        c["rows_changed"],
                        c["distinct_before"],
                        c["distinct_after"],
                        c["detail"],
                    )
                    for c in report.change_log["changes"]
                ],
                ("column", "action", "rows changed", "distinct before", "distinct after", ""),
            )
        )
    threshold = float(report.thresholds["max_attack_risk"])
    if report.attacks and report.attacks["risks"]:
        parts.append(f"<h2>{e(text('report.section_attacks'))}</h2>")
        parts.append(
            _attack_plot(
                f"Attack risks ({report.attacks['confidence_level']:.0%} interval)",
                report.attacks["risks"],
                threshold,
            )
        )
        parts.append(_attack_table(report.attacks["risks"]))
    if report.replica:
        rep = report.replica
        parts.append(f"<h2>{e(text('report.section_replica'))}</h2>")
        verdict = "report.replica_may_release" if rep["may_release"] else "report.replica_may_not_release"
        parts.append(f"<p>{e(text(verdict))}</p>")
        parts.append(
            _table(
                [
                    ("synthesizer", rep["synthesizer"]),
                    ("quality_score", rep["quality_score"]),
                    ("rows_fitted", rep["rows_fitted"]),
                    ("rows_control", rep["rows_control"]),
                ],
                ("", ""),
            )
        )
        if rep["attacks"]["risks"]:
            parts.append(_attack_plot("Replica attack risks", rep["attacks"]["risks"], threshold))
            parts.append(_attack_table(rep["attacks"]["risks"]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _attack_table(risks: list[dict[str, Any]]) -> str:
    return _table(
        [
            (r["attack"], r["risk"], r["ci_low"], r["ci_high"], r["attack_rate"], r["control_rate"], r["n_attacks"])
            for r in risks
        ],
        ("attack", "risk", "ci low", "ci high", "attack rate", "control rate", "attacks"),
    )
