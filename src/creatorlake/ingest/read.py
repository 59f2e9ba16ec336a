"""Files -> raw records: one row per record with its line number, raw text and string fields.

Approach: a file is read in the driver with Python's csv and json modules, bounded by
`ingest.max_file_mb`. Only this split into records is done in Python; every
check of a record's values (types, enumerations, money, keys, foreign keys) runs
as Spark column expressions in `validate.py`. The csv module, unlike a line
splitter, keeps a quoted field with embedded newlines in one record and knows the
physical lines it spans, so a quarantined record shows its exact raw text and line.
A record that cannot be split (bad UTF-8, a NUL byte, the wrong number of columns,
invalid JSON) is kept with its parse error, to be quarantined as `unparseable`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from creatorlake.bronze.schemas import BronzeTable, TABLES
from creatorlake.core.errors import CreatorLakeError

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
LINE, RAW, ERROR = "_line", "_raw", "_parse_error"


class UnreadableFile(CreatorLakeError):
    """The file as a whole cannot be read as the entity's records: nothing of it is written."""


@dataclass(frozen=True)
class RawFile:
    path: Path
    entity: str
    checksum: str
    records: pd.DataFrame  # LINE, RAW, ERROR and one nullable string column per file column


def file_columns(table: BronzeTable) -> list[str]:
    """The columns a file of this entity may carry: the declared ones except derived partition dates."""
    return [c.name for c in table.columns if c.date_of is None]


def entity_for(path: Path) -> str:
    """--auto: the entity a file name stands for, e.g. transactions.csv, transactions_2024-05.csv."""
    stem = path.name.split(".")[0].lower()
    matches = [t.name for t in TABLES if stem == t.name or stem.startswith(t.name + "_") or stem.startswith(t.name + "-")]
    if not matches:
        raise UnreadableFile(f"{path}: cannot tell the entity from the file name (known: {', '.join(t.name for t in TABLES)}); use --entity")
    return max(matches, key=len)


def _decode_lines(path: Path, data: bytes) -> tuple[list[str], set[int]]:
    """Physical lines as text; lines that are not valid UTF-8 are decoded with replacement and remembered."""
    lines, bad = [], set()
    for i, raw in enumerate(data.splitlines(keepends=True)):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", "replace"))
            bad.add(i)
    return lines, bad


def _check_header(path: Path, header: list[str], table: BronzeTable) -> None:
    allowed = file_columns(table)
    unknown = [c for c in header if c not in allowed]
    if unknown:
        raise UnreadableFile(f"{path}: not a {table.name} file: unknown column(s) {', '.join(unknown[:5])}")
    if len(set(header)) != len(header):
        raise UnreadableFile(f"{path}: header repeats a column")
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    if missing:
        raise UnreadableFile(f"{path}: not a {table.name} file: header lacks required column(s) {', '.join(missing)}")


def _record(line: int, raw: str, error: str | None, values: dict[str, str | None]) -> dict:
    return {LINE: line, RAW: raw.rstrip("\r\n"), ERROR: error, **values}


def _csv_records(path: Path, lines: list[str], bad: set[int], table: BronzeTable) -> tuple[list[str], list[dict]]:
    if not lines or 0 in bad or "\x00" in lines[0]:
        raise UnreadableFile(f"{path}: not a CSV file (no readable header line)")
    try:
        header = [h.strip() for h in next(csv.reader([lines[0].lstrip("\ufeff")]))]
    except csv.Error:
        raise UnreadableFile(f"{path}: not a CSV file (header cannot be parsed)") from None
    _check_header(path, header, table)
    records = []
    reader = csv.reader(iter(lines[1:]))
    start = 0
    while True:
        # reader.line_num counts the physical lines consumed: a quoted field may span several.
        try:
            fields, error = next(reader), None
        except csv.Error as exc:
            fields, error = [], f"not valid CSV: {exc}"
        except StopIteration:
            break
        end = reader.line_num
        raw = "".join(lines[1 + start:1 + end])
        first_line = start + 2  # 1-based, after the header
        span = range(1 + start, 1 + end)
        start = end
        if error is None and not fields:
            continue  # a blank line holds no record
        if any(n in bad for n in span):
            error = "not valid UTF-8"
        elif "\x00" in raw:
            error = "contains a NUL byte"
        elif error is None and len(fields) != len(header):
            error = f"expected {len(header)} columns, found {len(fields)}"
        values = {} if error else {h: (v if v != "" else None) for h, v in zip(header, fields)}
        records.append(_record(first_line, raw, error, values))
    return header, records


def _json_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value != "" else None
    return json.dumps(value)


def _json_records(path: Path, lines: list[str], bad: set[int], table: BronzeTable) -> list[dict]:
    allowed = set(file_columns(table))
    records = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        error, values = None, {}
        if i in bad:
            error = "not valid UTF-8"
        elif "\x00" in line:
            error = "contains a NUL byte"
        else:
            try:
                obj = json.loads(line)
            except ValueError as exc:
                obj, error = None, f"not valid JSON: {exc.msg}"
            if error is None and not isinstance(obj, dict):
                error = "a JSON line must hold an object"
            elif error is None:
                unknown = sorted(set(obj) - allowed)
                nested = [k for k, v in obj.items() if isinstance(v, (dict, list))]
                if unknown:
                    error = f"unknown field(s) {', '.join(unknown[:5])}"
                elif nested:
                    error = f"nested value in field(s) {', '.join(nested[:5])}"
                else:
                    values = {k: _json_value(v) for k, v in obj.items()}
        records.append(_record(i + 1, line, error, values))
    return records


def read_file(path: Path, table: BronzeTable, max_bytes: int) -> RawFile:
    """Split a CSV (with header) or JSON-lines file into raw records; UnreadableFile if it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + JSON_SUFFIXES:
        raise UnreadableFile(f"{path}: not a CSV or JSON-lines file (expected one of {', '.join(CSV_SUFFIXES + JSON_SUFFIXES)})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(f"{path}: {size:,} bytes is over ingest.max_file_mb; split the file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot read: {exc.strerror}") from None
    lines, bad = _decode_lines(path, data)
    if suffix in CSV_SUFFIXES:
        _, records = _csv_records(path, lines, bad, table)
    else:
        records = _json_records(path, lines, bad, table)
    columns = [LINE, RAW, ERROR, *file_columns(table)]
    frame = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    frame = frame.astype({c: "object" for c in columns if c != LINE}).astype({LINE: "int64"})
    frame = frame.where(frame.notna(), None)
    return RawFile(path=path.resolve(), entity=table.name, checksum=hashlib.sha256(data).hexdigest(), records=frame)
