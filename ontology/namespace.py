"""The ontology's namespace as a closed vocabulary: a mistyped term is an error, not a new IRI."""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class DLC(DefinedNamespace):
    """Terms of ontology/dlcheck.ttl; keep in step with that file (a test checks both ways)."""

    _NS = Namespace("https://w3id.org/dlcheck/ontology#")
    _fail = True

    # Classes
    Claim: URIRef
    Concept: URIRef
    Field: URIRef
    Technique: URIRef
    Limitation: URIRef
    Hardware: URIRef
    Framework: URIRef
    ModelFamily: URIRef
    DataResource: URIRef
    Application: URIRef
    Audience: URIRef
    Quality: URIRef
    Relation: URIRef
    Source: URIRef
    Publication: URIRef
    SourceSection: URIRef
    Topic: URIRef
    TruthStatus: URIRef
    Modality: URIRef

    # Individuals
    StatusTrue: URIRef
    StatusFalse: URIRef
    StatusPartlyTrue: URIRef
    Always: URIRef
    Generally: URIRef
    Can: URIRef
    Upward: URIRef

    # Claim structure
    subject: URIRef
    relation: URIRef
    object: URIRef
    modality: URIRef
    truthStatus: URIRef
    condition: URIRef
    paraphrase: URIRef
    correctedBy: URIRef
    supportedBy: URIRef
    refutedBy: URIRef
    topic: URIRef
    section: URIRef
    excludes: URIRef

    # Annotations of relations
    frameLabel: URIRef
    inverseLabel: URIRef
    negativeLabel: URIRef
    closeTo: URIRef
    contraryTo: URIRef
    exclusiveVariant: URIRef
    impliedByAdjacency: URIRef
    disjointObjects: URIRef
    attribution: URIRef
    taxonomic: URIRef
    identity: URIRef
    objectMonotonicity: URIRef

    # Relations claims use
    requires: URIRef
    benefitsFrom: URIRef
    reduces: URIRef
    increases: URIRef
    accelerates: URIRef
    explains: URIRef
    enables: URIRef
    uses: URIRef
    solves: URIRef
    strugglesWith: URIRef
    hasLimitation: URIRef
    learnsFrom: URIRef
    usableBy: URIRef
    restrictedTo: URIRef
    appliedTo: URIRef
    hasProperty: URIRef
    isA: URIRef
    causes: URIRef
    prevents: URIRef
    usedDuring: URIRef
    computes: URIRef
    hasPart: URIRef
    outperforms: URIRef
    replaces: URIRef
    equivalentTo: URIRef
