"""The relations table: who sells, pitches, pilots, uses, makes, criticizes what.

Rows come from the journalist projection, so the table, the HTML and the
Cypher back ends agree. Registry-only facts (a known parent company, a known
maker) are left out unless ``include_reference`` is set: the table shows what
the loaded sources say.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from kg.names import normalise
from kg.projection import PropertyGraph, project
from kg.reference import REGISTRY_IRI
from kg.store import Store
from kg.vocab import ONTOLOGY_IRI

# Bookkeeping edges of award records: the SELLS_TO edge they support is the row to show.
STRUCTURAL = {"MENTIONS", "AWARDED", "AWARDED_TO", "FOR_PRODUCT", "SUBAWARD_OF"}
REFERENCE_GRAPHS = {REGISTRY_IRI, ONTOLOGY_IRI}


@dataclass(frozen=True)
class RelationRow:
    """One edge of the graph, with everything a journalist needs to check it."""

    subject: str
    subject_type: str
    relation: str
    object: str
    object_type: str
    product: str | None
    status: str
    amount_usd: float | None
    start_date: str | None
    sources: int
    citations: list[dict[str, str]] = field(default_factory=list)
    subject_id: str = ""
    object_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def _matches(graph: PropertyGraph, node: str, wanted: str) -> bool:
    """Does ``node`` (or an organisation it is part of) go by the name ``wanted``?"""
    target = normalise(wanted)
    seen: set[str] = set()
    while node and node not in seen:
        seen.add(node)
        attrs = graph.nodes[node]
        names = [attrs.get("name", ""), *attrs.get("aliases", [])]
        if any(normalise(n) == target for n in names) or node == wanted:
            return True
        parents = [v for _, v, d in graph.out_edges(node, data=True)
                   if d["type"] in ("PART_OF", "SUBSIDIARY_OF")]
        node = parents[0] if parents else ""
    return False


def relations(store: Store, vendor: str | None = None, agency: str | None = None,
              include_reference: bool = False) -> list[RelationRow]:
    """Relationship edges, optionally only those touching a vendor and/or an agency."""
    graph = project(store)
    source_titles = {n: a["name"] for n, a in graph.nodes(data=True) if a["label"] == "Source"}
    rows = []
    for start, end, attrs in graph.edges(data=True):
        if attrs["type"] in STRUCTURAL:
            continue
        if not include_reference and set(attrs["sources"]) <= REFERENCE_GRAPHS:
            continue
        if not include_reference and not attrs.get("relevant", True):
            continue  # agencies buy ammunition and janitors through the same channels
        ends = (start, end)
        if vendor and not any(_matches(graph, n, vendor) for n in ends):
            continue
        if agency and not any(_matches(graph, n, agency) for n in ends):
            continue
        rows.append(_row(graph, start, end, attrs, source_titles))
    rows.sort(key=lambda r: (r.subject.lower(), r.relation, r.object.lower(), r.product or ""))
    return rows


def _row(graph: PropertyGraph, start: str, end: str, attrs: dict[str, Any],
         titles: dict[str, str]) -> RelationRow:
    citations = [{**c, "title": titles.get(c["source"], "")} for c in attrs["citations"]]
    return RelationRow(
        subject=graph.nodes[start]["name"], subject_type=graph.nodes[start]["label"],
        relation=attrs["type"], object=graph.nodes[end]["name"],
        object_type=graph.nodes[end]["label"], product=attrs.get("product"),
        status=attrs["status"], amount_usd=attrs["amount_usd"], start_date=attrs["start_date"],
        sources=len([s for s in attrs["sources"] if s not in REFERENCE_GRAPHS]),
        citations=citations, subject_id=start, object_id=end,
    )
