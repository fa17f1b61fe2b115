"""USAspending API results as journalists save them: every award type group, pages joined
in every way, spreadsheet-mangled CSVs, and files far bigger than one page.

Fixtures in ``tests/fixtures/usaspending/api`` are invented rows in the shapes the API
contracts give (``spending_by_award``, ``spending_by_transaction``); the large files are
generated here. Each test checks ``read = loaded + quarantined`` (``load_records``) and
the facts that land: vendor, agency, money, dates, description, codes.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kg.projection import project
from kg.store import Store
from loaders import usaspending_input
from loaders.usaspending_input import open_rows, sniff
from tests.conftest import FIXTURES
from tests.conftest import load_records as load

API = FIXTURES / "usaspending" / "api"
LPR = "CONT_AWD_70CMSD21C00000042_7012_-NONE-_-NONE-"
CAMERAS = "CONT_AWD_70B04C22F00000777_7014_47QTCA19D00AA_4732"
JANITORS = "CONT_AWD_15F06720P0001234_1549_-NONE-_-NONE-"
FORENSICS = "CONT_AWD_70CMSW22F00000101_7012_GS35F0119Y_4730"
MONITORING = "CONT_AWD_15JPSS23P00000055_1549_-NONE-_-NONE-"
ASSISTANCE = "financial assistance"

FACTS = """
PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?key ?piid ?amount ?first ?last ?end ?description ?psc ?naics ?actions ?relevant
       ?category ?vendor ?agency
WHERE {
  GRAPH ?g { ?c skg:awardId ?key .
    OPTIONAL { ?c skg:piid ?piid } OPTIONAL { ?c skg:obligated ?amount }
    OPTIONAL { ?c skg:firstActionDate ?first } OPTIONAL { ?c skg:lastActionDate ?last }
    OPTIONAL { ?c skg:endDate ?end } OPTIONAL { ?c skg:description ?description }
    OPTIONAL { ?c skg:psc ?psc } OPTIONAL { ?c skg:naics ?naics }
    OPTIONAL { ?c skg:actions ?actions } OPTIONAL { ?c skg:relevant ?relevant }
    OPTIONAL { ?c skg:category ?category }
    OPTIONAL { ?c skg:awardedTo ?r } OPTIONAL { ?a skg:awarded ?c } }
  OPTIONAL { ?r skos:prefLabel ?vendor } OPTIONAL { ?a skos:prefLabel ?agency }
}"""


def facts(store: Store) -> dict[str, dict[str, str]]:
    """Every Contract's stated facts by award key (values as text; one source per test)."""
    out: dict[str, dict[str, str]] = {}
    for row in store.select(FACTS):
        out[row["key"].value] = {name: term.value for name, term in row.items()
                                 if term is not None and name != "key"}
    return out


def reasons(result: Any) -> list[str]:
    return sorted(result.reasons.elements())


# ------------------------------------------------------------- detection
@pytest.mark.parametrize(("name", "layout"), [
    ("spending_by_award_all_groups.json", "api-awards"),
    ("spending_by_award_spreadsheet.csv", "api-awards"),
    ("spending_by_award_subawards.json", "api-subawards"),
    ("spending_by_transaction_appended.json", "api-transactions"),
    ("spending_by_transaction_pages.jsonl", "api-transactions"),
    ("transaction_results_one_per_line.jsonl", "api-transactions"),
])
def test_every_saved_shape_is_recognised(name: str, layout: str) -> None:
    found = sniff(API / name)
    assert found is not None and found.name == layout


