"""Details the exports show that the projection leaves out, read from the store.

``add_details(graph, store)`` puts them on the projection's nodes, so the HTML
view, GraphML and GEXF all read them from one place:

- Source nodes get ``kind`` (Article or Record), ``url`` (http(s) only),
  ``outlet``, ``published`` and ``file``;
- Product nodes get ``categories`` (technology category names), and the graph
  gets ``graph.graph["categories"]``: each category name with its other names,
  so ``--category ALPR`` finds "Automated License Plate Readers";
- every node gets ``acronyms`` (``skg:acronym``, such as "ICE"), which the
  search box and ``--focus`` match like aliases.
"""

from typing import Any
from urllib.parse import urlsplit

from kg.projection import PropertyGraph
from kg.store import Store

_SOURCES = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?kind ?url ?outlet ?issued ?file WHERE {
  GRAPH ?g {
    ?g a ?kind .
    OPTIONAL { ?g skg:url ?url } OPTIONAL { ?g skg:outlet ?outlet }
    OPTIONAL { ?g dct:issued ?issued } OPTIONAL { ?g skg:file ?file }
  }
}"""
_CATEGORIES = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?product ?name WHERE { ?product skg:category ?c . ?c skos:prefLabel ?name }"""
_CATEGORY_NAMES = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?alias WHERE {
  ?c a skg:TechnologyCategory ; skos:prefLabel ?name . OPTIONAL { ?c skos:altLabel ?alias }
}"""
_ACRONYMS = """
SELECT ?e ?acronym WHERE { ?e <https://w3id.org/survkg/ontology#acronym> ?acronym }"""


def web_link(url: object) -> str | None:
    """``url`` if it is an absolute http(s) link, else None: the only links a page may show.

    >>> web_link("https://example.org/story?id=1")
    'https://example.org/story?id=1'
    >>> web_link("javascript:alert(1)") is None, web_link(" HTTP://x.org") is None
    (True, True)
    >>> web_link("//evil.example/x") is None, web_link("https://") is None
    (True, True)
    """
    if not isinstance(url, str) or url != url.strip():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _value(row: Any, name: str) -> str | None:
    term = row[name]
    return None if term is None else str(term.value)


def add_details(graph: PropertyGraph, store: Store) -> PropertyGraph:
    """Add source metadata, product categories and acronyms to ``graph``; returns it."""
    for row in store.select(_SOURCES):
        iri = str(row["g"].value)
        if iri not in graph or graph.nodes[iri].get("label") != "Source":
            continue
        attrs = graph.nodes[iri]
        kind = str(row["kind"].value).rsplit("#", 1)[-1]
        if kind in ("Article", "Record") or "kind" not in attrs:
            attrs["kind"] = kind
        attrs["url"] = web_link(_value(row, "url")) or attrs.get("url")
        for key, column in (("outlet", "outlet"), ("published", "issued"), ("file", "file")):
            attrs[key] = _value(row, column) or attrs.get(key)
    categories: dict[str, set[str]] = {}
    for row in store.select(_CATEGORIES):
        iri = str(row["product"].value)
        if iri in graph:
            categories.setdefault(iri, set()).add(str(row["name"].value))
    for iri, names in categories.items():
        graph.nodes[iri]["categories"] = sorted(names)
    known: dict[str, set[str]] = {}
    for row in store.select(_CATEGORY_NAMES):
        aliases = known.setdefault(str(row["name"].value), set())
        if row["alias"] is not None:
            aliases.add(str(row["alias"].value))
    graph.graph["categories"] = {name: sorted(aliases) for name, aliases in sorted(known.items())}
    acronyms: dict[str, set[str]] = {}
    for row in store.select(_ACRONYMS):
        acronyms.setdefault(str(row["e"].value), set()).add(str(row["acronym"].value))
    for iri, found in acronyms.items():
        if iri in graph:
            graph.nodes[iri]["acronyms"] = sorted(found)
    return graph
