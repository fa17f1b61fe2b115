"""``kg neo4j push`` rate against a real Neo4j 5.26, beside a plain write of the same rows.

The graph is the synthetic projection of ``bench_cypher.py`` (``scale.cypher_edges``
relationships at the shape award files and articles give). The server is the
test suite's (``tests/neo4j_server.py``: Neo4j Community from Maven Central jars,
1 GB heap); without Java or Maven this benchmark gives no figures and says why,
except under CI, where that is a failure.

Measured in one child process (its peak RSS is the push's Python side; the server
is a process of its own), each on a fresh server warmed by a small push (then
emptied), so the JVM's compiler is warm for both:

- baseline: the same rows (nodes, then relationships; no nulls) written by plain
  ``UNWIND $rows ... CREATE`` with ``SET x = row.props``, 20,000 rows per
  transaction, relationships' ends found through the node ``id`` constraints
  and no other constraint: no diff, no MERGE, no relationship key constraint;
- first push into an empty database (a second server, warmed the same way), end
  to end: constraints, reading what is there, diff, nodes and relationships
  (``kg.neo4j_sync.push``);
- second push of the unchanged graph: must write nothing.

Rates are relationships per second of the whole write (nodes included).
Run: ``python benchmarks/bench_neo4j.py --scale small`` (or ``full``).
"""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cypher import synthetic_graph  # sibling module
from common import ROOT, Figure, Scale, call_child, standalone

TARGET = 20_000.0  # relationships/s, issue 5
BATCH = 20_000
WARM_UP_EDGES = 3_000


def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """The push rate and the idempotent second push, or no figures without a server."""
    reason = _no_server_reason()
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            raise RuntimeError(f"bench_neo4j cannot run under CI: {reason}")
        print(f"bench_neo4j: no figures, {reason}", file=sys.stderr)
        return []
    found, peak = call_child("bench_neo4j", "measure", str(scale.cypher_edges), str(workdir))
    edges = int(found["edges"])
    rate = edges / found["push_s"]
    plain = edges / found["baseline_s"]
    first = Figure(
        "neo4j", f"first push of {edges:,} relationships and {found['nodes']:,} nodes, "
        "end to end (constraints, read, diff, write)", rate, "relationships/s",
        baseline=f"plain UNWIND CREATE of the same rows {plain:,.0f} relationships/s "
        f"({found['baseline_s']:.1f} s)", ratio=rate / plain,
        target=f">= {TARGET:,.0f} relationships/s", met=rate >= TARGET, peak_rss_mib=peak)
    second = Figure(
        "neo4j", f"second push of the unchanged graph ({found['second_written']} written)",
        found["second_s"], "s", baseline=f"first push {found['push_s']:.1f} s",
        ratio=found["second_s"] / found["push_s"], target="writes nothing",
        met=found["second_written"] == 0, peak_rss_mib=peak)
    return [first, second]


def _no_server_reason() -> str | None:
    """Why no Neo4j can start here (the test suite's own check), or None."""
    sys.path.insert(0, str(ROOT))
    from tests.neo4j_server import missing_tools

    return missing_tools()


# ------------------------------------------------------------ in the child
def measure(edges: str, workdir: str) -> dict[str, Any]:
    """Start a server, warm it, time the baseline and both pushes; stop it."""
    graph = synthetic_graph(int(edges))
    with _warm_server(Path(workdir) / "neo4j-baseline") as uri:
        baseline_s = _plain_write(uri, graph)
    with _warm_server(Path(workdir) / "neo4j-push") as uri:
        began = time.perf_counter()
        _push(uri, graph)
        push_s = time.perf_counter() - began
        began = time.perf_counter()
        again = _push(uri, graph)
        second_s = time.perf_counter() - began
    written = again.nodes_created + again.relationships_created + again.properties_set
    return {"edges": graph.number_of_edges(), "nodes": graph.number_of_nodes(),
            "baseline_s": baseline_s, "push_s": push_s, "second_s": second_s,
            "second_written": written + again.nodes_deleted + again.relationships_deleted}


def _push(uri: str, graph: Any) -> Any:
    from kg.neo4j_sync import push

    return push(graph, uri, "neo4j", None, "neo4j")


@contextmanager
def _warm_server(folder: Path) -> Iterator[str]:
    """A fresh server (its URI) whose JVM has compiled the push's paths, emptied again.

    Each measurement gets its own server: emptying a million-edge database in place
    costs minutes and more transaction memory than the test server's 1 GB heap.
    """
    from neo4j import GraphDatabase

    from tests.neo4j_server import Neo4jServer, ensure_jars

    server = Neo4jServer.start(ensure_jars(), folder)
    try:
        _push(server.uri, synthetic_graph(WARM_UP_EDGES, seed=11))
        with GraphDatabase.driver(server.uri, auth=None) as driver, driver.session(
                database="neo4j") as session:
            session.run("MATCH (n) DETACH DELETE n").consume()
            for name in session.run("SHOW CONSTRAINTS YIELD name RETURN name").value():
                session.run("DROP CONSTRAINT $name", name=name).consume()
        yield server.uri
    finally:
        server.stop()


def _plain_write(uri: str, graph: Any) -> float:
    """Seconds to write the push's rows with plain CREATE (see the module docstring).

    Rows are prepared before the clock starts; the node ``id`` constraints are
    made before it too, so relationships find their ends by index, as anyone
    loading a graph would.
    """
    from neo4j import GraphDatabase

    from kg.neo4j_sync import Names, plan_push
    from kg.schema import journalist_schema

    names = Names.from_schema(journalist_schema())
    plan = plan_push(graph, names)
    steps = [(f"UNWIND $rows AS row CREATE (n:{names.label(label)}) SET n = row.props",
              [{"props": _plain({**row["props"], "id": row["id"]})} for row in rows.values()])
             for label, rows in plan.nodes.items()]
    steps += [(f"UNWIND $rows AS row MATCH (a:{names.label(start)} {{id: row.start}}) "
               f"MATCH (b:{names.label(end)} {{id: row.end}}) "
               f"CREATE (a)-[r:{names.rel_type(rel_type)}]->(b) SET r = row.props",
               [{"start": row["start"], "end": row["end"],
                 "props": _plain({**row["props"], "key": row["key"]})} for row in rows.values()])
              for (start, rel_type, end), rows in plan.relationships.items()]
    with GraphDatabase.driver(uri, auth=None) as driver, driver.session(
            database="neo4j") as session:
        for label in sorted(names.labels):
            session.run(f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{names.label(label)}) "
                        "REQUIRE n.id IS UNIQUE").consume()
        began = time.perf_counter()
        for query, rows in steps:
            for first in range(0, len(rows), BATCH):
                batch = rows[first:first + BATCH]
                session.execute_write(_run_batch, query, batch)
        return time.perf_counter() - began


def _run_batch(tx: Any, query: str, rows: list[dict[str, Any]]) -> None:
    tx.run(query, rows=rows).consume()


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in props.items() if value is not None}


if __name__ == "__main__":
    standalone(figures, __doc__.splitlines()[0], {"--edges": "cypher_edges"})
