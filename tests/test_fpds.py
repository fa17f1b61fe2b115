"""FPDS-NG ATOM feeds: safe XML, actions rolled up into awards keyed like USAspending."""

import csv
from typing import Any

from kg.ingest import ingest_records
from kg.projection import PropertyGraph, project
from kg.store import Store
from kg.validate import validate
from loaders.detect import detect_format
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

HERE = FIXTURES / "records" / "fpds"
FEED = HERE / "feed_sample.xml"
BOMB = HERE / "feed_with_entity.xml"
KEY = "CONT_AWD_70CMSD19P00000101_7012_-NONE-_-NONE-"



def contracts(graph: PropertyGraph) -> dict[str, dict[str, Any]]:
    return {a["award_id"]: a for _, a in graph.nodes(data=True) if a["label"] == "Contract"}


def edges(graph: PropertyGraph, kind: str) -> set[tuple[str, str]]:
    return {(graph.nodes[u]["name"], graph.nodes[v]["name"])
            for u, v, d in graph.edges(data=True) if d["type"] == kind}


def test_feeds_are_detected() -> None:
    assert detect_format(FEED) == "fpds"


def test_a_feed_with_entity_declarations_is_refused_whole(store: Store) -> None:
    summary = ingest_records(store, [BOMB], "fpds")
    assert summary.files == []
    assert "DOCTYPE or ENTITY; refused" in summary.skipped[0][1]


def test_actions_roll_up_and_bad_entries_are_quarantined(store: Store) -> None:
    [result] = load(store, FEED).files
    assert (result.read, result.loaded, result.quarantined) == (5, 3, 2)
    assert result.reasons == {"PIID: empty contract number": 1,
                              "obligatedAmount: not a number": 1}
    assert result.quarantine_file is not None
    with result.quarantine_file.open(newline="") as handle:
        assert [(r["line"], r["field"]) for r in csv.DictReader(handle)] == [
            ("3", "PIID"), ("4", "obligatedAmount")]
    graph = project(store)
    awards = contracts(graph)
    rolled = awards[KEY]  # the key USAspending gives the same award
    assert rolled["amount_usd"] == 42499.5  # 50,000 less a 7,500.50 de-obligation
    assert (rolled["first_action_date"], rolled["last_action_date"]) == \
        ("2019-03-01", "2019-06-15")
    assert rolled["actions"] == 2
    assert "CONT_AWD_70CMSD19F00000303_7012_GS07F0313N_4730" in awards
    sells = edges(graph, "SELLS_TO")
    assert sells == {("Alpha Plate Data LLC", "U.S. Immigration and Customs Enforcement")}
    assert ("U.S. Immigration and Customs Enforcement", "U.S. Department of Homeland Security") \
        in edges(graph, "PART_OF")
    assert any(recipient == "City of Gamma" for _, recipient in edges(graph, "FUNDS"))
    assert validate(store).conforms


def test_the_real_fpds_feed(store: Store) -> None:
    folder = shared_or_skip("data", "fpds_atom_sample__dherincx92_fpds", "tests", "data")
    summary = load(store, folder / "full_response.xml")
    [result] = summary.files
    assert (result.read, result.loaded, result.quarantined) == (10, 10, 0)
    awards = contracts(project(store))
    assert awards["CONT_AWD_1B4G00542_4740_-NONE-_-NONE-"]["amount_usd"] == 1230942.45
    assert len(awards) == 8  # the three actions on AZ0002...0087K are one award
