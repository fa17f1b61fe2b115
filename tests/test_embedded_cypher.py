"""Embedded Cypher (LadybugDB): journalist queries against the networkx projection and Neo4j."""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg import embedded
from kg.cypher import load_library, run_cypher
from kg.cypher_translate import translate
from kg.embedded import ensure_index, query_index, run_embedded
from kg.errors import KgError
from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
from kg.neo4j_sync import push
from kg.projection import PropertyGraph, project
from kg.sources import list_sources, remove_source
from kg.store import Store
from tests.neo4j_server import Neo4jServer

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"
Rows = list[list[Any]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, PropertyGraph]]:
    """The demo corpus in a store, its projection, and its index built once."""
    store = Store(tmp_path_factory.mktemp("embedded") / "store")
    ingest_articles(store, expand_paths([DEMO], ARTICLE_SUFFIXES))
    ensure_index(store)
    yield store, project(store)
    store.close()


# --------------------------------------------------------- expected answers
def nodes(graph: PropertyGraph, label: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [(n, a) for n, a in graph.nodes(data=True) if label is None or a["label"] == label]


def edges(graph: PropertyGraph, *types: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(s, e, a) for s, e, a in graph.edges(data=True) if not types or a["type"] in types]


def name(graph: PropertyGraph, node: str) -> str:
    return str(graph.nodes[node]["name"])


def by_name(graph: PropertyGraph, text: str) -> str:
    return next(n for n, a in graph.nodes(data=True) if a["name"] == text)


def trails(graph: PropertyGraph, start: str, low: int, high: int) -> int:
    """Undirected paths from ``start`` with no relationship twice (Neo4j's semantics)."""
    incident: dict[str, list[tuple[str, tuple[str, str, str]]]] = {}
    for s, e, key in graph.edges(keys=True):
        incident.setdefault(s, []).append((e, (s, e, key)))
        incident.setdefault(e, []).append((s, (s, e, key)))

    def walk(node: str, used: frozenset[tuple[str, str, str]], depth: int) -> int:
        found = 1 if low <= depth <= high and depth > 0 else 0
        if depth == high:
            return found
        for other, edge in incident.get(node, []):
            if edge not in used:
                found += walk(other, used | {edge}, depth + 1)
        return found

    return walk(start, frozenset(), 0)


def part_of_closure(graph: PropertyGraph) -> set[tuple[str, str]]:
    parts: nx.DiGraph[str] = nx.DiGraph((s, e) for s, e, _ in edges(graph, "PART_OF"))
    return {(name(graph, a), name(graph, b)) for a in parts for b in nx.descendants(parts, a)}


def undirected_hops(graph: PropertyGraph, a: str, b: str) -> int:
    return int(nx.shortest_path_length(graph.to_undirected(as_view=True), a, b))


@dataclass(frozen=True)
class Case:
    """One journalist query, its parameters, and its answer from the projection."""

    name: str
    query: str
    expected: Callable[[PropertyGraph], Rows]
    params: dict[str, Any] | None = None
    ordered: bool = False


VENDOR = "Palantir Technologies"
CASES = [
    Case("labels", "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter(a["label"] for _, a in nodes(g)).items()]),
    Case("types", "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter(a["type"] for *_, a in edges(g)).items()]),
    Case("vendors ordered", "MATCH (v:Vendor) RETURN v.name AS name ORDER BY name",
         lambda g: [[n] for n in sorted(a["name"] for _, a in nodes(g, "Vendor"))],
         ordered=True),
    Case("sales", "MATCH (v:Vendor)-[r:SELLS_TO]->(a:Agency) "
         "RETURN v.name AS vendor, a.name AS agency, r.product AS product",
         lambda g: [[name(g, s), name(g, e), a["product"]] for s, e, a in edges(g, "SELLS_TO")]),
    Case("contains param", "MATCH (n) WHERE toLower(n.name) CONTAINS $part RETURN n.id AS id",
         lambda g: [[n] for n, a in nodes(g) if "police" in a["name"].lower()],
         {"part": "police"}),
    Case("starts with", "MATCH (a:Agency) WHERE a.name STARTS WITH 'U.S.' RETURN a.name",
         lambda g: [[a["name"]] for _, a in nodes(g, "Agency") if a["name"].startswith("U.S.")]),
    Case("regex", "MATCH (v:Vendor) WHERE v.name =~ '.*[Ss]olutions.*' RETURN v.name",
         lambda g: [[a["name"]] for _, a in nodes(g, "Vendor")
                    if "solutions" in a["name"].lower()]),
    Case("optional match", "MATCH (p:Product) OPTIONAL MATCH (v:Vendor)-[:MAKES]->(p) "
         "RETURN p.name AS product, v.name AS maker",
         lambda g: [[a["name"], maker] for n, a in nodes(g, "Product")
                    for maker in _makers(g, n) or [None]]),
    Case("with pipeline", "MATCH (v:Vendor)-[:SELLS_TO|PITCHED_TO]->(a:Agency) "
         "WITH v, count(DISTINCT a) AS agencies WHERE agencies >= $min "
         "RETURN v.name AS vendor, agencies ORDER BY agencies DESC, vendor",
         lambda g: sorted(([name(g, v), len(ags)] for v, ags in _agencies(g).items()
                           if len(ags) >= 1), key=lambda r: (-r[1], r[0])),
         {"min": 1}, ordered=True),
    Case("collect", "MATCH (s:Source)-[:MENTIONS]->(e) RETURN s.id AS source, collect(e.id) AS e",
         lambda g: [[s, sorted(e for x, e, _ in edges(g, "MENTIONS") if x == s)]
                    for s, _ in nodes(g, "Source")
                    if any(x == s for x, _, _ in edges(g, "MENTIONS"))]),
    Case("count distinct", "MATCH (:Source)-[:MENTIONS]->(e) RETURN count(DISTINCT e) AS n",
         lambda g: [[len({e for _, e, _ in edges(g, "MENTIONS")})]]),
    Case("sum", "MATCH ()-[r:SELLS_TO]->() WHERE r.amount_usd IS NOT NULL "
         "RETURN sum(r.amount_usd) AS total",
         lambda g: [[sum(a["amount_usd"] for *_, a in edges(g, "SELLS_TO")
                         if a["amount_usd"] is not None)]]),
    Case("unwind", "MATCH ()-[r]->() UNWIND r.sources AS s RETURN s, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter(s for *_, a in edges(g)
                                               for s in a["sources"]).items()]),
    Case("part of closure", "MATCH (a:Agency)-[:PART_OF*1..]->(b:Agency) "
         "RETURN a.name AS part, b.name AS whole",
         lambda g: [list(pair) for pair in part_of_closure(g)]),
    Case("trails", "MATCH (a {name: $name})-[*1..2]-(b) RETURN count(*) AS n",
         lambda g: [[trails(g, by_name(g, VENDOR), 1, 2)]], {"name": VENDOR}),
    Case("shortest path", "MATCH (a:Vendor {name: $a}), (b:Agency {name: $b}) "
         "MATCH p = shortestPath((a)-[*..6]-(b)) RETURN length(p) AS hops",
         lambda g: [[undirected_hops(g, by_name(g, "Motorola Solutions"),
                                     by_name(g, "U.S. Immigration and Customs Enforcement"))]],
         {"a": "Motorola Solutions", "b": "U.S. Immigration and Customs Enforcement"}),
    Case("list param", "MATCH (v:Vendor) WHERE v.name IN $names RETURN v.name",
         lambda g: [[a["name"]] for _, a in nodes(g, "Vendor")
                    if a["name"] in (VENDOR, "Clearview AI")],
         {"names": [VENDOR, "Clearview AI"]}),
    Case("order limit", "MATCH (n:Agency) RETURN n.name AS name ORDER BY name LIMIT 3",
         lambda g: [[n] for n in sorted(a["name"] for _, a in nodes(g, "Agency"))[:3]],
         ordered=True),
    Case("max size", "MATCH ()-[r]->() RETURN max(size(r.sources)) AS most",
         lambda g: [[max(len(a["sources"]) for *_, a in edges(g))]]),
    Case("comprehension", "MATCH (v:Vendor) "
         "RETURN v.name AS name, [a IN v.aliases WHERE a CONTAINS ' ' | toLower(a)] AS spaced",
         lambda g: [[a["name"], [x.lower() for x in a["aliases"] if " " in x]]
                    for _, a in nodes(g, "Vendor")]),
    Case("status", "MATCH ()-[r]->() WHERE r.status = $status RETURN type(r) AS t, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter(a["type"] for *_, a in edges(g)
                                               if a["status"] == "ended").items()],
         {"status": "ended"}),
    Case("case", "MATCH ()-[r:SELLS_TO|PITCHED_TO]->() RETURN CASE type(r) "
         "WHEN 'SELLS_TO' THEN 'sale' ELSE 'pitch' END AS kind, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter(
             "sale" if a["type"] == "SELLS_TO" else "pitch"
             for *_, a in edges(g, "SELLS_TO", "PITCHED_TO")).items()]),
    Case("year", "MATCH ()-[r:SELLS_TO]->() "
         "RETURN left(coalesce(r.start_date, 'none'), 4) AS year, count(*) AS n",
         lambda g: [[k, v] for k, v in Counter((a["start_date"] or "none")[:4]
                                               for *_, a in edges(g, "SELLS_TO")).items()]),
    Case("index from zero", "MATCH (v:Vendor {name: $name}) "
         "RETURN [v.name, 'x'][0] AS first, [v.name, 'x'][-1] AS last",
         lambda g: [[VENDOR, "x"]], {"name": VENDOR}),
    Case("string functions", "MATCH (v:Vendor {name: $name}) RETURN substring(v.name, 0, 4) "
         "AS a, substring(v.name, 9) AS b, toString(size(v.name)) AS c, "
         "toInteger('12') + 1 AS d, split(v.name, ' ') AS e",
         lambda g: [[VENDOR[:4], VENDOR[9:], str(len(VENDOR)), 13, VENDOR.split(" ")]],
         {"name": VENDOR}),
    Case("no sales", "MATCH (v:Vendor) WHERE NOT EXISTS { MATCH (v)-[:SELLS_TO]->() } "
         "RETURN count(*) AS n",
         lambda g: [[sum(1 for n, _ in nodes(g, "Vendor")
                         if not any(s == n for s, _, _ in edges(g, "SELLS_TO")))]]),
    Case("node map", "MATCH (v:Vendor {name: $name}) RETURN v",
         lambda g: [[{"_labels": ["Vendor"], "id": by_name(g, VENDOR),
                      **{k: v for k, v in sorted(g.nodes[by_name(g, VENDOR)].items())
                         if k != "label" and v is not None}}]], {"name": VENDOR}),
    Case("vendors of ICE", (
        "MATCH (agency:Agency) WHERE toLower($agency) IN [toLower(agency.name)] + "
        "[alias IN agency.aliases | toLower(alias)] "
        "MATCH (unit:Agency)-[:PART_OF*0..]->(agency) "
        "MATCH (vendor:Vendor)-[deal:SELLS_TO|PITCHED_TO]->(unit) "
        "RETURN vendor.name AS vendor, type(deal) AS relation, unit.name AS agency "
        "ORDER BY vendor, relation, agency"),
         lambda g: sorted([name(g, s), a["type"], name(g, e)]
                          for s, e, a in edges(g, "SELLS_TO", "PITCHED_TO")
                          if g.nodes[s]["label"] == "Vendor" and _in_ice(g, e)),
         {"agency": "Immigration and Customs Enforcement"}, ordered=True),
]


