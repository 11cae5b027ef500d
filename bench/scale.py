"""Benchmark: how dlcheck's commands grow with the graph, at 1x, 10x and 100x the bundled one.

Synthetic graphs keep the bundled files and add topic files of valid synthetic concepts and
claims about the size of a bundled topic file (distinct labels, a taxonomy, sources, evidence,
subjects and objects drawn with a skewed fan-out that reaches into the bundled graph's hubs).
Every figure is measured in this run, in child processes, and printed with its ratio to the
bundled graph's (1x) and, where one applies, to a floor measured in the same run:

    bare spaCy start   python -c "import spacy; spacy.blank('en')"   (for `check`)
    bare rdflib start  python -c "import rdflib"                     (for curators' commands)

Run: python bench/scale.py [--sizes 1,10,100] [--keep DIR] [--statements 2000]
100x takes long (its first compile alone is minutes); `--sizes 1,10` is the quick run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAIMS_PER_FILE = 64  # the bundled topic files hold 60-70 claims each on average
CONCEPTS_PER_FILE = 36
SECTIONS_PER_FILE = 4

MODIFIERS = """sparse adaptive gated residual stochastic bayesian contrastive hierarchical causal
masked quantized pruned distilled federated robust shallow wide dilated grouped separable
depthwise pointwise axial sliding strided lateral cascaded nested factorized low-rank
orthogonal spectral variational denoising autoregressive bidirectional multiscale multimodal
cross-lingual self-paced curriculum-based momentum-based noise-aware uncertainty-aware
memory-efficient energy-based graph-based kernel-based tree-structured recursive
sequence-level token-level layer-wise channel-wise patch-based region-based anchor-free
weight-shared parameter-free data-free label-efficient""".split()
HEADS = """encoder decoder pooling attention normalization regularizer optimizer scheduler
embedding tokenizer classifier detector autoencoder transformer memory kernel filter gate
sampler critic generator discriminator aggregator projector router adapter bottleneck
initializer estimator planner retriever ranker segmenter tracker parser captioner
summarizer translator recommender forecaster""".split()
QUALIFIERS = """block layer head module unit network scheme method objective policy variant
procedure mechanism strategy architecture pipeline family framework protocol technique
criterion heuristic schedule regime prior approach design recipe backbone stage""".split()
CLASSES = "Technique Technique Technique ModelFamily Limitation Quality Application DataResource"
CLASSES = CLASSES.split()
RELATIONS = """requires benefitsFrom reduces increases accelerates enables uses solves
strugglesWith causes prevents outperforms replaces appliedTo""".split()
STATUSES = ["StatusTrue"] * 7 + ["StatusFalse"] * 2 + ["StatusPartlyTrue"]
MODALITIES = ["Always", "Generally", "Generally", "Can"]

PREFIXES = """@prefix c:       <https://w3id.org/dlcheck/kg/concept/> .
@prefix claim:   <https://w3id.org/dlcheck/kg/claim/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dlc:     <https://w3id.org/dlcheck/ontology#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix src:     <https://w3id.org/dlcheck/kg/source/> .
@prefix topic:   <https://w3id.org/dlcheck/kg/topic/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""


# --- the synthetic graph ------------------------------------------------------------------


@dataclass
class _Concept:
    iri: str  # prefixed name, c:...
    label: str


def bundled_shape() -> tuple[int, list[_Concept], dict[str, str]]:
    """The bundled graph's claim count, its hub concepts (most used by claims first), and
    the relations' labels."""
    from rdflib.namespace import RDF, SKOS

    from kg.store import load_graph
    from ontology import DLC

    graph = load_graph()
    claims = set(graph.subjects(RDF.type, DLC.Claim))
    uses: dict = {}
    for claim in claims:
        for end in (DLC.subject, DLC.object):
            node = graph.value(claim, end)
            uses[node] = uses.get(node, 0) + 1
    hubs = sorted(uses, key=lambda n: (-uses[n], str(n)))[:60]
    concepts = [
        _Concept("c:" + str(n).rsplit("/", 1)[-1], str(graph.value(n, SKOS.prefLabel)))
        for n in hubs
        if graph.value(n, SKOS.prefLabel) is not None and "/concept/" in str(n)
    ]
    relations = {r: str(graph.value(DLC[r], SKOS.prefLabel)) for r in RELATIONS}
    return len(claims), concepts, relations


