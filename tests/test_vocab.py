"""The Python vocabulary and the Turtle ontology name the same terms."""

from rdflib import Graph, URIRef

from kg.registry import ontology_files
from kg.vocab import SKG


def test_every_python_term_is_defined_in_the_ontology_and_back() -> None:
    graph = Graph().parse(ontology_files()[0])
    prefix = str(SKG._NS)
    defined = {str(s).removeprefix(prefix) for s in graph.subjects() if str(s).startswith(prefix)}
    declared = set(SKG.__annotations__)
    assert declared == defined


def test_unknown_term_raises() -> None:
    try:
        SKG.Vender  # noqa: B018 - the attribute access is the test
    except AttributeError:
        return
    raise AssertionError("SKG.Vender should not exist")


def test_terms_are_absolute_https_iris() -> None:
    assert isinstance(SKG.Vendor, URIRef)
    assert str(SKG.Vendor) == "https://w3id.org/survkg/ontology#Vendor"
