"""The concept and relation matcher: patterns come from the graph's SKOS labels and the
ontology's relation phrases, matched on lemmas and read past transparent cue words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from functools import partial
from typing import NamedTuple

import spacy
from spacy.attrs import IS_SPACE, LEMMA
from spacy.language import Language
from spacy.tokens import Doc

from checker.cues import Cue, CueFinder
from checker.lemmatizer import LookupLemmatizer
from checker.opening import knowledge_of
from checker.phrases import PhraseTrie
from kg.cache import Memo, code_fingerprint, table_file
from kg.knowledge import KnowledgeBase, frame_parts
from kg.tables import TableWriter, each

FORWARD, INVERSE, NEGATIVE = "forward", "inverse", "negative"
# A concept label that says its own negation ("cannot be reduced", "no speedup"): the
# matcher reads it without the negation cue, so it names the concept only where the
# statement has a negation cue there, which it then takes as its own.
NEGATED = "negated"
# A concept label with another cue word in it ("fully convolutional network", "model that
# always predicts the average"): besides the label read without the cue word, the label
# word for word, which the matcher looks for in the statement with its cue words kept;
# found, it names the concept and takes the cue words as its own ("fully" is then no
# quantifier, and the label is not the shorter one it reads as without it).
CUED = "cued"
# A frame label's parts ("makes {object} possible"): the words before the gap are a head
# "head:<n>:<subject|object>", those after it a tail "tail:<n>", n numbering the relation's
# frames.
HEAD, TAIL = "head:", "tail:"  # five characters each
# The modules whose code decides what the cached phrase table holds (part of its cache key).
TABLE_MODULES = (
    "checker.mentions",
    "checker.phrases",
    "checker.lemmatizer",
    "checker.cues",
    "kg.tables",
)

if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=())


class Phrase(NamedTuple):
    """What one phrase of the matcher's table names, worked out once when it is built."""

    # ((concept IRI, ""),) for a concept; ((relation IRI, FORWARD|INVERSE|NEGATIVE), ...)
    targets: tuple[tuple[str, str], ...]
    concept: str | None  # the concept it names, if it names one
    forward: tuple[str, ...]  # relations read subject first ("requires", "without")
    inverse: tuple[str, ...]  # relations read object first ("is required for")
    weak: bool  # a copula ("is", "are a"), whatever else it may also name
    directions: tuple[bool, ...]  # is it read object first? Each way once, in table order
    frames: tuple[tuple[str, str], ...] = ()  # (relation IRI, HEAD... | TAIL...) frame parts
    # Only the words after a frame's gap ("on" of "train {subject} on {object}").
    tail_only: bool = False
    # (relation, frame number) of the frames this phrase is the tail of, and the head of.
    tails: frozenset[tuple[str, str]] = frozenset()
    heads: frozenset[tuple[str, str]] = frozenset()
    negated: bool = False  # a concept label with a negation in it (NEGATED)
    cued: bool = False  # a concept label read word for word, cue words and all (CUED)

    @classmethod
    def of(cls, targets: tuple[tuple[str, str], ...], weak: frozenset[str] = frozenset()) -> Phrase:
        """The phrase naming `targets`; `weak` are the relations of plain "X is Y"
        sentences (dlc:attribution), weaker evidence of intent than any other verb."""
        plain = [(iri, d) for iri, d in targets if d in (FORWARD, INVERSE, NEGATIVE)]
        frames = tuple((iri, d) for iri, d in targets if d.startswith((HEAD, TAIL)))
        concept = next((iri for iri, d in targets if not d or d in (NEGATED, CUED)), None)
        return cls(
            targets,
            concept,
            tuple(dict.fromkeys(iri for iri, d in plain if d != INVERSE)),
            tuple(dict.fromkeys(iri for iri, d in plain if d == INVERSE)),
            any(iri in weak for iri, _ in plain),
            tuple(dict.fromkeys(d == INVERSE for _, d in plain)),
            frames,
            bool(frames) and not plain and not concept and all(d[:5] == TAIL for _, d in frames),
            frozenset((i, d[5:]) for i, d in frames if d[:5] == TAIL),
            frozenset((i, d[5:].split(":")[0]) for i, d in frames if d[:5] == HEAD),
            any(iri == concept and d == NEGATED for iri, d in targets),
            any(iri == concept and d == CUED for iri, d in targets),
        )

    @property
    def is_relation(self) -> bool:
        return bool(self.forward or self.inverse)


