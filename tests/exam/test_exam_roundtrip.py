"""The same small bank written in all six formats must read back to the same questions."""

from __future__ import annotations

import json

import pytest

from checker.exam import FORMATS, parse_text

# (stem, options, key): key is a tuple of letters for multichoice, a bool for true/false.
BANK = [
    ("Deep learning is a subfield of machine learning.", (), True),
    ("Deep learning always needs a GPU.", (), False),
    (
        "Which of the following is NOT true about deep learning?",
        ("It requires massive datasets", "It can use transfer learning", "It can run on CPUs"),
        ("A",),
    ),
    (
        "Which two help explain a model's prediction?",
        ("SHAP", "Saliency maps", "Adding layers", "Removing data"),
        ("A", "B"),
    ),
]


def letters(options):
    return [chr(ord("A") + i) for i in range(len(options))]


def to_gift():
    out = []
    for stem, options, key in BANK:
        if not options:
            out.append(f"{stem} {{{'T' if key else 'F'}}}")
            continue
        if len(key) == 1:
            marks = ["=" if letter in key else "~" for letter in letters(options)]
        else:
            share = 100 // len(key)
            marks = [f"~%{share}%" if x in key else "~%-100%" for x in letters(options)]
        answers = "\n".join(f"  {m}{text}" for m, text in zip(marks, options, strict=True))
        out.append(f"{stem.replace(':', chr(92) + ':')} {{\n{answers}\n}}")
    return "\n\n".join(out) + "\n"


def to_aiken():
    # Aiken has no true/false kind; a two-option question keeps the same key shape only for
    # multichoice, so the comparison below leaves true/false out for Aiken.
    out = []
    for stem, options, key in BANK:
        if not options:
            continue
        lines = [stem] + [f"{x}. {t}" for x, t in zip(letters(options), options, strict=True)]
        lines.append(f"ANSWER: {', '.join(key)}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def to_xml():
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for stem, options, key in BANK:
        if not options:
            parts.append(
                f'<question type="truefalse"><questiontext format="html"><text>{stem}</text>'
                f'</questiontext><answer fraction="{100 if key else 0}"><text>true</text>'
                f'</answer><answer fraction="{0 if key else 100}"><text>false</text></answer>'
                "</question>"
            )
            continue
        answers = "".join(
            f'<answer fraction="{100 / len(key) if x in key else 0}"><text><![CDATA[<p>{t}</p>]]>'
            "</text></answer>"
            for x, t in zip(letters(options), options, strict=True)
        )
        parts.append(
            f'<question type="multichoice"><questiontext format="html"><text>'
            f"{stem.replace(chr(39), '&apos;')}</text></questiontext>{answers}</question>"
        )
    parts.append("</quiz>")
    return "\n".join(parts)


def records():
    for stem, options, key in BANK:
        if not options:
            yield {"type": "truefalse", "question": stem, "answer": "true" if key else "false"}
        else:
            row = {"question": stem, "answer": ",".join(key)}
            row.update(zip(letters(options), options, strict=True))
            yield row


def to_csv():
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["type", "question", "A", "B", "C", "D", "answer"])
    writer.writeheader()
    writer.writerows(records())
    return out.getvalue()


def to_json():
    return json.dumps({"questions": list(records())}, indent=2)


def to_jsonl():
    return "".join(json.dumps(r) + "\n" for r in records())


WRITERS = {
    "gift": to_gift,
    "aiken": to_aiken,
    "moodlexml": to_xml,
    "csv": to_csv,
    "json": to_json,
    "jsonl": to_jsonl,
}


def test_every_format_has_a_writer():
    assert sorted(WRITERS) == sorted(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(fmt):
    bank = parse_text(WRITERS[fmt](), fmt, f"bank.{fmt}")
    assert bank.errors == ()
    got = [(q.stem, tuple(o.text for o in q.options), q.key) for q in bank.questions]
    expected = [(s, o, k) for s, o, k in BANK if fmt != "aiken" or o]
    assert got == expected
    assert all(q.skipped is None for q in bank.questions)
