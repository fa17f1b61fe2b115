"""Keep the ontology and the reference registry in the store, as two named graphs.

They are loaded like any source (atomically, skipped when unchanged), so SPARQL
sees entity names, types and hierarchy without any special case.
"""

import hashlib

import pyoxigraph

from kg import __version__
from kg import terms as t
from kg.registry import ontology_files
from kg.store import Store
from kg.vocab import BASE, ONTOLOGY_IRI

REGISTRY_IRI = BASE + "id/source/registry"


def _stored_hash(store: Store, graph: str) -> str | None:
    rows = store.select(
        "SELECT ?g ?h WHERE { GRAPH ?g { ?g <https://w3id.org/survkg/ontology#contentHash> ?h } }",
        {"g": t.node(graph)},
    )
    return str(rows[0]["h"].value) if rows else None


def ensure_reference(store: Store) -> bool:
    """Load the ontology and registry graphs if they changed; True if anything was written."""
    vocab, *reference = ontology_files()
    changed = False
    for graph, paths, title in (
        (ONTOLOGY_IRI, [vocab], "surveillance-kg ontology"),
        (REGISTRY_IRI, reference, "surveillance-kg reference registry"),
    ):
        data = b"\n".join(path.read_bytes() for path in paths)
        digest = hashlib.sha256(data + __version__.encode()).hexdigest()
        if _stored_hash(store, graph) == digest:
            continue
        triples = [(q.subject, q.predicate, q.object)
                   for q in pyoxigraph.parse(data, pyoxigraph.RdfFormat.TURTLE)]
        src = t.node(graph)
        triples += [
            (src, t.TYPE, t.skg("Record")),
            (src, t.TITLE, t.text(title)),
            (src, t.skg("contentHash"), t.text(digest)),
            (src, t.skg("loader"), t.text("reference")),
            (src, t.skg("loaderVersion"), t.text(__version__)),
        ]
        store.replace_graph(graph, triples)
        changed = True
    return changed