def generate(factor: int, folder: Path, seed: int = 17) -> list[Path]:
    """The bundled data files plus enough synthetic topic files for `factor` times the claims."""
    from kg.store import bundled_data_files

    bundled = bundled_data_files()
    if factor <= 1:
        return bundled
    claims, hubs, relations = bundled_shape()
    files = (claims * (factor - 1) + CLAIMS_PER_FILE - 1) // CLAIMS_PER_FILE
    rng = random.Random(seed)
    names = _concept_names(files * CONCEPTS_PER_FILE, rng)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for number in range(files):
        mine = names[number * CONCEPTS_PER_FILE : (number + 1) * CONCEPTS_PER_FILE]
        path = folder / f"synthetic-{number:05d}.ttl"
        path.write_text(_topic_file(number, mine, hubs, relations, rng), encoding="utf-8")
        out.append(path)
    return bundled + out


def _concept_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (label, synonym) pairs; word lists are disjoint by position, so a
    label never equals another's synonym."""
    combos = [(m, h, q) for m in MODIFIERS for h in HEADS for q in QUALIFIERS]
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} synthetic concepts; ask for a smaller size")
    chosen = rng.sample(combos, count)
    return [(f"{m} {h} {q}", f"{m} {q} {h}") for m, h, q in chosen]


