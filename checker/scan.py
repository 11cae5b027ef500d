"""One pass over a tokenised statement: lemmas, cues and mentions, read token by token.

The pipeline's components (dlcheck_lemmatizer, dlcheck_cues, dlcheck_mentions) each read
the Doc and leave what they found in Doc extensions, which is what other spaCy pipelines
want. The checker runs the same three matchers in one pass instead: it sees every
statement, and the extension round trips and attribute arrays cost more than the matching.
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import IS_PUNCT, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc

from checker.cues import Cue, CueFinder
from checker.lemmatizer import LookupLemmatizer
from checker.mentions import Mention, MentionMatcher

WORD, PUNCT, SPACE = 0, 1, 2
_WORDS_LIMIT = 500_000  # distinct words remembered; more are worked out each time


class Scan(NamedTuple):
    """What the matchers found in one statement (token offsets)."""

    cues: tuple[Cue, ...]
    mentions: tuple[Mention, ...]
    transparent: frozenset[int]  # cue words the mention matcher read past
    breaks: tuple[int, ...]  # punctuation and whitespace tokens
    length: int  # tokens in the statement
    # (token, lemma hash) of the content words no cue or mention covers, and that are not
    # function words: what a verdict must account for besides the mentions.
    words: tuple[tuple[int, int], ...] = ()
    commas: tuple[int, ...] = ()  # the breaks that are commas: they can join a list
    # (token, ADDING | WEAKENING) of the cue file's adding and weakening words: what a part
    # of the statement past a claim's words does ("... that destroy the model", "... or B").
    joints: tuple[tuple[int, int], ...] = ()


ADDING, WEAKENING, BINDING = 0, 1, 2


class Scanner:
    """Runs a pipeline's lemmatizer, cue finder and mention matcher over one Doc at once."""

    def __init__(self, nlp: Language):
        self.lemmatizer: LookupLemmatizer = nlp.get_pipe("dlcheck_lemmatizer")
        self.cues: CueFinder = nlp.get_pipe("dlcheck_cues")
        self.mentions: MentionMatcher = nlp.get_pipe("dlcheck_mentions")
        self._strings = nlp.vocab.strings
        getters = nlp.vocab.lex_attr_getters
        self._is_punct, self._is_space = getters[IS_PUNCT], getters[IS_SPACE]
        # (NORM, ORTH) -> (NORM, lemma, WORD|PUNCT|SPACE)
        self._words: dict[tuple[int, int], tuple[int, int, int]] = {}
        add = nlp.vocab.strings.add
        self._function = frozenset(add(w) for w in self.cues.words.function)
        self._coordination = frozenset(add(w) for w in self.cues.words.coordination)
        self._comma = add(",")
        # The lemmas of generic_words, each read as the first of them in sorted order.
        generic = sorted(self.cues.words.generic)
        self._generic = {add(w): add(generic[0]) for w in generic}
        self._joints = {add(w): ADDING for w in self.cues.words.adding}
        self._joints.update({add(w): WEAKENING for w in self.cues.words.weakening})
        self._joints.update({add(w): BINDING for w in self.cues.words.binding})
        # concept -> the lemmas naming its kind, worked out when the concept is first met
        self._heads: dict[str, frozenset[int]] = {}

    def __call__(self, doc: Doc) -> Scan:
        # Token attributes one by one: cheaper than Doc.to_array for a short Doc.
        words = self._words
        rows = [words.get((t.norm, t.orth)) or self._word(t.norm, t.orth) for t in doc]
        cues, transparent = self.cues.find(doc, [row[0] for row in rows])
        breaks = tuple([i for i, row in enumerate(rows) if row[2]])
        # Whitespace tokens and transparent cue words are read past: a phrase spans them.
        every = None
        if transparent or breaks:
            kept = [i for i, row in enumerate(rows) if row[2] != SPACE and i not in transparent]
            lemmas = [rows[i][1] for i in kept]
            if transparent:  # a label may hold a cue word ("fully convolutional network")
                read = [i for i, row in enumerate(rows) if row[2] != SPACE]
                every = ([rows[i][1] for i in read], read)
        else:
            kept = range(len(rows))
            lemmas = [row[1] for row in rows]
        mentions, taken = self.mentions.find(doc, lemmas, kept, cues, every)
        if mentions and "-" in doc.text:
            mentions = _whole_compounds(doc, mentions)
        covered = {i for c in cues for i in range(c.start, c.end)}
        if taken:  # "cannot" of "cannot be reduced" belongs to the concept irreducible
            cues = tuple(c for c in cues if c not in taken)
        if cues and mentions:
            cues = _not_shared(cues, mentions)
        if mentions and self._coordination:
            mentions = self._elided(doc, rows, mentions, {c.start for c in cues})
        covered.update(i for m in mentions for i in range(m.start, m.end))
        # "the GELU activation function", "LSTM networks": a word after a concept that
        # names the kind of thing it is repeats the concept.
        heads = self._heads
        for m in mentions:
            concept = m.phrase.concept
            kinds = heads.get(concept) if concept else None
            if concept and kinds is None:
                kinds = self._kind_heads(concept)
            if kinds and m.end < len(rows) and rows[m.end][1] in kinds:
                covered.add(m.end)
        function, generic = self._function, self._generic
        words = tuple(
            [
                (i, generic.get(row[1], row[1]))
                for i, row in enumerate(rows)
                if not row[2] and i not in covered and row[0] not in function
            ]
        )
        comma = self._comma
        commas = tuple([i for i in breaks if rows[i][0] == comma])
        joints = self._joints
        said = tuple([(i, joints[row[0]]) for i, row in enumerate(rows) if row[0] in joints])
        return Scan(cues, mentions, transparent, breaks, len(rows), words, commas, said)

    def _elided(
        self, doc: Doc, rows: list, mentions: tuple[Mention, ...], cue_starts: set[int]
    ) -> tuple[Mention, ...]:
        """Mentions with the concepts a coordination leaves half said: in "the input and the
        output layer", "input" is the input layer, and in "rotating, flipping and cropping
        images", rotating is rotating images, when the graph has such concepts."""
        begins = {i: m.start for m in mentions for i in range(m.start, m.end)}
        added = []
        for m in mentions:
            if not m.phrase.concept or m.end - m.start < 2:
                continue
            rest = [rows[i][1] for i in range(m.start + 1, m.end) if not rows[i][2]]
            at, joined = m.start - 1, False  # back over the list: "A, B and" + the mention
            while at >= 0:
                row = rows[at]
                if row[0] in self._coordination or row[0] == self._comma:
                    joined, at = True, at - 1
                elif row[2] or row[0] in self._function:
                    at -= 1  # whitespace, "the"
                elif not joined or at in cue_starts:
                    break
                elif at in begins:  # a conjunct the matcher found itself
                    at, joined = begins[at] - 1, False
                else:
                    found = self.mentions.trie.find([row[1], *rest])
                    if not (found and found[0][:2] == (0, len(rest) + 1) and found[0][2].concept):
                        break
                    token = doc[at]
                    added.append(
                        Mention(at, at + 1, token.idx, token.idx + len(token), found[0][2])
                    )
                    at, joined = at - 1, False
        if not added:
            return mentions
        return tuple(sorted((*mentions, *added), key=lambda m: m.start))

    def kind_heads(self, iri: str) -> frozenset[int]:
        """The lemma hashes of the words naming the kind of the concept `iri` (`_kind_heads`),
        worked out once per concept."""
        heads = self._heads.get(iri)
        return self._kind_heads(iri) if heads is None else heads

    def _kind_heads(self, iri: str) -> frozenset[int]:
        """The lemmas of the last words of a concept's broader concepts' labels ("function"
        for ReLU, an activation function; "network" for an LSTM, a recurrent network)."""
        kb, add = self.mentions.kb, self._strings.add
        lemma = self.lemmatizer.lemma_hash
        words = {
            label.split()[-1].lower()
            for broader in kb.ancestors.get(iri, ())
            if broader in kb.concepts
            for label in kb.concepts[broader].labels
            if label.strip()
        }
        heads = frozenset(lemma(add(w)) for w in words)
        self._heads[iri] = heads
        return heads

    def _word(self, norm: int, orth: int) -> tuple[int, int, int]:
        """A token's NORM, the NORM's lemma, and whether the token's text is a word,
        punctuation or whitespace (a property of the text, not of the NORM: "`" has the NORM
        "'")."""
        text = self._strings[orth]
        kind = SPACE if self._is_space(text) else PUNCT if self._is_punct(text) else WORD
        row = (norm, self.lemmatizer.lemma_hash(norm), kind)
        if len(self._words) < _WORDS_LIMIT:
            self._words[norm, orth] = row
        return row