def _makers(graph: PropertyGraph, product: str) -> list[str | None]:
    return [name(graph, s) for s, e, _ in edges(graph, "MAKES")
            if e == product and graph.nodes[s]["label"] == "Vendor"]


def _agencies(graph: PropertyGraph) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for s, e, _ in edges(graph, "SELLS_TO", "PITCHED_TO"):
        if graph.nodes[s]["label"] == "Vendor" and graph.nodes[e]["label"] == "Agency":
            found.setdefault(s, set()).add(e)
    return found


def _in_ice(graph: PropertyGraph, node: str) -> bool:
    ice = by_name(graph, "U.S. Immigration and Customs Enforcement")
    parts: nx.DiGraph[str] = nx.DiGraph((s, e) for s, e, _ in edges(graph, "PART_OF"))
    parts.add_node(node)
    return node == ice or (ice in parts and ice in nx.descendants(parts, node))


def normal(rows: Rows, ordered: bool) -> list[str]:
    """Rows as comparable text; lists inside (collect) and the rows themselves sorted."""
    def value(item: Any) -> Any:
        if isinstance(item, list):
            return sorted((value(x) for x in item), key=repr)
        if isinstance(item, float) and item.is_integer():
            return int(item)
        if isinstance(item, dict):
            return {k: value(v) for k, v in sorted(item.items())}
        return item

    text = [repr([value(item) for item in row]) for row in rows]
    return text if ordered else sorted(text)


