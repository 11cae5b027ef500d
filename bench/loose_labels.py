"""Curation aid: concept labels loose enough to take people's ordinary words (issue #10).

The mention matcher reads a statement's words as a concept wherever they match one of its
SKOS labels. A label that is a common word or phrase ("prediction", "size", "computes",
"grows linearly") makes every sentence that uses the word about that concept, and a
statement read so finds no claim. This script reads every claim text of the graph (labels
and paraphrases) with the checker's own scanner and, for each concept label a text
matches, counts the texts whose claim involves the concept (its subject or object, or a
concept above or below either in the taxonomy) and those whose claim does not.

A label is listed when the graph's own texts use it mostly for something else: at least
MIN_UNRELATED texts not about its concept, and at most RELATED_SHARE of its texts about
it. Labels that read as the concept's preferred label are listed only when no text about
the concept uses them: a preferred label such as "gradient" names its concept in texts
about anything. Each row gives the concept, the label as the texts have it, the counts,
and examples: claim texts, and the development statements (tests/fixtures/real/
statements_dev.tsv) that match it. A listed label is for a curator to judge: drop it,
narrow it to what names the concept in any sentence, or keep it (the concept may simply
be mentioned by claims about other things).

Run: python bench/loose_labels.py [--all] [--examples N]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator

from checker.check import Checker
from checker.mentions import _graph_phrases, _read_all
from kg.knowledge import KnowledgeBase
from kg.tables import each

DEV = "tests/fixtures/real/statements_dev.tsv"
MIN_UNRELATED = 3  # texts not about the concept before a label is listed
RELATED_SHARE = 0.15  # the most of a label's texts that may be about its concept


def families(kb: KnowledgeBase) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each concept's broader and narrower concepts, transitively."""
    up = {iri: set(concept.broader) for iri, concept in each(kb.concepts)}
    down: dict[str, set[str]] = defaultdict(set)
    for iri, broader in up.items():
        for parent in broader:
            down[parent].add(iri)
    return _closure(up), _closure(down)


def _closure(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for start in edges:
        seen: set[str] = set()
        todo = list(edges.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        found[start] = seen
    return found


def claim_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, str]]:
    """(claim IRI, subject, object, text) for every label and paraphrase of every claim."""
    for _, claim in each(kb.claims, by_key=True):
        for text in (claim.label, *claim.paraphrases):
            yield claim.iri, claim.subject, claim.object, text


def mentions(checker: Checker, texts: Iterable[str]) -> Iterator[list[tuple[str, str, str]]]:
    """For each text, its concept mentions as (concept IRI, words as written, lemmas)."""
    lemma = checker.scanner.lemmatizer.lemma
    texts = list(texts)
    for text, doc in zip(texts, checker.nlp.tokenizer.pipe(texts), strict=True):
        found = []
        scan = checker.scanner(doc)
        for mention in scan.mentions:
            if mention.phrase.concept:  # a relation phrase may name a concept too
                words = text[mention.start_char : mention.end_char]
                span = range(mention.start, mention.end)
                read = [doc[i] for i in span if i not in scan.transparent]
                lemmas = " ".join(lemma(t.norm_) for t in read if not t.is_space)
                found.append((mention.phrase.concept, words, lemmas))
        yield found


def read_labels(checker: Checker) -> dict[tuple[str, str], list[str]]:
    """(concept IRI, lemmas as the matcher reads them) -> the concept's labels read so: a
    label's cue words are read past ("performs well in practice" is read as "perform"), and
    such a label is marked so."""
    nlp = checker.nlp
    phrases = [(text, iri) for text, iri, direction in _graph_phrases(checker.kb) if not direction]
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    read = _read_all(nlp, [text for text, _ in phrases])
    for (text, iri), (lemmas, _, _, every) in zip(phrases, read, strict=True):
        key = (iri, " ".join(nlp.vocab.strings[h] for h in lemmas))
        found[key].append(text if lemmas == every else f"{text} (as read past its cue words)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list preferred labels as well")
    parser.add_argument("--examples", type=int, default=2, help="examples of each kind")
    parser.add_argument("--statements", default=DEV, help="statements TSV (a `text` column)")
    args = parser.parse_args()

    checker = Checker()
    kb = checker.kb
    up, down = families(kb)
    labels_read = read_labels(checker)

    related: dict[tuple[str, str], int] = defaultdict(int)
    unrelated: dict[tuple[str, str], list[str]] = defaultdict(list)
    written: dict[tuple[str, str], str] = {}
    rows = list(claim_texts(kb))
    for (_, subject, obj, text), found in zip(
        rows, mentions(checker, [r[3] for r in rows]), strict=True
    ):
        family = {subject, obj} | up.get(subject, set()) | up.get(obj, set())
        family |= down.get(subject, set()) | down.get(obj, set())
        for concept, words, lemmas in found:
            key = (concept, lemmas)
            written.setdefault(key, words.lower())
            if concept in family:
                related[key] += 1
            else:
                unrelated[key].append(text)

    statements: dict[tuple[str, str], list[str]] = defaultdict(list)
    if args.statements:
        with open(args.statements, encoding="utf-8") as handle:
            said = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
        for text, found in zip(said, mentions(checker, said), strict=True):
            for concept, _, lemmas in found:
                statements[(concept, lemmas)].append(text)

    listed = []
    for key, texts in unrelated.items():
        concept, lemmas = key
        about = related[key]
        if len(texts) < MIN_UNRELATED or about > RELATED_SHARE * (about + len(texts)):
            continue
        preferred = kb.concepts[concept].label in labels_read.get(key, ())
        if preferred and about and not args.all:
            continue
        listed.append((len(texts), about, key))
    listed.sort(key=lambda row: (-row[0], row[1], row[2]))
    print(f"{len(listed)} labels read mostly in texts about something else")
    print("(texts not about the concept / texts about it)\n")
    for count, about, key in listed:
        concept = kb.concepts[key[0]]
        labels = labels_read.get(key, [])
        print(f'{count:4} /{about:3}  "{written[key]}" -> {concept.label}  <{concept.iri}>')
        print(f"            label: {' | '.join(labels) or '?'}")
        for text in unrelated[key][: args.examples]:
            print(f"            claim: {text}")
        for text in statements.get(key, [])[: args.examples]:
            print(f"            dev:   {text}")


if __name__ == "__main__":
    main()
