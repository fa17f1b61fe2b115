"""USAspending records: layouts, strict reading, roll-ups, sources, and the real files."""

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg.errors import InputError
from kg.ingest import ingest_records, record_identity
from kg.projection import PropertyGraph, project
from kg.store import LOADING_PREFIX, Store
from kg.validate import validate
from loaders.detect import detect_format
from loaders.usaspending_input import sniff
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

HERE = FIXTURES / "usaspending"
PRIME = HERE / "Contracts_PrimeAwardSummaries_2020-01-01_H00M00S00_1.csv"
NEWER = HERE / "newer" / "Contracts_PrimeAwardSummaries_2021-07-01_H00M00S00_1.csv"
LPR_KEY = "CONT_AWD_70CMSD19P00000101_7012_-NONE-_-NONE-"
ICE = "https://w3id.org/survkg/id/agency/ice"
MN = ("usaspending_ice_mn__alyssc", "data", "mn_all",
      "Contracts_PrimeAwardSummaries_2025-03-21_H19M57S23_1.csv")



def contracts(graph: PropertyGraph) -> dict[str, dict[str, Any]]:
    return {a["award_id"]: a for _, a in graph.nodes(data=True) if a["label"] == "Contract"}


def edges(graph: PropertyGraph, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [(graph.nodes[u]["name"], graph.nodes[v]["name"], d)
            for u, v, d in graph.edges(data=True) if d["type"] == kind]


def ancestors(graph: PropertyGraph, name: str) -> set[str]:
    start = next(n for n, a in graph.nodes(data=True) if a["name"] == name)
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for _, parent, d in graph.out_edges(node, data=True):
            if d["type"] == "SUBSIDIARY_OF" and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return {graph.nodes[n]["name"] for n in seen}


# --------------------------------------------------------------- detection
@pytest.mark.parametrize(("name", "layout"), [
    (PRIME.name, "prime-awards"), ("us-local-gov-sample-279.csv", "prime-awards"),
    ("fy17_with_header.csv", "transactions"), ("fy17_no_header.csv", "transactions"),
    ("Contracts_Subawards_2025-01-01_H00M00S00_1.csv", "subawards"),
    ("spending_by_award.json", "api-awards"), ("spending_by_transaction.json", "api-transactions"),
    ("api_transactions_saved.csv", "api-transactions"),
])
def test_each_layout_is_recognised(name: str, layout: str) -> None:
    found = sniff(HERE / name)
    assert found is not None and found.name == layout
    assert detect_format(HERE / name) == "usaspending"


def test_detect_format_names_articles_and_refuses_the_unknown(tmp_path: Path) -> None:
    assert detect_format(FIXTURES / "articles" / "alpha_sale.txt") == "articles"
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"odd\.csv: format not recognised"):
        detect_format(odd)


