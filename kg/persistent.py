"""The graph as an on-disk Oxigraph store, built once per content hash, for curators' commands.

`query`, `stats`, `lint` and `export` used to parse every Turtle file on every run, which
grows with the graph (a minute at 100 times the bundled one). The store is built once for
the files' content hash: loaded into a temporary directory and renamed into place, so an
interrupted build leaves nothing a later command could trust. Later commands open it
read-only. SPARQL runs on Oxigraph itself, after kg/sparql.py's screening; the other
commands read the store through rdflib's Graph API (oxrdflib), so their code is unchanged.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph
from oxrdflib import OxigraphStore
from oxrdflib._converter import to_ox_quad_pattern
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Variable

from kg.errors import DlcheckError, GraphLoadError, UsageError
from kg.sparql import GRAPH_IRI
from kg.store import (
    bundled_data_files,
    content_hash,
    ontology_files,
    parse_turtle,
    read_triples,
)

# The data lives in one named graph and the default graph is their union, as on the server
# (kg.sparql.as_dataset): `GRAPH ?g { ... }` finds it under this name.
GRAPH = pyoxigraph.NamedNode(GRAPH_IRI)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
BATCH = 200_000  # quads a bulk load takes at once (_build)

_open: dict[str, object] = {}


def store_files(paths: Sequence[Path] | None = None) -> list[Path]:
    """The files a store holds: the ontology plus `paths`, or plus the bundled data."""
    files = list(dict.fromkeys(paths)) if paths else bundled_data_files()
    return [p for p in ontology_files() if p not in files] + files


def open_store(paths: Sequence[Path] | None = None):
    """The read-only pyoxigraph Store of the graph in `paths` (default: the bundled graph).

    Built the first time these files' content is seen; GraphLoadError names the file and
    line of a Turtle error, as kg.store.load_graph does.
    """
    files = store_files(paths)
    from kg.cache import code_fingerprint  # what goes into a store is this module's code

    code = code_fingerprint("kg.persistent", "kg.store")
    key = content_hash(files, extra=f"{code}/{pyoxigraph.__version__}".encode())
    if key in _open:
        return _open[key]
    folder = _stores_dir()
    target = folder / key[:32]
    if not (target / ".complete").is_file():
        _build(files, folder, target)
        _prune(folder, keep=target)
    try:
        store = pyoxigraph.Store.read_only(str(target))
    except OSError as exc:
        raise DlcheckError(f"{target}: cannot open the graph store ({exc})") from None
    _open[key] = store
    return store


def store_graph(paths: Sequence[Path] | None = None):
    """An rdflib Graph reading the store of `paths`, with dlcheck's prefixes bound."""
    from ontology import PREFIXES

    graph = Graph(store=_ReadStore(store=open_store(paths)), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def run_query(store, query):
    """Run a screened query (kg.sparql.PreparedQuery) on the store; an rdflib Result.

    Only screened queries come here: Oxigraph would run SERVICE and load FROM graphs too.
    """
    from ontology import PREFIXES

    try:
        answer = store.query(
            query.text,
            prefixes={k: str(v) for k, v in PREFIXES.items()},
            use_default_graph_as_union=True,
        )
        if isinstance(answer, pyoxigraph.QueryBoolean):
            result = Result("ASK")
            result.askAnswer = bool(answer)
        elif isinstance(answer, pyoxigraph.QuerySolutions):
            result = Result("SELECT")
            result.vars = [Variable(v.value) for v in answer.variables]
            result.bindings = [
                {v: to_rdflib(t) for v, t in zip(result.vars, row, strict=True) if t is not None}
                for row in answer
            ]
        else:
            result = Result(query.form)
            result.graph = Graph()
            for triple in answer:
                result.graph.add(tuple(to_rdflib(t) for t in triple))
    except (SyntaxError, ValueError, OSError) as exc:
        raise UsageError(f"SPARQL evaluation failed: {exc}") from None
    return result


def to_rdflib(term):
    """An Oxigraph term as rdflib's: a plain literal stays plain (rdflib parses "x" without
    a datatype; Oxigraph says xsd:string), so results print as they did from rdflib."""
    if isinstance(term, pyoxigraph.NamedNode):
        return _iri(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else _iri(datatype))


@functools.lru_cache(maxsize=1 << 20)
def _iri(value: str) -> URIRef:
    # The same few IRIs come back again and again; making a URIRef checks its characters.
    return URIRef(value)


def _ox_literal(term):
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    if term.datatype:
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(term.datatype))
    return pyoxigraph.Literal(str(term))


def _ox_term(term):
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(term)
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(term)
    return _ox_literal(term)


