"""Reading an agency's source file: CSV (UTF-8, UTF-8 with BOM, or CP949) or Parquet.

The encoding is detected from the first megabyte: a UTF-8 BOM, then strict
UTF-8, then CP949 (the Windows Korean code page many agency exports still
use). Anything else is refused with the file name and byte offset, never with
content. Files are read in chunks so memory stays bounded whatever their size;
every value is read as text so leading zeros of codes and numbers survive.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from linkage.errors import ColumnMismatchError, EncodingError, InputFileError
from linkage.messages import text
from linkage.policy import DatasetSchema

__all__ = ["SourceFile", "check_columns", "detect_encoding", "open_source"]

_SAMPLE = 1 << 20


def detect_encoding(path: Path) -> str:
    """Return ``utf-8-sig``, ``utf-8`` or ``cp949`` for a CSV file.

    Args:
        path: The file.

    Returns:
        The codec name to read it with.

    Raises:
        EncodingError: If the start of the file is neither UTF-8 nor CP949.
    """
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingError(text("input.bad_encoding", path=path.name, offset=0))
    offset = 0
    for codec in ("utf-8", "cp949"):
        decoder = codecs.getincrementaldecoder(codec)("strict")
        try:
            # final=False: a character cut at the sample's end is not an error.
            decoder.decode(sample, final=len(sample) < _SAMPLE)
            return codec
        except UnicodeDecodeError as exc:
            offset = max(offset, exc.start)
    raise EncodingError(text("input.bad_encoding", path=path.name, offset=offset))


@dataclass(frozen=True)
class SourceFile:
    """An opened source file.

    Attributes:
        path: The file.
        format: ``csv`` or ``parquet``.
        encoding: The detected encoding (``binary`` for Parquet).
        columns: Column names from the header.
    """

    path: Path
    format: str
    encoding: str
    columns: tuple[str, ...]

    def chunks(self, rows: int) -> Iterator[pd.DataFrame]:
        """Yield the records in chunks of at most ``rows``, all values as text.

        Args:
            rows: Chunk size.

        Yields:
            DataFrames with the file's columns, in file order.

        Raises:
            EncodingError: If a later part of a CSV is not in the detected encoding.
            InputFileError: If a CSV row has the wrong number of fields.
        """
        if self.format == "parquet":
            parquet = pq.ParquetFile(self.path)
            for batch in parquet.iter_batches(batch_size=rows):
                frame = batch.to_pandas()
                frame.columns = list(self.columns)
                yield frame
            return
        reader = pd.read_csv(
            self.path,
            encoding=self.encoding,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            chunksize=rows,
            encoding_errors="strict",
        )
        done = 0
        try:
            for chunk in reader:
                done += len(chunk)
                chunk.columns = list(self.columns)
                yield chunk
        except UnicodeDecodeError:
            raise EncodingError(
                text("input.bad_encoding", path=self.path.name, offset=f"after row {done}")
            ) from None
        except pd.errors.ParserError as exc:
            found = re.search(r"line (\d+)", str(exc))
            row = found.group(1) if found else f"after {done}"
            raise InputFileError(text("input.bad_csv", path=self.path.name, row=row)) from None
        finally:
            reader.close()


def open_source(path: str | Path) -> SourceFile:
    """Open a CSV or Parquet source file and read its header.

    Args:
        path: The file; ``.parquet``/``.pq`` is read as Parquet, anything else as CSV.

    Returns:
        The opened file.

    Raises:
        InputFileError: If the file is missing or unreadable.
        EncodingError: If a CSV is neither UTF-8 nor CP949.
    """
    source = Path(path)
    if not source.is_file():
        raise InputFileError(text("input.missing_file", path=source))
    if source.suffix.lower() in (".parquet", ".pq"):
        try:
            names = tuple(unicodedata.normalize("NFC", n) for n in pq.read_schema(source).names)
        except Exception:
            raise InputFileError(text("input.bad_format", path=source.name)) from None
        return SourceFile(source, "parquet", "binary", names)
    encoding = detect_encoding(source)
    try:
        header = pd.read_csv(source, encoding=encoding, dtype=str, nrows=0)
    except UnicodeDecodeError:
        raise EncodingError(text("input.bad_encoding", path=source.name, offset=0)) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        raise InputFileError(text("input.bad_format", path=source.name)) from None
    names = tuple(unicodedata.normalize("NFC", str(c).strip()) for c in header.columns)
    return SourceFile(source, "csv", encoding, names)


def check_columns(source: SourceFile, schema: DatasetSchema) -> None:
    """Check the file's columns against the schema, reporting missing and extra together.

    Args:
        source: The opened file.
        schema: The dataset's identifier schema.

    Raises:
        ColumnMismatchError: If any declared column is missing or any column is undeclared.
    """
    have = list(source.columns)
    declared = list(schema.columns)
    missing = [c for c in declared if c not in have]
    extra = [c for c in have if c not in declared]
    duplicated = sorted({c for c in have if have.count(c) > 1})
    extra += [f"{c} (twice)" for c in duplicated]
    if missing or extra:
        raise ColumnMismatchError(
            text(
                "input.columns",
                path=source.path.name,
                dataset=schema.dataset,
                missing=", ".join(missing) or "none",
                extra=", ".join(extra) or "none",
            ),
            missing=missing,
            extra=extra,
        )
