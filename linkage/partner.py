"""The partner tool: turn an agency's file into two sealed packages (linkage stage 4-1 to 4-3).

For each chunk of records the tool normalizes the identifiers, derives one
match key per pass, draws a random serial per record, and splits the record
into ``(serial, match keys)`` — sealed to the linkage unit — and
``(serial, content)`` — sealed to the enclave. Raw identifiers never leave
this function. Memory is bounded by the chunk size plus the two compressed
payloads (about 90 bytes per record for the match keys).
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from numpy.typing import NDArray
from tqdm import tqdm

from linkage.atomic_files import write_bytes_atomically
from linkage.bloom_filters import BloomEncoder
from linkage.content_columns import ARROW_TYPES, type_content_column
from linkage.errors import InputFileError
from linkage.match_keys import KEY_BYTES, MatchKeyer, derive_project_key
from linkage.messages import text
from linkage.normalize.match_fields import derive_match_fields
from linkage.policy import DERIVED_CONTENT, DatasetSchema, MatchKeyScheme
from linkage.precheck import EquivalenceClassCounter, describe_precheck
from linkage.sealing import read_manifest, seal_package
from linkage.source_files import check_columns, open_source

__all__ = [
    "PreparationReport",
    "PreparedSubmission",
    "SerialAllocator",
    "prepare_submission",
]


@dataclass(frozen=True)
class PreparationReport:
    """What the partner tool did, in counts only.

    Attributes:
        agency: The agency.
        dataset: The identifier schema's dataset name.
        source: Source file name.
        source_encoding: Detected encoding (or ``binary`` for Parquet).
        rows: Records read.
        keys_per_pass: Records that got a key, per pass.
        missing_counts: Blank identifier values by kind.
        invalid_counts: Invalid identifier values by reason.
        content_invalid_counts: Content values that did not parse, by column.
        match_keys_package_id: Package id of the match-key package.
        content_package_id: Package id of the content package.
        seconds: Wall-clock time.
        precheck: The identification-risk pre-check's figures (sealed into the
            content package's manifest too), or empty when the policy declares none.
    """

    agency: str
    dataset: str
    source: str
    source_encoding: str
    rows: int
    keys_per_pass: dict[str, int]
    missing_counts: dict[str, int]
    invalid_counts: dict[str, int]
    content_invalid_counts: dict[str, int]
    match_keys_package_id: str
    content_package_id: str
    seconds: float
    precheck: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-able data."""
        return asdict(self)

    def to_text(self) -> str:
        """Return a short readable summary."""
        lines = [
            f"agency {self.agency} (dataset {self.dataset}), {self.rows} records from "
            f"{self.source} [{self.source_encoding}] in {self.seconds:.1f} s",
            "keys per pass: "
            + ", ".join(f"{k}={v}" for k, v in self.keys_per_pass.items()),
            "missing identifiers: "
            + (", ".join(f"{k}={v}" for k, v in sorted(self.missing_counts.items())) or "none"),
            "invalid identifiers: "
            + (", ".join(f"{k}={v}" for k, v in sorted(self.invalid_counts.items())) or "none"),
            "unparsed content values: "
            + (
                ", ".join(f"{k}={v}" for k, v in sorted(self.content_invalid_counts.items()))
                or "none"
            ),
            describe_precheck(self.precheck),
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class PreparedSubmission:
    """The two sealed packages of one agency, and the report.

    Attributes:
        match_keys_package: Sealed to the linkage unit.
        content_package: Sealed to the enclave.
        report: Counts.
        match_keys_path: Where the match-key package was written, if it was.
        content_path: Where the content package was written, if it was.
    """

    match_keys_package: bytes = field(repr=False)
    content_package: bytes = field(repr=False)
    report: PreparationReport
    match_keys_path: Path | None = None
    content_path: Path | None = None


class SerialAllocator:
    """Draws random, unique, non-negative 63-bit serials from the OS's CSPRNG.

    Serials are random rather than row numbers so that the order of an agency's
    file, and therefore anything correlated with it, does not reach the other
    parties. Uniqueness is checked against every serial already handed out.
    """

    def __init__(self) -> None:
        self._used = np.empty(0, dtype=np.int64)

    def take(self, n: int) -> NDArray[Any]:
        """Return ``n`` new serials, in random order.

        Args:
            n: How many.

        Returns:
            An int64 array of unique serials never returned before.
        """
        out = np.frombuffer(secrets.token_bytes(8 * n), dtype=np.uint64) >> np.uint64(1)
        out = out.astype(np.int64)
        while True:
            ordered = np.sort(out)
            repeated = ordered[1:][ordered[1:] == ordered[:-1]]
            pos = np.searchsorted(self._used, out)
            pos = np.minimum(pos, max(len(self._used) - 1, 0))
            clash = (self._used[pos] == out) if len(self._used) else np.zeros(n, dtype=bool)
            if len(repeated):
                clash |= np.isin(out, repeated) & _later_copies(out)
            if not clash.any():
                break
            # Redraw only the clashing positions (a 63-bit collision is rare).
            redraw = np.frombuffer(secrets.token_bytes(8 * int(clash.sum())), dtype=np.uint64)
            out[clash] = (redraw >> np.uint64(1)).astype(np.int64)
        # Already-sorted runs make this a linear merge for the stable sort.
        self._used = np.sort(np.concatenate([self._used, ordered]), kind="stable")
        return out


def _later_copies(values: NDArray[Any]) -> NDArray[Any]:
    """Mark every occurrence of a value except its first."""
    _, first = np.unique(values, return_index=True)
    mask = np.ones(len(values), dtype=bool)
    mask[first] = False
    return mask


@dataclass(frozen=True)
class _ChunkResult:
    keys: pa.Table
    content: pa.Table
    missing: dict[str, int]
    invalid: dict[str, int]
    content_invalid: dict[str, int]


_WORKER: dict[str, Any] = {}


#: Arrow types of the derived demographic columns.
DERIVED_TYPES: dict[str, pa.DataType] = {"sex": pa.string(), "birth_year": pa.int16(), "region_code": pa.string()}


def _derived_array(values: pd.Series, name: str) -> pa.Array:
    """Turn a normalized match field into a derived content column (null where not derivable)."""
    if name == "birth_year":
        return pa.array(pd.to_numeric(values, errors="coerce").astype("Int16"), type=pa.int16())
    return pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())


