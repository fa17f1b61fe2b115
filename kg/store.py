"""The embedded on-disk RDF store (Oxigraph): one named graph per source.

A source is loaded into a staging graph first and then moved over its real
graph by one SPARQL ``MOVE``, which Oxigraph applies in a single transaction:
readers see either the old version of a source or the new one, never a mix.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad, QuerySolutions, Variable

from kg.errors import KgError, StoreLocked

STAGING_PREFIX = "urn:survkg:staging:"
DEFAULT_STORE = "kg-data"


def resolve_store_path(store: str | Path | None, env: dict[str, str]) -> Path:
    """``--store``, else ``$KG_STORE``, else ``./kg-data``."""
    return Path(store or env.get("KG_STORE") or DEFAULT_STORE)


class Store:
    """An Oxigraph store on disk, with per-source graph operations."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._read_only = read_only
        self._db = self._open(read_only)
        if not read_only:
            self._drop_stale_staging()

    def _open(self, read_only: bool) -> pyoxigraph.Store:
        try:
            if read_only:
                if not self.path.exists():
                    raise KgError(f"store {self.path} does not exist; load something first")
                return pyoxigraph.Store.read_only(str(self.path))
            self.path.mkdir(parents=True, exist_ok=True)
            return pyoxigraph.Store(str(self.path))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreLocked(
                    f"store {self.path} is locked by another kg process; wait for it to finish"
                ) from error
            raise KgError(f"cannot open store {self.path}: {error}") from error

    def _drop_stale_staging(self) -> None:
        """Remove staging graphs an interrupted load left behind."""
        for graph in list(self._db.named_graphs()):
            if isinstance(graph, NamedNode) and graph.value.startswith(STAGING_PREFIX):
                self._db.remove_graph(graph)

    # ----------------------------------------------------------- sources
    def replace_graph(self, graph: str, triples: Iterable[tuple[Any, Any, Any]]) -> int:
        """Atomically replace the named graph ``graph`` with ``triples``; returns their count."""
        staging = NamedNode(STAGING_PREFIX + graph)
        if self._db.contains_named_graph(staging):
            self._db.remove_graph(staging)
        quads = [Quad(s, p, o, staging) for s, p, o in triples]
        if not quads:
            self.remove_graph(graph)
            return 0
        self._db.extend(quads)
        self._db.update(f"MOVE GRAPH <{staging.value}> TO GRAPH <{NamedNode(graph).value}>")
        return len(set(quads))

    def remove_graph(self, graph: str) -> bool:
        """Delete a named graph and every claim in it; False if it was not there."""
        node = NamedNode(graph)
        if not self._db.contains_named_graph(node):
            return False
        self._db.remove_graph(node)
        return True

    def has_graph(self, graph: str) -> bool:
        """True if the named graph exists."""
        return bool(self._db.contains_named_graph(NamedNode(graph)))

    def graph_quads(self, graph: str) -> Iterator[Quad]:
        """Every quad of one named graph."""
        return iter(self._db.quads_for_pattern(None, None, None, NamedNode(graph)))

    def count(self) -> int:
        """Number of quads in the store."""
        return len(self._db)

    # ----------------------------------------------------------- queries
    def select(
        self, query: str, bindings: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a SELECT over the union of all graphs; rows map variable names to terms."""
        solutions = self.query(query, bindings)
        if not isinstance(solutions, QuerySolutions):
            raise KgError("expected a SELECT query")
        names = [variable.value for variable in solutions.variables]
        return [{name: row[name] for name in names} for row in solutions]

    def query(self, query: str, bindings: dict[str, Any] | None = None) -> Any:
        """Run any SPARQL query; ``bindings`` are substituted as values, never as text."""
        substitutions = {Variable(name): value for name, value in (bindings or {}).items()}
        try:
            return self._db.query(
                query, use_default_graph_as_union=True, substitutions=substitutions
            )
        except SyntaxError as error:
            raise KgError(f"SPARQL syntax error: {error}") from error

    def dump(self, output: Path, fmt: pyoxigraph.RdfFormat) -> None:
        """Write the whole dataset (or, for triple formats, the union graph) to ``output``."""
        if fmt.supports_datasets:
            self._db.dump(str(output), fmt)
            return
        union = self._db.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
        )
        assert isinstance(union, pyoxigraph.QueryTriples)
        pyoxigraph.serialize(union, str(output), fmt, prefixes=PREFIXES)

    def dump_bytes(self, fmt: pyoxigraph.RdfFormat) -> bytes:
        """The whole dataset serialized in a dataset format, in memory."""
        return self._db.dump(format=fmt) or b""

    def flush(self) -> None:
        """Make every write durable on disk."""
        self._db.flush()

    def backup(self, target: Path) -> None:
        """A consistent copy of the store at ``target`` (hard links where possible)."""
        self._db.backup(str(target))

    def close(self) -> None:
        """Flush and release the database (and its lock) now, not at garbage collection."""
        if not self._read_only:
            self._db.flush()
        del self._db


PREFIXES = {
    "skg": "https://w3id.org/survkg/ontology#",
    "id": "https://w3id.org/survkg/id/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
