"""The compile and lint steps that used to grow quadratically give the same results as before."""

from __future__ import annotations

import difflib
import itertools
import math
import sys

from kg import lint
from kg.compile import _EVIDENCE, _field, _rank_evidence


def _ranking_by_search(network, claim: dict) -> tuple[tuple[str, str], ...]:
    """The ranking as it was computed before: a weighted search per evidence, the degree
    counted anew on every step."""
    import networkx as nx

    def weight(_u, v, _data) -> float:
        return 1.0 + math.log(1 + network.degree(v))

    ranked = []
    for order, (name, _) in enumerate(_EVIDENCE):
        for target in claim[_field(name)]:
            try:
                cost = nx.shortest_path_length(network, claim["iri"], target, weight=weight)
            except (nx.NetworkXNoPath, nx.NodeNotFound):
                cost = math.inf
            ranked.append((order, cost, target, "https://w3id.org/dlcheck/ontology#" + name))
    ranked.sort()
    return tuple((predicate, target) for _, _, target, predicate in ranked)


def test_evidence_ranking_equals_the_search_on_the_bundled_graph(graph):
    from rdflib.namespace import RDF

    from kg.network import project
    from ontology import DLC

    network = project(graph)
    degrees = dict(network.degree())
    compared = 0
    for node in graph.subjects(RDF.type, DLC.Claim):
        claim = {"iri": str(node)}
        for name, _ in _EVIDENCE:
            claim[_field(name)] = tuple(sorted(str(o) for o in graph.objects(node, DLC[name])))
        if not any(claim[_field(name)] for name, _ in _EVIDENCE):
            continue
        assert _rank_evidence(network, claim, degrees) == _ranking_by_search(network, claim)
        compared += 1
    assert compared > 200


def test_evidence_that_is_not_linked_directly_is_still_searched():
    import networkx as nx

    network = nx.MultiDiGraph()
    network.add_edge("claim", "hub", key="p", predicate="p")
    network.add_edge("hub", "far", key="p", predicate="p")
    claim = {
        "iri": "claim",
        "corrected_by": ("far", "missing"),
        "refuted_by": (),
        "supported_by": (),
    }
    ranked = _rank_evidence(network, claim, dict(network.degree()))
    assert ranked == _ranking_by_search(network, claim)
    assert [target for _, target in ranked] == ["far", "missing"]


def _similar_pairs_by_comparing_all(texts: dict[str, str]) -> set[tuple[str, str]]:
    pairs = set()
    for (a, text_a), (b, text_b) in itertools.combinations(sorted(texts.items()), 2):
        if difflib.SequenceMatcher(None, text_a, text_b, autojunk=False).ratio() > lint.SIMILAR:
            pairs.add((a, b))
    return pairs


def test_similar_labels_found_through_the_index_are_those_of_all_pairs_within_its_bound():
    # Near-misses of every kind: one letter changed, words swapped, a word dropped, two words
    # spelt another way, one-word labels (compared by length alone) and labels with nothing
    # in common.
    texts = {
        "u:1": "Deep learning always needs massive labelled datasets.",
        "u:2": "Deep learning always needs massive labeled datasets.",
        "u:3": "Deep learning always need massive labelled datasets",
        "u:4": "Massive labelled datasets always need deep learning.",
        "u:5": "Deep learning needs massive labelled datasets.",
        "u:6": "GPUs",
        "u:7": "GPUs!",
        "u:8": "TPUs",
        "u:9": "Dropout reduces overfitting in large networks.",
        "u:10": "Dropout reduces overfitting in larger networks.",
        "u:11": "A",
        "u:12": "B",
        "u:13": "abcdefghij",
        "u:14": "abcdefghik",
        "u:15": "Transformers",
        "u:16": "Transformer",
        "u:17": "Batch normalisation layers stabilise training",
        "u:18": "Batch normalization layers stabilize training",
        "u:19": "The model is trained on a large labelled corpus of text",
        "u:20": "The models are trained on the large labeled corpus of text",
        "u:21": "A small network is tuned with a tiny labelled set of images",
        "u:22": "A small network was tuned in the tiny labeled set of images",
    }
    found = {(str(a), str(b)) for a, b, _ in lint._similar_labels(texts, set())}
    normalised = {iri: lint._normalise(text) for iri, text in texts.items()}
    # The one pair the index leaves out, by design: four words of each label changed
    # (CHANGED_WORDS is 3), though the characters are 91.5% alike. A plural is no changed
    # word: u:19 and u:20 ("model", "models") are found.
    assert ("u:19", "u:20") in found
    assert found == _similar_pairs_by_comparing_all(normalised) - {("u:21", "u:22")}
    assert {("u:1", "u:2"), ("u:6", "u:7"), ("u:15", "u:16"), ("u:17", "u:18")} <= found