# ------------------------------------------------- spending_by_award JSON
def test_award_pages_of_every_type_group_load_contracts_and_quarantine_assistance(
        store: Store) -> None:
    result = load(store, API / "spending_by_award_all_groups.json").files[0]
    assert (result.read, result.loaded, result.quarantined, result.awards) == (8, 4, 4, 4)
    why = reasons(result)
    assert sum(ASSISTANCE in r for r in why) == 4  # grant, loan, direct payment, other
    assert any("PROJECT GRANT (B)" in r for r in why) and any("DIRECT LOAN" in r for r in why)
    stated = facts(store)
    lpr = stated[LPR]
    assert lpr["vendor"] == "Harbor Signal Analytics" or "HARBOR" in lpr["vendor"].upper()
    assert lpr["agency"] == "U.S. Immigration and Customs Enforcement"
    assert Decimal(lpr["amount"]) == Decimal("1500000.25")
    assert (lpr["first"], lpr["end"]) == ("2021-03-01", "2024-02-29")
    assert (lpr["psc"], lpr["naics"]) == ("7A21", "519190")  # from {"code", "description"}
    assert lpr["description"] == "LICENSE PLATE READER DATA SUBSCRIPTION"
    assert lpr["piid"] == "70CMSD21C00000042"
    assert lpr["relevant"] == "true"
    assert lpr["category"].endswith("/automated-license-plate-readers")
    cameras = stated[CAMERAS]
    assert "ÖRESUND" in cameras["vendor"].upper()  # non-ASCII name kept
    assert cameras["agency"] == "U.S. Customs and Border Protection"
    assert Decimal(cameras["amount"]) == Decimal("98765.4")
    assert Decimal(stated[JANITORS]["amount"]) == Decimal("-1200.0")  # de-obligation kept
    assert stated[JANITORS]["relevant"] == "false"
    idv = stated["CONT_IDV_70CMSD20D00000009_7012"]
    assert (idv["first"], idv["end"]) == ("2020-09-30", "2025-09-29")  # Last Date to Order
    assert not any(key.startswith("ASST_") for key in stated)


def test_award_facts_reach_the_journalist_graph(store: Store) -> None:
    load(store, API / "spending_by_award_all_groups.json")
    graph = project(store)
    sells = {(graph.nodes[u]["name"], graph.nodes[v]["name"]): d
             for u, v, d in graph.edges(data=True) if d["type"] == "SELLS_TO"}
    cameras = next(d for (vendor, agency), d in sells.items()
                   if "BIOMETRI" in vendor.upper()
                   and agency == "U.S. Customs and Border Protection")
    assert cameras["amount_usd"] == pytest.approx(98765.4) and cameras["relevant"]
    assert not any("LAKEVIEW" in vendor.upper() for vendor, _ in sells)  # the grant


def test_subaward_results_hang_under_their_prime_and_sub_grants_are_refused(
        store: Store) -> None:
    result = load(store, API / "spending_by_award_subawards.json").files[0]
    assert (result.read, result.loaded, result.quarantined) == (3, 1, 2)
    assert any("sub-grant" in r for r in reasons(result))
    assert any("no prime award key" in r for r in reasons(result))
    graph = project(store)
    under = [(graph.nodes[u]["name"], d) for u, v, d in graph.edges(data=True)
             if d["type"] == "SUBAWARD_OF"]
    assert len(under) == 1
    sub = facts(store)[f"SUB_{LPR}_SUB-0001"]
    assert Decimal(sub["amount"]) == 45000 and sub["first"] == "2022-02-02"
    assert "TIDEPOOL" in sub["vendor"].upper()


# ------------------------------------------- spending_by_transaction pages
def test_pages_saved_as_json_lines_count_each_transaction_once(store: Store) -> None:
    result = load(store, API / "spending_by_transaction_pages.jsonl",
                  fmt="usaspending").files[0]
    assert (result.read, result.loaded, result.quarantined, result.awards) == (8, 4, 4, 2)
    why = reasons(result)
    assert any("the same transaction as an earlier row" in r for r in why)  # saved twice
    assert result.quarantine_file is not None
    quarantined = result.quarantine_file.read_text(encoding="utf-8")
    assert "P00001 (first on line 2)" in quarantined
    assert "Action Date: empty date" in why and "Transaction Amount: empty amount" in why
    assert any(ASSISTANCE in r for r in why)
    forensics = facts(store)[FORENSICS]
    assert Decimal(forensics["amount"]) == Decimal("240000.25")  # 200000 + 50000.5 - 10000.25
    assert (forensics["first"], forensics["last"], forensics["actions"]) == (
        "2022-01-20", "2023-01-05", "3")
    assert forensics["agency"] == "U.S. Immigration and Customs Enforcement"
    assert forensics["description"] == "MOBILE DEVICE FORENSIC EXTRACTION LICENSES"
    assert forensics["category"].endswith("/mobile-device-forensics")
    monitoring = facts(store)[MONITORING]
    assert "NÚÑEZ" in monitoring["vendor"].upper() or "NUNEZ" in monitoring["vendor"].upper()
    assert monitoring["agency"] == "Federal Bureau of Investigation"


