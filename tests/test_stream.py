"""`Checker.check_lines`: a stream of statements, one per line, answered as it comes."""

from __future__ import annotations

from checker.check import LineError


def test_each_line_is_answered_before_the_next_is_read_when_no_more_is_waiting(checker):
    events = []

    def typed():
        for line in ("Deep learning requires GPUs\n", "Dropout is used at inference time\n"):
            events.append(("read", line.strip()))
            yield line

    for number, verdict in checker.check_lines(typed(), waiting=lambda: False):
        events.append(("answered", number, verdict.verdict))
    assert events == [
        ("read", "Deep learning requires GPUs"),
        ("answered", 1, "false"),
        ("read", "Dropout is used at inference time"),
        ("answered", 2, "false"),
    ]


def test_piped_lines_are_batched_and_keep_their_order(checker):
    lines = [f"{text}\n" for text in ("Deep learning requires GPUs", "x", "CNNs need GPUs")] * 100
    results = list(checker.check_lines(lines, batch_size=64))
    assert [n for n, _ in results] == list(range(1, 301))
    alone = [v.verdict for v in checker.check_many([line.strip() for line in lines])]
    assert [v.verdict for _, v in results] == alone


def test_blank_lines_are_skipped_and_bad_bytes_are_a_line_error(checker):
    results = list(checker.check_lines([b"Deep learning requires GPUs\n", b"  \n", b"\xffx\n"]))
    assert [n for n, _ in results] == [1, 3]
    error = results[1][1]
    assert isinstance(error, LineError)
    assert (error.line, error.error) == (3, "not valid UTF-8 (byte 0)")


def test_the_cli_answers_a_typed_line_before_the_next_one_comes():
    """`dlcheck check -` fed line by line (a terminal, a program that waits for each
    answer) writes each answer without waiting for the end of its input."""
    import json
    import os
    import select
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "check", "-", "--format", "jsonl"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    try:
        proc.stdin.write(b"Deep learning requires GPUs\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        assert ready, "no answer while stdin stayed open"
        first = json.loads(proc.stdout.readline())
        assert first["verdict"] == "false"
        proc.stdin.write(b"Dropout is used at inference time\n")
        proc.stdin.close()
        second = json.loads(proc.stdout.readline())
        assert second["verdict"] == "false"
    finally:
        proc.kill()
        proc.wait()