def _process_chunk(
    frame: pd.DataFrame, schema: DatasetSchema, keyer: MatchKeyer, encoder: BloomEncoder | None = None
) -> _ChunkResult:
    fields = derive_match_fields(frame, schema)
    keys = keyer.derive(fields.fields)
    if encoder is not None:
        # The error-tolerant encodings travel beside the exact keys, in the same sealed package.
        encoded = encoder.encode(fields.fields)
        for name in encoded.column_names:
            keys = keys.append_column(name, encoded.column(name))
    content_arrays = {}
    content_invalid: dict[str, int] = {}
    for column in schema.content:
        array, bad = type_content_column(frame[column.column], column)
        content_arrays[column.column] = array
        if bad:
            content_invalid[column.column] = bad
    for name in schema.derived:
        content_arrays[name] = _derived_array(fields.fields[DERIVED_CONTENT[name]], name)
    content = pa.table(content_arrays) if content_arrays else pa.table({})
    return _ChunkResult(keys, content, fields.missing, fields.invalid, content_invalid)


def _init_worker(schema: DatasetSchema, keyer: MatchKeyer, encoder: BloomEncoder | None) -> None:
    _WORKER["schema"] = schema
    _WORKER["keyer"] = keyer
    _WORKER["encoder"] = encoder


def _worker_chunk(frame: pd.DataFrame) -> _ChunkResult:
    return _process_chunk(frame, _WORKER["schema"], _WORKER["keyer"], _WORKER["encoder"])


