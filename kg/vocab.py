"""The project vocabulary as an rdflib ``DefinedNamespace``.

``_fail = True`` makes a typo such as ``SKG.Vender`` raise instead of silently
minting a new IRI. Every term here is defined in ``ontology/survkg.ttl``; a test
checks that the two lists agree.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

BASE = "https://w3id.org/survkg/"
ONTOLOGY_IRI = BASE + "ontology"
ID = Namespace(BASE + "id/")


class SKG(DefinedNamespace):
    """Terms of ``https://w3id.org/survkg/ontology#``."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Organization: URIRef
    Vendor: URIRef
    Agency: URIRef
    Product: URIRef
    TechnologyCategory: URIRef
    Source: URIRef
    Article: URIRef
    Record: URIRef
    Evidence: URIRef
    Relationship: URIRef
    Engagement: URIRef
    Contract: URIRef
    Making: URIRef
    Ownership: URIRef
    Criticism: URIRef
    Funding: URIRef
    Stage: URIRef
    Status: URIRef
    # stages and statuses
    PitchStage: URIRef
    PilotStage: URIRef
    ContractStage: URIRef
    DeploymentStage: URIRef
    Active: URIRef
    Ended: URIRef
    Proposed: URIRef
    Paused: URIRef
    # projection annotations
    edgeType: URIRef
    edgeFrom: URIRef
    edgeTo: URIRef
    edgeToFallback: URIRef
    nodeLabel: URIRef
    # direct edges
    partOf: URIRef
    subsidiaryOf: URIRef
    makes: URIRef
    sharesDataWith: URIRef
    category: URIRef
    mentions: URIRef
    # relationship roles and details
    vendor: URIRef
    agency: URIRef
    product: URIRef
    reseller: URIRef
    stage: URIRef
    status: URIRef
    maker: URIRef
    subsidiary: URIRef
    parent: URIRef
    critic: URIRef
    target: URIRef
    funder: URIRef
    recipient: URIRef
    supportedBy: URIRef
    amount: URIRef
    currency: URIRef
    startDate: URIRef
    endDate: URIRef
    dateText: URIRef
    # evidence
    supports: URIRef
    rule: URIRef
    sentenceIndex: URIRef
    # entity data
    acronym: URIRef
    misnaming: URIRef
    placeName: URIRef
    level: URIRef
    resolved: URIRef
    introducedBy: URIRef
    wikidata: URIRef
    # source data
    outlet: URIRef
    url: URIRef
    file: URIRef
    contentHash: URIRef
    loader: URIRef
    loaderVersion: URIRef
    retrieved: URIRef
    # award records (issue #4)
    awarded: URIRef
    awardedTo: URIRef
    forProduct: URIRef
    subawardOf: URIRef
    awardId: URIRef
    piid: URIRef
    permalink: URIRef
    description: URIRef
    psc: URIRef
    naics: URIRef
    obligated: URIRef
    firstActionDate: URIRef
    lastActionDate: URIRef
    actions: URIRef
    foldedAwards: URIRef
    line: URIRef
    relevant: URIRef
    relevanceReason: URIRef
    uei: URIRef
    duns: URIRef
    agencyCode: URIRef
    # resolution decisions
    ResolutionDecision: URIRef
    nameAsWritten: URIRef
    resolvedTo: URIRef
    resolutionRule: URIRef
    resolutionHash: URIRef
