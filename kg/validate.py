"""SHACL validation of the graph against ontology/shapes.ttl, with a report people can read."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.cache import cached, file_digests
from kg.store import (
    content_hash,
    load_graph,
    ontology_files,
    parse_turtle,
    parsed_triples,
    shapes_file,
)

# Bump when what is cached for validation changes shape or meaning.
VALIDATION_FORMAT = "1"


@dataclass(frozen=True)
class Violation:
    focus: str  # the node that broke a shape
    path: str | None  # the property, when the shape is about one
    message: str
    severity: str  # "Violation" | "Warning" | "Info"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    # The files validated anew by this run (validate_files): the others' results were
    # kept. Not part of what the report says, so not of its equality either.
    validated: tuple[str, ...] = field(default=(), compare=False)
    files: int = field(default=0, compare=False)  # the files validate_files went through

    def text(self) -> str:
        if self.conforms:
            return "The graph conforms to the SHACL shapes.\n"
        lines = [f"The graph does not conform: {len(self.violations)} problem(s)."]
        for v in self.violations:
            where = f"{v.focus}" + (f" ({v.path})" if v.path else "")
            lines.append(f"- {v.severity}: {where}: {v.message}")
        return "\n".join(lines) + "\n"

    @classmethod
    def of(cls, violations) -> ValidationReport:
        """The report of these results; as with pySHACL's allow_warnings, only results of
        severity Violation break conformance."""
        ordered = sorted(violations, key=lambda v: (v.focus, v.path or "", v.message))
        conforms = all(v.severity in ("Warning", "Info") for v in ordered)
        return cls(conforms=conforms, violations=tuple(ordered))


def validate(graph=None) -> ValidationReport:
    """Validate `graph` (default: the bundled graph) against the shapes; never raises on data."""
    data = graph if graph is not None else load_graph()
    return ValidationReport.of(_run_shacl(data, _shapes_graph()))


def validate_files(
    paths: Sequence[Path] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ValidationReport:
    """Validate file by file, each with the ontology and what it uses; the same report as
    `validate` on the whole graph, for a cost that follows what changed.

    A file's subjects are validated with their whole description (a concept may get a
    synonym in another file) and the types of the nodes they point at (sh:class), so each
    file's result is keyed by its content, the ontology's, the shapes', and that context.
    Results are cached under that key: after one edit, one file runs again. Shapes whose
    targets or paths reach further than the focus node and its values run once on the
    whole graph. `progress(done, total, file name)` is told after each file.
    """
    from kg.persistent import store_files

    files = store_files(paths)
    ontology = [p for p in ontology_files() if p in files]
    # Each file's digest from the memo (a `stat` a file where it has not changed), not a
    # read of every file: 443 MB at 100 times the bundled graph.
    hashes = {
        path: f"{path.name}\0{digest}"
        for path, digest in zip(files, file_digests(files), strict=True)
    }
    shapes_key = content_hash([shapes_file()])

    summaries = {
        path: cached(
            "validate-summary",
            _key(hashes[path]),
            lambda p=path: _summary(parsed_triples(p), hashes[p]),
            _Summary,
        )
        for path in files
    }
    owner: dict[str, Path] = {}
    described_in: dict[str, list[Path]] = {}
    types: dict[str, set[str]] = {}
    for path in files:
        for subject in summaries[path].subjects:
            owner.setdefault(subject, path)
            described_in.setdefault(subject, []).append(path)
        for node, classes in summaries[path].types.items():
            types.setdefault(node, set()).update(classes)

    shapes = None
    violations: list[Violation] = []
    validated: list[str] = []
    for done, path in enumerate(files, start=1):
        owned = sorted(s for s in summaries[path].subjects if owner[s] == path)
        sharing = sorted({f for s in owned for f in described_in[s]} - {path})
        pointed = sorted(
            {o for f in [path, *sharing] for s in owned for o in summaries[f].subjects.get(s, ())}
        )
        context = [(node, sorted(types.get(node, ()))) for node in pointed]
        # What the result depends on: the shapes, the ontology, this file, the rest of its
        # subjects' descriptions, and the types of what they point at.
        elsewhere = [summaries[f].digests.get(s, "") for f in sharing for s in owned]
        key = _key(
            shapes_key,
            *(hashes[f] for f in ontology),
            hashes[path],
            repr((owned, sharing, elsewhere, context)),
        )

        def run(path=path, owned=owned, sharing=sharing, context=context) -> tuple:
            nonlocal shapes
            validated.append(path.name)
            if shapes is None:
                shapes = _Shapes(_shapes_graph())
            if not owned or not shapes.local:
                return ()
            data = _unit_graph(ontology, path, owned, sharing, context)
            return tuple(_run_shacl(data, shapes.graph, only=set(owned), use=shapes.local))

        violations += cached("validate-file", key, run, tuple)
        if progress is not None:
            progress(done, len(files), path.name)

    whole_key = _key(shapes_key, *(hashes[f] for f in files), "whole graph")

    def run_whole() -> tuple:
        nonlocal shapes
        if shapes is None:
            shapes = _Shapes(_shapes_graph())
        if not shapes.whole:
            return ()
        data = load_graph([f for f in files if f not in ontology] or None)
        return tuple(_run_shacl(data, shapes.graph, use=shapes.whole))

    violations += cached("validate-whole", whole_key, run_whole, tuple)
    return replace(ValidationReport.of(violations), validated=tuple(validated), files=len(files))


@dataclass(frozen=True)
class _Summary:
    """What other files' validation needs to know of one file, cached by its content."""

    subjects: dict[str, tuple[str, ...]]  # each IRI subject -> the IRIs it points at
    types: dict[str, tuple[str, ...]]  # each typed IRI -> its rdf:type classes
    digests: dict[str, str]  # each IRI subject -> a hash of its triples in this file


