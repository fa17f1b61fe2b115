"""``kg serve`` as a SPARQL client sees it: a real Oxigraph server, plain HTTP (urllib).

One server over the fixture store answers SELECT, ASK, CONSTRUCT and DESCRIBE in
every result format, refuses writes, sends CORS headers and answers the query
library exactly as pyoxigraph does in-process.
"""

import csv
import io
import json
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KgError, StoreLocked
from kg.serve import Server, free_port, health, running_server, serve, start
from kg.store import Store
from tests.conftest import FIXTURES
from tests.test_sparql_queries import QUERIES, build_query_store

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SKG = "https://w3id.org/survkg/ontology#"
VENNTEL = "https://w3id.org/survkg/id/vendor/venntel"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ARTICLES = f"SELECT ?s WHERE {{ ?s a <{SKG}Article> }} ORDER BY ?s"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_query_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def url(store_path: Path) -> Iterator[str]:
    with running_server(store_path) as base:
        yield base


def get(url: str, query: str, accept: str, endpoint: str = "/query") -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        url + endpoint + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": accept})
    return fetch(request)


def post(url: str, body: str, content_type: str, accept: str = "*/*",
         endpoint: str = "/query", method: str = "POST") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url + endpoint, data=body.encode(), method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
    return fetch(request)


def fetch(request: urllib.request.Request) -> tuple[int, str, bytes]:
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def direct(store_path: Path, query: str) -> list[dict[str, str]]:
    """The same query on pyoxigraph in-process (union default graph, as ``kg query``)."""
    db = pyoxigraph.Store.read_only(str(store_path))
    solutions = db.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = [{n: str(row[n].value) for n in names if row[n] is not None} for row in solutions]
    del db
    return rows


def json_rows(body: bytes) -> list[dict[str, str]]:
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


# --------------------------------------------------------------- start and stop
def test_starts_within_two_seconds_and_stops_cleanly(store_path: Path) -> None:
    began = time.perf_counter()
    server = start(store_path, port=free_port())
    elapsed = time.perf_counter() - began
    try:
        assert elapsed < 2.0, f"startup took {elapsed:.2f} s"
        assert health(server.url)
        assert server.workdir.is_dir() and server.workdir.parent == store_path.parent
    finally:
        server.stop()
    assert not health(server.url, timeout=0.2)
    assert not server.workdir.exists()
    assert server.process.poll() is not None


