"""Embedded Cypher (LadybugDB) latency of every library query at ``scale.cypher_edges`` edges.

Loading a million records through the RDF store takes minutes and measures the
loaders, not Cypher, so the graph is synthetic: a journalist projection built
directly as the networkx graph ``kg.projection.project`` returns, with the same
attributes, at the shape award files and articles give (most edges are
Contracts' AWARDED / AWARDED_TO, then Sources' MENTIONS, SELLS_TO, data sharing,
agency hierarchies, makers, a few hubs such as ICE with many parts and deals).
``kg.embedded.build`` indexes it exactly as ``ensure_index`` would.

Each library query runs with its own default parameters; the figure is the
median of several runs after one warm-up, on an open connection (``kg query
cypher`` also opens the index once per call: that is its own figure). Queries
with ``CALL { }`` subqueries run only on Neo4j and are reported so, without a
number. The baseline beside each query is the index build time (what a
journalist waits once after the store changed), with the build's peak RSS.

Run: ``python benchmarks/bench_cypher.py --scale small`` (or ``full``).
"""

import gc
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Figure, Scale, call_child, standalone  # sibling module

from kg.projection import PropertyGraph

ID = "https://w3id.org/survkg/id/"
RUNS = 7
TARGET_MS = 100.0

# Named entities the library queries ask about by default, so every query has answers.
HUBS = {
    "agency": [("ice", "Immigration and Customs Enforcement", ["ICE"]),
               ("dhs", "Department of Homeland Security", ["DHS"]),
               ("hsi", "Homeland Security Investigations", ["HSI"]),
               ("ero", "Enforcement and Removal Operations", ["ERO"])],
    "vendor": [("palantir", "Palantir Technologies", ["Palantir"]),
               ("amazon", "Amazon", ["Amazon.com", "AWS"]),
               ("motorola", "Motorola Solutions", ["Motorola"]),
               ("venntel", "Venntel", ["Venntel Inc."])],
}


