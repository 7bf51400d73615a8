"""The linkage quality report: counts per pass, per agency pair, and of bad identifiers.

It holds counts and rates only — no serial, key or link id — so it can be shown
to stewards and the agencies, stored with the project, and rendered as text or HTML.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from linkage.messages import text

__all__ = ["PairRate", "PassResult", "QualityReport"]


@dataclass(frozen=True)
class PassResult:
    """What one pass did.

    Attributes:
        name: The pass.
        records_with_key: Records that had a key in this pass, per agency.
        links: Merges accepted in this pass (one per key value linked).
        records_linked: Records that got their first link in this pass.
        ambiguous_duplicate: Open records whose key value appears more than once within one agency.
        ambiguous_conflict: Open records whose candidates conflict across agencies.
        ambiguous_multiple: Open records in clusters that matched more than one key value.
        kind: ``exact`` (a keyed match-key pass) or ``probabilistic`` (the
            Fellegi–Sunter pass over Bloom-filter encodings).
        candidate_pairs: Probabilistic pass: candidate pairs scored.
        review_pairs: Probabilistic pass: pairs left unlinked with a match
            probability in the clerical-review band (a count, never the pairs).
    """

    name: str
    records_with_key: dict[str, int]
    links: int
    records_linked: int
    ambiguous_duplicate: int
    ambiguous_conflict: int
    ambiguous_multiple: int
    kind: str = "exact"
    candidate_pairs: int = 0
    review_pairs: int = 0

    @property
    def ambiguous(self) -> int:
        """Return all records left unlinked as ambiguous in this pass."""
        return self.ambiguous_duplicate + self.ambiguous_conflict + self.ambiguous_multiple


@dataclass(frozen=True)
class PairRate:
    """How many records of two agencies were linked to each other.

    Attributes:
        agency_a: First agency (alphabetically).
        agency_b: Second agency.
        linked: Persons linked across the two.
        rate_a: ``linked`` / records of ``agency_a``.
        rate_b: ``linked`` / records of ``agency_b``.
    """

    agency_a: str
    agency_b: str
    linked: int
    rate_a: float
    rate_b: float


@dataclass(frozen=True)
class QualityReport:
    """The linkage unit's report on one linkage run.

    Attributes:
        project_id: The project.
        scheme_name: Match-key scheme name.
        scheme_version: Match-key scheme version.
        scheme_hash: sha256 of the scheme.
        key_id: The key id.
        created_at: UTC time, ISO 8601.
        records: Records per agency.
        passes: Per-pass results, in order.
        pairs: Match rate per agency pair.
        cluster_sizes: Linked persons by the number of agencies they span (``"1"`` = unlinked records).
        unlinked: Unlinked records per agency.
        missing_counts: Blank identifiers per agency and kind (from the manifests).
        invalid_counts: Invalid identifiers per agency and reason (from the manifests).
        package_ids: The match-key packages linked, by agency.
        seconds: Wall-clock time of the linking.
        models: Probabilistic pass: per agency pair, the fitted m and u per
            field and agreement level and the match share (figures only).
    """

    project_id: str
    scheme_name: str
    scheme_version: int
    scheme_hash: str
    key_id: str
    created_at: str
    records: dict[str, int]
    passes: list[PassResult]
    pairs: list[PairRate]
    cluster_sizes: dict[str, int]
    unlinked: dict[str, int]
    missing_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    invalid_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    package_ids: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    models: list[dict[str, Any]] = field(default_factory=list)

    def links_by_kind(self) -> dict[str, int]:
        """Return records linked by exact passes and by the probabilistic pass."""
        totals = {"exact": 0, "probabilistic": 0}
        for p in self.passes:
            totals[p.kind] = totals.get(p.kind, 0) + p.records_linked
        return totals

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-able data."""
        return asdict(self)

    def to_json(self) -> str:
        """Return the report as indented JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityReport:
        """Rebuild a report from :meth:`to_dict` output.

        Args:
            data: The report data.

        Returns:
            The report.
        """
        values = dict(data)
        values["passes"] = [PassResult(**p) for p in data.get("passes", [])]
        values["pairs"] = [PairRate(**p) for p in data.get("pairs", [])]
        return cls(**values)

    def _rows(self) -> list[tuple[str, list[list[str]], list[str]]]:
        sections: list[tuple[str, list[list[str]], list[str]]] = []
        sections.append(
            (
                text("report.records"),
                [[a, str(n), str(self.unlinked.get(a, 0))] for a, n in self.records.items()],
                ["agency", "records", "unlinked"],
            )
        )
        sections.append(
            (
                text("report.passes"),
                [
                    [
                        p.name,
                        p.kind,
                        str(p.links),
                        str(p.records_linked),
                        str(p.ambiguous_duplicate),
                        str(p.ambiguous_conflict),
                        str(p.ambiguous_multiple),
                        str(p.review_pairs),
                    ]
                    for p in self.passes
                ],
                [
                    "pass",
                    "kind",
                    "links",
                    "records linked",
                    "amb. duplicate",
                    "amb. conflict",
                    "amb. multiple",
                    "for review",
                ],
            )
        )
        sections.append(
            (
                text("report.pairs"),
                [
                    [f"{p.agency_a} - {p.agency_b}", str(p.linked), f"{p.rate_a:.4f}", f"{p.rate_b:.4f}"]
                    for p in self.pairs
                ],
                ["pair", "linked", "rate (first)", "rate (second)"],
            )
        )
        sections.append(
            (
                text("report.clusters"),
                [[k, str(v)] for k, v in sorted(self.cluster_sizes.items())],
                ["agencies", "count"],
            )
        )
        invalid_rows = [
            [agency, reason, str(count)]
            for agency, counts in sorted(self.invalid_counts.items())
            for reason, count in sorted(counts.items())
        ] + [
            [agency, f"missing {kind}", str(count)]
            for agency, counts in sorted(self.missing_counts.items())
            for kind, count in sorted(counts.items())
        ]
        sections.append((text("report.invalid"), invalid_rows, ["agency", "reason", "count"]))
        return sections

    def to_text(self) -> str:
        """Return a plain-text rendering for terminals and logs."""
        lines = [
            f"{text('report.title')}: project {self.project_id}, scheme {self.scheme_name} "
            f"v{self.scheme_version} ({self.scheme_hash[:12]}), key {self.key_id}, {self.created_at}"
        ]
        for title, rows, header in self._rows():
            lines.append("")
            lines.append(title)
            table = [header] + rows
            widths = [max(len(r[i]) for r in table) for i in range(len(header))]
            for row in table:
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        return "\n".join(lines)

    def to_html(self) -> str:
        """Return an HTML fragment (every cell escaped)."""
        esc = html.escape
        parts = [
            f"<section class='linkage-quality'><h2>{esc(text('report.title'))}</h2>",
            f"<p>project {esc(self.project_id)}, scheme {esc(self.scheme_name)} "
            f"v{self.scheme_version}, key {esc(self.key_id)}, {esc(self.created_at)}</p>",
        ]
        for title, rows, header in self._rows():
            parts.append(f"<h3>{esc(title)}</h3><table><thead><tr>")
            parts.extend(f"<th>{esc(h)}</th>" for h in header)
            parts.append("</tr></thead><tbody>")
            for row in rows:
                parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
            parts.append("</tbody></table>")
        parts.append("</section>")
        return "".join(parts)
