"""Claims the way curators write them: a CSV (or YAML) sheet with one row per claim, turned
into Turtle that validates and whose every claim checks to its own status.

Concepts, relations, sources and corrections are named by their labels and resolved against
the graph the sheet extends; an unknown label is an error at the row's `file:line`, with the
closest labels as suggestions. Nothing is written until the whole sheet has passed SHACL and
the self-check (every statement and paraphrase, typed back, gets the row's status from a
checker over the graph plus the new claims); then the file is replaced atomically.
"""

from __future__ import annotations

import csv
import difflib
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from kg.errors import DlcheckError, UsageError

COLUMNS = (
    "statement",
    "subject",
    "relation",
    "object",
    "status",
    "modality",
    "source",
    "section",
    "correction",
    "condition",
    "paraphrases",
    "topic",
)
REQUIRED = ("statement", "subject", "relation", "object", "status", "source")
PARAPHRASE_SEPARATOR = "|"

# The example row of `dlcheck kg template`: a claim the bundled graph does not hold yet, that
# imports cleanly into it (a test keeps it so).
EXAMPLE_ROW = {
    "statement": "Random search usually finds good hyperparameters faster than grid search.",
    "subject": "random search",
    "relation": "outperforms",
    "object": "grid search",
    "status": "true",
    "modality": "generally",
    "source": "Bergstra and Bengio (2012), Random Search for Hyper-Parameter Optimization",
    "section": "",
    "correction": "",
    "condition": "",
    "paraphrases": "Random search generally beats grid search at tuning hyperparameters.",
    "topic": "",
}

STATUSES = {"true": "StatusTrue", "false": "StatusFalse", "partly true": "StatusPartlyTrue"}
MODALITIES = {"always": "Always", "generally": "Generally", "can": "Can"}
CHECKER_STATUS = {"StatusTrue": "true", "StatusFalse": "false", "StatusPartlyTrue": "partly_true"}


# (graph files, texts) -> the checker's (verdict, rule) for each text. The face that calls
# an import passes the checker in: kg/ sits below checker/ and does not import it.
CheckTexts = Callable[[Sequence[Path], list[str]], list[tuple[str, str]]]


class SheetError(DlcheckError):
    """A sheet that cannot become Turtle; the message starts with `file:line`."""


@dataclass
class Row:
    line: int  # where the row starts in the sheet, for file:line errors
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass
class ImportedClaim:
    iri: str
    line: int
    label: str
    paraphrases: tuple[str, ...]
    status: str  # the checker's name: true, false, partly_true


@dataclass
class Imported:
    turtle: bytes
    claims: list[ImportedClaim] = field(default_factory=list)


# --- reading the sheet ------------------------------------------------------------------


