"""Ingest files into the store, one source at a time, with a summary.

A file that cannot be read is skipped with a one-line reason; every other file
still loads, and nothing already stored is touched by a failed file.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.reference import ensure_reference
from kg.registry import load_registry
from kg.store import Store
from loaders.articles import LoadResult, load_article

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
