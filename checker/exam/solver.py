"""Answer exam questions with the checker: read each stem, turn options into statements,
check them in batched streams, choose, and audit the bank's key.

How a question is answered:

* the stem says what it asks for (:data:`ASKS_FOR_PATTERNS`): the option that is ``true``,
  the one that is ``not_true``, or the ``best`` completion of a wh-question; its topic is
  the last concept the checker's pipeline finds in it;
* an option whose own reading has a subject is checked as written; one that starts with a
  pronoun gets the topic in its place; one that starts with its predicate ("Requires
  GPUs") gets the topic put in front; for ``best`` questions the option is set into a
  frame cut from the stem ("What do neural networks use?" -> "neural networks use <option>")
  and kept only when the checker reads the option and the stem as the two ends of one claim;
* the options whose verdicts qualify (false for ``not_true``, true otherwise) are the
  choice: one (or as many as the question wants) is chosen, more are ambiguous, none is
  undecided; "All/None of the above" follow from the other options' verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from checker.check import Checker, Verdict
from kg.knowledge import Edge

from .model import Option, Question

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

    from checker.mentions import Mention

TRUE, FALSE, PARTLY_TRUE, UNKNOWN = "true", "false", "partly_true", "unknown"
ASKS_TRUE, ASKS_NOT_TRUE, ASKS_BEST = "true", "not_true", "best"
AGREES, DISAGREES, UNSURE, NO_KEY = "agrees", "disagrees", "unsure", "no_key"
CHOSEN, AMBIGUOUS, UNDECIDED, SKIPPED = "chosen", "ambiguous", "undecided", "skipped"

# What a stem asks for; the first pattern that matches wins, so the negated forms come first.
ASKS_FOR_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Which is NOT a myth?" denies the denial: it asks for a true statement.
    (ASKS_TRUE, re.compile(r"\bnot\s+(?:an?\s+)?(?:myths?|misconceptions?)\b", re.I)),
    # "NOT true", "not correct", "not accurate", "not a fact".
    (ASKS_NOT_TRUE, re.compile(r"\bnot\s+(?:true|correct|accurate|valid|an?\s+facts?)\b", re.I)),
    # "Which statement is false / incorrect / untrue / inaccurate / wrong?"
    (ASKS_NOT_TRUE, re.compile(r"\b(?:false|incorrect|untrue|inaccurate|wrong)\b", re.I)),
    # "All of the following are true EXCEPT".
    (ASKS_NOT_TRUE, re.compile(r"\bexcept\b", re.I)),
    # "Which of these is a myth / misconception / misunderstanding / fallacy?"
    (
        ASKS_NOT_TRUE,
        re.compile(r"\b(?:myths?|misconceptions?|misunderstandings?|fallac(?:y|ies))\b", re.I),
    ),
    # "Which statement is true / correct / accurate / a fact / valid?"
    (ASKS_TRUE, re.compile(r"\b(?:true|correct|accurate|valid|facts?)\b", re.I)),
)

# Options that speak about the other options rather than about deep learning.
ABOVE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "All of the above", "All the above", "All of these"
    ("all", re.compile(r"^\s*all\s+(?:of\s+)?(?:the\s+)?(?:above|these|them)\W*$", re.I)),
    # "None of the above", "None of these"
    ("none", re.compile(r"^\s*none\s+(?:of\s+)?(?:the\s+)?(?:above|these|them)\W*$", re.I)),
)

# A pronoun that stands for the stem's topic at the start of an option ("It requires ...").
LEADING_PRONOUN = re.compile(r"^\s*(?:it|they|this|these)\b", re.I)

# Answering instructions are not part of the statement: "(Choose two.)", "Select all ...".
INSTRUCTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    # parenthesised: "(Choose two.)", "(select all that apply)"
    re.compile(r"\(\s*(?:choose|select|pick|mark|tick)\b[^)]*\)", re.I),
    # a trailing sentence after the question: "... needs? Choose two."
    re.compile(r"(?<=[?.:])\s*(?:choose|select|pick|mark|tick)\b[^?]*$", re.I),
)
# How many answers an instruction asks for; "all that apply" means any number.
ANSWER_COUNT = re.compile(
    r"\b(?:choose|select|pick|mark|tick)\s+(?P<n>one|two|three|four|five|\d+|all\s+that\s+apply)",
    re.I,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_STEM_MEMO_LIMIT = 10_000
_VERDICT_MEMO_LIMIT = 100_000

# The question word of a wh-question, and the auxiliary that ends its wh-phrase
# ("What process | do neural networks use").
WH_WORD = re.compile(r"\b(?:what|which|who)\b", re.I)
AUXILIARY = re.compile(
    r"\b(?:do|does|did|can|could|is|are|was|were|will|would|should|must|may|might|has|have)\b",
    re.I,
)
# A gap-fill blank ("Deep learning is a subfield of _____.") and a stem that runs on into
# its options ("Neural networks learn by:").
BLANK = re.compile(r"_{3,}")
RUN_ON_END = re.compile(r"(?::|\.\.\.|\u2026)\s*$")


@dataclass(frozen=True)
class Frame:
    """Stem text around an option for a ``best`` question: ``before option after``."""

    before: str
    after: str
    concepts: frozenset[str]  # concepts of the stem part: one end of the expected claim

    def fill(self, option: str) -> str:
        return _capital(" ".join(p for p in (self.before, _inner(option), self.after) if p))


@dataclass(frozen=True)
class StemReading:
    """What a stem asks for, what it is about, and how its options become statements."""

    asks_for: str  # "true" | "not_true" | "best"
    topic: str | None  # concept IRI
    topic_text: str | None  # the topic as the stem writes it
    frame: Frame | None = None  # best questions only


@dataclass(frozen=True)
class OptionResult:
    """One option, the statement checked for it, and the checker's verdict."""

    letter: str | None  # None for the statement of a true/false question
    text: str
    statement: str | None  # None when no statement could be formed
    how: str  # "as-is" | "pronoun" | "prefix" | "frame" | "above" | "none"
    verdict: str
    justification: tuple[Edge, ...]
    explanation: str
    qualifies: bool = False
    keyed: bool = False
    chosen: bool = False


