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

BUNDLED_VOCABULARY = 1700  # distinct words in the bundled graph's claim labels
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
SETTINGS = [
    "on {0} benchmarks",
    "in {0} and {1} experiments",
    "for {0} data",
    "when trained with {0} and {1} schedules",
    "on the {0} corpus",
    "in {0} deployments",
]
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
    # A graph's vocabulary grows with it (Heaps' law: about the square root of its size), as
    # names of methods, models, data sets and people come in.
    lexicon = _lexicon(int(BUNDLED_VOCABULARY * factor**0.5), rng)
    names = _concept_names(files * CONCEPTS_PER_FILE, lexicon, rng)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for number in range(files):
        mine = names[number * CONCEPTS_PER_FILE : (number + 1) * CONCEPTS_PER_FILE]
        path = folder / f"synthetic-{number:05d}.ttl"
        text = _topic_file(number, mine, hubs, relations, lexicon, rng)
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return bundled + out


def _concept_names(count: int, lexicon: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (label, synonym) pairs.

    Most labels carry a name from the lexicon ("Korvan sparse encoder"), the others are made
    of the domain's common words alone. Word lists are disjoint by position, so no label
    equals another's synonym.
    """
    labels: dict[str, str] = {}
    while len(labels) < count:
        modifier, head, qualifier = rng.choice(MODIFIERS), rng.choice(HEADS), rng.choice(QUALIFIERS)
        if rng.random() < 0.6:
            name = rng.choice(lexicon)
            label, synonym = f"{name} {modifier} {head}", f"{modifier} {head} of {name}"
        else:
            label, synonym = f"{modifier} {head} {qualifier}", f"{modifier} {qualifier} {head}"
        labels.setdefault(label, synonym)
    return list(labels.items())


def _lexicon(size: int, rng: random.Random) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < size:
        parts = rng.choices(syllables, k=rng.choice((2, 3, 3)))
        words.add("".join(parts).capitalize() + rng.choice(("", "n", "x", "r")))
    return sorted(words)


def _topic_file(number, names, hubs, relations, lexicon, rng: random.Random) -> str:
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
        # Real claims say more than "X relates to Y": where, on what, under which setting,
        # in words of their own (the bundled labels average 11 words, 2-3 of them rare).
        setting = rng.choice(SETTINGS).format(*rng.sample(lexicon, 2))
        text = f"{subject.label} {relations[relation]} {obj.label} {setting}."
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
            # The shapes want its correction too; picked without the generator, so that the
            # rest of the synthetic graph stays as it was.
            parts.append(f"dlc:correctedBy {true_claims[index % len(true_claims)]}")
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
    seconds: float  # wall
    cpu: float  # user + system, which a shared host's load inflates far less than wall time
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
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, usage.ru_maxrss / 1024, out.read())


def dlcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args]


@dataclass(frozen=True)
class Figure:
    wall: float  # seconds
    cpu: float  # seconds
    mb: float | None = None  # peak resident memory

    @classmethod
    def median(cls, runs: list[Run]) -> Figure:
        return cls(
            statistics.median(r.seconds for r in runs),
            statistics.median(r.cpu for r in runs),
            max(r.peak_mb for r in runs),
        )


def timed(args, cache, times: int = 1, stdin: str | None = None) -> Figure:
    return Figure.median([run(args, cache, stdin) for _ in range(times)])


COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a dlc:Claim }"
TWO_HOP = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?myth dlc:correctedBy ?fix . ?fix dlc:subject ?concept . "
    "?concept skos:prefLabel ?label }"
)
RANK = """
import sys, time
from pathlib import Path
from kg.cache import graph_files
from kg.compile import _EVIDENCE, DLC_NS, TYPE, _field, _Links, _rank_evidence, read_files, text
triples = read_files(graph_files([Path(p) for p in sys.argv[1:]]))
wall, cpu = time.perf_counter(), time.process_time()
links = _Links(triples)  # the degrees are counted here, as in the compile
for node, found in triples.subjects_of(TYPE).items():
    if DLC_NS + "Claim" not in (found if type(found) is list else (found,)):
        continue
    claim = {"iri": text(node)}
    for name, _ in _EVIDENCE:
        claim[_field(name)] = tuple(sorted(map(text, triples.objects(node, DLC_NS + name))))
    _rank_evidence(links, claim, links.degrees)
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


class _Reported(dict):
    """Figures that are also told on stderr as each is measured: at 100x a run takes most of
    an hour, and one stopped early still leaves what it measured."""

    def __init__(self, factor: int, *args) -> None:
        super().__init__(*args)
        self.factor = factor

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, value)
        print(f"  {self.factor}x {key}: {value}", file=sys.stderr, flush=True)


def measure(
    factor: int, files: list[Path], work: Path, statements: int, with_check: bool = True
) -> dict[str, object]:
    cache = work / f"cache-{factor}x"
    graph = [arg for path in files for arg in ("--graph", str(path))]
    claims = sum(p.read_text(encoding="utf-8").count(" a dlc:Claim ;") for p in files)
    figures = _Reported(factor, {"claims": claims, "files": len(files)})
    if with_check:
        _check_figures(figures, files, graph, cache, statements)
    _curator_figures(figures, files, graph, cache, work)
    return figures


