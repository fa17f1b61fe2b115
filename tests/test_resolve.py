"""Vendor and agency resolution: rules, reasons, judgements, explanations, the gold table."""

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import ingest_records
from kg.judgements import read_judgements
from kg.registry import load_registry
from kg.resolution_eval import evaluate_parents, same_company
from kg.resolution_store import seed_resolver
from kg.resolve import Resolver, explain
from kg.store import Store
from tests.conftest import FIXTURES, shared_or_skip

PRIME = FIXTURES / "usaspending" / "Contracts_PrimeAwardSummaries_2020-01-01_H00M00S00_1.csv"
V = "https://w3id.org/survkg/id/vendor/"


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(load_registry())


def test_keys_come_before_names(resolver: Resolver) -> None:
    first = resolver.vendor("ACME SURVEILLANCE LLC", uei="ACMESURV0001", duns="012345678")
    assert (first.rule, first.iri) == ("new", V + "uei-acmesurv0001")
    renamed = resolver.vendor("ACME VISION INC", uei="ACMESURV0001")
    assert (renamed.rule, renamed.iri) == ("uei", first.iri)
    old = resolver.vendor("ACME SURV CO", duns="12345678")  # a spreadsheet ate the zero
    assert (old.rule, old.iri) == ("duns", first.iri)
    spelled = resolver.vendor("The Acme Surveillance, L.L.C.")
    assert (spelled.rule, spelled.iri) == ("name", first.iri)


@pytest.mark.parametrize("written", ["PEN-LINK, LTD.", "PEN-LINK, LIMITED", "Pen-Link Ltd",
                                     "PENLINK"])
def test_spelling_variants_and_legal_suffixes_resolve_to_the_registry(
        resolver: Resolver, written: str) -> None:
    decision = resolver.vendor(written)
    assert (decision.iri, decision.rule, decision.registry) == (V + "pen-link",
                                                                "registry-alias", True)


def test_paragon_the_guard_firm_is_not_paragon_the_spyware_maker(resolver: Resolver) -> None:
    assert resolver.vendor("PARAGON SYSTEMS, INC.").iri == V + "paragon-systems"
    assert resolver.vendor("Paragon Solutions Ltd.").iri == V + "paragon-solutions"
    bare = resolver.vendor("PARAGON INC", uei="PARAGONINC01")
    assert bare.iri not in (V + "paragon-systems", V + "paragon-solutions")


def test_parents_become_links_never_merges(resolver: Resolver) -> None:
    child = resolver.vendor("IDENTIX INCORPORATED", uei="IDENTIX00001")
    parent = resolver.parent(child, "SAFRAN POWER USA LLC", "SAFRANPWR001", "",
                             child_uei="IDENTIX00001")
    assert parent is not None and parent.iri != child.iri and not parent.registry
    group = resolver.group(parent)
    assert group is not None and (group.iri, group.rule) == (V + "safran", "registry-group")
    assert V + "safran" in resolver.family(child.iri)


def test_a_parent_with_the_recipients_own_key_or_name_is_no_parent(resolver: Resolver) -> None:
    child = resolver.vendor("TECOLOTE RESEARCH, INC.", duns="074108176")
    assert resolver.parent(child, "TECOLOTE RESEARCH  INC.", "", "74108176",
                           child_duns="074108176") is None
    assert resolver.parent(child, "TECOLOTE RESEARCH INC", "OTHERUEI0001", "") is None


def test_registry_group_refuses_generic_first_words(resolver: Resolver) -> None:
    company = resolver.vendor("SECURITY SYSTEMS OF AMERICA LLC", uei="SECSYSAMER01")
    assert resolver.group(company) is None


def test_agencies_resolve_by_registry_name_then_code(resolver: Resolver) -> None:
    dhs = resolver.agency("DEPARTMENT OF HOMELAND SECURITY (DHS)", "70", tier="toptier")
    ice = resolver.agency("U.S. IMMIGRATION AND CUSTOMS ENFORCEMENT", "7012", tier="subtier",
                          parent=dhs.iri)
    assert (dhs.iri.rsplit("/", 1)[-1], ice.iri.rsplit("/", 1)[-1]) == ("dhs", "ice")
    office = resolver.agency("MISSION SUPPORT DALLAS", "70CMSD", tier="office", parent=ice.iri)
    assert office.iri.endswith("/ice-office-mission-support-dallas") and office.rule == "new"
    unknown = resolver.agency("OFFICE OF SOMETHING", "9999", tier="subtier")
    assert unknown.rule == "agency-code" and unknown.iri.endswith("/subtier-9999")


