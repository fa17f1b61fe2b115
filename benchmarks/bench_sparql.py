"""SPARQL through ``kg serve`` against the same query run in-process on pyoxigraph.

Builds a store from the demo corpus, the fixture articles and
``scale.sparql_articles`` seeded synthetic articles (``generate_articles.py``),
then, in a fresh process, starts the read-only Oxigraph server over it and
times every library query in docs/queries both ways:

- in-process: ``pyoxigraph.Store.query`` on the same store, union default graph,
  every row and term materialised in Python (the baseline);
- served: one HTTP POST (``application/sparql-query``) on a kept-alive
  connection, the whole SPARQL JSON (or Turtle) answer read.

Figures: the sum of the per-query medians both ways, the median and worst ratio
over the queries that take 10 ms or more in-process (below that the fixed
0.2 ms of HTTP dominates), and the server's start-up (snapshot + answering).
Targets: served <= 1.2x in-process; start-up < 2 s.
Run: ``python benchmarks/bench_sparql.py --scale full`` (``--articles N``).
"""

import http.client
import shutil
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Figure, Scale, call_child, peak_rss_mib, standalone  # sibling script
from generate_articles import write_articles

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "docs" / "queries"
RUNS = {"small": 3, "full": 15}
SLOW_MS = 10.0
TARGET_RATIO = 1.2
TARGET_STARTUP_S = 2.0


def build(store_path: str, synthetic: str) -> dict[str, Any]:
    """(child) Demo corpus, fixture articles and the synthetic folder into a new store."""
    from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
    from kg.store import Store

    began = time.perf_counter()
    store = Store(Path(store_path))
    try:
        ingest_articles(store, expand_paths([ROOT / "demo" / "corpus",
                                             ROOT / "tests" / "fixtures" / "articles",
                                             Path(synthetic)], ARTICLE_SUFFIXES))
        return {"quads": store.count(), "seconds": time.perf_counter() - began}
    finally:
        store.close()


def paired_medians_ms(first: Callable[[], object], second: Callable[[], object],
                      runs: int) -> tuple[float, float]:
    """Median wall time of each of two ways to do the same work, run in turns after one
    warm-up each, so load from other jobs falls on both alike and the ratio holds."""
    first()
    second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for work, into in ((first, times[0]), (second, times[1])):
            began = time.perf_counter()
            work()
            into.append(time.perf_counter() - began)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def in_process(db: Any, query: str) -> int:
    """Run ``query`` on pyoxigraph and touch every value, as a Python caller would."""
    import pyoxigraph

    result = db.query(query, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QuerySolutions):
        rows = 0
        for row in result:
            rows += len([term for term in row if term is not None])
        return rows
    if isinstance(result, pyoxigraph.QueryBoolean):
        return 1
    return sum(1 for _ in result)


def served(connection: http.client.HTTPConnection, query: str, accept: str) -> int:
    """POST ``query`` to the server and read the whole answer."""
    connection.request("POST", "/query", body=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"server answered {response.status}: {body[:200]!r}")
    return len(body)


def startup_ms(path: Path, runs: int = 5) -> list[float]:
    """Snapshot + server process until it answers, ``runs`` times (what `kg serve` waits)."""
    from kg.serve import running_server

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        with running_server(path):
            times.append((time.perf_counter() - began) * 1000)
    return times


def measure(store_path: str, runs: str) -> dict[str, Any]:
    """(child) Start-up times, then each library query's median both ways."""
    import pyoxigraph

    from kg.serve import free_port, start

    path = Path(store_path)
    startups = startup_ms(path)
    server = start(path, port=free_port())
    db = pyoxigraph.Store.read_only(str(path))
    url = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(str(url.hostname), int(url.port or 80), timeout=300)
    try:
        rows = [time_query(db, connection, query, int(runs))
                for query in sorted(QUERIES.glob("*.rq"))]
        server_peak = peak_rss_mib(server.process.pid)
    finally:
        connection.close()
        server.stop()
    return {"startup_ms": startups, "queries": rows, "server_peak_mib": server_peak}


