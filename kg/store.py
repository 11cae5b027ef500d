"""Loading the graph: the bundled ontology and data, or a curator's own Turtle files."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from kg.errors import GraphLoadError


def bundled_data_files() -> list[Path]:
    """The curated Turtle files shipped in kg/data/, sorted by name."""
    folder = resources.files("kg").joinpath("data")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".ttl"))


def ontology_files() -> list[Path]:
    """The ontology's schema file (the shapes are loaded separately, only for validation)."""
    return [Path(str(resources.files("ontology").joinpath("dlcheck.ttl")))]


def shapes_file() -> Path:
    return Path(str(resources.files("ontology").joinpath("shapes.ttl")))


def default_files() -> list[Path]:
    """Ontology plus bundled data: what every command reads unless told otherwise."""
    return ontology_files() + bundled_data_files()


def gather_graph_files(given: Sequence[Path], *, bundled: bool = True) -> list[Path]:
    """The graph files a command reads for `--graph` values: the bundled data (unless
    `bundled` is false, `--no-bundled`), then each given file, a directory giving its `*.ttl`
    in name order. A file named twice is read once.
    """
    files = [(path, _identity(path)) for path in bundled_data_files()] if bundled else []
    for path in given:
        path = path if isinstance(path, Path) else Path(path)  # Path(a Path) parses it again
        key = _identity(path)
        if type(key) is tuple and key[2]:  # a directory
            found = sorted(path.glob("*.ttl"))
            if not found:
                raise GraphLoadError(f"{path}: a directory with no *.ttl file")
            files.extend((p, _identity(p)) for p in found)
        else:
            files.append((path, key))
    seen: set[object] = set()
    unique = []
    for path, key in files:
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _identity(path: Path) -> object:
    """What tells two names of one file apart from two files: its device and inode (and
    whether it is a directory), one system call; resolving the path took one per part of it,
    for each of a large graph's thousands of files. A path that cannot be read, resolved
    (reading it says why)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return path.resolve()
    return (info.st_dev, info.st_ino, stat.S_ISDIR(info.st_mode))


def content_hash(paths: Iterable[Path], extra: bytes = b"") -> str:
    """A hash of the files' names and bytes: the cache key of anything compiled from them."""
    digest = hashlib.sha256(extra)
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(_read_bytes(path))
        digest.update(b"\0")
    return digest.hexdigest()


def load_graph(paths: Sequence[Path] | None = None, *, with_ontology: bool = True):
    """Parse Turtle files into one rdflib Graph.

    `paths` are a curator's files; the ontology is always added so that data files can be
    validated and queried against it. Raises GraphLoadError naming the file and line.
    """
    from rdflib import Graph

    from ontology import PREFIXES

    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    files = list(paths) if paths is not None else bundled_data_files()
    if with_ontology:
        files = [p for p in ontology_files() if p not in files] + files
    for path in files:
        parse_turtle(graph, path)
    return graph


def parse_turtle(graph, path: Path) -> None:
    """Add one Turtle file to `graph`, turning parser errors into a GraphLoadError.

    A file read before in this process, with the same bytes, is not parsed again: a push, a
    validation or a sheet import reads the same files several times, and rdflib's Turtle
    parser costs about a millisecond a statement where adding a parsed triple costs a few
    microseconds.
    """
    triples, bindings = _parsed(path)
    for prefix, namespace in bindings:
        graph.bind(prefix, namespace)
    graph.addN((s, p, o, graph) for s, p, o in triples)


def parsed_triples(path: Path) -> tuple:
    """The rdflib triples of one Turtle file, as `parse_turtle` adds them to a graph (the same
    terms, blank nodes included), without building a graph: for reading a file's triples."""
    return _parsed(path)[0]


def _parsed(path: Path) -> tuple[tuple, tuple]:
    data = _read_bytes(path)
    key = (str(Path(path).resolve()), hashlib.sha256(data).digest())
    with _PARSED_LOCK:
        parsed = _PARSED.get(key)
        if parsed is not None:
            _PARSED.move_to_end(key)
            return parsed
    parsed = _parse(path, data)  # outside the lock: two threads may parse one file, both right
    with _PARSED_LOCK:
        _remember(key, parsed)
    return parsed


# Parsed files by resolved path and content: (triples, prefix bindings). The path is part of
# the key because a file's blank nodes are its own; a graph never holds one path twice.
_PARSED: OrderedDict[tuple[str, bytes], tuple[tuple, tuple]] = OrderedDict()
_PARSED_TRIPLES = 2_000_000  # about a gigabyte at most; beyond it the oldest files go
# Threads share it (two curators' pushes racing in one process, a server's request threads):
# summing its sizes while another thread adds a file raised "mutated during iteration".
_PARSED_LOCK = threading.Lock()


def _remember(key: tuple[str, bytes], parsed: tuple[tuple, tuple]) -> None:
    _PARSED[key] = parsed
    total = sum(len(triples) for triples, _ in _PARSED.values())
    while total > _PARSED_TRIPLES and len(_PARSED) > 1:
        _, (oldest, _) = _PARSED.popitem(last=False)
        total -= len(oldest)


