"""Read-only SPARQL: queries are screened before they run, and results are formatted."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from kg.errors import QueryRefused, QuerySyntaxError, UsageError

GRAPH_IRI = "https://w3id.org/dlcheck/kg/"  # the named graph the data lives in, for GRAPH ?g
SELECT_FORMATS = ("table", "csv", "tsv", "json")
# A \u or \U escape of a UTF-16 surrogate: SPARQL allows the escape, but a lone surrogate
# is no character, and no result holding it can be written out.
_SURROGATE_ESCAPE = re.compile(r"\\(u[dD][89a-fA-F]\w\w|U0000[dD][89a-fA-F]\w\w)")
GRAPH_FORMATS = ("turtle", "nt", "json-ld", "xml")

# rdflib fetches FROM graphs into a Dataset unless told not to. Screening refuses FROM anyway;
# this is the second lock on the same door.
try:  # pragma: no cover - attribute exists in every rdflib we support
    import rdflib.plugins.sparql as _rdflib_sparql

    _rdflib_sparql.SPARQL_LOAD_GRAPHS = False
except ImportError:  # pragma: no cover
    pass


@dataclass(frozen=True)
class PreparedQuery:
    """A query that passed screening, ready to run on any graph."""

    text: str
    form: str  # "SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE"
    algebra: object
    named_graphs: bool = False  # has a GRAPH pattern: runs on a dataset (see as_dataset)


def prepare(text: str) -> PreparedQuery:
    """Parse and screen a query; refuse updates, SERVICE, and FROM / FROM NAMED.

    rdflib would otherwise send HTTP requests for SERVICE clauses and dataset clauses, so the
    parsed query is inspected before anything runs.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from ontology import PREFIXES

    if not text.strip():
        raise UsageError("empty query: give SPARQL text, a .rq file or '-' for stdin")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QuerySyntaxError(
            f"the query is not valid Unicode text (character {exc.start + 1} is a lone surrogate)"
        ) from None
    escape = _SURROGATE_ESCAPE.search(text)
    if escape:
        raise QuerySyntaxError(
            f"\\{escape.group(1)} escapes a lone UTF-16 surrogate, which is not a character"
        )
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:
            raise QuerySyntaxError(
                f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
            ) from None
        raise QueryRefused(
            "refused: this is a SPARQL update (INSERT, DELETE, LOAD, CLEAR, ...); "
            "dlcheck only runs read-only queries"
        ) from None
    except Exception as exc:  # pyparsing or rdflib internals on odd input
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None

    body = parsed[1]
    names = set(_node_names(body))
    if "ServiceGraphPattern" in names:
        raise QueryRefused("refused: SERVICE would query a remote endpoint; run it locally")
    # CompValue.get answers a missing key with the key's name, so look the clause up by hand.
    if any(key == "datasetClause" and value for key, value in body.items()):
        raise QueryRefused(
            "refused: FROM / FROM NAMED would load graphs from outside; "
            "the query runs on the loaded graph only"
        )
    form = body.name.replace("Query", "").upper()
    try:
        algebra = translateQuery(parsed, initNs=PREFIXES)
    except Exception as exc:  # unknown prefix and similar semantic errors
        raise QuerySyntaxError(f"SPARQL error: {exc}") from None
    named = "GraphGraphPattern" in names
    return PreparedQuery(text=text, form=form, algebra=algebra, named_graphs=named)


def as_dataset(graph):
    """The graph as the one named graph (GRAPH_IRI) of a Dataset whose default graph is the union.

    A plain rdflib Graph fails every `GRAPH ?g { }` pattern, and that pattern is how clients
    (dlcheck --endpoint among them) read a store's named graphs.
    """
    from rdflib import Dataset, URIRef

    dataset = Dataset(default_union=True)
    for prefix, namespace in graph.namespaces():
        dataset.bind(prefix, namespace)
    named = dataset.graph(URIRef(GRAPH_IRI))
    named += graph
    return dataset


def run(graph, query: PreparedQuery | str):
    """Run a screened query on `graph` and return rdflib's Result."""
    from rdflib import Dataset

    if isinstance(query, str):
        query = prepare(query)
    if query.named_graphs and not isinstance(graph, Dataset):
        graph = as_dataset(graph)
    try:
        return graph.query(query.algebra)
    except MemoryError:
        raise  # the server's workers answer it (and are replaced); not the query's fault alone
    except Exception as exc:
        raise UsageError(f"SPARQL evaluation failed: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def format_result(result, fmt: str) -> str:
    """Text of a Result: SELECT/ASK in table|csv|tsv|json, CONSTRUCT/DESCRIBE as RDF.

    rdflib evaluates lazily, so errors of the query itself (SUM over text, a bad REGEX)
    surface here; they are a UsageError like those found before running.
    """
    try:
        text = _format(result, fmt)
    except (UsageError, MemoryError):
        raise
    except Exception as exc:
        raise UsageError(f"SPARQL evaluation failed: {_first_line(exc)}") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the result holds a lone surrogate, which cannot be written") from None
    return text


def _format(result, fmt: str) -> str:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rdf_format = {"table": "turtle", "json": "json-ld"}.get(fmt, fmt)
        if rdf_format not in GRAPH_FORMATS:
            raise UsageError(f"--format {fmt} does not fit a graph result; use turtle or json")
        from ontology import PREFIXES

        for prefix, iri in PREFIXES.items():
            result.graph.bind(prefix, iri)
        return result.graph.serialize(format=rdf_format)
    if fmt not in SELECT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(SELECT_FORMATS)}")
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}) + "\n"
        return ("true" if result.askAnswer else "false") + "\n"
    variables = [str(v) for v in result.vars]
    rows = [[row[i] for i in range(len(variables))] for row in result]
    if fmt == "json":
        return json.dumps(_results_json(variables, rows), ensure_ascii=False, indent=1) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
        return out.getvalue()
    return _table(variables, rows)


def _results_json(variables: list[str], rows: list[list]) -> dict:
    """The W3C SPARQL 1.1 Query Results JSON Format."""
    from rdflib import BNode, Literal

    bindings = []
    for row in rows:
        binding = {}
        for name, value in zip(variables, row, strict=True):
            if value is None:
                continue
            if isinstance(value, Literal):
                term = {"type": "literal", "value": str(value)}
                if value.language:
                    term["xml:lang"] = value.language
                elif value.datatype:
                    term["datatype"] = str(value.datatype)
            elif isinstance(value, BNode):
                term = {"type": "bnode", "value": str(value)}
            else:
                term = {"type": "uri", "value": str(value)}
            binding[name] = term
        bindings.append(binding)
    return {"head": {"vars": variables}, "results": {"bindings": bindings}}


def _table(variables: list[str], rows: list[list]) -> str:
    from ontology.names import short

    def cell(value) -> str:
        if value is None:
            return ""
        return short(value) if type(value).__name__ == "URIRef" else str(value)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(name)] + [len(r[i]) for r in cells]) for i, name in enumerate(variables)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _node_names(node):
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _node_names(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _node_names(value)
    elif hasattr(node, "asList"):
        for value in node:
            yield from _node_names(value)