def read_rows(path: Path) -> list[Row]:
    """The sheet's rows with their line numbers: CSV, or YAML (a list of mappings) when
    PyYAML is installed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such sheet") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SheetError(f"{path}: cannot read the sheet ({exc})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(path, text)
    else:
        rows = _csv_rows(path, text)
    if not rows:
        raise SheetError(f"{path}:1: the sheet has no claim rows")
    return rows


def _csv_rows(path: Path, text: str) -> list[Row]:
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise SheetError(f"{path}:1: the sheet is empty; see `dlcheck kg template`") from None
    _check_columns(path, header)
    rows, start = [], reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(header):
                    raise SheetError(
                        f"{path}:{start}: {len(cells)} cells for {len(header)} columns"
                    )
                rows.append(Row(start, dict(zip(header, cells, strict=False))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SheetError(f"{path}:{reader.line_num}: not valid CSV ({exc})") from None
    return rows


def _yaml_rows(path: Path, text: str) -> list[Row]:
    try:
        import yaml
    except ImportError:
        raise UsageError(
            f"{path}: YAML sheets need PyYAML (pip install pyyaml); or use CSV"
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None or not isinstance(root, yaml.SequenceNode):
            raise SheetError(f"{path}:1: a YAML sheet is a list of claims, one mapping each")
        rows = []
        for node in root.value:
            values = loader.construct_object(node, deep=True)
            line = node.start_mark.line + 1
            if not isinstance(values, dict):
                raise SheetError(f"{path}:{line}: a claim is a mapping of column: value")
            values = {str(k).strip().lower(): _yaml_cell(v) for k, v in values.items()}
            _check_columns(path, list(values), line)
            rows.append(Row(line, values))
        return rows
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        why = getattr(exc, "problem", None) or exc
        raise SheetError(f"{path}:{line}: not valid YAML ({why})") from None
    finally:
        loader.dispose()


def _yaml_cell(value) -> str:
    if isinstance(value, list):  # paraphrases may be a YAML list
        return f" {PARAPHRASE_SEPARATOR} ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _check_columns(path: Path, header: Sequence[str], line: int = 1) -> None:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], COLUMNS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SheetError(
            f"{path}:{line}: unknown column {unknown[0]!r}{hint}; columns: {', '.join(COLUMNS)}"
        )
    if line == 1:  # a CSV header; a YAML mapping may leave optional columns out
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise SheetError(f"{path}:1: missing column(s): {', '.join(missing)}")


# --- resolving labels against the graph ---------------------------------------------------


class Names:
    """Label (case-insensitive) -> IRI for one kind of thing in the graph, with suggestions."""

    def __init__(self, kind: str, prefix: str, labels: dict[str, set[str]]):
        self.kind = kind
        self.prefix = prefix  # the CURIE prefix a curator may use instead of a label
        self.by_label = {label.casefold(): iris for label, iris in labels.items()}
        self.shown = {label.casefold(): label for label in labels}
        self.iris = {iri for iris in labels.values() for iri in iris}

    def resolve(self, text: str, where: str, column: str) -> str:
        if text.startswith(self.prefix):
            iri = _expand(text)
            if iri in self.iris:
                return iri
        iris = self.by_label.get(" ".join(text.split()).casefold(), set())
        if len(iris) == 1:
            return next(iter(iris))
        if len(iris) > 1:
            names = ", ".join(sorted(curie(i) for i in iris))
            raise SheetError(f"{where}: {column} {text!r} names several {self.kind}s ({names})")
        close = difflib.get_close_matches(text.casefold(), self.shown, n=3, cutoff=0.6)
        hint = "; closest: " + ", ".join(repr(self.shown[c]) for c in close) if close else ""
        raise SheetError(f"{where}: {column}: no {self.kind} labelled {text!r}{hint}")


def _expand(curie: str) -> str:
    from ontology import PREFIXES

    prefix, _, local = curie.partition(":")
    return PREFIXES.get(prefix, prefix + ":") + local


def curie(iri: str) -> str:
    from ontology import PREFIXES

    for prefix, base in PREFIXES.items():
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return iri


def _names(graph) -> dict[str, Names]:
    """Concepts, relations, sources, claims and topics of `graph`, by their labels."""
    from rdflib import RDF, RDFS, SKOS, Literal

    from ontology.namespace import DLC

    def collect(nodes, *predicates) -> dict[str, set[str]]:
        labels: dict[str, set[str]] = {}
        for node in nodes:
            for predicate in predicates:
                for label in graph.objects(node, predicate):
                    if isinstance(label, Literal):
                        labels.setdefault(str(label), set()).add(str(node))
        return labels

    concept_classes = set(graph.transitive_subjects(RDFS.subClassOf, DLC.Concept))
    concepts = {s for cls in concept_classes for s in graph.subjects(RDF.type, cls)}
    relations = set(graph.subjects(RDF.type, DLC.Relation))
    source_classes = set(graph.transitive_subjects(RDFS.subClassOf, DLC.Source))
    sources = {s for cls in source_classes for s in graph.subjects(RDF.type, cls)}
    return {
        "concept": Names("concept", "c:", collect(concepts, SKOS.prefLabel, SKOS.altLabel)),
        "relation": Names(
            "relation", "dlc:", collect(relations, SKOS.prefLabel, SKOS.altLabel, RDFS.label)
        ),
        "source": Names("source", "src:", collect(sources, RDFS.label)),
        "claim": Names("claim", "claim:", collect(graph.subjects(RDF.type, DLC.Claim), RDFS.label)),
        "topic": Names(
            "topic",
            "topic:",
            {
                **collect(graph.subjects(RDF.type, DLC.Topic), RDFS.label),
                **{
                    str(t).rsplit("/", 1)[-1]: {str(t)} for t in graph.subjects(RDF.type, DLC.Topic)
                },
            },
        ),
    }


# --- building the Turtle ------------------------------------------------------------------


def slug(text: str, words: int = 8) -> str:
    """'Deep networks generally outperform ...' -> 'deep-networks-generally-outperform-...'."""
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:words]) or "claim"


def curator_iri(curator: str) -> str:
    """The curator as a prov:Agent: an IRI as given, or one minted from a name."""
    if re.match(r"^(https?|mailto):\S+$", curator):
        return curator
    return f"https://w3id.org/dlcheck/kg/curator/{slug(curator, 6)}"


def build(
    sheet: Path,
    rows: list[Row],
    graph,
    curator: str,
    now: datetime,
    created: dict[str, str] | None = None,
) -> Imported:
    """The sheet's claims as Turtle over `graph` (the graph they extend, ontology included).

    `created` keeps the creation time of claims an earlier import of the same file wrote.
    """
    from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

    from ontology import PREFIXES
    from ontology.namespace import DLC

    prov = Namespace(PREFIXES["prov"])
    dcterms = Namespace(PREFIXES["dcterms"])
    names = _names(graph)
    created = created or {}
    out = Graph()
    for prefix, iri in PREFIXES.items():
        out.bind(prefix, iri)
    agent = URIRef(curator_iri(curator))
    out.add((agent, RDF.type, prov.Agent))
    out.add((agent, RDFS.label, Literal(curator)))
    stamp = Literal(now.isoformat(timespec="seconds"), datatype=XSD.dateTime)

    # The sheet's own statements may be named as corrections of other rows.
    minted: dict[str, str] = {}
    own_labels: dict[str, str] = {}
    for row in rows:
        where = f"{sheet}:{row.line}"
        statement = " ".join(row.get("statement").split())
        for column in REQUIRED:
            if not row.get(column):
                raise SheetError(f"{where}: {column} is empty")
        if statement.casefold() in names["claim"].by_label:
            existing = curie(next(iter(names["claim"].by_label[statement.casefold()])))
            raise SheetError(f"{where}: the graph already holds this statement as {existing}")
        if statement.casefold() in own_labels:
            earlier = own_labels[statement.casefold()]
            raise SheetError(f"{where}: repeats the statement of line {earlier}")
        iri = PREFIXES["claim"] + slug(statement)
        number = 2
        while iri in names["claim"].iris or iri in minted.values():
            iri = f"{PREFIXES['claim']}{slug(statement)}-{number}"
            number += 1
        minted[str(row.line)] = iri
        own_labels[statement.casefold()] = str(row.line)
        names["claim"].by_label.setdefault(statement.casefold(), {iri})
        names["claim"].shown.setdefault(statement.casefold(), statement)
        names["claim"].iris.add(iri)

    imported: list[ImportedClaim] = []
    for row in rows:
        where = f"{sheet}:{row.line}"
        claim = URIRef(minted[str(row.line)])
        label = " ".join(row.get("statement").split())
        add = out.add
        add((claim, RDF.type, DLC.Claim))
        add((claim, RDFS.label, Literal(label, lang="en")))
        for column, predicate in (("subject", DLC.subject), ("object", DLC.object)):
            add(
                (claim, predicate, URIRef(names["concept"].resolve(row.get(column), where, column)))
            )
        relation = names["relation"].resolve(row.get("relation"), where, "relation")
        add((claim, DLC.relation, URIRef(relation)))
        status = STATUSES.get(_word(row.get("status")))
        if status is None:
            raise SheetError(
                f"{where}: status {row.get('status')!r} is not one of: {', '.join(STATUSES)}"
            )
        add((claim, DLC.truthStatus, DLC[status]))
        if row.get("modality"):
            modality = MODALITIES.get(_word(row.get("modality")))
            if modality is None:
                raise SheetError(
                    f"{where}: modality {row.get('modality')!r} is not one of: "
                    f"{', '.join(MODALITIES)}"
                )
            add((claim, DLC.modality, DLC[modality]))
        source = _source(out, names["source"], graph, row, where)
        add((claim, prov.wasDerivedFrom, source))
        if row.get("correction"):
            corrected = names["claim"].resolve(row.get("correction"), where, "correction")
            add((claim, DLC.correctedBy, URIRef(corrected)))
        if row.get("condition"):
            add((claim, DLC.condition, Literal(" ".join(row.get("condition").split()), lang="en")))
        paraphrases = tuple(
            " ".join(p.split())
            for p in row.get("paraphrases").split(PARAPHRASE_SEPARATOR)
            if p.strip()
        )
        for paraphrase in paraphrases:
            add((claim, DLC.paraphrase, Literal(paraphrase, lang="en")))
        if row.get("topic"):
            add(
                (claim, DLC.topic, URIRef(names["topic"].resolve(row.get("topic"), where, "topic")))
            )
        add((claim, prov.wasAttributedTo, agent))
        first = created.get(str(claim))
        add((claim, dcterms.created, Literal(first, datatype=XSD.dateTime) if first else stamp))
        add((claim, dcterms.modified, stamp))
        imported.append(
            ImportedClaim(str(claim), row.line, label, paraphrases, CHECKER_STATUS[status])
        )
    header = f"# Imported from {sheet.name} by dlcheck kg import; edit the sheet, not this file.\n"
    return Imported(header.encode() + out.serialize(format="turtle", encoding="utf-8"), imported)


def _word(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def _source(out, sources: Names, graph, row: Row, where: str):
    """The row's source: a known source, or a new section of a known publication."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS

    from ontology.namespace import DLC

    source = URIRef(sources.resolve(row.get("source"), where, "source"))
    section = " ".join(row.get("section").split())
    if not section:
        return source
    for known in graph.subjects(DCTERMS.isPartOf, source):
        texts = {str(t).casefold() for t in graph.objects(known, DLC.section)}
        texts |= {str(t).casefold() for t in graph.objects(known, RDFS.label)}
        if section.casefold() in texts:
            return known
    if (source, RDF.type, DLC.Publication) not in graph:
        raise SheetError(f"{where}: section: {curie(str(source))} is not a publication")
    part = URIRef(f"{source}-{slug(section, 6)}")
    out.add((part, RDF.type, DLC.SourceSection))
    out.add((part, DCTERMS.isPartOf, source))
    out.add((part, DLC.section, Literal(section)))
    title = next(iter(graph.objects(source, RDFS.label)), None)
    out.add((part, RDFS.label, Literal(f"{title}, {section}" if title else section, lang="en")))
    return part