def test_a_missing_required_column_stops_the_file_before_anything_is_stored(
        store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    with PRIME.open(newline="") as source, broken.open("w", newline="") as out:
        rows = list(csv.reader(source))
        drop = rows[0].index("recipient_name")
        csv.writer(out).writerows([r[:drop] + r[drop + 1:] for r in rows[:3]])
    before = store.count()
    summary = ingest_records(store, [broken], "usaspending")
    assert summary.skipped and "without column recipient (recipient_name)" in summary.skipped[0][1]
    assert store.count() == before


# ------------------------------------------------------------ prime awards
def test_prime_awards_quarantine_bad_rows_with_file_line_and_field(store: Store) -> None:
    result = load(store, PRIME).files[0]
    assert (result.read, result.loaded, result.quarantined) == (14, 9, 5)
    assert result.quarantine_file is not None
    with result.quarantine_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {(r["line"], r["field"]) for r in rows}
    assert found == {("11", "total_obligated_amount"), ("12", "award_base_action_date"),
                     ("13", "recipient_name"), ("14", "contract_award_unique_key"),
                     ("15", "(row)")}
    assert all(r["file"].endswith(PRIME.name) for r in rows)
    assert result.reasons["total_obligated_amount: not a number"] == 1


def test_plate_reader_award_sells_to_ice_under_thomson_reuters(store: Store) -> None:
    load(store, PRIME)
    graph = project(store)
    award = contracts(graph)[LPR_KEY]
    assert award["amount_usd"] == 250000.0 and award["relevant"] is True
    assert award["category_id"].endswith("automated-license-plate-readers")
    assert award["first_action_date"] == "2019-01-15"  # m/d/yy read as such
    sells = [d for s, o, d in edges(graph, "SELLS_TO")
             if s == "West Publishing" and o == "U.S. Immigration and Customs Enforcement"]
    assert any(graph.nodes[c]["award_id"] == LPR_KEY for d in sells for c in d["contracts"])
    assert {"Thomson Reuters", "THOMSON REUTERS (MARKETS) LLC"} <= ancestors(graph,
                                                                            "West Publishing")
    assert "Safran" in ancestors(graph, "Identix")


def test_relevance_separates_guards_and_radios_from_spyware(store: Store) -> None:
    load(store, PRIME)
    awards = contracts(project(store))
    guards = awards["CONT_AWD_70CDCR19P00000201_7012_-NONE-_-NONE-"]
    assert guards["relevant"] is False and "S206" in guards["relevance_reason"]
    radios = awards["CONT_AWD_70CMSD19P00000401_7012_-NONE-_-NONE-"]
    assert radios["relevant"] is False
    spyware = awards["CONT_AWD_70CMSW19P00000301_7012_-NONE-_-NONE-"]
    assert spyware["relevant"] is True and "Graphite" in spyware["relevance_reason"]


def test_name_collisions_stay_apart_and_resellers_get_the_product(store: Store) -> None:
    load(store, PRIME)
    graph = project(store)
    sellers = {s for s, o, _ in edges(graph, "SELLS_TO")}
    assert {"Paragon Systems", "Paragon Solutions"} <= sellers
    assert "Securitas" in ancestors(graph, "Paragon Systems")
    products = {(s, o) for s, o, _ in edges(graph, "FOR_PRODUCT")}
    assert ("70CMSW19P00000302", "Cellebrite UFED") in products
    resale = [d for s, o, d in edges(graph, "SELLS_TO") if s.startswith("PANAMERICA")]
    assert [graph.nodes[d["product_id"]]["name"] for d in resale if d["product_id"]] == \
        ["Cellebrite UFED"]


def test_negative_obligations_and_government_recipients(store: Store) -> None:
    load(store, PRIME)
    graph = project(store)
    refund = contracts(graph)["CONT_AWD_70CMSW19P00000303_7012_-NONE-_-NONE-"]
    assert refund["amount_usd"] == -5000.0
    funds = edges(graph, "FUNDS")
    assert [(s, o) for s, o, _ in funds] == [
        ("U.S. Immigration and Customs Enforcement", "COUNTY OF EXAMPLE")]
    county = next(a for _, a in graph.nodes(data=True) if a["name"] == "COUNTY OF EXAMPLE")
    assert county["label"] == "Agency"


def test_awarding_offices_hang_under_their_agency(store: Store) -> None:
    load(store, PRIME)
    graph = project(store)
    part_of = {(s, o) for s, o, _ in edges(graph, "PART_OF")}
    assert ("INVESTIGATIONS AND OPERATIONS SUPPORT DALLAS",
            "U.S. Immigration and Customs Enforcement") in part_of
    awarded = {s for s, _, _ in edges(graph, "AWARDED")}
    assert "DETENTION COMPLIANCE AND REMOVALS" in awarded


def test_loaded_graphs_conform_to_the_shapes(store: Store) -> None:
    load(store, PRIME, HERE / "fy17_with_header.csv",
         HERE / "Contracts_Subawards_2025-01-01_H00M00S00_1.csv",
         HERE / "spending_by_award.json")
    report = validate(store)
    assert report.conforms, report.violations[:3]


# ------------------------------------------------------- sources, versions
def test_reloading_a_file_is_a_no_op(store: Store) -> None:
    load(store, PRIME)
    count = store.count()
    again = load(store, PRIME).files[0]
    assert again.status == "unchanged" and store.count() == count


def test_a_newer_download_replaces_the_older_one(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    old = shutil.copy(PRIME, folder)
    load(store, Path(old))
    new = shutil.copy(NEWER, folder)
    assert record_identity(Path(old))[0] == record_identity(Path(new))[0]
    load(store, Path(new))
    graph = project(store)
    award = contracts(graph)[LPR_KEY]
    assert award["amount_usd"] == 400000.0 and award["end_date"] == "2022-12-31"
    assert award["statements"] == 1  # the old version's statement is gone, not duplicated
    west = [d for s, o, d in edges(graph, "SELLS_TO") if s == "West Publishing"]
    assert [(d["amount_usd"], d["end_date"]) for d in west] == [(401200.5, "2022-12-31")]
    assert "CONT_AWD_70CDCR19P00000201_7012_-NONE-_-NONE-" not in contracts(graph)
    summary = ingest_records(store, [Path(old)])
    assert summary.files[0].status == "superseded"


def test_older_and_newer_in_one_run_load_only_the_newer(store: Store, tmp_path: Path) -> None:
    for path in (PRIME, NEWER):
        shutil.copy(path, tmp_path)
    summary = load(store, *sorted(tmp_path.glob("*.csv")))
    assert [r.status for r in summary.files] == ["superseded", "loaded"]


def test_the_same_award_from_a_prime_file_and_the_api_is_one_contract(store: Store) -> None:
    load(store, PRIME, HERE / "spending_by_award.json")
    graph = project(store)
    award = contracts(graph)[LPR_KEY]
    assert award["statements"] == 2 and award["amount_usd"] == 250000.0
    assert len(_graphs_stating(store, LPR_KEY)) == 2
    west = [d for s, o, d in edges(graph, "SELLS_TO") if s == "West Publishing"]
    assert len(west) == 1 and len(west[0]["sources"]) == 2
    assert west[0]["amount_usd"] == 251200.5  # two awards, each counted once


def _graphs_stating(store: Store, key: str) -> set[str]:
    rows = store.select("SELECT ?g ?k WHERE { GRAPH ?g { ?c "
                        "<https://w3id.org/survkg/ontology#awardId> ?k } }")
    return {r["g"].value for r in rows if r["k"].value == key}


def test_an_interrupted_bulk_load_is_dropped(store: Store) -> None:
    from pyoxigraph import Literal, NamedNode, Quad

    half = "https://w3id.org/survkg/id/source/half"
    store._db.add(Quad(NamedNode("urn:x"), NamedNode("urn:p"), Literal("1"), NamedNode(half)))
    marker = NamedNode(LOADING_PREFIX + half)
    store._db.add(Quad(marker, NamedNode("urn:p"), marker, marker))
    assert store.recover() == [half]
    assert not store.has_graph(half)


def test_the_bulk_path_writes_what_the_small_path_writes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    small, bulk = Store(tmp_path / "small"), Store(tmp_path / "bulk")
    load(small, PRIME)
    monkeypatch.setattr("loaders.usaspending.BULK_BYTES", 0)
    load(bulk, PRIME)
    assert small.count() == bulk.count()
    assert contracts(project(bulk))[LPR_KEY]["amount_usd"] == 250000.0


# ------------------------------------------------ transactions, subawards
@pytest.mark.parametrize("name", ["fy17_with_header.csv", "fy17_no_header.csv"])
def test_transactions_roll_up_into_awards(store: Store, name: str) -> None:
    result = load(store, HERE / name).files[0]
    assert (result.read, result.loaded, result.awards) == (4, 4, 2)
    award = contracts(project(store))["CONT_AWD_HSCETE17F00001_7012_GS35F0001X_4730"]
    assert award["amount_usd"] == 1300.0 and award["actions"] == 3
    assert (award["first_action_date"], award["last_action_date"]) == ("2016-10-25",
                                                                       "2017-09-20")
    assert award["end_date"] == "2017-12-31"  # d/m/y, as the file's own dates show


def test_transaction_files_of_two_years_add_up(store: Store, tmp_path: Path) -> None:
    rows = list(csv.reader((HERE / "fy17_no_header.csv").open(newline="")))
    first, second = tmp_path / "fy16.csv", tmp_path / "fy17.csv"
    csv.writer(first.open("w", newline="")).writerows(rows[:2])
    csv.writer(second.open("w", newline="")).writerows(rows[2:])
    load(store, first, second)
    award = contracts(project(store))["CONT_AWD_HSCETE17F00001_7012_GS35F0001X_4730"]
    assert award["amount_usd"] == 1300.0 and award["statements"] == 2


def test_subawards_show_the_vendor_hidden_under_the_prime(store: Store) -> None:
    result = load(store, HERE / "Contracts_Subawards_2025-01-01_H00M00S00_1.csv").files[0]
    assert (result.read, result.awards) == (3, 2)
    graph = project(store)
    under = {(s, o) for s, o, _ in edges(graph, "SUBAWARD_OF")}
    assert len(under) == 2
    babel = [d for s, o, d in edges(graph, "SELLS_TO") if s == "Babel Street"]
    assert babel and babel[0]["amount_usd"] == 3500.0 and babel[0]["relevant"]
    prime = contracts(graph)["CONT_AWD_70CDCR22FR0000048_7012_47QRAD20D1155_4732"]
    assert prime["amount_usd"] is None  # a subaward file does not state the prime's money


def test_api_results_load_from_json_and_display_name_csv(store: Store) -> None:
    summary = load(store, HERE / "spending_by_transaction.json",
                   HERE / "api_transactions_saved.csv")
    assert [(r.read, r.loaded, r.quarantined) for r in summary.files] == [(2, 2, 0), (3, 2, 1)]
    awards = contracts(project(store))
    leidos = awards["CONT_AWD_HSSCCG10J00265_7003_HSHQDC06D00026_7001"]
    assert leidos["amount_usd"] == pytest.approx(15639242.36 - 226100.09)
    monitoring = awards["CONT_AWD_70CMSW18C00000005_7012_-NONE-_-NONE-"]
    assert monitoring["amount_usd"] == 1250000.0 and monitoring["relevant"] is True


# ------------------------------------------------------------- real files
REAL_FILES = [
    MN,
    ("usaspending_ice_mn__alyssc", "data", "mn_all",
     "Contracts_Subawards_2025-03-21_H19M57S41_1.csv"),
    ("usaspending_ice_mn__alyssc", "data", "umn",
     "Contracts_PrimeAwardSummaries_2025-03-28_H02M59S08_1.csv"),
    ("usaspending_ice_mn__alyssc", "data", "all_after_2020",
     "Contracts_Subawards_2025-03-28_H03M23S17_1.csv"),
    ("usaspending_ice_to_local_state_gov__sierrawells", "input", "us-local-gov-ice-contracts.csv"),
    ("usaspending_ice_to_local_state_gov__sierrawells", "input",
     "us-reg-state-gov-ice-contracts.csv"),
    *(("usaspending_ice_fy13_fy18__torn_apart", "data", "districts", f"fy{y}.csv")
      for y in range(13, 19)),
]


def test_every_shared_procurement_file_loads_with_the_invariant(store: Store) -> None:
    paths = [shared_or_skip("data", *parts) for parts in REAL_FILES]
    summary = load(store, *paths)
    assert [r.status for r in summary.files] == ["loaded"] * len(paths)
    assert [r.read for r in summary.files] == [1369, 3, 5, 482, 720, 331, 157, 193, 444, 936,
                                               1739, 2203]
    assert summary.total("quarantined") == 0  # these published files are clean
    assert summary.total("awards") > 8000


def test_minnesota_file_meets_the_acceptance_facts(store: Store) -> None:
    load(store, shared_or_skip("data", *MN))
    graph = project(store)
    award = contracts(graph)["CONT_AWD_70CDCR18P00000017_7012_-NONE-_-NONE-"]
    assert award["amount_usd"] == 7391976.0
    assert "LICENSE PLATE READER" in award["description"] and award["relevant"]
    sells = [d for s, o, d in edges(graph, "SELLS_TO")
             if s == "West Publishing" and graph.nodes[ICE]["name"] == o]
    holding = [c for d in sells for c in d["contracts"]
               if graph.nodes[c]["award_id"] == award["award_id"]]
    assert holding, "the plate-reader award supports West Publishing SELLS_TO ICE"
    assert "Thomson Reuters" in ancestors(graph, "West Publishing")
    assert "Safran" in ancestors(graph, "Identix")


# ---------------------------------------------------- --contracts relevant
def _sells_to_amounts(graph: PropertyGraph) -> dict[tuple[str, str], float]:
    return {(s, o): d["amount_usd"] for s, o, d in edges(graph, "SELLS_TO")}


def test_folding_keeps_relevant_contracts_and_every_total(tmp_path: Path) -> None:
    full, folded = Store(tmp_path / "full"), Store(tmp_path / "folded")
    everything = load(full, PRIME).files[0]
    result = load(folded, PRIME, contracts="relevant").files[0]
    assert (result.read, result.loaded, result.awards) == \
        (everything.read, everything.loaded, everything.awards)
    assert result.folded == result.awards - result.relevant > 0
    assert everything.folded == 0
    all_graph, folded_graph = project(full), project(folded)
    kept = contracts(folded_graph)
    assert set(kept) == {k for k, a in contracts(all_graph).items() if a["relevant"]}
    assert LPR_KEY in kept
    assert _sells_to_amounts(folded_graph) == _sells_to_amounts(all_graph)
    assert result.triples < everything.triples
    assert validate(folded).conforms


def test_changing_the_contracts_setting_reloads_the_file(store: Store) -> None:
    load(store, PRIME, contracts="relevant")
    assert load(store, PRIME, contracts="relevant").files[0].status == "unchanged"
    again = load(store, PRIME).files[0]
    assert again.status == "loaded" and again.folded == 0
    assert "CONT_AWD_70CDCR19P00000201_7012_-NONE-_-NONE-" in contracts(project(store))