class Mention(NamedTuple):
    """A concept or relation phrase found in the statement (token offsets in the doc)."""

    start: int
    end: int
    start_char: int
    end_char: int
    phrase: Phrase

    @property
    def kind(self) -> str:
        """ "relation" when the phrase names a relation (it may name a concept too), else
        "concept", else "frame" (a part of a frame label only)."""
        if self.phrase.is_relation:
            return "relation"
        return "concept" if self.phrase.concept else "frame"

    @property
    def targets(self) -> tuple[tuple[str, str], ...]:
        return self.phrase.targets

    @property
    def concept(self) -> str | None:
        return self.phrase.concept


class MentionMatcher:
    """Sets doc._.mentions. One trie holds every concept and relation phrase, by lemmas; a
    phrase that names several things (e.g. "is a": taxonomy or plain attribution) keeps all
    of them and the claim lookup decides."""

    def __init__(self, nlp: Language, kb: KnowledgeBase):
        self.kb = kb
        # Reading ~5,000 phrases through the pipeline costs a third of a second; the result
        # depends only on the graph and the cue rules (their word lists too: the words the
        # lemmatizer keeps as they are), so it is kept in a table file with them, by first
        # lemma: the trie loads the phrases of a statement's words.
        finder = nlp.get_pipe("dlcheck_cues") if "dlcheck_cues" in nlp.pipe_names else None
        cues = finder.rules if finder else ()
        words = [sorted(w) for w in finder.words] if finder else []  # sets print unordered
        fingerprint = hashlib.sha256(
            f"{code_fingerprint(*TABLE_MODULES)}|{kb.content_hash}|{cues!r}|{words!r}".encode()
        ).hexdigest()
        self._strings = nlp.vocab.strings
        self._shared: dict[tuple, Phrase] = {}  # "requires" and "needs" name the same
        self._weak = frozenset(r.iri for r in kb.relations.values() if r.attribution)
        build = partial(_read_phrases, nlp, kb)
        lists = finder.words if finder else None
        gaps = frozenset(map(self._strings.add, lists.gap)) if lists else frozenset()
        after = frozenset(map(self._strings.add, lists.gap_after)) if lists else frozenset()
        if kb.content_hash:
            # Each label's reading is kept across compiles: after a change, only new labels
            # and those whose words' lemmas changed are read again.
            scope = hashlib.sha256(
                f"{code_fingerprint(*TABLE_MODULES, 'kg.cache')}|spacy {spacy.__version__}|"
                f"{cues!r}|{words!r}".encode()
            ).hexdigest()
            build = partial(_read_phrases, nlp, kb, scope)
            file = table_file("phrases", fingerprint, partial(_write_phrases, build))
            self._by_first = file.table("by_first", _phrase_rows)
            self.trie = PhraseTrie(self._starting_with, gaps, after)
        else:
            self.trie = PhraseTrie(gaps=gaps, after=after)
            for lemmas, targets in build().items():
                self.trie.add([self._strings.add(lemma) for lemma in lemmas], self._phrase(targets))

    def _phrase(self, targets: tuple[tuple[str, str], ...]) -> Phrase:
        found = self._shared.get(targets)
        if found is None:
            found = self._shared[targets] = Phrase.of(targets, self._weak)
        return found

    def load_all(self) -> None:
        """Every phrase into the trie at once, read a batch at a time: what reading every
        claim text of the graph asks for anyway, without a query per first lemma."""
        if self.trie.lazy:
            add = self._strings.add
            self.trie.add_all(
                ([add(lemma) for lemma in lemmas], self._phrase(targets))
                for _, rows in self._by_first.stream()
                for lemmas, targets in rows
            )

    def _starting_with(self, token: int) -> list[tuple[list[int], Phrase]]:
        """The phrases whose first lemma has the hash `token`, for the trie."""
        try:
            first = self._strings[token]
        except KeyError:  # not a string of any text read: no phrase starts with it
            return []
        add = self._strings.add
        return [
            ([add(lemma) for lemma in lemmas], self._phrase(targets))
            for lemmas, targets in self._by_first.get(first, ())
        ]

    def __call__(self, doc: Doc) -> Doc:
        lemmas, space = doc.to_array([LEMMA, IS_SPACE]).T.tolist()
        skip = doc._.transparent
        kept = [i for i, w in enumerate(space) if not w and i not in skip]
        every = [i for i, w in enumerate(space) if not w]
        doc._.mentions, taken = self.find(
            doc, [lemmas[i] for i in kept], kept, doc._.cues, ([lemmas[i] for i in every], every)
        )
        if taken:
            doc._.cues = tuple(c for c in doc._.cues if c not in taken)
        return doc

    def find(
        self,
        doc: Doc,
        lemmas: list[int],
        kept: Sequence[int],
        cues: Sequence[Cue] = (),
        every: tuple[list[int], Sequence[int]] | None = None,
    ) -> tuple[tuple[Mention, ...], frozenset[Cue]]:
        """The mentions among `lemmas`, the lemma hashes of the tokens of `doc` at `kept`
        (whitespace and transparent cue words left out, so a phrase reads across them), and
        the cues that labels took as their own words: negations (`NEGATED`), and the cue
        words of a label found word for word (`CUED`) among `every`, the lemma hashes and
        positions of all the tokens but whitespace."""
        found = self.trie.find(lemmas)
        cued: list[Mention] = []
        if every is not None and len(every[1]) > len(kept):
            cued = self._cued(doc, every, frozenset(kept))
        if not found and not cued:
            return (), frozenset()
        mentions = []
        taken: set[Cue] = set()
        heads: set[tuple[str, str]] = set()  # (relation, frame number) of frame heads so far
        for start, end, phrase in found:
            if phrase.frames:
                if phrase.tail_only and phrase.tails.isdisjoint(heads):
                    continue  # "in", "on": a frame's tail only counts after its head
                heads |= phrase.heads
            first, last = doc[kept[start]], doc[kept[end - 1]]
            if phrase.negated:
                cue = _own_negation(cues, kept, start, end)
                if cue is None:  # "can be reduced" is not the concept "cannot be reduced"
                    continue
                taken.add(cue)
            end_char = last.idx + len(last)
            mentions.append(Mention(first.i, last.i + 1, first.idx, end_char, phrase))
        if cued:
            spans = [(m.start, m.end) for m in cued]
            mentions = [m for m in mentions if not any(m.start < e and s < m.end for s, e in spans)]
            mentions = sorted(mentions + cued, key=lambda m: m.start)
            taken.update(c for c in cues if any(s <= c.start and c.end <= e for s, e in spans))
        return tuple(mentions), frozenset(taken)

    def _cued(
        self, doc: Doc, every: tuple[list[int], Sequence[int]], kept: frozenset[int]
    ) -> list[Mention]:
        """Concept labels found word for word with a cue word the matcher reads past in
        them ("fully convolutional network")."""
        lemmas, positions = every
        cued = []
        for start, end, phrase in self.trie.find(lemmas):
            if phrase.cued and not kept.issuperset(positions[start:end]):
                first, last = doc[positions[start]], doc[positions[end - 1]]
                end_char = last.idx + len(last)
                cued.append(Mention(first.i, last.i + 1, first.idx, end_char, phrase))
        return cued


