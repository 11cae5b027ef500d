"""Answer exam questions with the checker: read each stem, make each option a statement
together with the stem, check the statements in batched streams, choose, and audit the key.

How a question is read (the stem language is data: checker/exam/stem_rules.json):

* the stem's **form** says what it asks and how an option joins it: ``statement`` stems
  ("Which of the following is NOT true about X?") have options that are statements of their
  own; ``definition`` ("What is X?" -> "X is <option>"), ``purpose`` ("What is X used
  for?" -> "X reduces ...", "X is used to ..."), ``class`` ("Which of these is (NOT) a Y?"
  -> "<option> is a Y") and ``named`` ("... is called:" -> "<option> is ...") set the option
  into templates; ``reason`` (why/how) options are statements about the stem's topic; any
  other stem is a wh-question, a gap fill or a run-on stem whose **frame** puts the option
  where the stem's question word, blank or colon stands;
* the **focus** is the concept the question is about (the last one the pipeline finds).

How an answer is chosen (the rule the docs spell out in docs/exam-formats.md):

* the answer is the option whose combined statement the graph entails (``true``, with a
  path), when no other is entailed; for a ``not_true`` question, the option the graph
  refutes (``false``; ``partly_true`` when nothing is false) while no other is refuted;
* by elimination: when every option but one is proven not to be the answer, that one;
* "All/None of the above" follow from the other options; a select-all question (several
  keyed options, or "select all that apply") takes every entailed option once every other
  option is refuted;
* last, a question still open with no candidate ("What is X?", "Which X does Y?") may be
  decided by what the graph says about the concepts, their definitions and true claims,
  when one option matches clearly best (checker/exam/described.py); such a choice is never
  proof against a key;
* an option that does not answer the stem's focus is never the answer, however true it
  is: the templates and frames put the focus into the option's statement, a verdict through
  a relation the form does not ask about is set aside, and a why/how option must speak
  about the stem's topic;
* otherwise the question is undecided, with the reason.

How the key is audited: ``agrees`` when the choice is the key; ``disagrees`` only with a
proof, a path of the graph that refutes a keyed option or entails an option the key left
out; otherwise ``unsure``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import TYPE_CHECKING

from checker.check import Checker, Verdict
from kg.knowledge import SKOS_DEFINITION, Edge, KnowledgeBase
from ontology.names import local_name

from .described import DescriptionMatch, Descriptions
from .model import Option, Question
from .stems import (
    ARTICLE_SUFFIX,
    BE_SUFFIX,
    OPTION_SLOTS,
    VERB_SUFFIX,
    FormRule,
    StemRules,
    load_stem_rules,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

    from checker.mentions import Mention

TRUE, FALSE, PARTLY_TRUE, UNKNOWN = "true", "false", "partly_true", "unknown"
ASKS_TRUE, ASKS_NOT_TRUE, ASKS_BEST = "true", "not_true", "best"
AGREES, DISAGREES, UNSURE, NO_KEY = "agrees", "disagrees", "unsure", "no_key"
CHOSEN, AMBIGUOUS, UNDECIDED, SKIPPED = "chosen", "ambiguous", "undecided", "skipped"
#: Forms whose options are statements of their own, about the stem's topic.
STATEMENT_FORMS = ("statement", "reason")
#: The form of a stem no rule matches: the option goes into the stem's frame.
FRAME = "frame"
#: Forms whose options describe the focus, and forms whose options may name what the stem
#: describes: where what the graph says about a concept can decide (checker/exam/described.py).
DESCRIBED_FORMS = ("definition", "purpose", "action")
NAMED_FORMS = ("named", FRAME, "reason", "statement")

_STEM_MEMO_LIMIT = 10_000
_VERDICT_MEMO_LIMIT = 100_000
# Quotation marks around a term ('What is "dropout"?') are typography, not words.
_QUOTES = str.maketrans("", "", "\"'\u201c\u201d\u2018\u2019")
_TO = re.compile(r"^to\s+", re.I)


@dataclass(frozen=True)
class Frame:
    """Stem text around an option for a wh-, gap-fill or run-on stem: ``before option after``."""

    before: str
    after: str
    relations: frozenset[str] | None = None  # the stem's relation and its kin (local names)
    # "The main difference between X and Y is <option>": an option may also be a clause of
    # its own ("X pools the maximum; Y the mean"), checked as written.
    clause_too: bool = False
    phrase: str | None = None  # the stem's relation phrase as written ("is fundamental to")

    def fill(self, option: str) -> str:
        after = self.after
        if not self.before and after and not _plural(option):
            # "Which techniques reduce ...?" + "Transfer learning": the verb agrees with
            # the option ("Transfer learning reduces ...").
            if after.split(" ", 1)[0].islower():
                after = _third_person(after, stem_rules().third_person) or after
        return _capital(" ".join(p for p in (self.before, _inner(option), after) if p))


@dataclass(frozen=True)
class StemReading:
    """What a stem asks for, what it is about, and how its options become statements."""

    asks_for: str  # "true" | "not_true" | "best"
    topic: str | None  # concept IRI: the question's focus
    topic_text: str | None  # the topic as the stem writes it
    frame: Frame | None = None  # frame stems only
    form: str = FRAME  # a form of checker/exam/stem_rules.json, or "frame"
    templates: tuple[str, ...] = ()  # statement templates with the stem's slots filled
    focus: str | None = None  # what the question asks about, as the stem writes it
    relations: frozenset[str] | None = None  # relations that answer it (None: any)
    concepts: frozenset[str] = frozenset()  # every concept the stem names
    focus_concept: str | None = None  # the concept the focus names, if one does

    @property
    def whole_options(self) -> bool:
        """Whether the options are statements of their own: statement and why/how stems,
        and a stem that gives no place for its option ("What distinguishes X from Y?")."""
        return self.form in STATEMENT_FORMS or (self.form == FRAME and self.frame is None)


@dataclass(frozen=True)
class OptionResult:
    """One option, the statement checked for it, and the checker's verdict."""

    letter: str | None  # None for the statement of a true/false question
    text: str
    statement: str | None  # the statement that gave the verdict; None when none was formed
    how: str  # the stem's form, "as-is", "pronoun", "prefix", "frame", "above" or "none"
    verdict: str
    justification: tuple[Edge, ...]
    explanation: str
    qualifies: bool = False
    keyed: bool = False
    chosen: bool = False
    tried: tuple[str, ...] = ()  # every statement checked for the option
    # Unknown, but the graph decides the part of its statement it reads, this way.
    partly: str | None = None


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
    note: str  # one line: why this choice, why undecided, or the proof against the key
    options: tuple[OptionResult, ...]
    form: str | None = None  # the stem's form; None for true/false and skipped questions
    credit: float | None = None  # the share of the marks the choice earns by the key


