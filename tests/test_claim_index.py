"""The checker's tables of the graph built a batch at a time, nothing of the knowledge base
kept, are those the build that held it all in memory made (the claim index, the lemma table,
the phrase table), on the bundled graph."""

from __future__ import annotations

import pytest

from checker.align import (
    INDEPENDENT,
    ClaimIndex,
    ClaimsAndDefinitions,
    Unit,
    _posting_key,
    claim_text,
    claims_in_order,
    read_claim_texts,
    units_of,
    write_index,
)
from checker.lemmatizer import lemma_table
from checker.mentions import CUED, NEGATED, _graph_phrases, _read_phrases, lemmas_read, phrase_table
from kg import cache
from kg.tables import open_tables


def _reference_texts(checker, claims):
    """The claim texts as session 6's `Checker._read_texts` read them: every claim and
    definition held in memory, sorted by IRI, read in one pass (frozen here as the oracle)."""
    strings = checker.nlp.vocab.strings
    conditions = frozenset(strings.add(w) for w in checker.scanner.cues.words.condition)
    pairs = [
        (claim.iri, text)
        for claim in sorted(claims.values(), key=lambda c: c.iri)
        for text in (claim.label, *claim.paraphrases)
    ]
    docs = checker.nlp.tokenizer.pipe(text for _, text in pairs)
    texts = [
        claim_text(iri, text, checker.scanner(doc), conditions)
        for (iri, text), doc in zip(pairs, docs, strict=True)
    ]
    return tuple(
        t._replace(units=tuple(u._replace(start=0, end=0) for u in t.units)) for t in texts
    )


@pytest.fixture(scope="module")
def whole():
    """The bundled graph's knowledge base whole in memory."""
    return cache.load_knowledge()


def test_the_claim_index_written_as_read_is_the_one_built_in_memory(checker, tmp_path, whole):
    kb = checker.kb  # read from its table file
    claims = ClaimsAndDefinitions(kb)
    old = ClaimIndex.of(kb, _reference_texts(checker, ClaimsAndDefinitions(whole)), claims)
    # Read once (the slow part), then built both ways: written as read from the table file's
    # claims, and in memory from the whole knowledge base's, which are the same claims.
    read = list(read_claim_texts(checker.nlp, checker.scanner, claims_in_order(kb)))
    assert [claim for claim, _ in read] == list(claims_in_order(whole))

    def build(out):
        write_index(out, kb, iter(read))

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    new = ClaimIndex.opened(kb, claims, open_tables(folder, "index", "k" * 64, build, print))
    assert len(old.texts) > 10_000
    assert [new.texts[n] for n in range(len(old.texts))] == list(old.texts.values())
    assert new.texts.get(len(old.texts)) is None
    assert all(new.postings[k] == tuple(v) for k, v in old.postings.items())
    # Read whole, the postings are keyed as stored (a word's lemma hash as "w<hash>", ...).
    assert dict(new.postings) == {_posting_key(k): tuple(v) for k, v in old.postings.items()}
    assert dict(new.concepts) == old.concepts
    assert dict(new.words) == old.words
    assert new.disjoint == old.disjoint and list(new.sizes) == list(old.sizes)
    assert dict(new.guards) == {_posting_key(k): tuple(v) for k, v in old.guards.items()}
    assert list(new.free) == list(old.free)
    # Each claim's label is the first of its texts: its operators and "only" are read there.
    assert dict(new.labels) == old.labels and len(old.labels) == len(claims)
    assert all(new.label_text(iri).text == claims[iri].label for iri in claims)
    # Without a content hash (a knowledge base built in memory) the same index is made.
    texts = [t for _, read_texts in read for t in read_texts]
    made = ClaimIndex.of(whole, texts, ClaimsAndDefinitions(whole))
    assert list(made.texts.values()) == list(old.texts.values())
    assert all(isinstance(u, Unit) and u.start == u.end == 0 for u in made.texts[0].units)


def _reference_phrases(nlp, phrases):
    """Session 6's `phrase_table`: each phrase through the pipeline's components, one Doc at
    a time (frozen here as the oracle), with session 8's labels word for word (CUED)."""
    preceding = [proc for name, proc in nlp.pipeline if name != "dlcheck_mentions"]
    strings = nlp.vocab.strings
    read = {}
    for phrase, iri, direction in sorted(phrases, key=lambda p: (p[1], p[2], p[0])):
        doc = nlp.make_doc(phrase)
        for proc in preceding:
            doc = proc(doc)
        key = tuple(strings[h] for h in lemmas_read(doc))
        if key:
            whole = not doc._.transparent
            if not direction and any(c.rule.category == "negation" for c in doc._.cues):
                direction = NEGATED
            targets = read.setdefault(key, {})
            targets[(iri, direction)] = targets.get((iri, direction), False) or whole
            if not direction and doc._.transparent:
                every = tuple(strings[t.lemma] for t in doc if not t.is_space)
                read.setdefault(every, {})[(iri, CUED)] = True
    table = {}
    for key, targets in read.items():
        exact = any(targets.values())
        table[key] = tuple(
            (iri, d)
            for (iri, d), whole in targets.items()
            if (d and d != NEGATED) or whole or not exact
        )
    return table


def test_the_lemma_and_phrase_tables_read_a_batch_at_a_time_are_those_read_whole(checker, whole):
    kb = checker.kb
    assert lemma_table(kb, ["number"]) == lemma_table(whole, ["number"])
    read = _read_phrases(checker.nlp, kb)
    old = _reference_phrases(checker.nlp, _graph_phrases(whole))
    assert read == old and len(read) > 1000
    assert list(read) == list(old)
    # Labels with cue words and white space in them, as the components read them.
    phrases = [
        ("no step size", "c:a", ""),
        ("cannot be reduced", "c:b", ""),
        ("doesn't always need", "r:c", "forward"),
        ("  GPUs ,  not  CNNs", "c:d", ""),
    ]
    assert phrase_table(checker.nlp, phrases) == _reference_phrases(checker.nlp, phrases)


def test_the_texts_a_statement_is_aligned_with_are_all_those_that_can_decide_it(checker):
    """A statement is aligned only with the texts found through the guards
    (`ClaimIndex.aligning`): those are the texts holding its units (`candidates`) that it
    may align with, and every other of those aligns with it not at all, or as independent,
    which decides nothing. Over the claims' own texts, denied, and the labelled statements."""
    index = checker.index
    claims = sorted(checker.kb.claims.values(), key=lambda c: c.iri)[::13]
    texts = [c.label for c in claims] + [f"It is not true that {c.label}" for c in claims]
    with open("tests/fixtures/statements.tsv", encoding="utf-8") as rows:
        texts += [row.split("\t")[0] for row in list(rows)[1:]]
    kept = left = 0
    for doc in checker.nlp.tokenizer.pipe(texts):
        units = units_of(checker.scanner(doc))
        for k in range(len(units), 0, -1):  # the whole statement, and its first parts
            for exact in (False, True):
                head = units[:k]
                found = set(index.aligning(head, exact))
                holding = index.candidates(head, exact)
                assert found <= set(holding), doc.text
                others = [n for n in holding if n not in found]
                for n in others:
                    alignment = index.align(head, n)
                    assert alignment is None or alignment.relation == INDEPENDENT, (doc.text, n)
                kept, left = kept + len(found), left + len(others)
    assert left > 10 * kept  # the guards leave out most texts holding a statement's units
