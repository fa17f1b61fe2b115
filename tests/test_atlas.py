"""Atlas of Surveillance CSV: Agency USES technology from vendors, links as cited Sources."""

import csv
from pathlib import Path

from kg.ingest import ingest_records
from kg.projection import PropertyGraph, project
from kg.store import Store
from kg.validate import validate
from loaders.detect import detect_format
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

SAMPLE = FIXTURES / "records" / "atlas" / "atlas_sample.csv"
ALPR = "https://w3id.org/survkg/id/category/automated-license-plate-readers"
CATEGORIES = """PREFIX skg: <https://w3id.org/survkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?agency ?category ?url ?date WHERE { GRAPH ?g {
  ?e skg:stage skg:DeploymentStage ; skg:agency ?a ; skg:category ?category .
  OPTIONAL { ?e dct:source ?s . OPTIONAL { ?s skg:url ?url } OPTIONAL { ?s dct:issued ?date } }
} ?a skos:prefLabel ?agency }"""



def uses(graph: PropertyGraph) -> set[tuple[str, str]]:
    return {(graph.nodes[u]["name"], graph.nodes[v]["name"])
            for u, v, d in graph.edges(data=True) if d["type"] == "USES"}


def test_atlas_export_is_detected() -> None:
    assert detect_format(SAMPLE) == "atlas"


def test_rows_become_cited_deployments_and_bad_rows_are_quarantined(store: Store) -> None:
    [result] = load(store, SAMPLE).files
    assert (result.read, result.loaded, result.quarantined) == (7, 3, 4)
    assert result.reasons == {"Agency: empty agency name": 1,
                              "Technology: not a technology category of the registry": 1,
                              "Link 1 Date: not a date in this file's month/day order": 1,
                              "AOSNUMBER: row already on line 4": 1}
    assert result.quarantine_file is not None
    with result.quarantine_file.open(newline="") as handle:
        lines = [(r["line"], r["field"]) for r in csv.DictReader(handle)]
    assert lines == [("6", "Agency"), ("7", "Technology"), ("8", "Link 1 Date"),
                     ("9", "AOSNUMBER")]
    graph = project(store)
    found = uses(graph)
    assert ("Alder Police Department", "Flock Safety") in found
    assert ("Alder Police Department", "SoundThinking") in found  # "A | B", one vendor
    alders = {n for n, a in graph.nodes(data=True) if a.get("name") == "Alder Police Department"}
    assert len(alders) == 2, "same name in two states: two agencies"
    rows = {(r["agency"].value, r["category"].value, r["url"].value if r["url"] else None,
             r["date"].value if r["date"] else None) for r in store.select(CATEGORIES)}
    assert ("Alder Police Department", ALPR, "https://news.example/alder-alpr",
            "2018-10-06") in rows
    assert ("Alder Police Department", ALPR, "https://city.example/council.pdf", "2024") in rows
    birch = [r for r in rows if r[0] == "Birch County Sheriff's Office"]
    assert birch == [("Birch County Sheriff's Office",
                      "https://w3id.org/survkg/id/category/drones", None, None)]
    assert validate(store).conforms


def test_a_file_without_the_header_row_is_refused(store: Store, tmp_path: Path) -> None:
    headless = tmp_path / "atlas.csv"
    headless.write_text("\n".join(SAMPLE.read_text().splitlines()[1:]) + "\n")
    summary = ingest_records(store, [headless], "atlas")
    assert summary.skipped and "first row must be the header" in summary.skipped[0][1]


def test_the_real_atlas_excerpt(store: Store) -> None:
    path = shared_or_skip("data", "eff_atlas_of_surveillance__excerpt",
                          "atlas_excerpt_combined.csv")
    [result] = load(store, path).files
    assert (result.read, result.loaded, result.quarantined) == (91, 89, 2)
    assert set(result.reasons) == {"AOSNUMBER: row already on line 3",
                                   "AOSNUMBER: row already on line 5"}
    found = uses(project(store))
    assert ("Rockford Police Department", "SoundThinking") in found
    assert validate(store).conforms
