"""check(): one statement in, a Verdict out, with the claim, the path and the sources."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from checker import kept_texts
from checker.align import (
    EQUIVALENT,
    INDEPENDENT,
    REVERSE,
    Alignment,
    ClaimIndex,
    ClaimsAndDefinitions,
    Unit,
    claims_in_order,
    compose,
    cue_ops,
    definition_edge,
    read_claim_texts,
    restrictive,
    tail_splits,
    units_of,
    write_index,
)
from checker.clauses import (
    ClauseKind,
    clauses,
    fill,
    load_clause_kinds,
    load_connectives,
    matching_kinds,
    with_subject,
)
from checker.cues import Cue
from checker.lookup import EXCLUDES, Match, find
from checker.memo import DecisionCache
from checker.mentions import Phrase
from checker.pipeline import MAX_CHARS, build_pipeline
from checker.reading import QUANTIFIER_NAMES, Grammar, Reading, operators, read
from checker.rephrase import load_rephrasings, rephrase
from checker.rules import (
    IMPLICIT,
    claim_states,
    decide,
    judge_alignment,
    rival,
    shifted,
    statement_states,
    text_states,
    weakest,
)
from checker.scan import WEAKENING, Scan, Scanner
from checker.spelling import Speller, english_words, vocabulary_of
from kg.cache import Memo, cached, code_fingerprint, table_file
from kg.compile import claim_edge
from kg.knowledge import (
    FALSE,
    PARTLY_TRUE,
    SKOS_DEFINITION,
    TRUE,
    Claim,
    Edge,
    KnowledgeBase,
    Source,
)
from kg.tables import TableWriter, collector_paused

UNKNOWN = "unknown"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The cue kinds the output contract lists; the others (fillers, terminators...) stay inside.
CUE_KINDS = ("negation", "quantifier", "hedge")
_STATUS_WORDS = {"true": "true", "false": "false", "partly_true": "partly true"}
_VERDICT_WORDS = {**_STATUS_WORDS, UNKNOWN: "unknown"}
# A sentence ends at . ! or ? before white space and a capital, a digit or a quote, unless
# the period ends an abbreviation or an initial ("et al. (2015)", "G. Hinton"); a clause
# after a colon or semicolon is a statement of its own too.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'\u201c])|(?<=[;:])\s+(?=\w)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:al|etc|vs|e\.g|i\.e|cf|fig|eq|approx|no|dr|prof)|\b[A-Z])\.$", re.I
)
_WORD = re.compile(r"[\w-]+")
_LETTER = re.compile(r"[^\W\d_]")
_UNSEEN = object()
# The modules whose code decides how a claim text is read into units (the index's cache key).
INDEX_MODULES = (
    "checker.align",
    "checker.cues",
    "checker.kept_texts",
    "checker.lemmatizer",
    "checker.mentions",
    "checker.phrases",
    "checker.reading",
    "checker.scan",
    "kg.tables",
)


@dataclass(frozen=True)
class Verdict:
    """The answer for one statement. `as_dict()` is the JSON output contract."""

    text: str
    verdict: str  # "true" | "false" | "partly_true" | "unknown"
    rule: str  # which verdict rule fired (see checker/rules.py), or why there is none
    claim: Claim | None
    reading: Reading
    cues: tuple[Cue, ...]
    justification: tuple[Edge, ...]
    explanation: str
    sources: tuple[Source, ...]
    error: str | None = None  # set when the input itself was unusable
    sentences: tuple[Verdict, ...] = ()  # each sentence's verdict, for a text of several
    # The decision this verdict shares with every statement read alike (None for an error).
    decision: Decision | None = field(default=None, compare=False, repr=False)

    def reading_dict(self) -> dict:
        r = self.reading
        return {
            "subject": r.subject,
            "relation": r.relation,
            "object": r.object,
            "negated": r.negated,
            "quantifier": QUANTIFIER_NAMES.get(r.quantifier) if r.quantifier else None,
        }

    def cue_dicts(self) -> list[dict]:
        return [
            {
                "text": self.text[c.start_char : c.end_char],
                "kind": c.kind,
                "start": c.start_char,
                "end": c.end_char,
            }
            for c in self.cues
            if c.kind in CUE_KINDS
        ]

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "claim": None
            if self.claim is None
            else {
                "id": self.claim.iri,
                "label": self.claim.label,
                "status": self.claim.status,
            },
            "reading": self.reading_dict(),
            "cues": self.cue_dicts(),
            "justification": [edge.as_dict() for edge in self.justification],
            "explanation": self.explanation,
            "sources": [_source_dict(s) for s in self.sources],
            **({"sentences": [v.as_dict() for v in self.sentences]} if self.sentences else {}),
        }


@dataclass(frozen=True)
class LineError:
    """A line of a stream that could not be checked: not UTF-8, too long, ..."""

    line: int  # 1-based
    text: str  # what could be read of it
    error: str


@dataclass(frozen=True)
class Decision:
    """What the graph says about one reading of a statement: everything of a Verdict but
    the text and its cues, so that statements read alike share it."""

    reading: Reading
    verdict: str
    rule: str
    claim: Claim | None
    justification: tuple[Edge, ...]
    explanation: str
    sources: tuple[Source, ...]
    correction: str | None = None  # the correction the explanation quotes, if any
    # Tokens of the trailing part a statement adds to what the claim says: the explanation
    # quotes them from each statement's own text (`_told`).
    added: tuple[int, int] | None = None
    # Tokens of the words no claim accounts for, which the explanation quotes (`_told`).
    unsaid: tuple[tuple[int, int], ...] = ()
    # For "unknown" from a partial reading: the verdict the graph gives the part it reads
    # (an exam option confirmed in part still competes with an option confirmed whole).
    partial: str | None = None
    # The renderer keeps the decision's JSON here, made once for all its statements.
    # Not an init field, so a decision made from another by `replace` starts empty.
    rendered: list[str] = field(default_factory=list, init=False, compare=False, repr=False)


class Checker:
    """Holds the pipeline and the knowledge base; build once, check many statements."""

    def __init__(self, graph_files: Sequence[Path] | None = None, cache_size: int = 200_000):
        self.nlp = build_pipeline(graph_files)
        self.kb: KnowledgeBase = self.nlp.get_pipe("dlcheck_mentions").kb
        self.scanner = Scanner(self.nlp)  # the components in one pass (checker/scan.py)
        self._grammar = Grammar.of(self.kb)
        rephrasings = load_rephrasings()
        self.rephrasings = tuple(r for r in rephrasings if not r.first)
        self.fronted = tuple(r for r in rephrasings if r.first)  # read before the statement
        self.index = self._claim_index()
        # relation -> the relations a reading may have swapped it for, and back
        self._kin: dict[str, set[str]] = {}
        for relation in self.kb.relations.values():
            kin = {*relation.close}
            if relation.exclusive_variant:
                kin.add(relation.exclusive_variant)
                self._kin.setdefault(relation.exclusive_variant, set()).add(relation.iri)
            self._kin.setdefault(relation.iri, set()).update(kin)
        self._label_words: dict[str, frozenset[int]] = {}  # concept -> its labels' lemmas
        # Memos: a cleaned text -> its cues and decision; what was read where -> decision;
        # reading -> decision, or None when the graph cannot decide that reading.
        # ("text", t), ("scan", what was read where), ("reading", r) -> what was decided
        self._cache = DecisionCache(cache_size)
        self._speller: Speller | None = None
        self.connectives = load_connectives()
        self.clause_kinds = load_clause_kinds()

    def _claim_index(self) -> ClaimIndex:
        """Every claim's label and paraphrases, and every concept's definition, read by the
        same scanner as statements; kept in a table file with the graph, since reading a few
        thousand texts would cost every start a fifth of a second, and opened without
        reading it: a statement needs the texts that share its rarest units."""
        kb = self.kb
        claims = ClaimsAndDefinitions(kb)
        if not kb.content_hash:
            read = read_claim_texts(
                self.nlp, self.scanner, claims_in_order(kb), read_as=self.read_as
            )
            return ClaimIndex.of(kb, [t for _, texts in read for t in texts], claims)
        cues = self.scanner.cues
        words = [sorted(w) for w in cues.words]  # sets print in a different order each run
        fronted = [(r.pattern.pattern, r.template) for r in self.fronted]
        key = hashlib.sha256(
            f"{code_fingerprint(*INDEX_MODULES)}|{kb.content_hash}|{cues.rules!r}|{words!r}|"
            f"{fronted!r}".encode()
        ).hexdigest()

        def build(out: TableWriter) -> None:
            # Each text's reading is kept across compiles: after a change, only the texts
            # whose words' lemmas, phrases or kinds changed are read again.
            texts_scope = kept_texts.scope(kb, self.scanner, fronted, INDEX_MODULES)
            with Memo(kept_texts.MEMO, texts_scope) as memo:
                read = kept_texts.read_kept(
                    self.nlp, self.scanner, claims_in_order(kb), memo, self.read_as
                )
                write_index(out, kb, read)

        return ClaimIndex.opened(kb, claims, table_file("claim-index", key, build))

    def check(self, text: str) -> Verdict:
        return next(self.check_many([text]))

    def check_many(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Verdict]:
        """Verdicts in input order; a bad text yields an `error` verdict, never an exception.

        A text of several sentences is checked sentence by sentence and the verdicts are
        joined by `join_sentences`."""
        cleaned = []
        for text in texts:
            cleaned.append((text, *_clean(text)))
            if len(cleaned) >= batch_size:
                yield from self._run(cleaned)
                cleaned = []
        if cleaned:
            yield from self._run(cleaned)

    def check_lines(
        self,
        lines: Iterable[bytes | str],
        waiting: Callable[[], bool] | None = None,
        batch_size: int = 256,
    ) -> Iterator[tuple[int, Verdict | LineError]]:
        """(line number, verdict or error) for each statement of a stream, one per line, in
        order; blank lines are skipped.

        Lines are checked in batches of up to `batch_size`, but a batch is checked as soon as
        `waiting()` says no more input is ready, so a person typing at a terminal, or a
        program writing line by line, gets each answer at once. Without `waiting`, lines
        are batched until the batch is full or the stream ends."""
        batch: list[tuple[int, str]] = []
        errors: dict[int, LineError] = {}

        def flush() -> Iterator[tuple[int, Verdict | LineError]]:
            texts = [text for number, text in batch if number not in errors]
            verdicts = iter(self.check_many(texts, batch_size))
            for number, _ in batch:
                yield number, errors.pop(number, None) or next(verdicts)
            batch.clear()

        for number, raw in enumerate(lines, start=1):
            if isinstance(raw, bytes):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    text = raw.decode("utf-8", "replace")
                    error = f"not valid UTF-8 (byte {exc.start})"
                    errors[number] = LineError(number, text.rstrip("\r\n"), error)
            else:
                text = raw
            text = text.rstrip("\r\n")
            if not text.strip() and number not in errors:
                continue
            batch.append((number, text))
            if len(batch) >= batch_size or (waiting is not None and not waiting()):
                yield from flush()
        if batch:
            yield from flush()

    def _run(self, items: list[tuple[str, str, str | None]]) -> Iterator[Verdict]:
        cache = self._cache
        parts: dict[str, list[tuple[int, str]]] = {}
        for _, clean, error in items:
            if not error and clean not in parts:
                parts[clean] = sentences(clean)
        texts = [clean for clean in parts if ("text", clean) not in cache]
        texts += [s for found in parts.values() if len(found) > 1 for _, s in found]
        new = self._read_all(texts)

        def known(text: str) -> tuple:
            found = new.get(text)
            return found if found is not None else cache.get(("text", text))

        # The clauses of a sentence with a connective, read when it is undecided whole.
        # A clause opening with "it" or "they" is read with the sentence's subject instead.
        split, undecided = {}, []
        for sentence in {s for found in parts.values() for _, s in found}:
            if known(sentence)[1].verdict == UNKNOWN:
                undecided.append(sentence)
                found = clauses(sentence, self.connectives)
                if found is not None:
                    pieces, causal = found
                    subject = self._subject(pieces[0][1])
                    reads = [
                        (with_subject(clause, subject, self.connectives) if subject else None)
                        if n
                        else None
                        for n, (_, clause) in enumerate(pieces)
                    ]
                    split[sentence] = (pieces, causal, reads, subject)
        # The parts of a sentence of a clause kind ("Unlike X, S": S, and not S of X).
        kinded = {s: found for s in undecided if (found := self._kind_readings(s))}
        new.update(
            self._read_all(
                [
                    read[0] if read else clause
                    for pieces, _, reads, _ in split.values()
                    for (_, clause), read in zip(pieces, reads, strict=True)
                ]
                + [
                    said
                    for found in kinded.values()
                    for _, texts, linked in found
                    for said in (*texts, *linked)
                ]
            )
        )
        # A part undecided may be of a kind itself ("..., which is cheap and simple"): one
        # level deeper, no more.
        inner = {
            t
            for found in kinded.values()
            for _, texts, _ in found
            for t in texts
            if t not in kinded and known(t)[1].verdict == UNKNOWN
        }
        deeper = {t: found for t in sorted(inner) if (found := self._kind_readings(t))}
        new.update(
            self._read_all(
                [s for found in deeper.values() for _, ts, linked in found for s in (*ts, *linked)]
            )
        )

        def kind_verdict(text: str, sentence: str, reading: tuple, depth: int = 0) -> Verdict:
            kind, texts, linked = reading
            said = [part_verdict(t, depth + 1) for t in texts]
            bound = [_verdict(t, *known(t)) for t in linked]
            return join_kind(text, known(sentence)[0], kind, texts, said, bound)

        def part_verdict(part: str, depth: int) -> Verdict:
            said = _verdict(part, *known(part))
            if said.verdict != UNKNOWN or depth > 1:
                return said
            for reading in deeper.get(part, ()):
                found = kind_verdict(part, part, reading, depth)
                if found.verdict != UNKNOWN:
                    return found
            return said

        def clause_verdict(clause: str, read: tuple[str, str] | None, subject: str) -> Verdict:
            if read is None:
                return _verdict(clause, *known(clause))
            said, pronoun = read
            cues, decision = known(said)
            # The cues' places in the clause the user wrote, not in the one read.
            shift = len(said) - len(clause)
            cues = tuple(c for c in _shifted(cues, -shift) if c.start_char >= len(pronoun))
            explanation = f"Read '{pronoun}' as '{subject}'. {decision.explanation}"
            return _verdict(clause, cues, replace(decision, explanation=explanation))

        def sentence_verdict(text: str, sentence: str) -> Verdict:
            """A sentence as a whole, else as the parts of its clause kind, else clause by
            clause where its clauses decide it."""
            whole = _verdict(text, *known(sentence))
            if whole.verdict != UNKNOWN:
                return whole
            for reading in kinded.get(sentence, ()):
                found = kind_verdict(text, sentence, reading)
                if found.verdict != UNKNOWN:
                    return found
                if found.rule == _UNLINKED and whole.rule != _UNLINKED:
                    whole = found  # its parts hold: the link is what the graph leaves open
            if sentence not in split:
                return whole
            pieces, causal, reads, subject = split[sentence]
            verdicts = [
                clause_verdict(clause, read, subject)
                for (_, clause), read in zip(pieces, reads, strict=True)
            ]
            joined = join_clauses(text, pieces, verdicts, causal)
            return joined if joined.verdict != UNKNOWN or joined.rule == _UNLINKED else whole

        for original, clean, error in items:
            if error is not None:
                yield _invalid(original, error)
                continue
            found = parts[clean]
            whole = sentence_verdict(original, clean) if len(found) == 1 else None
            if whole is None and known(clean)[1].verdict != UNKNOWN:
                # A text that one claim accounts for as a whole is read as a whole.
                whole = _verdict(original, *known(clean))
            if whole is not None:
                yield whole
                continue
            verdicts = [sentence_verdict(sentence, sentence) for _, sentence in found]
            yield join_sentences(original, found, verdicts)

    def _subject(self, clause: str) -> str | None:
        """The words of a clause up to the end of the concept it opens with ("A pooling
        layer" of "A pooling layer pools each channel on its own"), when what follows that
        concept starts saying something of it: no other concept, no "of" or "in" going on
        with the noun phrase."""
        scan = self.scanner(self.nlp.tokenizer(clause))
        first = next((m for m in scan.mentions if m.phrase.concept), None)
        if first is None or any(i < first.start for i, _ in scan.words):
            return None
        if any(m.start < first.start for m in scan.mentions if not m.phrase.weak):
            return None
        after = first.end
        while after < scan.length and after in scan.breaks and after not in scan.commas:
            after += 1  # white space
        said = any(m.start == after and not m.phrase.concept for m in scan.mentions)
        said = said or any(i == after for i, _ in scan.words)
        said = said or any(c.start == after for c in scan.cues)
        return clause[: first.end_char].strip() if said else None

    def _kind_readings(self, sentence: str) -> list[tuple[ClauseKind, list[str], list[str]]]:
        """(kind, its parts' texts, its linked reading) for each clause kind of the cue rules
        that the sentence matches and whose parts can all be said: a part that needs the
        subject or the antecedent of a group that has none is not read. A group opening
        with "it" or "they" is read with the first group's subject in its place."""
        found = []
        places: dict[tuple[str, str], str | None] = {}

        def place(words: str, what: str) -> str | None:
            if (words, what) not in places:
                if what in ("antecedent", "concept"):
                    places[words, what] = self._antecedent(words, whole=what == "concept")
                else:
                    subject = self._subject(words)
                    if what == "predicate" and subject is not None:
                        subject = words[len(subject) :] if words.startswith(subject) else None
                    places[words, what] = subject
            return places[words, what]

        for kind, groups in matching_kinds(sentence, self.clause_kinds):
            names = list(kind.pattern.groupindex)
            subject = place(groups[names[0]], "subject") if groups[names[0]] else None
            if subject:
                for name in names[1:]:
                    read = with_subject(groups[name], subject, self.connectives)
                    groups[name] = read[0] if read else groups[name]
            texts = [fill(part.template, groups, place) for part in kind.parts]
            linked = [fill(template, groups, place) for template in kind.linked]
            if all(texts) and all(linked):
                found.append((kind, texts, linked))
        return found

    def _antecedent(self, words: str, whole: bool = False) -> str | None:
        """The concept words end with ("ReLU" of "the sigmoid was replaced by ReLU"), which a
        relative clause or a gloss after them speaks of; with `whole`, only when that concept
        is all they say (but for function words: "the Transformer")."""
        scan = self.scanner(self.nlp.tokenizer(words))
        last = scan.length
        while last and last - 1 in scan.breaks:
            last -= 1  # trailing punctuation and white space
        ends = [m for m in scan.mentions if m.phrase.concept and m.end == last]
        if not ends:
            return None
        first = min(ends, key=lambda m: m.start)  # the longest label ending there
        if whole and (
            any(i < first.start for i, _ in scan.words)
            or any(m.start < first.start for m in scan.mentions)
            or any(c.start < first.start for c in scan.cues)
        ):
            return None
        return words[first.start_char : first.end_char]

    def _read_all(self, texts: list[str]) -> dict[str, tuple]:
        """text -> (cues, decision) for the texts not in the cache yet, which it joins."""
        # Reading allocates many small tuples; the collector would walk everything the
        # checker keeps (memos, tables) every few hundred of them.
        with collector_paused():
            return self._read_new(texts)

    def _read_new(self, texts: list[str]) -> dict[str, tuple]:
        cache = self._cache
        new = dict.fromkeys(t for t in texts if ("text", t) not in cache)
        # A fronted phrase is moved where the reader reads it ("Without GPUs, S": "S without
        # GPUs"), and the verdict says how the statement was read.
        said = {t: r for t in new if (r := self.read_as(t)) != t}
        read = [said.get(t, t) for t in new]
        # The tokenizer, then the three components' matchers over one array (checker/scan.py).
        for clean, doc in zip(new, self.nlp.tokenizer.pipe(read), strict=True):
            scan = self.scanner(doc)
            decision = _told(self._decision(scan), doc)
            if decision.verdict == UNKNOWN and scan.words:
                decision = self._respelled(doc, scan, decision)
            if clean in said:  # its cues point into the text read, not the statement
                explanation = f'Read as "{said[clean]}". {decision.explanation}'
                new[clean] = ((), replace(decision, explanation=explanation))
            else:
                new[clean] = (scan.cues, decision)
        self._rephrased(new)
        for clean, found in new.items():
            cache.put(("text", clean), found)
        return new

    def read_as(self, text: str) -> str:
        """The words a text is read as: with a fronted phrase moved where the reader reads
        it (the cue file's rephrasings marked `first`), else the text itself."""
        found = rephrase(text, self.fronted)
        return text if found is None else found[0]

    def _rephrased(self, found: dict[str, tuple]) -> None:
        """Texts left unknown, read once more as the cue file's rephrasings say ("X is
        called Y" as "Y is X"); a decided rephrasing takes their place, saying so."""
        again = {}
        for text, (_, decision) in found.items():
            if decision.verdict == UNKNOWN:
                rephrased = rephrase(text, self.rephrasings)
                if rephrased is not None:
                    again[text] = rephrased
        docs = self.nlp.tokenizer.pipe(said for said, _ in again.values())
        for (text, (said, refutes_only)), doc in zip(again.items(), docs, strict=True):
            decision = _told(self._decision(self.scanner(doc)), doc)
            if decision.verdict == FALSE or (decision.verdict != UNKNOWN and not refutes_only):
                how = "The statement says at least" if refutes_only else "Read as"
                explanation = f'{how} "{said}". {decision.explanation}'
                # The rephrased text's cues do not point into the statement: none are shown.
                found[text] = ((), replace(decision, explanation=explanation))

    def _respelled(self, doc, scan: Scan, decision: Decision) -> Decision:
        """The decision for the statement with its typos of label words corrected, when that
        one is decided ("backpropogation" read as backpropagation); else `decision`."""
        speller = self.speller
        fixes = []
        for i, _ in scan.words:
            token = doc[i]
            right = speller.correct(token.text)
            if right is not None:
                fixes.append((token.idx, token.idx + len(token.text), token.text, right))
        if not fixes:
            return decision
        text = doc.text
        for start, end, _, right in reversed(fixes):
            text = text[:start] + right + text[end:]
        fixed_doc = self.nlp.tokenizer(text)
        fixed = _told(self._decision(self.scanner(fixed_doc)), fixed_doc)
        if fixed.verdict == UNKNOWN:
            return decision
        read_as = ", ".join(f"'{wrong}' as {right}" for _, _, wrong, right in fixes)
        return replace(fixed, explanation=f"Read {read_as}. {fixed.explanation}")

    @property
    def speller(self) -> Speller:
        """Built on first use: most statements have no typo, and a start should not wait."""
        if self._speller is None:
            kb = self.kb
            if not kb.content_hash:
                self._speller = Speller(self._vocabulary(), english_words())
            else:
                # The vocabulary is the graph's labels': the graph's content names it.
                code = code_fingerprint("checker.spelling", "checker.check")
                key = hashlib.sha256(f"{code}|{kb.content_hash}".encode()).hexdigest()
                self._speller = cached(
                    "speller", key, lambda: Speller(self._vocabulary(), english_words()), Speller
                )
        return self._speller

    def _vocabulary(self) -> set[str]:
        kb = self.kb
        labels = [label for c in kb.concepts.values() for label in c.labels]
        for relation in kb.relations.values():
            labels += [*relation.labels, *relation.inverse_labels, *relation.negative_labels]
        return vocabulary_of(labels)

    def _decision(self, scan: Scan) -> Decision:
        # The decision depends only on what was matched where, on where punctuation stands
        # (it separates list items and copulas from their objects) and on the content words
        # left over; statements that differ in other words share it. Phrases and rules live
        # as long as the pipeline, so their ids name them.
        key = (
            tuple([(m.start, m.end, id(m.phrase)) for m in scan.mentions]),
            tuple([(id(c.rule), c.start, c.end, c.scope_start, c.scope_end) for c in scan.cues]),
            scan.breaks,
            scan.words,
            scan.commas,
            scan.joints,
        )
        decision = self._cache.get(("scan", key))
        if decision is None:
            decision = self._decide(scan)
            self._cache.put(("scan", key), decision)
        return decision

    def _decide(self, scan: Scan) -> Decision:
        """The claim text the whole statement aligns with, else the first reading of its
        subject, relation and object that the graph decides and that accounts for every
        word, else "unknown" saying what the graph does not cover."""
        units = units_of(scan)
        ops = cue_ops(scan.cues)
        concepts = tuple(dict.fromkeys(u.concept for u in units if u.concept))
        aligned = self._aligned(units, ops, restrictive(scan), concepts)
        if aligned is None:
            aligned = self._aligned_tail(scan, units, ops, concepts)
        if aligned is not None:
            return aligned
        readings = read(scan, self._grammar)
        first = next(readings)
        partial: tuple[Decision, list[str]] | None = None
        for reading in itertools.chain([first], readings):
            decision = self._cache.get(("reading", reading), _UNSEEN)
            if decision is _UNSEEN:
                match = find(self.kb, reading)
                decision = None if match is None else self._judge(reading, match)
                if decision is not None and reading.also:
                    decision = self._conjunction(reading, decision)
                self._cache.put(("reading", reading), decision)
            if decision is None or _compared_away(scan, reading):
                continue
            missing = self._unaccounted(scan, reading, decision)
            if not missing:
                return decision
            narrowing = _narrowing(self.kb, scan, decision, missing)
            if narrowing is not None:
                return replace(decision, added=narrowing)
            if partial is None:
                partial = (decision, missing)
        if partial is not None:
            decision, missing = partial
            # Confirmed in part only when the words left over all follow both ends of the
            # reading: a trailing addition ("... by dropping units"), not a modifier inside it
            # ("a *contextual* bag of words"), which could make the reading another's.
            ends = {decision.reading.subject, decision.reading.object}
            read_to = max((m.end for m in scan.mentions if m.phrase.concept in ends), default=0)
            trailing = all(start >= read_to for start, _ in missing)
            return _partial(self.kb, decision, missing, trailing)
        rule, why = _why_unknown(self.kb, first)
        return Decision(first, UNKNOWN, rule, None, (), why, ())

    def _aligned(
        self, units: tuple[Unit, ...], ops: tuple[str, ...], restricts: int, concepts: tuple
    ) -> Decision | None:
        """The decision of the claim texts the statement aligns with best (fewest
        deletions, then the plainest relation); None when none aligns, or when the best
        ones disagree."""
        if not units:
            return None
        index = self.index
        best: list[tuple[tuple[int, bool, bool], int, Alignment, str, str]] = []
        for n in index.aligning(units):
            if index.texts[n].restrictive != restricts:
                continue
            alignment = index.align(units, n)
            if alignment is None or alignment.relation == INDEPENDENT:
                continue
            claim = index.claims[alignment.text.claim]
            verdict, rule = judge_alignment(
                claim.status,
                claim.modality,
                alignment.ops,
                alignment.relation,
                ops,
                alignment.restricted,
            )
            if verdict == UNKNOWN:
                continue
            # Fewest deletions, then the plainest relation, then the text that restates the
            # statement's own operators ("completely solves" over "solves").
            rank = (
                alignment.deletions,
                alignment.relation != EQUIVALENT,
                alignment.ops != ops,
            )
            if best and rank > best[0][0]:
                continue
            if best and rank < best[0][0]:
                best = []
            best.append((rank, n, alignment, verdict, rule))
        if not best or len({verdict for _, _, _, verdict, _ in best}) > 1:
            return None
        _, n, _, verdict, rule = best[0]
        alignment = index.align(units, n, with_edits=True)  # the one that explains the verdict
        return self._aligned_decision(alignment, verdict, rule, ops, concepts)

    def _aligned_tail(
        self, scan: Scan, units: tuple[Unit, ...], ops: tuple[str, ...], concepts: tuple
    ) -> Decision | None:
        """The decision of a claim text that says all of the statement's first part, when
        the statement only adds a trailing part (`tail_splits`): the statement then entails
        its first part, and falls with it (a false claim makes it false, a true one leaves
        it unknown). A trailing part no adding word opens may restrict the cases instead
        ("... in recurrent networks"), so it decides only against a claim that never holds."""
        index = self.index
        restricts = restrictive(scan)
        for k, adding in tail_splits(scan, units, index.longest):
            head = units[:k]
            best: list[tuple[int, Alignment, str, str, str]] = []
            # A claim word the first part leaves out would be a deletion, which goes the other
            # way from the insertion (forward against reverse): only texts of k units qualify.
            for n in index.aligning(head, exact=True):
                text = index.texts[n]
                if text.restrictive != restricts:
                    continue
                alignment = index.align(head, n)
                if alignment is None:
                    continue
                relation = compose((alignment.relation, REVERSE))
                if relation == INDEPENDENT:
                    continue
                claim = index.claims[text.claim]
                states = text_states(claim.status, claim.modality, alignment.ops)
                if not adding and max(shifted(states, relation)) > 0:
                    continue
                verdict, rule = judge_alignment(
                    claim.status, claim.modality, alignment.ops, relation, ops
                )
                if verdict != UNKNOWN:
                    best.append((n, alignment, relation, verdict, rule))
            if not best:
                continue
            if len({verdict for *_, verdict, _ in best}) > 1:
                return None
            n, _, relation, verdict, rule = best[0]
            alignment = index.align(head, n, with_edits=True)
            decision = self._aligned_decision(alignment, verdict, rule, ops, concepts)
            return replace(decision, added=(units[k - 1].end, units[-1].end))
        return None

    def _aligned_decision(
        self, alignment: Alignment, verdict: str, rule: str, ops: tuple[str, ...], concepts: tuple
    ) -> Decision:
        kb = self.kb
        claim = self.index.claims[alignment.text.claim]
        # The statement's own subject and object: the concepts it put where the claim has
        # its subject and object.
        subject, obj = claim.subject, claim.object
        steps: list[Edge] = []
        for edit in alignment.edits:
            said, held = edit.statement_unit, edit.claim_unit
            if said is None or held is None or not (said.concept and held.concept):
                continue
            if held.concept == claim.subject:
                subject = said.concept
            elif held.concept == claim.object:
                obj = said.concept
            if said.concept != held.concept:
                steps += _concept_step(kb, said.concept, held.concept)
        reading = Reading(subject, claim.relation, obj, ops, concepts, (claim.relation,))
        if claim.relation == SKOS_DEFINITION:
            edges = [*steps, definition_edge(kb, claim)]
        else:
            edges = [*steps, claim_edge(kb, claim, "subject"), claim_edge(kb, claim, "object")]
        for chain in kb.evidence_paths.get(claim.iri, ()):
            edges += chain
        edges_t = tuple(dict.fromkeys(edges))
        explanation = _explain_alignment(kb, claim, alignment, verdict, rule)
        sources = _sources(kb, edges_t)
        return Decision(
            reading, verdict, rule, claim, edges_t, explanation, sources, _correction(kb, claim)
        )

    def _unaccounted(
        self, scan: Scan, reading: Reading, decision: Decision
    ) -> list[tuple[int, int]]:
        """The tokens of the statement's words and phrases the decided reading and its claim
        leave unexplained: a verdict from such a partial reading could be about another
        statement."""
        kb, index = self.kb, self.index
        claim = decision.claim
        concepts = {reading.subject, reading.object}
        concepts.update(c for pair in reading.also for c in pair)
        # The path to the claim accounts for words; the claim's evidence and correction do
        # not: "sinusoidal" in the correction of "positional encodings are learned" is no
        # part of what that claim says.
        chains = kb.evidence_paths.get(claim.iri, ()) if claim is not None else ()
        evidence = {e for chain in chains for e in chain}
        on_path = [e for e in decision.justification if e not in evidence]
        concepts.update(e.subject for e in on_path)
        concepts.update(e.object for e in on_path)
        words: set[int] = set()
        if claim is not None:
            concepts |= index.concepts.get(claim.iri, set())
            words = set(index.words.get(claim.iri, ()))
        # A relation phrase the reading did not take is a second predicate, read or not by
        # the claim's texts: its negation could be the statement's ("without ... ignores").
        relations = set(reading.candidates)
        # The claim's relation accounts for a phrase when the claim says what the statement
        # says; not when it only entails or is entailed by the statement's relation
        # (rdfs:subPropertyOf): then a phrase of the claim's relation is a second predicate.
        if claim is not None and not any(
            claim.relation in (*rel.broader, *rel.narrower)
            for r in relations
            if (rel := kb.relations.get(r)) is not None
        ):
            relations.add(claim.relation)
        # The relation a phrase names may have been swapped for its exclusive variant ("only
        # experts can use": usable-by read as restricted-to) or a close one.
        for relation in list(relations):
            relations.update(self._kin.get(relation, ()))
        for concept in list(concepts):
            if concept is not None:
                words |= self._words_of_label(concept)
        for end in (reading.subject, reading.object):  # "max pooling ... each pooling window"
            concepts.update(kb.ancestors.get(end, ()))
        missing = []
        # The reading takes a relation phrase once per predicate: the same phrase once more
        # is a second predicate ("Reducing model complexity reduces underfitting"), and so is
        # the relation read the other way round ("Underfitting is reduced by reducing model
        # complexity"): one reading reads it one way.
        predicates = 1 + len(reading.also)
        said: dict[int, int] = {}  # relation phrase -> times met
        ways: set[bool] = set()  # read object first?
        for mention in scan.mentions:
            phrase = mention.phrase
            if phrase.concept in concepts:
                continue
            named = _relations_named(phrase)
            if phrase.weak and not phrase.concept:
                continue
            if named & relations:
                if phrase.frames:
                    continue
                said[id(phrase)] = said.get(id(phrase), 0) + 1
                if len(phrase.directions) == 1:
                    ways.add(phrase.directions[0])
                if said[id(phrase)] <= predicates and len(ways) <= predicates:
                    continue
            missing.append((mention.start, mention.end))
        missing += [(i, i + 1) for i, lemma in scan.words if lemma not in words]
        return sorted(missing)

    def _words_of_label(self, concept: str) -> frozenset[int]:
        """The lemmas of a concept's labels' words: "each pooling window" may repeat the
        words of max pooling's own name. Worked out when a statement first needs them."""
        found = self._label_words.get(concept)
        if found is None:
            strings = self.nlp.vocab.strings
            lemma = self.scanner.lemmatizer.lemma
            known = self.kb.concepts.get(concept)
            found = frozenset(
                strings.add(lemma(w))
                for label in (known.labels if known is not None else ())
                for w in _WORD.findall(label.lower())
            )
            self._label_words[concept] = found
        return found

    def _judge(self, reading: Reading, match: Match) -> Decision:
        """The decision for one reading and the claim (or taxonomy fact) that matched it."""
        kb = self.kb
        implicit = IMPLICIT.get(match.modality, "all") if match.claim else "all"
        ops = reading.ops
        if ops and "not" not in ops and match.claim is not None and match.shift is None:
            if _said_once(self._label_cue_reading(match.claim)[1]) == _said_once(ops):
                # The statement's operators are the claim label's own ("typically fit
                # every example"): it restates the claim, as a plain statement would.
                ops = ()
        true_in = statement_states(ops, implicit)
        allowed = claim_states(match.status, match.modality, match.shift)
        # A partly true claim decides its own restatement: plain, or with the quantifier its
        # label says ("every consistent estimator is unbiased" against "... always ..."; not
        # "completely solves" against a plain "solves", a myth of its own).
        plain_partly = (
            match.claim is not None
            and match.status == PARTLY_TRUE
            and (reading.quantifier is None or not ops)
        )
        verdict, rule = decide(allowed, true_in, plain_partly)
        alone = False  # an "only" the claim confirms in part: nothing says it is alone
        if reading.restrictive and verdict in (TRUE, UNKNOWN):
            other = rival(kb, reading)
            if other is not None:  # "only during training", yet it is also used at inference
                match = Match(other, other.status, other.modality, None, match.subject_path, ())
                verdict, rule = (TRUE if reading.negated else FALSE), "exclusive"
            elif verdict == TRUE and not self._says_only(match.claim):
                alone, verdict, rule = True, UNKNOWN, "undetermined"
        edges = _justification(kb, reading, match)
        sources = _sources(kb, edges)
        explanation = _explain(kb, reading, match, verdict, rule)
        if alone:
            edges, sources = (), ()
            claim = match.claim.label.rstrip(".") if match.claim else ""
            explanation = (
                f'Unknown: the graph holds "{claim}" as true, but not that nothing else '
                f"stands in its place (rule: {rule})."
            )
        correction = _correction(kb, match.claim)
        return Decision(
            reading, verdict, rule, match.claim, edges, explanation, sources, correction
        )

    def _says_only(self, claim: Claim | None) -> bool:
        """Whether a claim's label restricts itself ("Dropout is applied during training
        only"): then it confirms a statement's "only"."""
        return claim is not None and self._label_cue_reading(claim)[0]

    def _label_cue_reading(self, claim: Claim) -> tuple[bool, tuple[str, ...]]:
        """(does the claim's label say "only"?, the operators of its label's cues), as the
        claim index read the label."""
        text = self.index.label_text(claim.iri)
        if text is None or text.text != claim.label:  # an index of some texts only (tests)
            scan = self.scanner(self.nlp.tokenizer(self.read_as(claim.label)))
            return restrictive(scan) > 0, operators(scan.cues, None, None, None)
        return text.restrictive > 0, text.ops

    def _conjunction(self, reading: Reading, first: Decision) -> Decision:
        """A statement joined by "and" holds when every pair holds, fails when one fails."""
        decisions = [first]
        for subject, obj in reading.also:
            part = reading._replace(subject=subject, object=obj, also=())
            match = find(self.kb, part)
            if match is None:
                rule, why = _why_unknown(self.kb, part)
                decisions.append(Decision(part, UNKNOWN, rule, None, (), why, ()))
            else:
                decisions.append(self._judge(part, match))
        chosen = weakest(decisions)
        edges = tuple(dict.fromkeys(e for d in decisions for e in d.justification))
        sources = tuple(dict.fromkeys(s for d in decisions for s in d.sources))
        explanation = f"{chosen.explanation} The statement joins {len(decisions)} parts with 'and'."
        return replace(
            chosen, reading=reading, justification=edges, explanation=explanation, sources=sources
        )


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of a text: split after . ! or ? followed by
    white space and a capital, digit or quote, so "e.g. the" and "3.5" stay whole, and
    after a colon or semicolon."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, 0, match.start()):
            continue
        piece = text[start : match.start()]
        if not _LETTER.search(piece) or not _LETTER.search(text, match.end()):
            continue  # a piece with no word in it is no sentence ("Note: 3")
        found.append((start, piece))
        start = match.end()
    if text[start:].strip():
        found.append((start, text[start:]))
    return found or [(0, text)]


def join_sentences(
    text: str, parts: list[tuple[int, str]], verdicts: list[Verdict], what: str = "sentences"
) -> Verdict:
    """The verdict of a text of several sentences: it says all of them, so it is false when
    one is false, unknown when one is unknown, partly true when one is partly true, and true
    when all are true. The deciding sentence gives the claim, reading and explanation."""
    chosen = weakest(verdicts)
    number = verdicts.index(chosen) + 1
    placed = zip(parts, verdicts, strict=True)
    cues = tuple(c for (start, _), v in placed for c in _shifted(v.cues, start))
    edges = tuple(dict.fromkeys(e for v in verdicts for e in v.justification))
    sources = tuple(dict.fromkeys(s for v in verdicts for s in v.sources))
    counts = {w: sum(v.verdict == w for v in verdicts) for w in (TRUE, FALSE, PARTLY_TRUE, UNKNOWN)}
    tally = ", ".join(f"{n} {_VERDICT_WORDS[w]}" for w, n in counts.items() if n)
    explanation = (
        f"{len(verdicts)} {what} ({tally}); the text stands or falls with {what[:-1]} "
        f"{number}: {chosen.explanation}"
    )
    return Verdict(
        text,
        chosen.verdict,
        chosen.rule,
        chosen.claim,
        chosen.reading,
        cues,
        edges,
        explanation,
        sources,
        sentences=tuple(verdicts),
    )


def join_clauses(
    text: str, parts: list[tuple[int, str]], verdicts: list[Verdict], causal: bool
) -> Verdict:
    """The verdict of a sentence read clause by clause: like sentences, it is false when a
    clause is false; a causal connective ("because") also claims a link the graph does not
    hold, so true clauses leave it unknown."""
    # One sentence still: its clauses are not listed as sentences.
    joined = replace(join_sentences(text, parts, verdicts, "clauses"), sentences=())
    if causal and all(v.verdict == TRUE for v in verdicts):
        explanation = (
            f"Unknown: each clause holds, but the graph does not say that one is why the other "
            f"holds (rule: {_UNLINKED}). {joined.explanation}"
        )
        return replace(joined, verdict=UNKNOWN, rule=_UNLINKED, explanation=explanation)
    return joined


_UNLINKED = "unlinked"
_CONTRARY = {TRUE: FALSE, FALSE: TRUE}


def join_kind(
    text: str,
    cues: tuple[Cue, ...],
    kind: ClauseKind,
    texts: list[str],
    said: list[Verdict],
    linked: list[Verdict],
) -> Verdict:
    """The verdict of a sentence read as the parts of its clause kind (checker/clauses.py).
    Each part is read as its own statement; a contrary part ("Unlike X, S": S does not hold
    of X) holds when the graph says its statement is false, and a partly true one decides
    nothing. Every part must hold for the sentence to be true, and a false part makes it
    false. A linked kind ("A because B") is confirmed only by a claim text that states
    both parts linked: one of its linked readings ("A: B", "Since B, A") aligned whole with a
    claim one of whose texts has a link mark; true parts alone leave it unknown (`unlinked`)."""
    parts = []
    for part, statement, verdict in zip(kind.parts, texts, said, strict=True):
        if part.contrary:
            flipped = _CONTRARY.get(verdict.verdict, UNKNOWN)
            rule = {TRUE: "entailed", FALSE: "contradicted"}.get(flipped, verdict.rule)
            # The part's own rule is what the graph says of its statement, not of the part.
            said = verdict.explanation.rsplit(" (rule: ", 1)[0]
            correction = verdict.decision.correction if verdict.decision else None
            if correction is not None:  # what is right instead is what the sentence says
                said = said.replace(f' {_INSTEAD}"{correction}".', "")
            explanation = f'It says that "{statement}" does not hold. {said} (rule: {rule})'
            verdict = replace(verdict, verdict=flipped, rule=rule, explanation=explanation)
        else:
            verdict = replace(verdict, explanation=f'It says "{statement}". {verdict.explanation}')
        parts.append(replace(verdict, cues=()))
    joined = join_sentences(text, [(0, t) for t in texts], parts, "parts")
    joined = replace(joined, cues=cues, sentences=())
    how = f"A {kind.name} construction, read in "
    for bound in linked:
        claim = bound.claim
        stated = claim is not None and any(
            kind.marks is not None and kind.marks.search(t)
            for t in (claim.label, *claim.paraphrases)
        )
        if bound.verdict == FALSE or (bound.verdict == TRUE and stated):
            explanation = f'Read as "{bound.text}", both parts linked. {bound.explanation}'
            return replace(
                bound, text=text, cues=cues, explanation=explanation, sentences=(), decision=None
            )
    if kind.combine == "linked" and joined.verdict != FALSE:
        if all(v.verdict == TRUE for v in parts):
            explanation = (
                f"Unknown: each part holds, but no claim text states them linked (rule: "
                f"{_UNLINKED}). {how}{joined.explanation}"
            )
            return replace(joined, verdict=UNKNOWN, rule=_UNLINKED, explanation=explanation)
        return replace(joined, verdict=UNKNOWN)
    if joined.verdict == TRUE:  # every part holds: each is quoted
        said = " ".join(v.explanation for v in parts)
        return replace(joined, explanation=f"{how}{len(parts)} parts, each true: {said}")
    return replace(joined, explanation=how + joined.explanation)


def _verdict(text: str, cues: tuple[Cue, ...], decision: Decision) -> Verdict:
    d = decision
    if d.correction is not None and _normal(d.correction) == _normal(text):
        # Never offer the user's own statement as what is right instead.
        explanation = d.explanation.replace(f' {_INSTEAD}"{d.correction}".', "")
        d = replace(d, explanation=explanation, correction=None)
    return Verdict(
        text,
        d.verdict,
        d.rule,
        d.claim,
        d.reading,
        cues,
        d.justification,
        d.explanation,
        d.sources,
        decision=d,
    )


_INSTEAD = "Instead: "


def _told(decision: Decision, doc) -> Decision:
    """A decision whose explanation quotes the statement's own words (the trailing part it
    adds to what its claim says, the words no claim accounts for), with those words."""
    if decision.unsaid:
        said = dict.fromkeys(doc[start:end].text for start, end in decision.unsaid)
        words = ", ".join(f"'{w}'" for w in said)
        explanation = decision.explanation.replace(_UNSAID, words)
        return replace(decision, explanation=explanation, unsaid=())
    if decision.added is None:
        return decision
    start, end = decision.added
    words = doc[start:end].text.strip(" ,;:")
    how = "which cannot make it true" if decision.verdict == FALSE else "which does not change that"
    said, rule = decision.explanation.rsplit(" (rule: ", 1)
    explanation = f"{said} The statement says more ('{words}'), {how}. (rule: {rule}"
    return replace(decision, explanation=explanation, added=None)


def _correction(kb: KnowledgeBase, claim: Claim | None) -> str | None:
    if claim is None or not claim.corrected_by:
        return None
    return kb.claims[claim.corrected_by[0]].label.rstrip(".")


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _shifted(cues: tuple[Cue, ...], offset: int) -> tuple[Cue, ...]:
    """Cues of a sentence, placed in the whole text."""
    if not offset:
        return cues
    return tuple(
        c._replace(start_char=c.start_char + offset, end_char=c.end_char + offset) for c in cues
    )


def _partial(
    kb: KnowledgeBase, decision: Decision, missing: list[tuple[int, int]], trailing: bool
) -> Decision:
    """ "unknown" for a statement only part of which the graph decides; the words it leaves
    out are quoted from each statement's own text (`_told`)."""
    if decision.claim is not None:
        closest = f'the closest claim of the graph, "{decision.claim.label.rstrip(".")}",'
    else:
        closest = "the graph's taxonomy"
    why = f"{closest} says nothing about {_UNSAID} (rule: unaccounted)."
    return Decision(
        decision.reading,
        UNKNOWN,
        "unaccounted",
        None,
        (),
        f"Unknown: {why}",
        (),
        unsaid=tuple(missing),
        # A kind confirmed by the taxonomy alone ("is a layer | that is invisible") is no
        # part of an answer: what follows is what the statement says.
        partial=decision.verdict if trailing and decision.claim is not None else None,
    )


# Where an explanation names the statement's own words: never a character of any text, as
# control characters are cleaned out of statements (`_clean`) and labels have none.
_UNSAID = "\x00"


def _concept_step(kb: KnowledgeBase, said: str, held: str) -> list[Edge]:
    """The taxonomy edges (or the exclusion) between a concept of the statement and the
    claim's concept it was aligned with."""
    if held in kb.ancestors.get(said, {}):
        return list(kb.ancestors[said][held])
    if said in kb.ancestors.get(held, {}):
        return list(kb.ancestors[held][said])
    pair = kb.excluded(said, held)
    if pair is None:
        return []
    a, b = pair
    source = kb.concepts[a].source if a in kb.concepts else None
    exclusion = Edge(a, EXCLUDES, b, f"{kb.label(a)} and {kb.label(b)} exclude each other", source)
    up = kb.ancestors.get(said, {}).get(a, ())
    down = kb.ancestors.get(held, {}).get(b, ())
    return [*up, exclusion, *reversed(down)]


def _explain_alignment(
    kb: KnowledgeBase, claim: Claim, alignment: Alignment, verdict: str, rule: str
) -> str:
    """The verdict of an aligned statement in words: the claim, how the statement differs
    from it, and the correction or condition."""
    head = _VERDICT_HEADS[verdict]
    first = f'{head}: the graph holds "{claim.label.rstrip(".")}" as {_STATUS_WORDS[claim.status]}'
    differences = []
    for edit in alignment.edits:
        said, held = edit.statement_unit, edit.claim_unit
        if said is not None and held is not None and said.concept != held.concept:
            if said.concept and held.concept:
                if edit.relation == "|":
                    how = "excludes"
                elif held.concept in kb.ancestors.get(said.concept, {}):
                    how = "is a kind of"
                else:
                    how = "is broader than"
                differences.append(f"{kb.label(said.concept)} {how} {kb.label(held.concept)}")
    if differences:
        first += ", and " + "; ".join(differences)
    sentences = [first + ".", *_afterword(kb, claim, verdict)]
    return " ".join(sentences) + f" (rule: {rule})"


_VERDICT_HEADS = {TRUE: "True", FALSE: "False", PARTLY_TRUE: "Partly true", UNKNOWN: "Unknown"}

_default: Checker | None = None


def default_checker() -> Checker:
    global _default
    if _default is None:
        _default = Checker()
    return _default


def _clean(text: str) -> tuple[str, str | None]:
    if not isinstance(text, str):
        return "", "a statement must be text"
    if len(text) > MAX_CHARS:
        return "", f"statement is {len(text)} characters long; the limit is {MAX_CHARS}"
    # Same length as the input, so that cue offsets point into the text the user gave.
    clean = _CONTROL.sub(" ", text)
    if not clean.strip():
        return "", "empty statement: give a sentence about deep learning"
    return clean, None


def _invalid(text: str, error: str) -> Verdict:
    empty = Reading(None, None, None, (), ())
    return Verdict(text, UNKNOWN, "invalid-input", None, empty, (), (), error, (), error=error)


def _said_once(ops: tuple[str, ...]) -> tuple[str, ...]:
    """Operators with a repeat said once: "all CPUs ... all CPU cores" is one "all"."""
    return tuple(op for i, op in enumerate(ops) if i == 0 or op != ops[i - 1])


def _justification(kb: KnowledgeBase, reading: Reading, match: Match) -> tuple[Edge, ...]:
    """Top path first: statement subject -> claim -> object, then the claim's evidence."""
    edges: list[Edge] = list(match.subject_path)
    claim = match.claim
    if claim is not None:
        edges.append(claim_edge(kb, claim, "subject"))
        edges.append(claim_edge(kb, claim, "object"))
        edges += match.object_path
        for chain in kb.evidence_paths.get(claim.iri, ()):
            edges += chain
    else:
        edges += match.object_path
    return tuple(dict.fromkeys(edges))


def _sources(kb: KnowledgeBase, edges: tuple[Edge, ...]) -> tuple[Source, ...]:
    found = dict.fromkeys(e.source for e in edges if e.source)
    return tuple(kb.sources[s] for s in found if s in kb.sources)


def _explain(kb: KnowledgeBase, reading: Reading, match: Match, verdict: str, rule: str) -> str:
    head = _VERDICT_HEADS[verdict]
    claim = match.claim
    if claim is None:
        s, o = kb.label(reading.subject), kb.label(reading.object)
        why = {
            "holds": f"in the graph's taxonomy {s} is a kind of {o}",
            "inverted": f"it is the other way round: {o} is a kind of {s}",
            "excluded": _exclusion(kb, reading, match),
            "same": f"the statement links two names of one concept, {s}",
            "distinct": f"{s} and {o} are different concepts, one a kind of the other",
        }[match.taxonomy]
        return f"{head}: {why} (rule: {rule})."
    status = _STATUS_WORDS[claim.status]
    first = f'{head}: the graph holds "{claim.label.rstrip(".")}" as {status}'
    if match.shift == "reversed":
        first += ", which says the opposite of the statement's comparison"
    elif match.shift == "contrary":
        held = kb.relations[claim.relation]
        said = next(r for r in reading.candidates if r in held.contrary)
        first += f', and "{held.label}" excludes "{kb.relations[said].label}"'
    elif match.shift == "other value":
        first += f', which gives another value than "{kb.label(reading.object)}"'
    elif match.shift in ("narrower relation", "broader relation"):
        held = kb.relations[claim.relation]
        said = next(
            rel
            for r in reading.candidates
            if (rel := kb.relations.get(r)) is not None
            and claim.relation in (*rel.narrower, *rel.broader)
        )
        entailing, entailed = (held, said) if match.shift == "narrower relation" else (said, held)
        first += f', and "{entailing.label}" implies "{entailed.label}"'
    elif match.subject_path:
        first += f", and that speaks for {kb.label(reading.subject)}"
    sentences = [first + "."]
    if rule == "exclusive":
        sentences.append(f"So it is not limited to {kb.label(reading.object)}.")
    elif rule == "undetermined":
        sentences.append("That neither confirms nor refutes how often the statement says it holds.")
    else:
        sentences += _afterword(kb, claim, verdict)
    return " ".join(sentences) + f" (rule: {rule})"


def _afterword(kb: KnowledgeBase, claim: Claim, verdict: str) -> list[str]:
    """What follows the verdict: where a partly true claim holds, and what is right
    instead of a statement found false."""
    said = []
    if claim.status == PARTLY_TRUE and claim.condition:
        said.append(f"Only in part: {claim.condition.rstrip('.')}.")
    if verdict == FALSE and claim.corrected_by:
        correction = kb.claims[claim.corrected_by[0]].label.rstrip(".")
        said.append(f'{_INSTEAD}"{correction}".')
    return said


def _exclusion(kb: KnowledgeBase, reading: Reading, match: Match) -> str:
    """Why two concepts exclude each other: themselves, or the families they belong to."""
    s, o = kb.label(reading.subject), kb.label(reading.object)
    edge = next((e for e in match.subject_path if e.predicate == EXCLUDES), None)
    if edge is None or {edge.subject, edge.object} == {reading.subject, reading.object}:
        return f"the graph says {s} and {o} exclude each other"
    a, b = kb.label(edge.subject), kb.label(edge.object)
    kinds = [
        f"{said} is a kind of {family}"
        for said, concept, family, member in (
            (s, reading.subject, a, edge.subject),
            (o, reading.object, b, edge.object),
        )
        if concept != member
    ]
    return f"{', '.join(kinds)}, and the graph says {a} and {b} exclude each other"


def _narrowing(
    kb: KnowledgeBase, scan: Scan, decision: Decision, missing: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The words left over, when they only narrow the object of a false claim whose relation
    carries truth upward ("X requires *large labelled* datasets" against the false "X requires
    labelled datasets"): the statement then entails the claim, and falls with it; denied, it
    holds ("... does not require large labelled datasets"). A true claim decides nothing of a
    narrower object, nor does a false one under other operators, which may turn downward."""
    claim, reading = decision.claim, decision.reading
    relation = kb.relations.get(reading.relation or "")
    if (
        claim is None
        or claim.status != FALSE
        or reading.ops not in ((), ("not",))
        or decision.verdict != (TRUE if reading.ops else FALSE)
        or reading.also
        or reading.restrictive
        or relation is None
        or not relation.upward
    ):
        return None
    start, end = missing[0][0], missing[-1][1]
    words = {i for i, _ in scan.words}
    if any(i not in words for i in range(start, end)):
        return None  # a phrase of its own or a gap, not one run of modifiers
    # Directly before the object's name, after the relation phrase, with nothing between but
    # the modifiers and function words.
    after = [m for m in scan.mentions if m.start >= end]
    before = [m for m in scan.mentions if m.end <= start]
    if not after or not before or after[0].phrase.concept != reading.object:
        return None
    if reading.relation not in _relations_named(before[-1].phrase):
        return None
    span = range(before[-1].end, after[0].start)
    if any(i in span for i in scan.breaks) or any(i in span for i, _ in scan.joints):
        return None
    return (start, end)


def _compared_away(scan: Scan, reading: Reading) -> bool:
    """Whether the reading's object is named only after a weakening word that follows its
    relation phrase ("trained on a general corpus rather than | scientific text"): what comes
    after it is an alternative or a comparison, not what the statement says the subject
    relates to. A weakening word inside a phrase ("better than") is the phrase's own."""
    if not any(kind == WEAKENING for _, kind in scan.joints):
        return False
    named = {reading.relation, *reading.candidates}
    relation_ends = [m.end for m in scan.mentions if named & _relations_named(m.phrase)]
    objects = [m.start for m in scan.mentions if m.phrase.concept == reading.object]
    if not relation_ends or not objects:
        return False
    after, before = min(relation_ends), min(objects)
    return any(
        kind == WEAKENING
        and after <= i < before
        and not any(m.start <= i < m.end for m in scan.mentions)
        for i, kind in scan.joints
    )


def _relations_named(phrase: Phrase) -> set[str]:
    """The relations a phrase names: read either way, or as a frame's head or tail."""
    return {*phrase.forward, *phrase.inverse, *(iri for iri, _ in phrase.frames)}


def _why_unknown(kb: KnowledgeBase, reading: Reading) -> tuple[str, str]:
    """(rule, explanation) for a statement the graph cannot decide."""
    names = [kb.label(c) for c in reading.concepts]
    if not names:
        rule = "no-concept"
        why = "no concept of the knowledge graph was recognised in the statement"
    elif reading.subject is None:
        rule = "no-relation"
        if len(names) == 1:
            why = f"recognised {names[0]}, but no relation to another concept"
        else:
            why = f"recognised {', '.join(names)}, but no relation phrase linking them"
    else:
        rule = "no-claim"
        why = (
            f"the graph has no claim linking {kb.label(reading.subject)} and "
            f"{kb.label(reading.object)} this way, nor one about their broader concepts"
        )
    return rule, f"Unknown: {why} (rule: {rule})."


def _source_dict(source: Source) -> dict:
    return {
        "id": source.iri,
        "label": source.label,
        "section": source.section,
        "publication": source.publication,
        "title": source.title,
        "creator": source.creator,
        "date": source.date,
    }
