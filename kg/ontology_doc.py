"""The ontology as people and JSON-LD tools read it: an HTML page and the published ``@context``.

Both are generated from ``ontology/survkg.ttl`` (the model is data), never kept
by hand. The page lists classes, properties with domains and ranges, the
stages and statuses, the alignments to outside vocabularies, the version IRI,
an example instance of each class from the reference registry, and a worked
example of a cited claim. It is one self-contained file (no script, no request
leaves it) and every string in it is escaped.

>>> curie("https://w3id.org/survkg/ontology#Vendor"), curie("https://schema.org/Product")
('skg:Vendor', 'schema:Product')
"""

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.errors import KgError, OntologyError
from kg.registry import ontology_files
from kg.vocab import ONTOLOGY_IRI, SKG

NAMESPACES = {
    "skg": str(SKG),
    "id": "https://w3id.org/survkg/id/",
    "owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": str(SKOS), "dct": str(DCTERMS), "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/", "org": "http://www.w3.org/ns/org#",
    "ftm": "https://schema.followthemoney.tech/#", "wd": "http://www.wikidata.org/entity/",
}
# Terms of other vocabularies our data uses, under short names in the JSON-LD context.
EXTERNAL_TERMS: dict[str, tuple[str, bool]] = {  # name: (curie, value is a node)
    "prefLabel": ("skos:prefLabel", False), "altLabel": ("skos:altLabel", False),
    "hiddenLabel": ("skos:hiddenLabel", False), "comment": ("rdfs:comment", False),
    "title": ("dct:title", False), "issued": ("dct:issued", False),
    "identifier": ("dct:identifier", False), "cites": ("dct:source", True),
    "quote": ("prov:value", False), "quotedFrom": ("prov:wasQuotedFrom", True),
    "derivedFrom": ("prov:wasDerivedFrom", True), "generatedAt": ("prov:generatedAtTime", False),
}
KINDS = [  # (rdf:type, section title, anchor)
    (OWL.Class, "Classes", "classes"),
    (OWL.ObjectProperty, "Object properties", "object-properties"),
    (OWL.DatatypeProperty, "Datatype properties", "datatype-properties"),
    (OWL.AnnotationProperty, "Annotation properties", "annotation-properties"),
]
ALIGNMENTS = (RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty)
EXAMPLE = """\
@prefix skg:  <https://w3id.org/survkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix id:   <https://w3id.org/survkg/id/> .

# In the named graph of the article <https://w3id.org/survkg/id/source/904e8dd01d35bbf1>:
<https://w3id.org/survkg/id/engagement/81ffc39006ef8c28> a skg:Engagement ;
    skg:stage skg:ContractStage ; skg:status skg:Active ;
    skg:vendor <https://w3id.org/survkg/id/vendor/clearview-ai> ;
    skg:agency <https://w3id.org/survkg/id/agency/hsi> ;
    skg:amount "224000"^^xsd:decimal ; skg:currency "USD" ;
    skg:startDate "2020-08"^^xsd:gYearMonth ;
    prov:wasDerivedFrom <https://w3id.org/survkg/id/source/904e8dd01d35bbf1> .

<https://w3id.org/survkg/id/evidence/0f3c6a2e1d9b8a47> a skg:Evidence ;
    skg:supports <https://w3id.org/survkg/id/engagement/81ffc39006ef8c28> ;
    prov:value "... signed the $224,000 deal for Clearview AI licenses in August 2020." ;
    prov:wasQuotedFrom <https://w3id.org/survkg/id/source/904e8dd01d35bbf1> ;
    skg:rule "sells_to:deal" .

<https://w3id.org/survkg/id/source/904e8dd01d35bbf1> a skg:Article ;
    dct:title "ICE investigators buy Clearview AI licenses for $224,000" ;
    skg:url "https://techcrunch.com/2020/08/14/clearview-ai-ice-hsi-contract-2020/"^^xsd:anyURI ;
    dct:issued "2020-08-14"^^xsd:date .
"""


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI itself."""
    for prefix, base in NAMESPACES.items():
        if iri.startswith(base) and len(iri) > len(base) and prefix != "id":
            return f"{prefix}:{iri[len(base):]}"
    return iri


def load_ontology() -> Graph:
    """The vocabulary graph (ontology/survkg.ttl)."""
    try:
        return Graph().parse(ontology_files()[0], format="turtle")
    except Exception as error:  # rdflib raises many parser types
        raise OntologyError(f"cannot read the ontology: {error}") from error


@dataclass(frozen=True)
class Term:
    """One term of the vocabulary, as the page shows it."""

    iri: URIRef
    name: str
    label: str
    comment: str
    facts: tuple[tuple[str, tuple[URIRef | Literal, ...]], ...]


FACTS = [  # (row title, predicate) shown for each term, when present
    ("subclass of", RDFS.subClassOf), ("equivalent to", OWL.equivalentClass),
    ("subproperty of", RDFS.subPropertyOf), ("domain", RDFS.domain), ("range", RDFS.range),
    ("type", RDF.type), ("property-graph label", SKG.nodeLabel),
    ("edge type", SKG.edgeType), ("edge from", SKG.edgeFrom), ("edge to", SKG.edgeTo),
    ("edge to, if absent", SKG.edgeToFallback),
]


def _text(graph: Graph, node: URIRef, predicate: URIRef) -> str:
    values = sorted(graph.objects(node, predicate), key=lambda v: (getattr(v, "language", "")
                                                                   not in ("en", None), str(v)))
    return str(values[0]) if values else ""


def _term(graph: Graph, iri: URIRef) -> Term:
    facts = tuple((title, tuple(sorted((v for v in graph.objects(iri, p)
                                        if isinstance(v, URIRef | Literal)
                                        and not str(v).startswith(str(OWL))), key=str)))
                  for title, p in FACTS)
    return Term(iri, curie(str(iri)).removeprefix("skg:"),
                _text(graph, iri, RDFS.label) or _text(graph, iri, SKOS.prefLabel),
                _text(graph, iri, RDFS.comment), tuple(f for f in facts if f[1]))


def terms_of(graph: Graph, kind: URIRef) -> list[Term]:
    """Our terms of one OWL kind (or the members of skg:Stage / skg:Status), by name."""
    found = [s for s in graph.subjects(RDF.type, kind)
             if isinstance(s, URIRef) and str(s).startswith(str(SKG))]
    return sorted((_term(graph, s) for s in found), key=lambda term: term.name.lower())


def alignments(graph: Graph) -> list[tuple[str, str, str]]:
    """(our term, relation, outside term) for every link to another vocabulary."""
    rows = [(curie(str(s)), curie(str(p)), str(o)) for p in ALIGNMENTS
            for s, o in graph.subject_objects(p)
            if str(s).startswith(str(SKG)) and not str(o).startswith(str(SKG))]
    return sorted(rows)


def registry_examples() -> dict[str, list[tuple[str, str]]]:
    """Up to three (name, IRI) instances per class from the reference registry."""
    graph = Graph()
    for path in ontology_files()[1:]:
        graph.parse(path, format="turtle")
    examples: dict[str, list[tuple[str, str]]] = {}
    for cls in sorted(set(graph.objects(None, RDF.type)), key=str):
        names = sorted((str(graph.value(s, SKOS.prefLabel) or s), str(s))
                       for s in graph.subjects(RDF.type, cls))
        examples[curie(str(cls)).removeprefix("skg:")] = names[:3]
    return examples


# ------------------------------------------------------------------ HTML
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(value: URIRef | Literal) -> str:
    if isinstance(value, Literal):
        return f"<code>{_e(value)}</code>"
    shown = curie(str(value))
    target = "#" + shown.removeprefix("skg:") if shown.startswith("skg:") else str(value)
    return f'<a href="{_e(target)}"><code>{_e(shown)}</code></a>'


def _term_html(term: Term, examples: dict[str, list[tuple[str, str]]]) -> str:
    rows = [f"<tr><th>{_e(title)}</th><td>{', '.join(_link(v) for v in values)}</td></tr>"
            for title, values in term.facts]
    rows += [f"<tr><th>example</th><td><a href=\"{_e(iri)}\">{_e(name)}</a></td></tr>"
             for name, iri in examples.get(term.name, [])]
    return (f'<section id="{_e(term.name)}"><h3>{_e(term.label or term.name)} '
            f"<code>skg:{_e(term.name)}</code></h3>"
            f"<p class=iri>{_e(term.iri)}</p><p>{_e(term.comment)}</p>"
            f"<table>{''.join(rows)}</table></section>")


STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
section{border-top:1px solid #ddd;padding-top:.5rem}th{text-align:left;padding-right:1rem;
vertical-align:top;font-weight:500;color:#555}.iri{color:#666;font-size:.85em;margin:0}
pre{background:#f6f6f6;padding:1rem;overflow-x:auto}table.list td{padding-right:1rem}"""


