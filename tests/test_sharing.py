"""Data-sharing lists: SHARES_DATA_WITH between agencies, strict rows, the real Flock files."""

import csv
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.ingest import ingest_records
from kg.projection import PropertyGraph, project
from kg.registry import load_registry
from kg.resolve import Resolver
from kg.store import Store
from kg.validate import validate
from loaders.detect import detect_format
from loaders.sharing import load_sharing
from loaders.usaspending import SourceKeys
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

HERE = FIXTURES / "records" / "sharing"
PAIRS = HERE / "agency_access_sample.csv"
LIST = HERE / "partner_list.csv"
FBI = "https://w3id.org/survkg/id/agency/fbi"



def shares(graph: PropertyGraph) -> set[tuple[str, str]]:
    return {(graph.nodes[u]["name"], graph.nodes[v]["name"])
            for u, v, d in graph.edges(data=True) if d["type"] == "SHARES_DATA_WITH"}


def test_pairs_file_is_detected_and_a_partner_list_is_not() -> None:
    assert detect_format(PAIRS) == "sharing"
    with pytest.raises(InputError, match="format not recognised"):
        detect_format(LIST)


def test_pairs_become_shares_data_with_and_bad_rows_are_quarantined(store: Store) -> None:
    summary = load(store, PAIRS, fmt="auto")
    [result] = summary.files
    assert (result.read, result.loaded, result.quarantined) == (6, 3, 3)
    assert result.reasons == {"external_agency: empty agency name": 1,
                              "external_agency: an agency sharing with itself": 1,
                              "external_agency: pair already on line 2": 1}
    graph = project(store)
    found = shares(graph)
    assert ("Alder OH PD", "Birch MI PD") in found
    assert ("Birch MI PD", "Cedar County IN SO") in found
    assert any(v == FBI for u, v, d in graph.edges(data=True)
               if d["type"] == "SHARES_DATA_WITH"), "FBI resolves to the registry's agency"
    assert result.quarantine_file is not None
    with result.quarantine_file.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["field"]) for r in rows] == [
        ("4", "external_agency"), ("5", "external_agency"), ("6", "external_agency")]
    assert all(r["file"] == str(PAIRS) for r in rows)
    assert validate(store).conforms


def test_a_partner_list_needs_its_agency_and_skips_private_businesses(store: Store) -> None:
    summary = ingest_records(store, [LIST], "sharing")
    assert summary.skipped and "--shared-with" in summary.skipped[0][1]
    summary = load(store, LIST, fmt="sharing", shared_with="Eugene OR PD")
    [result] = summary.files
    assert (result.read, result.loaded, result.quarantined) == (4, 3, 1)
    assert result.reasons == {"Type: not a government agency; SHARES_DATA_WITH joins "
                              "agencies": 1}
    found = shares(project(store))
    assert found == {("Alder OH PD", "Eugene OR PD"), ("Cedar County IN SO", "Eugene OR PD"),
                     ("Dogwood OR PR", "Eugene OR PD")}


def test_reloading_an_unchanged_file_is_a_no_op_and_names_join_across_files(
        store: Store) -> None:
    load(store, PAIRS, fmt="sharing")
    again = load(store, PAIRS, fmt="sharing")
    assert [r.status for r in again.files] == ["unchanged"]
    load(store, LIST, fmt="sharing", shared_with="Birch MI PD")
    found = shares(project(store))
    assert ("Alder OH PD", "Birch MI PD") in found and ("Cedar County IN SO", "Birch MI PD") \
        in found
    names = [n for n, a in project(store).nodes(data=True) if a.get("name") == "Alder OH PD"]
    assert len(names) == 1, "one agency node for one name in two files"


def test_the_bulk_path_gives_the_same_edges(store: Store) -> None:
    result = load_sharing(store, PAIRS, SourceKeys("urn:test:bulk", "x", "y"),
                          resolver=Resolver(load_registry()), bulk_bytes=0)
    assert (result.loaded, result.quarantined) == (3, 3)
    assert ("Alder OH PD", "Birch MI PD") in shares(project(store))


# ------------------------------------------------------------ real files
def test_the_real_flock_agency_access_export(store: Store) -> None:
    path = shared_or_skip("data", "alpr_flock_nc__mcclatchy_private_eyes", "data",
                          "agency_access20240426.csv")
    started = time.perf_counter()
    summary = load(store, path)
    elapsed = time.perf_counter() - started
    [result] = summary.files
    assert result.read == 37_099
    assert result.loaded + result.quarantined == 37_099
    assert result.quarantined == 0, result.reasons
    found = shares(project(store))
    assert ("Green Bay WI PD", "Federal Bureau of Investigation") in found
    assert ("Sylvania OH PD", "Adrian MI PD") in found
    assert elapsed < 120, f"37k rows took {elapsed:.1f} s"


def test_the_real_eugene_partner_list(store: Store) -> None:
    folder = shared_or_skip("data", "flock_sharing_eugene_or__eyes_off", "PublicRecords")
    [path] = folder.glob("*/list.csv")
    summary = load(store, path, fmt="sharing", shared_with="Eugene OR PD")
    [result] = summary.files
    assert result.read == 59
    assert (result.loaded, result.quarantined) == (56, 3)  # three private businesses
    found = shares(project(store))
    assert ("Bend OR PD", "Eugene OR PD") in found
    assert ("Ada County ID SO", "Eugene OR PD") in found


def test_auto_loads_each_new_format_from_the_real_files(store: Store) -> None:
    files = {
        "fpds": shared_or_skip("data", "fpds_atom_sample__dherincx92_fpds", "tests", "data",
                               "full_response.xml"),
        "ocds": shared_or_skip("data", "ocds__open_contracting", "sample-data_real-examples",
                               "real-examples", "canada", "buyandsell", "sample", "releases",
                               "ocds-34a6hz-01044-060931001USW-01044-060931001USW.json"),
        "atlas": shared_or_skip("data", "eff_atlas_of_surveillance__excerpt",
                                "atlas_excerpt_combined.csv"),
        "sharing": shared_or_skip("data", "alpr_flock_nc__mcclatchy_private_eyes", "data",
                                  "agency_access20240426.csv"),
    }
    assert {name: detect_format(path) for name, path in files.items()} == \
        {name: name for name in files}
    summary = load(store, *files.values(), fmt="auto")
    assert [r.layout for r in summary.files] == ["fpds-atom", "ocds", "atlas", "pairs"]


def test_a_partner_list_can_go_the_other_way(store: Store) -> None:
    [result] = load(store, LIST, fmt="sharing", shared_by="Eugene OR PD").files
    assert (result.read, result.loaded, result.quarantined) == (4, 3, 1)
    assert shares(project(store)) == {("Eugene OR PD", "Alder OH PD"),
                                      ("Eugene OR PD", "Cedar County IN SO"),
                                      ("Eugene OR PD", "Dogwood OR PR")}
    again = load(store, LIST, fmt="sharing", shared_with="Eugene OR PD").files[0]
    assert again.status == "loaded"  # the direction is part of what was loaded
    assert ("Alder OH PD", "Eugene OR PD") in shares(project(store))
    assert ("Eugene OR PD", "Alder OH PD") not in shares(project(store))


def test_both_directions_at_once_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "ingest", "sharing",
                                       str(LIST), "--shared-with", "A", "--shared-by", "B"])
    assert result.exit_code != 0
    assert "--shared-with or --shared-by, not both" in result.output
