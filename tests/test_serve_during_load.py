"""``kg serve`` while ``kg ingest`` loads (#8): it keeps answering, never half a source.

A server started before a long load (a generated USAspending file of a few
MB, several seconds) is queried over plain HTTP again and again while the load
runs in another process: every query answers 200 within a bound, and the new
source's graph holds either nothing or all of its quads, never a part. A server
started while the load holds the store's lock says in one line that the store
is locked (and leaves no snapshot behind); one started after the load shows it.
"""

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.ids import source_iri
from kg.ingest import record_identity
from kg.serve import free_port, health
from kg.store import Store
from tests.conftest import FIXTURES, generate_awards, load_records

KG = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "kg"
ROWS = 10_000  # about 15 MB: a load of several seconds
QUERY_SECONDS = 5.0  # bound on one query's answer while the load runs
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def awards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_awards(ROWS, tmp_path_factory.mktemp("awards") / "awards.csv")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store that already holds one source (a sentinel the server must keep serving)."""
    path = tmp_path / "store"
    db = Store(path)
    try:
        load_records(db, FIXTURES / "records" / "ocds" / "release_package.json", fmt="ocds")
    finally:
        db.close()
    return path


def ingest(store: Path, path: Path) -> "subprocess.Popen[str]":
    """``kg ingest usaspending`` in its own process, as a user would run it."""
    return subprocess.Popen([str(KG), "--store", str(store), "ingest", "usaspending", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def serve_process(store: Path, port: int) -> "subprocess.Popen[str]":
    return subprocess.Popen([str(KG), "--store", str(store), "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextmanager
def serving(store: Path) -> Iterator[str]:
    """``kg serve`` on a free port until the block ends (SIGTERM, as a service manager
    stops it); yields its base URL once it answers."""
    port = free_port()
    process = serve_process(store, port)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not health(url):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "kg serve did not answer within 30 s"
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "Traceback" not in out + err


def count(url: str, graph: str | None = None) -> int:
    """Quads in one graph (or in all of them) as the server answers, within the bound."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    query = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"})
    request = urllib.request.Request(f"{url}/query?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with _DIRECT.open(request, timeout=QUERY_SECONDS) as response:
        assert response.status == 200
        answer = json.load(response)
    return int(answer["results"]["bindings"][0]["n"]["value"])


def wait_until_loading(store: Path, load: "subprocess.Popen[str]") -> None:
    """Until the load is mid-way: its bulk loader has written a file (it holds the lock)."""
    deadline = time.monotonic() + 60
    while load.poll() is None and not any(store.glob("bulk-*.sst")):
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.01)
    assert load.poll() is None, "the load ended before the test could overlap it"


def finish(load: "subprocess.Popen[str]") -> None:
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, err
    assert f"{ROWS} rows read, {ROWS} loaded, 0 quarantined" in out


def stored_quads(store: Path, graph: str) -> int:
    db = Store(store)
    try:
        return sum(1 for _ in db.graph_quads(graph))
    finally:
        db.close()


def test_the_server_answers_throughout_a_load_and_never_shows_half_a_source(
        store: Path, awards: Path) -> None:
    source = source_iri(record_identity(awards)[0])
    with serving(store) as url:
        before = count(url)
        load = ingest(store, awards)
        seen: list[tuple[int, int]] = []
        while load.poll() is None:
            started = time.monotonic()
            seen.append((count(url, source), count(url)))
            assert time.monotonic() - started < 2 * QUERY_SECONDS
        finish(load)
        seen.append((count(url, source), count(url)))  # still answering after the load
    final = stored_quads(store, source)
    assert final > 0 and len(seen) >= 5, seen
    assert {quads for quads, _ in seen} <= {0, final}, "a half-loaded source was served"
    assert {total for quads, total in seen if quads == 0} == {before}
    with serving(store) as url:  # a restart shows the load, whole
        assert count(url, source) == final
        assert count(url) > before


def test_a_server_started_during_a_load_says_the_store_is_locked(store: Path,
                                                                 awards: Path) -> None:
    load = ingest(store, awards)
    try:
        wait_until_loading(store, load)
        started = time.monotonic()
        refused = serve_process(store, free_port())
        out, err = refused.communicate(timeout=30)
        assert time.monotonic() - started < 15  # failed fast, did not wait for the lock
        assert load.poll() is None, "the server's attempt did not overlap the load"
    finally:
        finish(load)
    assert refused.returncode == 1
    assert "Traceback" not in out + err
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ") and "is locked" in line, line
    assert not list(store.parent.glob(f".{store.name}.serve-*")), "a snapshot was left behind"
    with serving(store) as url:  # once the load is over, the same command serves it
        assert count(url, source_iri(record_identity(awards)[0])) > 0