# ------------------------------------------------------------------- tests
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_query_matches_the_projection(demo: tuple[Store, PropertyGraph], case: Case) -> None:
    store, graph = demo
    _, rows = run_embedded(store, case.query, case.params)
    expected = case.expected(graph)
    assert expected, f"{case.name}: the demo corpus should give an answer"
    assert normal(rows, case.ordered) == normal(expected, case.ordered)


RUNNABLE = ["agencies_of_vendor", "ended_deals", "sharing_data_with", "shortest_path",
            "sources_mentioning", "sources_of_edge", "technology_of_agency",
            "vendors_of_agency"]


def test_library_queries_run_unchanged_or_refuse_in_one_line(
        demo: tuple[Store, PropertyGraph]) -> None:
    store, _ = demo
    ran = []
    for query in load_library():
        try:
            run_embedded(store, query.text, query.params)
            ran.append(query.name)
        except KgError as error:
            assert "CALL { } subqueries" in str(error) and "\n" not in str(error)
    assert ran == RUNNABLE


def test_translated_construct_gives_the_same_rows(demo: tuple[Store, PropertyGraph]) -> None:
    store, _ = demo
    neo = run_embedded(store, "MATCH (n:Vendor) RETURN labels(n)[0] AS l, n.name AS name")[1]
    native = run_embedded(store, "MATCH (n:Vendor) RETURN label(n) AS l, n.name AS name")[1]
    assert sorted(neo) == sorted(native) and all(row[0] == "Vendor" for row in neo)
    trail = "MATCH (a {name: $n})-[*1..3]-(b) RETURN count(*)"
    params = {"n": VENDOR}
    assert run_embedded(store, trail, params)[1] == run_embedded(
        store, trail.replace("*1..3", "* TRAIL 1..3"), params)[1]
    path = ("MATCH (a:Vendor {name: $n}), (b:Agency {name: $m}) "
            "MATCH p = shortestPath((a)-[*..6]-(b)) RETURN length(p)")
    params = {"n": "Motorola Solutions", "m": "U.S. Immigration and Customs Enforcement"}
    assert run_embedded(store, path, params)[1] == run_embedded(
        store, path.replace("shortestPath((a)-[*..6]-(b))", "(a)-[* SHORTEST 1..6]-(b)"),
        params)[1]


