"""`kg neo4j push`, `kg query cypher` and the query library, against a real Neo4j 5.26.

Expected answers are computed from the networkx projection, the one graph
every back end is derived from, so these tests check that Neo4j holds exactly
that graph and that each library query asks what its purpose line says.
"""

from collections import Counter, deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from neo4j import GraphDatabase

from kg.cypher import (
    QUERIES_DIR,
    LibraryQuery,
    Neo4jTarget,
    check_read_only,
    load_library,
    neo4j_target,
    parse_query,
    read_cypher,
    run_cypher,
)
from kg.errors import KgError
from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
from kg.neo4j_guide import guide_html
from kg.neo4j_sync import PushReport, push
from kg.projection import PropertyGraph, project
from kg.sources import list_sources, remove_source
from kg.store import Store
from tests.conftest_neo4j import AUTH_PASSWORD, skip_or_fail
from tests.neo4j_server import Neo4jServer, free_port

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"
HOSTILE = ["O'Brien \"Quoted\" Systems", "Back`tick`) DETACH DELETE n //", "}{ $rows {}",
           "</script><script>alert(1)</script>", "Back\\slash\nnew line", "Ünïcödé 監視"]
Rows = list[dict[str, Any]]


def load_demo(path: Path) -> Store:
    store = Store(path)
    ingest_articles(store, expand_paths([DEMO], ARTICLE_SUFFIXES))
    return store


@pytest.fixture(scope="module")
def demo_graph(tmp_path_factory: pytest.TempPathFactory) -> PropertyGraph:
    """The projection of the demo corpus (the store is closed again)."""
    store = load_demo(tmp_path_factory.mktemp("demo") / "store")
    graph = project(store)
    store.close()
    return graph


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    store = load_demo(tmp_path / "store")
    yield store
    store.close()


def to_neo4j(server: Neo4jServer, graph: PropertyGraph | Store, **options: Any) -> PushReport:
    return push(graph, server.uri, "neo4j", None, "neo4j", **options)


def read(server: Neo4jServer, query: str, **params: Any) -> Rows:
    with GraphDatabase.driver(server.uri, auth=None) as driver:
        records, _, _ = driver.execute_query(query, params, database_="neo4j")
        return [record.data() for record in records]


def kg_counts(server: Neo4jServer) -> tuple[Counter[str], Counter[str]]:
    """Nodes per label and relationships per type that the push wrote."""
    nodes = read(server, "MATCH (n) WHERE n.kg RETURN labels(n) AS labels, count(*) AS n")
    rels = read(server, "MATCH ()-[r]->() WHERE r.kg RETURN type(r) AS type, count(*) AS n")
    return (Counter({"|".join(row["labels"]): row["n"] for row in nodes}),
            Counter({row["type"]: row["n"] for row in rels}))


def projection_counts(graph: PropertyGraph) -> tuple[Counter[str], Counter[str]]:
    return (Counter(attrs["label"] for _, attrs in graph.nodes(data=True)),
            Counter(attrs["type"] for _, _, attrs in graph.edges(data=True)))


# -------------------------------------------------------------------- push
def test_push_writes_exactly_the_projection(neo4j: Neo4jServer,
                                            demo_graph: PropertyGraph) -> None:
    progress: list[tuple[int, int]] = []
    report = to_neo4j(neo4j, demo_graph, on_progress=lambda done, total: progress.append(
        (done, total)), batch_size=50)
    assert kg_counts(neo4j) == projection_counts(demo_graph)
    assert report.nodes_created == demo_graph.number_of_nodes()
    assert report.relationships_created == demo_graph.number_of_edges()
    assert report.nodes_deleted == report.relationships_deleted == 0
    assert report.batches > 2
    total = demo_graph.number_of_nodes() + demo_graph.number_of_edges()
    assert progress[0] == (0, total) and progress[-1] == (total, total)
    constraints = read(neo4j, "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties")
    assert {"labelsOrTypes": ["Vendor"], "properties": ["id"], "type": "UNIQUENESS"} in constraints
    assert {"labelsOrTypes": ["SELLS_TO"], "properties": ["key"],
            "type": "RELATIONSHIP_UNIQUENESS"} in constraints


