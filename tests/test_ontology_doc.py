"""The citable vocabulary: the generated HTML page, the version IRI and the published @context."""

import json
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from kg.ingest import ARTICLE_SUFFIXES, expand_paths, ingest_articles
from kg.ontology_doc import (
    EXAMPLE,
    export_ontology_doc,
    jsonld_context,
    load_ontology,
    registry_examples,
    render,
)
from kg.store import Store
from kg.vocab import ONTOLOGY_IRI, SKG

CONTEXT = Path(__file__).resolve().parents[1] / "ontology" / "context.jsonld"


def our_terms(graph: rdflib.Graph) -> set[str]:
    return {str(s).removeprefix(str(SKG)) for s in graph.subjects(RDF.type, None)
            if str(s).startswith(str(SKG))}


def test_page_documents_every_term_with_its_version(tmp_path: Path) -> None:
    out = tmp_path / "ontology.html"
    count = export_ontology_doc(out)
    page = out.read_text(encoding="utf-8")
    graph = load_ontology()
    assert count == len(our_terms(graph))
    for name in our_terms(graph):
        assert f'<section id="{name}">' in page, name
    version_iri = str(graph.value(rdflib.URIRef(ONTOLOGY_IRI), OWL.versionIRI))
    assert f'<a href="{version_iri}">{version_iri}</a>' in page
    # domain and range, alignment, projection annotations and a registry example
    vendor_prop = page.split('<section id="vendor">')[1].split("</section>")[0]
    assert "domain</th><td><a href=\"#Engagement\">" in vendor_prop
    assert "range</th><td><a href=\"#Vendor\">" in vendor_prop
    assert '<a href="https://schema.followthemoney.tech/#PublicBody"><code>ftm:PublicBody' in page
    pitch = page.split('<section id="PitchStage">')[1].split("</section>")[0]
    assert "<code>PITCHED_TO</code>" in pitch
    agency = page.split('<section id="Agency">')[1].split("</section>")[0]
    assert "example</th><td><a href=\"https://w3id.org/survkg/id/agency/" in agency


def test_page_is_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "ontology.html"
    export_ontology_doc(out)
    page = out.read_text(encoding="utf-8").lower()
    assert "<script" not in page and "<link" not in page and " src=" not in page


def test_every_string_is_escaped() -> None:
    graph = load_ontology()
    evil = "<img src=x onerror=alert(1)> & \"quoted\""
    graph.add((SKG.Vendor, RDFS.comment, rdflib.Literal(evil)))
    graph.add((SKG.Vendor, RDFS.label, rdflib.Literal("</h3><script>x</script>")))
    page, _ = render(graph, {"Vendor": [("<b>bold</b>", "https://x.example/\"><script>")]})
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;" in page


def test_version_iri_names_the_version() -> None:
    graph = load_ontology()
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    version = str(graph.value(ontology, OWL.versionInfo))
    assert str(graph.value(ontology, OWL.versionIRI)) == f"{ONTOLOGY_IRI}/{version}"


def test_example_is_valid_turtle_in_our_vocabulary() -> None:
    example = rdflib.Graph().parse(data=EXAMPLE, format="turtle")
    known = our_terms(load_ontology())
    used = {str(t).removeprefix(str(SKG)) for triple in example for t in triple
            if isinstance(t, rdflib.URIRef) and str(t).startswith(str(SKG))}
    assert used and used <= known


def test_registry_gives_examples_for_the_main_classes() -> None:
    examples = registry_examples()
    assert {"Vendor", "Agency", "Product", "TechnologyCategory"} <= set(examples)
    assert all(len(names) <= 3 for names in examples.values())


def test_published_context_is_generated_from_the_ontology() -> None:
    published = json.loads(CONTEXT.read_text(encoding="utf-8"))
    assert published == jsonld_context(), (
        "ontology/context.jsonld is out of date; run: "
        "python -c 'from kg.ontology_doc import write_context; write_context()'")
    context = published["@context"]
    assert context["vendor"] == {"@id": "skg:vendor", "@type": "@id"}
    assert context["amount"] == {"@id": "skg:amount", "@type": "xsd:decimal"}
    assert context["Engagement"] == "skg:Engagement"


def test_context_compacts_a_dump_without_losing_a_quad(store: Store, tmp_path: Path,
                                                        articles: Path) -> None:
    ingest_articles(store, expand_paths([articles], ARTICLE_SUFFIXES))
    dump = tmp_path / "all.nq"
    store.dump(dump, pyoxigraph.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset().parse(dump, format="nquads")
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    text = dataset.serialize(format="json-ld", context=context, auto_compact=True)
    assert '"vendor":' in text and '"prefLabel":' in text  # short names are used
    back = rdflib.Dataset().parse(data=text, format="json-ld")
    before = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    after = {str(g.identifier): g for g in back.graphs() if len(g)}
    assert before.keys() == after.keys() and len(before) == 5  # ontology, registry, 3 articles
    assert all(isomorphic(before[name], after[name]) for name in before)