def _parse(path: Path, data: bytes) -> tuple[tuple, tuple]:
    """The triples and prefix bindings of one Turtle file, or a GraphLoadError: those rdflib's
    parser gives. Oxigraph's parser reads the file when it gives the same (`_oxigraph_parse`,
    about six times faster); else, and for every error, rdflib's does."""
    from rdflib import Graph

    fast = _oxigraph_parse(path, data)
    if fast is not None:
        return fast
    graph = Graph(bind_namespaces="none")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GraphLoadError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")  # the byte-order mark some editors write is no triple
    ill_typed = _Counter()
    term_log = logging.getLogger("rdflib.term")
    term_log.addHandler(ill_typed)
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
        raise GraphLoadError(f"{path}:{_error_line(exc)}: {_error_message(exc)}") from None
    finally:
        term_log.removeHandler(ill_typed)
    if ill_typed.count:
        _refuse_ill_typed(graph, path, text)
    return tuple(graph), tuple(graph.namespaces())


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# What rdflib's parser keeps and Oxigraph's does not: a language tag's case ("@en-US" is
# "en-us" to Oxigraph) and a literal typed xsd:string by hand (Oxigraph cannot tell it from a
# plain one). A file that may hold either is read by rdflib.
_UPPER_TAG = re.compile(r"[\"']@[A-Za-z0-9-]*[A-Z]")
_DATATYPE = re.compile(r"\^\^\s*(<[^>\s]*>|[^\s;,)\]]*)")
_PNAME = re.compile(r"([A-Za-z][\w.-]*)?:([\w.-]*)")
_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^>]*>")
_PREFIX = re.compile(r"(?i)(?:@prefix|\bprefix)\s+((?:[A-Za-z][\w.-]*)?):")


class _NotAsRdflib(Exception):
    """Oxigraph's reading of a file may differ from rdflib's: rdflib's parser reads it."""


def _oxigraph_parse(path: Path, data: bytes) -> tuple[tuple, tuple] | None:
    """`_parse`'s triples and bindings, read by Oxigraph's parser into rdflib terms, or None
    when rdflib's parser must read the file: not UTF-8, an error, an ill-typed literal, a
    blank node, or what Oxigraph would read otherwise (`_UPPER_TAG`, a datatype that is or may
    be xsd:string, a prefix declared twice). The same triples (in the order read, where
    rdflib's follows the process's string hashes) and the same bindings in the order
    declared (tests/test_store_parse.py; checked on every bundled file)."""
    import pyoxigraph

    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if _UPPER_TAG.search(text):
        return None
    parser = pyoxigraph.parse(
        input=text,
        format=pyoxigraph.RdfFormat.TURTLE,
        base_iri=Path(path).resolve().as_uri(),
    )
    try:
        quads = list(parser)
    except SyntaxError:
        return None
    prefixes = parser.prefixes
    declared = _PREFIX.findall(text)
    if len(declared) != len(set(declared)) or set(declared) != set(prefixes):
        return None  # redeclared, or "prefix x:" in a string or comment: rdflib knows
    if "^^" in text and not all(_not_string(t, prefixes) for t in _DATATYPE.findall(text)):
        return None
    try:
        triples = _as_rdflib(quads)
    except _NotAsRdflib:
        return None
    return triples, tuple((name, _uri(prefixes[name])) for name in declared)


def _uri(text: str):
    from rdflib import URIRef

    return URIRef(text)


def _not_string(token: str, prefixes: dict[str, str]) -> bool:
    """Whether a datatype written after ^^ is surely not xsd:string."""
    if token.startswith("<"):
        return _ABSOLUTE.fullmatch(token) is not None and token[1:-1] != XSD_STRING
    match = _PNAME.fullmatch(token.rstrip("."))  # a local name never ends with a dot
    if match is None or (match.group(1) or "") not in prefixes:
        return False
    return prefixes[match.group(1) or ""] + match.group(2) != XSD_STRING


def _as_rdflib(quads: list) -> tuple:
    """The quads' triples as rdflib's parser makes them; _NotAsRdflib for an ill-typed
    literal or a blank node (rdflib names blank nodes its own way, and its parser recurses
    into nested ones: deep nesting is refused there, read here)."""
    import pyoxigraph
    from rdflib import Literal, URIRef

    named = pyoxigraph.NamedNode
    made: dict = {}

    def term(node):
        found = made.get(node)
        if found is not None:
            return found
        kind = type(node)
        if kind is named:
            found = URIRef(node.value)
        elif kind is not pyoxigraph.Literal:
            raise _NotAsRdflib
        elif node.language:
            found = Literal(node.value, lang=node.language)
        elif node.datatype.value == XSD_STRING:
            found = Literal(node.value)
        else:
            counter = _Counter()  # rdflib logs an ill-typed literal's traceback
            term_log = logging.getLogger("rdflib.term")
            term_log.addHandler(counter)
            try:
                found = Literal(node.value, datatype=URIRef(node.datatype.value))
            finally:
                term_log.removeHandler(counter)
            if found.ill_typed or counter.count:
                raise _NotAsRdflib
        made[node] = found
        return found

    # A triple stated twice is one triple of the graph, as rdflib's parser gives it.
    read = ((term(q.subject), term(q.predicate), term(q.object)) for q in quads)
    return tuple(dict.fromkeys(read))