_RULES: StemRules | None = None


def stem_rules() -> StemRules:
    """The bundled stem rules, loaded once."""
    global _RULES
    if _RULES is None:
        _RULES = load_stem_rules()
    return _RULES


def asks_for(stem: str) -> str:
    """``true``, ``not_true`` or ``best``: what the first matching form rule says; a stem
    of no form (a wh-question, a gap fill) asks for the ``best`` completion."""
    return _asks(stem_rules().form_of(_strip_instructions(stem)))


def _asks(found: tuple[FormRule, re.Match[str]] | None) -> str:
    """A statement stem asks for what its rule says; another form asks for the best
    option, or for the refuted one when its rule says not_true ("Which is NOT a Y?")."""
    if found is None:
        return ASKS_BEST
    rule, _ = found
    if rule.form == "statement" or rule.asks == ASKS_NOT_TRUE:
        return rule.asks
    return ASKS_BEST


def wanted_answers(question: Question) -> int | None:
    """How many options the question wants: the key's size, else its instruction, else 1;
    None for "select all that apply"."""
    if isinstance(question.key, tuple) and question.key:
        return len(question.key)
    rules = stem_rules()
    found = rules.answer_count.search(question.stem)
    if found is None:
        return 1
    n = found.group("n").lower()
    if n.isdigit():
        return int(n)
    return rules.number_words.get(n)


def pronoun_statement(option: str, topic_text: str) -> str | None:
    """The option with its leading pronoun replaced by the topic, or None without one."""
    found = stem_rules().pronoun.match(option)
    if found is None:
        return None
    return _capital(topic_text) + option[found.end() :]


def prefix_statement(option: str, topic_text: str) -> str:
    """The topic put in front of an option that starts with its predicate."""
    return f"{_capital(topic_text)} {_inner(option)}"


def template_statements(templates: Sequence[str], option: str) -> list[str]:
    """The statements an option makes in the stem's templates; a template that needs an
    option starting with "to" is left out for other options."""
    inner = _inner(option).translate(_QUOTES).strip()
    bare = _TO.sub("", inner) if _TO.match(inner) else None
    verb = _third_person(bare, stem_rules().third_person)
    noun = None if bare else inner
    count = inner.isdigit() or inner.lower() in stem_rules().number_words
    slots = {
        "option": inner,
        "option_noun": noun,
        "option_bare": bare,
        "option_verb": verb,
        "option_s": _third_person(inner, stem_rules().third_person),
        "option_do": bare or inner,
        # A count ("3", "two") and nothing else: "A GRU has {option_count} gates".
        "option_count": inner if count else None,
    }
    statements = []
    for template in templates:
        named = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if all(slots.get(name) for name in named):
            statements.append(_capital(template.format(**slots)))
    return list(dict.fromkeys(statements))


