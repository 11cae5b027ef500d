"""Safe pushes against a real Oxigraph server: validation, provenance, the optimistic lock,
two curators racing, and pulling the graph back into Turtle files."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request

import pytest
import test_remote
from conftest import seed_files, seed_graph_args

from kg import sync
from kg.store import gather_graph_files, load_graph

GRAPH = "https://w3id.org/dlcheck/kg/"
CONCEPT = """@prefix dlc: <https://w3id.org/dlcheck/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/dlcheck/kg/concept/{name}> a dlc:Hardware ; skos:prefLabel "{name}"@en .
"""


@pytest.fixture
def oxigraph(tmp_path):
    """A real Oxigraph server on a free loopback port (the fixture of tests/test_remote.py)."""
    yield from test_remote.oxigraph.__wrapped__(tmp_path)


def _concept_file(folder, name: str):
    path = folder / f"{name}.ttl"
    path.write_text(CONCEPT.format(name=name), encoding="utf-8")
    return path


def _store(url: str) -> sync.Store:
    return sync.Store(url, sync.update_url(url), GRAPH)


def _select(url: str, query: str) -> list[dict]:
    request = f"{url}?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["results"]["bindings"]


def test_push_records_hash_time_and_curator_and_refuses_a_stale_base(
    oxigraph, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("DLCHECK_STATE", str(tmp_path / "ada.json"))
    first = run_cli(
        "kg", "push", "--endpoint", oxigraph, "--by", "Ada Lovelace", *seed_graph_args()
    )
    assert first.exit_code == 0, first.stderr
    assert first.output.startswith(f"created <{GRAPH}> with ")
    (row,) = _select(
        oxigraph,
        "SELECT ?hash ?at ?name WHERE { GRAPH <https://w3id.org/dlcheck/kg/meta> { "
        "<https://w3id.org/dlcheck/kg/> <http://purl.org/dc/terms/identifier> ?hash ; "
        "<http://www.w3.org/ns/prov#wasGeneratedBy> ?push . "
        "?push <http://www.w3.org/ns/prov#endedAtTime> ?at ; "
        "<http://www.w3.org/ns/prov#wasAssociatedWith> ?who . "
        "?who <http://www.w3.org/2000/01/rdf-schema#label> ?name } }",
    )
    assert row["hash"]["value"] == sync.graph_hash(load_graph(seed_files()))
    assert row["hash"]["value"] in first.output
    assert row["name"]["value"] == "Ada Lovelace"
    assert row["at"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"

    # Bob never pulled: his push would overwrite Ada's graph unseen.
    monkeypatch.setenv("DLCHECK_STATE", str(tmp_path / "bob.json"))
    mine = _concept_file(tmp_path, "abacus")
    bobs = [*seed_graph_args(), "--graph", str(mine)]
    refused = run_cli("kg", "push", "--endpoint", oxigraph, "--by", "Bob", *bobs)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "dlcheck: error: the store's graph is not the one you last pulled or pushed: you have "
        f"not pulled it (last pushed by Ada Lovelace at {row['at']['value']}). Nothing was "
        "pushed. Run dlcheck kg pull, merge your change, and push again\n"
    )
    # After a pull his push goes through.
    assert (
        run_cli("kg", "pull", "--endpoint", oxigraph, "-o", str(tmp_path / "pulled")).exit_code == 0
    )
    again = run_cli("kg", "push", "--endpoint", oxigraph, "--by", "Bob", *bobs)
    assert again.exit_code == 0, again.stderr


def test_a_graph_that_does_not_validate_is_refused_unless_forced(
    oxigraph, run_cli, tmp_path, monkeypatch
):
    from conftest import FIXTURES

    monkeypatch.setenv("DLCHECK_STATE", str(tmp_path / "state.json"))
    broken = str(FIXTURES / "broken.ttl")
    pushed = [*seed_graph_args(), "--graph", broken]
    refused = run_cli("kg", "push", "--endpoint", oxigraph, "--by", "me", *pushed)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("dlcheck: error: the graph does not validate (")
    assert "nothing was pushed" in refused.stderr and refused.stderr.count("\n") == 1
    assert _select(oxigraph, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1") == []
    forced = run_cli("kg", "push", "--endpoint", oxigraph, "--by", "me", *pushed, "--force")
    assert forced.exit_code == 0
    assert forced.stderr.startswith("dlcheck: warning: pushing a graph that does not validate")


def test_two_curators_racing_from_the_same_base(oxigraph, tmp_path, monkeypatch):
    store = _store(oxigraph)
    states = {name: tmp_path / f"{name}.json" for name in ("ada", "bob")}
    sync.safe_push(seed_files(), store, "seed", state_file=states["ada"])
    for name in states:
        sync.pull(store, tmp_path / f"pulled-{name}", state_file=states[name])
    graphs = {name: [*seed_files(), _concept_file(tmp_path, name)] for name in states}

    # Both have passed every check before either swaps the store's record: a true race.
    both_checked = threading.Barrier(2, timeout=60)
    real_update = sync._update

    claimed = threading.local()

    def update_after_both_checked(target, text):
        if not getattr(claimed, "done", False):  # a push's first update is its claim
            claimed.done = True
            both_checked.wait()
        real_update(target, text)

    monkeypatch.setattr(sync, "_update", update_after_both_checked)
    outcome: dict[str, object] = {}

    def push(name: str) -> None:
        try:
            outcome[name] = sync.safe_push(graphs[name], store, name, state_file=states[name])
        except sync.PushRefused as exc:
            outcome[name] = exc

    threads = [threading.Thread(target=push, args=(name,)) for name in states]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    refused = [name for name, result in outcome.items() if isinstance(result, Exception)]
    assert len(outcome) == 2 and len(refused) == 1, outcome
    (winner,) = set(states) - set(refused)
    assert str(outcome[refused[0]]) == (
        f"another curator pushed ({winner}) while you were pushing; nothing of yours was "
        "pushed. Run dlcheck kg pull, merge your change, and push again"
    )
    assert sync.current_hash(store) == sync.graph_hash(load_graph(graphs[winner]))
    assert sync.recorded(store).name == winner
    assert list(sync.claimants(store).values()) == [winner]  # the record holds one push


def test_pull_writes_one_file_per_topic_that_reads_back_to_the_same_graph(
    oxigraph, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("DLCHECK_STATE", str(tmp_path / "state.json"))
    pushed = run_cli("kg", "push", "--endpoint", oxigraph, "--by", "me", *seed_graph_args())
    assert pushed.exit_code == 0, pushed.stderr
    folder = tmp_path / "pulled"
    result = run_cli("kg", "pull", "--endpoint", oxigraph, "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in folder.glob("*.ttl"))
    assert "graph.ttl" in names and "hardware.ttl" in names and "limitations.ttl" in names
    hardware = (folder / "hardware.ttl").read_text()
    assert "claim:dl-requires-specialized-hardware a" in hardware and "c:tpu a" in hardware
    back = load_graph(gather_graph_files([folder], bundled=False))
    assert sync.graph_hash(back) == sync.graph_hash(load_graph(seed_files()))
    # The store is a side of `kg diff` too: it holds what was pushed, the seed topics.
    statements = tmp_path / "one.txt"
    statements.write_text("TPUs accelerate training.\n")
    pushed_files = "+".join(str(path) for path in seed_files())
    diff = run_cli("kg", "diff", pushed_files, oxigraph, "--statements", str(statements))
    assert diff.exit_code == 0, diff.stderr
    assert "claims: 0 added, 0 removed, 0 changed" in diff.output.splitlines()
    assert "verdicts: 0 of 1 statements changed" in diff.output


def test_pull_from_an_empty_store_says_to_push_first(oxigraph, run_cli, tmp_path):
    result = run_cli("kg", "pull", "--endpoint", oxigraph, "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "holds nothing in <https://w3id.org/dlcheck/kg/>; push first" in result.stderr


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("http://h:7878/query", "http://h:7878/update"),
        ("http://h:3030/ds/sparql", "http://h:3030/ds/update"),
        ("http://h:7200/repositories/kg", "http://h:7200/repositories/kg/statements"),
    ],
)
def test_update_urls_of_known_stores(endpoint, expected):
    assert sync.update_url(endpoint) == expected


def test_graph_hash_canonicalizes_blank_nodes_as_the_whole_graph_would():
    """Only the triples with a blank node are canonicalized: the hash is the one of
    canonicalizing the whole graph, with or without blank nodes, in any parse."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    def whole(graph) -> str:
        import hashlib

        lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in to_canonical_graph(graph))
        return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    nested = """@prefix ex: <http://example.org/> .
ex:a ex:p [ ex:q [ ex:r "x" ] ; ex:s ex:b ] ; ex:t ( ex:c [ ex:u 1 ] ) .
ex:b ex:p [ ex:q [ ex:r "x" ] ] .
"""
    graphs = [load_graph(seed_files()), Graph().parse(data=nested, format="turtle")]
    for graph in graphs:
        assert sync.graph_hash(graph) == whole(graph)
    again = Graph().parse(data=nested, format="turtle")  # new blank-node labels
    assert sync.graph_hash(again) == sync.graph_hash(graphs[1])