@dataclass(frozen=True)
class QuestionResult:
    """A question with the solver's choice and how it compares with the bank's key."""

    question: Question
    asks_for: str | None  # None for true/false and skipped questions
    topic: str | None
    topic_text: str | None
    outcome: str  # "chosen" | "ambiguous" | "undecided" | "skipped"
    choice: bool | tuple[str, ...] | None
    candidates: tuple[str, ...]  # qualifying letters (all of them when ambiguous)
    key_status: str | None  # "agrees" | "disagrees" | "unsure" | "no_key"; None when skipped
    note: str
    options: tuple[OptionResult, ...]


def asks_for(stem: str) -> str:
    """``true``, ``not_true`` or ``best``, from :data:`ASKS_FOR_PATTERNS`."""
    for kind, pattern in ASKS_FOR_PATTERNS:
        if pattern.search(stem):
            return kind
    return ASKS_BEST


def wanted_answers(question: Question) -> int | None:
    """How many options the question wants: the key's size, else its instruction, else 1."""
    if isinstance(question.key, tuple) and question.key:
        return len(question.key)
    found = ANSWER_COUNT.search(question.stem)
    if found is None:
        return 1
    n = found.group("n").lower()
    if n.startswith("all"):
        return None
    return int(n) if n.isdigit() else _NUMBER_WORDS[n]


def pronoun_statement(option: str, topic_text: str) -> str | None:
    """The option with its leading pronoun replaced by the topic, or None without one."""
    found = LEADING_PRONOUN.match(option)
    if found is None:
        return None
    return _capital(topic_text) + option[found.end() :]


def prefix_statement(option: str, topic_text: str) -> str:
    """The topic put in front of an option that starts with its predicate."""
    return f"{_capital(topic_text)} {_inner(option)}"