def _check_figures(figures: dict, files, graph, cache, statements) -> None:
    statement = "Deep learning always requires massive datasets"
    check = dlcheck("check", statement, *graph)
    figures["first compile after a change"] = timed(check, cache)
    # The knowledge base's table file (a check pickles nothing since session 6).
    kb = sorted(cache.glob("knowledge-*.sqlite")) or sorted(cache.glob("kb-*.pickle"))
    figures["knowledge-base cache file"] = kb[0].stat().st_size / 1e6 if kb else None
    figures["cold check, warm cache"] = timed(check, cache, 3)
    # Statements per second: pairs of runs (N lines, then one line), the median difference.
    texts = "\n".join(_statements(statements)) + "\n"
    batch = dlcheck("check", "-", "--format", "jsonl", *graph)
    pairs = [(run(batch, cache, texts), run(batch, cache, statement + "\n")) for _ in range(3)]
    figures["check - per statement"] = Figure(
        statistics.median(max(m.seconds - o.seconds, 1e-9) for m, o in pairs) / statements,
        statistics.median(max(m.cpu - o.cpu, 1e-9) for m, o in pairs) / statements,
    )
    rank = run([sys.executable, "-c", RANK, *map(str, files)], cache)
    figures["_rank_evidence inside the compile"] = Figure(*map(float, rank.output.split()))


def _curator_figures(figures, files, graph, cache, work) -> None:
    figures["store build (once per content)"] = timed(dlcheck("stats", *graph), cache)
    figures["query count, warm"] = timed(dlcheck("query", COUNT, *graph), cache, 3)
    figures["query two-hop, warm"] = timed(dlcheck("query", TWO_HOP, *graph), cache, 3)
    figures["stats, warm"] = timed(dlcheck("stats", *graph), cache, 3)
    figures["lint"] = timed(dlcheck("lint", *graph), cache)
    # The findings are kept per content (kg.lint.cached_lint): a repeat reads them back.
    figures["lint, again"] = timed(dlcheck("lint", *graph), cache)

    validated = run(dlcheck("validate", *graph), cache)
    figures["validate, every file"] = Figure.median([validated])
    edited = _edit_one(files, work)
    again = run(
        dlcheck("validate", *[a if a != str(files[-1]) else str(edited[-1]) for a in graph]), cache
    )
    figures["validate after one edited file"] = Figure.median([again])


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
    ("lint, again", "rdflib"),
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


def _cell(name: str, value, base, floor: Figure | None) -> str:
    if value is None:
        return "-"
    if name == "knowledge-base cache file":
        return f"{value:.1f} MB" + (f" ({value / base:.1f}x 1x)" if base else "")
    if name == "check - per statement":
        text = f"{1 / value.wall:,.0f}/s (cpu {1 / value.cpu:,.0f}/s)"
    else:
        text = f"{_s(value.wall)} (cpu {_s(value.cpu)})"
        if value.mb is not None:
            text += f", {value.mb:,.0f} MB"
    ratios = []
    if base is not None:
        ratios.append(f"{value.cpu / base.cpu:.2f}x 1x")
    if floor is not None:
        ratios.append(f"{value.cpu / floor.cpu:.2f}x floor")
    return text + (f"; {', '.join(ratios)}" if ratios else "")


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def table(results: dict[int, dict], floors: dict[str, Figure]) -> str:
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
        "Ratios are of CPU time (user + system), which the load of a shared host inflates far "
        "less than wall time. Floors of this run: bare spaCy start "
        f"{_s(floors['spacy'].wall)} (cpu {_s(floors['spacy'].cpu)}), bare rdflib start "
        f"{_s(floors['rdflib'].wall)} (cpu {_s(floors['rdflib'].cpu)})."
    )
    return "\n".join(lines)


def goals(results: dict[int, dict], floors: dict[str, Figure]) -> str:
    largest = max(results)
    figures, base = results[largest], results.get(1, {})
    lines = [f"Goals, at the largest size measured ({largest}x), on wall time and on CPU time:"]
    for name, limit, bound, words in GOALS:
        value = figures.get(name)
        if value is None or (limit == "1x" and name not in base):
            continue
        if limit == "spacy":
            wall, cpu = value.wall / floors["spacy"].wall, value.cpu / floors["spacy"].cpu
            allowed = bound
        elif limit == "1x":
            wall, cpu = value.wall / base[name].wall, value.cpu / base[name].cpu
            allowed = bound
        elif limit == "mb":
            wall = cpu = value.mb
            allowed = bound
        else:
            wall, cpu, allowed = value.wall, value.cpu, limit
        verdict = (
            "met" if max(wall, cpu) <= allowed else ("met on CPU" if cpu <= allowed else "NOT met")
        )
        lines.append(f"- {words}: wall {wall:,.2f}, cpu {cpu:,.2f} -> {verdict}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="factors, comma-separated")
    parser.add_argument("--statements", type=int, default=10000, help="for `check -`")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    parser.add_argument(
        "--skip-check",
        action="store_true",
        help="only the curators' commands (no compile, no `check`): the quick way to 100x",
    )
    options = parser.parse_args()
    sizes = sorted({int(s) for s in options.sizes.split(",")} | {1})
    work = options.keep or Path(tempfile.mkdtemp(prefix="dlcheck-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        floors = {
            "spacy": timed([sys.executable, "-c", "import spacy; spacy.blank('en')"], work, 5),
            "rdflib": timed([sys.executable, "-c", "import rdflib"], work, 5),
        }
        print(f"floors: {floors}", file=sys.stderr, flush=True)
        results = {}
        for factor in sizes:
            started = time.perf_counter()
            files = generate(factor, work / f"graph-{factor}x")
            print(
                f"{factor}x: {len(files)} files generated in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            results[factor] = measure(
                factor, files, work, options.statements, not options.skip_check
            )
            print(f"{factor}x: {results[factor]}", file=sys.stderr, flush=True)
        print(table(results, floors))
        print()
        print(goals(results, floors))
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
