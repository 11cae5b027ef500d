"""kg.store's Turtle parse: Oxigraph's parser, where it reads a file as rdflib's does, gives
the triples, their order and the prefix bindings rdflib's parser gives; where it might not
(a language tag's case, a literal typed xsd:string by hand, blank nodes, an error), rdflib's
parser reads the file."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, seed_files

from kg import store
from kg.errors import GraphLoadError

HOSTILE = FIXTURES.parent / "hostile"


def _rdflib(path: Path, data: bytes):
    """What rdflib's parser alone makes of the file: (triples, bindings) or the error."""
    original = store._oxigraph_parse
    store._oxigraph_parse = lambda path, data: None
    try:
        return store._parse(path, data)
    except GraphLoadError as exc:
        return str(exc)
    finally:
        store._oxigraph_parse = original


def _plain(triples) -> list[tuple]:
    """The triples, each term as its type and N3, sorted: rdflib's own order follows the
    process's string hashes."""
    return sorted(tuple((type(t).__name__, t.n3()) for t in triple) for triple in triples)


EDGES = {
    "upper_tag.ttl": '<urn:a> <urn:b> "x"@en-US .\n',
    "typed_string.ttl": (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:a> <urn:b> "x"^^xsd:string , "y" , "2020"^^xsd:gYear .\n'
    ),
    "typed_string_iri.ttl": '<urn:a> <urn:b> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n',
    "redeclared.ttl": (
        "@prefix a: <urn:one:> .\n<urn:s> a:p a:o .\n@prefix a: <urn:two:> .\n<urn:s> a:p a:o .\n"
    ),
    "nested.ttl": "<urn:s> <urn:p> " + "[ <urn:p> " * 200 + "<urn:o>" + " ]" * 200 + " .\n",
    "long_list.ttl": "<urn:s> <urn:p> (" + " <urn:o>" * 300 + " ) .\n",
    "cycle.ttl": "_:a <urn:p> _:b . _:b <urn:p> _:a .\n",
    "blank_nodes.ttl": '@prefix : <urn:x:> .\n:s :p [ :q ( 1 2.5 "three"@en ) ; :r [ :t 1 ] ] .\n',
    "literals.ttl": (
        "@prefix : <urn:x:> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        ':s :p 1 , -2.50 , 1e3 , true , "01"^^xsd:integer , "+5"^^xsd:integer , "x"@en ;\n'
        '   :u """two\r\nlines""" , "\\u00e9\\t" , \'single\' ; :v <relative> , <#frag> .\n'
        ':s :w 1.0 , "2020-01-01"^^xsd:date , "2020"^^xsd:gYear .\n'
    ),
}


def _files(tmp_path: Path) -> list[Path]:
    made = []
    for name, text in EDGES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        made.append(path)
    return [
        *store.ontology_files(),
        *seed_files(),
        FIXTURES / "broken.ttl",
        FIXTURES / "sheet_base.ttl",
        *sorted(HOSTILE.glob("*.ttl")),
        *made,
    ]


def test_oxigraph_reads_a_file_as_rdflib_does_or_leaves_it_to_rdflib(tmp_path):
    read_by_oxigraph = set()
    for path in _files(tmp_path):
        data = path.read_bytes()
        expected = _rdflib(path, data)
        fast = store._oxigraph_parse(path, data)
        if fast is not None:
            read_by_oxigraph.add(path.name)
            assert not isinstance(expected, str), f"{path}: rdflib refuses it: {expected}"
            assert len(fast[0]) == len(expected[0]), path
            assert _plain(fast[0]) == _plain(expected[0]), path
            assert [(p, str(n)) for p, n in fast[1]] == [(p, str(n)) for p, n in expected[1]]
        try:
            got = store._parse(path, data)
        except GraphLoadError as exc:
            got = str(exc)
        if isinstance(expected, str):
            assert got == expected
    assert {p.name for p in seed_files()} <= read_by_oxigraph
    assert {"literals.ttl", "sheet_base.ttl"} <= read_by_oxigraph
    left = {"upper_tag.ttl", "typed_string.ttl", "typed_string_iri.ttl", "redeclared.ttl"}
    assert not left & read_by_oxigraph
    blank = {"nested.ttl", "long_list.ttl", "cycle.ttl", "blank_nodes.ttl", "deep_nesting.ttl"}
    assert not blank & read_by_oxigraph
