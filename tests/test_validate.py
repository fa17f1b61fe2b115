"""SHACL validation: per-source graphs, registry types, and messages a journalist can act on."""

from decimal import Decimal
from pathlib import Path

from pyoxigraph import Literal

from kg import terms as t
from kg.context import Context, Evidence, SourceInfo
from kg.ids import node_iri, source_iri
from kg.reference import REGISTRY_IRI
from kg.registry import load_registry
from kg.store import Store
from kg.validate import ValidationReport, Violation, validate

SHAPES = "https://w3id.org/survkg/shapes#"
SKG = "https://w3id.org/survkg/ontology#"
PROV_VALUE = "http://www.w3.org/ns/prov#value"


def article(key: str) -> Context:
    """A context for a made-up article about a county's camera deal."""
    url = f"https://news.example.org/2021/{key}"
    info = SourceInfo(
        iri=source_iri(url),
        kind="Article",
        title=f"Camera deal, part {key}",
        loader="test",
        loader_version="1",
        content_hash=f"hash-{key}",
        url=url,
        outlet="Example Ledger",
        published="2021-06-02",
    )
    return Context(info, load_registry())


def quote(text: str) -> Evidence:
    return Evidence(text, "test-rule", 0)


def write_deal(store: Store, key: str, status: str = "active") -> str:
    """One article with an engagement, a making, a criticism, a funding and an ownership claim."""
    ctx = article(key)
    vendor = ctx.entity("vendor", "Quillfeather Analytics")
    parent = ctx.entity("vendor", "Quillfeather Holdings")
    agency = ctx.entity("agency", "Harbor County Sheriff's Office")
    state = ctx.entity("agency", "Harbor State Justice Department")
    product = ctx.entity("product", "TideWatch")
    critic = ctx.entity("organization", "Open Streets Coalition")
    ctx.engagement(
        "contract",
        agency=agency,
        vendor=vendor,
        product=product,
        status=status,
        amount=Decimal("-1250.50"),
        start_date="2021-03",
        evidence=quote("The sheriff signed for TideWatch cameras in March."),
    )
    ctx.relationship("Making", vendor, product, evidence=quote("Quillfeather builds TideWatch."))
    ctx.relationship("Ownership", vendor, parent, evidence=quote("Holdings owns the unit."))
    ctx.relationship("Criticism", critic, vendor, evidence=quote("The coalition objected."))
    # A vendor may criticize too: Vendor is a subclass of Organization in the ontology.
    ctx.relationship("Criticism", parent, vendor, evidence=quote("A rival firm objected."))
    ctx.relationship("Funding", state, agency, evidence=quote("The state paid for it."))
    ctx.commit(store)
    return ctx.source.iri


def only(report: ValidationReport, path: str) -> Violation:
    found = [v for v in report.violations if v.path == path]
    assert len(found) == 1, report.violations
    return found[0]


def test_context_output_conforms(store: Store) -> None:
    write_deal(store, "a")
    report = validate(store)
    assert report.violations == []
    assert report.conforms
    assert report.graphs == 2  # the article and the registry; the ontology is not a source


def test_sources_may_disagree_on_status(store: Store) -> None:
    write_deal(store, "a", status="active")
    write_deal(store, "b", status="ended")
    assert validate(store).conforms


def test_engagement_without_agency_and_empty_quote_are_reported(store: Store) -> None:
    graph = "https://w3id.org/survkg/id/source/broken"
    deal, evidence = node_iri("engagement", "broken"), node_iri("evidence", "broken")
    src, rel, ev = t.node(graph), t.node(deal), t.node(evidence)
    store.replace_graph(
        graph,
        [
            (src, t.TYPE, t.skg("Article")),
            (src, t.TITLE, t.text("A broken fixture")),
            (src, t.skg("contentHash"), t.text("h")),
            (src, t.skg("loader"), t.text("test")),
            (rel, t.TYPE, t.skg("Engagement")),
            (rel, t.skg("stage"), t.skg("PilotStage")),
            (rel, t.DERIVED_FROM, src),
            (ev, t.TYPE, t.skg("Evidence")),
            (ev, t.skg("supports"), rel),
            (ev, t.QUOTE, t.text("")),
            (ev, t.QUOTED_FROM, src),
            (ev, t.skg("rule"), t.text("r")),
        ],
    )
    report = validate(store)
    assert not report.conforms
    agency = only(report, SKG + "agency")
    assert (agency.graph, agency.focus_node, agency.shape) == (
        graph,
        deal,
        SHAPES + "EngagementShape",
    )
    assert agency.message.startswith("A deal must name exactly one government agency")
    assert agency.severity == "Violation"
    empty = only(report, PROV_VALUE)
    assert (empty.focus_node, empty.shape) == (evidence, SHAPES + "EvidenceShape")
    assert "non-empty quote" in empty.message
    assert len(report.violations) == 2


