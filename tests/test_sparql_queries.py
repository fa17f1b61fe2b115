"""Every research query in docs/queries runs against a fixture store and returns the rows expected.

The fixture store holds the three fixture articles, the demo corpus, and one
small award-record graph built here: the article loaders write no award
records and the registry no Wikidata links yet, and the queries about them
need something real to find.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg import terms as t
from kg.cli import main
from kg.ids import source_iri
from kg.query import parse_param, read_query, sparql
from kg.store import Store
from kg.values import date_literal
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "docs" / "queries"
DEMO = ROOT / "demo" / "corpus"
AWARDS = source_iri("tests/fixtures/awards.csv")
AWARD_KEY = "CONT_AWD_FIXTURE0001_7012_-NONE-_-NONE-"
AWARD = "https://w3id.org/survkg/id/contract/cont-awd-fixture0001-7012-none-none"
CLEARVIEW = "https://w3id.org/survkg/id/vendor/clearview-ai"
HSI = "https://w3id.org/survkg/id/agency/hsi"
PALANTIR = "https://w3id.org/survkg/id/vendor/palantir-technologies"
PALANTIR_WIKIDATA = "http://www.wikidata.org/entity/Q2047336"


def build_query_store(path: Path) -> Path:
    """Load the fixture articles and the demo corpus through the CLI, then the award graph."""
    result = CliRunner().invoke(
        main, ["--store", str(path), "ingest", "articles", str(FIXTURES / "articles"), str(DEMO)],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    store = Store(path)
    try:
        store.replace_graph(AWARDS, award_triples(store))
    finally:
        store.close()
    return path


def award_triples(store: Store) -> list[tuple[object, object, object]]:
    """One award record behind Clearview AI's contract with HSI, and one Wikidata link.

    Shaped as the award-record loaders write it: the Contract with its keys and
    money, ``agency skg:awarded contract skg:awardedTo vendor``, and the contract
    engagement it supports, with the row as evidence.
    """
    rows = store.select(
        "PREFIX skg: <https://w3id.org/survkg/ontology#> SELECT ?e ?v ?a WHERE { "
        "?e skg:stage skg:ContractStage ; skg:vendor ?v ; skg:agency ?a }",
        {"v": t.node(CLEARVIEW), "a": t.node(HSI)})
    assert len(rows) == 1, rows
    engagement, src, award = rows[0]["e"], t.node(AWARDS), t.node(AWARD)
    evidence = t.node("https://w3id.org/survkg/id/evidence/fixture-0001")
    return [
        (src, t.TYPE, t.skg("Record")), (src, t.TITLE, t.text("Fixture award records")),
        (src, t.skg("loader"), t.text("fixture")), (src, t.skg("file"), t.text("awards.csv")),
        (src, t.skg("mentions"), t.node(CLEARVIEW)), (src, t.skg("mentions"), t.node(HSI)),
        (award, t.TYPE, t.skg("Contract")), (award, t.skg("awardId"), t.text(AWARD_KEY)),
        (award, t.skg("piid"), t.text("FIXTURE0001")),
        (award, t.skg("obligated"), t.decimal("224000.00")),
        (award, t.skg("firstActionDate"), date_literal("2020-08-12")),
        (t.node(HSI), t.skg("awarded"), award), (award, t.skg("awardedTo"), t.node(CLEARVIEW)),
        (engagement, t.TYPE, t.skg("Engagement")),
        (engagement, t.skg("stage"), t.skg("ContractStage")),
        (engagement, t.skg("vendor"), t.node(CLEARVIEW)),
        (engagement, t.skg("agency"), t.node(HSI)),
        (engagement, t.skg("supportedBy"), award), (engagement, t.DERIVED_FROM, src),
        (evidence, t.TYPE, t.skg("Evidence")), (evidence, t.skg("supports"), engagement),
        (evidence, t.QUOTE, t.text("line 2: HSI, Clearview AI, 224000.00, 2020-08-12")),
        (evidence, t.QUOTED_FROM, src), (evidence, t.skg("rule"), t.text("fixture:award")),
        (t.node(PALANTIR), t.skg("wikidata"), t.node(PALANTIR_WIKIDATA)),
    ]


@pytest.fixture(scope="module")
def qstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(build_query_store(tmp_path_factory.mktemp("queries") / "store"))
    yield store
    store.close()


def run(store: Store, query: str, /, **params: str) -> list[dict[str, str | None]]:
    """Run docs/queries/NAME.rq as ``kg query sparql`` does, params bound as --param NAME=VALUE."""
    bindings = dict(parse_param(f"{key}={value}") for key, value in params.items())
    result = sparql(store, read_query(str(QUERIES / f"{query}.rq")), bindings)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def pairs(rows: list[dict[str, str | None]], *columns: str) -> set[tuple[str | None, ...]]:
    return {tuple(row[c] for c in columns) for row in rows}


# ------------------------------------------------------------ the library itself
def test_library_has_fifteen_documented_queries_and_each_is_tested() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert len(files) >= 15
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, f"{path.name}: no purpose line"
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert {p.stem for p in files} <= tested, "every .rq file needs a test of the same name"


def test_every_query_declares_its_prefixes_so_any_sparql_client_can_run_it() -> None:
    for path in QUERIES.glob("*.rq"):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines()
                         if not line.startswith(("#", "PREFIX")))
        used = {p for p in ("skg", "skos", "dct", "prov", "rdfs") if f"{p}:" in body}
        declared = {line.split()[1].rstrip(":") for line in text.splitlines()
                    if line.startswith("PREFIX")}
        assert used <= declared, f"{path.name} uses {used - declared} without PREFIX"


# ------------------------------------------------------------------ each query
def test_pitched_to(qstore: Store) -> None:
    rows = run(qstore, "pitched_to", acronym="ICE")
    assert {r["acronym"] for r in rows} == {"ICE"}
    brightline = next(r for r in rows if r["vendor"] == "Brightline Analytics")
    assert brightline["title"] == "County buys plate readers"
    assert "pitched the software" in str(brightline["quote"])


def test_vendors_by_category(qstore: Store) -> None:
    rows = {r["category"]: r for r in run(qstore, "vendors_by_category")}
    assert set(str(rows["Data Broker"]["names"]).split(" | ")) >= {"Venntel", "Thomson Reuters"}
    assert "Clearview AI" in str(rows["Face Recognition"]["names"])
    assert rows["Gunshot Detection"]["names"] == "SoundThinking"
    one = run(qstore, "vendors_by_category", category="Location Data")
    assert [(r["category"], r["vendors"], r["names"]) for r in one] == [
        ("Location Data", "1", "Venntel")]


def test_money_by_agency_year(qstore: Store) -> None:
    rows = pairs(run(qstore, "money_by_agency_year"), "agency", "year", "recorded", "statedOnly")
    # the award record carries HSI's money; the article's $224,000 is not counted twice
    assert ("Homeland Security Investigations", "2020", "224000", "0") in rows
    assert ("Dover County Sheriff's Office", "2021", "0", "350000") in rows
    assert ("U.S. Customs and Border Protection", "2019", "0", "1000000") in rows
    ice = run(qstore, "money_by_agency_year", agency="U.S. Immigration and Customs Enforcement")
    assert {r["agency"] for r in ice} == {"U.S. Immigration and Customs Enforcement"}
    assert ("2019", "49900000") in pairs(ice, "year", "statedOnly")


def test_engagements_without_award(qstore: Store) -> None:
    rows = pairs(run(qstore, "engagements_without_award"), "vendor", "agency")
    assert ("Brightline Analytics", "Dover County Sheriff's Office") in rows
    assert ("Venntel", "U.S. Customs and Border Protection") in rows
    assert ("Clearview AI", "Homeland Security Investigations") not in rows  # the record backs it
    venntel = run(qstore, "engagements_without_award", vendor="Venntel")
    assert venntel and {r["vendor"] for r in venntel} == {"Venntel"}


def test_single_source_claims(qstore: Store) -> None:
    rows = run(qstore, "single_source_claims")
    claims = {r["claim"] for r in rows}
    assert ("Engagement (contract)", "Brightline Analytics", "Dover County Sheriff's Office",
            "County buys plate readers") in pairs(rows, "kind", "from", "to", "title")
    # stated by the article and by the award record: two sources
    assert not any(r["from"] == "Clearview AI" and r["to"] == "Homeland Security Investigations"
                   for r in rows)
    # three articles say Amazon Web Services makes Rekognition
    assert not any(r["from"] == "Amazon Web Services" and r["kind"] == "Making" for r in rows)
    assert len(claims) == len(rows)


def test_edge_provenance(qstore: Store) -> None:
    rows = run(qstore, "edge_provenance", **{"from": "Clearview AI",
                                             "to": "Homeland Security Investigations"})
    assert {r["type"] for r in rows} == {"SELLS_TO"}
    assert pairs(rows, "sourceKind", "title") == {
        ("Article", "ICE investigators buy Clearview AI licenses for $224,000"),
        ("Record", "Fixture award records")}
    record = next(r for r in rows if r["sourceKind"] == "Record")
    assert record["rule"] == "fixture:award" and record["source"] == AWARDS
    article = next(r for r in rows if r["sourceKind"] == "Article")
    assert "$224,000 deal" in str(article["quote"]) and str(article["url"]).startswith("https://")
    # a pilot projects from the agency to the product, as the ontology declares
    pilots = run(qstore, "edge_provenance", to="Amazon Rekognition")
    assert ("Harbor City Police Department", "PILOTS") in pairs(pilots, "from", "type")


def test_parent_buys_same_product(qstore: Store) -> None:
    rows = pairs(run(qstore, "parent_buys_same_product"), "agency", "parent", "product")
    assert ("Homeland Security Investigations", "U.S. Immigration and Customs Enforcement",
            "Investigative Case Management") in rows
    assert ("Chicago Police Department", "City of Chicago", "ShotSpotter") in rows


def test_wikidata_links(qstore: Store) -> None:
    assert run(qstore, "wikidata_links") == [{
        "name": "Palantir Technologies", "kind": "Vendor", "wikidata": PALANTIR_WIKIDATA,
        "entity": PALANTIR}]


def test_ended_deals(qstore: Store) -> None:
    rows = run(qstore, "ended_deals")
    assert ("City of Chicago", "SoundThinking", "contract") in pairs(
        rows, "agency", "vendor", "stage")
    harbor = [r for r in rows if r["agency"] == "Harbor City Police Department"]
    assert harbor and {r["product"] for r in harbor} == {"Amazon Rekognition"}
    assert any("ended the pilot" in str(r["quote"]) for r in harbor)


def test_vendors_of_agency(qstore: Store) -> None:
    rows = run(qstore, "vendors_of_agency", acronym="DHS")
    found = pairs(rows, "agency", "vendor")
    # sub-agencies count: HSI is part of ICE, which is part of DHS
    assert ("Homeland Security Investigations", "Clearview AI") in found
    assert ("U.S. Customs and Border Protection", "Venntel") in found
    assert {r["acronym"] for r in rows} == {"DHS"}
    assert not any(r["vendor"] == "SoundThinking" for r in rows)


def test_vendor_timeline(qstore: Store) -> None:
    rows = run(qstore, "vendor_timeline", vendor="Palantir Technologies")
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated) and dated[:2] == ["2014-09", "2019-08"]
    icm = next(r for r in rows if r["product"] == "Investigative Case Management")
    assert icm["amount"] == "49900000"
    assert icm["agency"] == "U.S. Immigration and Customs Enforcement"


def test_parent_company_rollup(qstore: Store) -> None:
    rows = pairs(run(qstore, "parent_company_rollup"), "parent", "subsidiary", "agency")
    ice = "U.S. Immigration and Customs Enforcement"
    assert ("Thomson Reuters", "West Publishing", ice) in rows
    assert ("Gravy Analytics", "Venntel", "U.S. Customs and Border Protection") in rows


def test_unresolved_entities(qstore: Store) -> None:
    rows = run(qstore, "unresolved_entities")
    brightline = next(r for r in rows if r["name"] == "Brightline Analytics")
    assert brightline["kind"] == "Vendor" and brightline["title"] == "County buys plate readers"
    assert "PlateWatch" in str(brightline["sentence"])
    assert not any(r["name"] == "Palantir Technologies" for r in rows)  # in the registry


def test_criticism(qstore: Store) -> None:
    rows = run(qstore, "criticism")
    assert ("Mijente", "Palantir Technologies") in pairs(rows, "critic", "target")
    eff = next(r for r in rows if r["target"] == "Brightline Analytics")
    assert eff["critic"] == "Electronic Frontier Foundation"
    assert eff["title"] == "County buys plate readers"


def test_agencies_by_category(qstore: Store) -> None:
    rows = run(qstore, "agencies_by_category", category="Automated License Plate Readers")
    ice = next(r for r in rows if r["agency"] == "U.S. Immigration and Customs Enforcement")
    assert "Vigilant Solutions" in str(ice["suppliers"]) and ice["stages"] == "deployment"
    face = run(qstore, "agencies_by_category", category="Face Recognition")
    assert "Harbor City Police Department" in {r["agency"] for r in face}
    # a pitch is not a purchase
    assert not any(r["agency"] == "U.S. Immigration and Customs Enforcement" and
                   r["suppliers"] == "Amazon" for r in face)


def test_source_inventory(qstore: Store) -> None:
    rows = {r["source"]: r for r in run(qstore, "source_inventory")}
    assert len([r for r in rows.values() if r["kind"] == "Article"]) == 11
    award = rows[AWARDS]
    assert (award["kind"], award["title"], award["loader"], award["triples"]) == (
        "Record", "Fixture award records", "fixture", str(len(award_triples_count(qstore))))
    assert int(str(rows["https://w3id.org/survkg/id/source/registry"]["triples"])) > 1000


def award_triples_count(store: Store) -> list[object]:
    return list(store.graph_quads(AWARDS))


def test_claims_per_rule(qstore: Store) -> None:
    rows = {r["rule"]: r for r in run(qstore, "claims_per_rule")}
    assert rows["fixture:award"]["claims"] == "1" and rows["fixture:award"]["sources"] == "1"
    assert int(str(rows["criticizes:criticized"]["claims"])) >= 3
    counts = [int(str(r["claims"])) for r in rows.values()]
    assert counts == sorted(counts, reverse=True)


def test_award_records(qstore: Store) -> None:
    assert run(qstore, "award_records") == [{
        "vendor": "Clearview AI", "agency": "Homeland Security Investigations",
        "piid": "FIXTURE0001", "obligated": "224000", "firstAction": "2020-08-12",
        "statedAmount": "224000", "stateSource": "ICE investigators buy Clearview AI licenses "
        "for $224,000", "record": "Fixture award records", "award": AWARD}]


def test_mentions_of_entity(qstore: Store) -> None:
    rows = run(qstore, "mentions_of_entity", name="Palantir Technologies")
    titles = [r["title"] for r in rows]
    assert "ICE keeps Palantir's case management system for three more years" in titles
    assert "Agency denies deal" in titles  # mentioned, even though no relation was stated
    published = [r["published"] for r in rows if r["published"]]
    assert published == sorted(published, reverse=True)


def test_vendor_graph(qstore: Store) -> None:
    result = sparql(qstore, read_query(str(QUERIES / "vendor_graph.rq")),
                    dict([parse_param("vendor=Venntel")]))
    graph = rdflib.Graph().parse(data=str(result.graph), format="turtle")
    skg = rdflib.Namespace("https://w3id.org/survkg/ontology#")
    vendors = set(graph.objects(None, skg.vendor))
    assert vendors == {rdflib.URIRef("https://w3id.org/survkg/id/vendor/venntel")}
    agencies = {str(graph.value(a, rdflib.SKOS.prefLabel))
                for a in graph.objects(None, skg.agency)}
    assert "U.S. Customs and Border Protection" in agencies
