"""`dlcheck export`: the graph or one topic's subgraph as RDF, a network drawing, or ClaimReviews.

Every format writes to a binary stream as it goes; `write_atomically` puts that stream in a
temporary file beside the target and renames it only when the writer has finished, so an
interrupted export never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO

from kg.errors import DlcheckError, Terminated, UsageError
from ontology.names import local_name, short

FORMATS = ("turtle", "nt", "jsonld", "graphml", "dot", "mermaid", "claimreview")
_RDF_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}
# schema.org ratings, 1 worst .. 5 best, and the words of checker/render.py's ClaimReview.
_RATINGS = {
    "StatusTrue": (5, "true"),
    "StatusPartlyTrue": (3, "partly true"),
    "StatusFalse": (1, "false"),
}
# What a claim mentions: its concepts, its sources, and the claims given as its evidence.
_MENTIONS = ("subject", "object", "correctedBy", "refutedBy", "supportedBy")


def export(graph, fmt: str, out: BinaryIO, topic: str | None = None) -> None:
    """Write `graph` (or the subgraph of `topic`) to `out` in `fmt`, one of FORMATS."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    topic_iri = resolve_topic(graph, topic) if topic is not None else None
    if fmt == "claimreview":
        write_claim_reviews(graph, out, topic_iri)
        return
    part = topic_subgraph(graph, topic_iri) if topic_iri is not None else graph
    if fmt in _RDF_FORMATS:
        part.serialize(destination=out, format=_RDF_FORMATS[fmt], encoding="utf-8")
        return
    from kg.network import project

    network = project(part)
    if fmt == "graphml":
        import networkx as nx

        nx.write_graphml(network, out)
    elif fmt == "dot":
        _write_lines(out, _dot_lines(network))
    else:
        _write_lines(out, _mermaid_lines(network))


def resolve_topic(graph, topic: str):
    """The dlc:Topic named by `topic`: its IRI, the last part of it, or its label."""
    from rdflib.namespace import RDF, SKOS

    from ontology import DLC

    wanted = " ".join(topic.split()).casefold()
    topics = sorted(graph.subjects(RDF.type, DLC.Topic), key=str)
    for node in topics:
        names = {str(node).casefold(), local_name(str(node)).casefold()}
        names |= {
            " ".join(str(label).split()).casefold() for label in graph.objects(node, SKOS.prefLabel)
        }
        if wanted in names:
            return node
    known = ", ".join(local_name(str(t)) for t in topics) or "none"
    raise UsageError(f"unknown topic {topic!r}; the graph's topics: {known}")


def topic_claims(graph, topic) -> list:
    """The claims filed under `topic`, sorted by IRI."""
    from rdflib.namespace import RDF

    from ontology import DLC

    return sorted(
        (c for c in graph.subjects(DLC.topic, topic) if (c, RDF.type, DLC.Claim) in graph),
        key=str,
    )


def topic_subgraph(graph, topic):
    """The topic, its claims, and the description of everything those claims mention.

    Mentioned things are concepts, sources (with the publication a section is part of) and
    evidence claims; each comes with its own triples, blank nodes followed, so that labels
    and statuses survive the cut.
    """
    from rdflib import BNode, Graph
    from rdflib.namespace import DCTERMS, PROV

    from ontology import DLC

    part = Graph()
    for prefix, namespace in graph.namespaces():
        part.bind(prefix, namespace)
    done: set = set()

    def describe(node) -> None:
        if node in done:
            return
        done.add(node)
        for triple in graph.triples((node, None, None)):
            part.add(triple)
            if isinstance(triple[2], BNode):
                describe(triple[2])

    describe(topic)
    for claim in topic_claims(graph, topic):
        describe(claim)
        mentioned = [o for name in _MENTIONS for o in graph.objects(claim, DLC[name])]
        for source in graph.objects(claim, PROV.wasDerivedFrom):
            mentioned += [source, *graph.objects(source, DCTERMS.isPartOf)]
        for node in mentioned:
            describe(node)
    return part


def write_claim_reviews(graph, out: BinaryIO, topic=None) -> None:
    """Every claim (or the topic's claims) as a schema.org ClaimReview, in one JSON-LD document."""
    from rdflib.namespace import RDF, RDFS

    from ontology import DLC

    if topic is not None:
        claims = topic_claims(graph, topic)
    else:
        claims = sorted(graph.subjects(RDF.type, DLC.Claim), key=str)
    today = date.today().isoformat()
    reviews = []
    for claim in claims:
        status = graph.value(claim, DLC.truthStatus)
        label = str(graph.value(claim, RDFS.label) or local_name(str(claim)))
        rating: dict = {"@type": "Rating"}
        if status is not None and local_name(str(status)) in _RATINGS:
            value, name = _RATINGS[local_name(str(status))]
            rating.update(
                {"ratingValue": value, "bestRating": 5, "worstRating": 1, "alternateName": name}
            )
        comment = graph.value(claim, RDFS.comment)
        if comment is not None:
            rating["ratingExplanation"] = str(comment)
        reviews.append(
            {
                "@type": "ClaimReview",
                "url": str(claim),
                "claimReviewed": label,
                "datePublished": today,
                "author": {"@type": "Organization", "name": "dlcheck knowledge graph"},
                "reviewRating": rating,
                "itemReviewed": {"@type": "Claim", "text": label, "sameAs": str(claim)},
                "citation": _citations(graph, claim),
            }
        )
    document = {"@context": "https://schema.org", "@graph": reviews}
    out.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")