def test_port_in_use_is_one_clear_line(store_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(KgError, match=f"port {port} on 127.0.0.1 is in use.*--port"):
            start(store_path, port=port)
        # taken between our check and the server's bind: the server's own error, one line
        monkeypatch.setattr("kg.serve.port_in_use", lambda host, port: False)
        with pytest.raises(KgError, match=f"^port {port} is in use .*--port$"):
            start(store_path, port=port)


def test_missing_store_and_locked_store_are_refused(tmp_path: Path, store_path: Path) -> None:
    with pytest.raises(KgError, match="does not exist; load something first"):
        start(tmp_path / "nothing", port=free_port())
    writer = Store(store_path)  # a load holds the lock
    try:
        with pytest.raises(StoreLocked, match="locked"):
            start(store_path, port=free_port())
    finally:
        writer.close()


# ------------------------------------------------------------- result formats
@pytest.mark.parametrize(("accept", "parse"), [
    ("application/sparql-results+json", lambda b: [r["s"] for r in json_rows(b)]),
    ("application/sparql-results+xml", lambda b: [
        e.text for e in ET.fromstring(b).iter("{http://www.w3.org/2005/sparql-results#}uri")]),
    ("text/csv", lambda b: [r["s"] for r in csv.DictReader(io.StringIO(b.decode()))]),
    ("text/tab-separated-values", lambda b: [
        line.strip("<>") for line in b.decode().splitlines()[1:]]),
])
def test_select_in_each_result_format(url: str, store_path: Path, accept: str,
                                      parse: Callable[[bytes], list[str]]) -> None:
    expected = [r["s"] for r in direct(store_path, ARTICLES)]
    assert len(expected) == 11
    status, content_type, body = get(url, ARTICLES, accept)
    assert status == 200 and content_type.startswith(accept)
    assert parse(body) == expected


def test_post_forms_of_the_protocol(url: str) -> None:
    form = urllib.parse.urlencode({"query": ARTICLES})
    by_form = post(url, form, "application/x-www-form-urlencoded",
                   "application/sparql-results+json")
    direct_body = post(url, ARTICLES, "application/sparql-query", "application/sparql-results+json")
    assert by_form[0] == direct_body[0] == 200
    assert json_rows(by_form[2]) == json_rows(direct_body[2])


def test_ask(url: str) -> None:
    yes = f"ASK {{ <{VENNTEL}> <{SKG}subsidiaryOf> ?parent }}"
    status, _, body = get(url, yes, "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = get(url, f"ASK {{ <{VENNTEL}> <{SKG}partOf> ?x }}",
                          "application/sparql-results+xml")
    assert status == 200 and b"<boolean>false</boolean>" in body


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/n-quads", "nquads"), ("application/ld+json", "json-ld")])
def test_describe_and_construct_in_each_graph_format(url: str, accept: str,
                                                     rdflib_format: str) -> None:
    venntel = rdflib.URIRef(VENNTEL)
    status, content_type, body = get(url, f"DESCRIBE <{VENNTEL}>", accept)
    assert status == 200 and content_type.startswith(accept)
    described = parsed(body, rdflib_format)
    assert (venntel, rdflib.SKOS.prefLabel, rdflib.Literal("Venntel", lang="en")) in described
    construct = f"CONSTRUCT {{ ?v <{SKG}subsidiaryOf> ?p }} WHERE {{ ?v <{SKG}subsidiaryOf> ?p }}"
    status, _, body = get(url, construct, accept)
    built = parsed(body, rdflib_format)
    assert status == 200
    assert (venntel, rdflib.URIRef(SKG + "subsidiaryOf"),
            rdflib.URIRef("https://w3id.org/survkg/id/vendor/gravy-analytics")) in built


def parsed(body: bytes, rdflib_format: str) -> rdflib.Graph:
    if rdflib_format == "nquads":
        return rdflib.Dataset().parse(data=body, format="nquads")
    return rdflib.Graph().parse(data=body, format=rdflib_format)


def test_named_graph_download_keeps_provenance(url: str, store_path: Path) -> None:
    """Graph Store Protocol GET of one source graph, and the whole dataset as N-Quads."""
    status, _, body = fetch(urllib.request.Request(
        url + "/store?" + urllib.parse.urlencode(
            {"graph": "https://w3id.org/survkg/id/source/registry"}),
        headers={"Accept": "text/turtle"}))
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="turtle")) > 1000
    status, _, body = fetch(urllib.request.Request(
        url + "/store", headers={"Accept": "application/n-quads"}))
    graphs = {line.rsplit(" ", 2)[-2].strip("<>") for line in body.decode().splitlines() if line}
    assert status == 200 and "https://w3id.org/survkg/id/source/registry" in graphs
    expected = {r["g"] for r in direct(store_path, "SELECT ?g WHERE { GRAPH ?g { } }")}
    assert graphs == expected and len(graphs) == 14  # 11 articles, awards, registry, ontology


def test_unacceptable_format_is_406(url: str) -> None:
    assert get(url, ARTICLES, "image/png")[0] == 406


# ----------------------------------------------------------------- read-only
def test_updates_and_graph_store_writes_are_refused(url: str, store_path: Path) -> None:
    before = json_rows(get(url, COUNT, "application/sparql-results+json")[2])
    delete = "DELETE WHERE { ?s ?p ?o }"
    status, _, body = post(url, urllib.parse.urlencode({"update": delete}),
                           "application/x-www-form-urlencoded", endpoint="/update")
    assert (status, body) == (403, b"The server is read-only")
    assert post(url, delete, "application/sparql-update", endpoint="/update")[0] == 403
    assert post(url, delete, "application/sparql-update")[0] == 415  # not a query
    put = post(url, "<urn:a> <urn:b> <urn:c> .", "application/n-triples",
               endpoint="/store?graph=urn:x", method="PUT")
    assert put[0] == 403
    removed = fetch(urllib.request.Request(url + "/store?graph=" + urllib.parse.quote(
        "https://w3id.org/survkg/id/source/registry"), method="DELETE"))
    assert removed[0] == 403
    assert json_rows(get(url, COUNT, "application/sparql-results+json")[2]) == before


