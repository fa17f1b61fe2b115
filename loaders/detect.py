"""Which loader reads a file: ``detect_format(path)`` for ``kg ingest auto FILE``.

Each format has a detector that looks at the file's name and its first bytes
(never the whole file) and says yes or no; the first yes wins. Formats without
a loader yet are still recognised, so a user is told "an OCDS file: no loader
yet" rather than "unknown format". To add a loader: write its detector, put it
in ``DETECTORS`` before the catch-all article detector, and add the loader to
``kg.ingest.RECORD_LOADERS``.
"""

import re
from collections.abc import Callable
from pathlib import Path

from kg.errors import InputError
from loaders.usaspending_input import sniff

Detector = Callable[[Path], bool]
ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_HEAD = 4096
_FEED = re.compile(r"<(?:\w+:)?feed\b")


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD).decode("utf-8", "replace").lstrip("\ufeff")
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error


def is_usaspending(path: Path) -> bool:
    """A USAspending download (prime awards, subawards, transactions) or API result."""
    return path.suffix.lower() in (".csv", ".json") and sniff(path) is not None


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


def is_article(path: Path) -> bool:
    """A news article (text, Markdown or HTML)."""
    return path.suffix.lower() in ARTICLE_SUFFIXES


DETECTORS: list[tuple[str, Detector]] = [
    ("usaspending", is_usaspending),
    ("fpds", is_fpds),
    ("ocds", is_ocds),
    ("atlas", is_atlas),
    ("sharing", is_sharing),
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