# ------------------------------------------------------------ the graph
class _Maker:
    """Builds one synthetic projection; ``random.Random`` seeded, so every run is the same."""

    def __init__(self, edges: int, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.edges = edges
        self.graph: PropertyGraph = nx.MultiDiGraph()
        self.ids: dict[str, list[str]] = {}
        self.count = 0  # networkx counts a multigraph's edges by walking every node

    def node(self, kind: str, label: str, key: str, name: str,
             aliases: list[str] | None = None, **extra: Any) -> str:
        iri = f"{ID}{kind}/{key}"
        self.graph.add_node(iri, label=label, name=name, aliases=sorted(aliases or []),
                            resolved=True, **extra)
        self.ids.setdefault(label, []).append(iri)
        return iri

    def pick(self, label: str, skew: float = 1.2, below: int | None = None) -> str:
        """A node of ``label`` (of the first ``below`` ones if given). One pick in ten is
        Pareto-distributed over the first nodes, so a few hubs (ICE, Palantir ...) take
        a few percent of all deals each, as in award files; the rest are uniform."""
        count = min(len(self.ids[label]), below or len(self.ids[label]))
        if self.rng.random() < 0.1:
            return self.ids[label][min(int(self.rng.paretovariate(skew)) - 1, count - 1)]
        return self.ids[label][self.rng.randrange(count)]

    def edge(self, start: str, end: str, edge_type: str, source: str, *,
             product: str | None = None, quote: str | None = None,
             amount: float | None = None, status: str = "active",
             date: str | None = None, contracts: list[str] | None = None) -> None:
        key = f"{edge_type}|{product or ''}"
        if self.graph.has_edge(start, end, key):
            return
        self.count += 1
        citations = [{"quote": quote, "rule": "bench:rule", "source": source}] if quote else []
        self.graph.add_edge(
            start, end, key=key, type=edge_type, status=status, product_id=product,
            amount_usd=amount, start_date=date, end_date=None, sources=[source],
            evidence=[quote] if quote else [], rules=["bench:rule"] if quote else [],
            citations=citations, relationships=[f"{ID}engagement/{start[-8:]}-{end[-8:]}"]
            if quote else [], contracts=contracts or [], relevant=True,
            product=self.graph.nodes[product]["name"] if product else None)

    def date(self) -> str:
        return f"{self.rng.randrange(2008, 2025)}-{self.rng.randrange(1, 13):02d}"


def synthetic_graph(edges: int, seed: int = 5) -> PropertyGraph:
    """A journalist projection with about ``edges`` relationships (see the module docstring)."""
    maker = _Maker(edges, seed)
    _entities(maker)
    _hierarchies(maker)
    _contracts(maker, int(edges * 0.30))
    _article_claims(maker, int(edges * 0.10))
    _sharing(maker, int(edges * 0.05))
    _mentions(maker, edges - maker.count)
    return maker.graph


def _entities(maker: _Maker) -> None:
    scale = maker.edges
    for kind, label in (("agency", "Agency"), ("vendor", "Vendor")):
        for key, name, aliases in HUBS[kind]:
            maker.node(kind, label, key, name, aliases)
    for number in range(max(scale // 200, 20)):
        maker.node("agency", "Agency", f"a{number}", f"Agency {number} Police Department",
                   [f"A{number}PD"])
    for number in range(max(scale // 20, 50)):
        maker.node("vendor", "Vendor", f"v{number}", f"Vendor {number} Solutions",
                   [f"Vendor {number} Solutions LLC"])
    for number in range(max(scale // 200, 20)):
        maker.node("product", "Product", f"p{number}", f"Product {number}", [f"P{number}"])
    for number in range(max(scale // 1000, 5)):
        maker.node("organization", "Organization", f"o{number}", f"Watchdog {number}")
    for number in range(max(scale // 50, 20)):
        maker.node("source", "Source", f"{number:016x}", f"Article {number} about surveillance")


def _hierarchies(maker: _Maker) -> None:
    """Agencies part of parents (ICE has dozens of field offices), subsidiaries, makers."""
    agencies, vendors = maker.ids["Agency"], maker.ids["Vendor"]
    registry = maker.ids["Source"][0]
    maker.edge(agencies[0], agencies[1], "PART_OF", registry)
    maker.edge(agencies[2], agencies[0], "PART_OF", registry)
    maker.edge(agencies[3], agencies[0], "PART_OF", registry)
    states = agencies[44:44 + max(len(agencies) // 50, 1)]
    for number, agency in enumerate(agencies[4:], start=4):
        # trees, as real hierarchies are: 40 field offices of ICE, DHS and HSI; then
        # state governments; half of the other agencies are part of one of them
        if number < 44:
            maker.edge(agency, agencies[number % 3], "PART_OF", registry)
        elif agency not in states and maker.rng.random() < 0.5:
            maker.edge(agency, maker.rng.choice(states), "PART_OF", registry)
    for vendor in vendors[4:]:
        if maker.rng.random() < 0.1:
            maker.edge(vendor, maker.pick("Vendor"), "SUBSIDIARY_OF", registry)
    for product in maker.ids["Product"]:
        maker.edge(maker.pick("Vendor"), product, "MAKES", registry)
    for org in maker.ids["Organization"]:
        maker.edge(org, maker.pick("Vendor"), "CRITICIZES", maker.pick("Source"),
                   quote=f"{maker.graph.nodes[org]['name']} criticized the vendor.")


def _contracts(maker: _Maker, count: int) -> None:
    """Award records: Agency AWARDED Contract AWARDED_TO Vendor, some FOR_PRODUCT."""
    sources = maker.ids["Source"][: max(len(maker.ids["Source"]) // 100, 1)]
    for number in range(count):
        agency, vendor = maker.pick("Agency"), maker.pick("Vendor")
        amount = round(maker.rng.lognormvariate(10, 2), 2)
        first = f"{maker.date()}-{maker.rng.randrange(1, 29):02d}"
        piid = f"70CMSD{number:011d}"
        contract = maker.node(
            "contract", "Contract", piid.lower(), piid, award_id=f"CONT_AWD_{piid}",
            piid=piid, amount_usd=amount, first_action_date=first, last_action_date=first,
            end_date=None, actions=None, description="LICENSE RENEWAL FOR ANALYTICS SOFTWARE",
            permalink=f"https://www.usaspending.gov/award/CONT_AWD_{piid}",
            relevant=maker.rng.random() < 0.7, relevance_reason="PSC 7030",
            category_id=None, statements=1)
        source = sources[number % len(sources)]
        maker.edge(agency, contract, "AWARDED", source, amount=amount)
        maker.edge(contract, vendor, "AWARDED_TO", source, amount=amount)
        if maker.rng.random() < 0.15:
            maker.edge(contract, maker.pick("Product"), "FOR_PRODUCT", source)


def _article_claims(maker: _Maker, count: int) -> None:
    """Sales, pitches, pilots, uses and funding stated by articles, with quotes."""
    kinds = (("SELLS_TO", 0.6), ("PITCHED_TO", 0.1), ("PILOTS", 0.05), ("USES", 0.15),
             ("FUNDS", 0.1))
    statuses = ("active",) * 6 + ("ended", "ended", "proposed", "paused")
    for _ in range(count):
        edge_type = maker.rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        source = maker.pick("Source")
        product = maker.pick("Product") if maker.rng.random() < 0.4 else None
        if edge_type in ("SELLS_TO", "PITCHED_TO"):
            start, end = maker.pick("Vendor"), maker.pick("Agency")
        elif edge_type == "FUNDS":
            start, end, product = maker.pick("Agency"), maker.pick("Agency"), None
        else:
            start, end, product = maker.pick("Agency"), maker.pick("Product"), None
        if start == end:
            continue
        maker.edge(start, end, edge_type, source, product=product,
                   quote=f"{maker.graph.nodes[start]['name']} and "
                         f"{maker.graph.nodes[end]['name']} signed a deal.",
                   amount=round(maker.rng.lognormvariate(11, 2), 2)
                   if maker.rng.random() < 0.3 else None,
                   status=maker.rng.choice(statuses), date=maker.date())


def _sharing(maker: _Maker, count: int) -> None:
    """Plate-reader data sharing: many agencies share with a few (ICE among them)."""
    records = maker.ids["Source"][-max(len(maker.ids["Source"]) // 100, 1):]
    for number in range(count):
        start, end = maker.pick("Agency", 3), maker.pick("Agency")
        if start != end:
            maker.edge(start, end, "SHARES_DATA_WITH", records[number % len(records)])


def _mentions(maker: _Maker, count: int) -> None:
    """Sources mention the entities they speak of (hubs most)."""
    labels = ("Vendor", "Agency", "Product", "Organization")
    wanted = maker.count + count
    for _ in range(3 * max(count, 0)):  # a repeated pair is skipped: try again, within reason
        if maker.count >= wanted:
            return
        source = maker.pick("Source")
        maker.edge(source, maker.pick(maker.rng.choice(labels)), "MENTIONS", source)


# ------------------------------------------------------------ the figures
def figures(scale: Scale, workdir: Path) -> list[Figure]:
    """Index build, index open and every library query at ``scale.cypher_edges`` edges."""
    found, peak = call_child("bench_cypher", "measure", str(scale.cypher_edges),
                             str(workdir / "cypher-index"))
    edges, build_s = int(found["edges"]), float(found["build_s"])
    built = f"index build {build_s:.1f} s"
    result = [Figure("cypher", f"build the embedded index of {edges:,} edges and "
                     f"{found['nodes']:,} nodes (kg.embedded.build)", build_s, "s",
                     peak_rss_mib=peak),
              Figure("cypher", "open the index (once per kg query cypher call)",
                     float(found["open_ms"]), "ms", baseline=built)]
    for query in found["queries"]:
        if query["refused"]:
            result.append(Figure("cypher", f"{query['name']}: not run embedded "
                                 "(CALL { } subquery, refused in one line)", float("nan"), "",
                                 baseline="runs on Neo4j only"))
            continue
        ms = float(query["ms"])
        result.append(Figure(
            "cypher", f"{query['name']} at {edges:,} edges ({query['rows']:,} rows, "
            f"median of {RUNS})", ms, "ms", baseline=built,
            target=f"< {TARGET_MS:.0f} ms", met=ms < TARGET_MS))
    return result


def measure(edges: str, index: str) -> dict[str, Any]:
    """In a child process: build the synthetic graph's index, time every library query."""
    import ladybug

    from kg.cypher import load_library
    from kg.embedded import build

    graph = synthetic_graph(int(edges))
    counts = {"edges": graph.number_of_edges(), "nodes": graph.number_of_nodes()}
    path = Path(index)
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    began = time.perf_counter()
    build(graph, path)
    build_s = time.perf_counter() - began
    del graph
    gc.collect()
    began = time.perf_counter()
    database = ladybug.Database(str(path), read_only=True)
    conn = ladybug.Connection(database)
    open_ms = (time.perf_counter() - began) * 1000
    try:
        queries = [_time_query(conn, query.name, query.text, query.params)
                   for query in load_library()]
    finally:
        conn.close()
        database.close()
    return {**counts, "build_s": build_s, "open_ms": open_ms, "queries": queries}


def _time_query(conn: Any, name: str, text: str, params: dict[str, Any]) -> dict[str, Any]:
    """Median milliseconds of ``RUNS`` runs after a warm-up, every row read."""
    from kg.cypher_translate import translate
    from kg.errors import KgError

    try:
        translated = translate(text)
    except KgError as error:
        return {"name": name, "refused": str(error), "ms": None, "rows": 0}
    times, rows = [], 0
    for run in range(RUNS + 1):
        began = time.perf_counter()
        result = conn.execute(translated, dict(params))
        rows = 0
        while result.has_next():
            result.get_next()
            rows += 1
        result.close()
        if run:
            times.append((time.perf_counter() - began) * 1000)
    return {"name": name, "refused": "", "ms": statistics.median(times), "rows": rows}


if __name__ == "__main__":
    standalone(figures, __doc__.splitlines()[0], {"--edges": "cypher_edges"})
