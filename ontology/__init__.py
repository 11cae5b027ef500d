"""The dlcheck ontology: its Turtle files and its namespace as a Python vocabulary."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rdflib import Namespace

from ontology.namespace import DLC

# Namespaces of the bundled data; the ontology's own terms live in DLC.
KG = Namespace("https://w3id.org/dlcheck/kg/")
CONCEPT = Namespace("https://w3id.org/dlcheck/kg/concept/")
CLAIM = Namespace("https://w3id.org/dlcheck/kg/claim/")
SOURCE = Namespace("https://w3id.org/dlcheck/kg/source/")
TOPIC = Namespace("https://w3id.org/dlcheck/kg/topic/")

# Prefixes pre-declared for curators' SPARQL and used when serialising.
PREFIXES: dict[str, str] = {
    "dlc": str(DLC),
    "c": str(CONCEPT),
    "claim": str(CLAIM),
    "src": str(SOURCE),
    "topic": str(TOPIC),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}

__all__ = ["CLAIM", "CONCEPT", "DLC", "KG", "PREFIXES", "SOURCE", "TOPIC", "ontology_file"]


def ontology_file(name: str) -> Path:
    """Path of a bundled ontology file ("dlcheck.ttl" or "shapes.ttl")."""
    return Path(str(resources.files("ontology").joinpath(name)))
