"""Ingest files into the store, one source at a time, with a summary.

A file that cannot be read is skipped with a one-line reason; every other file
still loads, and nothing already stored is touched by a failed file.
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from kg import __version__
from kg.errors import InputError
from kg.ids import source_iri
from kg.judgements import find_judgements, read_judgements
from kg.records import RecordLoad
from kg.reference import ensure_reference
from kg.registry import load_registry
from kg.resolution_store import seed_resolver
from kg.resolve import Resolver
from kg.store import Store
from loaders.articles import LoadResult, load_article
from loaders.atlas import load_atlas
from loaders.detect import detect_format
from loaders.fpds import load_fpds
from loaders.ocds import load_ocds
from loaders.relevance import RelevanceTagger
from loaders.sharing import Holder, load_sharing
from loaders.survey import load_survey
from loaders.usaspending import SourceKeys, load_usaspending

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


@dataclass
class IngestSummary:
    """Counts and reasons for one ``kg ingest`` run."""

    loaded: list[LoadResult] = field(default_factory=list)
    unchanged: list[LoadResult] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def relations(self) -> int:
        """Relations extracted from the files loaded in this run."""
        return sum(result.relations for result in self.loaded)


def expand_paths(paths: Iterable[Path], suffixes: set[str]) -> list[Path]:
    """Files named directly, plus files with a known suffix under named folders.

    README files inside folders are documentation, not sources, and are skipped.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file()
                            and p.suffix.lower() in suffixes
                            and not p.name.upper().startswith("README"))
        else:
            files.append(path)
    return files


def ingest_articles(store: Store, paths: Iterable[Path], *, max_bytes: int = 5_000_000,
                    on_file: Callable[[Path], None] | None = None) -> IngestSummary:
    """Load article files; ``on_file`` is called after each (for a progress bar)."""
    ensure_reference(store)
    registry = load_registry()
    summary = IngestSummary()
    for path in paths:
        try:
            result = load_article(store, path, registry=registry, max_bytes=max_bytes)
        except InputError as error:
            summary.skipped.append((path, str(error)))
        else:
            (summary.loaded if result.status == "loaded" else summary.unchanged).append(result)
        if on_file:
            on_file(path)
    store.flush()
    return summary


# ------------------------------------------------------------------ records
RECORD_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson", ".xml", ".atom"}
# formats with a record loader; see loaders.detect
RECORD_FORMATS = ("usaspending", "sharing", "atlas", "survey", "ocds", "fpds")
_DOWNLOAD_STAMP = re.compile(r"_(\d{4}-\d{2}-\d{2}_H\d{2}M\d{2}S\d{2})")
RecordProgress = Callable[[Path, int, int, int], None]  # path, rows, chars read, file bytes


@dataclass
class RecordSummary:
    """Counts for one ``kg ingest usaspending|auto`` run, per file and in total."""

    files: list[RecordLoad] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    judgements: Path | None = None

    def total(self, name: str) -> int:
        """Sum of one count (read, loaded, quarantined, awards, relevant) over the files."""
        return sum(int(getattr(result, name)) for result in self.files)

    @property
    def vendors(self) -> int:
        """Distinct vendors across the files loaded in this run."""
        return len(set().union(*(r.vendor_ids for r in self.files)))

    @property
    def agencies(self) -> int:
        """Distinct agencies across the files loaded in this run."""
        return len(set().union(*(r.agency_ids for r in self.files)))


def record_identity(path: Path) -> tuple[str, str]:
    """(what makes two files versions of one source, the download time stamp or "").

    A USAspending download is named ``Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv``:
    a newer download of the same query into the same folder differs only in the
    stamp, so it replaces the older one instead of doubling its awards.
    """
    resolved = str(path.resolve())
    match = _DOWNLOAD_STAMP.search(path.name)
    if match is None:
        return resolved, ""
    return resolved[: len(resolved) - len(path.name)] + _DOWNLOAD_STAMP.sub("", path.name), \
        match.group(1)


def _stored_state(store: Store, graph: str) -> dict[str, str]:
    rows = store.select(
        "PREFIX skg: <https://w3id.org/survkg/ontology#> SELECT ?g ?p ?v WHERE { GRAPH ?g { "
        "?g ?p ?v VALUES ?p { skg:contentHash skg:loaderVersion skg:resolutionHash skg:file } } }",
        {"g": NamedNode(graph)})
    return {row["p"].value.rsplit("#", 1)[-1]: row["v"].value for row in rows}