def render(graph: Graph, examples: dict[str, list[tuple[str, str]]]) -> tuple[str, int]:
    """The page's HTML and how many terms it documents."""
    ontology = URIRef(ONTOLOGY_IRI)
    title = _text(graph, ontology, DCTERMS.title) or "surveillance-kg ontology"
    version_iri = graph.value(ontology, OWL.versionIRI)
    license_ = graph.value(ontology, DCTERMS.license)
    head = [("ontology IRI", f'<a href="{_e(ontology)}">{_e(ontology)}</a>'),
            ("version IRI", f'<a href="{_e(version_iri)}">{_e(version_iri)}</a>'
             if version_iri else "none"),
            ("version", _e(_text(graph, ontology, OWL.versionInfo) or "unversioned")),
            ("license", _link(license_) if isinstance(license_, URIRef) else "none"),
            ("JSON-LD context", "<code>ontology/context.jsonld</code> (generated with this page)")]
    sections = [(name, anchor, terms_of(graph, kind)) for kind, name, anchor in KINDS]
    sections.append(("Stages and statuses", "individuals",
                     terms_of(graph, SKG.Stage) + terms_of(graph, SKG.Status)))
    body = [f"<h1>{_e(title)}</h1><table>"
            + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in head) + "</table>",
            "<nav><ul>" + "".join(f'<li><a href="#{a}">{_e(t)}</a> ({len(items)})</li>'
                                  for t, a, items in sections)
            + '<li><a href="#alignments">Alignments</a></li>'
              '<li><a href="#example">Example: a cited claim</a></li></ul></nav>']
    for section_title, anchor, items in sections:
        body.append(f'<h2 id="{anchor}">{_e(section_title)}</h2>')
        body.extend(_term_html(term, examples) for term in items)
    body.append('<h2 id="alignments">Alignments</h2><table class=list>' + "".join(
        f'<tr><td><a href="#{_e(s.removeprefix("skg:"))}"><code>{_e(s)}</code></a></td>'
        f"<td>{_e(p)}</td><td>{_link(URIRef(o))}</td></tr>"
        for s, p, o in alignments(graph)) + "</table>")
    body.append(f'<h2 id="example">Example: a cited claim</h2><pre>{_e(EXAMPLE)}</pre>')
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}'
            f"</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")
    return page, sum(len(items) for _, _, items in sections)