class _IllTyped(Exception):
    """A typed literal whose text does not fit its datatype: rdflib's parser says which."""


def read_triples(path: Path, names: dict[str, str] | None = None) -> list[tuple]:
    """The triples of one Turtle file as plain values, for the compile (kg/compile.py).

    An IRI is a str, a blank node `(label, None)`, a literal `(text, tag)` with tag "" for a
    plain string, "@lang" for a language's, else its datatype's IRI; a typed literal's text
    is the one rdflib gives it (rdflib normalises "01"^^xsd:integer to "1"). Oxigraph's parser
    reads the file (a few microseconds a triple, where rdflib's takes about a hundred); what
    it refuses, a file that is not UTF-8 and an ill-typed literal go through rdflib's parser,
    so an error reads as it always has (file:line), and Turtle only rdflib accepts still loads.
    A file's blank nodes are its own. `names` keeps one str per IRI across files (the same
    IRIs come back on every line of a graph); nothing else is kept.
    """
    names = {} if names is None else names
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
        return _oxigraph_triples(text, Path(path).resolve().as_uri(), names.setdefault)
    except (UnicodeDecodeError, SyntaxError, _IllTyped):
        pass
    triples, _ = _parse(path, data)  # GraphLoadError naming the file and line
    return [tuple(_plain(term, names.setdefault) for term in triple) for triple in triples]


def _oxigraph_triples(text: str, base: str, intern) -> list[tuple]:
    import pyoxigraph

    named, blank = pyoxigraph.NamedNode, pyoxigraph.BlankNode
    out = []
    for quad in pyoxigraph.parse(
        input=text, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base, rename_blank_nodes=True
    ):
        s, o = quad.subject, quad.object
        s = intern(s.value, s.value) if type(s) is named else (s.value, None)
        kind = type(o)
        if kind is named:
            o = intern(o.value, o.value)
        elif kind is blank:
            o = (o.value, None)
        elif o.language:
            o = (o.value, "@" + o.language.lower())
        else:
            datatype = o.datatype.value
            o = (o.value, "") if datatype == XSD_STRING else _typed(o.value, datatype)
        p = quad.predicate.value
        out.append((s, intern(p, p), o))
    return out


def _typed(text: str, datatype: str) -> tuple[str, str]:
    """A typed literal as rdflib's parser makes it: its normalised text, or _IllTyped."""
    from rdflib import Literal, URIRef

    counter = _Counter()  # rdflib logs an ill-typed literal's traceback: kept off stderr
    term_log = logging.getLogger("rdflib.term")
    term_log.addHandler(counter)
    try:
        literal = Literal(text, datatype=URIRef(datatype))
    finally:
        term_log.removeHandler(counter)
    if literal.ill_typed:
        raise _IllTyped(text)
    return (str(literal), datatype)


def _plain(term, intern):
    """An rdflib term as read_triples gives it."""
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        if term.language:
            return (str(term), "@" + term.language.lower())
        datatype = str(term.datatype) if term.datatype else ""
        return (str(term), "" if datatype == XSD_STRING else datatype)
    if isinstance(term, BNode):
        return (str(term), None)
    text = str(term)
    return intern(text, text)


class _Counter(logging.Handler):
    """Counts what rdflib logs while one file is parsed (ill-typed literals, in practice)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _refuse_ill_typed(graph, path: Path, text: str) -> None:
    """A GraphLoadError naming the first literal whose text does not fit its datatype."""
    from rdflib import Literal

    for value in graph.objects():
        if isinstance(value, Literal) and value.ill_typed:
            datatype = str(value.datatype).rsplit("#", 1)[-1]
            quoted = f'"{value}"'
            line = next((n for n, row in enumerate(text.splitlines(), 1) if quoted in row), "?")
            raise GraphLoadError(
                f"{path}:{line}: {quoted} is not a valid {datatype} "
                f"(the literal's text does not fit its datatype)"
            )


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise GraphLoadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise GraphLoadError(f"{path}: is a directory, not a Turtle file") from None
    except OSError as exc:
        raise GraphLoadError(f"{path}: cannot read ({exc.strerror})") from None


def _error_line(exc: Exception) -> str:
    lines = getattr(exc, "lines", None)  # rdflib's BadSyntax counts lines from 0
    if isinstance(lines, int):
        return str(lines + 1)
    match = re.search(r"line (\d+)", str(exc))
    return match.group(1) if match else "?"


def _error_message(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "Turtle nested too deeply (blank nodes or lists inside one another)"
    why = getattr(exc, "_why", None)  # BadSyntax keeps the reason apart from its context dump
    if why:
        near = getattr(exc, "_str", b"")[getattr(exc, "_i", 0) :][:40]
        text = near.decode("utf-8", "replace").split("\n")[0]
        return f"Turtle syntax error: {why}" + (f" near {text!r}" if text.strip() else "")
    message = " ".join(str(exc).split())
    return message[:300] or type(exc).__name__
