"""Crash safety (#8): SIGKILL a real ``kg ingest`` midway through a big source.

The big file goes through the bulk path (``Store.bulk_replace_graph``): a
first load marks ``urn:survkg:loading:<graph>`` and streams chunks of 200 k
quads straight into the graph, removing the mark last; a reload streams into a
staging graph, marks it complete and swaps it in. A kill is aimed after the
first chunk is in the store (Oxigraph writes ``bulk-*.sst`` files and ingests
them: they appear, then vanish) and before the end. Opening the store for
writing (any ``kg`` command) then finishes or undoes the load.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg.ids import source_iri
from kg.ingest import ingest_records, record_identity
from kg.reference import ensure_reference
from kg.sparql_store import source_graphs
from kg.store import LOADING_PREFIX, REPLACING_PREFIX, STAGING_PREFIX, Store
from tests.conftest import generate_awards

ROOT = Path(__file__).resolve().parents[1]
KG = ROOT / ".venv" / "bin" / "kg"
SMALL = Path(__file__).parent / "fixtures" / "usaspending" / "us-local-gov-sample-279.csv"
ROWS = 20_000  # ~0.36 M quads: two bulk chunks, ~4 s of loading

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")



def _quads(path: Path) -> set[str]:
    db = Store(path)
    try:
        return {str(q) for q in db._db}
    finally:
        db.close()


def _raw_graphs(path: Path) -> set[str]:
    """Named graphs as left on disk: opened without ``Store``, which would recover."""
    db = pyoxigraph.Store(str(path))
    try:
        return {g.value for g in db.named_graphs() if isinstance(g, NamedNode)}
    finally:
        del db


def _prepare(store: Path, *extra: Path) -> None:
    db = Store(store)
    ensure_reference(db)
    summary = ingest_records(db, [SMALL, *extra])
    assert all(r.status == "loaded" for r in summary.files)
    db.close()


def _kill_midway(store: Path, big: Path) -> None:
    """Start ``kg ingest usaspending BIG``; SIGKILL it once its first bulk chunk is stored."""
    seen: set[str] = set()
    process = subprocess.Popen([str(KG), "--store", str(store), "ingest", "usaspending",
                                str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and process.poll() is None:
            current = {p.name for p in store.glob("bulk-*.sst")}
            if seen and not current:
                break  # the first chunk's files were ingested
            seen |= current
            time.sleep(0.01)
        assert process.poll() is None, "the load finished before it could be killed: " + \
            process.stderr.read().decode() if process.stderr else ""
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_awards(ROWS, tmp_path_factory.mktemp("big") / "awards.csv")


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory, big: Path) -> Iterator[tuple[Path, Path]]:
    """(store as it was before the load, store after the kill): copies per test."""
    base = tmp_path_factory.mktemp("crash")
    pre, after = base / "pre", base / "after"
    _prepare(pre)
    shutil.copytree(pre, after)
    _kill_midway(after, big)
    yield pre, after


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def test_the_kill_lands_midway_through_the_bulk_load(killed: tuple[Path, Path],
                                                     big: Path, tmp_path: Path) -> None:
    _pre, after = killed
    graph = source_iri(record_identity(big)[0])
    graphs = _raw_graphs(_copy(after, tmp_path))
    assert LOADING_PREFIX + graph in graphs, "the kill did not hit an unfinished bulk load"
    assert graph in graphs  # a partial graph is on disk, behind its marker


def test_complete_sources_after_the_kill_are_those_before(killed: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    pre, after = killed
    copy = _copy(after, tmp_path)
    db = Store(copy)
    try:
        complete = set(source_graphs(db))
    finally:
        db.close()
    db = Store(_copy(pre, tmp_path / "p"))
    try:
        assert complete == set(source_graphs(db))
    finally:
        db.close()


def test_a_plain_reopen_holds_exactly_the_state_before(killed: tuple[Path, Path],
                                                       big: Path, tmp_path: Path) -> None:
    pre, after = killed
    copy = _copy(after, tmp_path)
    db = Store(copy)  # what every kg command does first
    try:
        assert db.recovered == [source_iri(record_identity(big)[0])]
    finally:
        db.close()
    assert _quads(copy) == _quads(_copy(pre, tmp_path / "p"))


def test_a_rerun_after_the_kill_completes(killed: tuple[Path, Path], big: Path,
                                          tmp_path: Path) -> None:
    _pre, after = killed
    copy = _copy(after, tmp_path)
    run = subprocess.run([str(KG), "--store", str(copy), "ingest", "usaspending", str(big)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert f"{ROWS} rows read, {ROWS} loaded, 0 quarantined" in run.stdout
    graphs = _raw_graphs(copy)
    graph = source_iri(record_identity(big)[0])
    assert graph in graphs and LOADING_PREFIX + graph not in graphs


def test_a_kill_while_replacing_a_source_keeps_the_old_version(
        tmp_path: Path, big: Path) -> None:
    store, source = tmp_path / "store", tmp_path / "in" / "awards.csv"
    source.parent.mkdir()
    shutil.copy(SMALL, source)  # version 1: small
    _prepare(store, source)
    pre = _quads(_copy(store, tmp_path / "p"))
    shutil.copy(big, source)  # version 2 of the same source: big
    _kill_midway(store, source)
    assert STAGING_PREFIX + source_iri(record_identity(source)[0]) in _raw_graphs(store)
    assert _quads(store) == pre


def _half_swapped(tmp_path: Path) -> tuple[Path, str, set[str]]:
    """A store killed midway through swapping in a complete new version of a source:
    the mark is set, the staging graph is complete, the target half rewritten."""
    path = tmp_path / "store"
    graph = "https://w3id.org/survkg/id/source/swapped"
    new = {f"https://w3id.org/survkg/id/x/{i}" for i in range(50)}
    db = Store(path)
    db.replace_graph(graph, [(NamedNode(f"urn:old:{i}"), NamedNode("urn:p"), Literal("old"))
                             for i in range(40)])
    staging, mark = NamedNode(STAGING_PREFIX + graph), NamedNode(REPLACING_PREFIX + graph)
    db._db.extend([Quad(NamedNode(s), NamedNode("urn:p"), Literal("new"), staging) for s in new])
    db._db.add(Quad(mark, NamedNode("urn:p"), mark, mark))
    db._db.remove(Quad(NamedNode("urn:old:0"), NamedNode("urn:p"), Literal("old"),
                       NamedNode(graph)))
    db._db.add(Quad(NamedNode(min(new)), NamedNode("urn:p"), Literal("new"), NamedNode(graph)))
    db.close()
    return path, graph, new


def test_a_kill_after_the_new_version_is_complete_swaps_it_in(tmp_path: Path) -> None:
    path, graph, new = _half_swapped(tmp_path)
    db = Store(path)
    try:
        assert db.recovered == [graph]
        assert {q.subject.value for q in db.graph_quads(graph)} == new
        assert {g.value for g in db._db.named_graphs()} == {graph}
    finally:
        db.close()


def test_a_reload_of_a_big_source_replaces_it_whole(tmp_path: Path, big: Path) -> None:
    store, source = tmp_path / "store", tmp_path / "in" / "awards.csv"
    source.parent.mkdir()
    shutil.copy(SMALL, source)
    _prepare(store, source)
    shutil.copy(big, source)
    db = Store(store)
    try:
        summary = ingest_records(db, [source])
        assert summary.files[0].read == ROWS
        graph = source_iri(record_identity(source)[0])
        keys = {str(r["k"].value) for r in db.select(
            "SELECT ?g ?k WHERE { GRAPH ?g { ?c <https://w3id.org/survkg/ontology#awardId> ?k } }",
            {"g": NamedNode(graph)})}
        assert len(keys) == ROWS
        assert not any(g.value.startswith("urn:survkg:") for g in db._db.named_graphs())
    finally:
        db.close()