class ExamSolver:
    """Answers questions with one checker; every statement goes through ``check_many``."""

    def __init__(self, checker: Checker | None = None, chunk: int = 256):
        self.checker = checker if checker is not None else Checker()
        self.rules = stem_rules()
        known = {local_name(iri) for iri in (*self.checker.kb.relations, SKOS_DEFINITION)}
        self.rules.check_relations(known)
        # Questions are solved a chunk at a time: big enough for the checker's batches,
        # small enough to report progress and keep memory flat on large banks.
        self.chunk = chunk
        self._stems: dict[str, StemReading] = {}
        self._verdicts: dict[str, Verdict] = {}
        self._descriptions: Descriptions | None = None  # built when a question needs them
        self.checked = 0  # statements sent to the checker so far (for benchmarks)

    @property
    def descriptions(self) -> Descriptions:
        """What the graph says each concept is and does (checker/exam/described.py)."""
        if self._descriptions is None:
            self._descriptions = Descriptions(self.checker, self.rules.adverb)
        return self._descriptions

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
        # A scenario ("Your model overfits. Which is NOT a remedy?") is read from its
        # question; the whole stem still says what the question is about.
        questions = [question_of(self.rules, s) for s in new]
        pipe = self.checker.nlp.pipe
        for stem, question, whole, asked in zip(
            new, questions, pipe(new), pipe(questions), strict=True
        ):
            reading = _stem_reading(self.rules, self.checker.kb, question, asked)
            if question != stem:
                reading = _with_context(reading, whole)
            self._stems[stem] = reading
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
        rules = self.rules
        multi = [q for q in questions if q.skipped is None and q.kind == "multichoice"]
        stems = dict(zip(map(id, multi), self.read_stems([q.stem for q in multi]), strict=True))

        # Pass 1: true/false stems, and the options of statement stems as written (whether
        # an option has a subject of its own decides how it joins the topic).
        first = self._check(
            text
            for q in questions
            if q.skipped is None
            for text in (
                [q.stem]
                if q.kind == "truefalse"
                else [
                    o.text
                    for o in q.options
                    if rules.above_kind(o.text) is None and stems[id(q)].whole_options
                ]
            )
        )

        # Pass 2: the statements each option makes together with its stem.
        plans: dict[tuple[int, str], tuple[tuple[str, ...], str]] = {}
        for q in multi:
            stem = stems[id(q)]
            for option in q.options:
                if rules.above_kind(option.text) is None:
                    plans[(id(q), option.letter)] = _plan(option.text, first.get(option.text), stem)
        second = self._check(s for statements, _ in plans.values() for s in statements)

        results = []
        for q in questions:
            if q.skipped is not None:
                results.append(_skipped(q))
            elif q.kind == "truefalse":
                results.append(_true_false(q, first[q.stem]))
            else:
                result = _multichoice(self.checker.kb, q, stems[id(q)], plans, second)
                results.append(self._by_description(result, stems[id(q)]))
        return results

    def _by_description(self, result: QuestionResult, stem: StemReading) -> QuestionResult:
        """The question decided by what the graph says the concepts are and do, when the
        claims leave it open with no candidate (docs/exam-formats.md, rule 7); otherwise the
        result as it was."""
        q = result.question
        if (
            result.outcome != UNDECIDED
            or result.candidates
            or stem.asks_for == ASKS_NOT_TRUE
            or wanted_answers(q) != 1
            or stem.form not in (*DESCRIBED_FORMS, *NAMED_FORMS)
        ):
            return result
        match = _description_match(self.descriptions, q, stem)
        if match is None:
            return result
        option = next(o for o in result.options if o.letter == match.letter)
        if option.verdict in (FALSE, PARTLY_TRUE):
            return result  # the claims speak against it: no match overrules them
        label = self.checker.kb.label(match.concept)
        note = (
            f"{match.letter} matches what the graph says about {label} "
            f"({', '.join(match.shared)}; weight {match.weight} against {match.runner_up})"
        )
        said = "; ".join(e.label for e in match.justification)
        options = [
            replace(
                o,
                justification=match.justification,
                explanation=f"Matches what the graph says about {label}: {said}.",
            )
            if o.letter == match.letter
            else o
            for o in result.options
        ]
        return _finish(
            q, stem, CHOSEN, (match.letter,), (match.letter,), note, options, TRUE, FALSE
        )


def _description_match(
    descriptions: Descriptions, q: Question, stem: StemReading
) -> DescriptionMatch | None:
    """The description match of a question: its options describe the focus ("What is X?";
    a frame's topic), or they name concepts and the stem describes one ("Which X does Y?",
    "... is called:")."""
    rules = stem_rules()
    options = [(o.letter, o.text) for o in q.options if rules.above_kind(o.text) is None]
    if len(options) != len(q.options):
        return None  # "all of the above" would need every other option decided
    if stem.form in DESCRIBED_FORMS and stem.focus_concept is not None:
        return descriptions.describes(stem.focus_concept, options, q.stem)
    if stem.form in NAMED_FORMS:
        concepts = [(letter, descriptions.concept_of(text)) for letter, text in options]
        if all(concept for _, concept in concepts):
            return descriptions.names(concepts, q.stem)  # type: ignore[arg-type]
        if stem.focus_concept is not None and stem.form == FRAME:
            return descriptions.describes(stem.focus_concept, options, q.stem)
        if stem.topic is not None and stem.form in ("reason", "statement"):
            return descriptions.describes(stem.topic, options, q.stem)
    return None


# -- stems -------------------------------------------------------------------------------


def question_of(rules: StemRules, stem: str) -> str:
    """The sentence of a stem that asks the question: the one holding its first question
    mark (or its last sentence), without the scenario sentences before it."""
    mark = stem.find("?")
    limit = mark if mark >= 0 else len(stem)
    starts = [m.end() for m in rules.sentence_break.finditer(stem, 0, limit)]
    question = stem[starts[-1] :] if starts else stem
    # "In an autoencoder, what happens ...?": the context clause, like a scenario, lends
    # the question its concepts, not its words.
    context = rules.context_clause.match(question)
    if context is not None:
        question = question[context.end() :]
        return question[:1].upper() + question[1:]
    return question


def _with_context(reading: StemReading, whole: Doc) -> StemReading:
    """A question's reading with the topic and concepts of its whole stem when the question
    sentence names none ("Your CNN overfits. What should you try first?")."""
    concepts = [m for m in whole._.mentions if m.kind == "concept"]
    named = reading.concepts | {m.concept for m in concepts}
    if reading.topic is not None or not concepts:
        return replace(reading, concepts=named)
    topic = concepts[-1]
    text = whole[topic.start : topic.end].text
    return replace(reading, topic=topic.concept, topic_text=text, concepts=named)


def _strip_instructions(stem: str) -> str:
    for pattern in stem_rules().instructions:
        stem = pattern.sub("", stem)
    return " ".join(stem.split())


