"""The reference registry: known agencies, vendors, products, organizations, categories.

Read once from ``ontology/reference/*.ttl`` (lazily, on first use) into small
immutable objects. A broken file fails here, at start, with the file named.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.errors import OntologyError
from kg.names import normalise, strip_country
from kg.vocab import SKG

KIND_OF_CLASS = {
    SKG.Vendor: "vendor",
    SKG.Agency: "agency",
    SKG.Product: "product",
    SKG.Organization: "organization",
    SKG.TechnologyCategory: "category",
}
CLASS_OF_KIND = {kind: cls for cls, kind in KIND_OF_CLASS.items()}


@dataclass(frozen=True)
class RefEntity:
    """One reference entity with every name it goes by."""

    iri: str
    kind: str
    name: str
    labels: tuple[str, ...]
    acronyms: tuple[str, ...]
    parent: str | None
    maker: str | None
    categories: tuple[str, ...]
    level: str | None
    places: tuple[str, ...] = ()


def ontology_files() -> list[Path]:
    """The vocabulary and the reference files, in a stable order."""
    root = Path(str(resources.files("ontology")))
    return [root / "survkg.ttl", *sorted((root / "reference").glob("*.ttl"))]


class Registry:
    """Name lookup over the reference entities."""

    def __init__(self, graph: Graph, digest: str) -> None:
        self.graph = graph
        self.digest = digest
        self.entities = {e.iri: e for e in _read_entities(graph)}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._by_acronym: dict[str, set[str]] = defaultdict(set)
        for entity in self.entities.values():
            self._index(entity)

    def _index(self, entity: RefEntity) -> None:
        for label in (entity.name, *entity.labels, *entity.places):
            self._by_name[normalise(label)].add(entity.iri)
            if entity.kind == "agency":
                self._by_name[strip_country(label)].add(entity.iri)
        for acronym in entity.acronyms:
            self._by_acronym[acronym].add(entity.iri)

    def lookup(self, name: str, kinds: Iterable[str] | None = None) -> RefEntity | None:
        """The one entity called ``name`` (of one of ``kinds``), or None if none or ambiguous."""
        wanted = set(kinds) if kinds else None
        candidates = self._by_acronym.get(name.strip()) or self._by_name.get(normalise(name))
        if not candidates:
            candidates = self._by_name.get(strip_country(name), set())
        found = [self.entities[i] for i in candidates]
        found = [e for e in found if wanted is None or e.kind in wanted]
        return found[0] if len(found) == 1 else None

    def surface_forms(self) -> Iterator[tuple[str, RefEntity, str]]:
        """Every (written form, entity, how to match) the extractor should look for.

        "name" matches case-insensitively but capitalised, "acronym" exactly, and
        "place" (a bare city or state name standing for its government) only when
        it is not part of a longer capitalised name ("Chicago", not "Chicago Tribune").
        """
        for entity in self.entities.values():
            if entity.kind == "category":
                continue
            for label in (entity.name, *entity.labels):
                yield label, entity, "name"
            for acronym in entity.acronyms:
                yield acronym, entity, "acronym"
            for place in entity.places:
                yield place, entity, "place"

    def ancestors(self, iri: str) -> list[str]:
        """Parents of an entity up the PART_OF / SUBSIDIARY_OF chain, nearest first."""
        chain: list[str] = []
        current = self.entities.get(iri)
        while current and current.parent and current.parent not in chain:
            chain.append(current.parent)
            current = self.entities.get(current.parent)
        return chain


def _first(graph: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return str(value) if value is not None else None


def _all(graph: Graph, subject: URIRef, predicate: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in graph.objects(subject, predicate)))


def _read_entities(graph: Graph) -> Iterator[RefEntity]:
    for cls, kind in KIND_OF_CLASS.items():
        for subject in graph.subjects(RDF.type, cls):
            if not isinstance(subject, URIRef):
                continue
            name = _first(graph, subject, SKOS.prefLabel)
            if name is None:
                raise OntologyError(f"reference entity {subject} has no skos:prefLabel")
            if not list(graph.objects(subject, DCTERMS.source)):
                raise OntologyError(f"reference entity {subject} cites no dct:source")
            yield RefEntity(
                iri=str(subject),
                kind=kind,
                name=name,
                labels=_all(graph, subject, SKOS.altLabel) + _all(graph, subject, SKG.misnaming),
                acronyms=_all(graph, subject, SKG.acronym),
                parent=(_first(graph, subject, SKG.partOf)
                        or _first(graph, subject, SKG.subsidiaryOf)),
                maker=next((str(s) for s in graph.subjects(SKG.makes, subject)), None),
                categories=_all(graph, subject, SKG.category),
                level=_first(graph, subject, SKG.level),
                places=_all(graph, subject, SKG.placeName),
            )


@cache
def load_registry() -> Registry:
    """Parse the ontology and the reference files once per process."""
    graph = Graph()
    hasher = hashlib.sha256()
    for path in ontology_files():
        data = path.read_bytes()
        hasher.update(data)
        try:
            graph.parse(data=data, format="turtle")
        except Exception as error:  # rdflib raises several unrelated types
            raise OntologyError(f"{path.name}: not valid Turtle: {error}") from error
    return Registry(graph, hasher.hexdigest())