def time_query(db: Any, connection: http.client.HTTPConnection, path: Path,
               runs: int) -> dict[str, Any]:
    """One library query: its result size and its median in-process and served."""
    query = path.read_text(encoding="utf-8")
    accept = "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"
    direct, via = paired_medians_ms(lambda: in_process(db, query),
                                    lambda: served(connection, query, accept), runs)
    return {"name": path.stem, "values": in_process(db, query), "direct_ms": direct,
            "served_ms": via}


def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """Served vs in-process over the query library, and the server's start-up."""
    synthetic = workdir / "sparql-articles"
    write_articles(synthetic, scale.sparql_articles)
    store = workdir / "sparql-store"
    shutil.rmtree(store, ignore_errors=True)
    built, _ = call_child("bench_sparql", "build", str(store), str(synthetic))
    result, direct_peak = call_child("bench_sparql", "measure", str(store),
                                     str(RUNS.get(scale.name, 5)))
    for row in result["queries"]:  # the per-query detail, for the reader of the log
        print(f"  sparql {row['name']}: {row['values']} values, in-process "
              f"{row['direct_ms']:.1f} ms, served {row['served_ms']:.1f} ms", file=sys.stderr)
    size = f"{built['quads']:,} quads ({scale.sparql_articles:,} synthetic articles + demo)"
    return [*query_figures(result["queries"], size, direct_peak, result["server_peak_mib"]),
            startup_figure(result["startup_ms"], size, result["server_peak_mib"])]


def query_figures(rows: list[dict[str, Any]], size: str, direct_peak: float,
                  server_peak: float | None) -> list[Figure]:
    """The sum over all queries, then median and worst ratio over the slow ones."""
    direct = sum(r["direct_ms"] for r in rows)
    via = sum(r["served_ms"] for r in rows)
    found = [Figure("sparql", f"{len(rows)} library queries through `kg serve`, sum of "
                              f"medians, {size}", via, "ms",
                    baseline=f"pyoxigraph in-process {direct:,.1f} ms", ratio=via / direct,
                    target=f"<= {TARGET_RATIO}x", met=via / direct <= TARGET_RATIO,
                    peak_rss_mib=server_peak)]
    slow = sorted((r["served_ms"] / r["direct_ms"], r) for r in rows
                  if r["direct_ms"] >= SLOW_MS)
    if not slow:
        return found
    ratios = [ratio for ratio, _ in slow]
    middle = statistics.median(ratios)
    worst, row = slow[-1]
    found.append(Figure("sparql", f"median ratio over the {len(slow)} queries >= "
                                  f"{SLOW_MS:.0f} ms in-process", middle, "×",
                        baseline="same query in pyoxigraph", ratio=middle,
                        target=f"<= {TARGET_RATIO}x", met=middle <= TARGET_RATIO,
                        peak_rss_mib=direct_peak))
    found.append(Figure("sparql", f"worst of those: {row['name']}", row["served_ms"], "ms",
                        baseline=f"pyoxigraph {row['direct_ms']:,.1f} ms", ratio=worst,
                        target=f"<= {TARGET_RATIO}x", met=worst <= TARGET_RATIO))
    return found


def startup_figure(times: list[float], size: str, server_peak: float | None) -> Figure:
    """Median start-up; no baseline exists (the target is absolute)."""
    seconds = statistics.median(times) / 1000
    return Figure("sparql", f"`kg serve` start-up, snapshot until it answers, median of "
                            f"{len(times)}, {size}", seconds, "s",
                  target=f"< {TARGET_STARTUP_S:.0f} s", met=seconds < TARGET_STARTUP_S,
                  peak_rss_mib=server_peak)


if __name__ == "__main__":
    standalone(figures, __doc__.splitlines()[0], {"--articles": "sparql_articles"})