def _stem_reading(rules: StemRules, kb: KnowledgeBase, stem: str, doc: Doc) -> StemReading:
    mentions = doc._.mentions
    concepts = [m for m in mentions if m.kind == "concept"]
    found = rules.form_of(stem)
    # The last concept by default: "about hardware for deep learning" is about deep
    # learning; a form may say the first ("Why is ReLU preferred over sigmoid?").
    topic = None
    if concepts:
        topic = concepts[0] if found is not None and found[0].topic == "first" else concepts[-1]
    topic_iri = topic.concept if topic else None
    topic_text = doc[topic.start : topic.end].text if topic else None
    if found is None:
        frame = _frame(rules, kb, stem, doc)
        named = frozenset(m.concept for m in concepts)
        if concepts and not rules.wh_word.search(stem):
            # In a run-on or gap-fill stem a pronoun in an option stands for the stem's
            # subject, its first concept: "The XOR problem cannot be solved by a single
            # perceptron because:" + "It is not linearly separable" is about the XOR problem.
            # (A wh-question may name its wh-phrase's concept first: "What is the main
            # problem with one-hot encoding?")
            topic_iri = concepts[0].concept
            topic_text = doc[concepts[0].start : concepts[0].end].text
        subject = _do_support_subject(rules, stem, doc, concepts)
        if subject is not None:
            # "What advantage do subword tokenizers have over word-level tokenizers?" +
            # "They can handle ...": after do-support the question's subject is the concept
            # right after the auxiliary, and a pronoun in an option stands for it.
            topic_iri = subject.concept
            topic_text = doc[subject.start : subject.end].text
        # A frame's options describe its subject, the first concept it names ("What does
        # momentum help with in gradient descent?").
        subject = concepts[0].concept if concepts else None
        return StemReading(
            ASKS_BEST, topic_iri, topic_text, frame, concepts=named, focus_concept=subject
        )
    rule, match = found
    slots = {name: _slot(value) for name, value in match.groupdict().items() if value is not None}
    irregular = rules.third_person
    slots |= {
        **{name + VERB_SUFFIX: _third_person(value, irregular) for name, value in slots.items()},
        **{name + ARTICLE_SUFFIX: _with_article(value) for name, value in slots.items()},
        **{name + BE_SUFFIX: "are" if _plural(value) else "is" for name, value in slots.items()},
    }
    # The stem's slots are filled now; the option's stay for template_statements. After a
    # plural focus the option's verb keeps its plain form ("Activation functions introduce
    # non-linearity").
    keep = {name: "{" + name + "}" for name in OPTION_SLOTS}
    if _plural(slots.get("focus", "")):
        keep |= {"option_verb": "{option_bare}", "option_s": "{option}"}
    templates = tuple(t.format(**slots, **keep) for t in rule.templates)
    focus = slots.get("focus") or slots.get("class") or topic_text
    # The concept the focus names: "What is the 'dying ReLU' problem in deep networks?" is
    # about the dying ReLU problem, whatever else the stem names.
    span = match.span("focus") if "focus" in match.groupdict() else (-1, -1)
    inside = [m for m in concepts if span[0] <= doc[m.start].idx < span[1]]
    head = stem[span[0] : doc[inside[0].start].idx] if inside else ""
    # The focus's head only: in "the curse of dimensionality for one-hot encoding", not
    # one-hot encoding, when the graph has no concept for the curse.
    focus_concept = inside[0].concept if inside and not any(map(str.isalnum, head)) else None
    return StemReading(
        _asks(found),
        topic_iri,
        topic_text,
        None,
        rule.form,
        templates,
        focus,
        rule.relations,
        frozenset(m.concept for m in concepts),
        focus_concept,
    )


def _do_support_subject(
    rules: StemRules, stem: str, doc: Doc, concepts: list[Mention]
) -> Mention | None:
    """The concept that starts the subject after a wh-question's do-support ("What
    advantage do | subword tokenizers have ...?"), or None when the stem has no
    do-support or no concept right after it."""
    wh = rules.wh_word.search(stem)
    if wh is None:
        return None
    aux = next((t for t in doc if t.idx >= wh.end() and rules.do_support.match(t.text)), None)
    if aux is None:
        return None
    # The first concept after the auxiliary, unless the stem's verb comes first ("What do
    # we | use ..."): then the subject is no concept of the graph.
    after = [m for m in doc._.mentions if m.start > aux.i]
    first = min(after, key=lambda m: m.start, default=None)
    return first if first is not None and first in concepts else None


def _slot(text: str) -> str:
    """A stem part as it reads inside a statement: no quotes, no capital on a plain word."""
    return _inner(text.translate(_QUOTES).strip())


