"""Benchmark: dlcheck check against bare spaCy on the same machine, in the same run.

(a) cold start: `dlcheck check TEXT` against the floor
    `python -c "import spacy; spacy.blank('en')"` (median of --runs each, run alternately,
    warm disk cache);
(b) throughput: N statements through `dlcheck check - --format jsonl` against bare `nlp.pipe`
    (blank English + spaCy's lookup lemmatizer) over the same texts: the median of --runs
    passes' differences between the command given the N lines and given one line.
Each figure is given by the wall clock and by CPU time (user + system): on a shared host the
CPU-time ratios are the ones that mean something.

Run: python bench/check_speed.py [--runs 7] [--statements 10000]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time

SUBJECTS = [
    "Deep learning",
    "DL",
    "Deep learning models",
    "CNNs",
    "Neural networks",
    "Transfer learning",
    "Data augmentation",
    "Few-shot learning",
    "SHAP",
    "Saliency maps",
    "GPUs",
    "CPUs",
    "Keras",
    "Recurrent networks",
    "The model",
    "This approach",
]
VERBS = [
    "requires",
    "needs",
    "does not require",
    "always needs",
    "can run on",
    "reduces",
    "explains",
    "is only for",
    "benefits from",
    "cannot work without",
    "is a kind of",
    "never needs",
    "is not always",
    "helps interpret",
    "struggles with",
    "improves",
]
OBJECTS = [
    "massive datasets",
    "GPUs",
    "specialized hardware",
    "experts",
    "black boxes",
    "the amount of data needed",
    "symbolic reasoning",
    "machine learning",
    "CPUs",
    "model performance",
    "data bias",
    "a lot of data",
    "TPUs",
    "any problem",
    "the weather",
    "the training data",
]
TAILS = ["", " in practice", " for most tasks", " today", ", but it helps", " in 2024"]


def statements(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}"
        for _ in range(n)
    ]


def timed(cmd: list[str], stdin: bytes | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of `cmd`. On a shared host the
    wall time counts the other tenants too; the CPU time is the command's own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, input=stdin, stdout=subprocess.DEVNULL, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def rate(run, count: int, runs: int) -> tuple[float, float]:
    """Items per second by the wall clock and by CPU time, medians over `runs` passes."""
    walls, cpus = [], []
    for _ in range(max(runs, 1)):
        start, cpu = time.perf_counter(), time.process_time()
        for _ in run():
            pass
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return count / statistics.median(walls), count / statistics.median(cpus)


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--statements", type=int, default=10_000)
    args = parser.parse_args()
    dlcheck = shutil.which("dlcheck") or sys.exit("dlcheck is not on PATH: pip install . first")
    floor_cmd = [sys.executable, "-c", "import spacy; spacy.blank('en')"]
    check_cmd = [dlcheck, "check", "Deep learning requires GPUs"]
    timed(check_cmd)  # build the compiled-graph cache once; cold start means a warm cache

    # Floor and check alternate, so that both see the host in the same states.
    runs = [(timed(floor_cmd), timed(check_cmd)) for _ in range(args.runs)]
    floor, cold = medians([f for f, _ in runs]), medians([c for _, c in runs])
    print(
        f"cold start   floor {floor[0]:.3f} s (cpu {floor[1]:.3f} s)   dlcheck check "
        f"{cold[0]:.3f} s (cpu {cold[1]:.3f} s)   ratio {cold[0] / floor[0]:.2f}x "
        f"(cpu {cold[1] / floor[1]:.2f}x)   (goal <= 1.5x)"
    )

    texts = statements(args.statements)
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize()
    floor_rate = rate(lambda: nlp.pipe(texts, batch_size=256), len(texts), args.runs)

    # The CLI figure: the same `check -` command with the 10,000 lines and with one line, run
    # in pairs so that both halves of a pair see the host in the same state; the median of
    # the pairs' differences is the time the statements took.
    stream = [dlcheck, "check", "-", "--format", "jsonl"]
    payload = ("\n".join(texts) + "\n").encode()
    one_line = b"Deep learning requires GPUs\n"
    pairs = [(timed(stream, payload), timed(stream, one_line)) for _ in range(args.runs)]
    total = medians([big for big, _ in pairs])
    loop = medians([(b[0] - s[0], b[1] - s[1]) for b, s in pairs])
    cli_rate = [len(texts) / t for t in total]
    cli_rate_warm = [len(texts) / max(t, 1e-9) for t in loop]

    from checker.check import Checker

    # In-process: a new Checker's one pass, as the CLI makes it (its memos start empty).
    passes = []
    for _ in range(max(args.runs, 1)):
        checker = Checker()
        start, cpu = time.perf_counter(), time.process_time()
        for _ in checker.check_many(texts):
            pass
        passes.append((time.perf_counter() - start, time.process_time() - cpu))
    lib_rate = [len(texts) / t for t in medians(passes)]

    def ratio(rates: list[float]) -> str:
        return (
            f"{rates[0]:,.0f}/s (cpu {rates[1]:,.0f}/s)   ratio {floor_rate[0] / rates[0]:.2f}x "
            f"(cpu {floor_rate[1] / rates[1]:.2f}x)"
        )

    print(f"throughput   nlp.pipe floor {floor_rate[0]:,.0f}/s (cpu {floor_rate[1]:,.0f}/s)")
    print(f"             dlcheck check - (jsonl, whole process) {ratio(cli_rate)}")
    print(
        f"             dlcheck check - (jsonl, start-up subtracted) {ratio(cli_rate_warm)}"
        "   (goal >= 5,000/s and <= 3x)"
    )
    print(f"             Checker.check_many in-process (a new checker, one pass) {ratio(lib_rate)}")


if __name__ == "__main__":
    main()
