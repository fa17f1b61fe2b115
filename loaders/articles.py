"""News articles (.txt with the shared header format, .md, .html) into cited claims.

Entry point: ``load_article(store, path)``. The text is read strictly (one-line
errors for empty, binary, wrongly encoded or oversized files), split into
sentences, and run through the rule-based extractor; every claim keeps its
sentence and rule. Reloading an unchanged file is a no-op; a changed file
replaces its source graph atomically.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg import __version__
from kg.context import Context, Evidence, SourceInfo
from kg.ids import source_iri
from kg.registry import Registry, load_registry
from kg.sources import find_source
from kg.store import Store
from loaders.extract import Extraction, Mention, Relation, extract
from loaders.extract.text import Document, read_document

METADATA: dict[str, str | list[str]] = {
    "title": "News articles",
    "formats": [".txt (optional url/title/published/outlet header)", ".md", ".html"],
}
LOADER = "articles"
ENTITY_KINDS = ("vendor", "agency", "product", "organization")
STAGES = {"SELLS_TO": "contract", "PITCHED_TO": "pitch", "PILOTS": "pilot", "USES": "deployment"}
IriOf = Callable[[Mention], str]
RELATIONSHIP_KINDS = {"MAKES": "Making", "SUBSIDIARY_OF": "Ownership",
                      "CRITICIZES": "Criticism", "FUNDS": "Funding"}


@dataclass(frozen=True)
class LoadResult:
    """What happened to one file."""

    path: Path
    status: str  # "loaded" or "unchanged"
    source: str
    triples: int
    relations: int


def load_article(store: Store, path: Path, *, registry: Registry | None = None,
                 max_bytes: int = 5_000_000) -> LoadResult:
    """Load one article file; raises ``InputError`` with a one-line reason for bad input."""
    registry = registry or load_registry()
    doc = read_document(path, max_bytes=max_bytes)
    info = source_info(doc)
    stored = find_source(store, info.iri)
    if stored and (stored.content_hash, stored.loader_version) == (doc.content_hash, __version__):
        return LoadResult(path, "unchanged", info.iri, stored.triples, 0)
    extraction = extract(doc.body, registry)
    ctx = Context(info, registry)
    emit_extraction(ctx, extraction)
    return LoadResult(path, "loaded", info.iri, ctx.commit(store), len(extraction.relations))


def source_info(doc: Document) -> SourceInfo:
    locator = doc.url or str(doc.path.resolve())
    return SourceInfo(
        iri=source_iri(locator), kind="Article", title=doc.title,
        loader=LOADER, loader_version=__version__,
        content_hash=doc.content_hash, url=doc.url, file=str(doc.path),
        outlet=doc.outlet, published=doc.published,
    )


def emit_extraction(ctx: Context, extraction: Extraction) -> None:
    """Hand every entity and relation of an extraction to the context."""
    sentences = {s.index: s.text for s in extraction.sentences}

    def iri(mention: Mention) -> str:
        origin = mention.resolved
        return ctx.entity(origin.kind, origin.name, introduced_by=sentences[origin.sentence])

    for mention in extraction.mentions:
        if mention.resolved.kind in ENTITY_KINDS:
            iri(mention)
    for rel in extraction.relations:
        evidence = Evidence(sentences[rel.sentence], rel.rule, rel.sentence)
        _emit_relation(ctx, rel, iri, evidence)


def _emit_relation(ctx: Context, rel: Relation, iri: IriOf, evidence: Evidence) -> None:
    if rel.type in RELATIONSHIP_KINDS:
        ctx.relationship(RELATIONSHIP_KINDS[rel.type], iri(rel.subject), iri(rel.object),
                         evidence=evidence, amount=rel.amount)
        return
    agency = rel.object if rel.type in ("SELLS_TO", "PITCHED_TO") else rel.subject
    ctx.engagement(
        STAGES[rel.type], agency=iri(agency),
        vendor=iri(rel.vendor) if rel.vendor else None,
        product=iri(rel.product) if rel.product else None,
        status=rel.status, amount=rel.amount, date_text=rel.date_text,
        start_date=rel.date, evidence=evidence, reactivated=rel.reactivated,
    )