def _not_shared(cues: tuple, mentions: tuple) -> tuple:
    """The cues, less a negation or quantifier that shares a word with a concept named in
    part by it: in "learned independently of each other" the concept "learned
    independently" already says what the cue "independently of" would deny, and "is
    guaranteed to converge" names guaranteed convergence; read as a cue too, the word would
    count twice ("Channels are learned independently of each other" read as a denial)."""
    spans = [(m.start, m.end) for m in mentions if m.phrase.concept]
    kept = tuple(
        c
        for c in cues
        if not c.rule.ops
        or not any(
            c.start < end and c.end > start and not (start <= c.start and c.end <= end)
            for start, end in spans
        )
    )
    return kept if len(kept) < len(cues) else cues


def _whole_compounds(doc: Doc, mentions: tuple) -> tuple:
    """The mentions that do not end inside a hyphenated word they start before: "more
    parameter-efficient" names no "more parameters" (its words are "more" and
    "parameter-efficient"); "ReLU-based" still names ReLU."""
    kept = []
    for m in mentions:
        end = m.end
        inside = (
            end < len(doc) - 1
            and m.start < end - 1
            and doc[end].text == "-"
            and not doc[end - 1].whitespace_
            and not doc[end].whitespace_
        )
        if not inside:
            kept.append(m)
    return tuple(kept) if len(kept) < len(mentions) else mentions