def _results(
    chunks: Iterator[pd.DataFrame],
    schema: DatasetSchema,
    keyer: MatchKeyer,
    workers: int,
    encoder: BloomEncoder | None = None,
) -> Iterator[_ChunkResult]:
    if workers <= 1:
        for frame in chunks:
            yield _process_chunk(frame, schema, keyer, encoder)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(schema, keyer, encoder)
    ) as pool:
        # At most two chunks in flight per worker keeps memory bounded.
        pending: deque[Future[_ChunkResult]] = deque()
        for frame in chunks:
            pending.append(pool.submit(_worker_chunk, frame))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _add_counts(total: dict[str, int], part: dict[str, int]) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def prepare_submission(
    source: str | Path,
    *,
    agency: str,
    schema: DatasetSchema,
    scheme: MatchKeyScheme,
    project_id: str,
    key_id: str,
    linkage_secret: bytes,
    signer: Ed25519PrivateKey,
    linkage_unit_public: X25519PublicKey,
    enclave_public: X25519PublicKey,
    output_dir: str | Path | None = None,
    chunk_rows: int = 100_000,
    workers: int = 1,
    progress: bool = False,
) -> PreparedSubmission:
    """Prepare an agency's file: normalize, derive match keys, split, seal.

    Args:
        source: CSV (UTF-8, UTF-8-BOM or CP949) or Parquet file.
        agency: The agency's name, as the other parties trust its signing key.
        schema: The dataset's identifier schema.
        scheme: The project's match-key scheme.
        project_id: The project.
        key_id: The match-key key id agreed for the project.
        linkage_secret: The project's linkage secret (32 bytes).
        signer: The agency's Ed25519 signing key.
        linkage_unit_public: The linkage unit's X25519 sealing key.
        enclave_public: The enclave's X25519 sealing key.
        output_dir: If given, both packages are written there atomically as
            ``<agency>.match_keys.pkg`` and ``<agency>.content.pkg``.
        chunk_rows: Records per chunk (bounds memory).
        workers: Processes for normalization and hashing (1 = in this process).
        progress: Show a progress bar on stderr.

    Returns:
        The two sealed packages and the preparation report.

    Raises:
        InputFileError: Missing or unreadable file, or no records.
        EncodingError: Neither UTF-8 nor CP949.
        ColumnMismatchError: Missing and/or undeclared columns (all listed).
    """
    started = time.perf_counter()
    opened = open_source(source)
    check_columns(opened, schema)
    project_key = derive_project_key(linkage_secret, project_id, key_id)
    keyer = MatchKeyer(scheme, project_key, key_id)
    encoder = BloomEncoder(scheme, project_key, key_id) if scheme.probabilistic is not None else None
    serials = SerialAllocator()
    key_schema = pa.schema(
        [pa.field("serial", pa.int64(), nullable=False)]
        + [pa.field(p.column, pa.binary(KEY_BYTES)) for p in scheme.passes]
        + (encoder.columns() if encoder is not None else [])
    )
    content_schema = pa.schema(
        [pa.field("serial", pa.int64(), nullable=False)]
        + [pa.field(c.column, ARROW_TYPES[c.type]) for c in schema.content]
        + [pa.field(name, DERIVED_TYPES[name]) for name in schema.derived]
    )
    key_sink, content_sink = io.BytesIO(), io.BytesIO()
    key_writer = pq.ParquetWriter(key_sink, key_schema, compression="zstd")
    content_writer = pq.ParquetWriter(content_sink, content_schema, compression="zstd")
    rows = 0
    keys_per_pass = {p.name: 0 for p in scheme.passes}
    missing: dict[str, int] = {}
    invalid: dict[str, int] = {}
    content_invalid: dict[str, int] = {}
    # Stage 2 at the agency: the pre-check sees exactly the content that is sealed, chunk by chunk.
    classes = EquivalenceClassCounter(schema.precheck) if schema.precheck is not None else None
    bar = tqdm(
        desc=text("progress.prepare"), unit=" records", disable=not progress, leave=False
    )
    try:
        for result in _results(opened.chunks(chunk_rows), schema, keyer, workers, encoder):
            n = result.keys.num_rows
            serial = pa.array(serials.take(n), pa.int64())
            key_table = pa.Table.from_arrays(
                [serial] + [result.keys.column(name) for name in key_schema.names[1:]],
                schema=key_schema,
            )
            content_arrays = [serial] + [
                result.content.column(c) for c in [*(c.column for c in schema.content), *schema.derived]
            ]
            content_table = pa.Table.from_arrays(content_arrays, schema=content_schema)
            key_writer.write_table(key_table)
            content_writer.write_table(content_table)
            if classes is not None:
                classes.add(content_table)
            for p in scheme.passes:
                keys_per_pass[p.name] += n - result.keys.column(p.column).null_count
            _add_counts(missing, result.missing)
            _add_counts(invalid, result.invalid)
            _add_counts(content_invalid, result.content_invalid)
            rows += n
            bar.update(n)
    finally:
        bar.close()
        key_writer.close()
        content_writer.close()
    if rows == 0:
        raise InputFileError(text("input.empty", path=opened.path.name))
    precheck = classes.result().to_dict() if classes is not None else {}

    common = {
        "agency": agency,
        "project_id": project_id,
        "key_id": key_id,
        "schema_name": schema.dataset,
        "schema_version": schema.version,
        "schema_hash": schema.content_hash,
        "scheme_name": scheme.name,
        "scheme_version": scheme.version,
        "scheme_hash": scheme.content_hash,
    }
    match_package = seal_package(
        key_sink.getvalue(),
        {
            **common,
            "kind": "match_keys",
            "missing_counts": missing,
            "invalid_counts": invalid,
            "probabilistic": scheme.probabilistic.to_dict() if scheme.probabilistic is not None else {},
        },
        linkage_unit_public,
        signer,
    )
    content_package = seal_package(
        content_sink.getvalue(),
        {**common, "kind": "content", "invalid_counts": content_invalid, "precheck": precheck},
        enclave_public,
        signer,
    )
    report = PreparationReport(
        agency=agency,
        dataset=schema.dataset,
        source=opened.path.name,
        source_encoding=opened.encoding,
        rows=rows,
        keys_per_pass=keys_per_pass,
        missing_counts=missing,
        invalid_counts=invalid,
        content_invalid_counts=content_invalid,
        match_keys_package_id=read_manifest(match_package).package_id,
        content_package_id=read_manifest(content_package).package_id,
        seconds=round(time.perf_counter() - started, 3),
        precheck=precheck,
    )
    match_path = content_path = None
    if output_dir is not None:
        out = Path(output_dir)
        match_path = write_bytes_atomically(out / f"{agency}.match_keys.pkg", match_package)
        content_path = write_bytes_atomically(out / f"{agency}.content.pkg", content_package)
        write_bytes_atomically(
            out / f"{agency}.preparation.json",
            json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode("utf-8"),
        )
    return PreparedSubmission(match_package, content_package, report, match_path, content_path)