def test_the_index_name_column_never_reaches_the_user(
        demo: tuple[Store, PropertyGraph]) -> None:
    store, graph = demo
    query = "MATCH (n:Vendor) RETURN n, keys(n) AS k, properties(n) AS p"
    _, rows = run_embedded(store, query)
    assert len(rows) == len(nodes(graph, "Vendor"))
    assert all("_kg_names" not in str(row) for row in rows)
    assert all({"id", "name"} <= set(row[1]) and row[2]["id"] == row[0]["id"] for row in rows)


@pytest.mark.parametrize("query, construct", [
    ("CALL { MATCH (n) RETURN n } RETURN n", "CALL { } subqueries"),
    ("MATCH (v:Vendor) CALL (v) { MATCH (v)-->(x) RETURN x } RETURN x", "CALL { } subqueries"),
    ("CALL db.labels()", "procedure calls"),
    ("MATCH (n) RETURN [1, 2, 3][0..2]", "list slices"),
])
def test_untranslatable_construct_fails_in_one_line(query: str, construct: str) -> None:
    with pytest.raises(KgError) as error:
        translate(query)
    assert construct in str(error.value) and "\n" not in str(error.value)


def test_literals_and_comments_are_not_translated() -> None:
    query = "MATCH (n {name: 'type(r) CALL { labels(x)[0]'}) // CALL { \nRETURN n"
    assert translate(query) == "MATCH (n {name: 'type(r) CALL { labels(x)[0]'})  \nRETURN n"


