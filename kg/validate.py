"""Check the store against the SHACL shapes in ``ontology/shapes.ttl``, one source at a time.

Each named graph is validated on its own, because two sources may fairly
disagree (one says a deal is active, a later one that it ended) while each must
be consistent in itself. Beside each graph go the ontology's subclass axioms
and the registry's types of the entities the graph refers to: that is all
``sh:class`` and ``sh:targetClass`` look at, and it keeps the work proportional
to the source instead of re-checking the whole registry for every source.

No RDFS inference is run (measured): inferring types from ``rdfs:range`` would
make every Engagement's agency an Agency by construction, so the ``sh:class``
checks could never fail; it also costs several times more.

>>> from kg.store import Store
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     validate(Store(tmp)).conforms
True
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pyshacl
from pyoxigraph import BlankNode, NamedNode, Triple
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from kg.reference import REGISTRY_IRI
from kg.store import STAGING_PREFIX, Store
from kg.vocab import ONTOLOGY_IRI

_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_XSD_STRING = str(XSD.string)
_SUBCLASS_OF = NamedNode(str(RDFS.subClassOf))
_ENTITY_FACTS = {NamedNode(str(RDF.type)), NamedNode(str(SKOS.prefLabel))}
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Violation:
    """One failed constraint, named so a journalist can find and fix it."""

    graph: str
    focus_node: str
    shape: str
    path: str | None
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome for the whole store; ``conforms`` is False if any result is a Violation."""

    conforms: bool
    violations: list[Violation]
    graphs: int


@dataclass(frozen=True)
class _Shapes:
    graph: Graph
    node_shape_of: dict[Node, str]


@dataclass(frozen=True)
class _Background:
    """What each graph is validated beside: subclass axioms, and registry entities' types and names.

    Names ride along so a registry entity that a source describes further (say, with an
    extra alias) is not reported nameless in that source.
    """

    axioms: list[Triple]
    entities: dict[str, list[Triple]]


@cache
def load_shapes() -> _Shapes:
    """Parse the shapes once per process; map each property shape to its node shape."""
    graph = Graph()
    graph.parse(
        data=resources.files("ontology").joinpath("shapes.ttl").read_bytes(), format="turtle"
    )
    owner: dict[Node, str] = {}
    for node_shape in graph.subjects(RDF.type, SH.NodeShape):
        owner[node_shape] = str(node_shape)
        for property_shape in graph.objects(node_shape, SH.property):
            owner[property_shape] = str(node_shape)
    return _Shapes(graph, owner)


def validate(store: Store) -> ValidationReport:
    """Validate every source graph and the registry graph (not the ontology graph itself)."""
    shapes = load_shapes()
    background = _background(store)
    violations: list[Violation] = []
    graphs = source_graphs(store)
    for graph in graphs:
        violations.extend(_validate_graph(store, graph, shapes, background))
    violations.sort(key=lambda v: (v.graph, v.focus_node, v.shape, v.path or "", v.message))
    conforms = not any(v.severity == "Violation" for v in violations)
    return ValidationReport(conforms, violations, len(graphs))


def source_graphs(store: Store) -> list[str]:
    """Named graphs to validate: every source and the registry, without staging or ontology."""
    names = (row["g"].value for row in store.select(_GRAPHS) if isinstance(row["g"], NamedNode))
    return sorted(n for n in names if n != ONTOLOGY_IRI and not n.startswith(STAGING_PREFIX))


def _background(store: Store) -> _Background:
    axioms = [q.triple for q in store.graph_quads(ONTOLOGY_IRI) if q.predicate == _SUBCLASS_OF]
    entities: dict[str, list[Triple]] = defaultdict(list)
    for quad in store.graph_quads(REGISTRY_IRI):
        if quad.predicate in _ENTITY_FACTS and isinstance(quad.subject, NamedNode):
            entities[quad.subject.value].append(quad.triple)
    return _Background(axioms, dict(entities))


def _validate_graph(
    store: Store, graph: str, shapes: _Shapes, background: _Background
) -> list[Violation]:
    """Violations of one named graph, reported only for the nodes that graph describes."""
    triples = [quad.triple for quad in store.graph_quads(graph)]
    subjects = {t.subject.value for t in triples if isinstance(t.subject, NamedNode)}
    named = subjects | {t.object.value for t in triples if isinstance(t.object, NamedNode)}
    extra = [fact for iri in named for fact in background.entities.get(iri, ())]
    data = _to_rdflib([*triples, *background.axioms, *extra])
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes.graph, inference="none", inplace=True)
    return [
        v
        for v in _violations(results, graph, shapes)
        if v.focus_node in subjects or v.focus_node.startswith("_:")
    ]


def _to_rdflib(triples: Iterable[Triple]) -> Graph:
    """Copy oxigraph triples into an rdflib graph, term by term (twice as fast as N-Triples)."""
    graph = Graph()
    graph.addN((_term(t.subject), _term(t.predicate), _term(t.object), graph) for t in triples)
    return graph


@lru_cache(maxsize=65536)
def _iri(value: str) -> URIRef:
    return URIRef(value)


def _term(term: Any) -> Node:
    """The rdflib form of an oxigraph term; xsd:string becomes a plain literal, as in N-Triples."""
    if isinstance(term, NamedNode):
        return _iri(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=_iri(term.datatype.value))


def _violations(results: Graph, graph: str, shapes: _Shapes) -> list[Violation]:
    """Read pyshacl's report graph into Violations named by node shape and path."""
    return [
        Violation(
            graph=graph,
            focus_node=_name(results.value(result, SH.focusNode)),
            shape=_shape(shapes, results.value(result, SH.sourceShape)),
            path=_path(results, results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or "constraint not met"),
            severity=_severity(results.value(result, SH.resultSeverity)),
        )
        for result in results.subjects(RDF.type, SH.ValidationResult)
    ]


def _shape(shapes: _Shapes, source_shape: Node | None) -> str:
    """The node shape a result belongs to: property shapes are blank nodes, useless to readers."""
    if source_shape is None:
        return ""
    return shapes.node_shape_of.get(source_shape) or _name(source_shape)


def _severity(severity: Node | None) -> str:
    if isinstance(severity, URIRef):
        return _SEVERITIES.get(severity, "Violation")
    return "Violation"


def _path(results: Graph, path: Node | None) -> str | None:
    """A property IRI, or ``^IRI`` for an inverse path (the evidence that supports a claim)."""
    if isinstance(path, URIRef):
        return str(path)
    inverse = results.value(path, SH.inversePath) if path is not None else None
    return f"^{inverse}" if isinstance(inverse, URIRef) else None


def _name(node: Node | None) -> str:
    """An IRI as a string; a blank node as ``_:id`` so callers can tell the two apart."""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node) if node is not None else ""