# --- the whole import ---------------------------------------------------------------------


def import_sheet(
    sheet: Path,
    output: Path,
    base_files: Sequence[Path],
    curator: str,
    check: CheckTexts,
    now: datetime | None = None,
) -> list[ImportedClaim]:
    """Turn `sheet` into `output` (Turtle) over the graph of `base_files` (ontology added).

    `check` runs the checker over graph files (see CheckTexts). Raises SheetError (exit
    status 1) naming file:line when a row cannot be resolved, the result does not validate,
    or a claim does not check to its own status; `output` is then left as it was.
    """
    from kg.export import write_atomically
    from kg.store import load_graph

    rows = read_rows(sheet)
    base = [p for p in base_files if Path(p).resolve() != output.resolve()]
    graph = load_graph(base)
    imported = build(
        sheet, rows, graph, curator, now or datetime.now(timezone.utc), _created(output)
    )
    with tempfile.TemporaryDirectory(prefix="dlcheck-import-") as folder:
        candidate = Path(folder) / output.name
        candidate.write_bytes(imported.turtle)
        _validate(sheet, imported, base, candidate)
        _self_check(sheet, imported, base, candidate, check)
    write_atomically(output, lambda handle: handle.write(imported.turtle))
    return imported.claims


def _created(output: Path) -> dict[str, str]:
    """claim IRI -> dcterms:created of an earlier import into the same file."""
    if not output.is_file():
        return {}
    from rdflib import Graph
    from rdflib.namespace import DCTERMS

    try:
        earlier = Graph().parse(output, format="turtle")
    except Exception:  # an unreadable old file is replaced, not mended
        return {}
    return {str(s): str(o) for s, o in earlier.subject_objects(DCTERMS.created)}


