"""check(): one statement in, a Verdict out, with the claim, the path and the sources."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.cues import Cue
from checker.lookup import Match, find
from checker.pipeline import MAX_CHARS, build_pipeline
from checker.reading import QUANTIFIER_NAMES, Grammar, Reading, read
from checker.rules import IMPLICIT, claim_states, decide, statement_states
from checker.scan import Scan, Scanner
from kg.compile import claim_edge
from kg.knowledge import FALSE, PARTLY_TRUE, TRUE, Claim, Edge, KnowledgeBase, Source

UNKNOWN = "unknown"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The cue kinds the output contract lists; the others (fillers, terminators...) stay inside.
CUE_KINDS = ("negation", "quantifier", "hedge")
_STATUS_WORDS = {"true": "true", "false": "false", "partly_true": "partly true"}
_MEMO_LIMIT = 50_000
_UNSEEN = object()


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
        }


class Checker:
    """Holds the pipeline and the knowledge base; build once, check many statements."""

    def __init__(self, graph_files: Sequence[Path] | None = None):
        self.nlp = build_pipeline(graph_files)
        self.kb: KnowledgeBase = self.nlp.get_pipe("dlcheck_mentions").kb
        self.scanner = Scanner(self.nlp)  # the components in one pass (checker/scan.py)
        # Memos: a cleaned text -> its cues and decision; what was matched where -> decision;
        # reading -> decision, or None when the graph cannot decide that reading; first
        # reading -> its "unknown" decision.
        self._seen: dict[str, tuple] = {}
        self._decisions: dict[tuple, tuple] = {}
        self._outcomes: dict[Reading, tuple | None] = {}
        self._unknowns: dict[Reading, tuple] = {}
        self._grammar = Grammar.of(self.kb)

    def check(self, text: str) -> Verdict:
        return next(self.check_many([text]))

    def check_many(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Verdict]:
        """Verdicts in input order; a bad text yields an `error` verdict, never an exception."""
        cleaned = []
        for text in texts:
            cleaned.append((text, *_clean(text)))
            if len(cleaned) >= batch_size:
                yield from self._run(cleaned)
                cleaned = []
        if cleaned:
            yield from self._run(cleaned)

    def _run(self, items: list[tuple[str, str, str | None]]) -> Iterator[Verdict]:
        seen = self._seen
        new = dict.fromkeys(clean for _, clean, error in items if not error and clean not in seen)
        # The tokenizer, then the three components' matchers over one array (checker/scan.py).
        for clean, doc in zip(new, self.nlp.tokenizer.pipe(new), strict=True):
            scan = self.scanner(doc)
            new[clean] = (scan.cues, self._decision(scan))
        if len(seen) < _MEMO_LIMIT:
            seen.update(new)
        for original, clean, error in items:
            if error is not None:
                yield _invalid(original, error)
                continue
            known = seen.get(clean) or new[clean]
            cues, (reading, verdict, rule, claim, edges, explanation, sources) = known
            yield Verdict(
                original, verdict, rule, claim, reading, cues, edges, explanation, sources
            )

    def _decision(self, scan: Scan) -> tuple:
        # The decision depends only on what was matched where, and on where punctuation
        # stands (it separates list items and copulas from their objects); statements that
        # differ in other words share it. Phrases and rules live as long as the pipeline, so
        # their ids name them.
        key = (
            tuple([(m.start, m.end, id(m.phrase)) for m in scan.mentions]),
            tuple([(id(c.rule), c.start, c.end, c.scope_start, c.scope_end) for c in scan.cues]),
            scan.breaks,
        )
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decide(read(scan, self._grammar))
            if len(self._decisions) < _MEMO_LIMIT:
                self._decisions[key] = decision
        return decision

    def _decide(self, readings: Iterable[Reading]) -> tuple:
        """The decision of the first reading the graph can decide, else "unknown" for the
        first reading. Both are memoised by reading: statements worded differently ("DL
        needs GPUs", "Deep learning requires GPUs") share one decision object, and with it
        its rendered JSON."""
        outcomes = self._outcomes
        first = None
        for reading in readings:
            if first is None:
                first = reading
            decision = outcomes.get(reading, _UNSEEN)
            if decision is _UNSEEN:
                match = find(self.kb, reading)
                decision = None if match is None else self._judge(reading, match)
                if decision is not None and reading.also:
                    decision = self._conjunction(reading, decision)
                if len(outcomes) < _MEMO_LIMIT:
                    outcomes[reading] = decision
            if decision is not None:
                return decision
        unknown = self._unknowns.get(first)
        if unknown is None:
            rule, why = _why_unknown(self.kb, first)
            unknown = (first, UNKNOWN, rule, None, (), why, ())
            if len(self._unknowns) < _MEMO_LIMIT:
                self._unknowns[first] = unknown
        return unknown

    def _judge(self, reading: Reading, match: Match) -> tuple:
        """The decision for one reading and the claim (or taxonomy fact) that matched it."""
        kb = self.kb
        implicit = IMPLICIT.get(match.modality, "all") if match.claim else "all"
        true_in = statement_states(reading.ops, implicit)
        allowed = claim_states(match.status, match.modality, match.shift)
        plain_partly = (
            match.claim is not None and match.status == PARTLY_TRUE and reading.quantifier is None
        )
        verdict, rule = decide(allowed, true_in, plain_partly)
        if reading.restrictive and verdict in (TRUE, UNKNOWN):
            rival = _rival(kb, reading)
            if rival is not None:  # "only during training", yet it is also used at inference
                match = Match(rival, rival.status, rival.modality, None, match.subject_path, ())
                verdict, rule = (TRUE if reading.negated else FALSE), "exclusive"
        edges = _justification(kb, reading, match)
        sources = _sources(kb, edges)
        explanation = _explain(kb, reading, match, verdict, rule)
        return (reading, verdict, rule, match.claim, edges, explanation, sources)

    def _conjunction(self, reading: Reading, first: tuple) -> tuple:
        """A statement joined by "and" holds when every pair holds, fails when one fails."""
        decisions = [first]
        for subject, obj in reading.also:
            part = reading._replace(subject=subject, object=obj, also=())
            match = find(self.kb, part)
            if match is None:
                rule, why = _why_unknown(self.kb, part)
                decisions.append((part, UNKNOWN, rule, None, (), why, ()))
            else:
                decisions.append(self._judge(part, match))
        verdicts = [d[1] for d in decisions]
        if FALSE in verdicts:
            chosen = decisions[verdicts.index(FALSE)]
        elif UNKNOWN in verdicts:
            chosen = decisions[verdicts.index(UNKNOWN)]
        elif PARTLY_TRUE in verdicts:
            chosen = decisions[verdicts.index(PARTLY_TRUE)]
        else:
            chosen = decisions[0]
        edges = tuple(dict.fromkeys(e for d in decisions for e in d[4]))
        sources = tuple(dict.fromkeys(s for d in decisions for s in d[6]))
        explanation = f"{chosen[5]} The statement joins {len(decisions)} parts with 'and'."
        return (reading, chosen[1], chosen[2], chosen[3], edges, explanation, sources)


def _rival(kb: KnowledgeBase, reading: Reading) -> Claim | None:
    """A true claim that the subject stands in the same relation to another object, one that
    is neither the statement's object nor a kind of it: it refutes an "only"."""
    for relation in reading.candidates:
        for obj, iri in kb.claims_by_subject.get((reading.subject, relation), ()):
            claim = kb.claims[iri]
            related = obj == reading.object or reading.object in kb.ancestors.get(obj, {})
            if claim.status == TRUE and not related:
                return claim
    return None


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
    head = {"true": "True", "false": "False", "partly_true": "Partly true", UNKNOWN: "Unknown"}[
        verdict
    ]
    claim = match.claim
    if claim is None:
        s, o = kb.label(reading.subject), kb.label(reading.object)
        why = {
            "holds": f"in the graph's taxonomy {s} is a kind of {o}",
            "inverted": f"it is the other way round: {o} is a kind of {s}",
            "excluded": f"the graph says {s} and {o} exclude each other",
            "same": f"the statement links two names of one concept, {s}",
            "distinct": f"{s} and {o} are different concepts, one a kind of the other",
        }[match.taxonomy]
        return f"{head}: {why} (rule: {rule})."
    status = _STATUS_WORDS[claim.status]
    first = f'{head}: the graph holds "{claim.label.rstrip(".")}" as {status}'
    if claim.modality != "always":
        first += f" (stated with '{claim.modality}')"
    if match.shift == "reversed":
        first += ", which says the opposite of the statement's comparison"
    elif match.subject_path:
        first += f", and that speaks for {kb.label(reading.subject)}"
    sentences = [first + "."]
    if rule == "exclusive":
        sentences.append(f"So it is not limited to {kb.label(reading.object)}.")
    elif rule == "undetermined":
        q = reading.quantifier or "plain"
        sentences.append(f"That neither confirms nor refutes the statement's '{q}' form.")
    elif claim.corrected_by and verdict in ("false", "partly_true"):
        correction = kb.claims[claim.corrected_by[0]].label.rstrip(".")
        sentences.append(f'Instead: "{correction}".')
    elif claim.condition:
        sentences.append(f"It holds when {claim.condition.rstrip('.')}.")
    return " ".join(sentences) + f" (rule: {rule})"


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
            f"the graph has no claim that {kb.label(reading.subject)} "
            f"{kb.label(reading.relation)} {kb.label(reading.object)}, "
            "nor one about their broader concepts"
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