def _topic_file(number, names, hubs, relations, rng: random.Random) -> str:
    tag = f"synthetic-{number:05d}"
    lines = [PREFIXES]
    lines.append(f'topic:{tag} a dlc:Topic ; skos:prefLabel "synthetic topic {number}"@en .\n')
    lines.append(
        f'src:{tag} a dlc:Publication ; rdfs:label "Synthetic survey {number}"@en ;\n'
        f'    dcterms:title "Synthetic Survey {number}" ;\n'
        f'    dcterms:creator "Bench Author {number % 97}" ;\n'
        f'    dcterms:date "20{10 + number % 15}-01-01"^^xsd:date .'
    )
    for section in range(SECTIONS_PER_FILE):
        lines.append(
            f"src:{tag}-s{section} a dlc:SourceSection ; dcterms:isPartOf src:{tag} ;\n"
            f'    dlc:section "section {section + 1}" ; '
            f'rdfs:label "Synthetic survey {number}, section {section + 1}"@en .'
        )
    concepts = []
    for index, (label, synonym) in enumerate(names):
        iri = f"c:{tag}-{index}"
        parts = [f"{iri} a dlc:{rng.choice(CLASSES)}", f'skos:prefLabel "{label}"@en']
        if rng.random() < 0.3:
            parts.append(f'skos:altLabel "{synonym}"@en')
        # A taxonomy: mostly under an earlier concept of the topic, else under a hub.
        if index and rng.random() < 0.7:
            parts.append(f"skos:broader {concepts[rng.randrange(len(concepts))].iri}")
        elif rng.random() < 0.5:
            parts.append(f"skos:broader {rng.choice(hubs).iri}")
        parts.append(f"prov:wasDerivedFrom src:{tag}-s{index % SECTIONS_PER_FILE}")
        lines.append(" ;\n    ".join(parts) + " .")
        concepts.append(_Concept(iri, label))

    def pick() -> _Concept:
        # Skewed fan-out: a few concepts of the topic carry most claims; some claims reach
        # into the bundled graph's hubs.
        if rng.random() < 0.15:
            return hubs[min(int(rng.expovariate(0.15)), len(hubs) - 1)]
        return concepts[min(int(rng.expovariate(0.12)), len(concepts) - 1)]

    said, true_claims, index = set(), [], 0
    while index < CLAIMS_PER_FILE:
        subject, obj, relation = pick(), pick(), rng.choice(RELATIONS)
        if subject.iri == obj.iri or (subject.iri, relation, obj.iri) in said:
            continue
        said.add((subject.iri, relation, obj.iri))
        status = "StatusTrue" if index < 8 else rng.choice(STATUSES)
        iri = f"claim:{tag}-{index}"
        text = f"{subject.label} {relations[relation]} {obj.label}."
        parts = [
            f"{iri} a dlc:Claim",
            f'rdfs:label "{text[0].upper()}{text[1:]}"@en',
            f"dlc:subject {subject.iri} ; dlc:relation dlc:{relation} ; dlc:object {obj.iri}",
            f"dlc:modality dlc:{rng.choice(MODALITIES)} ; dlc:truthStatus dlc:{status}",
            f"prov:wasDerivedFrom src:{tag}-s{rng.randrange(SECTIONS_PER_FILE)}",
            f"dlc:topic topic:{tag}",
        ]
        if status == "StatusFalse":
            parts.append(f"dlc:correctedBy {rng.choice(true_claims)}")
        elif status == "StatusPartlyTrue":
            parts.append(f'dlc:condition "when the {obj.label} is small"@en')
        elif true_claims and rng.random() < 0.25:
            parts.append(f"dlc:supportedBy {rng.choice(true_claims)}")
        if status == "StatusTrue":
            true_claims.append(iri)
        lines.append(" ;\n    ".join(parts) + " .")
        index += 1
    return "\n\n".join(lines) + "\n"


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def run(args: list[str], cache: Path, stdin: str | None = None) -> Run:
    """One child process: wall time, peak resident memory (from its own rusage), stdout."""
    env = dict(os.environ, DLCHECK_CACHE_DIR=str(cache))
    env.pop("DLCHECK_ENDPOINT", None)
    with tempfile.TemporaryFile("w+") as given, tempfile.TemporaryFile("w+") as out:
        with tempfile.TemporaryFile("w+") as err:
            given.write(stdin or "")
            given.seek(0)
            started = time.perf_counter()
            child = subprocess.Popen(args, cwd=ROOT, env=env, stdin=given, stdout=out, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            if child.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(args[:4])} ... failed: {err.read()[-500:]}")
        out.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, out.read())


def dlcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


def median_seconds(args, cache, times=3, stdin=None) -> float:
    return statistics.median(run(args, cache, stdin).seconds for _ in range(times))


COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a dlc:Claim }"
TWO_HOP = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?myth dlc:correctedBy ?fix . ?fix dlc:subject ?concept . "
    "?concept skos:prefLabel ?label }"
)
RANK = """
import sys, time
from pathlib import Path
from kg.compile import _EVIDENCE, _field, _rank_evidence
from kg.network import project
from kg.store import load_graph
from rdflib.namespace import RDF
from ontology import DLC
graph = load_graph([Path(p) for p in sys.argv[1:]])
started = time.perf_counter()
network = project(graph)
projected = time.perf_counter()
degrees = dict(network.degree())
for node in graph.subjects(RDF.type, DLC.Claim):
    claim = {"iri": str(node)}
    for name, _ in _EVIDENCE:
        claim[_field(name)] = tuple(sorted(str(o) for o in graph.objects(node, DLC[name])))
    _rank_evidence(network, claim, degrees)
print(time.perf_counter() - projected)
"""


