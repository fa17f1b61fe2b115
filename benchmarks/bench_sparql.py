"""SPARQL through ``kg serve`` against the same query run in-process on pyoxigraph.

Builds a store from the demo corpus plus seeded synthetic articles (the
generator of ``bench_articles.py``), starts the read-only Oxigraph server over
it, and times every library query in docs/queries both ways:

- in-process: ``pyoxigraph.Store.query`` on the same store, union default graph,
  every row and term materialised in Python;
- served: one HTTP POST (``application/sparql-query``) on a kept-alive
  connection, the whole SPARQL JSON (or Turtle) answer read.

Prints the median of each, their ratio, and the server's startup time.
Run: ``python benchmarks/bench_sparql.py --articles 3000``.
"""

import argparse
import http.client
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_articles import load_all, make_articles  # sibling script

from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
from kg.registry import load_registry
from kg.serve import free_port, running_server, start
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "docs" / "queries"


def build(path: Path, synthetic: int) -> int:
    """Demo corpus, fixture articles and ``synthetic`` generated ones; returns the quad count."""
    store = Store(path)
    try:
        ingest_articles(store, expand_paths([ROOT / "demo" / "corpus",
                                             ROOT / "tests" / "fixtures" / "articles"],
                                            ARTICLE_SUFFIXES))
        registry = load_registry()
        load_all(make_articles(synthetic, registry), registry, store)
        return store.count()
    finally:
        store.close()


def median_ms(work: Callable[[], object], runs: int) -> float:
    work()  # warm caches
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def in_process(db: pyoxigraph.Store, query: str) -> int:
    result = db.query(query, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QuerySolutions):
        rows = 0
        for row in result:
            rows += len([term for term in row if term is not None])  # touch every value
        return rows
    if isinstance(result, pyoxigraph.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def served(connection: http.client.HTTPConnection, query: str, accept: str) -> int:
    connection.request("POST", "/query", body=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"server answered {response.status}: {body[:200]!r}")
    return len(body)


def startup_ms(path: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        with running_server(path):
            times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3_000, help="synthetic articles")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query and path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo, big = Path(folder) / "demo", Path(folder) / "big"
        build(demo, 0)
        began = time.perf_counter()
        quads = build(big, args.articles)
        print(f"store: demo corpus + {args.articles} synthetic articles, {quads:,} quads "
              f"(built in {time.perf_counter() - began:.0f} s)")
        print(f"startup (median of 5, snapshot + server until it answers): "
              f"demo store {startup_ms(demo):.0f} ms, this store {startup_ms(big):.0f} ms")
        server = start(big, port=free_port())
        db = pyoxigraph.Store.read_only(str(big))
        host, port = urllib.parse.urlsplit(server.url).hostname, server.url.rsplit(":", 1)[1]
        connection = http.client.HTTPConnection(str(host), int(port), timeout=120)
        try:
            report(db, connection, args.runs)
        finally:
            connection.close()
            server.stop()


def report(db: pyoxigraph.Store, connection: http.client.HTTPConnection, runs: int) -> None:
    print("| query | values | in-process ms | via kg serve ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    ratios = []
    for path in sorted(QUERIES.glob("*.rq")):
        query = path.read_text(encoding="utf-8")
        accept = "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"
        rows = in_process(db, query)
        direct = median_ms(lambda q=query: in_process(db, q), runs)
        http_ms = median_ms(lambda q=query, a=accept: served(connection, q, a), runs)
        ratio = http_ms / direct
        if direct > 10:
            ratios.append(ratio)
        print(f"| {path.stem} | {rows} | {direct:.1f} | {http_ms:.1f} | {ratio:.2f} |")
    if ratios:
        print(f"queries over 10 ms in-process: {len(ratios)}, median ratio "
              f"{statistics.median(ratios):.2f}, worst {max(ratios):.2f} (target <= 1.2)")
    else:
        print("no query took over 10 ms in-process; use more --articles")


if __name__ == "__main__":
    main()
