"""The dlcheck ontology: its Turtle files and its namespace as a Python vocabulary.

Importing this package costs nothing: `importlib.resources` imports it to find the Turtle
files on the check path, which must not pay for rdflib. The rdflib vocabularies (DLC, KG,
CONCEPT, CLAIM, SOURCE, TOPIC) are made on first use.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# Prefixes pre-declared for curators' SPARQL and used when serialising.
PREFIXES: dict[str, str] = {
    "dlc": "https://w3id.org/dlcheck/ontology#",
    "c": "https://w3id.org/dlcheck/kg/concept/",
    "claim": "https://w3id.org/dlcheck/kg/claim/",
    "src": "https://w3id.org/dlcheck/kg/source/",
    "topic": "https://w3id.org/dlcheck/kg/topic/",
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
_NAMESPACES = {
    "KG": "https://w3id.org/dlcheck/kg/",
    "CONCEPT": PREFIXES["c"],
    "CLAIM": PREFIXES["claim"],
    "SOURCE": PREFIXES["src"],
    "TOPIC": PREFIXES["topic"],
}

__all__ = ["CLAIM", "CONCEPT", "DLC", "KG", "PREFIXES", "SOURCE", "TOPIC", "ontology_file"]


def ontology_file(name: str) -> Path:
    """Path of a bundled ontology file ("dlcheck.ttl" or "shapes.ttl")."""
    return Path(str(resources.files("ontology").joinpath(name)))


def __getattr__(name: str):
    if name == "DLC":
        from ontology.namespace import DLC

        return DLC
    if name in _NAMESPACES:
        from rdflib import Namespace

        return Namespace(_NAMESPACES[name])
    raise AttributeError(f"module 'ontology' has no attribute {name!r}")