def _frame(rules: StemRules, kb: KnowledgeBase, stem: str, doc: Doc) -> Frame | None:
    """Where an option goes in a wh-, gap-fill or run-on stem, or None when it has no such
    place."""
    # A possessive "'s" ("each parameter's step") is no verb, whatever the matcher makes of
    # it: the stem's relations are the others.
    mentions = [
        m
        for m in doc._.mentions
        if m.kind != "relation" or not rules.possessive.match(doc[m.start : m.end].text)
    ]

    blank = rules.blank.search(stem)
    if blank is not None:
        before, after = stem[: blank.start()].strip(), stem[blank.end() :].strip()
        return Frame(_capital(before), after.rstrip("?.!").strip())
    if len(rules.wh_word.findall(stem)) > 1:
        return None  # "What caused X and what was the solution?": two questions in one
    wh = rules.wh_word.search(stem)
    # "What type of learning do autoencoders perform?": after do-support the wh-phrase is
    # the object, never the subject.
    do_support = wh is not None and any(
        t.idx >= wh.end() and rules.do_support.match(t.text) for t in doc
    )
    subject = rules.wh_subject.match(stem)
    first = next((t.i for t in doc if t.idx >= subject.end()), None) if subject else None
    if first is not None and not do_support:
        # "Which optimizer adapts the learning rate ...?": the option stands for the
        # wh-phrase "which optimizer" and is the subject of the rest of the stem. The phrase
        # is a concept named right after "which", or up to a relation two or three words on
        # ("which learning paradigm | requires").
        named = [m for m in mentions if m.kind == "concept" and m.start == first]
        last = named[0].end if named else None
        verbs = [m for m in mentions if m.kind == "relation" and m.start > first]
        verb = next((m for m in verbs if m.start - (last or first) <= 2), None)
        if verb is not None and verb.start >= (last or first + 1):
            last = verb.start
            while last - 1 > first and rules.auxiliary.fullmatch(doc[last - 1].text):
                last -= 1  # "which technique | can explain": the auxiliary goes with the verb
        else:
            verb = None
        if last is not None:
            end = doc[last - 1].idx + len(doc[last - 1])
            rest = stem[end:].strip().rstrip("?.!").strip()
            if rules.inversion.match(rest) or rules.inversion.match(stem[subject.end() :]):
                return None  # "Which approach should you try?": the option is no subject
            said = rest.split(maxsplit=1)
            if len(said) == 2 and rules.pronoun.fullmatch(said[1]):
                return None  # "Which type of learning is this?": the stem says nothing more
            if rest:
                kin = _kin(kb, verb) if verb is not None else None
                return Frame("", rest, kin, phrase=_words(doc, verb))
    if wh is not None and wh.start() > 0:
        said = [m for m in mentions if m.kind == "relation" and doc[m.end - 1].idx < wh.start()]
        if said and not rules.wh_word.search(stem, 0, wh.start()):
            # "Word embeddings enable what type of learning?": the wh-phrase stands where
            # the option goes, at the end of a statement the stem has already made.
            before = stem[: wh.start()].strip().rstrip(",")
            return Frame(_capital(before), "", _kin(kb, said[-1]), phrase=_words(doc, said[-1]))
    relations = [
        m
        for m in mentions
        if m.kind == "relation" and doc[m.start].idx > (wh.start() if wh else -1)
    ]
    if wh is None or not relations:
        run_on = rules.run_on.search(stem)
        if run_on is None:
            return None
        before = stem[: run_on.start()].strip()
        return Frame(before, "")
    relation = relations[0]
    r_start = doc[relation.start].idx
    r_end = doc[relation.end - 1].idx + len(doc[relation.end - 1])
    # Only an auxiliary before the relation (or starting it: "is an example of") counts.
    aux = rules.auxiliary.search(stem, wh.end(), r_end)
    verb_start = aux.start() if aux else r_start
    wh_end = aux.end() if aux else r_start
    end = len(stem.rstrip().rstrip("?.!"))
    between = [m for m in mentions if m.kind == "concept" and wh_end <= doc[m.start].idx < r_start]
    if between:
        # "What process do neural networks use ...?": the stem holds the subject; the option
        # is the object. Words after the relation ("to learn") are left out of the frame.
        start = doc[between[0].start].idx
        said = stem[start:r_start]
        verb = stem[r_start:r_end]
        if aux is not None and aux.group(0).lower() in rules.singular_auxiliaries:
            # "What does momentum help with?": "Momentum helps with <option>".
            verb = _third_person(verb, rules.third_person) or verb
        return Frame(_capital(said + verb), "", _kin(kb, relation), phrase=_words(doc, relation))
    if do_support or (aux is not None and rules.inversion.match(stem[aux.start() :])):
        return None  # "What does W represent?", "What would you need?": no subject place
    # A copula ("is", "are": a phrase that can be a plain attribution) puts the stem's
    # concept first; "is an example of" cannot, and keeps the option as the subject.
    copula = relation.phrase.weak
    after = stem[r_end:end].strip()
    if copula and after:
        return Frame(_capital(after) + " " + stem[r_start:r_end], "", clause_too=True)
    # "Which technique can explain X?": the option is the subject.
    return Frame("", stem[verb_start:end].strip(), _kin(kb, relation), phrase=_words(doc, relation))


def _words(doc: Doc, mention: Mention | None) -> str | None:
    """A mention's words as the stem writes them, lower case."""
    return doc[mention.start : mention.end].text.lower() if mention is not None else None


def _kin(kb: KnowledgeBase, relation: Mention) -> frozenset[str]:
    """Local names of the relations a stem's relation phrase names, and of their close
    relations: the verdict of a framed option must come through one of them."""
    names = {iri for iri, forward in relation.targets if forward}
    for iri in list(names):
        known = kb.relations.get(iri)
        if known is not None:
            # A claim through a relation that entails the stem's answers it too: "Which
            # variant uses the whole dataset?" by "Batch gradient descent requires it".
            names |= set(known.close) | set(known.narrower)
            if known.exclusive_variant:
                names.add(known.exclusive_variant)
    # A concept's definition says what it is and does: it answers any question about it.
    return frozenset(local_name(iri) for iri in (*names, SKOS_DEFINITION))


# -- options -----------------------------------------------------------------------------


def _plan(text: str, verdict: Verdict | None, stem: StemReading) -> tuple[tuple[str, ...], str]:
    """The statements an option makes with its stem, and how they were made."""
    if stem.whole_options and (stem.topic is not None or stem.form == "statement"):
        assert verdict is not None
        # A leading pronoun stands for the topic, whatever the checker makes of "it" alone.
        replaced = pronoun_statement(text, stem.topic_text) if stem.topic_text else None
        if replaced is not None:
            return (replaced,), "pronoun"
        if verdict.reading.subject is not None or verdict.error or stem.topic_text is None:
            return (text,), "as-is"  # a statement of its own
        if stem.form != "statement":
            return (text,), "as-is"
        # "Requires GPUs": the option starts with its predicate; the topic is its subject.
        return (text, prefix_statement(text, stem.topic_text)), "prefix"
    if stem.form == FRAME:
        if stem.frame is None:
            return (), "none"
        replaced = pronoun_statement(text, stem.topic_text) if stem.topic_text else None
        if replaced is not None:
            # "What makes AlexNet significant?" + "It won ImageNet": a statement about the
            # topic, not a phrase for the frame.
            return (replaced,), "pronoun"
        filled = stem.frame.fill(text)
        if stem.frame.clause_too and _inner(text) != _inner(filled):
            return (filled, text), "frame"
        return (filled,), "frame"
    return tuple(template_statements(stem.templates, text)), stem.form


