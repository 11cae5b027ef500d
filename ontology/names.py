"""Names of the graph's terms for people and JSON: prefixed short forms, local names, and the
names of the truth statuses. Standard library only, so the check path can use it."""

from __future__ import annotations

from ontology import PREFIXES

# The truth statuses' local names in the ontology -> their names in dlcheck's output.
STATUS_NAMES = {"StatusTrue": "true", "StatusFalse": "false", "StatusPartlyTrue": "partly_true"}


def local_name(iri: str) -> str:
    """The name after an IRI's last '#' or '/': ".../ontology#isA" -> "isA"."""
    return str(iri).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def short(iri: str) -> str:
    """An IRI with a known prefix, as a curator writes it: "dlc:isA"; others as they are."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text