def _build(files: list[Path], folder: Path, target: Path) -> None:
    """Load `files` into a new store beside `target`, then rename it to `target`."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = Path(tempfile.mkdtemp(dir=folder, prefix=".build-"))
    try:
        store = pyoxigraph.Store(str(temp))
        # Files are loaded in bulk batches of BATCH quads: a bulk load per file wrote and
        # ingested new files on disk each time, a fixed cost that was most of a build of
        # thousands of files; one load of everything would hold it all in memory at once.
        batch: list = []
        for path in files:
            batch += _file_quads(path)
            if len(batch) >= BATCH:
                store.bulk_extend(batch)
                batch = []
        store.bulk_extend(batch)
        store.optimize()
        del store  # closes the database before it moves
        _private(temp)
        (temp / ".complete").write_bytes(b"")
        os.chmod(temp / ".complete", 0o600)
        try:
            os.rename(temp, target)
        except OSError:
            if not (target / ".complete").is_file():  # another process did not win the race
                raise
    except OSError as exc:
        raise DlcheckError(f"cannot build the graph store under {folder} ({exc})") from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _file_quads(path: Path) -> list:
    """One Turtle file's triples as quads of the data's named graph, with the base IRI
    kg.store gives it, and blank nodes of their own (as a bulk load of the file had them).

    Oxigraph's parser is the fast path. What it refuses goes through rdflib's parser: a
    real error then reads as it always has (file:line), and Turtle that only rdflib accepts
    still loads. A file with typed literals is checked first as the compile reads it
    (kg.store.read_triples: each typed literal's text against its datatype, by rdflib's
    rules), which refuses one that does not fit ("x"^^xsd:integer) where Oxigraph keeps it;
    parsing the whole file with rdflib for that took most of a store's build.
    """
    base = path.resolve().as_uri()
    try:
        data = path.read_bytes()
        if b"^^" in data:
            read_triples(path)  # raises GraphLoadError naming the file and line
        parsed = pyoxigraph.parse(
            data, pyoxigraph.RdfFormat.TURTLE, base_iri=base, rename_blank_nodes=True
        )
        return [pyoxigraph.Quad(t.subject, t.predicate, t.object, GRAPH) for t in parsed]
    except SyntaxError:
        pass
    except OSError as exc:
        raise GraphLoadError(f"{path}: cannot read ({exc})") from None
    graph = Graph()
    parse_turtle(graph, path)  # raises GraphLoadError naming the file and line
    return [pyoxigraph.Quad(_ox_term(s), _ox_term(p), _ox_term(o), GRAPH) for s, p, o in graph]


def _stores_dir() -> Path:
    from kg.cache import cache_dir

    return cache_dir() / "stores"


def _private(folder: Path) -> None:
    os.chmod(folder, 0o700)
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in names:
            os.chmod(Path(root) / name, 0o600)


def _prune(folder: Path, keep: Path, age: float = 86_400.0) -> None:
    """Stores of older content go after a day (not at once: a running command may read one)."""
    now = time.time()
    for path in folder.iterdir():
        try:
            if path != keep and path.is_dir() and now - path.stat().st_mtime > age:
                shutil.rmtree(path)
        except OSError:
            pass  # gone already, or not ours to remove


class _ReadStore(OxigraphStore):
    """oxrdflib's store, read-only, with plain literals read back as rdflib parses them."""

    def triples(self, triple_pattern, context=None):
        try:
            s, p, o, _ = to_ox_quad_pattern(triple_pattern, context)
            quads = self._inner.quads_for_pattern(s, p, o, None)  # the one graph there is
        except (TypeError, ValueError):
            return iter(())  # a pattern no triple can match, such as a literal subject
        # Everything is in the one named graph, and a plain Graph ignores the contexts: no
        # Graph object per triple, as oxrdflib makes. A term the pattern gives is the term
        # found, so only the open ones are converted.
        s, p, o = triple_pattern
        return (
            (
                (
                    s if s is not None else to_rdflib(q.subject),
                    p if p is not None else to_rdflib(q.predicate),
                    o if o is not None else to_rdflib(q.object),
                ),
                iter(()),
            )
            for q in quads
        )

    def __len__(self, context=None) -> int:
        # Every triple is in the store once: the store's own count, not oxrdflib's
        # COUNT(DISTINCT ...) query, which reads every triple.
        return len(self._inner)

    def add(self, triple, context, quoted=False):
        raise DlcheckError("the graph store is read-only")

    def addN(self, quads):
        raise DlcheckError("the graph store is read-only")

    def remove(self, triple, context=None):
        raise DlcheckError("the graph store is read-only")
