"""Write the graph out: RDF dumps of the store, and an interactive HTML view of the projection.

RDF formats are chosen by the file's suffix. Dataset formats (N-Quads, TriG,
JSON-LD) keep one named graph per source, so a researcher still sees which
source said what; triple formats (Turtle, N-Triples) get the union of all
graphs. pyoxigraph writes JSON-LD datasets natively (expanded form, named
graphs as ``@graph`` blocks), so rdflib is not needed for it.
"""

import html
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import RdfFormat, Triple
from pyvis.network import Network

from kg.errors import KgError
from kg.projection import PropertyGraph
from kg.store import PREFIXES, Store

RDF_FORMATS = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"

# Colour and vis-network shape per journalist label; Source nodes are left out of the view.
NODE_STYLES = {
    "Vendor": ("#d1495b", "dot"),
    "Agency": ("#00798c", "square"),
    "Product": ("#edae49", "diamond"),
    "Organization": ("#66a182", "triangle"),
    "Contract": ("#8d6a9f", "box"),
}
HIDDEN_LABELS = frozenset({"Source"})
QUOTES_SHOWN = 3
SOURCES_SHOWN = 3
QUOTE_CHARS = 300


# ------------------------------------------------------------------ RDF
def rdf_format(out: Path) -> RdfFormat:
    """The RDF format for ``out``'s suffix; an unknown suffix is a one-line KgError."""
    fmt = RDF_FORMATS.get(out.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(RDF_FORMATS))
        raise KgError(
            f"cannot export {out.name}: unknown suffix {out.suffix or '(none)'!r}; "
            f"use one of {supported}"
        )
    return fmt


def export_rdf(store: Store, out: Path) -> int:
    """Write the store to ``out`` in the format its suffix names; returns triples/quads written.

    The file is written beside ``out`` first and renamed over it, so a failed export
    never leaves a truncated dump where the last good one was.
    """
    fmt = rdf_format(out)
    partial = out.with_name(out.name + ".part")
    try:
        if fmt.supports_datasets:
            store.dump(partial, fmt)
            written = store.count()
        else:
            written = _write_union(store, partial, fmt)
        os.replace(partial, out)
    except OSError as error:
        raise KgError(f"cannot write {out}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)
    return written


class _Tally:
    """Counts items as the serializer pulls them, so the union is read only once."""

    def __init__(self, items: Iterable[Triple]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Iterator[Triple]:
        for item in self._items:
            self.count += 1
            yield item


def _write_union(store: Store, out: Path, fmt: RdfFormat) -> int:
    """The union of all graphs (Oxigraph's CONSTRUCT returns each triple once)."""
    tally = _Tally(store.query(_UNION))
    pyoxigraph.serialize(tally, str(out), fmt, prefixes=PREFIXES)
    return tally.count


# ----------------------------------------------------------------- HTML
def export_html(graph: PropertyGraph, out: Path, title: str) -> None:
    """Write an interactive view of the journalist graph to ``out`` (first version).

    Shows Vendor, Agency, Product, Organization and Contract nodes (Source nodes
    are left out; their titles appear in edge tooltips); an ended deal is dashed.

    Every string that comes from data (names, aliases, quotes, source titles, the
    page title) is untrusted article text. Tooltips and the heading are escaped
    with ``html.escape``, because pyvis puts the heading into the page as is and
    shows tooltips with ``innerHTML`` as soon as any tooltip contains "href".
    Labels are drawn on a canvas and reach the page through pyvis's ``tojson``
    filter, which escapes ``<``, ``>``, ``&`` and ``'``.

    First version, to be replaced: the page loads vis-network from a CDN
    (``cdn_resources="remote"``; pyvis's "local" mode would copy a ``lib/``
    folder into the working directory), and vis-network 9 shows a string
    tooltip as text, so an escaped ``&`` reads ``&amp;``. The self-contained
    version inlines the scripts and builds tooltips as DOM text.
    """
    net = Network(
        height="800px",
        width="100%",
        directed=True,
        cdn_resources="remote",
        heading=html.escape(title),
    )
    shown: set[Any] = set()
    for node, attrs in graph.nodes(data=True):
        if attrs.get("label") not in HIDDEN_LABELS:
            net.add_node(node, **_node_options(str(node), attrs))
            shown.add(node)
    for start, end, attrs in graph.edges(data=True):
        if start in shown and end in shown:
            net.add_edge(start, end, **_edge_options(graph, attrs))
    try:
        out.write_text(net.generate_html(), encoding="utf-8")
    except OSError as error:
        raise KgError(f"cannot write {out}: {error.strerror or error}") from error


def _node_options(iri: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """Colour and shape by label, so the kinds of node tell apart without a legend."""
    label = str(attrs.get("label") or "")
    color, shape = NODE_STYLES.get(label, ("#9e9e9e", "dot"))
    return {
        "label": str(attrs.get("name") or iri),
        "color": color,
        "shape": shape,
        "title": _node_title(iri, attrs),
    }


def _node_title(iri: str, attrs: dict[str, Any]) -> str:
    lines = [str(attrs.get("name") or iri), str(attrs.get("label") or "")]
    aliases = list(attrs.get("aliases") or [])
    if aliases:
        lines.append("also known as: " + "; ".join(str(a) for a in aliases[:10]))
    if attrs.get("resolved") is False:
        lines.append("not in the reference registry")
    lines.append(iri)
    return _escaped(lines)


def _edge_options(graph: PropertyGraph, attrs: dict[str, Any]) -> dict[str, Any]:
    """Label by type (from the ontology, never from data); dashed when the deal ended."""
    return {
        "label": str(attrs.get("type") or ""),
        "title": _edge_title(graph, attrs),
        "dashes": attrs.get("status") == "ended",
        "arrows": "to",
    }


def _edge_title(graph: PropertyGraph, attrs: dict[str, Any]) -> str:
    lines = [f"{attrs.get('type')} ({attrs.get('status') or 'active'})"]
    if attrs.get("product"):
        lines.append(f"product: {attrs['product']}")
    if attrs.get("amount_usd") is not None:
        lines.append(f"amount: ${float(attrs['amount_usd']):,.0f}")
    if attrs.get("start_date"):
        lines.append(f"since: {attrs['start_date']}")
    sources = [_source_name(graph, str(s)) for s in attrs.get("sources") or []]
    lines.append(f"{len(sources)} source(s): " + "; ".join(sources[:SOURCES_SHOWN]))
    lines.extend(_quote(q) for q in list(attrs.get("evidence") or [])[:QUOTES_SHOWN])
    return _escaped(lines)


def _source_name(graph: PropertyGraph, source: str) -> str:
    """A source's title, which a reader recognises; its IRI only if the title is unknown."""
    if source in graph:
        return str(graph.nodes[source].get("name") or source)
    return source


def _quote(text: object) -> str:
    """A quote, cut so one long sentence does not fill the screen."""
    quote = str(text)
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS].rstrip() + "…"
    return f"“{quote}”"


def _escaped(lines: Iterable[str]) -> str:
    """One tooltip: each line escaped, joined by newlines (vis-network shows them as breaks).

    ``quote=False``: a tooltip is element content, where only ``&``, ``<`` and ``>``
    matter, and escaped apostrophes would show as ``&#x27;`` in vis-network's text tooltips.
    """
    return "\n".join(html.escape(line, quote=False) for line in lines if line)
