"""Hostile strings end to end (#8): ingest -> SPARQL -> HTML, unchanged and harmless.

A vendor name and an award description full of Cypher, SPARQL and HTML
metacharacters go in through a USAspending file; SPARQL (with the value bound
as a parameter) finds them byte for byte, and the HTML page holds them only
escaped, never as markup.
"""

import csv
import json
from pathlib import Path

from pyoxigraph import Literal

from kg.details import add_details
from kg.export import export_html
from kg.html_export import script_json
from kg.ingest import ingest_records
from kg.projection import project
from kg.query import sparql
from kg.store import Store
from tests.conftest import FIXTURES

PRIME = FIXTURES / "usaspending" / "Contracts_PrimeAwardSummaries_2020-01-01_H00M00S00_1.csv"
NAME = ("Evil </script><img src=x onerror=alert(1)> & \"Sons\" '}) MATCH (n) DETACH DELETE n "
        "// } ; DROP ALL ; # <!-- Corp")
DESCRIPTION = ("LICENSE PLATE READER \"} . } INSERT DATA { <urn:x> <urn:y> 'z' } # "
               "</textarea><script>alert('x')</script> ${x} \\u0000 \u2028 &amp; MERGE (m)")
KEY = "CONT_AWD_70CMSW19P00000301_7012_-NONE-_-NONE-"


def _hostile_file(tmp_path: Path) -> Path:
    with PRIME.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    row = next(r for r in rows[1:] if r and r[0] == KEY)
    row[header.index("recipient_name")] = NAME
    row[header.index("prime_award_base_transaction_description")] = DESCRIPTION
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_hostile_strings_travel_unchanged_and_stay_inert(store: Store, tmp_path: Path) -> None:
    summary = ingest_records(store, [_hostile_file(tmp_path)], "usaspending")
    (result,) = summary.files
    assert result.loaded + result.quarantined == result.read and result.loaded > 0

    # SPARQL: the description is stored byte for byte and found through a bound value
    found = sparql(store, "SELECT ?award ?d WHERE { ?c skg:description ?d ; skg:awardId ?award }",
                   {"d": Literal(DESCRIPTION)})
    assert found.rows == [[KEY, DESCRIPTION]]
    # the injection attempt inside it did not run: no such triple exists
    assert not sparql(store, "ASK { <urn:x> ?p ?o }").boolean
    names = sparql(store, "SELECT DISTINCT ?n WHERE { ?s ?p ?n FILTER(isLiteral(?n) && "
                          "CONTAINS(STR(?n), 'DETACH DELETE')) }")
    assert names.rows and all("</script>" in (row[0] or "") for row in names.rows)

    # HTML: the strings are in the page's data, and never as raw markup
    out = tmp_path / "graph.html"
    export_html(add_details(project(store), store), out, title="hostile")
    page = out.read_text(encoding="utf-8")
    titled = tmp_path / "titled.html"
    export_html(project(store), titled, title=NAME)
    for raw in ("<img src=x", "<script>alert", "</textarea>", "<!--"):
        assert raw not in page, raw
    titled_page = titled.read_text(encoding="utf-8")
    assert "<img src=x" not in titled_page
    assert script_json(NAME)[1:-1] in titled_page  # the title's data, escaped
    shown = {row[0] for row in names.rows}
    assert any(script_json(value)[1:-1] in page for value in shown)
    assert json.loads(script_json(NAME)) == NAME  # the escaping round-trips