def _own_negation(cues: Sequence[Cue], kept: Sequence[int], start: int, end: int) -> Cue | None:
    """The negation cue a negated label's mention reads past: inside it, or right before it
    with only words the matcher reads past between ("not reducible", "never fully
    satisfied"). `start`, `end` index `kept`, the tokens the matcher read."""
    last = kept[end - 1]
    before = kept[start - 1] if start > 0 else -1  # the last token read before the mention
    own = None
    for cue in cues:  # the nearest: "It is not true that networks without pooling ..."
        if cue.rule.category == "negation" and before < cue.start <= last:
            own = cue
    return own


def _graph_phrases(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(phrase, target IRI, direction) for every label of the graph's concepts and relations."""
    phrases: list[tuple[str, str, str]] = []  # (phrase, target IRI, direction)
    for _, concept in each(kb.concepts):  # read a batch at a time, none kept
        phrases += [(label, concept.iri, "") for label in concept.labels]
    for relation in kb.relations.values():
        phrases += [(p, relation.iri, FORWARD) for p in relation.labels]
        phrases += [(p, relation.iri, INVERSE) for p in relation.inverse_labels]
        phrases += [(p, relation.iri, NEGATIVE) for p in relation.negative_labels]
        for n, frame in enumerate(relation.frames):
            head, slot, tail = frame_parts(frame)
            phrases += [
                (head, relation.iri, f"{HEAD}{n}:{slot}"),
                (tail, relation.iri, f"{TAIL}{n}"),
            ]
    return phrases


def _read_phrases(
    nlp: Language, kb: KnowledgeBase, scope: str | None = None
) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Each phrase of the graph as the lemmas the matcher reads, with every target it names;
    with a `scope`, each label's reading kept across compiles under it (`_kept_readings`)."""
    if scope is None:
        return phrase_table(nlp, _graph_phrases(kb))
    with Memo(PHRASE_MEMO, scope) as memo:
        return phrase_table(nlp, _graph_phrases(kb), memo)


def phrase_table(
    nlp: Language, phrases: list[tuple[str, str, str]], memo: Memo | None = None
) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Each (phrase, target IRI, direction) as the lemmas the matcher reads, with every
    target it names, in IRI order (never the graph's iteration order, which varies from run
    to run).

    A concept label with a cue word in it ("no step size", "cannot be reduced") reads as the
    label without it ("step size", "reduced"): where another label reads that way word for
    word, a concept's or a relation's, the key leaves the first concept out, since the cue
    is read as a cue of the statement. A concept label with a negation cue in it is marked
    `NEGATED`: it names the concept only where the statement says the negation too."""
    read: dict[tuple[str, ...], dict[tuple[str, str], bool]] = {}  # target -> read whole?
    ordered = sorted(phrases, key=lambda p: (p[1], p[2], p[0]))
    texts = [phrase for phrase, _, _ in ordered]
    readings = _readings(nlp, texts) if memo is None else _kept_readings(nlp, texts, memo)
    for (_, iri, direction), (key, negated, transparent, every) in zip(
        ordered, readings, strict=True
    ):
        if key:  # empty: only cue words
            whole = not transparent
            if not direction and negated:
                direction = NEGATED
            targets = read.setdefault(key, {})
            targets[(iri, direction)] = targets.get((iri, direction), False) or whole
            if not direction and transparent:  # the label word for word, too
                read.setdefault(every, {})[(iri, CUED)] = True
    table: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
    for key, targets in read.items():
        exact = any(targets.values())  # some concept or relation label reads so whole
        table[key] = tuple(
            (iri, d)
            for (iri, d), whole in targets.items()
            if (d and d != NEGATED) or whole or not exact
        )
    return table


# One label's reading as the phrase table uses it: the lemmas the matcher reads, whether
# it has a negation cue, whether it has a cue word the matcher reads past, all its lemmas.
Reading = tuple[tuple[str, ...], bool, bool, tuple[str, ...]]
PHRASE_MEMO = "phrase-readings"


def _readings(nlp: Language, texts: list[str], docs: list[Doc] | None = None) -> Iterator[Reading]:
    strings = nlp.vocab.strings
    for lemmas, cues, transparent, every in _read_all(nlp, texts, docs):
        yield (
            tuple(strings[h] for h in lemmas),
            any(c.rule.category == "negation" for c in cues),
            bool(transparent),
            tuple(strings[h] for h in every),
        )


def _kept_readings(nlp: Language, texts: list[str], memo: Memo, batch: int = 5000):
    """`_readings`, each label's taken from `memo` where the lemmas of its tokens' norms are
    still those it was read with (the cue finder reads the norms by rules in the memo's
    scope; nothing else of the graph is read), else read and kept."""
    preceding = [proc for name, proc in nlp.pipeline if name != "dlcheck_mentions"]
    if [type(proc) for proc in preceding] != [LookupLemmatizer, CueFinder]:
        yield from _readings(nlp, texts)  # another pipeline's parts: read every label
        return
    lemmatizer = preceding[0]
    lemmatizer.load_all()
    add, lemma = nlp.vocab.strings.add, lemmatizer.lemma_hash

    def digest(norms: list[str]) -> str:
        said = repr([lemma(add(norm)) for norm in norms]).encode()  # ints: repr is exact
        return hashlib.blake2b(said, digest_size=16).hexdigest()

    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        keys = [Memo.key(t) for t in part]
        kept = memo.get_many(keys)
        found: list[Reading | None] = []
        for key in keys:
            row = kept.get(key)
            if row is not None and digest(row[1]) == row[0]:
                found.append((tuple(row[2]), row[3], row[4], tuple(row[5])))
                memo.put(key, row, new=False)
            else:
                found.append(None)
        missed = [i for i, reading in enumerate(found) if reading is None]
        said = [part[i] for i in missed]
        docs = list(nlp.tokenizer.pipe(said))
        for i, doc, reading in zip(missed, docs, _readings(nlp, said, docs), strict=True):
            found[i] = reading
            norms = [t.norm_ for t in doc]
            memo.put(keys[i], [digest(norms), norms, *reading])
        yield from found


def _read_all(
    nlp: Language, texts: list[str], docs: list[Doc] | None = None
) -> Iterator[tuple[list[int], Sequence[Cue], frozenset[int], list[int]]]:
    """For each text, what the components before the mention matcher leave on its Doc: the
    lemma hashes the matcher reads (`lemmas_read`), the cues, the cue words it reads past,
    and the lemma hashes of all its words (cue words too).
    dlcheck's own lemmatizer and cue finder are called directly, as the checker's scan calls
    them (a graph has hundreds of thousands of labels); other pipelines run their parts."""
    preceding = [proc for name, proc in nlp.pipeline if name != "dlcheck_mentions"]
    if [type(proc) for proc in preceding] != [LookupLemmatizer, CueFinder]:
        for text in texts:
            doc = nlp.make_doc(text)
            for proc in preceding:
                doc = proc(doc)
            every = [t.lemma for t in doc if not t.is_space]
            yield lemmas_read(doc), doc._.cues, doc._.transparent, every
        return
    lemmatizer, finder = preceding
    for doc in nlp.tokenizer.pipe(texts) if docs is None else docs:  # `docs`: of `texts`
        norms = [t.norm for t in doc]
        cues, skip = finder.find(doc, norms)
        lemmas = lemmatizer.lemmatize(norms)
        kept = [lemmas[t.i] for t in doc if not t.is_space and t.i not in skip]
        yield kept, cues, skip, [lemmas[t.i] for t in doc if not t.is_space]


def _write_phrases(build, out: TableWriter) -> None:
    """The phrase table in a table file: first lemma -> [[lemmas, targets], ...]."""
    by_first: dict[str, list] = {}
    for lemmas, targets in build().items():
        by_first.setdefault(lemmas[0], []).append([lemmas, targets])
    out.put("by_first", by_first.items())


def _phrase_rows(row: list) -> list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
    return [(tuple(lemmas), tuple(tuple(t) for t in targets)) for lemmas, targets in row]


def lemmas_read(doc: Doc) -> list[int]:
    """The lemma hashes the matcher reads in `doc`: whitespace and transparent cue words
    left out."""
    skip = doc._.transparent
    rows = doc.to_array([LEMMA, IS_SPACE]).tolist()
    return [lemma for i, (lemma, space) in enumerate(rows) if not space and i not in skip]


# `graph_files: list`, not list[str]: see make_lemmatizer.
@Language.factory("dlcheck_mentions", default_config={"graph_files": []})
def make_mention_matcher(nlp: Language, name: str, graph_files: list) -> MentionMatcher:
    kb = knowledge_of(graph_files)
    return MentionMatcher(nlp, kb)
