"""Open a USAspending file as (line, fields) rows of a known layout, streaming.

CSV files are read with the csv module line by line (never whole); the first
record is a header, or, for the 2018 transaction layout saved without one, the
first data row. API JSON (spending_by_award / spending_by_transaction results,
saved as one response, many pages, or JSON Lines) is read one value at a time
(``_JsonStream``) and presented as rows of the same shape; its "line" is the
result's number in the file. A structure the loader cannot trust (no known
layout, a required column missing, a broken CSV quote, broken JSON) is an
``InputError`` naming the file, and nothing is stored.
"""

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import Any, SupportsIndex, overload

from kg.errors import InputError
from kg.records import RowError, RowRejected
from loaders.record_values import MISSING, code_of, guess_date_order
from loaders.usaspending_columns import TRANSACTION_COLUMNS_2018
from loaders.usaspending_layouts import (
    API_LAYOUTS,
    Layout,
    layout_of_header,
    layout_of_json,
    looks_headerless,
    not_procurement,
)

JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})
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
    if path.suffix.lower() in JSON_SUFFIXES:
        return _json_rows(path, progress)
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
    header, headerless = [name.strip() for name in first], False
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
    if layout in API_LAYOUTS:
        records = _screened(_codes_only(records, columns), RowScreen(layout, columns))
    elif layout.kind == "subaward":
        records = _screened(records, RowScreen(layout, columns))
    sample = list(islice(records, DATE_SAMPLE))
    order = _date_order(layout, columns, sample)
    return Rows(layout, columns, header, chain(sample, records), len(header), order,
                layout.unexpected(header), headerless, lines.bad)


def _codes_only(records: Iterator[tuple[int, list[str]]],
                columns: dict[str, int]) -> Iterator[tuple[int, list[str]]]:
    """API CSV rows with PSC / NAICS cells that hold the API's whole {"code", "description"}
    object (pandas writes it so) cut to the code, which is what relevance tagging reads."""
    coded = [i for name, i in columns.items() if name in ("psc", "naics")]
    for line, fields in records:
        for i in coded:
            if i < len(fields) and fields[i].startswith("{"):
                fields[i] = code_of(fields[i])
        yield line, fields


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
    values = (fields[i] for _, fields in sample if not isinstance(fields, RefusedRow)
              for i in date_fields if i < len(fields))
    return guess_date_order(values) or layout.date_order


# ------------------------------------------------------------------ API JSON
JSON_CHUNK = 1 << 20  # characters read at a time
MAX_RESULT = 64 << 20  # one result (or one top-level value that is not a response) at most
SNIFF_LIMIT = 4 << 20  # detection gives up on a first value bigger than this
_RESPONSE_KEYS = frozenset({"results", "page_metadata", "limit", "messages", "spending_level"})
_NOT_SPACE = re.compile(r"[^\s]")
_FIRST_KEY = re.compile(r'\{\s*"((?:[^"\\]|\\.)*)"')


