"""ANJANA, the named peer of ``anonymize.py``, run inside ANJANA's own virtual environment.

Not a benchmark of its own (the underscore keeps CI from running it): it
reads the table (CSV, every column as text) and a JSON spec (quasi-
identifiers, hierarchies as ARX-style tables of levels, k, l, suppression
budget in percent, sensitive attribute), runs ``anjana.anonymity.l_diversity``
(which reaches k-anonymity first), writes the result with each kept row's
``row_id`` and prints one JSON line: seconds and rows kept.

Usage (by ``anonymize.py``)::

    /path/to/anjana-venv/bin/python benchmarks/_anjana_peer.py table.csv spec.json out.csv
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path

import pandas as pd
from anjana.anonymity import k_anonymity, l_diversity


def main() -> None:
    table, spec_path, out = sys.argv[1:4]
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    data = pd.read_csv(table, dtype=str, keep_default_na=False)
    hierarchies = {
        column: {int(level): pd.Series(values) for level, values in levels.items()}
        for column, levels in spec["hierarchies"].items()
    }
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # ANJANA prints its progress
        if spec.get("l"):
            result = l_diversity(
                data, [], spec["quasi_identifiers"], spec["sensitive"], spec["k"], spec["l"],
                spec["supp_level"], hierarchies,
            )
        else:
            result = k_anonymity(data, [], spec["quasi_identifiers"], spec["k"], spec["supp_level"], hierarchies)
    seconds = time.perf_counter() - start
    result.to_csv(out, index=False)
    print(json.dumps({"seconds": seconds, "rows": len(result)}))


if __name__ == "__main__":
    main()
