"""The dlcheck command line: each command is a thin wrapper over kg/ and checker/.

Exit status: 0 success, 1 failure (including a graph that does not conform), 2 usage error.
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from click.core import ParameterSource

from kg.errors import EXIT_FAILURE, EXIT_USAGE, DlcheckError, Terminated, UsageError
from kg.export import FORMATS as EXPORT_FORMATS  # a light module: its names, not rdflib


class _Command(click.Command):
    """A command whose `--graph` takes several files: `--graph kg/data/*.ttl my.ttl`.

    Click options take one value each, so the files after the first are given their own
    `--graph` before parsing. A following word counts as a graph file when it is a directory
    or ends in .ttl or .nt, so a statement after the files is still the statement.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_graph_files(args))


def spread_graph_files(args: list[str]) -> list[str]:
    """`--graph a.ttl b.ttl` as `--graph a.ttl --graph b.ttl`; other words unchanged."""
    spread: list[str] = []
    value_next = taking = False  # the next word is --graph's value / more files may follow
    for position, word in enumerate(args):
        if word == "--":
            spread.extend(args[position:])
            break
        if value_next:
            value_next, taking = False, True
        elif taking and not word.startswith("-") and _graph_file_like(word):
            spread.append("--graph")
        else:
            taking = word.startswith("--graph=")
            value_next = word == "--graph"
        spread.append(word)
    return spread


def _graph_file_like(word: str) -> bool:
    return word.endswith((".ttl", ".nt")) or Path(word).is_dir()


