"""Write the graph out: RDF dumps of the store; HTML, GraphML and GEXF of the projection.

RDF formats are chosen by the file's suffix. Dataset formats (N-Quads, TriG,
JSON-LD) keep one named graph per source, so a researcher still sees which
source said what; triple formats (Turtle, N-Triples) get the union of all
graphs. JSON-LD is compacted with the published context (rdflib does the
compaction; it is slower than pyoxigraph's expanded output but readable).

The projection's exports live in their own modules: ``kg.html_export`` (one
self-contained interactive page) and ``kg.graph_files`` (GraphML and GEXF);
their entry points are importable from here too.
"""

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph
from pyoxigraph import RdfFormat, Triple

from kg import html_export
from kg.errors import KgError
from kg.graph_files import GraphFileSummary, export_gexf, export_graphml
from kg.html_export import HtmlSummary
from kg.projection import PropertyGraph
from kg.store import PREFIXES, Store

__all__ = ["RDF_FORMATS", "GraphFileSummary", "HtmlSummary", "export_gexf", "export_graphml",
           "export_html", "export_rdf", "rdf_format"]

RDF_FORMATS = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


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
        if fmt == RdfFormat.JSON_LD:
            written = _write_compact_jsonld(store, partial)
        elif fmt.supports_datasets:
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


def _write_compact_jsonld(store: Store, out: Path) -> int:
    """JSON-LD compacted with the published ``ontology/context.jsonld``: readable keys
    ("vendor", "amount") instead of full IRIs, named graphs kept as ``@graph`` blocks."""
    from rdflib import Dataset

    from kg.ontology_doc import jsonld_context

    dataset = Dataset()
    dataset.parse(data=store.dump_bytes(RdfFormat.N_QUADS), format="nquads")
    dataset.serialize(destination=str(out), format="json-ld", context=jsonld_context()["@context"],
                      auto_compact=True)
    return store.count()


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


# ------------------------------------------------- HTML, GraphML, GEXF
def export_html(graph: PropertyGraph, out: Path, *, title: str = "surveillance-kg graph",
                focus: str | None = None, depth: int = 1, vendor: str | None = None,
                agency: str | None = None, category: str | None = None,
                since: str | None = None, size_by: str = "degree") -> HtmlSummary:
    """Write one self-contained interactive HTML file of ``graph`` (see ``kg.html_export``)."""
    return html_export.export_html(graph, out, title=title, focus=focus, depth=depth,
                                   vendor=vendor, agency=agency, category=category,
                                   since=since, size_by=size_by)