def measure(factor: int, files: list[Path], work: Path, statements: int) -> dict[str, object]:
    cache = work / f"cache-{factor}x"
    graph = [arg for path in files for arg in ("--graph", str(path))]
    figures: dict[str, object] = {}
    claims = len([1 for p in files for line in p.open(encoding="utf-8") if " a dlc:Claim" in line])
    figures["claims"] = claims
    figures["files"] = len(files)
    statement = "Deep learning always requires massive datasets"

    first = run(dlcheck("check", statement, *graph), cache)
    figures["first compile after a change"] = (first.seconds, first.peak_mb)
    kb = sorted(cache.glob("kb-*.pickle"))
    figures["knowledge-base cache file"] = kb[0].stat().st_size / 1e6 if kb else None
    warm = [run(dlcheck("check", statement, *graph), cache) for _ in range(3)]
    figures["cold check, warm cache"] = (
        statistics.median(r.seconds for r in warm),
        max(r.peak_mb for r in warm),
    )
    texts = "\n".join(_statements(statements)) + "\n"
    many = run(dlcheck("check", "-", "--format", "jsonl", *graph), cache, texts)
    one = run(dlcheck("check", "-", "--format", "jsonl", *graph), cache, statement + "\n")
    figures["check - per statement"] = max(many.seconds - one.seconds, 1e-9) / statements
    rank = run([sys.executable, "-c", RANK, *map(str, files)], cache)
    figures["_rank_evidence inside the compile"] = float(rank.output.strip())

    built = run(dlcheck("stats", *graph), cache)
    figures["store build (once per content)"] = (built.seconds, built.peak_mb)
    figures["query count, warm"] = median_seconds(dlcheck("query", COUNT, *graph), cache)
    figures["query two-hop, warm"] = median_seconds(dlcheck("query", TWO_HOP, *graph), cache)
    figures["stats, warm"] = median_seconds(dlcheck("stats", *graph), cache)
    linted = run(dlcheck("lint", *graph), cache)
    figures["lint"] = (linted.seconds, linted.peak_mb)

    validated = run(dlcheck("validate", *graph), cache)
    figures["validate, every file"] = (validated.seconds, validated.peak_mb)
    edited = _edit_one(files, work)
    graph_edited = [arg for path in edited for arg in ("--graph", str(path))]
    again = run(dlcheck("validate", *graph_edited), cache)
    figures["validate after one edited file"] = (again.seconds, again.peak_mb)
    if validated.output != again.output:
        figures["note"] = "the edit changed validate's report"
    return figures


def _edit_one(files: list[Path], work: Path) -> list[Path]:
    """A copy of the last file with one claim's comment added, standing for a curator's edit."""
    last = files[-1]
    copy = work / "edited" / last.name
    copy.parent.mkdir(exist_ok=True)
    text = last.read_text(encoding="utf-8")
    marker = " a dlc:Claim ;"
    at = text.find(marker)
    if at < 0:
        copy.write_text(text + '\nclaim:edited rdfs:comment "edited"@en .\n', encoding="utf-8")
    else:
        at += len(marker)
        copy.write_text(
            text[:at] + '\n    rdfs:comment "An edit."@en ;' + text[at:], encoding="utf-8"
        )
    return [*files[:-1], copy]


def _statements(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    from check_speed import OBJECTS, SUBJECTS, VERBS

    rng = random.Random(5)
    return [
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}" for _ in range(count)
    ]


# --- the table ----------------------------------------------------------------------------

ROWS = [
    ("cold check, warm cache", "spacy"),
    ("check - per statement", None),
    ("first compile after a change", None),
    ("_rank_evidence inside the compile", None),
    ("knowledge-base cache file", None),
    ("store build (once per content)", "rdflib"),
    ("query count, warm", "rdflib"),
    ("query two-hop, warm", "rdflib"),
    ("stats, warm", "rdflib"),
    ("lint", "rdflib"),
    ("validate, every file", "rdflib"),
    ("validate after one edited file", "rdflib"),
]
GOALS = [
    ("cold check, warm cache", "spacy", 1.2, "cold check <= 1.2x bare spaCy start"),
    ("check - per statement", "1x", 1.2, "per-statement cost <= 1.2x the bundled graph's"),
    ("first compile after a change", 60.0, None, "first compile <= 60 s"),
    ("first compile after a change", "mb", 2048, "first compile <= 2 GB"),
    ("lint", 30.0, None, "lint <= 30 s"),
    ("query count, warm", 2.0, None, "a count query <= 2 s"),
    ("query two-hop, warm", 2.0, None, "a two-hop query <= 2 s"),
    ("stats, warm", 2.0, None, "stats <= 2 s"),
    ("validate after one edited file", 10.0, None, "validate after one edit <= 10 s"),
]


