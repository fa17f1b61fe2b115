"""The loader context: the only door from a loader to the store.

A loader describes what a source says (entities, relationships, evidence); the
context mints deterministic IRIs, resolves names against the reference
registry, stamps provenance on every claim and collects the triples of the
source's named graph. ``commit`` replaces that graph atomically.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from kg import terms as t
from kg.ids import entity_iri, node_iri
from kg.records import ContractRecord, contract_iri, contract_triples
from kg.records import P as RECORD_PREDICATES
from kg.registry import CLASS_OF_KIND, Registry
from kg.store import Store
from kg.values import date_literal

STAGES = {"pitch": "PitchStage", "pilot": "PilotStage", "contract": "ContractStage",
          "deployment": "DeploymentStage"}
STATUSES = {"active": "Active", "ended": "Ended", "proposed": "Proposed", "paused": "Paused"}
# When one source gives a relationship several statuses, the strongest is kept.
STATUS_STRENGTH = {"proposed": 0, "active": 1, "paused": 2, "ended": 3}
RELATIONSHIP_ROLES = {
    "Making": ("maker", "product"),
    "Ownership": ("subsidiary", "parent"),
    "Criticism": ("critic", "target"),
    "Funding": ("funder", "recipient"),
}


@dataclass(frozen=True)
class SourceInfo:
    """What is known of a source document; becomes the source node of its graph."""

    iri: str
    kind: str  # "Article" or "Record"
    title: str
    loader: str
    loader_version: str
    content_hash: str
    url: str | None = None
    file: str | None = None
    outlet: str | None = None
    published: str | None = None
    resolution_hash: str | None = None  # record sources: registry + judgements used


def engagement_iri(stage: str, *, agency: str, vendor: str | None = None,
                   product: str | None = None) -> str:
    """IRI of the engagement of ``vendor`` with ``agency`` (about ``product``) at ``stage``.

    Known before the engagement is emitted, so a streamed loader can point each
    award at it (``skg:supportedBy``) and state the totals once at the end.
    """
    return node_iri("engagement", vendor or "", agency, product or "", stage)


@dataclass(frozen=True)
class Evidence:
    """The quote that supports a claim, and the rule that read it."""

    quote: str
    rule: str
    sentence_index: int | None = None


@dataclass
class _Relationship:
    iri: str
    status: str | None = None
    has_amount: bool = False
    has_date: bool = False


@dataclass
class Context:
    """Collects the triples of one source's named graph."""

    source: SourceInfo
    registry: Registry
    triples: list[tuple[Any, Any, Any]] = field(default_factory=list)
    fold_irrelevant: bool = False  # keep only relevant awards as Contracts (see ``contract``)
    folded: int = 0
    folded_into: Counter[str] = field(default_factory=Counter)  # engagement -> folded awards
    _seen_entities: set[str] = field(default_factory=set)
    _relationships: dict[str, _Relationship] = field(default_factory=dict)
    _decisions: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._emit_source()

    def emit(self, subject: Any, predicate: Any, obj: Any) -> None:
        """Add one triple to the source's graph."""
        self.triples.append((subject, predicate, obj))

    def _emit_source(self) -> None:
        src, info = t.node(self.source.iri), self.source
        self.emit(src, t.TYPE, t.skg(info.kind))
        self.emit(src, t.TITLE, t.text(info.title))
        self.emit(src, t.skg("loader"), t.text(info.loader))
        self.emit(src, t.skg("loaderVersion"), t.text(info.loader_version))
        self.emit(src, t.skg("contentHash"), t.text(info.content_hash))
        self.emit(src, t.skg("retrieved"), date_literal(date.today().isoformat()))
        optional = [("url", info.url, t.any_uri), ("file", info.file, t.text),
                    ("outlet", info.outlet, t.text)]
        for name, value, make in optional:
            if value:
                self.emit(src, t.skg(name), make(value))
        published = date_literal(info.published) if info.published else None
        if published is not None:
            self.emit(src, t.ISSUED, published)
        if info.resolution_hash:
            self.emit(src, t.skg("resolutionHash"), t.text(info.resolution_hash))

    def drain(self) -> list[tuple[Any, Any, Any]]:
        """Hand over the triples collected so far and forget them (streamed big sources)."""
        triples, self.triples = self.triples, []
        return triples

    # ------------------------------------------------------------ entities
    def entity(self, kind: str, name: str, *, introduced_by: str | None = None,
               resolve: bool = True) -> str:
        """IRI of the entity called ``name``: the registry's if known, else a new unresolved one."""
        known = self.registry.lookup(name, [kind]) if resolve else None
        iri = known.iri if known else entity_iri(kind, name)
        if iri not in self._seen_entities:
            self._seen_entities.add(iri)
            node = t.node(iri)
            self.emit(t.node(self.source.iri), t.skg("mentions"), node)
            if known is None and iri not in self.registry.entities:
                self.emit(node, t.TYPE, t.node(CLASS_OF_KIND[kind]))
                self.emit(node, t.LABEL, t.text(name))
                self.emit(node, t.skg("resolved"), t.boolean(False))
                if introduced_by:
                    self.emit(node, t.skg("introducedBy"), t.text(introduced_by))
        return iri

    def organization(self, iri: str, kind: str, name: str, *,
                     keys: tuple[tuple[str, str], ...] = ()) -> str:
        """Emit, once, a vendor or agency whose IRI a resolver chose (by UEI, DUNS or name).

        ``keys`` are (property, value) pairs such as ("uei", "L997DB4PEJL8"): what this
        source says identifies the organisation, stated even for registry entities.
        """
        if iri in self._seen_entities:
            return iri
        self._seen_entities.add(iri)
        node = t.node(iri)
        self.emit(t.node(self.source.iri), t.skg("mentions"), node)
        if iri not in self.registry.entities:
            self.emit(node, t.TYPE, t.node(CLASS_OF_KIND[kind]))
            self.emit(node, t.LABEL, t.text(name))
            self.emit(node, t.skg("resolved"), t.boolean(False))
        for prop, value in keys:
            self.emit(node, t.skg(prop), t.text(value))
        return iri

    def decision(self, name: str, iri: str, rule: str, reason: str) -> None:
        """Record, once per pair, why ``name`` as written here was taken to be ``iri``."""
        if (name, iri) in self._decisions:
            return
        self._decisions.add((name, iri))
        node = t.node(node_iri("resolution", self.source.iri, name, iri))
        self.emit(node, t.TYPE, t.skg("ResolutionDecision"))
        self.emit(node, t.skg("nameAsWritten"), t.text(name))
        self.emit(node, t.skg("resolvedTo"), t.node(iri))
        self.emit(node, t.skg("resolutionRule"), t.text(rule))
        self.emit(node, t.COMMENT, t.text(reason))

    # ---------------------------------------------------------- contracts
    def contract(self, record: ContractRecord, *, awarded_by: str | None, recipient: str | None,
                 product: str | None = None, supports: str | None = None) -> str:
        """Emit one award record (a Contract) and its links; returns the Contract's IRI.

        ``supports`` is the engagement (``engagement_iri``) the award is evidence
        for; a streamed loader emits that engagement once, with totals, at the end.
        With ``fold_irrelevant``, an award tagged not relevant is only counted: no
        node is written and the IRI returned names nothing in this source.
        """
        iri = contract_iri(record.award_key)
        if self.fold_irrelevant and record.relevant is False:
            # the award lives on in its engagement's totals (amount, count, dates), not
            # as a node: 16 quads an award is what limits a million-row load
            self.folded += 1
            if supports:
                self.folded_into[supports] += 1
            return iri
        triples = contract_triples(iri, record)
        self.triples += triples
        node = triples[0][0]  # not t.node: a million contract IRIs would flush its cache
        if awarded_by:
            self.emit(t.node(awarded_by), RECORD_PREDICATES["awarded"], node)
        if recipient:
            self.emit(node, RECORD_PREDICATES["awardedTo"], t.node(recipient))
        if product:
            self.emit(node, RECORD_PREDICATES["forProduct"], t.node(product))
        if supports:
            self.emit(t.node(supports), RECORD_PREDICATES["supportedBy"], node)
        return iri

    # ------------------------------------------------------- relationships
    def engagement(self, stage: str, *, agency: str, vendor: str | None = None,
                   product: str | None = None, status: str = "active",
                   amount: Decimal | None = None, date_text: str | None = None,
                   start_date: str | None = None, evidence: Evidence,
                   reactivated: bool = False, end_date: str | None = None) -> str:
        """Record a vendor–agency engagement at one stage; returns its IRI.

        Within one source the strongest status wins (an ended deal stays ended when
        another sentence only mentions it), unless ``reactivated`` says the deal
        was explicitly resumed.
        """
        iri = engagement_iri(stage, agency=agency, vendor=vendor, product=product)
        rel = self._relationship(iri, "Engagement")
        if rel.status is None:
            self.emit(t.node(iri), t.skg("stage"), t.skg(STAGES[stage]))
            for role, value in (("agency", agency), ("vendor", vendor), ("product", product)):
                if value:
                    self.emit(t.node(iri), t.skg(role), t.node(value))
        self._set_status(rel, status, force=reactivated)
        self._details(rel, amount, date_text, start_date, end_date)
        self._evidence(iri, evidence)
        return iri

    def relationship(self, kind: str, start: str, end: str, *, evidence: Evidence,
                     amount: Decimal | None = None) -> str:
        """Record a Making, Ownership, Criticism or Funding claim; returns its IRI."""
        from_role, to_role = RELATIONSHIP_ROLES[kind]
        iri = node_iri(kind.lower(), start, end)
        rel = self._relationship(iri, kind)
        if rel.status is None:
            rel.status = "active"
            self.emit(t.node(iri), t.skg(from_role), t.node(start))
            self.emit(t.node(iri), t.skg(to_role), t.node(end))
        self._details(rel, amount, None, None, None)
        self._evidence(iri, evidence)
        return iri

    def _relationship(self, iri: str, cls: str) -> _Relationship:
        if iri not in self._relationships:
            self._relationships[iri] = _Relationship(iri)
            self.emit(t.node(iri), t.TYPE, t.skg(cls))
            self.emit(t.node(iri), t.DERIVED_FROM, t.node(self.source.iri))
        return self._relationships[iri]

    def _set_status(self, rel: _Relationship, status: str, *, force: bool = False) -> None:
        if rel.status is not None and not force and \
                STATUS_STRENGTH[rel.status] >= STATUS_STRENGTH[status]:
            return
        if rel.status == status:
            return
        if rel.status is not None:
            self.triples.remove((t.node(rel.iri), t.skg("status"), t.skg(STATUSES[rel.status])))
        rel.status = status
        self.emit(t.node(rel.iri), t.skg("status"), t.skg(STATUSES[status]))

    def _details(self, rel: _Relationship, amount: Decimal | None, date_text: str | None,
                 start_date: str | None, end_date: str | None) -> None:
        """Money and dates: the first value a source states for a relationship is kept."""
        node = t.node(rel.iri)
        if amount is not None and not rel.has_amount:
            rel.has_amount = True
            self.emit(node, t.skg("amount"), t.decimal(format(amount, "f")))
            self.emit(node, t.skg("currency"), t.text("USD"))
        start = date_literal(start_date) if start_date else None
        if start is not None and not rel.has_date:
            rel.has_date = True
            self.emit(node, t.skg("startDate"), start)
            if date_text:
                self.emit(node, t.skg("dateText"), t.text(date_text))
            end = date_literal(end_date) if end_date else None
            if end is not None:  # an end date only comes with the start date it closes
                self.emit(node, t.skg("endDate"), end)

    def _evidence(self, supported: str, evidence: Evidence) -> None:
        iri = node_iri("evidence", supported, self.source.iri, evidence.quote)
        if iri in self._seen_entities:
            return
        self._seen_entities.add(iri)
        node = t.node(iri)
        self.emit(node, t.TYPE, t.skg("Evidence"))
        self.emit(node, t.skg("supports"), t.node(supported))
        self.emit(node, t.QUOTE, t.text(evidence.quote))
        self.emit(node, t.QUOTED_FROM, t.node(self.source.iri))
        self.emit(node, t.skg("rule"), t.text(evidence.rule))
        if evidence.sentence_index is not None:
            self.emit(node, t.skg("sentenceIndex"), t.integer(evidence.sentence_index))

    # -------------------------------------------------------------- commit
    def commit(self, store: Store) -> int:
        """Replace the source's graph with what was collected; returns the triple count."""
        return store.replace_graph(self.source.iri, self.triples)
