"""GraphML and GEXF files of the journalist graph, for Gephi, yEd, Cytoscape or networkx.

Both write the same view as the HTML export (``kg.subgraph.select``, with the
same filters) through networkx's writers. The formats hold only strings,
numbers and booleans, so:

- list and dict attributes (aliases, sources, evidence, citations, ...) are
  written as JSON strings, and missing values (None) are left out;
- a node's ``label`` is its name, which Gephi shows, and its journalist label
  (Vendor, Agency, ...) is ``node_type``; an edge's ``label`` is its
  relationship type (GEXF reserves an edge's ``type`` for its direction);
- each citation also carries its source's title, outlet, date and link, so an
  edge can be checked without the store; ``weight`` is the number of sources;
- GEXF nodes get Gephi colours (the HTML legend's) and sizes (by degree).

``read_graph_file`` reads either format back with the projection's attribute
names and types.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg import __version__
from kg.details import web_link
from kg.errors import KgError
from kg.html_export import NODE_STYLES, OTHER_NODE, write_atomically
from kg.projection import PropertyGraph
from kg.subgraph import is_cited, select, sizes

# Characters XML 1.0 cannot hold at all; article text may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
JSON_KEYS = frozenset({"aliases", "acronyms", "categories", "sources", "evidence", "rules",
                       "citations", "relationships"})


@dataclass(frozen=True)
class GraphFileSummary:
    """What a GraphML or GEXF export wrote."""

    nodes: int
    edges: int


def export_graphml(graph: PropertyGraph, out: Path, *, focus: str | None = None,
                   depth: int = 1, vendor: str | None = None, agency: str | None = None,
                   category: str | None = None, since: str | None = None) -> GraphFileSummary:
    """Write the selected view of ``graph`` to ``out`` as GraphML."""
    view = select(graph, focus=focus, depth=depth, vendor=vendor, agency=agency,
                  category=category, since=since)
    flat = flatten(view, graph)
    return _write(out, flat, lambda g: nx.generate_graphml(g, prettyprint=True))


def export_gexf(graph: PropertyGraph, out: Path, *, focus: str | None = None, depth: int = 1,
                vendor: str | None = None, agency: str | None = None,
                category: str | None = None, since: str | None = None) -> GraphFileSummary:
    """Write the selected view of ``graph`` to ``out`` as GEXF 1.2 (Gephi's format)."""
    view = select(graph, focus=focus, depth=depth, vendor=vendor, agency=agency,
                  category=category, since=since)
    flat = flatten(view, graph)
    size = sizes(view, "degree")
    for node, attrs in flat.nodes(data=True):
        colour = NODE_STYLES.get(str(attrs.get("node_type")), OTHER_NODE)[0]
        red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        attrs["viz"] = {"color": {"r": red, "g": green, "b": blue, "a": 1.0},
                        "size": round(size[node], 1)}
    return _write(out, flat, lambda g: nx.generate_gexf(g, prettyprint=True))


def _write(out: Path, flat: PropertyGraph,
           generate: Callable[[PropertyGraph], Iterable[str]]) -> GraphFileSummary:
    write_atomically(out, "\n".join(generate(flat)) + "\n")
    return GraphFileSummary(flat.number_of_nodes(), flat.number_of_edges())


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    r"""Attributes the formats can hold: JSON strings for lists and dicts, no None.

    >>> _plain({"aliases": ["A", "B\x0b"], "product": None, "resolved": False})
    {'aliases': '["A", "B\\u000b"]', 'resolved': False}
    >>> _plain({"name": "bell\x07"})["name"] == "bell\N{REPLACEMENT CHARACTER}"
    True
    """
    plain: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | dict):
            value = json.dumps(sorted(value) if isinstance(value, set) else value,
                               sort_keys=True)  # ASCII: \u escapes keep XML-illegal characters
        elif isinstance(value, str):
            value = _NOT_XML.sub("\ufffd", value)
        plain[key] = value
    return plain


def _cited(full: PropertyGraph, citation: dict[str, Any]) -> dict[str, Any]:
    source = full.nodes[citation["source"]] if citation.get("source") in full else {}
    details = {"title": source.get("name"), "outlet": source.get("outlet"),
               "published": source.get("published"), "url": web_link(source.get("url"))}
    return {**citation, **{k: v for k, v in details.items() if v}}


def flatten(view: PropertyGraph, full: PropertyGraph) -> PropertyGraph:
    """``view`` with the attribute names and plain values the two formats need."""
    flat: PropertyGraph = nx.MultiDiGraph()
    flat.graph.update(_plain({"generator": f"surveillance-kg {__version__}",
                              "categories": view.graph.get("categories")}))
    for node, attrs in view.nodes(data=True):
        renamed = {k: v for k, v in attrs.items() if k not in ("label", "name")}
        flat.add_node(node, label=_NOT_XML.sub("\ufffd", str(attrs.get("name") or node)),
                      node_type=attrs.get("label"), **_plain(renamed))
    for u, v, key, attrs in view.edges(keys=True, data=True):
        renamed = {k: v for k, v in attrs.items() if k != "type"}
        renamed["citations"] = [_cited(full, c) for c in attrs.get("citations") or []]
        weight = len(attrs.get("sources") or []) if is_cited(attrs) else 0
        flat.add_edge(u, v, key=key, label=str(attrs.get("type")),
                      weight=float(max(weight, 1)), **_plain(renamed))
    return flat


def read_graph_file(path: Path) -> PropertyGraph:
    """A GraphML or GEXF file this module wrote, with the projection's attribute names."""
    readers: dict[str, Callable[[Path], Any]] = {".graphml": nx.read_graphml,
                                                 ".gexf": nx.read_gexf}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise KgError(f"cannot read {path.name}: use a .graphml or .gexf file")
    raw = reader(path)
    graph: PropertyGraph = nx.MultiDiGraph()
    graph.graph.update(raw.graph)
    for node, attrs in raw.nodes(data=True):
        node_attrs = _decoded(attrs, drop={"viz", "id", "label", "node_type"})
        graph.add_node(node, label=attrs.get("node_type"), name=attrs.get("label"),
                       **node_attrs)
    edges = raw.edges(keys=True, data=True) if raw.is_multigraph() else \
        ((u, v, None, d) for u, v, d in raw.edges(data=True))
    for u, v, key, attrs in edges:
        edge_attrs = _decoded(attrs, drop={"id", "label", "weight", "networkx_key"})
        graph.add_edge(u, v, key=key, type=attrs.get("label"), **edge_attrs)
    return graph


def _decoded(attrs: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    return {key: json.loads(value) if key in JSON_KEYS and isinstance(value, str) else value
            for key, value in attrs.items() if key not in drop}