def test_similar_labels_on_the_bundled_graph_equal_those_of_all_pairs(graph):
    from rdflib.namespace import RDF, RDFS

    from ontology import DLC

    claims = sorted(graph.subjects(RDF.type, DLC.Claim), key=str)
    labels = {claim: graph.value(claim, RDFS.label) for claim in claims}
    found = {(str(a), str(b)) for a, b, _ in lint._similar_labels(labels, set())}
    texts = {
        str(c): text for c in claims if (text := lint._normalise(str(graph.value(c, RDFS.label))))
    }
    expected = _similar_pairs_by_comparing_all_within_the_length_window(texts)
    # By design the search skips pairs in which more than CHANGED_WORDS words of a label are
    # not in the other; in the bundled graph those are a claim and its contrary that swaps a
    # worked-out number ("200*200*3 = 120,000 weights" against "40,000 weights"), never two
    # wordings of one fact.
    skipped = {pair for pair in expected if _changed_words(texts, *pair) > lint.CHANGED_WORDS}
    assert found == expected - skipped
    corrections = {
        tuple(sorted((str(a), str(b)))) for a, b in graph.subject_objects(DLC.correctedBy)
    }
    assert skipped <= corrections, skipped - corrections


def _changed_words(texts: dict[str, str], a: str, b: str) -> int:
    words_a, words_b = set(lint._tokens(texts[a])), set(lint._tokens(texts[b]))
    return max(len(words_a), len(words_b)) - len(words_a & words_b)


def _similar_pairs_by_comparing_all_within_the_length_window(
    texts: dict[str, str],
) -> set[tuple[str, str]]:
    """Every pair whose difflib ratio is above lint.SIMILAR, by difflib's own filters in
    array form: all pairs of the bundled graph one by one take minutes. The length window is
    exact (ratio <= 2 * shorter / (sum of lengths): real_quick_ratio), and so is the bound of
    matching characters (quick_ratio, a sum of per-character minimums); ratio() decides the
    few pairs left."""
    import numpy

    by_length = sorted(texts.items(), key=lambda kv: len(kv[1]))
    alphabet = {char: column for column, char in enumerate(sorted(set("".join(texts.values()))))}
    counts = numpy.zeros((len(by_length), len(alphabet)), dtype=numpy.int32)
    for row, (_, text) in enumerate(by_length):
        for char in text:
            counts[row, alphabet[char]] += 1
    lengths = numpy.array([len(text) for _, text in by_length], dtype=numpy.float64)
    expected = set()
    for j, (b, text_b) in enumerate(by_length):
        # Shorter labels (those before j) inside the window: the ratio bound grows with length.
        inside = numpy.nonzero(2 * lengths[:j] / (lengths[:j] + lengths[j]) > lint.SIMILAR)[0]
        if not len(inside):
            continue
        matches = numpy.minimum(counts[inside], counts[j]).sum(axis=1)
        quick = 2.0 * matches / (lengths[inside] + lengths[j]) > lint.SIMILAR
        for i in inside[quick]:
            a, text_a = by_length[i]
            ratio = difflib.SequenceMatcher(None, text_a, text_b, autojunk=False).ratio()
            if ratio > lint.SIMILAR:
                expected.add(tuple(sorted((a, b))))
    return expected


def test_the_array_reference_equals_comparing_every_pair():
    """The reference above leaves out only pairs difflib's own bounds rule out."""
    words = ["deep", "learning", "needs", "data", "a", "GPUs", "model", "models", "the"]
    texts = {
        f"u:{n}": " ".join(words[(n * k) % len(words)] for k in range(1 + n % 5)) for n in range(60)
    }
    texts.update({"v:1": "dropout reduces overfitting", "v:2": "dropout reduces overfiting"})
    everything = _similar_pairs_by_comparing_all(texts)
    assert ("v:1", "v:2") in everything
    assert _similar_pairs_by_comparing_all_within_the_length_window(texts) == everything


def test_bench_synthetic_graph_is_valid_with_distinct_labels(graph, tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    from kg.lint import ERROR, lint_graph
    from kg.store import bundled_data_files, load_graph
    from kg.validate import validate_files

    bench = Path(__file__).parent.parent / "bench" / "scale.py"
    spec = importlib.util.spec_from_file_location("scale_bench", bench)
    scale = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "scale_bench", scale)  # its dataclasses look it up
    spec.loader.exec_module(scale)

    files = scale.generate(2, tmp_path / "graph")
    bundled = bundled_data_files()
    synthetic = files[len(bundled) :]
    from rdflib.namespace import RDF

    from ontology import DLC

    # The session's bundled graph: building another rdflib Graph of it costs seconds.
    claims = len(set(graph.subjects(RDF.type, DLC.Claim)))
    assert len(synthetic) == -(-claims // scale.CLAIMS_PER_FILE)  # twice the bundled claims
    # A few of the files keep this quick; they are all made alike.
    files = bundled + synthetic[:4]
    assert validate_files(files).conforms
    grown = load_graph(files)
    errors = [f for f in lint_graph(grown) if f.level == ERROR]
    assert errors == []  # no shared labels, no false corrections
    added = set(grown.subjects(RDF.type, DLC.Claim))
    assert len(added) == claims + 4 * scale.CLAIMS_PER_FILE