def _option_result(
    option: Option,
    plan: tuple[tuple[str, ...], str],
    checked: dict[str, Verdict],
    stem: StemReading,
) -> OptionResult:
    """The option's verdict: the one its statements give; when they give different verdicts
    (a predicate-first option read as written and about the topic) the decided one, and
    unknown when two decided ones disagree."""
    statements, how = plan
    if not statements:
        return _undecided(option, how, "the stem gives no place for the option")
    verdicts = [checked[s] for s in statements]
    decided = [v for v in verdicts if v.verdict != UNKNOWN]
    if how == "prefix":
        # The topic put in front counts only when it became one end of the claim; else the
        # option did not start with its predicate, and it stands as written.
        ends = (verdicts[1].reading.subject, verdicts[1].reading.object)
        if stem.topic not in ends:
            decided = [v for v in decided if v is not verdicts[1]]
    relations = stem.frame.relations if stem.frame is not None else stem.relations
    if how == "pronoun" and stem.form == FRAME:
        # "What makes the Transformer unique?" + "It relies on attention alone": a statement
        # about the topic, not a phrase set into the frame, so the frame's relation is not
        # what it says; it answers by being true (and about the topic, rule 6).
        relations = None
    if relations is not None:
        # A verdict through another relation does not answer the question: "Saddle point is
        # a local minimum" decided by a claim that losses have both is no definition.
        phrase = stem.frame.phrase if stem.frame is not None else None
        off = [
            v for v in decided if _answering_relation(v) not in relations and not _says(v, phrase)
        ]
        decided = [v for v in decided if v not in off]
        if off and not decided:
            relation = _answering_relation(off[0])
            return replace(
                _undecided(
                    option,
                    how,
                    f'the graph decides "{off[0].text}" through {relation}, '
                    "which does not answer this question",
                ),
                statement=off[0].text,
                tried=statements,
            )
    if len({v.verdict for v in decided}) > 1:
        return replace(
            _undecided(option, how, "its statements get different verdicts"),
            statement=statements[0],
            tried=statements,
        )
    best = decided[0] if decided else verdicts[0]
    if how in ("prefix", "frame") and best.text == option.text:
        how = "as-is"
    return _from_verdict(option, best, how, best.text, statements)


def _says(verdict: Verdict, phrase: str | None) -> bool:
    """Whether the claim behind a verdict says, in one of its own texts, the stem's
    relation phrase: then the checker matched the statement, the stem's words included,
    with what the claim says ("The chain rule is fundamental to backpropagation"), and the
    verdict answers the question whatever relation the curator filed the claim under."""
    claim = verdict.claim
    if phrase is None or claim is None:
        return False
    said = re.compile(r"\b" + re.escape(phrase) + r"\b")
    return any(said.search(text.lower()) for text in (claim.label, *claim.paraphrases))


def _answering_relation(verdict: Verdict) -> str:
    """The local name of the relation a verdict speaks through: its claim's, or isA for a
    verdict from the taxonomy alone (no claim: "CNN is a convolutional neural network")."""
    if verdict.claim is None:
        return "isA"
    return local_name(verdict.claim.relation or "")


def _undecided(option: Option, how: str, why: str) -> OptionResult:
    return OptionResult(
        option.letter, option.text, None, how, UNKNOWN, (), f"Undecided: {why}.", tried=()
    )


def _from_verdict(
    option: Option | None,
    verdict: Verdict,
    how: str,
    statement: str | None = None,
    tried: tuple[str, ...] = (),
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
        tried=tried or (verdict.text,),
        partly=verdict.decision.partial if verdict.decision is not None else None,
    )


def _about_focus(kb: KnowledgeBase, concepts: set[str], topic: str) -> bool:
    """Whether a statement's concepts include a concept of the question, a kind of it, or
    what it is a kind of."""
    ancestors = kb.ancestors
    return any(
        c == topic or topic in ancestors.get(c, {}) or c in ancestors.get(topic, {})
        for c in concepts
    )


# -- choosing ----------------------------------------------------------------------------


def _multichoice(
    kb: KnowledgeBase,
    q: Question,
    stem: StemReading,
    plans: dict[tuple[int, str], tuple[tuple[str, ...], str]],
    second: dict[str, Verdict],
) -> QuestionResult:
    options: list[OptionResult | None] = []
    for option in q.options:
        plan = plans.get((id(q), option.letter))
        # "All/None of the above" are decided once the others are known.
        options.append(None if plan is None else _option_result(option, plan, second, stem))
    not_true = stem.asks_for == ASKS_NOT_TRUE
    wants = FALSE if not_true else TRUE
    against = TRUE if not_true else FALSE
    plain = [o for o in options if o is not None]
    off_focus = _off_focus(kb, stem, plain, second, wants)
    answers = [o for o in plain if o.verdict == wants and o.letter not in off_focus]
    if not answers and not_true:
        # A partly true option is a weaker "not true": it counts when nothing is false.
        answers = [o for o in plain if o.verdict == PARTLY_TRUE]
    filled = [
        o if o is not None else _above_result(opt, plain, wants, against)
        for o, opt in zip(options, q.options, strict=True)
    ]
    above = [o for o in filled if o.how == "above" and o.verdict == wants]
    qualifying = [o.letter for o in above[:1]] or [o.letter for o in answers]
    wanted = wanted_answers(q)
    candidates = tuple(o.letter for o in filled if o.letter in qualifying)
    # Proven not to be the answer: the opposite verdict, with a path.
    ruled_out = [o for o in filled if o.verdict == against and o.justification]
    how_chosen = "refuted" if not_true else "entailed"
    if wanted is None:
        # Select all that apply: every entailed option, once every other one is ruled out.
        open_ = [o.letter for o in filled if o.letter not in candidates and o not in ruled_out]
        if candidates and not open_:
            outcome, choice = CHOSEN, candidates
            note = f"{', '.join(candidates)} {how_chosen}; every other option ruled out"
        else:
            outcome, choice = UNDECIDED, None
            note = _why_undecided(filled, candidates, wanted, wants, off_focus)
    elif candidates and len(candidates) == wanted and (rivals := _in_part(filled, wants)):
        # Another option is confirmed in part: what it adds may make it the better answer
        # ("to reduce model complexity" against "to prevent overfitting by dropping units").
        outcome, choice = UNDECIDED, None
        note = (
            f"{', '.join(candidates)} {how_chosen}, but the graph confirms "
            f"{', '.join(rivals)} in part"
        )
    elif candidates and len(candidates) == wanted:
        outcome, choice = CHOSEN, candidates
        note = _why_chosen(filled, candidates, how_chosen)
    elif len(candidates) > wanted:
        outcome, choice = AMBIGUOUS, None
        note = f"{len(candidates)} options qualify ({', '.join(candidates)}); {wanted} wanted"
    else:
        rest = [o for o in filled if o not in ruled_out]
        lone = len(rest) == 1 and rest[0].letter not in off_focus
        if not candidates and wanted == 1 and lone and len(filled) > 1:
            # Elimination: every other option is proven not to be the answer.
            outcome, choice = CHOSEN, (rest[0].letter,)
            candidates = choice
            note = f"{rest[0].letter} by elimination: every other option is proven wrong"
        else:
            outcome, choice = UNDECIDED, None
            note = _why_undecided(filled, candidates, wanted, wants, off_focus)
    return _finish(q, stem, outcome, choice, candidates, note, filled, wants, against)