def _citations(graph, claim) -> list[dict]:
    from rdflib.namespace import DCTERMS, PROV, RDFS

    from ontology import DLC

    cited = []
    for source in sorted(graph.objects(claim, PROV.wasDerivedFrom), key=str):
        book = graph.value(source, DCTERMS.isPartOf) or source
        work: dict = {"@type": "CreativeWork", "@id": str(source)}
        name = graph.value(book, DCTERMS.title) or graph.value(source, RDFS.label)
        fields = {
            "name": name,
            "author": _authors(graph, book),
            "datePublished": graph.value(book, DCTERMS.date),
            "citation": graph.value(source, DLC.section),
        }
        work.update(
            {
                key: value if isinstance(value, list) else str(value)
                for key, value in fields.items()
                if value is not None
            }
        )
        cited.append(work)
    return cited


def _authors(graph, book) -> str | list[str] | None:
    """Every creator, in a fixed order. RDF keeps no order among them, and an on-disk store
    (unlike rdflib's memory) would make "the first" any one of them."""
    from rdflib.namespace import DCTERMS

    authors = sorted({str(a) for a in graph.objects(book, DCTERMS.creator)})
    if not authors:
        return None
    return authors[0] if len(authors) == 1 else authors


def _dot_lines(network):
    yield "digraph dlcheck {"
    yield "  rankdir=LR;"
    yield '  node [shape=box, fontname="Helvetica"];'
    for node, data in sorted(network.nodes(data=True)):
        yield f"  {_dot_quote(node)} [label={_dot_quote(data.get('label', node))}];"
    for source, target, data in sorted(network.edges(data=True), key=_edge_key):
        label = _dot_quote(short(data["predicate"]))
        yield f"  {_dot_quote(source)} -> {_dot_quote(target)} [label={label}];"
    yield "}"


def _mermaid_lines(network):
    ids = {node: f"n{i}" for i, node in enumerate(sorted(network.nodes))}
    yield "flowchart LR"
    for node, data in sorted(network.nodes(data=True)):
        yield f'  {ids[node]}["{_mermaid_quote(data.get("label", node))}"]'
    for source, target, data in sorted(network.edges(data=True), key=_edge_key):
        label = _mermaid_quote(short(data["predicate"]))
        yield f'  {ids[source]} -- "{label}" --> {ids[target]}'


def _edge_key(edge) -> tuple[str, str, str]:
    source, target, data = edge
    return (source, data["predicate"], target)


def _write_lines(out: BinaryIO, lines) -> None:
    for line in lines:
        out.write(line.encode("utf-8") + b"\n")


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _mermaid_quote(text: str) -> str:
    # Mermaid has no escape inside quoted labels; its entity codes stand in for the quote.
    return " ".join(text.split()).replace('"', "#quot;")


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Run `write` on a temporary file beside what `path` names, then rename it into place.

    The rename is atomic on one file system: readers see the old file or the whole new one,
    and a writer that fails (or is interrupted, SIGTERM and SIGHUP included) leaves no file
    behind. The path is respected for what it is: a symlink is followed, so the link stays
    and its target gets the export; a device or FIFO (`-o /dev/stdout`, a named pipe) is
    written directly, since renaming over it would replace the device with a regular file.
    """
    target = Path(os.path.realpath(path))
    if _is_special(target):
        _write_in_place(path, target, write)
        return
    folder = target.parent
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise DlcheckError(f"{path}: cannot write ({_why(exc)})") from None
    try:
        with _signals_interrupt(), os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            # mkstemp makes the file private (0600); an export should look like any other file.
            os.chmod(temp, _mode_for(target))
            os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise DlcheckError(f"{path}: cannot write ({_why(exc)})") from None
        raise


def _is_special(target: Path) -> bool:
    """True for an existing path that is neither a regular file nor a directory."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_in_place(path: Path, target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write straight into a device or FIFO, as the shell's `>` would (no temporary file)."""
    if stat.S_ISSOCK(target.stat().st_mode):
        raise DlcheckError(f"{path}: cannot write (a socket is not a file)")
    try:
        # O_NOCTTY: writing to a terminal device must not make it this process's terminal.
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
    except OSError as exc:
        raise DlcheckError(f"{path}: cannot write ({_why(exc)})") from None


@contextlib.contextmanager
def _signals_interrupt():
    """Turn SIGTERM and SIGHUP into an exception while writing, so clean-up code runs.

    Python's default for these signals ends the process at once, and a temporary file would
    stay behind. Only the main thread may set handlers; elsewhere the defaults stand.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame) -> None:
        raise Terminated(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _why(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
