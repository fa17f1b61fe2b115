"""The journalist schema, derived from the ontology's annotations (not hard-coded).

Node labels come from ``skg:nodeLabel`` on classes; edge types, and which
roles of a relationship node give an edge's two ends, from ``skg:edgeType``,
``skg:edgeFrom``, ``skg:edgeTo`` and ``skg:edgeToFallback`` on properties,
relationship classes and engagement stages.
"""

from dataclasses import dataclass
from functools import cache

from rdflib import URIRef

from kg.registry import load_registry
from kg.vocab import SKG


@dataclass(frozen=True)
class EdgeRule:
    """How one relationship class (or engagement stage) projects to an edge."""

    edge_type: str
    start_role: str
    end_role: str
    fallback_role: str | None


@dataclass(frozen=True)
class Schema:
    """Node labels by class IRI, direct edge types by property IRI, edge rules by key IRI."""

    node_labels: dict[str, str]
    direct_edges: dict[str, str]
    edge_rules: dict[str, EdgeRule]


@cache
def journalist_schema() -> Schema:
    """Read the projection annotations from the ontology once."""
    graph = load_registry().graph
    labels = {str(s): str(o) for s, o in graph.subject_objects(SKG.nodeLabel)}
    direct: dict[str, str] = {}
    rules: dict[str, EdgeRule] = {}
    for subject, edge_type in graph.subject_objects(SKG.edgeType):
        start, end = graph.value(subject, SKG.edgeFrom), graph.value(subject, SKG.edgeTo)
        if start is None or end is None:
            direct[str(subject)] = str(edge_type)
            continue
        fallback = graph.value(subject, SKG.edgeToFallback)
        rules[str(subject)] = EdgeRule(
            str(edge_type), str(start), str(end),
            str(fallback) if isinstance(fallback, URIRef) else None,
        )
    return Schema(labels, direct, rules)