def _validate(sheet: Path, imported: Imported, base: Sequence[Path], candidate: Path) -> None:
    from kg.validate import validate_files

    # File by file, cached by content: only the new file and what it touches run.
    report = validate_files([*base, candidate])
    lines = {curie(c.iri): c.line for c in imported.claims}
    problems = [v for v in report.violations if v.severity == "Violation"]
    if problems:
        first = problems[0]
        line = lines.get(first.focus, 1)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SheetError(f"{sheet}:{line}: does not validate: {first.focus}: {first.message}{more}")


def _self_check(
    sheet: Path, imported: Imported, base: Sequence[Path], candidate: Path, check: CheckTexts
) -> None:
    """Every statement and paraphrase, typed back, must get its claim's status."""
    texts = [(c, text) for c in imported.claims for text in (c.label, *c.paraphrases)]
    verdicts = check([*base, candidate], [text for _, text in texts])
    misses = [
        (claim, text, verdict, rule)
        for (claim, text), (verdict, rule) in zip(texts, verdicts, strict=True)
        if verdict != claim.status
    ]
    if misses:
        claim, text, verdict, rule = misses[0]
        more = f" (and {len(misses) - 1} more)" if len(misses) > 1 else ""
        raise SheetError(
            f"{sheet}:{claim.line}: self-check: {text!r} checks as {verdict} "
            f"({rule}), not {claim.status}; reword it{more}"
        )


def template_rows() -> Iterator[list[str]]:
    """The header and the example row of `dlcheck kg template`."""
    yield list(COLUMNS)
    yield [EXAMPLE_ROW[column] for column in COLUMNS]
