"""Safe pushes and pulls between a curator's files and the team's triple store.

A push (1) refuses a graph that does not validate, unless forced; (2) refuses to overwrite
a store whose content is not the one this curator last pulled or pushed (an optimistic
lock: no lost update); (3) records the content hash, time and curator of what it pushed as
provenance triples in a metadata graph beside the data.

The lock is taken in the store itself, by one SPARQL Update that swaps the recorded hash
only if it is still the one this curator started from (compare and swap): of two curators
pushing from the same base, exactly one swap succeeds, and only its owner uploads the data
(with the Graph Store Protocol PUT of kg/remote.py). What a curator last pulled or pushed is
kept per store and graph in a small JSON file ($DLCHECK_STATE, else
$XDG_STATE_HOME/dlcheck/sync.json, else ~/.local/state/dlcheck/sync.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kg.errors import DlcheckError, UsageError

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# How long a claim on the store waits before counting rival claims: far longer than a store
# takes to apply a small update, so claims made at the same moment are all visible by then.
SETTLE_SECONDS = 0.5


class PushRefused(DlcheckError):
    """The push would lose a teammate's work, or upload a graph that does not validate."""


@dataclass(frozen=True)
class Store:
    """The URLs of one store and the named graph dlcheck keeps in it."""

    query: str  # SPARQL query endpoint
    update: str  # SPARQL update endpoint
    graph_iri: str

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.graph_iri)
        if not parts.scheme or any(c in self.graph_iri for c in '<>" {}|\\^`'):
            raise UsageError(f"--graph-iri {self.graph_iri!r} is not an absolute IRI")

    @property
    def meta_iri(self) -> str:
        """The metadata graph: what was pushed, when, by whom, with which content hash."""
        return self.graph_iri.rstrip("/#") + "/meta"

    @property
    def key(self) -> str:
        return f"{self.query} {self.graph_iri}"


def update_url(endpoint: str) -> str:
    """The SPARQL Update URL that goes with a query endpoint of a known store.

    Oxigraph: /query -> /update. Fuseki: /DATASET/sparql or /query -> /DATASET/update.
    GraphDB and RDF4J: /repositories/ID -> /repositories/ID/statements.
    """
    from kg.remote import check_url

    check_url(endpoint)
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    segments = path.split("/")
    if path == "/query":
        new_path = "/update"
    elif len(segments) >= 3 and segments[-1] in ("sparql", "query"):
        new_path = "/".join([*segments[:-1], "update"])
    elif len(segments) >= 3 and segments[-2] == "repositories":
        new_path = path + "/statements"
    else:
        raise UsageError(f"cannot tell the update URL of {endpoint}; give it with --update URL")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))


# --- content hashes and the curator's own record --------------------------------------------