def test_second_push_of_unchanged_data_writes_nothing(neo4j: Neo4jServer,
                                                      demo_graph: PropertyGraph) -> None:
    to_neo4j(neo4j, demo_graph)
    again = to_neo4j(neo4j, demo_graph)
    assert not again.changed, again
    assert again.batches == 0
    assert kg_counts(neo4j) == projection_counts(demo_graph)


def test_properties_match_the_projection(neo4j: Neo4jServer,
                                         demo_graph: PropertyGraph) -> None:
    to_neo4j(neo4j, demo_graph)
    nodes = {row["n"]["id"]: row["n"] for row in read(neo4j, "MATCH (n) RETURN n")}
    for node, attrs in demo_graph.nodes(data=True):
        assert nodes[node]["name"] == attrs["name"]
        assert nodes[node]["aliases"] == attrs["aliases"]
    rels = {row["key"]: row["r"] for row in read(
        neo4j, "MATCH ()-[r]->() RETURN r.key AS key, properties(r) AS r")}
    for start, end, attrs in demo_graph.edges(data=True):
        stored = rels[f"{start} {attrs['type']} {end} {attrs['product_id'] or ''}"]
        for name in ("status", "product", "product_id", "amount_usd", "start_date",
                     "sources", "evidence"):
            assert stored.get(name) == attrs[name], (name, stored)
        assert stored["evidence_sources"] == [c["source"] for c in attrs["citations"]]


def test_removed_source_disappears_on_next_push(neo4j: Neo4jServer,
                                                demo_store: Store) -> None:
    to_neo4j(neo4j, demo_store)
    gone = next(s for s in list_sources(demo_store) if "Orlando" in s.title)
    remove_source(demo_store, gone.short_id)
    report = to_neo4j(neo4j, demo_store)
    assert report.relationships_deleted > 0 and report.nodes_deleted >= 1
    assert kg_counts(neo4j) == projection_counts(project(demo_store))
    assert read(neo4j, "MATCH ()-[r]->() WHERE $id IN r.sources RETURN r", id=gone.iri) == []
    assert read(neo4j, "MATCH (s:Source {id: $id}) RETURN s", id=gone.iri) == []
    # an edge that another source also states stays, with that source only
    pilots = read(neo4j, "MATCH (:Agency {name: 'Orlando Police Department'})-[r:PILOTS]->() "
                         "RETURN r.sources AS sources")
    assert all(gone.iri not in row["sources"] for row in pilots)


def tiny_graph(names: list[str], label: str = "Vendor") -> PropertyGraph:
    """Vendors selling to one agency, one vendor per name."""
    graph: PropertyGraph = nx.MultiDiGraph()
    graph.add_node("https://w3id.org/survkg/id/agency/x", label="Agency", name="Agency X",
                   aliases=["X"], resolved=True)
    for number, name in enumerate(names):
        vendor = f"https://w3id.org/survkg/id/vendor/{number}"
        graph.add_node(vendor, label=label, name=name, aliases=[name], resolved=False)
        graph.add_edge(vendor, "https://w3id.org/survkg/id/agency/x", key="SELLS_TO|",
                       type="SELLS_TO", status="active", product=None, product_id=None,
                       amount_usd=float(number), start_date=None, sources=["s"],
                       evidence=[name], rules=["r"], citations=[], relationships=[])
    return graph


def test_hostile_names_round_trip_unchanged(neo4j: Neo4jServer) -> None:
    to_neo4j(neo4j, tiny_graph(HOSTILE))
    rows = read(neo4j, "MATCH (v:Vendor)-[r:SELLS_TO]->(:Agency) "
                       "RETURN v.name AS name, v.aliases AS aliases, r.evidence AS evidence")
    assert sorted(row["name"] for row in rows) == sorted(HOSTILE)
    assert all(row["aliases"] == [row["name"]] == row["evidence"] for row in rows)
    assert not to_neo4j(neo4j, tiny_graph(HOSTILE)).changed