def _summary(triples, file_hash: str) -> _Summary:
    from rdflib import BNode, URIRef
    from rdflib.namespace import RDF

    subjects: dict[str, set[str]] = {}
    types: dict[str, set[str]] = {}
    said: dict[str, list[str]] = {}
    for s, p, o in dict.fromkeys(triples):  # a triple written twice is one, as in a graph
        if not isinstance(s, URIRef):
            continue
        pointed = subjects.setdefault(str(s), set())
        # A blank node's name changes with every parse: such a subject is as new as its file.
        said.setdefault(str(s), []).append(file_hash if isinstance(o, BNode) else f"{p} {o.n3()}")
        if isinstance(o, URIRef):
            pointed.add(str(o))
            if p == RDF.type:
                types.setdefault(str(s), set()).add(str(o))
    return _Summary(
        subjects={s: tuple(sorted(o)) for s, o in subjects.items()},
        types={s: tuple(sorted(t)) for s, t in types.items()},
        digests={s: _key(*sorted(lines)) for s, lines in said.items()},
    )


def _unit_graph(ontology, path, owned, sharing, context):
    """The ontology, the file, the rest of its subjects' descriptions, and the types of the
    nodes they point at.

    Made from each file's parsed triples (kg.store keeps them per process), each added to
    this one graph once: a graph per file, copied into the unit, cost as much as pySHACL."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    data = Graph()
    for part in [*ontology, path]:
        parse_turtle(data, part)
    mine = {URIRef(s) for s in owned}
    for other in sharing:
        data.addN((*triple, data) for triple in _by_subject(other, mine))
    for node, classes in context:
        for cls in classes:
            data.add((URIRef(node), RDF.type, URIRef(cls)))
    return data


def _by_subject(path: Path, subjects: set) -> list[tuple]:
    """The triples of the file at `path` about one of `subjects`."""
    return [triple for triple in parsed_triples(path) if triple[0] in subjects]


class _Shapes:
    """The shapes, split into those a file can check alone and those needing the whole graph.

    A shape is local when it targets classes or named nodes and looks no further than the
    focus node's own properties and, of their values, the kind, datatype, text, membership
    and class (the types come with the file's context). Anything else (other targets,
    inverse or longer paths, shapes applied to values' own properties, SPARQL) is whole-graph.
    """

    def __init__(self, graph):
        from rdflib import URIRef

        self.graph = graph
        local, whole = [], []
        for shape in sorted(set(_targeting(graph)), key=str):
            if isinstance(shape, URIRef) and _is_local(graph, shape):
                local.append(shape)
            else:
                whole.append(shape)
        if any(not isinstance(s, URIRef) for s in whole):
            local, whole = [], [None]  # a blank-node shape cannot be named: run them all once
        self.local = local
        self.whole = whole


def _targeting(graph):
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    for predicate in _TARGETS:
        yield from graph.subjects(URIRef(predicate), None)
    for shape in graph.subjects(RDF.type, URIRef(SH + "NodeShape")):
        if (shape, RDF.type, RDFS.Class) in graph:
            yield shape  # an implicit class target


def _is_local(graph, shape, on_values: bool = False) -> bool:
    from rdflib import URIRef
    from rdflib.collection import Collection

    is_property = (shape, URIRef(SH + "path"), None) in graph
    if is_property and on_values:
        return False  # the values' own properties live wherever the values are described
    for predicate, value in graph.predicate_objects(shape):
        name = str(predicate).removeprefix(SH)
        if str(predicate) in _ABOUT or name in _ON_VALUES or name in _TARGET_NAMES:
            continue
        if name == "path" and isinstance(value, URIRef):
            continue
        if name == "target" and not is_property and not on_values and _local_target(graph, value):
            continue
        if name in _ON_PATH and is_property:
            continue
        if name == "property" and not is_property and not on_values:
            if not _is_local(graph, value):
                return False
            continue
        if name in _LOGIC:
            members = [value] if name == "not" else list(Collection(graph, value))
            if not all(_is_local(graph, m, on_values or is_property) for m in members):
                return False
            continue
        return False
    return True


def _local_target(graph, target) -> bool:
    """Whether a SPARQL target (SHACL-AF) picks nodes by their own triples alone: a SELECT of
    ?this from one basic graph pattern whose every triple has ?this as its subject and a fixed
    predicate and object, class membership (rdf:type/rdfs:subClassOf*) included. A file's
    unit holds its subjects' whole descriptions and the ontology, so there such a target picks
    the file's nodes the whole graph's does, as sh:targetClass does."""
    from rdflib import URIRef, Variable
    from rdflib.namespace import RDF, RDFS
    from rdflib.paths import MulPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery

    sh = {name: URIRef(SH + name) for name in ("select", "prefixes", "declare", "prefix")}
    select = graph.value(target, sh["select"])
    if (target, RDF.type, URIRef(SH + "SPARQLTarget")) not in graph or select is None:
        return False
    declared = graph.value(target, sh["prefixes"])
    header = "".join(
        f"PREFIX {graph.value(d, sh['prefix'])}: <{graph.value(d, URIRef(SH + 'namespace'))}>\n"
        for d in graph.objects(declared, sh["declare"])
    )
    try:
        query = prepareQuery(header + str(select)).algebra
    except Exception:  # pySHACL reports a query it cannot read; here it is only not local
        return False
    this = Variable("this")
    if query.name != "SelectQuery" or query.p.name != "Project" or query.p.p.name != "BGP":
        return False
    if list(query.p.PV) != [this]:
        return False
    membership = SequencePath(RDF.type, MulPath(RDFS.subClassOf, "*"))
    return all(
        s == this
        and isinstance(o, URIRef)
        and (isinstance(p, URIRef) or (isinstance(p, SequencePath) and p == membership))
        for s, p, o in query.p.p.triples
    )


def _shapes_graph():
    from rdflib import Graph

    return Graph().parse(shapes_file(), format="turtle")


def _run_shacl(data, shapes, only=None, use=None) -> list[Violation]:
    """pySHACL's results as Violations; with `only`, those about these IRIs (or blank nodes,
    which belong to their file) alone.

    pySHACL's own focus_nodes would check the nodes against every shape, targeted or not,
    so a file's nodes are picked from the results instead.
    """
    import pyshacl
    from rdflib import BNode, URIRef
    from rdflib.namespace import RDF

    from ontology.names import short

    # No RDFS inference: the ontology's rdfs:range axioms would make every object of
    # dlc:subject "a Concept" and hide the very errors sh:class is meant to catch. SHACL's own
    # instance test already follows rdfs:subClassOf in the data, which holds the ontology.
    options = {}
    if use is not None and None not in use:
        options["use_shapes"] = list(use)
    # Advanced mode (SHACL-AF) for the shapes' SPARQL targets. It would copy the data graph
    # first, in case a rule adds triples; the shapes hold no rule, so it runs in place.
    in_place = (None, URIRef(SH + "rule"), None) not in shapes
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
        inplace=in_place,
        **options,
    )

    sh = URIRef(SH + "ValidationResult")
    violations = []
    for result in report.subjects(RDF.type, sh):
        focus = report.value(result, URIRef(SH + "focusNode"))
        if only is not None and not isinstance(focus, BNode) and str(focus) not in only:
            continue
        path = report.value(result, URIRef(SH + "resultPath"))
        if isinstance(path, BNode) and report.value(path, URIRef(SH + "inversePath")):
            path = "^" + short(report.value(path, URIRef(SH + "inversePath")))
        violations.append(
            Violation(
                focus=short(focus),
                path=short(path) if path is not None else None,
                message=str(
                    report.value(result, URIRef(SH + "resultMessage")) or "constraint not met"
                ),
                severity=short(report.value(result, URIRef(SH + "resultSeverity"))).split(":")[-1],
            )
        )
    return violations


def _key(*parts: str) -> str:
    digest = hashlib.sha256(VALIDATION_FORMAT.encode())
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


SH = "http://www.w3.org/ns/shacl#"
_TARGET_NAMES = {"targetClass", "targetNode"}
_TARGETS = [
    SH + name
    for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
]
_ABOUT = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    SH + "message",
    SH + "severity",
    SH + "name",
    SH + "description",
    SH + "order",
    SH + "group",
    SH + "deactivated",
}
# Constraints on a value itself, or on the focus node when a node shape has them.
_ON_VALUES = {
    "class",
    "datatype",
    "nodeKind",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "in",
    "hasValue",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
}
# Constraints on the set of a focus node's values along the path.
_ON_PATH = {
    "minCount",
    "maxCount",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
}
_LOGIC = {"or", "and", "xone", "not"}
