"""``kg export sparql-store``: push every source graph to a real Oxigraph server (read-write).

The target is the ``oxigraph serve`` binary on a temporary directory, started
here; the test reads it back with SPARQL and compares triple counts graph by graph.
"""

import http.server
import json
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from kg.errors import KgError
from kg.serve import free_port, health, oxigraph_binary, running_server
from kg.sparql_store import graph_url, push, source_graphs
from kg.store import Store
from tests.test_sparql_queries import build_query_store

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_query_store(tmp_path_factory.mktemp("push") / "store")


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    """A writable Oxigraph server on an empty directory; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(tmp_path / "target"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while not health(url, timeout=0.5):
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def counts_there(url: str) -> dict[str, int]:
    request = urllib.request.Request(
        url + "/query?" + urllib.parse.urlencode({"query": PER_GRAPH}),
        headers={"Accept": "application/sparql-results+json"})
    with OPENER.open(request, timeout=30) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def counts_here(store: Store) -> dict[str, int]:
    return {g: sum(1 for _ in store.graph_quads(g)) for g in source_graphs(store)}


def test_push_keeps_one_named_graph_per_source(store_path: Path, target: str) -> None:
    store = Store(store_path, read_only=True)
    try:
        seen: list[tuple[str, int]] = []
        result = push(store, target + "/store", on_graph=lambda g, n: seen.append((g, n)))
        here = counts_here(store)
    finally:
        store.close()
    there = counts_there(target)
    assert there == here == dict(seen)
    assert len(there) == 14 and "https://w3id.org/survkg/id/source/registry" in there
    assert result.graphs == 14 and result.triples == sum(here.values())
    assert result.endpoint == target + "/store"
    # pushing again replaces each graph (PUT): nothing doubles
    store = Store(store_path, read_only=True)
    try:
        push(store, target + "/store")
    finally:
        store.close()
    assert counts_there(target) == here


def test_the_pushed_data_answers_like_the_local_store(store_path: Path, target: str) -> None:
    store = Store(store_path, read_only=True)
    try:
        push(store, target + "/store")
        query = ("PREFIX skg: <https://w3id.org/survkg/ontology#> "
                 "SELECT ?e ?g WHERE { GRAPH ?g { ?e skg:supportedBy ?award } }")
        here = {(str(r["e"].value), str(r["g"].value)) for r in store.select(query)}
    finally:
        store.close()
    request = urllib.request.Request(
        target + "/query?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "text/csv"})
    with OPENER.open(request, timeout=30) as response:
        lines = response.read().decode().splitlines()[1:]
    assert {tuple(line.split(",")) for line in lines} == here and len(here) == 1


def test_half_written_and_bookkeeping_graphs_stay_home(tmp_path: Path, target: str) -> None:
    db = pyoxigraph.Store(str(tmp_path / "s"))
    p = pyoxigraph.NamedNode("https://w3id.org/survkg/ontology#x")
    for graph in ("https://w3id.org/survkg/id/source/ok", "https://w3id.org/survkg/id/source/half",
                  "urn:survkg:loading:https://w3id.org/survkg/id/source/half",
                  "urn:survkg:staging:https://w3id.org/survkg/id/source/ok"):
        db.add(pyoxigraph.Quad(p, p, pyoxigraph.Literal(graph), pyoxigraph.NamedNode(graph)))
    db.flush()
    del db
    store = Store(tmp_path / "s", read_only=True)
    try:
        result = push(store, target + "/store")
    finally:
        store.close()
    assert result.graphs == 1
    assert counts_there(target) == {"https://w3id.org/survkg/id/source/ok": 1}


def test_a_read_only_endpoint_refuses_with_one_line(store_path: Path) -> None:
    with running_server(store_path) as served:
        store = Store(store_path, read_only=True)
        try:
            with pytest.raises(KgError) as refused:
                push(store, served + "/store")
        finally:
            store.close()
    message = str(refused.value)
    assert message.startswith(f"{served}/store refused graph <https://w3id.org/")
    assert "HTTP 403 Forbidden: The server is read-only" in message and "\n" not in message


def test_unreachable_and_malformed_urls(store_path: Path) -> None:
    store = Store(store_path, read_only=True)
    try:
        port = free_port()
        with pytest.raises(KgError, match=f"cannot reach http://127.0.0.1:{port}/store: .*"
                                          "is the server running"):
            push(store, f"http://127.0.0.1:{port}/store")
        with pytest.raises(KgError, match="is not an http"):
            push(store, "ftp://127.0.0.1/store")
    finally:
        store.close()


def test_credentials_become_basic_auth_and_never_reach_the_url(tmp_path: Path) -> None:
    """Any Graph Store endpoint (here a stub standing in for Fuseki's ``/ds/data``)."""
    seen: list[tuple[str, str | None, bytes]] = []

    class Endpoint(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, self.headers["Authorization"], body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    db = pyoxigraph.Store(str(tmp_path / "s"))
    node = pyoxigraph.NamedNode("https://w3id.org/survkg/id/source/a")
    db.add(pyoxigraph.Quad(node, node, pyoxigraph.Literal("é \"quoted\""), node))
    db.flush()
    del db
    store = Store(tmp_path / "s", read_only=True)
    try:
        port = server.server_address[1]
        result = push(store, f"http://reporter:s%40cret@127.0.0.1:{port}/ds/data?x=1")
    finally:
        store.close()
        server.shutdown()
    assert result.endpoint == f"http://127.0.0.1:{port}/ds/data?x=1"  # printable: no password
    path, auth, body = seen[0]
    assert path == "/ds/data?x=1&graph=https%3A%2F%2Fw3id.org%2Fsurvkg%2Fid%2Fsource%2Fa"
    assert auth == "Basic cmVwb3J0ZXI6c0BjcmV0"  # reporter:s@cret
    assert body.decode() == ('<https://w3id.org/survkg/id/source/a> '
                             '<https://w3id.org/survkg/id/source/a> "é \\"quoted\\"" .\n')
    assert graph_url("http://h/s", "urn:x") == "http://h/s?graph=urn%3Ax"
