"""One pass over a tokenised statement: lemmas, cues and mentions from a single array read.

The pipeline's components (dlcheck_lemmatizer, dlcheck_cues, dlcheck_mentions) each read
the Doc and leave what they found in Doc extensions, which is what other spaCy pipelines
want. The checker runs the same three matchers on one shared array of token attributes
instead: it sees every statement, and the extension round trips cost more than the matching.
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, NORM
from spacy.language import Language
from spacy.tokens import Doc

from checker.cues import Cue, CueFinder
from checker.lemmatizer import LookupLemmatizer
from checker.mentions import Mention, MentionMatcher

# Columns of the one array read per statement; IDX and LENGTH give character offsets.
_ATTRS = [NORM, IDX, LENGTH, IS_PUNCT, IS_SPACE]


class Scan(NamedTuple):
    """What the matchers found in one statement (token offsets)."""

    cues: tuple[Cue, ...]
    mentions: tuple[Mention, ...]
    transparent: frozenset[int]  # cue words the mention matcher read past
    breaks: tuple[int, ...]  # punctuation and whitespace tokens


class Scanner:
    """Runs a pipeline's lemmatizer, cue finder and mention matcher over one Doc at once."""

    def __init__(self, nlp: Language):
        self.lemmatizer: LookupLemmatizer = nlp.get_pipe("dlcheck_lemmatizer")
        self.cues: CueFinder = nlp.get_pipe("dlcheck_cues")
        self.mentions: MentionMatcher = nlp.get_pipe("dlcheck_mentions")

    def __call__(self, doc: Doc) -> Scan:
        rows = doc.to_array(_ATTRS).tolist()
        norms = [row[0] for row in rows]
        cues, transparent = self.cues.find(doc, norms, rows, 1)
        breaks = tuple(i for i, row in enumerate(rows) if row[3] or row[4])
        # Whitespace tokens and transparent cue words are read past: a phrase spans them.
        kept = [i for i, row in enumerate(rows) if not row[4] and i not in transparent]
        if len(kept) == len(rows):
            lemmas = self.lemmatizer.lemmatize(norms)
        else:
            lemmas = self.lemmatizer.lemmatize([norms[i] for i in kept])
        mentions = self.mentions.find(lemmas, kept, rows, 1)
        return Scan(cues, mentions, transparent, breaks)