@pytest.mark.parametrize("name", ["spending_by_transaction_appended.json",
                                  "transaction_results_one_per_line.jsonl"])
def test_appended_responses_and_one_result_per_line_read_as_one_response(
        store: Store, name: str) -> None:
    result = load(store, API / name, fmt="usaspending").files[0]
    assert (result.read, result.loaded, result.quarantined, result.awards) == (4, 4, 0, 2)
    stated = facts(store)
    assert Decimal(stated[FORENSICS]["amount"]) == Decimal("240000.25")
    assert Decimal(stated[MONITORING]["amount"]) == 75000


# ------------------------------------------------ CSV left by a spreadsheet
def test_spreadsheet_csv_with_bom_crlf_excel_dates_and_dollar_amounts(store: Store) -> None:
    result = load(store, API / "spending_by_award_spreadsheet.csv").files[0]
    assert (result.read, result.loaded, result.quarantined) == (5, 3, 2)
    assert "Award Amount: not a number" in reasons(result)
    assert any(ASSISTANCE in r for r in reasons(result))
    stated = facts(store)
    lpr = stated[LPR]
    assert Decimal(lpr["amount"]) == Decimal("1500000.25")  # "$1,500,000.25"
    assert (lpr["first"], lpr["end"]) == ("2021-03-01", "2024-02-29")  # 3/1/21, 2/29/24
    assert lpr["description"] == "LICENSE PLATE READER DATA\r\nSUBSCRIPTION (RENEWAL)"
    assert (lpr["naics"], lpr["psc"]) == ("519190", "7A21")  # pandas wrote the objects
    cameras = stated[CAMERAS]
    assert (cameras["first"], cameras["end"]) == ("2022-06-15", "2023-06-14")  # 15-Jun-22
    janitors = stated[JANITORS]
    assert Decimal(janitors["amount"]) == Decimal("-1200.00")  # "($1,200.00)"
    assert janitors["first"] == "2020-01-10"  # Excel's serial day 43840


# ------------------------------------------------------- big, generated files
VENDORS = [("HARBOR SIGNAL ANALYTICS, LLC", "HSA000000001"),
           ("ÖRESUND BIOMETRI AB", "ORB000000002"),
           ("NORDLICHT FORENSIK GMBH", "NFG000000001"),
           ("JOSÉ NÚÑEZ SEGURIDAD S.A.", "JNS000000002"),
           ("NORTHWIND JANITORIAL SERVICES INC", "")]
AGENCIES = [("Department of Homeland Security", "U.S. Immigration and Customs Enforcement",
             "7012"),
            ("Department of Homeland Security", "U.S. Customs and Border Protection", "7014"),
            ("Department of Justice", "Federal Bureau of Investigation", "1549")]
LOCATION = {"location_country_code": "USA", "state_code": "MN", "city_name": "SAINT PAUL",
            "zip5": "55101", "congressional_code": "04", "address_line1": None}


def generated_transactions(awards: int, mods: int) -> Iterator[dict[str, Any]]:
    """``awards * mods`` spending_by_transaction results with every field the contract
    lists; amounts alternate between JSON numbers and strings, every fifth award ends
    with a de-obligation."""
    for number in range(awards):
        name, uei = VENDORS[number % len(VENDORS)]
        agency, sub, code = AGENCIES[number % len(AGENCIES)]
        piid = f"70GEN{number:09d}"
        for mod in range(mods):
            amount = Decimal(1000 * (number % 97 + 1)) + Decimal(mod) / 4
            if mod == mods - 1 and number % 5 == 0:
                amount = -amount
            yield {
                "Action Date": f"20{18 + mod % 6}-{1 + number % 12:02d}-{1 + mod % 28:02d}",
                "Action Type": "C" if mod else None, "Assistance Listing": None,
                "Award ID": piid, "Award Type": "DELIVERY ORDER", "Awarding Agency": agency,
                "Awarding Sub Agency": sub, "awarding_agency_id": 562, "agency_slug": None,
                "Funding Agency": agency, "Funding Sub Agency": sub,
                "internal_id": 10_000_000 + number,
                "generated_internal_id": f"CONT_AWD_{piid}_{code}_-NONE-_-NONE-",
                "Issued Date": None, "Last Date to Order": None, "Loan Value": None,
                "Mod": "0" if mod == 0 else f"P{mod:05d}",
                "NAICS": {"code": "541511", "description": "CUSTOM COMPUTER PROGRAMMING"},
                "PSC": {"code": "D399", "description": "IT AND TELECOM - OTHER"},
                "Primary Place of Performance": LOCATION, "Recipient Location": LOCATION,
                "recipient_id": f"{number:08x}-0000-0000-0000-000000000000-C",
                "Recipient Name": name, "Recipient UEI": uei or None, "Subsidy Cost": None,
                "Transaction Amount": str(amount) if mod % 2 else float(amount),
                "Transaction Description": f"ANALYTICS SUBSCRIPTION ÉTAPE {mod}",
                "def_codes": ["Q"] if number % 3 else [],
            }


