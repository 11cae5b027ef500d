"""Claim texts read into units once, and kept across compiles: a compile after a change
reads anew only the texts whose inputs changed (kg.cache.Memo).

What the scanner makes of a text depends on the text, on rules and code the same for every
text (the memo's scope: `scope`), and on three things of the graph, each looked up for the
text's own words: the lemma of each of its tokens' norms, the phrases that start with each
of their lemmas (the phrase table's row for that lemma) and, for each concept it names, the
words that name the concept's kind. A text's kept reading carries the norms and concepts it
looked up and a digest of what it found (`Trace`); it is used only when the same lookups in
the graph being compiled give the same digest, else the text is read again. So a kept
reading is the reading a full compile would make, and the claim index built from it is the
same, byte for byte.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator

import spacy

from checker.align import ClaimText, Unit, _text_of_row, _text_row, claim_text
from checker.scan import Scan, Scanner
from kg.cache import Memo, code_fingerprint
from kg.knowledge import Claim, KnowledgeBase

MEMO = "claim-texts"  # the memo's name in the cache directory


def scope(kb: KnowledgeBase, scanner: Scanner, fronted: object, modules: Iterable[str]) -> str:
    """What every kept reading depends on alike: the reading code, spaCy's version (its
    tokenizer), the cue rules and word lists, the rephrasings read first, and the
    ontology's relations (which phrases are copulas)."""
    cues = scanner.cues
    words = [sorted(w) for w in cues.words]  # sets print in a different order each run
    relations = sorted((iri, repr(r)) for iri, r in kb.relations.items())
    code = code_fingerprint(*modules, "kg.cache")
    said = f"{code}|spacy {spacy.__version__}|{cues.rules!r}|{words!r}|{fronted!r}|{relations!r}"
    return hashlib.sha256(said.encode()).hexdigest()


class Trace:
    """The digest of what a text's reading looked up in the graph: the lemma of each of its
    tokens' norms, what the phrase matcher's trie found in each run of those lemmas it was
    asked about (`Recording`), and the words naming the kind of each concept the text
    names. Given the same lemmas, the same answers from the trie make the same reading (the
    scan asks nothing else of the graph), so the digest covers all a reading depends on."""

    def __init__(self, scanner: Scanner):
        self._lemma = scanner.lemmatizer.lemma_hash
        self._trie = scanner.mentions.trie
        self._kinds = scanner.kind_heads
        self._add = scanner.lemmatizer.strings.add
        self._heads: dict[str, list[int]] = {}
        self._said: dict[int, tuple[object, str]] = {}  # id of a phrase -> (it, its targets)

    def lemmas(self, norms: list[str]) -> list[int]:
        add, lemma = self._add, self._lemma
        return [lemma(add(norm)) for norm in norms]

    def digest(
        self,
        lemmas: list[int],
        asked: list[list[int]],
        concepts: list[str],
        found: list[list] | None = None,
    ) -> str:
        """The digest of a reading's lookups: `asked`, the runs the trie was asked about (as
        places in `lemmas`), with `found`, what it answered then (None: ask it now)."""
        if found is None:
            find = self._trie.find
            found = [find([lemmas[i] for i in run]) for run in asked]
        said = self._said
        answers = []
        for matches in found:
            for start, end, phrase in matches:
                known = said.get(id(phrase))
                if known is None:
                    known = said[id(phrase)] = (phrase, repr(phrase.targets))
                answers.append((start, end, known[1]))
            answers.append(None)
        heads = []
        for concept in concepts:
            kinds = self._heads.get(concept)
            if kinds is None:
                kinds = self._heads[concept] = sorted(self._kinds(concept))
            heads.append(kinds)
        text = repr([lemmas, asked, answers, heads]).encode()  # ints and strings: exact
        return hashlib.blake2b(text, digest_size=16).hexdigest()


class Recording:
    """The mention matcher's trie, with each question asked of it and its answer recorded
    while a text is read (`Trace`)."""

    def __init__(self, trie):
        self.trie = trie
        self.asked: list[tuple[list[int], list]] = []

    def find(self, tokens):
        found = self.trie.find(tokens)
        self.asked.append((list(tokens), found))
        return found

    def __getattr__(self, name: str):
        return getattr(self.trie, name)


def read_kept(
    nlp,
    scanner: Scanner,
    claims: Iterable[Claim],
    memo: Memo,
    read_as: Callable[[str], str],
    batch: int = 2000,
) -> Iterator[tuple[Claim, list[ClaimText]]]:
    """What `checker.align.read_claim_texts` gives, each text's reading taken from `memo`
    where its trace still holds and read by the scanner otherwise (and kept)."""
    strings = nlp.vocab.strings
    conditions = frozenset(strings.add(w) for w in scanner.cues.words.condition)
    if memo.empty:  # every text is read: every phrase and lemma is asked for
        scanner.mentions.load_all()
    scanner.lemmatizer.load_all()  # the trace of every text asks for its words' lemmas
    trace = Trace(scanner)
    matcher = scanner.mentions
    claims = iter(claims)
    while chunk := list(itertools.islice(claims, batch)):
        pairs = [(claim, text) for claim in chunk for text in (claim.label, *claim.paraphrases)]
        keys = [Memo.key(text) for _, text in pairs]
        kept = memo.get_many(keys)
        found: list[ClaimText | None] = []
        for (claim, text), key in zip(pairs, keys, strict=True):
            row = kept.get(key)
            if row is not None:
                digest, norms, asked, concepts, rest = row
                if trace.digest(trace.lemmas(norms), asked, concepts) == digest:
                    found.append(_text_of_row([claim.iri, text, *rest]))
                    memo.put(key, row, new=False)
                    continue
            found.append(None)
        missed = [i for i, text in enumerate(found) if text is None]
        docs = nlp.tokenizer.pipe([read_as(pairs[i][1]) for i in missed])
        trie = matcher.trie
        for i, doc in zip(missed, docs, strict=True):
            claim, text = pairs[i]
            matcher.trie = recording = Recording(trie)
            try:
                scan = scanner(doc)
            finally:
                matcher.trie = trie
            read = claim_text(claim.iri, text, scan, conditions)
            read = read._replace(units=tuple([Unit(*u[:5], 0, u[6], 0) for u in read.units]))
            found[i] = read
            _keep(memo, keys[i], trace, doc, scan, recording.asked, _text_row(read)[2:])
        texts: dict[str, list[ClaimText]] = {claim.iri: [] for claim in chunk}
        for (claim, _), read in zip(pairs, found, strict=True):
            texts[claim.iri].append(read)
        yield from ((claim, texts[claim.iri]) for claim in chunk)


def _keep(memo: Memo, key: str, trace: Trace, doc, scan: Scan, asked: list, rest: list) -> None:
    """Keep a text's reading with its trace: its tokens' norms, the runs of their lemmas
    the trie was asked about (as the first place of each lemma), the concepts it names."""
    norms = [t.norm_ for t in doc]
    lemmas = trace.lemmas(norms)
    place: dict[int, int] = {}
    for i, lemma in enumerate(lemmas):
        place.setdefault(lemma, i)
    runs = []
    for tokens, _ in asked:
        if not place.keys() >= set(tokens):
            return  # asked about a word not in the text: not kept, read again next time
        runs.append([place[t] for t in tokens])
    concepts = sorted({m.phrase.concept for m in scan.mentions if m.phrase.concept})
    digest = trace.digest(lemmas, runs, concepts, [found for _, found in asked])
    memo.put(key, [digest, norms, runs, concepts, rest])
