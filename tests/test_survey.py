"""Agency surveys: a newsroom's table of agencies and the vendor of their technology."""

from pathlib import Path

from kg.projection import PropertyGraph, project
from kg.store import Store
from kg.validate import validate
from loaders.detect import detect_format
from tests.conftest import FIXTURES, shared_or_skip
from tests.conftest import load_records as load

SAMPLE = FIXTURES / "records" / "survey" / "harlow_county_survey.csv"
NC = ("data", "alpr_flock_nc__mcclatchy_private_eyes", "data")


def edges(graph: PropertyGraph) -> dict[tuple[str, str, str], dict[str, object]]:
    return {(graph.nodes[u]["name"], d["type"], graph.nodes[v]["name"]): d
            for u, v, d in graph.edges(data=True)
            if d["type"] in ("USES", "PILOTS", "SELLS_TO")}


def test_both_layouts_are_detected() -> None:
    assert detect_format(SAMPLE) == "survey"
    assert detect_format(Path(shared_or_skip(*NC, "nc_agency_survey20240430.csv"))) == "survey"


def test_rows_become_engagements_at_the_stage_the_notes_state(store: Store) -> None:
    [result] = load(store, SAMPLE).files
    assert (result.read, result.loaded, result.quarantined) == (9, 6, 3)
    assert result.reasons == {"agency: empty agency name": 1,
                              "technology: not a technology category of the registry": 1,
                              "agency: row already on line 2": 1}
    found = edges(project(store))
    uses = found[("Harlow Falls Police Department", "USES", "Flock Safety")]
    assert "14 cameras" in str(uses["evidence"]) and uses["status"] == "active"
    assert ("Harlow County Sheriff's Office", "PILOTS", "Rekor Systems") in found
    assert ("Flock Safety", "SELLS_TO", "Pine Ridge Police Department") in found
    assert found[("Cedar Point Police Department", "USES", "Flock Safety")]["status"] == "ended"
    assert not any(v == "Unknown" for _, _, v in found)  # unknown vendor: unstated
    assert validate(store).conforms


def test_hostile_names_and_links_are_kept_as_text_not_followed(store: Store) -> None:
    load(store, SAMPLE)
    names = {a["name"] for _, a in project(store).nodes(data=True)}
    assert 'Quote "Town" <script>alert(1)</script> PD' in names
    urls = {r["u"].value for r in store.select(
        "SELECT ?u WHERE { ?s <https://w3id.org/survkg/ontology#url> ?u }")}
    assert "https://example.org/pine-ridge-agreement" in urls
    assert not any(u.startswith("javascript:") for u in urls)


def test_the_real_nc_plate_reader_survey(store: Store) -> None:
    survey = shared_or_skip(*NC, "nc_agency_survey20240430.csv")
    sharing = shared_or_skip(*NC, "agency_access20240426.csv")
    [result] = load(store, survey).files
    assert (result.read, result.loaded, result.quarantined) == (121, 121, 0)
    assert result.vendors >= 7 and result.agencies == 121
    found = edges(project(store))
    assert ("Zebulon NC PD", "USES", "Flock Safety") in found
    assert ("Flock Safety", "SELLS_TO", "Tabor City NC PD") in found  # signed, not installed
    assert found[("Franklinton NC PD", "USES", "Flock Safety")]["status"] == "ended"
    load(store, sharing)  # the same agencies: survey and sharing lists join
    graph = project(store)
    wilson = [n for n, a in graph.nodes(data=True) if a["name"] == "Wilson NC PD"]
    assert len(wilson) == 1
    types = {d["type"] for _, _, d in graph.in_edges(wilson[0], data=True)} | \
        {d["type"] for _, _, d in graph.out_edges(wilson[0], data=True)}
    assert {"USES", "SHARES_DATA_WITH"} <= types