def _seconds(value) -> float | None:
    if value is None:
        return None
    return value[0] if isinstance(value, tuple) else value


def _cell(name: str, value, base, floor: float | None) -> str:
    if value is None:
        return "-"
    if name == "knowledge-base cache file":
        text = f"{value:.1f} MB"
    elif name == "check - per statement":
        text = f"{1 / value:,.0f}/s"
    else:
        seconds = _seconds(value)
        text = f"{seconds:.2f} s" if seconds < 100 else f"{seconds:,.0f} s"
        if isinstance(value, tuple):
            text += f", {value[1]:,.0f} MB"
    ratios = []
    if base is not None and _seconds(base):
        ratios.append(f"{_seconds(value) / _seconds(base):.2f}x 1x")
    if floor:
        ratios.append(f"{_seconds(value) / floor:.2f}x floor")
    return text + (f" ({'; '.join(ratios)})" if ratios else "")


def table(results: dict[int, dict], floors: dict[str, float]) -> str:
    sizes = sorted(results)
    head = " | ".join(f"{s}x ({results[s]['claims']:,} claims)" for s in sizes)
    lines = [f"| measure | {head} |", "|---|" + "---|" * len(sizes)]
    base = results.get(1, {})
    for name, floor in ROWS:
        cells = [
            _cell(name, results[s].get(name), base.get(name), floors.get(floor) if floor else None)
            for s in sizes
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Floors in this run: bare spaCy start {floors['spacy']:.2f} s, "
        f"bare rdflib start {floors['rdflib']:.2f} s."
    )
    return "\n".join(lines)


def goals(results: dict[int, dict], floors: dict[str, float]) -> str:
    largest = max(results)
    figures, base = results[largest], results.get(1, {})
    lines = [f"Goals, at the largest size measured ({largest}x):"]
    for name, limit, bound, words in GOALS:
        value = figures.get(name)
        if value is None:
            continue
        if limit == "spacy":
            measured, allowed = _seconds(value) / floors["spacy"], bound
        elif limit == "1x":
            if name not in base:
                continue
            measured, allowed = _seconds(value) / _seconds(base[name]), bound
        elif limit == "mb":
            measured, allowed = value[1], bound
        else:
            measured, allowed = _seconds(value), limit
        verdict = "met" if measured <= allowed else "NOT met"
        lines.append(f"- {words}: {measured:,.2f} -> {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="factors, comma-separated")
    parser.add_argument("--statements", type=int, default=2000, help="for `check -`")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    options = parser.parse_args()
    sizes = sorted({int(s) for s in options.sizes.split(",")} | {1})
    work = options.keep or Path(tempfile.mkdtemp(prefix="dlcheck-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        floors = {
            "spacy": median_seconds(
                [sys.executable, "-c", "import spacy; spacy.blank('en')"], work, 5
            ),
            "rdflib": median_seconds([sys.executable, "-c", "import rdflib"], work, 5),
        }
        results = {}
        for factor in sizes:
            started = time.perf_counter()
            files = generate(factor, work / f"graph-{factor}x")
            print(
                f"{factor}x: {len(files)} files generated in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            results[factor] = measure(factor, files, work, options.statements)
            print(f"{factor}x: {results[factor]}", file=sys.stderr)
        print(table(results, floors))
        print()
        print(goals(results, floors))
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
