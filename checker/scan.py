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
        # Columns, not rows: five lists instead of one per token.
        norms, starts, lengths, punct, space = doc.to_array(_ATTRS).T.tolist()
        offsets = (starts, lengths)
        cues, transparent = self.cues.find(doc, norms, offsets)
        breaks = tuple(i for i, (p, w) in enumerate(zip(punct, space, strict=True)) if p or w)
        # Whitespace tokens and transparent cue words are read past: a phrase spans them.
        if transparent or 1 in space:
            kept = [i for i, w in enumerate(space) if not w and i not in transparent]
            lemmas = self.lemmatizer.lemmatize([norms[i] for i in kept])
        else:
            kept = range(len(norms))
            lemmas = self.lemmatizer.lemmatize(norms)
        return Scan(cues, self.mentions.find(lemmas, kept, offsets), transparent, breaks)
