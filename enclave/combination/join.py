"""Combination (결합, stage 4-4): join the agencies' content through the linkage map.

This is the enclave's side of linkage, and it never sees an identifier or a
match key: its inputs are ``(serial, content)`` tables opened from content
packages and the linkage map ``(agency, serial, link_id)``. Link ids are
replaced by *project pseudonyms* — ``HMAC-SHA256(project key, link id)``,
hex-truncated to 128 bits — so two projects' data can never be joined, and
link ids (which the linkage unit also knows) never reach researchers.

One output row per person (link id). Content columns keep their names unless
two agencies use the same name, in which case each becomes ``<agency>_<column>``;
the shared demographics (:data:`SHARED_COLUMNS`) are merged into one column instead.
With ``keep_unlinked=False`` only persons linked across at least two agencies
are kept; a person partially linked (two of three agencies) is kept with nulls
for the missing agency. Rows come out sorted by pseudonym, i.e. in random
order, so row order reveals neither the agencies' files nor the linkage.

Pure library: pandas/pyarrow/duckdb/cryptography only — no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from enclave.errors import InputError
from enclave.messages import text
from linkage.match_keys import hmac_spans

__all__ = ["PSEUDONYM_COLUMN", "SHARED_COLUMNS", "combine_submissions", "derive_pseudonyms", "pseudonymize_serials"]

PSEUDONYM_COLUMN = "pseudonym"
_AGENCY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Domains of the project pseudonym: link ids (combination) and one agency's
#: serials (single-dataset provision) are different number spaces, so each
#: hashes under its own domain and the two can never produce the same pseudonym.
_DOMAINS = {"link_id": b"enclave-project-pseudonym/v1\x00", "serial": b"enclave-project-pseudonym/serial/v1\x00"}


def derive_pseudonyms(link_ids: np.ndarray, pseudonym_key: bytes, *, of: str = "link_id") -> list[str]:
    """Return the project pseudonym of each link id (or serial).

    The keyed hash is the partner tool's own HMAC stage
    (:func:`linkage.match_keys.hmac_spans`), so match keys and pseudonyms share
    one implementation: the link ids, as 8-byte big-endian integers, lie end to
    end in one buffer, hashed under the project's pseudonym key after the
    pseudonym domain.

    Args:
        link_ids: int64 link ids.
        pseudonym_key: The project's pseudonym key (32 bytes or more).
        of: ``"link_id"`` for link ids from the linkage map, ``"serial"`` for
            one agency's serials when a single dataset is provided.

    Returns:
        32 hex characters (the first 128 bits of the tag) per link id.
    """
    raw = np.ascontiguousarray(np.asarray(link_ids, dtype=">i8")).tobytes()
    count = len(raw) // 8
    if count == 0:
        return []
    starts = np.arange(0, 8 * count + 1, 8, dtype=np.int64)
    tags = hmac_spans(pseudonym_key, raw, starts, _DOMAINS[of])
    text_hex = np.ascontiguousarray(tags[:, :16]).tobytes().hex()
    return [text_hex[i : i + 32] for i in range(0, len(text_hex), 32)]


def _check_inputs(contents: Mapping[str, pa.Table], linkage_map: pa.Table, key: bytes) -> None:
    if len(key) < 32:
        raise InputError(text("combination.short_key"))
    missing = {"agency", "serial", "link_id"} - set(linkage_map.column_names)
    if missing:
        raise InputError(text("combination.map_columns", columns=sorted(missing)))
    if not contents:
        raise InputError(text("combination.no_content"))
    for agency, table in contents.items():
        if not _AGENCY_RE.match(agency):
            raise InputError(text("combination.bad_agency"))
        if "serial" not in table.column_names:
            raise InputError(text("combination.no_serial", agency=agency))
        forbidden = [c for c in table.column_names if c.startswith("mk_") or c == PSEUDONYM_COLUMN]
        if forbidden:
            # Match keys must never reach the enclave; refuse rather than drop silently.
            raise InputError(text("combination.reserved", agency=agency, columns=forbidden))


def combine_submissions(
    contents: Mapping[str, pa.Table],
    linkage_map: pa.Table,
    pseudonym_key: bytes,
    keep_unlinked: bool,
) -> pa.Table:
    """Join the agencies' content through the linkage map into one table with project pseudonyms.

    Args:
        contents: Content tables (``serial`` + content columns) by agency.
        linkage_map: ``agency``, ``serial``, ``link_id`` (``link_pass`` is ignored).
        pseudonym_key: The project's pseudonym key.
        keep_unlinked: Keep persons found in one agency only.

    Returns:
        ``pseudonym`` then every agency's content columns (prefixed ``<agency>_`` where
        names clash), one row per person, in pseudonym order.

    Raises:
        InputError: Inputs of the wrong shape, reserved columns, or a short key.
    """
    _check_inputs(contents, linkage_map, pseudonym_key)
    agencies = sorted(contents)
    names: dict[str, int] = {}
    for agency in agencies:
        for column in contents[agency].column_names:
            if column != "serial":
                names[column] = names.get(column, 0) + 1
    con = duckdb.connect()
    con.register("map_in", linkage_map.select(["agency", "serial", "link_id"]))
    con.register("wanted", pa.table({"agency": pa.array(agencies, pa.string())}))
    con.execute(
        "CREATE TEMP TABLE m AS SELECT agency, serial, link_id FROM map_in "
        "WHERE agency IN (SELECT agency FROM wanted)"
    )
    having = "" if keep_unlinked else "HAVING count(DISTINCT agency) >= 2"
    con.execute(f"CREATE TEMP TABLE persons AS SELECT link_id FROM m GROUP BY link_id {having}")
    select = ["p.link_id"]
    joins = []
    for i, agency in enumerate(agencies):
        view = f"c{i}"
        con.register(view, contents[agency])
        cols = []
        for column in contents[agency].column_names:
            if column == "serial":
                continue
            out = f"{agency}_{column}" if names[column] > 1 else column
            quoted_in = '"' + column.replace('"', '""') + '"'
            quoted_out = '"' + out.replace('"', '""') + '"'
            cols.append(f"{view}.{quoted_in} AS {quoted_out}")
        part = f"a{i}"
        con.execute(
            f"CREATE TEMP TABLE {part} AS SELECT m.link_id"
            + "".join(f", {c}" for c in cols)
            + f" FROM {view} JOIN m ON m.agency = ? AND m.serial = {view}.serial",
            [agency],
        )
        select.extend(
            f'{part}."{(f"{agency}_{c}" if names[c] > 1 else c).replace(chr(34), chr(34) * 2)}"'
            for c in contents[agency].column_names
            if c != "serial"
        )
        joins.append(f"LEFT JOIN {part} ON {part}.link_id = p.link_id")
    table = con.sql(
        f"SELECT {', '.join(select)} FROM persons p {' '.join(joins)}"
    ).to_arrow_table()
    con.close()
    pseudonyms = derive_pseudonyms(table.column("link_id").to_numpy(), pseudonym_key)
    table = table.drop_columns(["link_id"])
    table = _coalesce_demographics(table, agencies, names)
    table = table.add_column(0, PSEUDONYM_COLUMN, pa.array(pseudonyms, pa.string()))
    return table.sort_by(PSEUDONYM_COLUMN)


#: Demographic columns agencies derive from their identifiers (``derived_content``
#: in the identifier policies). They describe the person, not the registry, so
#: one column each is kept rather than one per agency.
SHARED_COLUMNS: tuple[str, ...] = ("sex", "birth_year", "region_code")


def _coalesce_demographics(table: pa.Table, agencies: list[str], names: dict[str, int]) -> pa.Table:
    """Merge each shared demographic column held by several agencies into one.

    The first agency (in name order) that has a value for the person wins:
    registries can disagree (a move not yet reported to one of them), and a
    fixed order keeps the result reproducible.
    """
    for column in SHARED_COLUMNS:
        if names.get(column, 0) < 2:
            continue
        parts = [f"{agency}_{column}" for agency in agencies if f"{agency}_{column}" in table.column_names]
        types = {table.schema.field(p).type for p in parts}
        if len(types) != 1:
            continue
        merged = pc.coalesce(*(table.column(p) for p in parts))
        table = table.drop_columns(parts).add_column(0, column, merged)
    return table


def pseudonymize_serials(agency: str, content: pa.Table, pseudonym_key: bytes) -> pa.Table:
    """Replace one agency's serials by project pseudonyms (가명정보 제공: one dataset, no linkage).

    Args:
        agency: The agency's code.
        content: Its content table (``serial`` + content columns).
        pseudonym_key: The project's pseudonym key.

    Returns:
        ``pseudonym`` then the content columns, one row per record, in pseudonym order.

    Raises:
        InputError: Inputs of the wrong shape, reserved columns, a short key, or
            a serial that occurs twice (a package the partner tool did not make).
    """
    empty_map = pa.table({"agency": pa.array([], pa.string()), "serial": pa.array([], pa.int64()),
                          "link_id": pa.array([], pa.int64())})
    _check_inputs({agency: content}, empty_map, pseudonym_key)
    serials = content.column("serial").cast(pa.int64())
    if pc.count_distinct(serials).as_py() != content.num_rows or serials.null_count:
        raise InputError(text("combination.duplicate_serials", agency=agency))
    pseudonyms = derive_pseudonyms(serials.to_numpy(), pseudonym_key, of="serial")
    table = content.drop_columns(["serial"]).add_column(0, PSEUDONYM_COLUMN, pa.array(pseudonyms, pa.string()))
    return table.sort_by(PSEUDONYM_COLUMN)
