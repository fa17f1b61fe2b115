"""End to end through the CLI, as a user runs it (click's CliRunner, a real store)."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from tests.conftest import shared_or_skip


def kg(store: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--store", str(store), *args], catch_exceptions=False)


def relations_json(store: Path, *args: str) -> list[dict[str, object]]:
    result = kg(store, "relations", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


def quad_count(store: Path) -> int:
    result = kg(store, "stats", "--format", "json")
    return int(next(r["count"] for r in json.loads(result.output) if r["what"] == "quads"))


def has(rows: list[dict[str, object]], subject: str, relation: str, obj: str) -> bool:
    return any(str(r["subject"]).startswith(subject) and r["relation"] == relation
               and obj in str(r["object"]) for r in rows)


def test_fixture_articles_give_cited_relations(tmp_path: Path, articles: Path) -> None:
    store = tmp_path / "kg"
    result = kg(store, "ingest", "articles", str(articles))
    assert result.exit_code == 0, result.output
    assert "3 loaded" in result.output
    rows = relations_json(store)
    sale = next(r for r in rows if r["relation"] == "SELLS_TO")
    assert sale["subject"] == "Brightline Analytics"
    assert sale["object"] == "Dover County Sheriff's Office"
    assert sale["amount_usd"] == 350000.0
    assert sale["start_date"] == "2021-03"
    citation = sale["citations"][0]  # type: ignore[index]
    assert "PlateWatch" in citation["quote"] and citation["title"] == "County buys plate readers"
    assert has(rows, "Brightline Analytics", "PITCHED_TO", "Immigration and Customs Enforcement")
    assert has(rows, "Electronic Frontier Foundation", "CRITICIZES", "Brightline Analytics")
    pilot = next(r for r in rows if r["relation"] == "PILOTS")
    assert pilot["object"] == "Amazon Rekognition" and pilot["status"] == "ended"
    # the denial fixture states no relation at all
    assert not has(rows, "Federal Bureau", "SELLS_TO", "Palantir")
    assert not any("Palantir" in str(r["subject"]) for r in rows)
    assert not any("Clearview" in str(r["object"]) for r in rows)


def test_reload_is_idempotent_edit_replaces_and_remove_deletes(tmp_path: Path,
                                                               articles: Path) -> None:
    store, work = tmp_path / "kg", tmp_path / "in"
    shutil.copytree(articles, work)
    kg(store, "ingest", "articles", str(work))
    before = quad_count(store)
    again = kg(store, "ingest", "articles", str(work))
    assert "3 unchanged" in again.output
    assert quad_count(store) == before

    sale = work / "alpha_sale.txt"
    sale.write_text(sale.read_text(encoding="utf-8").replace("$350,000", "$1.5M"),
                    encoding="utf-8")
    kg(store, "ingest", "articles", str(sale))
    amounts = [r["amount_usd"] for r in relations_json(store) if r["relation"] == "SELLS_TO"]
    assert amounts == [1500000.0]
    assert quad_count(store) == before  # same claims, one changed value

    listed = json.loads(kg(store, "sources", "--format", "json").output)
    pilot_source = next(s for s in listed if s["title"] == "City ends face recognition trial")
    removed = kg(store, "sources", "remove", pilot_source["id"])
    assert removed.exit_code == 0, removed.output
    rows = relations_json(store)
    assert not any(r["relation"] == "PILOTS" for r in rows)
    assert any(r["relation"] == "SELLS_TO" for r in rows)
    assert quad_count(store) == before - pilot_source["triples"]


def test_remove_unknown_source_is_one_line_error(tmp_path: Path, articles: Path) -> None:
    store = tmp_path / "kg"
    kg(store, "ingest", "articles", str(articles))
    result = kg(store, "sources", "remove", "nope")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "kg sources" in result.output


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "binary"),
        ("bad.txt", b"caf\xc3 \x81\x8d bad bytes", "UTF-8"),
    ],
)
def test_bad_input_is_skipped_and_nothing_stored_is_lost(
    tmp_path: Path, articles: Path, name: str, content: bytes, reason: str
) -> None:
    store = tmp_path / "kg"
    kg(store, "ingest", "articles", str(articles))
    before = quad_count(store)
    bad = tmp_path / name
    bad.write_bytes(content)
    result = kg(store, "ingest", "articles", str(bad))
    assert result.exit_code == 1
    assert reason in result.output and name in result.output
    assert "Traceback" not in result.output
    assert quad_count(store) == before


def test_oversized_file_is_skipped_with_the_limit_named(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Palantir sold software to ICE. " * 2_000_000)  # about 60 MB
    result = kg(tmp_path / "kg", "ingest", "articles", str(big))
    assert result.exit_code == 1
    assert "big.txt" in result.output and "--max-bytes" in result.output


def test_html_with_script_is_read_as_text_not_run(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Tower deal</title><script>alert('x')</script></head><body>"
        "<p>Anduril Industries sold surveillance towers to U.S. Customs and Border "
        "Protection.</p><script>document.write('Clearview AI sold to the FBI.')</script>"
        "</body></html>", encoding="utf-8")
    store = tmp_path / "kg"
    assert kg(store, "ingest", "articles", str(page)).exit_code == 0
    rows = relations_json(store)
    assert has(rows, "Anduril", "SELLS_TO", "Customs and Border Protection")
    assert not any("Clearview" in str(r["subject"]) for r in rows)


def test_seed_stories_acceptance(tmp_path: Path) -> None:
    seeds = shared_or_skip("seeds")
    store = tmp_path / "kg"
    result = kg(store, "ingest", "articles", *map(str, sorted(seeds.glob("*.txt"))))
    assert result.exit_code == 0, result.output
    rows = relations_json(store)
    assert has(rows, "Amazon", "MAKES", "Rekognition")
    assert has(rows, "Amazon", "SELLS_TO", "law enforcement")
    assert has(rows, "Amazon", "PITCHED_TO", "U.S. Immigration and Customs Enforcement")
    assert has(rows, "Federal Bureau of Investigation", "PILOTS", "Rekognition")
    for critic in ("Open MIC", "Sisters of St. Joseph of Brentwood",
                   "American Civil Liberties Union"):
        assert has(rows, critic, "CRITICIZES", "Amazon"), critic
    for row in rows:
        assert row["citations"], row
        for cite in row["citations"]:  # type: ignore[attr-defined]
            assert cite["quote"] and cite["source"] and cite["rule"]
            assert "PayPal" not in cite["quote"] and "QR" not in cite["quote"]


def test_sparql_doc_query_finds_the_pitch_with_its_quote(tmp_path: Path) -> None:
    seeds = shared_or_skip("seeds")
    store = tmp_path / "kg"
    kg(store, "ingest", "articles", *map(str, sorted(seeds.glob("*.txt"))))
    query = Path(__file__).parents[1] / "docs" / "queries" / "pitched_to.rq"
    result = kg(store, "query", "sparql", str(query), "--param", "acronym=ICE",
                "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["vendor"] for r in rows} == {"Amazon"}
    assert len({r["title"] for r in rows}) == 2
    assert all("ICE" in r["quote"] or "Immigration" in r["quote"] for r in rows)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")

    def walk(group: object, prefix: str) -> list[str]:
        commands = getattr(group, "commands", {})
        names = []
        for name, command in commands.items():
            names.append(f"{prefix} {name}")
            names += walk(command, f"{prefix} {name}")
        return names

    for command in walk(main, "kg"):
        assert f"`{command}" in readme, f"{command} is not documented in README.md"


def test_explain_shows_rule_and_sentence(tmp_path: Path, articles: Path) -> None:
    store = tmp_path / "kg"
    kg(store, "ingest", "articles", str(articles))
    result = kg(store, "relations", "--explain", "--vendor", "Brightline Analytics")
    assert result.exit_code == 0, result.output
    assert "Brightline Analytics SELLS_TO Dover County Sheriff's Office" in result.output
    assert "[sells_to:sold]" in result.output and "PlateWatch" in result.output


def test_validate_passes_on_loaded_articles_and_names_a_broken_node(tmp_path: Path,
                                                                   articles: Path) -> None:
    from pyoxigraph import Literal, NamedNode

    from kg.store import Store

    store = tmp_path / "kg"
    kg(store, "ingest", "articles", str(articles))
    assert kg(store, "validate").exit_code == 0
    broken = "https://w3id.org/survkg/id/engagement/broken"
    db = Store(store)
    skg = "https://w3id.org/survkg/ontology#"
    db.replace_graph("https://w3id.org/survkg/id/source/broken", [
        (NamedNode(broken), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
         NamedNode(skg + "Engagement")),
        (NamedNode(broken), NamedNode(skg + "amount"), Literal("lots")),
    ])
    db.close()
    result = kg(store, "validate")
    assert result.exit_code == 1
    assert broken in result.output and "EngagementShape" in result.output


def test_store_comes_from_kg_store_then_default(tmp_path: Path, articles: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_STORE", str(tmp_path / "from-env"))
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", "articles", str(articles)]).exit_code == 0
    assert (tmp_path / "from-env").is_dir() and not (tmp_path / "kg-data").exists()
    monkeypatch.delenv("KG_STORE")
    assert runner.invoke(main, ["ingest", "articles", str(articles)]).exit_code == 0
    assert (tmp_path / "kg-data").is_dir()
