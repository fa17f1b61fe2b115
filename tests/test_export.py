"""RDF dumps round-trip in every format; the HTML view escapes data and writes one file only."""

import os
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from kg.context import Context, Evidence, SourceInfo
from kg.errors import KgError
from kg.export import RDF_FORMATS, export_rdf
from kg.ids import source_iri
from kg.reference import REGISTRY_IRI
from kg.registry import load_registry
from kg.store import Store
from kg.vocab import ONTOLOGY_IRI

HOSTILE = "<img src=x onerror=alert(1)>"


def write_article(store: Store, key: str, vendor_name: str, status: str) -> str:
    """A made-up article: a vendor pitches, then sells, cameras to a county."""
    url = f"https://news.example.org/2022/{key}"
    info = SourceInfo(
        iri=source_iri(url),
        kind="Article",
        title=f"County cameras {key}",
        loader="test",
        loader_version="1",
        content_hash=f"h-{key}",
        url=url,
    )
    ctx = Context(info, load_registry())
    vendor = ctx.entity("vendor", vendor_name)
    agency = ctx.entity("agency", "Lakemoor Township Police")
    product = ctx.entity("product", "GlassEye 3")
    said = Evidence(f"The township bought GlassEye 3 from {vendor_name} & co.", "test-rule", 1)
    ctx.engagement(
        "contract",
        agency=agency,
        vendor=vendor,
        product=product,
        status=status,
        amount=Decimal("48000"),
        start_date="2022-01-15",
        evidence=said,
    )
    ctx.relationship("Making", vendor, product, evidence=said)
    ctx.commit(store)
    return info.iri


@pytest.fixture
def filled(store: Store) -> tuple[Store, list[str]]:
    sources = [
        write_article(store, "one", HOSTILE, "active"),
        write_article(store, "two", "Brightline Optics", "ended"),
    ]
    return store, sources


def union_size(store: Store) -> int:
    rows = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    )
    return int(rows[0]["n"].value)


@pytest.mark.parametrize("suffix", sorted(RDF_FORMATS))
def test_every_format_round_trips(
    filled: tuple[Store, list[str]], tmp_path: Path, suffix: str
) -> None:
    store, _ = filled
    out = tmp_path / f"dump{suffix}"
    written = export_rdf(store, out)
    parsed = list(pyoxigraph.parse(path=str(out)))
    dataset = suffix in {".nq", ".trig", ".jsonld"}
    assert written == (store.count() if dataset else union_size(store))
    assert len(set(parsed)) == written
    assert sorted(os.listdir(tmp_path)) == sorted(["dump" + suffix, "store"])


def test_nquads_keep_the_source_graphs(filled: tuple[Store, list[str]], tmp_path: Path) -> None:
    store, sources = filled
    export_rdf(store, tmp_path / "all.nq")
    names = {q.graph_name.value for q in pyoxigraph.parse(path=str(tmp_path / "all.nq"))}
    assert names == {*sources, ONTOLOGY_IRI, REGISTRY_IRI}


def test_turtle_has_prefixes_and_rdflib_reads_it(
    filled: tuple[Store, list[str]], tmp_path: Path
) -> None:
    store, _ = filled
    written = export_rdf(store, tmp_path / "all.ttl")
    text = (tmp_path / "all.ttl").read_text(encoding="utf-8")
    assert "@prefix skg: <https://w3id.org/survkg/ontology#> ." in text
    assert len(rdflib.Graph().parse(tmp_path / "all.ttl", format="turtle")) == written


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside rdflib's JSON-LD parser
def test_jsonld_is_a_dataset_rdflib_reads(filled: tuple[Store, list[str]], tmp_path: Path) -> None:
    store, sources = filled
    written = export_rdf(store, tmp_path / "all.jsonld")
    dataset = rdflib.Dataset()
    dataset.parse(tmp_path / "all.jsonld", format="json-ld")
    assert len(list(dataset.quads((None, None, None, None)))) == written
    assert set(sources) <= {str(g.identifier) for g in dataset.graphs()}


def test_unknown_suffix_names_it_and_the_supported_ones(store: Store, tmp_path: Path) -> None:
    with pytest.raises(KgError) as caught:
        export_rdf(store, tmp_path / "all.csv")
    message = str(caught.value)
    assert "\n" not in message
    assert "'.csv'" in message
    assert all(suffix in message for suffix in RDF_FORMATS)
    assert not (tmp_path / "all.csv").exists()


def test_unwritable_place_is_one_line(store: Store, tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"^cannot write .*missing.*all\.nt: "):
        export_rdf(store, tmp_path / "missing" / "all.nt")


