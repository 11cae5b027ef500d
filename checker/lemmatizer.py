"""A case-insensitive lookup lemmatizer over a slice of spacy-lookups-data's table."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping

import numpy
from spacy.attrs import LEMMA
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc

from checker.cues import load_word_lists
from checker.opening import knowledge_of
from kg.cache import code_fingerprint, table_file
from kg.knowledge import KnowledgeBase, frame_parts
from kg.tables import each


class LookupLemmatizer:
    """Sets token.lemma_ from the slice of spaCy's lemma table the graph's words need.

    spaCy's own lookup lemmatizer is keyed on the exact text ("Networks" misses) and loads the
    whole English table at start-up; this one looks up spaCy's norm (lower case, "n't" as
    "not") in the slice of that table the graph needs (`lemma_table`), kept in a table file
    per graph and read a word at a time, the first time the word is seen. Lemmas are
    remembered as string hashes so a statement is lemmatised without Token objects.
    """

    def __init__(self, strings: StringStore, lemmas: Mapping[str, str]):
        self.strings = strings
        self._lemmas = lemmas
        self._by_hash: dict[int, int] = {}  # NORM hash -> lemma hash, as words are seen

    def load_all(self) -> None:
        """The whole table in memory, read at once: what reading every claim text of the
        graph asks for anyway, without a query per word."""
        self._lemmas = dict(self._lemmas)

    def lemma(self, norm: str) -> str:
        return self.strings[self.lemma_hash(self.strings.add(norm))]

    def lemma_hash(self, norm: int) -> int:
        """The lemma of a token with the NORM hash `norm`, as a hash."""
        found = self._by_hash.get(norm)
        if found is None:
            try:
                lemma = self._lemmas.get(self.strings[norm])
            except KeyError:  # a hash the string store does not know: no word of a text
                lemma = None
            found = norm if lemma is None else self.strings.add(lemma)
            if len(self._by_hash) < _WORDS_LIMIT:
                self._by_hash[norm] = found
        return found

    def lemmatize(self, norms: list[int]) -> list[int]:
        """The lemma hashes of tokens with the NORM hashes `norms`."""
        lemma_hash = self.lemma_hash
        return [lemma_hash(h) for h in norms]

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            norms = [t.norm for t in doc]
            lemmas = numpy.array(self.lemmatize(norms), dtype="uint64")
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


_WORDS_LIMIT = 500_000  # distinct words remembered; more are looked up each time


def load_lemma_table(kb: KnowledgeBase, not_inflected: Collection[str] = ()) -> Mapping[str, str]:
    """`lemma_table(kb, not_inflected)`, kept in a table file under the graph's content, the
    words kept as they are, this module's code and the versions of dlcheck and
    spacy-lookups-data: reading the whole table costs 0.3 s, and a statement needs a few of
    its rows."""
    if not kb.content_hash:
        return lemma_table(kb, not_inflected)
    kept = "\0".join(sorted(not_inflected))
    key = hashlib.sha256(
        f"{code_fingerprint('checker.lemmatizer', 'kg.tables')}|{kb.content_hash}|{kept}".encode()
    ).hexdigest()
    file = table_file(
        "lemmas", key, lambda out: out.put("lemmas", lemma_table(kb, not_inflected).items())
    )
    return file.table("lemmas")


def lemma_table(kb: KnowledgeBase, not_inflected: Collection[str] = ()) -> dict[str, str]:
    """The slice of spacy-lookups-data's English lemma table that the graph's words need:
    lower-cased form -> lemma, for forms whose lemma is a word of a label, a claim text or a
    definition. The words of `not_inflected` (the cue rules' `not_inflected_words`) are left
    out: each is its own lemma."""
    import spacy_lookups_data
    import srsly

    path = str(spacy_lookups_data.en["lemma_lookup"])
    table = (
        srsly.read_gzip_json(path + ".gz")
        if not path.endswith(".gz")
        else (srsly.read_gzip_json(path))
    )
    lower = {}
    for form, lemma in table.items():
        lower.setdefault(form.lower(), lemma.lower())
    for form in not_inflected:
        lower.pop(form, None)
    # spaCy's English norms spell British forms the American way ("generalised" ->
    # "generalized"); read through them, both spellings reach one lemma.
    american = {}
    for form, norm in srsly.read_gzip_json(
        str(spacy_lookups_data.en["lexeme_norm"]) + ".gz"
    ).items():
        form, norm = form.strip().lower(), norm.strip().lower()
        if form != norm and form.isalpha() and norm.isalpha():
            american[form] = norm
    for form, lemma in list(lower.items()):
        if lemma in american:
            lower[form] = lower.get(american[lemma], american[lemma])
    for form, norm in american.items():
        lower[form] = lower.get(norm, norm)

    # Concepts and claims read a batch at a time, none kept (`each`).
    labels, definitions = [], []
    for _, concept in each(kb.concepts):
        labels += concept.labels
        if concept.definition:
            definitions.append(concept.definition)
    for relation in kb.relations.values():
        labels += [*relation.labels, *relation.inverse_labels, *relation.negative_labels]
        labels += [part for frame in relation.frames for part in frame_parts(frame)[::2]]
    # Claim texts and definitions too: a statement is aligned with them word by word.
    phrases = labels + [text for _, c in each(kb.claims) for text in (c.label, *c.paraphrases)]
    phrases += definitions
    words = {w for phrase in phrases for w in _words(phrase)}
    # An acronym of the graph is a name, not an inflected word: the table maps "ai" to "have".
    acronyms = {w.lower() for phrase in phrases for w in phrase.split() if w.isupper()}
    wanted = {lower.get(w, w) for w in words} | words
    table = {
        form: lemma
        for form, lemma in lower.items()
        if lemma in wanted and form != lemma and form not in acronyms
    }
    # Plural acronyms unknown to spaCy's table ("GPUs", "CNNs") read as their singular when
    # the singular is a label word or a lemma.
    for word in {*table.values(), *(w.lower() for label in labels for w in label.split())}:
        if len(word) > 1:
            table.setdefault(word + "s", word)
    for form in not_inflected:  # nor as a plural of a label word
        table.pop(form, None)
    return table


def _words(phrase: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|'[a-z]+", phrase.lower())


# `graph_files: list`, not list[str]: spaCy's config checks each item of a typed list, which
# took a tenth of a second per component for a graph of 7,000 files, at every start.
@Language.factory("dlcheck_lemmatizer", default_config={"graph_files": [], "rules_file": None})
def make_lemmatizer(
    nlp: Language, name: str, graph_files: list, rules_file: str | None
) -> LookupLemmatizer:
    kb = knowledge_of(graph_files)
    kept = load_word_lists(rules_file).not_inflected
    return LookupLemmatizer(nlp.vocab.strings, load_lemma_table(kb, kept))