class _JsonStream:
    """JSON values read one at a time from a text file, never the whole file.

    Why: ``json.load`` on a 200 MB response holds every result as Python objects
    (several times the file in memory) before the first row is stored; reading
    value by value keeps one result and a chunk of text in memory, whatever the
    size of the file.
    """

    def __init__(self, path: Path, handle: Any, limit: int = MAX_RESULT) -> None:
        self.path, self.handle, self.limit = path, handle, limit
        self.text, self.pos, self.chars, self.eof = "", 0, 0, False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        """Read the next chunk (dropping text already read); False at the end of the file."""
        if self.eof:
            return False
        if len(self.text) - self.pos > self.limit:
            raise InputError(f"{self.path}: character {self.chars - len(self.text) + self.pos}:"
                             f" a JSON value over {self.limit >> 20} MB; not an API result")
        chunk = self.handle.read(max(JSON_CHUNK, len(self.text) - self.pos))
        self.text, self.pos = self.text[self.pos:] + chunk, 0
        self.chars += len(chunk)
        self.eof = not chunk
        return bool(chunk)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while (match := _NOT_SPACE.search(self.text, self.pos)) is None:
            self.pos = len(self.text)
            if not self._more():
                return ""
        self.pos = match.start()
        return match.group()

    def take(self, expected: str) -> str:
        """Consume the next character, which must be one of ``expected``."""
        char = self.peek()
        if not char or char not in expected:
            raise self._error(f"expected {' or '.join(expected)}", cut=not char)
        self.pos += 1
        return char

    def value(self) -> Any:
        """The next whole JSON value."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if self._more():
                    continue
                cut = error.msg.startswith("Unterminated") or error.pos >= len(self.text) - 1
                raise self._error(error.msg, cut) from None
            except (ValueError, RecursionError) as error:  # a 5,000-digit number, deep nesting
                raise self._error(str(error)[:80], cut=False) from None
            if end < len(self.text) or not self._more():  # a number may go on in the next chunk
                self.pos = end
                return value

    def first_key(self) -> str | None:
        """The first key of the object starting here, without consuming it."""
        while (match := _FIRST_KEY.match(self.text, self.pos)) is None:
            if len(self.text) - self.pos > 4096 or not self._more():
                return None
        return match.group(1)

    def _error(self, what: str, cut: bool) -> InputError:
        """The one line a user sees; ``cut`` when the file ends inside a value."""
        at = self.chars - len(self.text) + self.pos
        end = "; the file ends inside it: cut short?" if cut else ""
        return InputError(f"{self.path}: character {at}: broken JSON ({what}{end}); "
                          f"nothing loaded")


def _json_values(stream: _JsonStream) -> Iterator[Any]:
    """The results of a file, however the pages were saved: one response, an array of
    responses or of results, responses appended one after another (``curl >>``), or
    JSON Lines with a response or a result on each line."""
    while stream.peek():
        yield from _results_in(stream, 0)
        if stream.peek() == ",":  # pages pasted together with commas between them
            stream.take(",")


def _results_in(stream: _JsonStream, depth: int) -> Iterator[Any]:
    """Results of one value: a response's results, an array's items (an array of pages,
    or of arrays of pages, no deeper), or the value itself."""
    char = stream.peek()
    if char == "[" and depth < 2:
        stream.take("[")
        if stream.peek() == "]":
            stream.take("]")
            return
        while True:
            yield from _results_in(stream, depth + 1)
            if stream.take(",]") == "]":
                return
    elif char == "{" and stream.first_key() in _RESPONSE_KEYS:
        yield from _response_results(stream)
    else:
        yield stream.value()


def _response_results(stream: _JsonStream) -> Iterator[Any]:
    """The items of a response's "results" array, one at a time; other keys are read whole
    (page_metadata, messages: small) and dropped."""
    stream.take("{")
    if stream.peek() == "}":
        stream.take("}")
        return
    while True:
        key = stream.value()
        stream.take(":")
        if key == "results" and stream.peek() == "[":
            stream.take("[")
            if stream.peek() == "]":
                stream.take("]")
            else:
                while True:
                    yield stream.value()
                    if stream.take(",]") == "]":
                        break
        else:
            stream.value()
        if stream.take(",}") == "}":
            return


def _open_json(path: Path, limit: int = MAX_RESULT) -> _JsonStream:
    """A stream over ``path``; bytes that are not UTF-8 become U+FFFD (the row is refused)."""
    try:
        handle = path.open(encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    return _JsonStream(path, handle, limit)


def _json_rows(path: Path, progress: Progress | None = None) -> Rows:
    """API JSON as rows: one canonical field per column, each the first of the layout's
    names that the result fills (so an IDV's "Last Date to Order" serves when it has no
    "End Date")."""
    stream = _open_json(path)
    results = _json_values(stream)
    try:
        head = _head(results)
        layout = _api_layout_of(head)
    except BaseException:
        stream.handle.close()
        raise
    if layout is None:
        stream.handle.close()
        raise InputError(f"{path}: not a USAspending spending_by_award or "
                         f"spending_by_transaction response (no result names \"Award ID\", "
                         f"\"generated_internal_id\" or \"Sub-Award ID\")")
    names = list(layout.fields)
    header = [layout.fields[name][0] for name in names]
    columns = {name: i for i, name in enumerate(names)}
    rows = _json_records(stream, chain(head, results), layout, progress)
    return Rows(layout, columns, header, _screened(rows, RowScreen(layout, columns)), 0,
                layout.date_order)


def _head(results: Iterator[Any], most: int = 10) -> list[Any]:
    """The first results, up to the first object (a stray null first does not hide the
    layout)."""
    head: list[Any] = []
    for result in islice(results, most):
        head.append(result)
        if isinstance(result, dict):
            break
    return head


def _api_layout_of(head: list[Any]) -> Layout | None:
    return layout_of_json(head) if head else None


def _json_records(stream: _JsonStream, results: Iterator[Any], layout: Layout,
                  progress: Progress | None) -> Iterator[tuple[int, list[str]]]:
    """(result number, fields) per result; a result that is not an object is refused.
    Closes the file at the end."""
    candidates = list(layout.fields.values())
    count = 0
    try:
        for count, result in enumerate(results, start=1):
            if progress and count % 10_000 == 0:
                progress(count, stream.chars)
            if not isinstance(result, dict):
                yield count, RefusedRow([""] * len(candidates), RowError(
                    "(row)", "not a JSON object", json.dumps(result)[:80]))
                continue
            yield count, _undecodable([_first_filled(result, names) for names in candidates])
    finally:
        stream.handle.close()
        if progress:
            progress(count, stream.chars)


def _first_filled(result: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = result.get(name)
        text = value if type(value) is str else _json_text(value)  # most values: text
        if text:
            return text
    return ""


def _json_text(value: Any) -> str:
    """A JSON value as the text a CSV would hold ({"code": "D317"} -> "D317", 250000.0 ->
    "250000.0", [{"cfda_number": "16.738"}] -> "16.738")."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _json_text(value.get("code", value.get("cfda_number")))
    if isinstance(value, list):
        return ";".join(text for item in value if (text := _json_text(item)))
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


