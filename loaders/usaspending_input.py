"""Open a USAspending file as (line, fields) rows of a known layout, streaming.

CSV files are read with the csv module line by line (never whole); the first
record is a header, or, for the 2018 transaction layout saved without one, the
first data row. API JSON responses (small by nature: a page of results) are
parsed whole and presented as rows of the same shape. A structure the loader
cannot trust (no known layout, a required column missing, a broken CSV quote)
is an ``InputError`` naming the file, before anything is stored.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

from kg.errors import InputError
from loaders.record_values import guess_date_order
from loaders.usaspending_columns import TRANSACTION_COLUMNS_2018
from loaders.usaspending_layouts import (
    Layout,
    layout_of_header,
    layout_of_json,
    looks_headerless,
)

DATE_SAMPLE = 2000  # rows read ahead to learn the file's day/month order
csv.field_size_limit(16 * 1024 * 1024)
Progress = Callable[[int, int], None]  # (rows read, characters read)


@dataclass
class Rows:
    """An opened source: its layout, where each field is, and its rows."""

    layout: Layout
    columns: dict[str, int]
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    width: int  # fields per row (0 for JSON, where every row is built to the header)
    date_order: str
    unexpected: tuple[str, ...] = ()
    headerless: bool = False
    bad_lines: set[int] = field(default_factory=set)


class _Lines:
    """Line iterator that counts characters (progress) and remembers undecodable lines."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.chars = 0
        self.number = 0
        self.bad: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        for line in self.handle:
            self.number += 1
            self.chars += len(line)
            if "\ufffd" in line:
                self.bad.add(self.number)
            yield line


def open_rows(path: Path, *, columns_file: Path | None = None,
              progress: Progress | None = None) -> Rows:
    """Open ``path`` (CSV or API JSON) as rows of its layout; InputError if it cannot be."""
    if path.suffix.lower() == ".json":
        return _json_rows(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    lines = _Lines(handle)
    reader = csv.reader(lines)
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise InputError(f"{path}: line 1: not a CSV file ({error})") from error
    if not first:
        raise InputError(f"{path}: empty file; expected a USAspending download")
    header, headerless = list(first), False
    layout = layout_of_header(header)
    if layout is None and (columns_file or looks_headerless(first)):
        header, headerless = _dictionary_columns(columns_file), True
        layout = layout_of_header(header)
    if layout is None:
        shown = ", ".join(" ".join(c.split())[:60] for c in first[:4])  # one line, short
        raise InputError(f"{path}: line 1: not a USAspending layout this loader knows "
                         f"(first columns: {shown})")
    columns, missing = layout.resolve(header)
    if missing:
        raise InputError(f"{path}: line 1: {layout.name} file without column "
                         f"{'; '.join(missing)}")
    records = _records(path, reader, lines, progress)
    if headerless:
        records = chain([(1, first)], records)
    sample = list(islice(records, DATE_SAMPLE))
    order = _date_order(layout, columns, sample)
    return Rows(layout, columns, header, chain(sample, records), len(header), order,
                layout.unexpected(header), headerless, lines.bad)


def _records(path: Path, reader: Any, lines: _Lines,
             progress: Progress | None) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) per CSV record, skipping blank lines; closes the file at the end."""
    count = 0
    try:
        while True:
            start = lines.number + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise InputError(f"{path}: line {reader.line_num}: broken CSV ({error})") from error
            if not fields or fields == [""]:
                continue
            count += 1
            if progress and count % 10_000 == 0:
                progress(count, lines.chars)
            yield start, fields
    finally:
        lines.handle.close()
        if progress:
            progress(count, lines.chars)


def _dictionary_columns(columns_file: Path | None) -> list[str]:
    """Column names for a header-less file: a data dictionary (letter,name rows) or 2018's."""
    if columns_file is None:
        return list(TRANSACTION_COLUMNS_2018)
    try:
        with columns_file.open(newline="", encoding="utf-8-sig") as handle:
            return [row[-1].strip() for row in csv.reader(handle) if row]
    except OSError as error:
        raise InputError(f"{columns_file}: cannot read the column list: {error.strerror}") \
            from error


def _date_order(layout: Layout, columns: dict[str, int],
                sample: list[tuple[int, list[str]]]) -> str:
    """The file's day/month order from its own dates, else the layout's default."""
    date_fields = [columns[f] for f in ("action_date", "first_action", "last_action", "start",
                                        "end") if f in columns]
    values = (fields[i] for _, fields in sample for i in date_fields if i < len(fields))
    return guess_date_order(values) or layout.date_order


def _json_rows(path: Path) -> Rows:
    """API JSON: a response ({"results": [...]}), a list of responses, or a list of results."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not readable JSON: {error}") from error
    results = _results(data)
    layout = layout_of_json(results) if results is not None else None
    if layout is None or results is None:
        raise InputError(f"{path}: not a USAspending spending_by_award or "
                         f"spending_by_transaction response (no results with \"Award ID\")")
    header = sorted({column for candidates in layout.fields.values() for column in candidates})
    columns, _ = layout.resolve(header)
    rows = ((index, [_json_text(r.get(c)) if isinstance(r, dict) else "" for c in header])
            for index, r in enumerate(results, start=1))
    return Rows(layout, columns, header, rows, 0, layout.date_order)


def _results(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return list(data["results"])
    if isinstance(data, list):
        if all(isinstance(page, dict) and isinstance(page.get("results"), list)
               for page in data) and data:
            return [r for page in data for r in page["results"]]
        return data
    return None


def _json_text(value: Any) -> str:
    """A JSON value as the text a CSV would hold ({"code": "D317"} -> "D317")."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _json_text(value.get("code"))
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def sniff(path: Path) -> Layout | None:
    """The layout of a file from its first record only (for ``detect_format``), or None."""
    if path.suffix.lower() == ".json":
        try:
            return _json_rows(path).layout
        except InputError:
            return None
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            first = next(csv.reader(handle), None)
    except (OSError, csv.Error):
        return None
    if not first:
        return None
    layout = layout_of_header(first)
    if layout is None and looks_headerless(first):
        layout = layout_of_header(TRANSACTION_COLUMNS_2018)
    return layout