def export_ontology_doc(out: Path) -> int:
    """Write the ontology's HTML documentation to ``out``; returns the number of terms."""
    page, count = render(load_ontology(), registry_examples())
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as error:
        raise KgError(f"cannot write {out}: {error.strerror or error}") from error
    return count


# --------------------------------------------------------------- JSON-LD
def jsonld_context(graph: Graph | None = None) -> dict[str, Any]:
    """The ``@context`` for our data: prefixes, every skg term by its name, common outside terms.

    Object properties take node values (``"@type": "@id"``); datatype properties
    with a typed range coerce to it (plain strings stay plain).
    """
    graph = graph if graph is not None else load_ontology()
    context: dict[str, Any] = {"@version": 1.1}
    context.update({p: iri for p, iri in NAMESPACES.items()})
    named: dict[str, Any] = {}
    for kind, _, _ in KINDS:
        for term in terms_of(graph, kind):
            named[term.name] = _definition(graph, term, kind)
    for name, (short, node) in EXTERNAL_TERMS.items():
        if name in named or name in NAMESPACES:
            raise OntologyError(f"skg:{name} clashes with the JSON-LD alias {name!r}; "
                                f"rename the alias in kg/ontology_doc.py")
        named[name] = {"@id": short, "@type": "@id"} if node else short
    context.update(sorted(named.items()))
    return {"@context": context}


def _definition(graph: Graph, term: Term, kind: URIRef) -> Any:
    if kind == OWL.ObjectProperty:
        return {"@id": f"skg:{term.name}", "@type": "@id"}
    ranges = [str(r) for r in graph.objects(term.iri, RDFS.range)]
    typed = [r for r in ranges if r.startswith(NAMESPACES["xsd"]) and not r.endswith("#string")]
    if kind == OWL.DatatypeProperty and len(typed) == 1:
        return {"@id": f"skg:{term.name}", "@type": curie(typed[0])}
    return f"skg:{term.name}"


def write_context(out: Path | None = None) -> Path:
    """Write the context (to ontology/context.jsonld unless told otherwise)."""
    target = out or ontology_files()[0].with_name("context.jsonld")
    target.write_text(json.dumps(jsonld_context(), indent=2, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    return target
