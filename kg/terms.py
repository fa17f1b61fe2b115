"""Bridge from rdflib vocabulary terms to pyoxigraph nodes, and literal helpers.

Loaders emit pyoxigraph quads directly (cheap at millions of rows); this module
is the one place that turns a term or a Python value into an RDF term.
"""

from functools import lru_cache

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.vocab import SKG


@lru_cache(maxsize=4096)
def node(iri: str) -> NamedNode:
    """A pyoxigraph NamedNode for an IRI string or an rdflib URIRef."""
    return NamedNode(str(iri))


TYPE = node(RDF.type)
LABEL = node(SKOS.prefLabel)
ALT_LABEL = node(SKOS.altLabel)
TITLE = node(DCTERMS.title)
ISSUED = node(DCTERMS.issued)
CITES = node(DCTERMS.source)
COMMENT = node(RDFS.comment)
QUOTE = node(PROV.value)
QUOTED_FROM = node(PROV.wasQuotedFrom)
DERIVED_FROM = node(PROV.wasDerivedFrom)
GENERATED_AT = node(PROV.generatedAtTime)

_XSD_INTEGER = node(XSD.integer)
_XSD_DECIMAL = node(XSD.decimal)
_XSD_BOOLEAN = node(XSD.boolean)
_XSD_ANYURI = node(XSD.anyURI)


def skg(name: str) -> NamedNode:
    """The pyoxigraph node of ``skg:name``; raises for a name the vocabulary lacks."""
    return node(getattr(SKG, name))


def text(value: str) -> Literal:
    """A plain string literal."""
    return Literal(value)


def integer(value: int) -> Literal:
    """An xsd:integer literal."""
    return Literal(str(value), datatype=_XSD_INTEGER)


def decimal(value: object) -> Literal:
    """An xsd:decimal literal from a Decimal, int or numeric string."""
    return Literal(str(value), datatype=_XSD_DECIMAL)


def boolean(value: bool) -> Literal:
    """An xsd:boolean literal."""
    return Literal("true" if value else "false", datatype=_XSD_BOOLEAN)


def any_uri(value: str) -> Literal:
    """An xsd:anyURI literal (a URL kept as a value, not a node)."""
    return Literal(value, datatype=_XSD_ANYURI)
