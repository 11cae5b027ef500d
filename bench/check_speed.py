"""Benchmark: dlcheck check against bare spaCy on the same machine, in the same run.

(a) cold start: `dlcheck check TEXT` wall time against the floor
    `python -c "import spacy; spacy.blank('en')"` (median of --runs each, warm disk cache);
(b) throughput: N statements through `dlcheck check - --format jsonl` against bare `nlp.pipe`
    (blank English + spaCy's lookup lemmatizer) over the same texts: the median wall time
    of --runs passes' differences between the command given the N lines and given one line.

Run: python bench/check_speed.py [--runs 7] [--statements 10000]
"""

from __future__ import annotations

import argparse
import random
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


def wall(cmd: list[str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, input=stdin, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def rate(run, count: int, runs: int) -> float:
    """Items per second, median over `runs` passes (the first pass warms caches too)."""
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        for _ in run():
            pass
        times.append(time.perf_counter() - start)
    return count / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--statements", type=int, default=10_000)
    args = parser.parse_args()
    dlcheck = shutil.which("dlcheck") or sys.exit("dlcheck is not on PATH: pip install . first")
    floor_cmd = [sys.executable, "-c", "import spacy; spacy.blank('en')"]
    check_cmd = [dlcheck, "check", "Deep learning requires GPUs"]
    wall(check_cmd)  # build the compiled-graph cache once; cold start means a warm cache

    floor = statistics.median(wall(floor_cmd) for _ in range(args.runs))
    cold = statistics.median(wall(check_cmd) for _ in range(args.runs))
    print(
        f"cold start   floor {floor:.3f} s   dlcheck check {cold:.3f} s   "
        f"ratio {cold / floor:.2f}x   (goal <= 1.5x)"
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
    pairs = [(wall(stream, stdin=payload), wall(stream, stdin=one_line)) for _ in range(args.runs)]
    total = statistics.median(big for big, _ in pairs)
    loop = statistics.median(big - small for big, small in pairs)
    cli_rate = len(texts) / total
    cli_rate_warm = len(texts) / max(loop, 1e-9)

    from checker.check import Checker

    # In-process: a new Checker's one pass, as the CLI makes it (its memos start empty).
    passes = []
    for _ in range(max(args.runs, 1)):
        checker = Checker()
        start = time.perf_counter()
        for _ in checker.check_many(texts):
            pass
        passes.append(time.perf_counter() - start)
    lib_rate = len(texts) / statistics.median(passes)

    print(f"throughput   nlp.pipe floor {floor_rate:,.0f}/s")
    print(
        f"             dlcheck check - (jsonl, whole process) {cli_rate:,.0f}/s   "
        f"ratio {floor_rate / cli_rate:.2f}x"
    )
    print(
        f"             dlcheck check - (jsonl, start-up subtracted) {cli_rate_warm:,.0f}/s   "
        f"ratio {floor_rate / cli_rate_warm:.2f}x   (goal >= 5,000/s and <= 3x)"
    )
    print(
        f"             Checker.check_many in-process (a new checker, one pass) {lib_rate:,.0f}/s   "
        f"ratio {floor_rate / lib_rate:.2f}x"
    )


if __name__ == "__main__":
    main()