def graph_hash(graph) -> str:
    """sha256 of the graph's canonical N-Triples: the same for the same triples, whatever
    their order or blank-node labels.

    Only the triples that hold a blank node are canonicalized: a blank node's canonical
    label depends on those alone (rdflib.compare colours the nodes next to blank nodes and
    nothing else), and canonicalizing all 40,000 triples of the bundled graph to relabel a
    dozen cost seconds on every push and pull.
    """
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    blank = Graph()
    lines = []
    for s, p, o in graph:
        if isinstance(s, BNode) or isinstance(p, BNode) or isinstance(o, BNode):
            blank.add((s, p, o))
        else:
            lines.append(f"{s.n3()} {p.n3()} {o.n3()} .")
    lines += (f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in to_canonical_graph(blank))
    lines.sort()
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def state_path() -> Path:
    """Where this curator's record of the last pull or push of each store is kept."""
    explicit = os.environ.get("DLCHECK_STATE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "dlcheck" / "sync.json"


def _read_state(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable sync record ({exc})") from None
    return data if isinstance(data, dict) else {}


def last_seen(store: Store, path: Path | None = None) -> str | None:
    """The content hash this curator last pulled from or pushed to `store`."""
    return _read_state(path or state_path()).get(store.key, {}).get("hash")


def remember(store: Store, content_hash: str, what: str, path: Path | None = None) -> None:
    from kg.export import write_atomically

    path = path or state_path()
    state = _read_state(path)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    state[store.key] = {"hash": content_hash, "at": now, "by": what}
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(state, indent=1, sort_keys=True).encode()
    write_atomically(path, lambda handle: handle.write(data))


# --- talking to the store -----------------------------------------------------------------


def _select(store: Store, query: str) -> list[dict[str, str]]:
    from kg.remote import EndpointError

    data, _ = _ask(store, query, "application/sparql-results+json")
    try:
        rows = json.loads(data)["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise EndpointError(f"SPARQL endpoint {store.query} did not answer SPARQL JSON") from None
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def _ask(store: Store, query: str, accept: str) -> tuple[bytes, str]:
    """POST a query to the store's query endpoint; (body, media type) of its answer."""
    from kg.remote import _send

    request = urllib.request.Request(
        store.query,
        data=urllib.parse.urlencode({"query": query}).encode(),
        method="POST",
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    data, media_type, _ = _send(request, f"SPARQL endpoint {store.query}", None)
    return data, media_type


def _update(store: Store, update: str) -> None:
    from kg.remote import _send

    request = urllib.request.Request(
        store.update,
        data=update.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/sparql-update; charset=utf-8"},
    )
    _send(request, f"SPARQL update endpoint {store.update}", None)


def store_graph(store: Store):
    """The triples of the store's named graph, as an rdflib Graph (empty when there is none)."""
    from rdflib import Graph

    from kg.remote import EndpointError

    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{store.graph_iri}> {{ ?s ?p ?o }} }}"
    data, media_type = _ask(store, query, "application/n-triples")
    graph = Graph()
    try:
        graph.parse(data=data, format="nt" if media_type == "application/n-triples" else "turtle")
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        why = " ".join(str(exc).split())[:200]
        raise EndpointError(f"SPARQL endpoint {store.query} answered bad RDF: {why}") from None
    return graph


@dataclass(frozen=True)
class Recorded:
    """What the metadata graph says about the last push."""

    hash: str
    push: str  # the push's IRI (urn:uuid:...)
    at: str
    by: str  # the curator's IRI
    name: str  # the curator's name, when recorded


def recorded(store: Store) -> Recorded | None:
    rows = _select(
        store,
        f"SELECT ?hash ?push ?at ?by ?name WHERE {{ GRAPH <{store.meta_iri}> {{ "
        f"<{store.graph_iri}> <{DCTERMS}identifier> ?hash ; <{PROV}wasGeneratedBy> ?push . "
        f"OPTIONAL {{ ?push <{PROV}endedAtTime> ?at }} "
        f"OPTIONAL {{ ?push <{PROV}wasAssociatedWith> ?by }} "
        f"OPTIONAL {{ ?by <http://www.w3.org/2000/01/rdf-schema#label> ?name }} }} }}",
    )
    if not rows:
        return None
    row = rows[0]
    return Recorded(
        row["hash"], row["push"], row.get("at", ""), row.get("by", ""), row.get("name", "")
    )


def claimants(store: Store) -> dict[str, str]:
    """push IRI -> curator name (or IRI) of every push the metadata graph records now."""
    rows = _select(
        store,
        f"SELECT ?push ?by ?name WHERE {{ GRAPH <{store.meta_iri}> {{ "
        f"<{store.graph_iri}> <{PROV}wasGeneratedBy> ?push . "
        f"OPTIONAL {{ ?push <{PROV}wasAssociatedWith> ?by }} "
        f"OPTIONAL {{ ?by <http://www.w3.org/2000/01/rdf-schema#label> ?name }} }} }}",
    )
    return {row["push"]: row.get("name") or row.get("by", "") for row in rows}


def _withdraw(store: Store, push_id: str) -> str:
    """One SPARQL Update taking back a losing claim: its link and its activity. A hash it
    left on the record goes when the winner writes its final record."""
    meta, graph = store.meta_iri, store.graph_iri
    return (
        f"DELETE WHERE {{ GRAPH <{meta}> {{ <{graph}> <{PROV}wasGeneratedBy> <{push_id}> . "
        f"<{push_id}> ?p ?o }} }}"
    )


def current_hash(store: Store) -> str | None:
    """The hash of what the store's graph holds now (None when it holds nothing)."""
    graph = store_graph(store)
    return graph_hash(graph) if len(graph) else None


# --- push and pull ------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    store: str  # where the data went (graph-store URL with its graph parameter)
    triples: int
    content_hash: str
    previous: str | None
    status: int
    forced_invalid: bool


def safe_push(
    graph_files: Sequence[Path] | None,
    store: Store,
    curator: str,
    *,
    force: bool = False,
    graph_store: str | None = None,
    warn=print,
    state_file: Path | None = None,
) -> PushResult:
    """Validate, take the store's lock by compare and swap, upload, record provenance."""
    from kg.remote import graph_store_url
    from kg.remote import push as put_graph
    from kg.sheet import curator_iri
    from kg.store import load_graph
    from kg.validate import validate_files

    files = list(graph_files) if graph_files else None
    graph = load_graph(files)
    report = validate_files(files)  # cached per file: what `dlcheck validate` checked is free
    if not report.conforms:
        problems = len(report.violations)
        first = report.violations[0]
        where = f"{first.focus}: {first.message}"
        if not force:
            raise PushRefused(
                f"the graph does not validate ({problems} problem(s); first: {where}); "
                "nothing was pushed. Fix it (dlcheck validate), or push anyway with --force"
            )
        warn(f"dlcheck: warning: pushing a graph that does not validate ({problems} problem(s))")
    new_hash = graph_hash(graph)

    base = last_seen(store, state_file)
    now_in_store = current_hash(store)
    if now_in_store is not None and now_in_store != base and not force:
        said = recorded(store)
        who = f" (last pushed by {said.name or said.by} at {said.at})" if said else ""
        seen = "you have not pulled it" if base is None else "it changed since you last synced"
        raise PushRefused(
            f"the store's graph is not the one you last pulled or pushed: {seen}{who}. "
            "Nothing was pushed. Run dlcheck kg pull, merge your change, and push again"
        )

    # Claim the store by compare and swap on the recorded hash, then settle ties. A store may
    # run two updates on the same snapshot (Oxigraph does): both swaps then take, and the
    # record holds both claims. Claims made after ours see our record and fail their
    # condition; claims made at the same moment are visible once SETTLE_SECONDS have passed,
    # and every claimant then agrees on one winner, the smallest push IRI.
    push_id = f"urn:uuid:{uuid.uuid4()}"
    agent = curator_iri(curator)
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    said = recorded(store)
    expected = base if base is not None else (said.hash if said else None)
    if force:
        condition = ""
    elif expected is None:
        condition = (
            f"FILTER NOT EXISTS {{ GRAPH <{store.meta_iri}> "
            f"{{ <{store.graph_iri}> <{DCTERMS}identifier> ?any }} }}"
        )
    else:
        condition = (
            f"GRAPH <{store.meta_iri}> {{ <{store.graph_iri}> <{DCTERMS}identifier> "
            f"{_literal(expected)} }}"
        )
    _update(store, _swap(store, push_id, new_hash, agent, curator, at, len(graph), condition))
    time.sleep(SETTLE_SECONDS)
    claims = claimants(store)
    if push_id not in claims or min(claims) != push_id:
        if push_id in claims:
            _update(store, _withdraw(store, push_id))
        winner = claims.get(min(claims)) if claims else None
        by = f" ({winner})" if winner else ""
        raise PushRefused(
            f"another curator pushed{by} while you were pushing; nothing of yours was pushed. "
            "Run dlcheck kg pull, merge your change, and push again"
        )
    try:
        pushed = put_graph(graph, graph_store or graph_store_url(store.query), store.graph_iri)
    except DlcheckError:
        if said is not None:  # give the lock back: the store still holds what it recorded
            back = _swap(
                store,
                said.push,
                said.hash,
                said.by,
                None,
                said.at,
                None,
                f"GRAPH <{store.meta_iri}> {{ <{store.graph_iri}> <{PROV}wasGeneratedBy> "
                f"<{push_id}> }}",
            )
            _update(store, back)
        raise
    # The record keeps this push alone (a withdrawn rival may have left a value behind).
    mine = f"GRAPH <{store.meta_iri}> {{ <{store.graph_iri}> <{PROV}wasGeneratedBy> <{push_id}> }}"
    _update(store, _swap(store, push_id, new_hash, agent, curator, at, len(graph), mine))
    remember(store, new_hash, "push", state_file)
    return PushResult(
        pushed.store, pushed.triples, new_hash, expected, pushed.status, not report.conforms
    )


def _literal(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid SPARQL string literal for our values


def _swap(
    store: Store,
    push_id: str,
    content_hash: str,
    agent: str,
    curator: str | None,
    at: str,
    triples: int | None,
    condition: str,
) -> str:
    """One SPARQL Update: the metadata graph's record replaced by this push's, if
    `condition` holds."""
    meta, graph = store.meta_iri, store.graph_iri
    name = f" ; <http://www.w3.org/2000/01/rdf-schema#label> {_literal(curator)}" if curator else ""
    count = f" ; <http://rdfs.org/ns/void#triples> {triples}" if triples is not None else ""
    stamp = f"{_literal(at)}^^<{XSD}dateTime>" if at else '""'
    return (
        f"DELETE {{ GRAPH <{meta}> {{ <{graph}> ?p ?o . ?push ?q ?v }} }}\n"
        f"INSERT {{ GRAPH <{meta}> {{\n"
        f"  <{graph}> <{DCTERMS}identifier> {_literal(content_hash)} ;\n"
        f"    <{PROV}wasGeneratedBy> <{push_id}> ; <{DCTERMS}modified> {stamp}{count} .\n"
        f"  <{push_id}> a <{PROV}Activity> ; <{PROV}endedAtTime> {stamp} ;\n"
        f"    <{PROV}wasAssociatedWith> <{agent}> .\n"
        f"  <{agent}> a <{PROV}Agent>{name} .\n"
        f"}} }}\n"
        f"WHERE {{ {condition}\n"
        f"  OPTIONAL {{ GRAPH <{meta}> {{ <{graph}> ?p ?o OPTIONAL {{ <{graph}> "
        f"<{PROV}wasGeneratedBy> ?push . ?push ?q ?v }} }} }} }}"
    )


@dataclass(frozen=True)
class Pulled:
    files: tuple[Path, ...]
    triples: int
    content_hash: str


def pull(store: Store, folder: Path, state_file: Path | None = None) -> Pulled:
    """Write the store's graph to Turtle files in `folder`, one per topic, and remember its
    hash as this curator's base. Claims go to their topic's file; concepts, sources and the
    rest to `graph.ttl`; the ontology's own terms are left out (dlcheck always adds them).
    Read the files back with `--no-bundled --graph FOLDER`."""
    from rdflib import BNode, Graph, URIRef

    from kg.export import write_atomically
    from ontology import PREFIXES

    graph = store_graph(store)
    if len(graph) == 0:
        from kg.remote import EndpointError

        raise EndpointError(
            f"the store {store.query} holds nothing in <{store.graph_iri}>; push first"
        )
    topic_of = URIRef(PREFIXES["dlc"] + "topic")
    parts: dict[str, Graph] = {}
    for subject in set(graph.subjects()):
        # The ontology is added to every graph dlcheck reads: it is not the curators' to edit.
        if isinstance(subject, BNode) or str(subject).startswith(PREFIXES["dlc"]):
            continue
        topics = sorted(str(t) for t in graph.objects(subject, topic_of))
        name = _file_name(topics[0]) if topics else "graph"
        part = parts.get(name)
        if part is None:
            part = parts[name] = Graph()
            for prefix, iri in PREFIXES.items():
                part.bind(prefix, iri)
        for triple in graph.triples((subject, None, None)):
            part.add(triple)
    _keep_blank_nodes_whole(graph, parts)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(parts):
        target = folder / f"{name}.ttl"
        data = parts[name].serialize(format="turtle", encoding="utf-8")
        write_atomically(target, lambda handle, data=data: handle.write(data))
        written.append(target)
    content_hash = graph_hash(graph)
    remember(store, content_hash, "pull", state_file)
    return Pulled(tuple(written), len(graph), content_hash)


def _keep_blank_nodes_whole(graph, parts) -> None:
    """A blank node's own triples go to the file of the node that points at it."""
    from rdflib import BNode

    for part in parts.values():
        for bnode in {o for o in part.objects() if isinstance(o, BNode)}:
            stack = [bnode]
            while stack:
                node = stack.pop()
                for triple in graph.triples((node, None, None)):
                    part.add(triple)
                    if isinstance(triple[2], BNode):
                        stack.append(triple[2])


def _file_name(topic_iri: str) -> str:
    name = topic_iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "-", name) or "topic"