class ExamSolver:
    """Answers questions with one checker; every statement goes through ``check_many``."""

    def __init__(self, checker: Checker | None = None, chunk: int = 256):
        self.checker = checker if checker is not None else Checker()
        # Questions are solved a chunk at a time: big enough for the checker's batches,
        # small enough to report progress and keep memory flat on large banks.
        self.chunk = chunk
        self._stems: dict[str, StemReading] = {}
        self._verdicts: dict[str, Verdict] = {}
        self.checked = 0  # statements sent to the checker so far (for benchmarks)

    def solve(
        self,
        questions: Iterable[Question],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[QuestionResult]:
        """Results in input order; ``progress(n)`` is told after every n questions done."""
        it = iter(questions)
        while chunk := list(islice(it, self.chunk)):
            yield from self._solve_chunk(chunk)
            if progress is not None:
                progress(len(chunk))

    def read_stems(self, stems: Sequence[str]) -> list[StemReading]:
        """Stem readings for multiple-choice stems; new ones go through the pipeline in one
        batch, and a stem seen before (banks repeat "Which ... is NOT true about X?") is
        not read again."""
        cleaned = [_strip_instructions(s) for s in stems]
        unique = list(dict.fromkeys(cleaned))
        if len(self._stems) + len(unique) > _STEM_MEMO_LIMIT:
            self._stems.clear()  # a bank of all-different stems: keep memory flat
        new = [s for s in unique if s not in self._stems]
        for stem, doc in zip(new, self.checker.nlp.pipe(new), strict=True):
            self._stems[stem] = _stem_reading(stem, doc)
        return [self._stems[s] for s in cleaned]

    def _check(self, texts: Iterable[str]) -> dict[str, Verdict]:
        """Verdicts of the texts; each distinct text is checked once per run (banks repeat
        options and stems), the new ones in one ``check_many`` stream."""
        wanted = list(dict.fromkeys(texts))
        new = [t for t in wanted if t not in self._verdicts]
        self.checked += len(new)
        fresh = dict(zip(new, self.checker.check_many(new), strict=True)) if new else {}
        found = {t: fresh[t] if t in fresh else self._verdicts[t] for t in wanted}
        if len(self._verdicts) + len(fresh) > _VERDICT_MEMO_LIMIT:
            self._verdicts.clear()  # keep memory flat on huge banks of distinct options
        self._verdicts.update(fresh)
        return found

    def _solve_chunk(self, questions: list[Question]) -> list[QuestionResult]:
        multi = [q for q in questions if q.skipped is None and q.kind == "multichoice"]
        stems = dict(zip(map(id, multi), self.read_stems([q.stem for q in multi]), strict=True))

        # Pass 1: every option as written, and every true/false stem.
        first = self._check(
            text
            for q in questions
            if q.skipped is None
            for text in (
                [q.stem]
                if q.kind == "truefalse"
                else [o.text for o in q.options if _above(o.text) is None]
            )
        )

        # Pass 2: options without a subject of their own, rewritten about the topic.
        plans: dict[tuple[int, str], tuple[str | None, str]] = {}
        for q in multi:
            for option in q.options:
                if _above(option.text) is None:
                    plan = _rewrite(option.text, first[option.text], stems[id(q)])
                    if plan is not None:
                        plans[(id(q), option.letter)] = plan
        second = self._check(statement for statement, _ in plans.values() if statement)

        results = []
        for q in questions:
            if q.skipped is not None:
                results.append(_skipped(q))
            elif q.kind == "truefalse":
                results.append(_true_false(q, first[q.stem]))
            else:
                results.append(_multichoice(q, stems[id(q)], first, plans, second))
        return results


# -- stems -------------------------------------------------------------------------------


def _strip_instructions(stem: str) -> str:
    for pattern in INSTRUCTION_PATTERNS:
        stem = pattern.sub("", stem)
    return " ".join(stem.split())


def _stem_reading(stem: str, doc: Doc) -> StemReading:
    kind = asks_for(stem)
    mentions = doc._.mentions
    concepts = [m for m in mentions if m.kind == "concept"]
    # The last concept: "about hardware for deep learning" is about deep learning.
    topic = concepts[-1] if concepts else None
    topic_iri = _concept_iri(topic) if topic else None
    topic_text = doc[topic.start : topic.end].text if topic else None
    frame = _frame(stem, doc) if kind == ASKS_BEST else None
    return StemReading(kind, topic_iri, topic_text, frame)


def _concept_iri(mention: Mention) -> str:
    return next(iri for iri, direction in mention.targets if not direction)


def _frame(stem: str, doc: Doc) -> Frame | None:
    """Where an option goes in a ``best`` stem, or None when the stem has no such place."""
    mentions = doc._.mentions

    def concepts_in(lo: int, hi: int) -> frozenset[str]:
        return frozenset(
            _concept_iri(m) for m in mentions if m.kind == "concept" and lo <= doc[m.start].idx < hi
        )

    blank = BLANK.search(stem)
    if blank is not None:
        before, after = stem[: blank.start()].strip(), stem[blank.end() :].strip()
        return Frame(_capital(before), after.rstrip("?.!").strip(), concepts_in(0, len(stem)))
    wh = WH_WORD.search(stem)
    relations = [
        m
        for m in mentions
        if m.kind == "relation" and doc[m.start].idx > (wh.start() if wh else -1)
    ]
    if wh is None or not relations:
        run_on = RUN_ON_END.search(stem)
        if run_on is None:
            return None
        before = stem[: run_on.start()].strip()
        return Frame(before, "", concepts_in(0, len(stem)))
    relation = relations[0]
    r_start = doc[relation.start].idx
    r_end = doc[relation.end - 1].idx + len(doc[relation.end - 1])
    # Only an auxiliary before the relation (or starting it: "is an example of") counts.
    aux = AUXILIARY.search(stem, wh.end(), r_end)
    verb_start = aux.start() if aux else r_start
    wh_end = aux.end() if aux else r_start
    end = len(stem.rstrip().rstrip("?.!"))
    between = [m for m in mentions if m.kind == "concept" and wh_end <= doc[m.start].idx < r_start]
    if between:
        # "What process do neural networks use ...?": the stem holds the subject; the option
        # is the object. Words after the relation ("to learn") are left out of the frame.
        start = doc[between[0].start].idx
        return Frame(_capital(stem[start:r_end]), "", concepts_in(start, r_end))
    # A copula ("is", "are": a phrase that can be a plain attribution) puts the stem's
    # concept first; "is an example of" cannot, and keeps the option as the subject.
    copula = relation.phrase.weak
    after = stem[r_end:end].strip()
    if copula and after:
        # "What is deep learning?": the option says what the stem's concept is.
        return Frame(_capital(after) + " " + stem[r_start:r_end], "", concepts_in(r_end, end))
    # "Which technique can explain X?": the option is the subject.
    return Frame("", stem[verb_start:end].strip(), concepts_in(r_start, end))


# -- options -----------------------------------------------------------------------------


def _above(text: str) -> str | None:
    for kind, pattern in ABOVE_PATTERNS:
        if pattern.match(text):
            return kind
    return None


def _rewrite(text: str, verdict: Verdict, stem: StemReading) -> tuple[str | None, str] | None:
    """The (statement, how) to check instead of the option as written, or None to keep it."""
    if verdict.reading.subject is not None or verdict.error:
        return None  # the option has a subject of its own
    if not verdict.reading.concepts:
        # The topic can be one end of a claim, never both: an option naming no concept of
        # the graph cannot become a claim, so it is not worth a second check.
        return (None, "none") if stem.frame is not None else None
    if stem.frame is not None:
        return stem.frame.fill(text), "frame"
    if stem.topic_text is None:
        return None
    replaced = pronoun_statement(text, stem.topic_text)
    if replaced is not None:
        return replaced, "pronoun"
    return prefix_statement(text, stem.topic_text), "prefix"


def _option_result(
    option: Option,
    raw: Verdict,
    plan: tuple[str | None, str] | None,
    checked: Verdict | None,
    stem: StemReading,
) -> OptionResult:
    if plan is None:
        return _from_verdict(option, raw, "as-is")
    statement, how = plan
    if statement is None or checked is None:
        return _undecided(option, "the option names no concept of the graph")
    reading = checked.reading
    if how == "prefix" and stem.topic not in (reading.subject, reading.object):
        # The topic did not become one end of the claim, so the option did not start with
        # its predicate (e.g. a noun phrase the checker cannot relate): it stands as written.
        return _from_verdict(option, raw, "as-is")
    if how == "frame":
        option_concepts = set(raw.reading.concepts)
        ends = {reading.subject, reading.object}
        frame = stem.frame
        assert frame is not None
        if not (ends & option_concepts and ends & (frame.concepts - option_concepts)):
            if reading.subject is None:
                return _undecided(option, f'"{statement}" could not be read as a claim')
            return _undecided(
                option, f'"{statement}" does not read as a claim linking the option to the stem'
            )
    return _from_verdict(option, checked, how, statement)


def _undecided(option: Option, why: str) -> OptionResult:
    return OptionResult(
        option.letter,
        option.text,
        None,
        "none",
        UNKNOWN,
        (),
        f"Undecided: {why}; the option is left out.",
    )


def _from_verdict(
    option: Option | None, verdict: Verdict, how: str, statement: str | None = None
) -> OptionResult:
    """The result for an option (None: the statement of a true/false question)."""
    return OptionResult(
        option.letter if option else None,
        option.text if option else verdict.text,
        statement if statement is not None else option.text if option else verdict.text,
        how,
        verdict.verdict,
        verdict.justification,
        verdict.explanation,
    )


# -- choosing ----------------------------------------------------------------------------


def _multichoice(
    q: Question,
    stem: StemReading,
    first: dict[str, Verdict],
    plans: dict[tuple[int, str], tuple[str | None, str]],
    second: dict[str, Verdict],
) -> QuestionResult:
    options: list[OptionResult | None] = []
    for option in q.options:
        if _above(option.text) is not None:
            options.append(None)  # decided once the others are known
            continue
        plan = plans.get((id(q), option.letter))
        checked = second[plan[0]] if plan and plan[0] else None
        options.append(_option_result(option, first[option.text], plan, checked, stem))
    wants = FALSE if stem.asks_for == ASKS_NOT_TRUE else TRUE
    plain = [o for o in options if o is not None]
    qualifying = {o.letter for o in plain if o.verdict == wants}
    if not qualifying and stem.asks_for == ASKS_NOT_TRUE:
        # A partly true option is a weaker "not true": it counts when nothing is false.
        qualifying = {o.letter for o in plain if o.verdict == PARTLY_TRUE}
    filled = [
        o if o is not None else _above_result(opt, plain, stem.asks_for)
        for o, opt in zip(options, q.options, strict=True)
    ]
    above = [o for o in filled if o.how == "above" and o.verdict == wants]
    if above:
        qualifying = {above[0].letter}  # "All of the above" covers the options it names

    wanted = wanted_answers(q)
    candidates = tuple(o.letter for o in filled if o.letter in qualifying)
    if candidates and (wanted is None or len(candidates) == wanted):
        outcome, choice = CHOSEN, candidates
        note = ""
    elif len(candidates) > (wanted or 0):
        outcome, choice = AMBIGUOUS, None
        note = f"{len(candidates)} options qualify ({', '.join(candidates)}); {wanted} wanted"
    else:
        outcome, choice = UNDECIDED, None
        note = _why_undecided(filled, candidates, wanted, wants)
    return _finish(q, stem, outcome, choice, candidates, note, filled)


def _above_result(option: Option, others: list[OptionResult], asks: str) -> OptionResult:
    """Verdict of "All/None of the above" from the other options' verdicts."""
    kind = _above(option.text)
    verdicts = [o.verdict for o in others]
    target = FALSE if asks == ASKS_NOT_TRUE else TRUE
    opposite = TRUE if target == FALSE else FALSE
    # "All": every other option qualifies. "None": every other option is the opposite.
    wanted = target if kind == "all" else opposite
    letters = ", ".join(o.letter or "" for o in others)
    if others and all(v == wanted for v in verdicts):
        verdict = target
        why = f"every other option ({letters}) is {wanted.replace('_', ' ')}"
    elif any(v not in (wanted, UNKNOWN) for v in verdicts):
        verdict = opposite
        odd = [o.letter or "" for o in others if o.verdict not in (wanted, UNKNOWN)]
        why = f"option(s) {', '.join(odd)} are not {wanted.replace('_', ' ')}"
    else:
        verdict = UNKNOWN
        unknown = [o.letter or "" for o in others if o.verdict == UNKNOWN]
        why = f"option(s) {', '.join(unknown)} are unknown"
    return OptionResult(
        option.letter,
        option.text,
        None,
        "above",
        verdict,
        (),
        f"Decided from the other options: {why}.",
    )


def _why_undecided(
    options: list[OptionResult], candidates: tuple[str, ...], wanted: int | None, wants: str
) -> str:
    unknown = [o.letter or "" for o in options if o.verdict == UNKNOWN]
    head = (
        f"only {', '.join(candidates)} qualify; {wanted} wanted"
        if candidates
        else f"no option is {wants}"
    )
    if unknown:
        return f"{head}; unknown: {', '.join(unknown)}"
    return head


def _true_false(q: Question, verdict: Verdict) -> QuestionResult:
    statement = _from_verdict(None, verdict, "as-is")
    # A partly true statement is not true as written, the same reading the not_true rule
    # gives it when no option is plainly false.
    choice = {TRUE: True, FALSE: False, PARTLY_TRUE: False}.get(verdict.verdict)
    if choice is None:
        outcome, note = UNDECIDED, "the statement's verdict is unknown"
    else:
        outcome, note = CHOSEN, ""
    stem = StemReading(ASKS_TRUE, None, None)
    return _finish(q, stem, outcome, choice, (), note, [statement], true_false=True)


def _finish(
    q: Question,
    stem: StemReading,
    outcome: str,
    choice: bool | tuple[str, ...] | None,
    candidates: tuple[str, ...],
    note: str,
    options: list[OptionResult],
    true_false: bool = False,
) -> QuestionResult:
    key = q.key
    if key is None or key == ():
        status = NO_KEY
    elif choice is None:
        status = UNSURE
    elif true_false:
        status = AGREES if choice == key else DISAGREES
    else:
        assert isinstance(key, tuple) and isinstance(choice, tuple)
        status = AGREES if set(choice) == set(key) else DISAGREES
    keyed = set(key) if isinstance(key, tuple) else set()
    chosen = set(choice) if isinstance(choice, tuple) else set()
    if status == DISAGREES:
        note = _disagreement(options, keyed, chosen, key, true_false)
    qualifying = set(candidates)
    marked = tuple(
        OptionResult(
            o.letter,
            o.text,
            o.statement,
            o.how,
            o.verdict,
            o.justification,
            o.explanation,
            qualifies=o.letter in qualifying,
            keyed=o.letter in keyed,
            chosen=o.letter in chosen or (true_false and choice is not None),
        )
        for o in options
    )
    return QuestionResult(
        q,
        None if true_false else stem.asks_for,
        stem.topic,
        stem.topic_text,
        outcome,
        choice,
        candidates,
        status,
        note,
        marked,
    )


def _disagreement(
    options: list[OptionResult],
    keyed: set[str],
    chosen: set[str],
    key: bool | tuple[str, ...],
    true_false: bool,
) -> str:
    """One line of evidence: the verdicts of the chosen and the keyed options."""
    if true_false:
        verdict = options[0].verdict.replace("_", " ")
        return f"the statement is {verdict}; the key says {key}"

    def verdicts(letters: set[str]) -> str:
        return ", ".join(
            f"{o.letter} is {o.verdict.replace('_', ' ')}" for o in options if o.letter in letters
        )

    return f"chosen: {verdicts(chosen)}; key: {verdicts(keyed)}"


def _skipped(q: Question) -> QuestionResult:
    return QuestionResult(q, None, None, None, SKIPPED, None, (), None, q.skipped or "", ())


# -- text helpers ------------------------------------------------------------------------


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _inner(text: str) -> str:
    """An option as it reads inside a sentence: no final stop, no capital unless an acronym."""
    text = text.strip().rstrip(".;")
    first = text.split(maxsplit=1)[0] if text else ""
    if first[:1].isupper() and (len(first) == 1 or first[1:].islower()):
        return text[0].lower() + text[1:]  # "A subfield", "Backpropagation"; not "GPUs"
    return text