def _in_part(options: list[OptionResult], wants: str) -> list[str]:
    """The options left unknown whose statement the graph decides, in the part it reads,
    the way the question wants."""
    return [o.letter or "" for o in options if o.verdict == UNKNOWN and o.partly == wants]


def _off_focus(
    kb: KnowledgeBase,
    stem: StemReading,
    options: list[OptionResult],
    checked: dict[str, Verdict],
    wants: str,
) -> set[str]:
    """Options of a why/how question, or of a stem with no place for them, that would
    answer it but whose statement speaks about none of the stem's concepts: true as they
    may be, they do not answer it; so too a frame's option decided as a clause of its own.
    (A statement question's options are whole statements the stem already restricts to
    its topic; the other forms set the focus into the statement itself.)"""
    if stem.topic is None or stem.form == "statement":
        return set()
    off = set()
    for option in options:
        if not stem.whole_options and option.how != "as-is":
            continue  # the frame put the stem's focus into the statement
        verdict = checked.get(option.statement or "")
        if verdict is None or verdict.verdict != wants:
            continue
        concepts = {*verdict.reading.concepts, verdict.reading.subject, verdict.reading.object}
        concepts |= {e.subject for e in verdict.justification[:2]}
        if not any(_about_focus(kb, concepts - {None}, c) for c in stem.concepts):
            off.add(option.letter or "")
    return off


def _why_chosen(options: list[OptionResult], candidates: tuple[str, ...], how: str) -> str:
    chosen = [o for o in options if o.letter in candidates]
    if len(chosen) == 1 and chosen[0].how == "above":
        return f"{chosen[0].letter}: {chosen[0].explanation}"
    return "; ".join(f"{o.letter} {how}: {_first_sentence(o.explanation)}" for o in chosen)


def _above_result(
    option: Option, others: list[OptionResult], wants: str, against: str
) -> OptionResult:
    """Verdict of "All/None of the above" from the other options' verdicts; its path is
    theirs."""
    kind = stem_rules().above_kind(option.text)
    verdicts = [o.verdict for o in others]
    # "All": every other option qualifies. "None": every other option is the opposite.
    needed = wants if kind == "all" else against
    letters = ", ".join(o.letter or "" for o in others)
    if others and all(v == needed for v in verdicts):
        verdict = wants
        why = f"every other option ({letters}) is {needed.replace('_', ' ')}"
        path = tuple(e for o in others for e in o.justification)
    elif any(v not in (needed, UNKNOWN) for v in verdicts):
        verdict = against
        odd = [o for o in others if o.verdict not in (needed, UNKNOWN)]
        named = ", ".join(o.letter or "" for o in odd)
        why = f"option(s) {named} are not {needed.replace('_', ' ')}"
        path = tuple(e for o in odd for e in o.justification)
    else:
        verdict = UNKNOWN
        unknown = [o.letter or "" for o in others if o.verdict == UNKNOWN]
        why = f"option(s) {', '.join(unknown)} are unknown"
        path = ()
    return OptionResult(
        option.letter,
        option.text,
        None,
        "above",
        verdict,
        tuple(dict.fromkeys(path)),
        f"Decided from the other options: {why}.",
    )


def _why_undecided(
    options: list[OptionResult],
    candidates: tuple[str, ...],
    wanted: int | None,
    wants: str,
    off_focus: set[str],
) -> str:
    unknown = [o.letter or "" for o in options if o.verdict == UNKNOWN]
    if candidates:
        head = f"only {', '.join(candidates)} qualify; {wanted or 'all that apply'} wanted"
    else:
        head = f"no option is {wants.replace('_', ' ')}"
    parts = [head]
    if off_focus:
        parts.append(f"not about the question's topic: {', '.join(sorted(off_focus))}")
    if unknown:
        parts.append(f"unknown: {', '.join(unknown)}")
    return "; ".join(parts)