class _Cli(click.Group):
    """Turns dlcheck's typed errors into one stderr line and their exit status."""

    command_class = _Command
    group_class = type  # `dlcheck kg ...` gets the same error handling and --graph spreading

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Python hands undecodable bytes of argv over as lone surrogates, which would fail
        # much later, wherever the text is first written out.
        for number, arg in enumerate(args, start=1):
            try:
                arg.encode("utf-8")
            except UnicodeEncodeError as exc:
                shown = arg.encode("utf-8", "replace").decode("utf-8")[:60]
                click.echo(
                    f"dlcheck: error: argument {number} ({shown!r}) is not valid UTF-8 "
                    f"(character {exc.start + 1})",
                    err=True,
                )
                ctx.exit(EXIT_USAGE)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere to answer
            click.echo("dlcheck: error: standard output is closed", err=True)
            ctx.exit(EXIT_FAILURE)
        try:
            return super().invoke(ctx)
        except DlcheckError as exc:
            click.echo(f"dlcheck: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            _drop_stdout()
            sys.stderr.close()  # the reader went away (e.g. `| head`); nothing left to say
            ctx.exit(EXIT_FAILURE)
        except OSError as exc:
            # Writing the answer failed (`> /dev/full`, a vanished disk): files dlcheck reads
            # or writes by name have their own messages, so this is standard output.
            where = exc.filename or "standard output"
            _drop_stdout()
            click.echo(f"dlcheck: error: {where}: {(exc.strerror or str(exc)).lower()}", err=True)
            ctx.exit(EXIT_FAILURE)
        except KeyboardInterrupt:
            click.echo("dlcheck: interrupted", err=True)
            ctx.exit(130)
        except Terminated as exc:
            click.echo("dlcheck: terminated", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug of ours: still one line, unless asked for details
            if os.environ.get("DLCHECK_DEBUG"):
                raise
            click.echo(
                f"dlcheck: internal error: {type(exc).__name__}: {exc} "
                "(set DLCHECK_DEBUG=1 for details)",
                err=True,
            )
            ctx.exit(EXIT_FAILURE)


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so that the final flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no real file descriptor (a test runner's stream): nothing will flush it


def _stdin():
    """Standard input, or a UsageError when the process was started with it closed."""
    if sys.stdin is None:
        raise UsageError("standard input is closed; give the input as an argument or a file")
    return sys.stdin


def format_option(choices: Sequence[str], help: str, default: str | None = None):
    """--format, declared once for every command: one of `choices` (the first is the
    default unless `default` says otherwise), with `help` saying what each is for."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default or choices[0],
        show_default=True,
        help=help,
    )


def graph_option(func):
    """--graph FILE... and --endpoint URL, shared by every command that reads the graph.

    With an endpoint the command gets one graph file all the same: the endpoint's graph,
    fetched and kept as a local copy named by its content (kg/remote.py).
    """

    @click.option(
        "--graph",
        "graph_files",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Turtle files to add to the bundled data: `--graph a.ttl b.ttl` (the flag may "
        "be repeated); a directory means its *.ttl. The ontology is always added.",
    )
    @click.option(
        "--no-bundled",
        is_flag=True,
        help="With --graph: read only those files (and the ontology), not the bundled data.",
    )
    @click.option(
        "--endpoint",
        metavar="URL",
        envvar="DLCHECK_ENDPOINT",
        help="Read the graph from this SPARQL 1.1 query endpoint instead of the bundled data "
        "(default: $DLCHECK_ENDPOINT, else `endpoint` in ~/.config/dlcheck/config.ini). "
        "See docs/curators.md.",
    )
    @functools.wraps(func)
    def wrapper(*args, endpoint: str | None = None, no_bundled: bool = False, **kwargs):
        kwargs["graph_files"] = _graph_files(kwargs.get("graph_files", ()), no_bundled)
        if endpoint and kwargs.get("graph_files"):
            source = click.get_current_context().get_parameter_source("endpoint")
            if source != ParameterSource.ENVIRONMENT:
                raise UsageError("give --graph or --endpoint, not both")
            endpoint = None  # an explicit --graph beats $DLCHECK_ENDPOINT
        if endpoint is None and not kwargs.get("graph_files"):
            from kg.config import configured_endpoint

            endpoint = configured_endpoint()
        if endpoint:
            from kg.remote import snapshot

            kwargs["graph_files"] = (snapshot(endpoint),)
        return func(*args, **kwargs)

    return wrapper


def _graph_files(given: tuple[Path, ...], no_bundled: bool) -> tuple[Path, ...]:
    """What `--graph` and `--no-bundled` mean: () for the bundled graph alone, else the
    files to read (kg.store.gather_graph_files)."""
    if not given:
        if no_bundled:
            raise UsageError("--no-bundled needs --graph FILE|DIR: the files to read instead")
        return ()
    from kg.store import gather_graph_files

    return tuple(gather_graph_files(given, bundled=not no_bundled))


def check_texts(graph_files, texts: list[str]) -> list[tuple[str, str]]:
    """(verdict, rule) of each text by a checker over `graph_files` (the ontology added): what
    kg/ functions that need the checker are given, since kg/ does not import checker/."""
    from checker.check import Checker

    checker = Checker(list(graph_files) or None)
    return [(v.verdict, v.rule) for v in checker.check_many(texts)]


def _load(graph_files: tuple[Path, ...]):
    from kg.store import load_graph

    return load_graph(list(graph_files) if graph_files else None)


def _stored(graph_files: tuple[Path, ...]):
    """The graph read from its on-disk store (built once per content, kg/persistent.py)."""
    from kg.persistent import store_graph

    return store_graph(list(graph_files) or None)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dlcheck", prog_name="dlcheck")
def cli() -> None:
    """Check statements about deep learning against a curated knowledge graph."""


@cli.command()
@graph_option
def validate(graph_files: tuple[Path, ...]) -> None:
    """Validate the graph against the SHACL shapes (exit 1 when it does not conform).

    Each file is validated with the ontology and the nodes it uses, and its result is cached
    by content: after an edit only the files it touches run again.
    """
    from kg.validate import validate_files

    terminal = sys.stderr.isatty()
    report = validate_files(list(graph_files) or None, _validation_progress if terminal else None)
    if terminal:
        click.echo(_validated(report.validated, report.files), err=True)
    click.echo(report.text(), nl=False)
    if not report.conforms:
        sys.exit(EXIT_FAILURE)


def _validation_progress(done: int, total: int, name: str) -> None:
    end = "\n" if done == total else ""
    click.echo(f"\rvalidating {done}/{total} files: {name[:40]:<40}", nl=False, err=True)
    click.echo(end, nl=False, err=True)


def _validated(names: tuple[str, ...], total: int) -> str:
    """What a run validated anew, for the terminal: the files an edit touched, by name."""
    if len(names) == total:
        return f"validated {total:,} file(s)"
    if not names:
        return f"no file changed: the results of {total:,} file(s) were kept"
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5:,} more" if len(names) > 5 else "")
    return (
        f"validated again: {shown} "
        f"({len(names):,} of {total:,} files; the others' results were kept)"
    )


@cli.command()
@click.argument("query", required=False)
@format_option(
    ["table", "csv", "tsv", "json", "turtle", "nt"],
    "SELECT/ASK: table, csv, tsv or json (W3C results JSON). "
    "CONSTRUCT/DESCRIBE: turtle (default), nt, or json (JSON-LD).",
)
@graph_option
def query(query: str | None, fmt: str, graph_files: tuple[Path, ...]) -> None:
    """Run a read-only SPARQL query: QUERY is the text, a .rq file, or '-' for stdin.

    The prefixes dlc, c, claim, src, topic, rdf, rdfs, owl, xsd, skos, prov, dcterms,
    schema, sh and wd are pre-declared. SERVICE, FROM and updates are refused.
    """
    from kg import sparql

    text = _query_text(query)
    prepared = sparql.prepare(text)  # screen before paying for the graph
    from kg.persistent import open_store, run_query

    result = run_query(open_store(list(graph_files) or None), prepared)
    click.echo(sparql.format_result(result, fmt), nl=False)


def _query_text(query: str | None) -> str:
    if query is None or query == "-":
        if query is None and (sys.stdin is None or sys.stdin.isatty()):
            raise UsageError("give a SPARQL query, a .rq file, or '-' to read stdin")
        data = _stdin().buffer.read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"the query on stdin is not UTF-8 (byte {exc.start})") from None
    if query.endswith(".rq") or _is_file(query):
        path = Path(query)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"{path}: no such query file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read query file ({exc})") from None
    return query


def _is_file(text: str) -> bool:
    """Does `text` name an existing file? Query text too long for a file name does not."""
    try:
        return len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):
        return False


@cli.command()
@format_option(["text", "json"], "text for people; json (the same counts) for tools.")
@graph_option
def stats(fmt: str, graph_files: tuple[Path, ...]) -> None:
    """Count claims by truth status, concepts, sources and triples, overall, per topic and
    per chapter of each book the graph cites (docs/coverage.md)."""
    import json

    from kg.stats import cached_stats, format_stats

    numbers = cached_stats(list(graph_files) or None)
    if fmt == "json":
        click.echo(json.dumps(numbers, indent=1))
    else:
        click.echo(format_stats(numbers), nl=False)


@cli.command()
@click.argument("words", metavar="TEXT", nargs=-1, required=True)
@format_option(
    ["text", "json", "jsonl", "jsonld"],
    "text for people; json (one object) or jsonl (one per line) for tools; "
    "jsonld for a schema.org ClaimReview.",
)
@graph_option
def check(words: tuple[str, ...], fmt: str, graph_files: tuple[Path, ...]) -> None:
    """Check a statement: verdict, explanation and the path through the graph.

    TEXT is the statement (quoted or not: `dlcheck check deep learning requires GPUs`), or
    '-' to read one statement per line from stdin. Each line gets its own result, in order,
    as soon as it is read when nothing more is waiting (a terminal, a program writing line
    by line); blank lines are skipped; a bad line gets an error (an error object in JSON)
    and the rest go on. Exit status 0 when every statement got a verdict (unknown
    included), 1 when a line had an error.
    """
    import json

    from checker.check import Checker, LineError

    text = " ".join(words)
    checker = _long_lived(Checker(list(graph_files) or None))
    if text != "-":
        verdict = checker.check(text)
        if verdict.error:
            raise UsageError(verdict.error)
        click.echo(_render(verdict, fmt, checker), nl=False)
        return
    failed = False
    render = _renderer(fmt, checker)
    stream = _stdin().buffer
    waiting = _waiting(stream)
    # Output goes out in blocks, not one write per line (nor, as click.echo does, one flush
    # per line); a block is flushed whenever no more input is waiting.
    block: list[str] = []
    with _collector_deferred() as collect:
        for number, result in checker.check_lines(stream, waiting=waiting):
            error = result.error
            if error:
                failed = True
                said = result.text
                if fmt in ("json", "jsonl", "jsonld"):  # one record per line in, errors too
                    record = {"line": number, "text": said, "error": error}
                    block.append(json.dumps(record, ensure_ascii=False) + "\n")
                click.echo(f"dlcheck: error: line {number}: {error}", err=True)
            else:
                block.append(render(result))
            if len(block) >= 256 or isinstance(result, LineError) or not waiting():
                sys.stdout.write("".join(block))
                sys.stdout.flush()
                block.clear()
                collect(number)
    sys.stdout.write("".join(block))
    sys.stdout.flush()
    if failed:
        sys.exit(EXIT_FAILURE)


def _long_lived(checker):
    """The checker's graph, pipeline and tables live as long as the process: take them out of
    the cyclic garbage collector's way, which otherwise walks them again and again while a
    batch allocates (a third of the time of a 10,000-line `check -`)."""
    import gc

    gc.freeze()
    return checker


@contextlib.contextmanager
def _collector_deferred(every: int = 100_000):
    """The cyclic collector off while a stream of statements is checked, and run over what
    the last `every` lines left (then frozen, as `_long_lived` freezes the graph) by the
    function this yields, called with the line number after each block of output. What a
    batch leaves lives as long as the process (memos, table rows) and holds almost no cycles
    (10 objects in 10,000 statements), but the first collection after each batch walked all
    of it: 4-5% of a `check -`."""
    import gc

    if not gc.isenabled():  # the caller's choice: leave it
        yield lambda _number: None
        return
    last = 0

    def collect(number: int) -> None:
        nonlocal last
        if number - last >= every:
            gc.collect()
            gc.freeze()
            last = number

    gc.disable()
    try:
        yield collect
    finally:
        gc.enable()


def _render(verdict, fmt: str, checker) -> str:
    return _renderer(fmt, checker)(verdict)


def _renderer(fmt: str, checker):
    """The function that turns a verdict into its output in `fmt`, newline included."""
    import json

    from checker import render

    if fmt in ("json", "jsonl"):
        as_json = render.as_json
        return lambda verdict: as_json(verdict) + "\n"
    if fmt == "jsonld":
        return lambda verdict: (
            json.dumps(render.as_claim_review(verdict, checker.kb), ensure_ascii=False) + "\n"
        )
    colour = sys.stdout.isatty()
    return lambda verdict: render.as_text(verdict, checker.kb, colour=colour)


def _waiting(stream):
    """A function saying whether more of `stream` can be read at once: a terminal or a
    program writing line by line should get each answer as soon as its line is in."""
    import select

    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return lambda: True  # not a file (a test's stream): read it all, in batches
    return lambda: bool(select.select([fd], [], [], 0)[0])


@cli.command()
@click.argument("text")
@format_option(
    ["mermaid", "dot"],
    "mermaid (paste into any Mermaid viewer) or dot (render with Graphviz).",
)
@graph_option
def explain(text: str, fmt: str, graph_files: tuple[Path, ...]) -> None:
    """Draw the justification subgraph of a statement's verdict."""
    from checker import render
    from checker.check import Checker

    checker = Checker(list(graph_files) or None)
    verdict = checker.check(text)
    if verdict.error:
        raise UsageError(verdict.error)
    draw = render.as_mermaid if fmt == "mermaid" else render.as_dot
    click.echo(draw(verdict, checker.kb), nl=False)


@cli.command()
@click.argument(
    "files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--input-format",
    type=click.Choice(["gift", "aiken", "moodlexml", "xml", "csv", "json", "jsonl"]),
    help="Read every FILE in this format instead of telling it from the extension.",
)
@format_option(
    ["text", "json", "csv", "junit"],
    "text for people (one line per question); json, csv or junit (JUnit XML) for tools.",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="text: add every option's verdict, explanation and path."
)
@click.option("--strict", is_flag=True, help="Exit 1 when the checker disagrees with a key.")
@graph_option
def exam(
    files: tuple[Path, ...],
    input_format: str | None,
    fmt: str,
    verbose: bool,
    strict: bool,
    graph_files: tuple[Path, ...],
) -> None:
    """Answer the questions of exam banks with the checker and audit their keys.

    FILE is a GIFT, Aiken, Moodle XML, CSV, JSON or JSON Lines question bank (see
    docs/exam-formats.md). Every multiple-choice and true/false question gets the checker's
    choice, a key status (agrees; disagrees only when a path of the graph refutes the key;
    unsure; no_key) and a one-line reason; other kinds are reported as skipped. Stem forms
    and the choosing rule: docs/exam-formats.md. Questions a file could not read are
    warnings on stderr (file:line: message).
    Exit status 1 when a file cannot be read, or with --strict when a key disagrees.
    """
    from checker.check import Checker
    from checker.exam import ExamFormatError, audit
    from checker.exam.report import render
    from checker.exam.solver import ExamSolver

    def warn(problem) -> None:
        shown = f"dlcheck: error: {problem}" if isinstance(problem, ExamFormatError) else problem
        click.echo(str(shown), err=True)

    # One checker and one stream of statements for every file: the pipeline is built once,
    # and only when some file holds questions.
    result = audit(
        files,
        lambda: ExamSolver(_long_lived(Checker(list(graph_files) or None))),
        input_format=input_format,
        warn=warn,
        progress=_exam_progress if sys.stderr.isatty() else None,
    )
    click.echo(render(result.reports, fmt, verbose), nl=False)
    if result.unreadable or (strict and result.disagreements):
        sys.exit(EXIT_FAILURE)


def _exam_progress(done: int, total: int) -> None:
    if total > 50:  # a small bank is answered before a progress line could help
        end = "\n" if done == total else ""
        click.echo(f"\rchecking {done}/{total} questions", nl=False, err=True)
        click.echo(end, nl=False, err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8790,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    help="Query worker processes, each holding the graph [default: CPUs, at most 4].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a query may run; a longer one is stopped with HTTP 503.",
)
@click.option(
    "--max-results",
    type=click.IntRange(1),
    default=100_000,
    show_default=True,
    help="Rows (SELECT) or triples (CONSTRUCT) a query may return; more is HTTP 422.",
)
@click.option(
    "--worker-memory",
    metavar="MB",
    type=click.IntRange(256, 1 << 20),
    default=2048,
    show_default=True,
    help="Address space each worker may use; a query past it is stopped with HTTP 503.",
)
@click.option("--quiet", is_flag=True, help="Do not log each request on stderr.")
@graph_option
def serve(
    host: str,
    port: int,
    workers: int | None,
    timeout: float,
    max_results: int,
    worker_memory: int,
    quiet: bool,
    graph_files: tuple[Path, ...],
) -> None:
    """Serve the pages and the graph as a read-only SPARQL 1.1 endpoint until Ctrl-C or SIGTERM.

    The pages: / checks statements (/?text=STATEMENT), /browse and /search browse the graph,
    /query runs SPARQL in an editor, /exam audits an uploaded question bank.
    GET or POST /sparql runs a query (results as JSON, XML, CSV or TSV; graphs as Turtle,
    N-Triples, JSON-LD or RDF/XML, by the Accept header); GET /sparql alone describes the
    service. GET /check?text=STATEMENT answers like `dlcheck check --format json`; /health
    says whether it is up. Updates, SERVICE and FROM are refused (403).
    """
    from web.endpoint import Limits
    from web.server import make_server
    from web.server import serve as run_server

    limits = Limits(timeout=timeout, max_results=max_results, worker_memory=worker_memory << 20)
    server = make_server(list(graph_files) or None, host, port, workers, limits, quiet)

    def announce(url: str) -> None:
        click.echo(
            f"dlcheck: serving {url} ({server.pool.triples} triples, "
            f"{server.pool.size} query workers; pages at {server.base_url}/); Ctrl-C stops",
            err=True,
        )

    run_server(server, announce)
    click.echo("dlcheck: stopped", err=True)


@cli.command()
@format_option(
    EXPORT_FORMATS,
    "RDF (turtle, nt, jsonld), the network projection (graphml, dot, mermaid), or every "
    "claim as a schema.org ClaimReview (claimreview).",
)
@click.option(
    "--topic",
    metavar="TOPIC",
    help="Only this topic's claims and what they mention (name, label or IRI of a dlc:Topic).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (complete or not at all) instead of stdout.",
)
@graph_option
def export(fmt: str, topic: str | None, output: Path | None, graph_files: tuple[Path, ...]) -> None:
    """Export the graph, or one topic's subgraph, for other tools."""
    from kg.export import export as run_export
    from kg.export import write_atomically

    graph = _stored(graph_files)
    if output is None:
        run_export(graph, fmt, sys.stdout.buffer, topic)
        sys.stdout.buffer.flush()
        return
    write_atomically(output, lambda handle: run_export(graph, fmt, handle, topic))


@cli.command()
@format_option(
    ["text", "json"], "text for people; json (a list of {level, code, subject, message}) for tools."
)
@graph_option
def lint(fmt: str, graph_files: tuple[Path, ...]) -> None:
    """Find what SHACL cannot: look-alike labels, unsupported claims, orphans, near-duplicates.

    Findings are errors (exit status 1), warnings or infos; --format json gives a list of
    {level, code, subject, message} for tools.
    """
    from kg.lint import ERROR, cached_lint, format_findings

    findings = cached_lint(list(graph_files) or None)
    click.echo(format_findings(findings, fmt), nl=False)
    if any(f.level == ERROR for f in findings):
        sys.exit(EXIT_FAILURE)


@cli.group(name="kg")
def kg_group() -> None:
    """Move the graph between dlcheck and a triple store (see docs/curators.md)."""


@kg_group.command()
@click.option(
    "--endpoint",
    metavar="URL",
    envvar="DLCHECK_ENDPOINT",
    help="The store's SPARQL query URL; the graph-store URL is derived from it "
    "(default: $DLCHECK_ENDPOINT).",
)
@click.option(
    "--store",
    metavar="URL",
    help="The store's SPARQL Graph Store Protocol URL, when it cannot be derived.",
)
@click.option(
    "--graph-iri",
    metavar="IRI",
    default="https://w3id.org/dlcheck/kg/",
    show_default=True,
    help="The named graph to replace.",
)
@click.option(
    "--graph",
    "graph_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Turtle files (or directories of *.ttl) to push with the bundled data. "
    "The ontology is always added.",
)
@click.option("--no-bundled", is_flag=True, help="Push only the --graph files (and the ontology).")
@click.option(
    "--update",
    "update_endpoint",
    metavar="URL",
    help="The store's SPARQL Update URL, when it cannot be derived from --endpoint.",
)
@click.option("--by", "curator", metavar="NAME", help="Who pushes (default: settings, else login).")
@click.option(
    "--force",
    is_flag=True,
    help="Push even a graph that does not validate, or over a store changed since your last "
    "pull or push (a warning says so).",
)
def push(
    endpoint: str | None,
    store: str | None,
    graph_iri: str,
    graph_files: tuple[Path, ...],
    no_bundled: bool,
    update_endpoint: str | None,
    curator: str | None,
    force: bool,
) -> None:
    """Upload the graph to a triple store, replacing one named graph as a whole; safely.

    It refuses a graph that does not validate, and a store whose graph is not the one you
    last pulled or pushed (someone else pushed since: pull, merge, push again). The content
    hash, time and curator of the push are recorded in the metadata graph <GRAPH-IRI/meta>.
    The data goes in one SPARQL 1.1 Graph Store Protocol PUT: a failed push changes nothing.
    Exit status 1 when refused or failed, 2 for usage errors.
    """
    from kg.sync import Store, safe_push, update_url

    if not endpoint:
        raise UsageError(
            "give --endpoint URL (or $DLCHECK_ENDPOINT): the push reads the store's "
            "graph and takes its lock through it"
        )
    files = _graph_files(graph_files, no_bundled)
    target = Store(endpoint, update_endpoint or update_url(endpoint), graph_iri)
    warn = functools.partial(click.echo, err=True)
    pushed = safe_push(
        list(files) or None, target, _curator(curator), force=force, graph_store=store, warn=warn
    )
    verb = "created" if pushed.status == 201 else "replaced"
    click.echo(
        f"{verb} <{graph_iri}> with {pushed.triples} triples at {pushed.store}; "
        f"recorded {pushed.content_hash} in <{target.meta_iri}>"
    )


def _curator(given: str | None) -> str:
    """--by, else `curator` in the settings file, else the login name."""
    import getpass

    from kg.config import configured_curator

    name = (given or configured_curator() or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            raise UsageError(
                "say who curates: --by NAME, or `curator = NAME` in settings"
            ) from None
    return name


@kg_group.command()
@click.option(
    "--endpoint",
    metavar="URL",
    envvar="DLCHECK_ENDPOINT",
    help="The store's SPARQL query URL (default: $DLCHECK_ENDPOINT).",
)
@click.option(
    "--graph-iri",
    metavar="IRI",
    default="https://w3id.org/dlcheck/kg/",
    show_default=True,
    help="The named graph to fetch.",
)
@click.option(
    "--output",
    "-o",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write one Turtle file per topic into (graph.ttl for the rest).",
)
def pull(endpoint: str | None, graph_iri: str, folder: Path) -> None:
    """Fetch the store's graph into Turtle files, one per topic, to edit, diff and push.

    Each file is replaced whole. The content hash is remembered as your base: a later
    `kg push` goes through only if the store still holds it. Read the files with
    `--no-bundled --graph FOLDER`. Exit status 1 when the store cannot be read.
    """
    from kg.sync import Store
    from kg.sync import pull as run_pull

    if not endpoint:
        raise UsageError("give --endpoint URL (or $DLCHECK_ENDPOINT)")
    pulled = run_pull(Store(endpoint, "", graph_iri), folder)
    click.echo(
        f"pulled {pulled.triples} triples into {len(pulled.files)} file(s) in {folder} "
        f"({pulled.content_hash[:19]}...)"
    )


@kg_group.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the sheet to this file (which must not exist yet) instead of stdout.",
)
def template(output: Path | None) -> None:
    """Write an empty claim sheet (CSV) with one example row, for `dlcheck kg import`.

    Columns: statement, subject, relation, object, status, modality, source, section,
    correction, condition, paraphrases (separated by |), topic. See docs/curators.md.
    """
    import csv
    import io

    from kg.export import write_atomically
    from kg.sheet import template_rows

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(template_rows())
    if output is None:
        click.echo(text.getvalue(), nl=False)
        return
    if output.exists():
        raise UsageError(f"{output}: already exists; give a new file name")
    write_atomically(output, lambda handle: handle.write(text.getvalue().encode()))
    click.echo(
        f"wrote {output}: fill one row per claim, then: dlcheck kg import {output} -o FILE.ttl"
    )


@kg_group.command(name="import")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Turtle file to write (replaced whole, and only when every claim passes).",
)
@click.option(
    "--by",
    "curator",
    metavar="NAME",
    help="Who the claims are attributed to (default: `curator` in the settings file).",
)
@graph_option
def import_(sheet: Path, output: Path, curator: str | None, graph_files: tuple[Path, ...]) -> None:
    """Turn a claim sheet (CSV, or YAML with PyYAML) into Turtle: SHEET -o FILE.ttl.

    Concepts, relations, sources and corrections are named by their labels, resolved against
    the graph (the bundled one, plus --graph files). Before FILE is written the result must
    validate (SHACL) and every statement and paraphrase must check to its row's status.
    Exit status 1 with `sheet:line: why` on stderr when it does not; 2 for usage errors.
    """
    from kg.config import configured_curator
    from kg.sheet import import_sheet
    from kg.store import bundled_data_files

    curator = (curator or configured_curator() or "").strip()
    if not curator:
        raise UsageError("say who curates: --by NAME, or `curator = NAME` in the settings file")
    base = list(graph_files) or bundled_data_files()
    claims = import_sheet(sheet, output, base, curator, check_texts)
    click.echo(f"imported {len(claims)} claim(s) into {output}; each checks to its own status")


@kg_group.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--statements",
    "statement_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check these statements on both graphs (TSV with `text` and `expected` columns, "
    "or one statement per line; repeat for several) [default: tests/fixtures/*.tsv].",
)
@format_option(
    ["text", "json", "markdown"],
    "markdown is meant for a review comment.",
)
@click.option(
    "--strict", is_flag=True, help="Exit 1 when a verdict that matched its label no longer does."
)
def diff(old: str, new: str, statement_files: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Compare two graphs: claims and concepts added, removed, changed; verdicts that change.

    OLD and NEW are each `bundled`, a Turtle file, a directory (its *.ttl), a git revision
    (REV means REV:kg/data; or REV:PATH), a SPARQL endpoint URL, or several joined by +
    (`bundled+mine.ttl`). Exit status 1 with --strict when a statement whose verdict matched
    its label no longer does; 2 for usage errors.
    """
    import tempfile

    from kg.diff import default_statement_sets, diff_graphs, format_diff, resolve_side

    with tempfile.TemporaryDirectory(prefix="dlcheck-diff-") as scratch:
        sides = [
            resolve_side(spec, Path(scratch) / name) for spec, name in ((old, "old"), (new, "new"))
        ]
        files = list(statement_files) or default_statement_sets()
        result = diff_graphs(sides[0], sides[1], files, check_texts)
    click.echo(format_diff(result, fmt), nl=False)
    if strict and result.broken:
        sys.exit(EXIT_FAILURE)


def main() -> None:
    cli(prog_name="dlcheck")


if __name__ == "__main__":
    main()
