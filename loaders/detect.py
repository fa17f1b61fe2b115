"""Which loader reads a file: ``detect_format(path)`` for ``kg ingest auto FILE``.

Each format has a detector that looks at the file's name and its first bytes
(never the whole file) and says yes or no; the first yes wins. Formats without
a loader yet are still recognised, so a user is told "an OCDS file: no loader
yet" rather than "unknown format". To add a loader: write its detector, put it
in ``DETECTORS`` before the catch-all article detector, and add the loader to
``kg.ingest.RECORD_LOADERS``.

The text encoding of a record file is decided here too, the same way for
detection and for the CSV loaders that read it (``csv_records``): UTF-16 when
the file starts with its byte-order mark (Excel's "Unicode text"), else UTF-8.
"""

import csv
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Quarantine, RecordLoad, RowError, RowRejected, take
from loaders.usaspending_input import JSON_SUFFIXES, Progress, sniff

Detector = Callable[[Path], bool]
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_HEAD = 4096
_FEED = re.compile(r"<(?:\w+:)?feed\b")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UNDECODABLE = "\ufffd"


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error


def text_encoding(path: Path) -> str:
    """"utf-16" if the file starts with a UTF-16 byte-order mark, else "utf-8-sig"."""
    return "utf-16" if _read_head(path).startswith(_UTF16_BOMS) else "utf-8-sig"


def _head(path: Path) -> str:
    return _read_head(path).decode(text_encoding(path), "replace").lstrip("\ufeff")


def is_usaspending(path: Path) -> bool:
    """A USAspending download (prime awards, subawards, transactions) or API result."""
    if path.suffix.lower() not in {".csv", *JSON_SUFFIXES}:
        return False
    try:
        return sniff(path) is not None
    except (ValueError, RecursionError):  # JSON too deep or with a 5,000-digit number
        return False


def is_fpds(path: Path) -> bool:
    """An FPDS-NG ATOM feed (XML with FPDS award entries; the feed element may be prefixed)."""
    head = _head(path) if path.suffix.lower() in (".xml", ".atom") else ""
    return bool(_FEED.search(head)) and "fpds" in head.lower()


def is_ocds(path: Path) -> bool:
    """An Open Contracting (OCDS) release or record package."""
    head = _head(path) if path.suffix.lower() == ".json" else ""
    return any(f'"{key}"' in head for key in (
        "ocid", "releases", "records", "compiledRelease", "versionedRelease", "releaseID"))


def is_atlas(path: Path) -> bool:
    """An EFF Atlas of Surveillance CSV export."""
    return path.suffix.lower() == ".csv" and \
        _head(path).lstrip('"').upper().startswith("AOSNUMBER")


def is_sharing(path: Path) -> bool:
    """An agency-to-agency data-sharing export (``src_agency,external_agency,...``)."""
    if path.suffix.lower() != ".csv":
        return False
    first = _head(path).splitlines()[:1]
    columns = {c.strip().strip('"') for c in first[0].split(",")} if first else set()
    return {"src_agency", "external_agency"} <= columns


def is_survey(path: Path) -> bool:
    """An agency survey (``name, ..., company, cams_confirmed`` or ``agency, vendor, ...``)."""
    if path.suffix.lower() != ".csv":
        return False
    from loaders.survey import survey_layout  # the layouts live with their loader

    first = _head(path).splitlines()[:1]
    columns = [c.strip().strip('"') for c in first[0].split(",")] if first else []
    return survey_layout(columns) is not None


def is_article(path: Path) -> bool:
    """A news article (text, Markdown or HTML)."""
    return path.suffix.lower() in ARTICLE_SUFFIXES


DETECTORS: list[tuple[str, Detector]] = [
    ("usaspending", is_usaspending),
    ("fpds", is_fpds),
    ("ocds", is_ocds),
    ("atlas", is_atlas),
    ("sharing", is_sharing),
    ("survey", is_survey),
    ("articles", is_article),
]


def detect_format(path: Path) -> str:
    """The format name of ``path``; InputError naming the file if no detector claims it."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    for name, detector in DETECTORS:
        if detector(path):
            return name
    known = ", ".join(name for name, _ in DETECTORS)
    raise InputError(f"{path}: format not recognised (known: {known}); "
                     f"name it explicitly, e.g. `kg ingest usaspending FILE`")


@contextmanager
def csv_records(path: Path) -> Iterator["csv.DictReader[str]"]:
    """A DictReader over a record CSV, for the CSV record loaders (Atlas, sharing, survey).

    Bytes that are not text in the file's encoding become U+FFFD, so the rows
    holding them are quarantined (``require_text``) while the rest loads, as the
    USAspending loader does. A broken CSV (a field over the csv module's size
    limit), in the header or in any row, is an InputError naming the line: the
    file is skipped with one line, not a traceback.
    """
    try:
        handle = path.open(newline="", encoding=text_encoding(path), errors="replace")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    with handle:
        reader = csv.DictReader(handle)
        try:
            yield reader
        except csv.Error as error:  # DictReader's own line_num lags on an error
            raise InputError(f"{path}: line {reader.reader.line_num}: broken CSV ({error}); "
                             f"nothing loaded") from None


def require_text(row: dict[Any, Any]) -> None:
    """RowRejected if a field of the row held bytes that were not text (see csv_records)."""
    if any(isinstance(value, str) and UNDECODABLE in value for value in row.values()):
        raise RowRejected(RowError("(row)", "bytes that are not UTF-8 text; re-save the "
                                            "file as UTF-8"))


def take_csv_rows(reader: "csv.DictReader[str]", result: RecordLoad, quarantine: Quarantine,
                  progress: Progress | None, read_row: Callable[[int, dict[str, str]], None]
                  ) -> None:
    """Count every row of a record CSV into ``result`` (``kg.records.take``), with its
    first line as the line; a ragged row, or one holding bytes that are not text, is
    quarantined before ``read_row`` sees it. Shared by the Atlas and survey loaders."""
    chars, end = 0, 1
    for row in reader:
        line, end = end + 1, reader.line_num  # a quoted field may span lines
        chars += sum(len(v) + 1 for v in row.values() if isinstance(v, str))
        take(result, quarantine, line, partial(_checked_row, read_row, line, row))
        if progress and result.read % 500 == 0:
            progress(result.read, chars)
    if progress:
        progress(result.read, chars)


def _checked_row(read_row: Callable[[int, dict[str, str]], None], line: int,
                 row: dict[Any, Any]) -> None:
    if None in row:
        raise RowRejected(RowError("(row)", "more fields than the header"))
    require_text(row)
    read_row(line, row)