def test_cors_for_browser_clients(url: str) -> None:
    preflight = urllib.request.Request(url + "/query", method="OPTIONS", headers={
        "Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    with OPENER.open(preflight, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    request = urllib.request.Request(
        url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"}),
        headers={"Origin": "http://localhost:8080", "Accept": "application/sparql-results+json"})
    with OPENER.open(request, timeout=10) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_query_ui_is_served_from_the_binary(url: str) -> None:
    status, content_type, body = fetch(urllib.request.Request(url + "/"))
    assert status == 200 and content_type.startswith("text/html") and b"yasgui" in body.lower()


# ------------------------------------------------------ same answers as in-process
def test_union_default_graph_matches_pyoxigraph(url: str, store_path: Path) -> None:
    served = json_rows(get(url, COUNT, "application/sparql-results+json")[2])
    assert served == direct(store_path, COUNT)


@pytest.mark.parametrize("path", sorted(p for p in QUERIES.glob("*.rq")
                                        if "CONSTRUCT" not in p.read_text(encoding="utf-8")),
                         ids=lambda p: p.stem)
def test_library_query_answers_as_in_process(url: str, store_path: Path, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    status, _, body = post(url, query, "application/sparql-query",
                           "application/sparql-results+json")
    assert status == 200, body[:300]
    served, expected = json_rows(body), direct(store_path, query)
    assert expected, f"{path.name} found nothing in the fixture store"
    assert unordered(served) == unordered(expected)


def unordered(rows: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    """Rows sorted; GROUP_CONCAT lists have no order in SPARQL, so their parts are sorted."""
    def part(value: str) -> str:
        return "\x1f".join(sorted(re.split(r" \| |, ", value)))
    return sorted(sorted((k, part(v)) for k, v in row.items()) for row in rows)


# ------------------------------------------------- snapshot: loads may go on
def test_a_load_while_serving_is_not_seen_until_restart(tmp_path: Path) -> None:
    path = tmp_path / "store"
    ingest(path, FIXTURES / "articles" / "alpha_sale.txt")
    with running_server(path) as base:
        assert count_articles(base) == 1
        ingest(path, FIXTURES / "articles" / "gamma_pilot.txt")  # not blocked by the server
        assert count_articles(base) == 1  # still the snapshot, never a half-loaded source
    with running_server(path) as base:
        assert count_articles(base) == 2


def test_a_half_written_source_is_dropped_before_the_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "store"
    ingest(path, FIXTURES / "articles" / "alpha_sale.txt")
    partial = "https://w3id.org/survkg/id/source/partial"
    db = pyoxigraph.Store(str(path))  # what an interrupted bulk load leaves behind
    marker = pyoxigraph.NamedNode("urn:survkg:loading:" + partial)
    db.add(pyoxigraph.Quad(marker, pyoxigraph.NamedNode(SKG + "x"), marker, marker))
    db.add(pyoxigraph.Quad(pyoxigraph.NamedNode(partial), pyoxigraph.NamedNode(SKG + "x"),
                           pyoxigraph.Literal("half"), pyoxigraph.NamedNode(partial)))
    db.flush()
    del db
    server = start(path, port=free_port())
    try:
        assert server.recovered == (partial,)
        _, _, body = get(server.url, "SELECT ?g WHERE { GRAPH ?g { } }",
                              "application/sparql-results+json")
        served = {r["g"] for r in json_rows(body)}
        assert partial not in served and not any(g.startswith("urn:") for g in served)
        assert "https://w3id.org/survkg/id/source/" in " ".join(served)
    finally:
        server.stop()
    kept = pyoxigraph.Store.read_only(str(path))  # opening the store undid the dead load
    assert not kept.contains_named_graph(pyoxigraph.NamedNode(partial))


def ingest(path: Path, *files: Path) -> None:
    result = CliRunner().invoke(main, ["--store", str(path), "ingest", "articles",
                                       *map(str, files)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def count_articles(base: str) -> int:
    return len(json_rows(get(base, ARTICLES, "application/sparql-results+json")[2]))


# ------------------------------------------------------------ blocking serve()
def test_serve_returns_when_the_server_is_stopped_and_fails_when_it_dies(
        store_path: Path) -> None:
    for sig, fails in ((signal.SIGTERM, False), (signal.SIGKILL, True)):
        ready: list[Server] = []
        errors: list[BaseException] = []
        thread = threading.Thread(target=serve_in_thread, args=(store_path, ready, errors))
        thread.start()
        deadline = time.monotonic() + 10
        while not ready and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready and health(ready[0].url)
        ready[0].process.send_signal(sig)
        thread.join(10)
        assert not thread.is_alive() and not ready[0].workdir.exists()
        assert bool(errors) == fails
        if fails:
            assert "the oxigraph server stopped (exit -9)" in str(errors[0])


def serve_in_thread(store_path: Path, ready: list[Server], errors: list[BaseException]) -> None:
    try:
        serve(store_path, port=free_port(), on_ready=ready.append)
    except KgError as error:
        errors.append(error)


def test_ctrl_c_stops_server_and_removes_snapshot(store_path: Path) -> None:
    port = free_port()
    script = textwrap.dedent(f"""
        from kg.serve import serve
        serve({str(store_path)!r}, port={port},
              on_ready=lambda s: print(s.url, s.workdir, flush=True))
        print("stopped", flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        served, workdir = process.stdout.readline().split()
        assert served == f"http://127.0.0.1:{port}" and Path(workdir).is_dir()
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline().strip() == "stopped"
        assert process.wait(10) == 0
    finally:
        process.kill()
    assert not health(f"http://127.0.0.1:{port}", timeout=0.2)
    assert not Path(workdir).exists()