def test_wrong_class_and_two_statuses_in_one_source(store: Store) -> None:
    ctx = article("c")
    vendor = ctx.entity("vendor", "Quillfeather Analytics")
    deal = ctx.engagement("pitch", agency=vendor, vendor=vendor, evidence=quote("A demo."))
    ctx.emit(t.node(deal), t.skg("status"), t.skg("Proposed"))
    ctx.commit(store)
    report = validate(store)
    assert only(report, SKG + "agency").message.endswith("it must be known as an agency.")
    assert only(report, SKG + "status").focus_node == deal


def test_bad_url_and_date_are_reported(store: Store) -> None:
    ctx = article("d")
    src = t.node(ctx.source.iri)
    ctx.triples.remove(next(x for x in ctx.triples if x[1] == t.skg("url")))
    ctx.emit(src, t.skg("url"), t.any_uri("ftp://files.example.org/a"))
    agency = ctx.entity("agency", "Harbor County Sheriff's Office")
    deal = ctx.engagement("pilot", agency=agency, evidence=quote("A trial began."))
    ctx.emit(t.node(deal), t.skg("startDate"), Literal("spring"))
    ctx.commit(store)
    report = validate(store)
    assert only(report, SKG + "url").focus_node == ctx.source.iri
    assert "year" in only(report, SKG + "startDate").message


def test_registry_types_count_and_registry_faults_are_reported_once(store: Store) -> None:
    agency = "https://w3id.org/survkg/id/agency/ref-a"
    nameless = "https://w3id.org/survkg/id/vendor/ref-b"
    reg = t.node(REGISTRY_IRI)
    store.replace_graph(
        REGISTRY_IRI,
        [
            (reg, t.TYPE, t.skg("Record")),
            (reg, t.TITLE, t.text("registry")),
            (reg, t.skg("contentHash"), t.text("h")),
            (reg, t.skg("loader"), t.text("reference")),
            (t.node(agency), t.TYPE, t.skg("Agency")),
            (t.node(agency), t.LABEL, t.text("Ref A")),
            (t.node(nameless), t.TYPE, t.skg("Vendor")),
        ],
    )
    for key in ("e", "f"):
        ctx = article(key)
        ctx.engagement("deployment", agency=agency, vendor=nameless, evidence=quote("In use."))
        ctx.commit(store)
    report = validate(store)
    assert [(v.graph, v.focus_node) for v in report.violations] == [(REGISTRY_IRI, nameless)]
    assert report.violations[0].path == "http://www.w3.org/2004/02/skos/core#prefLabel"


def test_empty_store_conforms(tmp_path: Path) -> None:
    report = validate(Store(tmp_path / "empty"))
    assert report == ValidationReport(True, [], 0)


def test_relationship_without_evidence_is_reported(store: Store) -> None:
    ctx = article("g")
    agency = ctx.entity("agency", "Harbor County Sheriff's Office")
    deal = ctx.engagement("pilot", agency=agency, evidence=quote("Testing began."))
    ctx.triples = [x for x in ctx.triples if x[1] != t.skg("supports")]
    ctx.commit(store)
    found = only(validate(store), "^" + SKG + "supports")
    assert (found.focus_node, found.shape) == (deal, SHAPES + "RelationshipShape")
    assert "cannot be cited" in found.message