def _true_false(q: Question, verdict: Verdict) -> QuestionResult:
    statement = _from_verdict(None, verdict, "as-is")
    # A partly true statement is not true as written: the choice is False, but only a
    # plain verdict is proof enough to dispute a key.
    choice = {TRUE: True, FALSE: False, PARTLY_TRUE: False}.get(verdict.verdict)
    if choice is None:
        outcome, note = UNDECIDED, "the statement's verdict is unknown"
    else:
        outcome, note = CHOSEN, _first_sentence(verdict.explanation)
    stem = StemReading(ASKS_TRUE, None, None, form="truefalse")
    return _finish(q, stem, outcome, choice, (), note, [statement], TRUE, FALSE, true_false=True)


def _finish(
    q: Question,
    stem: StemReading,
    outcome: str,
    choice: bool | tuple[str, ...] | None,
    candidates: tuple[str, ...],
    note: str,
    options: list[OptionResult],
    wants: str,
    against: str,
    true_false: bool = False,
) -> QuestionResult:
    key = q.key
    keyed = set(key) if isinstance(key, tuple) else set()
    chosen = set(choice) if isinstance(choice, tuple) else set()
    proof = None
    if key is None or key == ():
        status = NO_KEY
    elif choice is not None and (choice == key if true_false else chosen == keyed):
        status = AGREES
    else:
        proof = _proof(options, keyed, chosen, key, wants, against, true_false)
        status = DISAGREES if proof else UNSURE
        if proof:
            note = proof
        elif choice is not None:
            note = f"{note}; no path refutes the key, so it stays unsure"
    marked = tuple(
        replace(
            o,
            qualifies=o.letter in candidates,
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
        None if true_false else stem.form,
        moodle_credit(q, choice),
    )


def _proof(
    options: list[OptionResult],
    keyed: set[str],
    chosen: set[str],
    key: bool | tuple[str, ...],
    wants: str,
    against: str,
    true_false: bool,
) -> str | None:
    """One line naming the path-backed verdict that shows the key wrong, or None."""
    if true_false:
        statement = options[0]
        if statement.verdict in (TRUE, FALSE) and statement.justification:
            return f"the statement is {statement.verdict}; the key says {key}"
        return None
    refuted = [o for o in options if o.letter in keyed and o.verdict == against and o.justification]
    if refuted:
        o = refuted[0]
        return f"key {o.letter} is refuted: {_first_sentence(o.explanation)}"
    # An option the key left out proves it wrong only when the keyed options are decided
    # too: the graph not knowing the key is no proof against it.
    if any(o.verdict == UNKNOWN for o in options if o.letter in keyed):
        return None
    proven = [
        o for o in options if o.letter in chosen - keyed and o.verdict == wants and o.justification
    ]
    if proven:
        o = proven[0]
        word = "entailed" if wants == TRUE else "refuted"
        return f"{o.letter} is {word} instead: {_first_sentence(o.explanation)}"
    return None


def moodle_credit(q: Question, choice: bool | tuple[str, ...] | None) -> float | None:
    """The share of the marks the choice earns, as Moodle grades it: the chosen options'
    weights added up (at least 0, at most 1); without weights, all or nothing."""
    if choice is None or q.key is None or q.key == ():
        return None
    if isinstance(choice, bool):
        return 1.0 if choice == q.key else 0.0
    weights = {o.letter: o.weight for o in q.options}
    if any(weights[letter] is not None for letter in weights):
        total = sum((weights[letter] or 0.0) for letter in choice)
        return round(min(1.0, max(0.0, total)), 4)
    return 1.0 if set(choice) == set(q.key) else 0.0


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


def _third_person(phrase: str | None, irregular: dict[str, str]) -> str | None:
    """A bare verb phrase with its verb in the third person singular: "reduce overfitting"
    -> "reduces overfitting", "apply X" -> "applies X"; None for None."""
    if not phrase:
        return None
    verb, _, rest = phrase.partition(" ")
    if rest and stem_rules().adverb.match(verb.lower()):
        # "randomly disable neurons": the verb is the word after the adverb.
        return f"{verb} {_third_person(rest, irregular)}"
    lower = verb.lower()
    if lower in irregular.values() or (lower.endswith("s") and not lower.endswith("ss")):
        pass  # already agrees: "is", "can", "reduces"
    elif lower in irregular:
        verb = irregular[lower]
    elif lower.endswith(("s", "sh", "ch", "x", "z")):
        verb += "es"
    elif lower.endswith("y") and lower[-2:-1] not in "aeiou":
        verb = verb[:-1] + "ies"
    else:
        verb += "s"
    return f"{verb} {rest}".strip()


# Acronyms read with a vowel sound take "an": "an LSTM", "an RNN", "an MLP".
_VOWEL_SOUND_LETTERS = "AEFHILMNORSX"


def _with_article(noun: str) -> str:
    """A noun phrase with its indefinite article: "optimizer" -> "an optimizer", "LSTM
    cell" -> "an LSTM cell", "regularization technique" -> "a regularization technique"."""
    first = noun.split(maxsplit=1)[0] if noun else ""
    if first.isupper() and len(first) > 1:
        vowel = first[0] in _VOWEL_SOUND_LETTERS
    else:
        vowel = first[:1].lower() in "aeiou"
    return f"{'an' if vowel else 'a'} {noun}"


def _plural(noun: str) -> bool:
    """Whether a noun phrase reads as plural: its last word ends in a plural -s ("GPUs",
    "residual connections"; not "loss", "Adam", "batch normalization")."""
    words = noun.strip().rstrip(".;").split()
    last = words[-1] if words else ""
    if last.endswith("s") and last[:-1].isupper():
        return True  # "GPUs", "CNNs"
    return last.endswith("s") and not last.lower().endswith(("ss", "us", "is"))


def _first_sentence(text: str) -> str:
    """The first sentence of an explanation, for a one-line reason."""
    head = text.split(". ", 1)[0].rstrip(".")
    return head if len(head) <= 200 else head[:197] + "..."
