"""Shared fixtures: a fresh store per test, the fixture articles, the shared folder."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kg.reference import ensure_reference
from kg.store import Store

if TYPE_CHECKING:
    from kg.ingest import RecordSummary

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty store with the ontology and the registry loaded."""
    db = Store(tmp_path / "store")
    ensure_reference(db)
    return db


@pytest.fixture
def articles() -> Path:
    """Folder of fixture articles written for the tests."""
    return FIXTURES / "articles"


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared folder sits beside the checkout)")
    return path
from tests.conftest_neo4j import neo4j, neo4j_auth_server, neo4j_server  # noqa: E402, F401


def load_records(store: Store, *paths: Path, **options: Any) -> "RecordSummary":
    """Ingest record files; none may be skipped and every file keeps read = loaded + quarantined."""
    from kg.ingest import ingest_records

    summary = ingest_records(store, list(paths), **options)
    assert not summary.skipped, summary.skipped
    for result in summary.files:
        assert result.loaded + result.quarantined == result.read
    return summary


def generate_awards(rows: int, out: Path) -> Path:
    """A seeded synthetic prime-award file of ``rows`` rows (benchmarks/generate_awards.py)."""
    benchmarks = str(Path(__file__).resolve().parents[1] / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        from generate_awards import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(benchmarks)
    result: Path = generate(rows, out)
    return result
