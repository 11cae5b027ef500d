"""The networkx projection of the graph: resources as nodes, triples as labelled edges."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ontology.names import local_name

# Triples that describe the vocabulary rather than the domain; as edges they would make
# every claim a neighbour of every other through a handful of hubs.
_SKIP_PREDICATES = {
    RDF.type,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.oneOf,
}


def project(graph: Graph):
    """A MultiDiGraph: one node per IRI (with its label), one edge per triple between IRIs."""
    import networkx as nx

    network = nx.MultiDiGraph()
    for s, p, o in graph:
        if p in _SKIP_PREDICATES or not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        network.add_edge(str(s), str(o), key=str(p), predicate=str(p))
    for node in list(network.nodes):
        network.nodes[node]["label"] = _label(graph, URIRef(node))
    return network


def broader_digraph(graph: Graph):
    """The taxonomy: an edge from each concept to each of its skos:broader concepts."""
    import networkx as nx

    taxonomy = nx.DiGraph()
    for narrower, broader in graph.subject_objects(SKOS.broader):
        taxonomy.add_edge(str(narrower), str(broader))
    return taxonomy


def _label(graph: Graph, node: URIRef) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label):
        value = graph.value(node, predicate)
        if isinstance(value, Literal):
            return str(value)
    return local_name(node)