# ------------------------------------------------------------- row screening
class RefusedRow(list[str]):
    """A row the input layer refuses, handed to the loader like any other row.

    Reading any of its fields raises ``RowRejected`` with the reason, inside the
    loader's per-row ``try``, so the row is quarantined with that reason and
    counted (loaded + quarantined = read) without the loader knowing why.
    """

    def __init__(self, fields: list[str], error: RowError) -> None:
        super().__init__(fields)
        self.error = error

    @overload
    def __getitem__(self, index: SupportsIndex) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> str | list[str]:
        raise RowRejected(self.error)


class RowScreen:
    """Refusals the loader cannot make from one row's fields alone:

    * financial assistance (grants, loans, direct payments) and sub-grants in API
      results: their recipients sell nothing (``not_procurement``);
    * the same transaction twice (API pages saved twice or overlapping): summing it
      twice would double the money;
    * a subaward without the key of its prime award (nothing to hang it under).
    """

    NEEDS = ("award_key", "prime_key", "contract_type", "award_type", "assistance_listing",
             "loan_value", "sub_type", "piid", "subagency", "mod", "action_date", "obligated")

    def __init__(self, layout: Layout, columns: dict[str, int]) -> None:
        self.api = layout in API_LAYOUTS
        self.transactions = layout.kind == "transaction"
        self.subawards = layout.kind == "subaward"
        self.seen: dict[int, int] = {}  # hash of a transaction's identity -> first line
        self.read = [(name, columns[name]) for name in self.NEEDS if name in columns]

    def values(self, fields: list[str]) -> dict[str, str]:
        """The fields the screen reads, cleaned as the loader cleans them."""
        return {name: value for name, i in self.read
                if i < len(fields) and (value := fields[i].strip()) and value not in MISSING}

    def verdict(self, line: int, values: dict[str, str]) -> RowError | None:
        """Why the row at ``line`` must not load, or None."""
        if self.subawards and not values.get("prime_key"):
            return RowError("prime_key", "no prime award key: nothing to hang it under")
        if not self.api:
            return None
        return not_procurement(values) or self._repeated(line, values)

    def _repeated(self, line: int, values: dict[str, str]) -> RowError | None:
        if not (self.transactions and "mod" in values):
            return None
        get = values.get
        key = hash((get("award_key") or get("piid", "") + "|" + get("subagency", ""),
                    get("mod", ""), get("action_date", ""), _same_amount(get("obligated", ""))))
        first = self.seen.setdefault(key, line)
        if first == line:
            return None
        return RowError("mod", "the same transaction as an earlier row (award, modification, "
                               "date and amount): counted once",
                        f"{get('mod', '')} (first on line {first})")


def _same_amount(text: str) -> str:
    """One spelling per amount: a page saved from JSON says 50000.5, one from text "50000.50"."""
    try:
        return str(Decimal(text.replace(",", "").replace("$", "")).normalize())
    except InvalidOperation:
        return text


def _screened(rows: Iterator[tuple[int, list[str]]],
              screen: RowScreen) -> Iterator[tuple[int, list[str]]]:
    """The rows, each one the screen refuses as a ``RefusedRow``."""
    for line, fields in rows:
        if isinstance(fields, RefusedRow):
            yield line, fields
            continue
        error = screen.verdict(line, screen.values(fields))
        yield line, fields if error is None else RefusedRow(fields, error)


def _undecodable(fields: list[str]) -> RefusedRow | list[str]:
    """JSON read with errors="replace": a result that held bytes that were not UTF-8."""
    if not any("\ufffd" in text for text in fields):
        return fields
    return RefusedRow(fields, RowError("(row)", "bytes that are not UTF-8 text; re-save the "
                                                "file as UTF-8"))


def sniff(path: Path) -> Layout | None:
    """The layout of a file from its first record only (for ``detect_format``), or None."""
    if path.suffix.lower() in JSON_SUFFIXES:
        return _sniff_json(path)
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


def _sniff_json(path: Path) -> Layout | None:
    """The layout of an API JSON file from its first result, reading a few MB at most
    (an OCDS package or another big JSON file is not parsed whole to say no)."""
    try:
        stream = _open_json(path, SNIFF_LIMIT)
    except InputError:
        return None
    with stream.handle:
        try:
            return _api_layout_of(_head(_json_values(stream)))
        except InputError:
            return None