def test_names_outside_the_ontology_are_refused_before_writing(neo4j: Neo4jServer) -> None:
    graph = tiny_graph(["A"], label="Vendor`) DETACH DELETE n //")
    with pytest.raises(KgError, match="not declared by the ontology"):
        to_neo4j(neo4j, graph)
    graph = tiny_graph(["A"])
    for _, _, attrs in graph.edges(data=True):
        attrs["type"] = "OWNS"
    with pytest.raises(KgError, match="relationship type 'OWNS'"):
        to_neo4j(neo4j, graph)
    assert read(neo4j, "MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_users_own_nodes_are_kept_and_changes_update_in_place(neo4j: Neo4jServer) -> None:
    read(neo4j, "CREATE (:Vendor {id: 'mine', name: 'my note'})-[:SELLS_TO]->(:Note)")
    to_neo4j(neo4j, tiny_graph(["A", "B"]))
    changed = tiny_graph(["A", "B renamed"])
    changed.nodes["https://w3id.org/survkg/id/vendor/0"]["label"] = "Organization"
    report = to_neo4j(neo4j, changed)
    assert (report.nodes_created, report.nodes_deleted) == (1, 1)  # A changed label
    assert report.relationships_created == report.relationships_deleted == 1
    assert read(neo4j, "MATCH (v {id: 'mine'})-[r]->(:Note) RETURN v.name AS name") == [
        {"name": "my note"}]
    names = read(neo4j, "MATCH (n)-[:SELLS_TO]->(:Agency) WHERE n.kg "
                        "RETURN labels(n)[0] AS label, n.name AS name ORDER BY name")
    assert names == [{"label": "Organization", "name": "A"},
                     {"label": "Vendor", "name": "B renamed"}]
    assert not to_neo4j(neo4j, changed).changed
    for _, _, attrs in changed.edges(data=True):
        attrs["amount_usd"] = None
        attrs["status"] = "ended"
    report = to_neo4j(neo4j, changed)
    assert (report.relationships_created, report.relationships_deleted) == (0, 0)
    assert read(neo4j, "MATCH ()-[r:SELLS_TO]->() WHERE r.kg RETURN r.status AS status, "
                       "r.amount_usd AS amount") == [{"status": "ended", "amount": None}] * 2


# ------------------------------------------------------------------ errors
def test_unreachable_server_names_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(KgError, match=f"cannot reach Neo4j at {uri}"):
        push(tiny_graph(["A"]), uri, "neo4j", None)
    with pytest.raises(KgError, match="write it like bolt://"):
        run_cypher("RETURN 1", {}, "localhost:7687", "neo4j", None)


def test_wrong_database_is_named(neo4j: Neo4jServer) -> None:
    with pytest.raises(KgError, match=r"has no database 'news'.*only 'neo4j'"):
        push(tiny_graph(["A"]), neo4j.uri, "neo4j", None, "news")
    with pytest.raises(KgError, match="has no database 'news'"):
        run_cypher("RETURN 1", {}, neo4j.uri, "neo4j", None, "news")


def test_wrong_password_says_which_variables_to_check(neo4j_auth_server: Neo4jServer) -> None:
    uri = neo4j_auth_server.uri
    with pytest.raises(KgError, match=rf"Neo4j at {uri} refused user 'neo4j'.*NEO4J_PASSWORD"):
        push(tiny_graph(["A"]), uri, "neo4j", "wrong-password")
    assert run_cypher("RETURN 1 AS one", {}, uri, "neo4j", AUTH_PASSWORD) == (["one"], [[1]])


# ------------------------------------------------------------------ cypher
def test_cypher_is_read_only(neo4j: Neo4jServer) -> None:
    with pytest.raises(KgError, match="read-only and this query has CREATE"):
        run_cypher("CREATE (n:Vendor)", {}, neo4j.uri, "neo4j", None)
    # a write the text check cannot see is refused by the read transaction
    with pytest.raises(KgError, match="read-only"):
        run_cypher("CALL db.createLabel('Sneaky')", {}, neo4j.uri, "neo4j", None)
    check_read_only("MATCH (n {note: 'CREATE'}) WHERE n.set = 1 RETURN n /* DELETE */")


def test_cypher_values_come_back_as_json(neo4j: Neo4jServer) -> None:
    to_neo4j(neo4j, tiny_graph(["A"]))
    columns, rows = run_cypher(
        "MATCH p = (v:Vendor)-[r]->(a:Agency) RETURN v, r, p, date('2024-02-29') AS day, "
        "$limit AS limit", {"limit": 3}, neo4j.uri, "neo4j", None)
    assert columns == ["v", "r", "p", "day", "limit"]
    vendor, rel, path, day, limit = rows[0]
    assert vendor == {"_labels": ["Vendor"], "id": "https://w3id.org/survkg/id/vendor/0",
                      "name": "A", "aliases": ["A"], "resolved": False}
    assert rel["_type"] == "SELLS_TO" and rel["_end"] == "https://w3id.org/survkg/id/agency/x"
    assert "kg_hash" not in rel and rel["amount_usd"] == 0.0
    assert path["nodes"][0] == vendor and path["relationships"] == [rel]
    assert (day, limit) == ("2024-02-29", 3)


def test_missing_parameter_says_how_to_pass_it(neo4j: Neo4jServer) -> None:
    with pytest.raises(KgError, match="--param name=value"):
        run_cypher("RETURN $who", {}, neo4j.uri, "neo4j", None)


def test_target_comes_from_options_then_environment() -> None:
    env = {"NEO4J_URI": "neo4j://db:7687", "NEO4J_USER": "reporter", "NEO4J_PASSWORD": "pw"}
    assert neo4j_target(env, database="news") == Neo4jTarget(
        "neo4j://db:7687", "reporter", "pw", "news")
    assert neo4j_target(env, uri="bolt://other:1", user="me") == Neo4jTarget(
        "bolt://other:1", "me", "pw", None)
    assert neo4j_target({"NEO4J_PASSWORD": "pw"}) is None  # no URI: the embedded engine


def test_query_files_bring_their_default_parameters() -> None:
    ended = read_cypher(str(QUERIES_DIR / "ended_deals.cypher"))
    assert ended.params == {"status": "ended"} and ended.text.startswith("// purpose:")
    assert read_cypher("RETURN 1") == LibraryQuery("query", "", {}, {}, "RETURN 1")
    with pytest.raises(KgError, match="does not exist"):
        read_cypher("missing.cypher")


def test_missing_java_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI: no java"):
        skip_or_fail("no java")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no java"):
        skip_or_fail("no java")


# ----------------------------------------------------------------- library
def matches(attrs: dict[str, Any], text: str) -> bool:
    """The library's name test: name or alias, any case."""
    return text.lower() in [attrs["name"].lower(), *(a.lower() for a in attrs["aliases"])]


def named(graph: PropertyGraph, text: str, label: str | None = None) -> set[str]:
    return {n for n, a in graph.nodes(data=True)
            if matches(a, text) and (label is None or a["label"] == label)}


def upstream(graph: PropertyGraph, roots: set[str], edge_type: str) -> set[str]:
    """``roots`` and every node with an ``edge_type`` chain into them (PART_OF*0..)."""
    found, todo = set(roots), deque(roots)
    while todo:
        for child, _, attrs in graph.in_edges(todo.popleft(), data=True):
            if attrs["type"] == edge_type and child not in found:
                found.add(child)
                todo.append(child)
    return found


def edges(graph: PropertyGraph, *types: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    return ((u, v, a) for u, v, a in graph.edges(data=True) if a["type"] in types)


def name(graph: PropertyGraph, node: str) -> str:
    return str(graph.nodes[node]["name"])


def vendors_of_agency(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    units = upstream(g, named(g, "Immigration and Customs Enforcement", "Agency"), "PART_OF")
    return Counter((name(g, u), a["type"], name(g, v), a["product"])
                   for u, v, a in edges(g, "SELLS_TO", "PITCHED_TO")
                   if v in units and g.nodes[u]["label"] == "Vendor")


def agencies_of_vendor(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    sellers = upstream(g, named(g, "Palantir Technologies", "Vendor"), "SUBSIDIARY_OF")
    return Counter((name(g, v), a["type"], name(g, u), a["product"])
                   for u, v, a in edges(g, "SELLS_TO", "PITCHED_TO")
                   if u in sellers and g.nodes[u]["label"] == "Vendor"
                   and g.nodes[v]["label"] == "Agency")


def money_by_vendor_and_year(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    totals: Counter[tuple[Any, ...]] = Counter()
    for u, v, a in edges(g, "SELLS_TO"):
        if a["amount_usd"] is not None and not a.get("contracts") \
                and g.nodes[u]["label"] == "Vendor" and g.nodes[v]["label"] == "Agency":
            totals[(name(g, u), (a["start_date"] or "")[:4] or None, "article")] += a["amount_usd"]
    for _agency, contract, _ in edges(g, "AWARDED"):
        for _, vendor, b in g.out_edges(contract, data=True):
            details = g.nodes[contract]
            if b["type"] == "AWARDED_TO" and details.get("amount_usd") is not None \
                    and details.get("relevant") is not False:
                year = (details.get("first_action_date") or "")[:4] or None
                totals[(name(g, vendor), year, "award")] += details["amount_usd"]
    return Counter({(*key, total): 1 for key, total in totals.items()})


def deal_history(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    """One row per step (edge), however many of the vendor's companies lead to it."""
    sellers = upstream(g, named(g, "Amazon", "Vendor"), "SUBSIDIARY_OF")
    made = {v for u, v, _ in edges(g, "MAKES") if u in sellers
            and g.nodes[v]["label"] == "Product"}
    steps: dict[Any, tuple[Any, ...]] = {}
    for u, v, key, a in g.edges(keys=True, data=True):
        if a["type"] in ("PITCHED_TO", "SELLS_TO") and u in sellers \
                and g.nodes[v]["label"] == "Agency":
            steps[(u, v, key)] = (name(g, v), a["type"], a["product"])
        if a["type"] in ("PILOTS", "USES") and (v in made or v in sellers) \
                and g.nodes[u]["label"] == "Agency":
            steps[(u, v, key)] = (name(g, u), a["type"], name(g, v) if v in made else a["product"])
        if a["type"] == "AWARDED_TO" and v in sellers:
            agencies = [w for w, _, b in g.in_edges(u, data=True) if b["type"] == "AWARDED"]
            products: list[str | None] = [name(g, p) for _, p, b in g.out_edges(u, data=True)
                                          if b["type"] == "FOR_PRODUCT"] or [None]
            steps |= {(u, v, key, w, p): (name(g, w), "AWARDED", p)
                      for w in agencies for p in products}
    return Counter(steps.values())


def ended_deals(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    return Counter((name(g, u), a["type"], name(g, v), a["product"])
                   for u, v, a in edges(g, "SELLS_TO", "PITCHED_TO", "PILOTS", "USES")
                   if a["status"] == "ended")


def sharing_data_with(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    units = upstream(g, named(g, "Immigration and Customs Enforcement", "Agency"), "PART_OF")
    return Counter((name(g, u), name(g, v)) for u, v, _ in edges(g, "SHARES_DATA_WITH")
                   if v in units)


def sources_of_edge(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    subjects, objects = named(g, "Palantir Technologies"), named(
        g, "Immigration and Customs Enforcement")
    return Counter((a["product"], source, tuple(c["quote"] for c in a["citations"]
                                                if c["source"] == source))
                   for u, v, a in edges(g, "SELLS_TO") if u in subjects and v in objects
                   for source in a["sources"])


def sources_mentioning(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    return Counter((name(g, v), name(g, u)) for u, v, _ in edges(g, "MENTIONS")
                   if v in named(g, "Venntel") and g.nodes[u]["label"] == "Source")


def technology_of_agency(g: PropertyGraph) -> Counter[tuple[Any, ...]]:
    units = upstream(g, named(g, "Immigration and Customs Enforcement", "Agency"), "PART_OF")
    return Counter((name(g, u), a["type"], name(g, v),
                    tuple(sorted(name(g, m) for m, _, b in g.in_edges(v, data=True)
                                 if b["type"] == "MAKES" and g.nodes[m]["label"] == "Vendor")))
                   for u, v, a in edges(g, "PILOTS", "USES") if u in units)


# query name -> (returned columns to compare, expected rows from the projection)
Expect = Callable[[PropertyGraph], Counter[tuple[Any, ...]]]
EXPECTED: dict[str, tuple[tuple[str, ...], Expect]] = {
    "vendors_of_agency": (("vendor", "relation", "agency", "product"), vendors_of_agency),
    "agencies_of_vendor": (("agency", "relation", "vendor", "product"), agencies_of_vendor),
    "money_by_vendor_and_year": (("vendor", "year", "basis", "total_usd"),
                                 money_by_vendor_and_year),
    "deal_history": (("agency", "stage", "product"), deal_history),
    "ended_deals": (("subject", "relation", "object", "product"), ended_deals),
    "sharing_data_with": (("agency", "shares_with"), sharing_data_with),
    "sources_of_edge": (("product", "source_id", "quotes"), sources_of_edge),
    "sources_mentioning": (("entity", "source"), sources_mentioning),
    "technology_of_agency": (("agency", "relation", "product_or_vendor", "makers"),
                             technology_of_agency),
}


def run_library_query(server: Neo4jServer, query_name: str) -> tuple[list[str], Rows]:
    query = next(q for q in load_library() if q.name == query_name)
    columns, rows = run_cypher(query.text, query.params, server.uri, "neo4j", None)
    return columns, [dict(zip(columns, row, strict=True)) for row in rows]


def as_tuples(rows: Rows, columns: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    def freeze(value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    return Counter(tuple(freeze(row[c]) for c in columns) for row in rows)


def test_every_library_query_answers_its_purpose(neo4j: Neo4jServer,
                                                 demo_graph: PropertyGraph) -> None:
    to_neo4j(neo4j, demo_graph)
    library = {query.name for query in load_library()}
    assert library == set(EXPECTED) | {"shortest_path"}, "add an expectation for a new query"
    for query_name, (columns, expected) in EXPECTED.items():
        _, rows = run_library_query(neo4j, query_name)
        want = expected(demo_graph)
        if query_name == "technology_of_agency":
            rows = [{**row, "makers": sorted(row["makers"])} for row in rows]
        assert as_tuples(rows, columns) == want, query_name
        assert want or query_name == "sharing_data_with", f"{query_name}: demo gives no rows"


def test_library_queries_find_known_demo_facts(neo4j: Neo4jServer,
                                               demo_graph: PropertyGraph) -> None:
    to_neo4j(neo4j, demo_graph)
    _, vendors = run_library_query(neo4j, "vendors_of_agency")
    assert {"Palantir Technologies", "Clearview AI"} <= {row["vendor"] for row in vendors}
    _, money = run_library_query(neo4j, "money_by_vendor_and_year")
    assert ("Clearview AI", 224000.0) in [(row["vendor"], row["total_usd"]) for row in money]
    _, quotes = run_library_query(neo4j, "sources_of_edge")
    assert all(row["source"] and row["quotes"] for row in quotes)


def test_shortest_path_matches_networkx(neo4j: Neo4jServer,
                                        demo_graph: PropertyGraph) -> None:
    to_neo4j(neo4j, demo_graph)
    _, rows = run_library_query(neo4j, "shortest_path")
    allowed = {"SELLS_TO", "PITCHED_TO", "PILOTS", "USES", "MAKES", "SUBSIDIARY_OF",
               "PART_OF", "SHARES_DATA_WITH", "FUNDS", "CRITICIZES", "AWARDED", "AWARDED_TO",
               "FOR_PRODUCT", "SUBAWARD_OF"}
    simple: nx.Graph[str] = nx.Graph([(u, v) for u, v, a in demo_graph.edges(data=True)
                       if a["type"] in allowed])
    (vendor,) = named(demo_graph, "Motorola Solutions", "Vendor")
    (agency,) = named(demo_graph, "Immigration and Customs Enforcement", "Agency")
    assert len(rows) == 1
    assert rows[0]["hops"] == nx.shortest_path_length(simple, vendor, agency)
    assert rows[0]["names"][0] == "Motorola Solutions"
    assert rows[0]["names"][-1] == name(demo_graph, agency)
    assert set(rows[0]["relations"]) <= allowed


def test_sharing_data_with_finds_sharers_of_parts(neo4j: Neo4jServer) -> None:
    graph = tiny_graph([])
    agencies = {"ice": "U.S. Immigration and Customs Enforcement", "hsi": "HSI",
                "pd": "Town Police", "far": "Unrelated Sheriff"}
    for key, agency_name in agencies.items():
        aliases = ["Immigration and Customs Enforcement"] if key == "ice" else []
        graph.add_node(key, label="Agency", name=agency_name, aliases=aliases, resolved=True)
    base: dict[str, Any] = {
        "status": "active", "product": None, "product_id": None, "amount_usd": None,
        "start_date": "2019", "sources": ["s"], "evidence": [], "rules": [], "citations": [],
        "relationships": []}
    graph.add_edge("hsi", "ice", type="PART_OF", **base)
    graph.add_edge("pd", "hsi", type="SHARES_DATA_WITH", **base)
    graph.add_edge("far", "pd", type="SHARES_DATA_WITH", **base)
    to_neo4j(neo4j, graph)
    _, rows = run_library_query(neo4j, "sharing_data_with")
    assert [(r["agency"], r["shares_with"]) for r in rows] == [("Town Police", "HSI")]


def award_graph() -> PropertyGraph:
    """Amazon's award from ICE (relevant), one irrelevant award, one article-only sale."""
    graph: PropertyGraph = nx.MultiDiGraph()
    for node, label, node_name in (("ice", "Agency", "Immigration and Customs Enforcement"),
                                   ("amazon", "Vendor", "Amazon"),
                                   ("rek", "Product", "Amazon Rekognition")):
        graph.add_node(node, label=label, name=node_name, aliases=[], resolved=True)
    for contract, amount, relevant in (("c1", 1000.0, True), ("c2", 5.0, False)):
        graph.add_node(contract, label="Contract", name=contract.upper(), aliases=[],
                       resolved=True, amount_usd=amount, relevant=relevant,
                       first_action_date="2019-01-02", piid=contract.upper())
        graph.add_edge("ice", contract, type="AWARDED", **edge_attrs())
        graph.add_edge(contract, "amazon", type="AWARDED_TO", **edge_attrs())
    graph.add_edge("c1", "rek", type="FOR_PRODUCT", **edge_attrs())
    graph.add_edge("amazon", "ice", type="SELLS_TO",
                   **edge_attrs(amount_usd=300.0, start_date="2018-05"))
    graph.add_edge("amazon", "ice", type="SELLS_TO",
                   **edge_attrs(amount_usd=999.0, product_id="rek", product="Amazon Rekognition",
                                start_date="2019-06", contracts=["c1"]))
    return graph


def edge_attrs(**values: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "status": "active", "product": None, "product_id": None, "amount_usd": None,
        "start_date": None, "sources": ["s"], "evidence": [], "rules": [], "citations": [],
        "relationships": [], "contracts": []}
    return {**attrs, **values}


def test_money_and_history_count_award_records_once(neo4j: Neo4jServer) -> None:
    graph = award_graph()
    to_neo4j(neo4j, graph)
    _, money = run_library_query(neo4j, "money_by_vendor_and_year")
    assert [(r["vendor"], r["year"], r["basis"], r["total_usd"]) for r in money] == [
        ("Amazon", "2019", "award", 1000.0), ("Amazon", "2018", "article", 300.0)]
    assert as_tuples(money, EXPECTED["money_by_vendor_and_year"][0]) == \
        money_by_vendor_and_year(graph)
    _, history = run_library_query(neo4j, "deal_history")
    assert as_tuples(history, ("agency", "stage", "product")) == deal_history(graph)
    assert [(r["stage"], r["start_date"]) for r in history] == [
        ("SELLS_TO", "2018-05"), ("AWARDED", "2019-01-02"), ("AWARDED", "2019-01-02"),
        ("SELLS_TO", "2019-06")]


def test_query_files_have_purpose_and_parameters() -> None:
    for query in load_library():
        assert query.purpose and query.params, query.name
        assert all(f"${p}" in query.text for p in query.params), query.name
        check_read_only(query.text)
    with pytest.raises(KgError, match="first line must be"):
        parse_query("bad", "MATCH (n) RETURN n")


def test_guide_has_one_escaped_slide_per_query() -> None:
    library = load_library()
    hostile = parse_query("x", '// purpose: </pre><script>alert(1)</script>\n'
                               '// param who: "</pre>" — a <b>name</b>\nRETURN $who')
    html = guide_html([*library, hostile])
    assert html.count('<slide class="row-fluid">') == len(library) + 2
    assert "<script>" not in html and "&lt;/pre&gt;&lt;script&gt;" in html
    assert ':param agency =&gt; &quot;Immigration and Customs Enforcement&quot;' in html
    assert html.count('mode="cypher"') == len(library) + 1
    assert len(list(QUERIES_DIR.glob("*.cypher"))) >= 8
