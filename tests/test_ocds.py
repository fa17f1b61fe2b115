"""OCDS release and record packages: compiled by ocid, buyer to supplier awards."""

import csv
from pathlib import Path
from typing import Any

from kg.ingest import ingest_records
from kg.projection import PropertyGraph, project
from kg.store import Store
from kg.validate import validate
from loaders.detect import detect_format
from loaders.ocds import compile_releases
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

HERE = FIXTURES / "records" / "ocds"
RELEASES = HERE / "release_package.json"
RECORDS = HERE / "record_package.json"



def sells_to(graph: PropertyGraph) -> dict[tuple[str, str], dict[str, Any]]:
    return {(graph.nodes[u]["name"], graph.nodes[v]["name"]): d
            for u, v, d in graph.edges(data=True) if d["type"] == "SELLS_TO"}


def contracts(graph: PropertyGraph) -> dict[str, dict[str, Any]]:
    return {a["award_id"]: a for _, a in graph.nodes(data=True) if a["label"] == "Contract"}


def test_packages_are_detected() -> None:
    assert detect_format(RELEASES) == "ocds"
    assert detect_format(RECORDS) == "ocds"


def test_releases_compile_by_ocid_in_date_order() -> None:
    compiled = compile_releases([
        {"ocid": "o", "date": "2021-03-01", "awards": [{"id": "a", "status": "active"}]},
        {"ocid": "o", "date": "2021-01-01", "buyer": {"name": "X"},
         "awards": [{"id": "a", "status": "pending", "title": "T"}]},
    ])
    assert compiled["buyer"] == {"name": "X"}
    assert compiled["awards"] == [{"id": "a", "status": "active", "title": "T"}]


def test_a_release_package_gives_contracts_and_quarantines_bad_processes(
        store: Store) -> None:
    [result] = load(store, RELEASES).files
    assert (result.read, result.loaded, result.quarantined) == (6, 3, 3)
    assert result.reasons == {"buyer.name: no buyer name": 1,
                              "awards[0].suppliers[0].name: no supplier name": 1,
                              "awards[0].value.amount: not a number": 1}
    assert result.quarantine_file is not None
    with result.quarantine_file.open(newline="") as handle:
        assert [r["line"] for r in csv.DictReader(handle)] == ["3", "4", "5"]
    graph = project(store)
    edges = sells_to(graph)
    assert ("Flock Safety", "Alder County Sheriff") in edges
    awards = contracts(graph)
    flock = awards["ocds-test-001/a1"]
    assert flock["amount_usd"] == 25000.0
    assert flock["first_action_date"] == "2021-02-26"
    assert flock["end_date"] == "2023-02-28"
    lumen = awards["ocds-test-002/x"]
    assert lumen["amount_usd"] is None, "pounds are not dollars"
    assert "1200.5 GBP" in lumen["description"]
    assert validate(store).conforms


def test_a_record_package_states_the_same_awards(store: Store) -> None:
    [result] = load(store, RECORDS).files
    assert (result.read, result.loaded, result.quarantined) == (2, 2, 0)
    assert set(contracts(project(store))) == {"ocds-test-001/a1", "ocds-test-002/x"}


def test_json_that_is_not_ocds_is_refused(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"releases": 3}')
    summary = ingest_records(store, [odd], "ocds")
    assert summary.skipped and "not an OCDS release or record package" in summary.skipped[0][1]


def test_the_real_publishers(store: Store) -> None:
    folder = shared_or_skip("data", "ocds__open_contracting", "sample-data_real-examples",
                            "real-examples")
    files = sorted(folder.rglob("*.json"))
    summary = load(store, *files)
    assert len(summary.files) == 118
    assert summary.total("read") == summary.total("loaded") + summary.total("quarantined")
    assert summary.total("awards") > 0
    edges = sells_to(project(store))
    assert ("expro light nigeria limited",
            "benin-owena river basin development authority") in edges
