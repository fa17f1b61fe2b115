"""Sources in the store: list them, look one up, remove one with all its claims."""

from dataclasses import dataclass
from typing import Any

from kg import terms as t
from kg.errors import KgError
from kg.store import Store

_LIST = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?kind ?title ?loader ?version ?hash ?url ?file (COUNT(*) AS ?triples) WHERE {
  GRAPH ?g {
    ?g a ?kind ; dct:title ?title ; skg:loader ?loader ; skg:loaderVersion ?version ;
       skg:contentHash ?hash .
    OPTIONAL { ?g skg:url ?url } OPTIONAL { ?g skg:file ?file }
    ?s ?p ?o .
  }
} GROUP BY ?g ?kind ?title ?loader ?version ?hash ?url ?file ORDER BY ?title
"""


@dataclass(frozen=True)
class SourceRow:
    """One loaded source, as ``kg sources`` shows it."""

    iri: str
    kind: str
    title: str
    loader: str
    loader_version: str
    content_hash: str
    url: str | None
    file: str | None
    triples: int

    @property
    def short_id(self) -> str:
        """The last path segment of the IRI: what users type."""
        return self.iri.rsplit("/", 1)[-1]


def _row_to_source(row: dict[str, Any]) -> SourceRow:
    return SourceRow(
        iri=row["g"].value, kind=row["kind"].value.rsplit("#", 1)[-1],
        title=row["title"].value, loader=row["loader"].value,
        loader_version=row["version"].value, content_hash=row["hash"].value,
        url=row["url"].value if row["url"] is not None else None,
        file=row["file"].value if row["file"] is not None else None,
        triples=int(row["triples"].value),
    )


def list_sources(store: Store) -> list[SourceRow]:
    """Every source graph with its metadata and triple count."""
    return [_row_to_source(row) for row in store.select(_LIST)]


def find_source(store: Store, iri: str) -> SourceRow | None:
    """The source whose graph is ``iri``, if loaded."""
    rows = store.select(_LIST, {"g": t.node(iri)})
    return _row_to_source(rows[0]) if rows else None


def remove_source(store: Store, ident: str) -> SourceRow:
    """Delete the source named by IRI, short id, URL or file path, with all its claims."""
    matches = [s for s in list_sources(store)
               if ident in (s.iri, s.short_id, s.url, s.file) and s.loader != "reference"]
    if not matches:
        raise KgError(f"no source {ident!r}; `kg sources` lists the loaded ones")
    if len(matches) > 1:
        raise KgError(f"{ident!r} names {len(matches)} sources; use the id from `kg sources`")
    store.remove_graph(matches[0].iri)
    return matches[0]