def _newest_versions(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files to load (the newest download of each source) and the older ones they supersede."""
    newest: dict[str, tuple[str, Path]] = {}
    older: list[Path] = []
    for path in files:
        identity, stamp = record_identity(path)
        held = newest.get(identity)
        if held is not None and held[0] >= stamp:
            older.append(path)
            continue
        if held is not None:
            older.append(held[1])
        newest[identity] = (stamp, path)
    chosen = {p for _, p in newest.values()}
    return [p for p in files if p in chosen], older


def ingest_records(store: Store, paths: Iterable[Path], fmt: str = "auto", *,
                   judgements: Path | None = None, columns: Path | None = None,
                   force: bool = False, on_progress: RecordProgress | None = None,
                   shared_with: str | None = None, shared_by: str | None = None,
                   contracts: str = "all") -> RecordSummary:
    """Load record files (``fmt`` one of ``RECORD_FORMATS``, or "auto" to detect each).

    ``shared_with`` names the agency a data-sharing partner list belongs to (the
    listed agencies share with it); ``shared_by`` instead when it shares with them.
    ``contracts="relevant"`` writes Contract nodes only for surveillance-relevant
    awards; the others count in their engagement's totals (``Context.contract``).

    Every file is one source, loaded whole or not at all; an unchanged file (same
    bytes, loader version, registry and judgements) is skipped unless ``force``.
    Bad rows are quarantined under ``<store>/quarantine/``; the run goes on.
    """
    holder = _holder(shared_with, shared_by)
    ensure_reference(store)
    summary = RecordSummary(recovered=store.recovered)
    registry = load_registry()
    summary.judgements = find_judgements(store.path, judgements)
    resolver = Resolver(registry, read_judgements(summary.judgements)
                        if summary.judgements else [])
    files, older = _newest_versions(list(paths))
    summary.files += [RecordLoad(p, "superseded", notes=["a newer download of the same "
                                                          "source is in this run"])
                      for p in older]
    sources = {p: source_iri(record_identity(p)[0]) for p in files}
    seed_resolver(resolver, store, set(sources.values()))
    tagger = RelevanceTagger(registry)
    for path in files:
        try:
            result = _ingest_one(store, path, fmt, sources[path], resolver, tagger,
                                 columns, force, on_progress, holder,
                                 contracts == "relevant")
        except InputError as error:
            summary.skipped.append((path, str(error)))
            continue
        summary.files.append(result)
    store.flush()
    return summary


def _ingest_one(store: Store, path: Path, fmt: str, source: str, resolver: Resolver,
                tagger: RelevanceTagger, columns: Path | None, force: bool,
                on_progress: RecordProgress | None,
                holder: Holder | None = None, fold: bool = False) -> RecordLoad:
    found = detect_format(path) if fmt == "auto" else fmt
    if found not in RECORD_FORMATS:
        raise InputError(f"{path}: {found} file: no record loader for it yet"
                         if found != "articles" else f"{path}: an article; use `kg ingest "
                                                     f"articles`")
    content_hash = _file_hash(path)
    settings = resolver.digest + (";contracts=relevant" if fold else "") + \
        (f";{holder.words}" if holder and found == "sharing" else "")
    stored = _stored_state(store, source)
    if stored and not force:
        if (stored.get("contentHash"), stored.get("loaderVersion"),
                stored.get("resolutionHash")) == (content_hash, __version__, settings):
            return RecordLoad(path, "unchanged", source)
        stamp, held = record_identity(path)[1], record_identity(Path(stored.get("file", "")))[1]
        if stamp and held and held > stamp:
            return RecordLoad(path, "superseded", source,
                              notes=[f"the store holds a newer download ({held})"])
    size = path.stat().st_size
    progress = (lambda rows, chars: on_progress(path, rows, chars, size)) if on_progress else None
    keys = SourceKeys(source, content_hash, settings, fold_irrelevant=fold)
    if found == "sharing":
        return load_sharing(store, path, keys, resolver=resolver, progress=progress,
                            holder=holder)
    if found == "fpds":
        return load_fpds(store, path, keys, resolver=resolver, tagger=tagger, progress=progress)
    if found == "ocds":
        return load_ocds(store, path, keys, resolver=resolver, tagger=tagger, progress=progress)
    if found == "atlas":
        return load_atlas(store, path, keys, resolver=resolver, progress=progress)
    if found == "survey":
        return load_survey(store, path, keys, resolver=resolver, progress=progress)
    return load_usaspending(store, path, keys,
                            resolver=resolver, tagger=tagger, progress=progress,
                            columns_file=columns)


def _holder(shared_with: str | None, shared_by: str | None) -> Holder | None:
    """Whose partner list a sharing list is, and which way its data goes."""
    if shared_with and shared_by:
        raise InputError("give --shared-with or --shared-by, not both")
    if shared_by:
        return Holder(shared_by, shares=True)
    return Holder(shared_with, shares=False) if shared_with else None


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    return digest.hexdigest()