def write_pages(path: Path, results: Iterable[dict[str, Any]], per_page: int) -> Path:
    """Results as a JSON array of responses, the way a script saves every page it fetched."""
    rows = list(results)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    path.write_text(json.dumps([
        {"limit": per_page, "results": page, "messages": [],
         "page_metadata": {"page": n, "hasNext": n < len(pages), "hasPrevious": n > 1,
                           "next": n + 1 if n < len(pages) else None,
                           "previous": n - 1 if n > 1 else None}}
        for n, page in enumerate(pages, start=1)], ensure_ascii=False), encoding="utf-8")
    return path


def write_display_csv(path: Path, results: Iterable[dict[str, Any]]) -> Path:
    """The results as a spreadsheet saves them: BOM, CRLF, its own column order, $ amounts,
    m/d/yy dates, the {"code", "description"} objects as text."""
    columns = ["Recipient Name", "Transaction Amount", "Action Date", "Mod", "Award ID",
               "Awarding Sub Agency", "Awarding Agency", "generated_internal_id", "NAICS",
               "PSC", "Transaction Description", "Recipient UEI", "def_codes", "Award Type"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for result in results:
            year, month, day = result["Action Date"].split("-")
            amount = Decimal(str(result["Transaction Amount"]))
            cells = {**result, "Action Date": f"{int(month)}/{int(day)}/{year[2:]}",
                     "Transaction Amount": f"${amount:,.2f}" if amount >= 0
                     else f"(${-amount:,.2f})",
                     "NAICS": str(result["NAICS"]), "PSC": str(result["PSC"])}
            writer.writerow(["" if cells[c] is None else cells[c] for c in columns])
    return path


def expected_totals(results: Iterable[dict[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for result in results:
        key = result["generated_internal_id"]
        totals[key] = totals.get(key, Decimal(0)) + Decimal(str(result["Transaction Amount"]))
    return totals


def test_thousands_of_transactions_in_pages_land_with_their_sums(store: Store,
                                                                 tmp_path: Path) -> None:
    results = list(generated_transactions(600, 6))
    results[100]["Transaction Amount"] = None  # one empty amount
    again = Decimal(str(results[1999]["Transaction Amount"]))
    results.insert(2000, {**results[1999], "Transaction Amount": f"{again:.2f}"})  # saved twice
    path = write_pages(tmp_path / "spending_by_transaction_ice.json", results, 100)
    result = load(store, path).files[0]
    assert (result.read, result.loaded, result.quarantined) == (3601, 3599, 2)
    assert result.awards == 600
    expected = expected_totals(r for i, r in enumerate(results) if i not in (100, 2000))
    stated = facts(store)
    assert {k: Decimal(v["amount"]) for k, v in stated.items()} == expected
    first = stated["CONT_AWD_70GEN000000000_7012_-NONE-_-NONE-"]
    assert first["vendor"] and first["agency"] == "U.S. Immigration and Customs Enforcement"
    assert (first["first"], first["last"], first["actions"]) == ("2018-01-01", "2023-01-06",
                                                                 "6")
    assert (first["psc"], first["naics"]) == ("D399", "541511")


def test_the_same_results_saved_as_a_spreadsheet_give_the_same_money(store: Store,
                                                                     tmp_path: Path) -> None:
    results = list(generated_transactions(300, 5))
    path = write_display_csv(tmp_path / "spending_by_transaction_saved.csv", results)
    result = load(store, path).files[0]
    assert (result.read, result.loaded, result.quarantined) == (1500, 1500, 0)
    stated = facts(store)
    assert {k: Decimal(v["amount"]) for k, v in stated.items()} == expected_totals(results)
    assert stated["CONT_AWD_70GEN000000002_1549_-NONE-_-NONE-"]["first"] == "2018-03-01"
    assert {v["naics"] for v in stated.values()} == {"541511"}


def test_json_is_read_a_chunk_at_a_time_not_whole(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_pages(tmp_path / "big.json", generated_transactions(400, 10), 4000)
    assert path.stat().st_size > 4_000_000
    monkeypatch.setattr(usaspending_input, "JSON_CHUNK", 64 * 1024)
    held: list[int] = []
    more = usaspending_input._JsonStream._more

    def spy(self: Any) -> bool:
        held.append(len(self.text))
        return more(self)

    monkeypatch.setattr(usaspending_input._JsonStream, "_more", spy)
    rows = open_rows(path)
    assert sum(1 for _ in rows.rows) == 4000
    assert max(held) < 256 * 1024  # a chunk and one result, never the file


def test_cut_short_json_stores_nothing_and_says_where(store: Store, tmp_path: Path) -> None:
    whole = write_pages(tmp_path / "whole.json", generated_transactions(50, 4), 50)
    cut = tmp_path / "spending_by_transaction_cut.json"
    cut.write_bytes(whole.read_bytes()[:-5000])
    before = store.count()
    from kg.ingest import ingest_records

    summary = ingest_records(store, [cut])
    assert not summary.files and len(summary.skipped) == 1
    assert "broken JSON" in summary.skipped[0][1] and "cut short" in summary.skipped[0][1]
    assert store.count() == before


@pytest.mark.parametrize(("text", "says"), [
    ('{"limit": 10, "results": [], "page_metadata": {"page": 1, "hasNext": false}}',
     "not a USAspending"),
    ('{"detail": "Request was throttled."}', "not a USAspending"),
])
def test_responses_without_results_are_refused_with_one_line(tmp_path: Path, text: str,
                                                             says: str) -> None:
    path = tmp_path / "response.json"
    path.write_text(text)
    assert sniff(path) is None
    with pytest.raises(Exception, match=says):
        open_rows(path)


def test_detection_does_not_parse_a_big_json_file_that_is_no_api_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usaspending_input, "SNIFF_LIMIT", 1 << 20)
    package = tmp_path / "releases.json"
    package.write_text(json.dumps({"uri": "x", "releases": [{"ocid": str(i), "tag": ["award"]}
                                                            for i in range(200_000)]}))
    assert package.stat().st_size > 4 << 20
    assert sniff(package) is None


def test_results_that_are_not_objects_or_not_utf8_are_quarantined(store: Store,
                                                                  tmp_path: Path) -> None:
    good, bad = list(generated_transactions(2, 1))
    assert bad["Recipient Name"] == "ÖRESUND BIOMETRI AB"
    latin = json.dumps(bad, ensure_ascii=False).encode().replace("Ö".encode(), b"\xd6")
    path = tmp_path / "mixed.json"
    path.write_bytes(b"[null, " + json.dumps(good).encode() + b", 5, " + latin + b"]")
    result = load(store, path).files[0]
    assert (result.read, result.loaded, result.quarantined) == (4, 1, 3)
    assert result.reasons["(row): not a JSON object"] == 2
    assert result.reasons["(row): bytes that are not UTF-8 text; re-save the file as UTF-8"] == 1


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"results": [{"Award ID": "A", "Transaction Amount": 1' +
                                  "0" * 5000 + "}]}"])
def test_hostile_json_is_refused_in_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(Exception, match="broken JSON") as raised:
        sum(1 for _ in open_rows(path).rows)
    assert "\n" not in str(raised.value)


def test_a_subaward_row_without_its_prime_key_is_quarantined_not_a_crash(
        store: Store, tmp_path: Path) -> None:
    source = FIXTURES / "usaspending" / "Contracts_Subawards_2025-01-01_H00M00S00_1.csv"
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("prime_award_unique_key")] = ""
    path = tmp_path / "Contracts_Subawards_2025-02-01_H00M00S00_1.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = load(store, path).files[0]
    assert (result.read, result.quarantined) == (len(rows) - 1, 1)
    assert result.reasons == {"prime_award_unique_key: no prime award key: nothing to hang it "
                              "under": 1}