def test_writes_are_refused(demo: tuple[Store, PropertyGraph]) -> None:
    with pytest.raises(KgError, match="read-only"):
        run_embedded(demo[0], "MATCH (n) DETACH DELETE n")


def test_index_is_reused_then_rebuilt_when_sources_change(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    articles = expand_paths([DEMO], ARTICLE_SUFFIXES)
    ingest_articles(store, articles[:3])
    first = ensure_index(store)
    assert first.built and not ensure_index(store).built
    count = "MATCH (s:Source) RETURN count(*)"

    def sources() -> list[list[int]]:
        return [[sum(1 for _, a in project(store).nodes(data=True) if a["label"] == "Source")]]

    before = sources()
    assert run_embedded(store, count)[1] == before
    ingest_articles(store, articles[3:4])
    assert run_embedded(store, count)[1] == sources() != before
    remove_source(store, list_sources(store)[0].iri)
    assert run_embedded(store, count)[1] == sources()
    assert not ensure_index(store).built
    store.close()


def test_index_built_in_many_copy_chunks_holds_every_element(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        demo: tuple[Store, PropertyGraph]) -> None:
    """Chunks bound the build's memory; LadybugDB 0.22 crashed re-running one COPY text
    on one connection, so this also guards the connection-per-chunk workaround."""
    _, graph = demo
    monkeypatch.setattr(embedded, "COPY_CHUNK", 7)
    embedded.build(graph, tmp_path / "db")
    nodes = query_index(tmp_path / "db", "MATCH (n) RETURN count(n)")[1]
    rels = query_index(tmp_path / "db", "MATCH ()-[r]->() RETURN count(r)")[1]
    names = query_index(tmp_path / "db", "MATCH (a:Agency) WHERE 'ice' IN a.`_kg_names` "
                                         "RETURN a.name")[1]
    assert nodes == [[graph.number_of_nodes()]] and rels == [[graph.number_of_edges()]]
    assert names == [["U.S. Immigration and Customs Enforcement"]]


def test_same_rows_as_neo4j(neo4j: Neo4jServer, demo: tuple[Store, PropertyGraph]) -> None:
    store, graph = demo
    push(graph, neo4j.uri, "neo4j", None, "neo4j")
    queries = [(c.name, c.query, c.params or {}, c.ordered) for c in CASES]
    queries += [(q.name, q.text, q.params, True) for q in load_library() if q.name in RUNNABLE]
    differ = []
    for label, query, params, ordered in queries:
        neo = run_cypher(query, params, neo4j.uri, "neo4j", None, "neo4j").rows
        embedded = run_embedded(store, query, params)[1]
        if normal(neo, ordered) != normal(embedded, ordered):
            differ.append(label)
    assert differ == []
