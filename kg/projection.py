"""Project the RDF store to the journalist property graph (a networkx MultiDiGraph).

One projection feeds every consumer: the relations table, HTML, GraphML and the
Cypher back ends. Edges with the same ends, type and product are merged; each
keeps the list of sources and quotes behind it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx

from kg.records import CONTRACT_FIELDS, contract_details
from kg.schema import Schema, journalist_schema

if TYPE_CHECKING:
    PropertyGraph: TypeAlias = nx.MultiDiGraph[str]
else:
    PropertyGraph = nx.MultiDiGraph
from kg.store import Store

SKG = "https://w3id.org/survkg/ontology#"
SOURCE_CLASSES = {SKG + "Source", SKG + "Article", SKG + "Record"}
STATUS_NAMES = {SKG + n: n.lower() for n in ("Active", "Ended", "Proposed", "Paused")}

_NODES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?e ?cls ?name ?alias ?resolved WHERE {
  ?e a ?cls . VALUES ?cls { %s }
  OPTIONAL { ?e skos:prefLabel|dct:title ?name }
  OPTIONAL { ?e skos:altLabel|<https://w3id.org/survkg/ontology#acronym> ?alias }
  OPTIONAL { ?e <%sresolved> ?resolved }
}"""
_DIRECT = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?p { %s } }"
_RELATIONSHIPS = """
SELECT ?g ?r ?cls ?p ?o WHERE {
  GRAPH ?g { ?r a ?cls ; ?p ?o } VALUES ?cls { %s }
}"""
_CONTRACTS = """
SELECT ?g ?c ?p ?o WHERE {
  GRAPH ?g { ?c a <%sContract> ; ?p ?o } VALUES ?p { %s }
}"""
_EVIDENCE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g ?r ?quote ?rule WHERE {
  GRAPH ?g { ?ev <%ssupports> ?r ; prov:value ?quote ; <%srule> ?rule }
}"""


def _values(iris: Any) -> str:
    return " ".join(f"<{iri}>" for iri in sorted(iris))


@dataclass
class _Claim:
    """One relationship node as one source states it."""

    graph: str
    cls: str
    props: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def one(self, prop: str) -> str | None:
        values = self.props.get(prop)
        return values[0] if values else None


def project(store: Store, schema: Schema | None = None) -> PropertyGraph:
    """The journalist property graph of everything in the store."""
    schema = schema or journalist_schema()
    graph: PropertyGraph = nx.MultiDiGraph()
    _add_nodes(store, schema, graph)
    _add_contracts(store, graph)
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    _add_direct_edges(store, schema, edges)
    _add_relationship_edges(store, schema, graph, edges)
    for (start, edge_type, end, _product), attrs in edges.items():
        if start in graph and end in graph:
            graph.add_edge(start, end, key=f"{edge_type}|{attrs['product_id'] or ''}", **attrs)
    return _finalise(graph)


LABEL_PRIORITY = ("Vendor", "Agency", "Product", "Contract", "Source", "Organization")


def _add_nodes(store: Store, schema: Schema, graph: PropertyGraph) -> None:
    """Entities with their most specific label (a Vendor is also an Organization)."""
    classes = set(schema.node_labels) | SOURCE_CLASSES
    for row in store.select(_NODES % (_values(classes), SKG)):
        iri, cls = row["e"].value, row["cls"].value
        label = "Source" if cls in SOURCE_CLASSES else schema.node_labels[cls]
        if iri not in graph:
            graph.add_node(iri, label=label, name="", aliases=set(), resolved=True)
        attrs = graph.nodes[iri]
        if LABEL_PRIORITY.index(label) < LABEL_PRIORITY.index(attrs["label"]):
            attrs["label"] = label
        if row["name"] is not None and not attrs["name"]:
            attrs["name"] = row["name"].value
        if row["alias"] is not None:
            attrs["aliases"].add(row["alias"].value)
        if row["resolved"] is not None and row["resolved"].value == "false":
            attrs["resolved"] = False
    for _, attrs in graph.nodes(data=True):
        attrs["aliases"] = sorted(attrs["aliases"])


def _add_contracts(store: Store, graph: PropertyGraph) -> None:
    """Award details on Contract nodes: the newest summary, else the sum of transaction files."""
    statements: dict[str, list[dict[str, str]]] = defaultdict(list)
    current: dict[tuple[str, str], dict[str, str]] = {}
    for row in store.select(_CONTRACTS % (SKG, _values(SKG + p for p in CONTRACT_FIELDS))):
        key = (row["c"].value, row["g"].value)
        if key not in current:
            current[key] = {"graph": key[1]}
            statements[key[0]].append(current[key])
        current[key][row["p"].value.removeprefix(SKG)] = row["o"].value
    for iri, stated in statements.items():
        if iri in graph:
            details = contract_details(stated)
            attrs = graph.nodes[iri]
            attrs.update(details)
            attrs["name"] = attrs["name"] or details["piid"] or details["award_id"] or ""


def _new_edge(edge_type: str, product: str | None) -> dict[str, Any]:
    return {"type": edge_type, "status": "active", "product_id": product, "amount_usd": None,
            "start_date": None, "end_date": None, "sources": set(), "evidence": [], "rules": [],
            "citations": [], "relationships": set(), "contracts": set(), "relevant": None}


def _add_direct_edges(store: Store, schema: Schema, edges: dict[Any, dict[str, Any]]) -> None:
    for row in store.select(_DIRECT % _values(schema.direct_edges)):
        edge_type = schema.direct_edges[row["p"].value]
        key = (row["s"].value, edge_type, row["o"].value, "")
        edge = edges.setdefault(key, _new_edge(edge_type, None))
        edge["sources"].add(row["g"].value)


def _claims(store: Store, schema: Schema) -> dict[tuple[str, str], _Claim]:
    classes = {cls for cls in schema.edge_rules if cls.startswith(SKG)} | {SKG + "Engagement"}
    claims: dict[tuple[str, str], _Claim] = {}
    for row in store.select(_RELATIONSHIPS % _values(classes)):
        key = (row["g"].value, row["r"].value)
        claim = claims.setdefault(key, _Claim(row["g"].value, row["cls"].value))
        claim.props[row["p"].value.removeprefix(SKG)].append(row["o"].value)
    return claims


def _add_relationship_edges(store: Store, schema: Schema, graph: PropertyGraph,
                            edges: dict[Any, dict[str, Any]]) -> None:
    quotes: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in store.select(_EVIDENCE % (SKG, SKG)):
        quotes[(row["g"].value, row["r"].value)].append((row["quote"].value, row["rule"].value))
    for (source, rel), claim in _claims(store, schema).items():
        rule = schema.edge_rules.get(claim.one("stage") or claim.cls)
        if rule is None:
            continue
        start = claim.one(rule.start_role.removeprefix(SKG))
        end = claim.one(rule.end_role.removeprefix(SKG))
        if end is None and rule.fallback_role:
            end = claim.one(rule.fallback_role.removeprefix(SKG))
        if start is None or end is None:
            continue
        product = claim.one("product")
        # MAKES points at the product itself: key it like the registry's direct edge.
        key = (start, rule.edge_type, end, "" if product == end else product or "")
        edge = edges.setdefault(key, _new_edge(rule.edge_type, product))
        _merge_claim(edge, claim, source, rel, quotes[(source, rel)])


def _merge_claim(edge: dict[str, Any], claim: _Claim, source: str, rel: str,
                 quotes: list[tuple[str, str]]) -> None:
    edge["sources"].add(source)
    edge["relationships"].add(rel)
    status = STATUS_NAMES.get(claim.one("status") or "", "active")
    if status != "active":
        edge["status"] = status
    if edge["amount_usd"] is None and claim.one("amount"):
        edge["amount_usd"] = float(claim.one("amount") or 0)
    if edge["start_date"] is None:
        edge["start_date"] = claim.one("startDate")
        edge["end_date"] = claim.one("endDate")
    edge["contracts"].update(claim.props.get("supportedBy", ()))
    edge["folded"] = edge.get("folded") or bool(claim.one("foldedAwards"))
    flag = claim.one("relevant")  # record claims say; an article's claim is relevant as told
    edge["relevant"] = bool(edge["relevant"]) or flag is None or flag == "true"
    for quote, rule in quotes:
        edge["evidence"].append(quote)
        edge["rules"].append(rule)
        edge["citations"].append({"quote": quote, "rule": rule, "source": source})


def _totals_from_contracts(graph: PropertyGraph, attrs: dict[str, Any]) -> None:
    """An edge backed by award records: their sum and span, each award counted once.

    The same award stated by a prime file and an API file, or by an older and a
    newer download, is one Contract node with its newest amount, so the edge
    neither double counts nor keeps a stale total.
    """
    awards = [graph.nodes[c] for c in attrs["contracts"] if c in graph]
    amounts = [a["amount_usd"] for a in awards if a.get("amount_usd") is not None]
    if amounts:
        attrs["amount_usd"] = round(sum(amounts), 2)
    starts = [a["first_action_date"] for a in awards if a.get("first_action_date")]
    ends = [a["end_date"] for a in awards if a.get("end_date")]
    attrs["start_date"] = min(starts) if starts else attrs["start_date"]
    attrs["end_date"] = max(ends) if ends else attrs["end_date"]


def _finalise(graph: PropertyGraph) -> PropertyGraph:
    """Turn set-valued attributes into sorted lists and add product names."""
    for start, end, attrs in graph.edges(data=True):
        attrs["sources"] = sorted(attrs["sources"])
        attrs["relationships"] = sorted(attrs["relationships"])
        attrs["contracts"] = sorted(attrs["contracts"])
        attrs["relevant"] = attrs["relevant"] is not False
        folded = attrs.pop("folded", False)  # some awards have no node: own totals are whole
        if attrs["contracts"] and not folded:
            _totals_from_contracts(graph, attrs)
        if attrs["type"] in ("AWARDED", "AWARDED_TO"):
            contract = graph.nodes[end if attrs["type"] == "AWARDED" else start]
            attrs["amount_usd"] = contract.get("amount_usd")
            attrs["relevant"] = contract.get("relevant") is not False
        product = attrs.get("product_id")
        attrs["product"] = graph.nodes[product]["name"] if product and product in graph else None
    return graph