def test_judgements_override_every_rule(tmp_path: Path) -> None:
    path = tmp_path / "resolution.judgements.csv"
    path.write_text("name_a,name_b,verdict,note\n"
                    "WEST PUB CO,West Publishing,same,the 2004 spelling\n"
                    "PENLINK,Pen-Link,not-same,test\n")
    resolver = Resolver(load_registry(), read_judgements(path))
    west = resolver.vendor("WEST PUB CO", uei="WESTPUB00009")
    assert (west.iri, west.rule) == (V + "west-publishing", "judgement")
    assert "resolution.judgements.csv:2" in west.reason
    apart = resolver.vendor("PENLINK")
    assert apart.rule == "judgement" and apart.iri != V + "pen-link"
    assert resolver.vendor("PEN-LINK, LTD.").iri == V + "pen-link"


@pytest.mark.parametrize(("text", "message"), [
    ("name_a,name_b\nA,B\n", "line 1: missing column verdict"),
    ("name_a,name_b,verdict,note\nA,B,maybe,\n", "line 2: field verdict"),
    ("name_a,name_b,verdict,note\n,B,same,\n", "line 2: field name_a: empty name"),
    ("name_a,name_b,verdict,note\nPEN-LINK LTD,Pen-Link,same,\n", "spelled differently"),
])
def test_a_broken_judgement_file_names_file_line_and_field(tmp_path: Path, text: str,
                                                          message: str) -> None:
    path = tmp_path / "j.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_judgements(path)


def test_a_judgement_in_the_store_folder_reloads_and_reverses_a_merge(tmp_path: Path) -> None:
    store = Store(tmp_path / "kg")
    ingest_records(store, [PRIME])
    before = explain(store, "PARAGON SOLUTIONS LTD.")
    assert [e.iri for e in before.entities] == [V + "paragon-solutions"]
    (tmp_path / "kg" / "resolution.judgements.csv").write_text(
        (FIXTURES / "usaspending" / "judgements_not_same.csv").read_text())
    summary = ingest_records(store, [PRIME])
    assert summary.files[0].status == "loaded"  # the judgements changed: loaded again
    after = explain(store, "PARAGON SOLUTIONS LTD.")
    assert V + "paragon-solutions" not in [e.iri for e in after.entities]
    assert after.judgements and "not the same as" in "\n".join(after.lines())


def test_explain_shows_rules_reasons_and_sources(tmp_path: Path) -> None:
    store = Store(tmp_path / "kg")
    ingest_records(store, [PRIME])
    text = "\n".join(explain(store, "IDENTIX INCORPORATED").lines())
    assert "[registry-alias] 'identix' is a registry name of Identix" in text
    assert "subsidiary of SAFRAN POWER USA LLC" in text and "[parent-field]" in text
    assert PRIME.name in text
    group = "\n".join(explain(store, "SAFRAN POWER USA LLC").lines())
    assert "[registry-group]" in group and "subsidiary of Safran" in group
    assert explain(store, "No Such Company").lines()[0].startswith("no entity")


def test_a_second_run_mints_the_same_iris(tmp_path: Path) -> None:
    store = Store(tmp_path / "kg")
    ingest_records(store, [PRIME])
    fresh = Resolver(load_registry())
    assert seed_resolver(fresh, store, exclude=set()) > 0
    again = fresh.vendor("PANAMERICA COMPUTERS", duns="166669742")
    assert (again.rule, again.iri) == ("duns", V + "uei-panamerica01")


def test_same_company_is_loose_but_not_careless() -> None:
    assert same_company("Afognak Native", "AFOGNAK NATIVE CORPORATION")
    assert not same_company("Ahtna", "Alutiiq")


def test_parent_assignment_against_the_hand_curated_table(tmp_path: Path) -> None:
    fy18 = shared_or_skip("data", "usaspending_ice_fy13_fy18__torn_apart", "data", "districts",
                          "fy18.csv")
    gold = shared_or_skip("data", "usaspending_ice_fy13_fy18__torn_apart", "data", "freezer",
                          "freezer.csv")
    store = Store(tmp_path / "kg")
    ingest_records(store, [fy18])
    scores = evaluate_parents(store, gold)
    assert scores.matched_awards == scores.gold_awards == 2203
    assert scores.precision >= 0.84 and scores.recall >= 0.84, (scores.precision, scores.recall)
