"""Resolution decisions in the store: seed the next run from them, explain them to a user.

Loaders store each decision as a ``skg:ResolutionDecision`` (name as written,
entity, rule, reason) in the source's graph, and ownership links as
``skg:Ownership`` claims with their evidence. ``explain`` reads both back, so
"why is WEST PUBLISHING CORP under Thomson Reuters?" has an answer that names
the rule, the record and, for a judgement, the line of the judgement file.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.judgements import Judgement, find_judgements, read_judgements
from kg.names import normalise
from kg.reference import REGISTRY_IRI
from kg.registry import Registry, load_registry
from kg.resolve import Resolver
from kg.store import Store
from kg.vocab import BASE, ONTOLOGY_IRI

_KEYS = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
SELECT ?g ?e ?p ?v WHERE { GRAPH ?g { ?e ?p ?v } VALUES ?p { skg:uei skg:duns } }"""
_DECISIONS = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?title ?name ?e ?rule ?reason WHERE {
  GRAPH ?g { ?d skg:nameAsWritten ?name ; skg:resolvedTo ?e ; skg:resolutionRule ?rule ;
                rdfs:comment ?reason . ?g dct:title ?title }
}"""
_LINKS = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?g ?title ?child ?parent ?rule ?quote WHERE {
  GRAPH ?g { ?o a skg:Ownership ; skg:subsidiary ?child ; skg:parent ?parent .
             ?ev skg:supports ?o ; skg:rule ?rule ; prov:value ?quote . ?g dct:title ?title }
}"""
_LABELS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?label WHERE { ?e skos:prefLabel ?label }"""
_REFERENCE = {REGISTRY_IRI, ONTOLOGY_IRI}


def _kind(iri: str) -> str:
    return iri.removeprefix(BASE + "id/").split("/", 1)[0]


def seed_resolver(resolver: Resolver, store: Store, exclude: set[str]) -> int:
    """Teach ``resolver`` the keys and names other sources resolved; returns how many.

    Sources about to be reloaded (``exclude``) are left out, so a changed
    judgement is not undone by the decisions of the version it replaces.
    """
    taught = 0
    for row in store.select(_KEYS):
        if row["g"].value in exclude or row["g"].value in _REFERENCE:
            continue
        iri, prop, value = row["e"].value, row["p"].value.rsplit("#", 1)[-1], row["v"].value
        kind = _kind(iri)
        if kind in ("vendor", "agency"):
            resolver.learn(kind, iri, **{prop: value})
            taught += 1
    for row in store.select(_DECISIONS):
        iri = row["e"].value
        if row["g"].value not in exclude and _kind(iri) == "vendor":
            resolver.learn("vendor", iri, names=[row["name"].value])
            taught += 1
    return taught


@dataclass(frozen=True)
class Reason:
    """One recorded decision or link, with the source that made it."""

    rule: str
    text: str
    source: str


@dataclass
class EntityExplanation:
    """Everything recorded about how names became one entity and how it hangs together."""

    iri: str
    name: str
    registry: bool
    names: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))
    parents: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))
    children: dict[str, list[Reason]] = field(default_factory=lambda: defaultdict(list))

    def lines(self) -> list[str]:
        """Plain-text account, one fact per line (what ``kg resolve explain`` prints)."""
        out = [f"{self.name} <{self.iri}>" + (" (reference registry)" if self.registry else "")]
        for title, table in (("known as", self.names), ("subsidiary of", self.parents),
                             ("parent of", self.children)):
            for other, reasons in sorted(table.items()):
                out.append(f"  {title} {other}")
                seen = set()
                for reason in reasons:
                    if (reason.rule, reason.text) not in seen:
                        seen.add((reason.rule, reason.text))
                        out.append(f"    [{reason.rule}] {reason.text} — {reason.source}")
        return out


@dataclass
class Explanation:
    """The answer to "why is NAME resolved the way it is?"."""

    query: str
    entities: list[EntityExplanation]
    judgements: list[Judgement]

    def lines(self) -> list[str]:
        """Plain text for the CLI."""
        if not self.entities:
            return [f"no entity is called {self.query!r} in the store or the registry"]
        out = [line for entity in self.entities for line in entity.lines()]
        for j in self.judgements:
            verdict = "same as" if j.same else "not the same as"
            out.append(f"judgement ({j.where}): {j.name_a} {verdict} {j.name_b}"
                       + (f" — {j.note}" if j.note else ""))
        return out


def explain(store: Store, name: str, *, judgements: Path | None = None,
            registry: Registry | None = None) -> Explanation:
    """Every recorded decision behind the entity (or entities) called ``name``."""
    registry = registry or load_registry()
    wanted = normalise(name)
    labels = {row["e"].value: row["label"].value for row in store.select(_LABELS)}
    decisions = store.select(_DECISIONS)
    # what loads decided for this name; only without any, what it is called in the store
    matches = {row["e"].value for row in decisions if normalise(row["name"].value) == wanted}
    if not matches:
        matches = {iri for iri, label in labels.items() if normalise(label) == wanted
                   and _kind(iri) in ("vendor", "agency")}
        ref = registry.lookup(name, ["vendor", "agency"])
        if ref is not None:
            matches.add(ref.iri)
    entities = {iri: EntityExplanation(iri, labels.get(iri, iri), iri in registry.entities)
                for iri in sorted(matches)}
    for row in decisions:
        entity = entities.get(row["e"].value)
        if entity is not None:
            entity.names[row["name"].value].append(
                Reason(row["rule"].value, row["reason"].value, row["title"].value))
    for row in store.select(_LINKS):
        child, parent = row["child"].value, row["parent"].value
        reason = Reason(row["rule"].value, row["quote"].value, row["title"].value)
        if child in entities:
            entities[child].parents[labels.get(parent, parent)].append(reason)
        if parent in entities:
            entities[parent].children[labels.get(child, child)].append(reason)
    for entity in entities.values():
        ref_entity = registry.entities.get(entity.iri)
        if ref_entity is not None and ref_entity.parent:
            parent_name = registry.entities[ref_entity.parent].name
            entity.parents[parent_name].append(
                Reason("registry", "the reference registry says so", "reference registry"))
    path = find_judgements(store.path, judgements)
    applicable = [j for j in (read_judgements(path) if path else [])
                  if wanted in (normalise(j.name_a), normalise(j.name_b))]
    return Explanation(name, list(entities.values()), applicable)
