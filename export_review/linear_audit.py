"""Linear differencing audit across every released output of a project.

The pairwise check (:meth:`ReleaseLedger.find_collisions`) catches a cell that
one released cell isolates a few records from. A researcher can also combine
several: ``A − B − C``, a margin minus the visible cells of a linked table, or
a zero that pins a suppressed cell. This audit asks the general question over
the record atoms the enclave's recomputation knows:

* Every released cell (of earlier releases, of the same request and of the new
  output) is the set of records behind it; the enclave knows each set exactly
  from its own digests. Records behind exactly the same cells form an *atom*.
* A released count is one linear equation: the sum of its atoms' sizes. An
  atom's size is determined exactly by the released counts when its unit
  vector lies in the row space of the cell × atom incidence matrix ``A``,
  i.e. when the atom's row of a basis of ``A``'s null space is zero.
* The new output fails when some atom of 1 to ``threshold − 1`` records is
  determined with it but was not determined without it, unless that atom is
  simply one of its own visible cells (that is ``MinimumCellCount``'s
  finding). A least-squares solution of ``Aᵀy = e_atom`` names the outputs
  whose cells take part.

Bounds: the audit is exact for counts (interval narrowing short of exact
determination, the linear-programming audit of τ-ARGUS/sdcTable, is not
computed); rounded tables enter as exact counts, which over-reports; magnitude
values are not modelled, only the record sets behind them. Cost: atoms are
found in ``O(M log M)`` over the ``M`` member digests of all cells; the rank
test is one SVD of the incidence matrix, ``O(c·a·min(c, a))`` for ``c`` cells
and ``a`` atoms, twice per output. Above :data:`MAX_MATRIX` entries the audit
does not run and says so (review), rather than stall a submission.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from export_review.checks.base import CheckResult
from export_review.ledger import LedgerEntry
from export_review.messages import text

__all__ = [
    "LINEAR_AUDIT_RULE",
    "LINEAR_AUDIT_VERSION",
    "MAX_MATRIX",
    "Disclosure",
    "audit_linear",
    "check_linear_differencing",
]

LINEAR_AUDIT_RULE = "LinearDifferencing"
LINEAR_AUDIT_VERSION = "1.0"
#: Largest cell × atom matrix audited (entries); beyond it the output goes to review.
MAX_MATRIX = 40_000_000
_TOL = 1e-8


@dataclass(frozen=True)
class Disclosure:
    """An atom of records the released counts determine.

    Attributes:
        size: records in the atom.
        outputs: the outputs whose cells combine to determine it.
    """

    size: int
    outputs: tuple[str, ...]


def _atoms(cells: list[npt.NDArray[np.uint64]]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return the cell × atom incidence matrix and each atom's size."""
    if not cells:
        return np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
    digests = np.concatenate(cells)
    owner = np.repeat(np.arange(len(cells)), [c.size for c in cells])
    records, record_of = np.unique(digests, return_inverse=True)
    # A record's signature is the set of cells holding it: two random 64-bit sums
    # of per-cell weights identify it (collisions are negligible at 2^-128).
    rng = np.random.default_rng(20261203)
    signature = np.zeros((records.size, 2), dtype=np.uint64)
    for column in range(2):
        weights = rng.integers(1, 2**63, size=len(cells), dtype=np.uint64)
        np.add.at(signature[:, column], record_of, weights[owner])
    _, atom_of_record, sizes = np.unique(signature, axis=0, return_inverse=True, return_counts=True)
    atom_of_record = atom_of_record.reshape(-1)
    matrix = np.zeros((len(cells), sizes.size))
    matrix[owner, atom_of_record[record_of]] = 1.0
    return matrix, sizes.astype(np.int64)


def _determined(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Tell, per atom (column), whether its size follows from the row sums."""
    if matrix.size == 0:
        return np.zeros(matrix.shape[1], dtype=bool)
    _, s, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((s > _TOL * max(matrix.shape) * (s[0] if s.size else 1)).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    return np.asarray(np.linalg.norm(null, axis=0) < 1e-6)


def audit_linear(new: LedgerEntry, earlier: Sequence[LedgerEntry],
                 threshold: int) -> list[Disclosure] | None:
    """Find atoms of fewer than ``threshold`` records that ``new`` lets the released counts determine.

    Args:
        new: the new output's released cells (the enclave's members).
        earlier: released outputs of the project and the other outputs of the request.
        threshold: fewest records a determined set may hold.

    Returns:
        The disclosures (empty when none), or ``None`` when the matrix is too
        large to audit.
    """
    old_cells = [(e.output_name, c) for e in earlier for c in e.cells if c.members.size]
    new_cells = [(new.output_name, c) for c in new.cells if c.members.size]
    if not new_cells:
        return []
    members = [c.members for _, c in old_cells + new_cells]
    matrix, sizes = _atoms(members)
    if matrix.size > MAX_MATRIX:
        return None
    with_new = _determined(matrix)
    without = _determined(matrix[: len(old_cells)]) if old_cells else np.zeros(sizes.size, bool)
    own = matrix[len(old_cells):]
    found: list[Disclosure] = []
    for atom in np.flatnonzero(with_new & ~without & (sizes > 0) & (sizes < threshold)):
        # One of the new output's own cells holding just this atom is MinimumCellCount's finding.
        if any(row[atom] == 1 and row.sum() == 1 for row in own):
            continue
        target = np.zeros(sizes.size)
        target[atom] = 1.0
        weights, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
        names = [name for (name, _), w in zip(old_cells + new_cells, weights, strict=True)
                 if abs(w) > 1e-6 and name != new.output_name]
        found.append(Disclosure(int(sizes[atom]), tuple(dict.fromkeys(names))))
    return found


def check_linear_differencing(new: LedgerEntry, earlier: Sequence[LedgerEntry],
                              threshold: int) -> CheckResult:
    """Run :func:`audit_linear` and phrase the result, naming the earlier outputs involved."""
    found = audit_linear(new, earlier, threshold)
    if found is None:
        return CheckResult(LINEAR_AUDIT_RULE, LINEAR_AUDIT_VERSION, "review",
                           text("rule.linear.too_large"))
    if not found:
        return CheckResult(LINEAR_AUDIT_RULE, LINEAR_AUDIT_VERSION, "pass", text("rule.linear.pass"))
    others = tuple(dict.fromkeys(n for d in found for n in d.outputs))
    return CheckResult(LINEAR_AUDIT_RULE, LINEAR_AUDIT_VERSION, "fail",
                       text("rule.linear.fail", n=len(found), threshold=threshold,
                            others=", ".join(others[:8]) or "-"),
                       (), others)
