"""`dlcheck lint`: curation problems SHACL cannot express, each a finding with a level and code.

SHACL checks one node against its shape. These checks compare nodes with each other (labels
the matcher would confuse, near-duplicate claims) or follow paths (a claim that reaches no
evidence, a source nobody cites), which shapes cannot say.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ontology.names import short

ERROR, WARNING, INFO = "error", "warning", "info"
_LEVEL_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SIMILAR = 0.9  # difflib ratio above which two claim labels count as the same sentence
CHANGED_WORDS = 3  # words two similar labels may each have that the other lacks (_similar_labels)

# Edges a justification follows from a claim: to its sources, to its evidence claims, and
# from a source section to its publication.
_JUSTIFYING = (
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "https://w3id.org/dlcheck/ontology#correctedBy",
    "https://w3id.org/dlcheck/ontology#refutedBy",
    "https://w3id.org/dlcheck/ontology#supportedBy",
    "http://purl.org/dc/terms/isPartOf",
)


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR | WARNING | INFO
    code: str  # stable, for tools: duplicate-label, unsupported-claim, ...
    subject: str  # the IRI the finding is about
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def lint_graph(graph) -> list[Finding]:
    """Every finding for `graph`, errors first, then by code and subject."""
    facts = _Facts(graph)
    findings = [
        *_shared_labels(facts),
        *_false_corrections(facts),
        *_unsupported_claims(facts),
        *_uncited_sources(facts),
        *_duplicate_sections(facts),
        *_duplicate_publications(facts),
        *_near_duplicates(facts),
        *_unmentioned_concepts(facts),
    ]
    return sorted(findings, key=lambda f: (_LEVEL_ORDER[f.level], f.code, f.subject, f.message))


def cached_lint(paths: Sequence[Path] | None = None) -> list[Finding]:
    """`lint_graph` of the graph in `paths` (default: the bundled graph) read from its store,
    the findings kept in the cache per content: at 100 times the bundled graph a lint takes
    minutes, and the same files always give the same findings. The key costs a `stat` per
    file (kg.cache.file_digests)."""
    import pyoxigraph

    from kg.cache import cached, files_key
    from kg.persistent import store_files, store_graph

    key = files_key(
        store_files(paths),
        "kg.lint",
        "kg.persistent",
        "kg.store",
        "ontology.names",
        extra=pyoxigraph.__version__,
    )
    return list(cached("lint", key, lambda: tuple(lint_graph(store_graph(paths))), tuple))


def format_findings(findings: list[Finding], fmt: str) -> str:
    """text: one line per finding and a count; json: a list of {level, code, subject, message}."""
    if fmt == "json":
        return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1) + "\n"
    if not findings:
        return "No findings.\n"
    lines = [f"{f.level:<8} {f.code:<20} {short(f.subject)}: {f.message}" for f in findings]
    counts = {level: sum(f.level == level for f in findings) for level in _LEVEL_ORDER}
    lines.append(f"{counts[ERROR]} error(s), {counts[WARNING]} warning(s), {counts[INFO]} info(s)")
    return "\n".join(lines) + "\n"


class _Facts:
    """What the checks read from the graph, gathered once.

    Property values are read a predicate at a time, in one pass over its triples: asking
    node by node costs a call into the store per node, which on the on-disk store
    (kg/persistent.py) is most of a lint at scale.
    """

    def __init__(self, graph):
        from rdflib import URIRef
        from rdflib.namespace import RDF, RDFS

        from ontology import DLC

        self.graph = graph
        self.dlc = DLC

        def instances(root) -> set:
            classes = set(graph.transitive_subjects(RDFS.subClassOf, root))
            return {
                node
                for cls in classes
                for node in graph.subjects(RDF.type, cls)
                if isinstance(node, URIRef)
            }

        # The same notion of "concept" as kg/compile.py: instances of dlc:Concept's subclasses.
        self.concepts = instances(DLC.Concept)
        self.sources = instances(DLC.Source)
        self.claims = {c for c in graph.subjects(RDF.type, DLC.Claim) if isinstance(c, URIRef)}
        self._tables: dict = {}

    def objects(self, node, predicate) -> list:
        """The objects of `node`'s `predicate` triples."""
        if predicate not in self._tables:
            table: dict = {}
            for subject, value in self.graph.subject_objects(predicate):
                table.setdefault(subject, []).append(value)
            self._tables[predicate] = table
        return self._tables[predicate].get(node, [])

    def everything(self, predicate) -> Iterator:
        """The objects of every `predicate` triple, read once as `objects` reads them."""
        self.objects(None, predicate)
        return itertools.chain.from_iterable(self._tables[predicate].values())

    def value(self, node, predicate):
        """One object of `node`'s `predicate`, or None (as rdflib's Graph.value)."""
        found = self.objects(node, predicate)
        return found[0] if found else None

    def label(self, node) -> str:
        from rdflib.namespace import RDFS, SKOS

        value = self.value(node, SKOS.prefLabel) or self.value(node, RDFS.label)
        return str(value) if value is not None else short(str(node))

    def status(self, claim) -> str | None:
        value = self.value(claim, self.dlc.truthStatus)
        return str(value).rsplit("#", 1)[-1] if value is not None else None


def _shared_labels(facts: _Facts) -> Iterator[Finding]:
    """error: two concepts share a label or synonym (case-insensitive): the matcher cannot
    tell which one a statement means."""
    from rdflib.namespace import SKOS

    owners: dict[str, set] = {}
    for concept in facts.concepts:
        for predicate in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in facts.objects(concept, predicate):
                key = " ".join(str(label).split()).casefold()
                if key:
                    owners.setdefault(key, set()).add(concept)
    shared: dict[tuple, list[str]] = {}  # one finding per pair of concepts, all labels in it
    for label, concepts in sorted(owners.items()):
        for pair in itertools.combinations(sorted(concepts, key=str), 2):
            shared.setdefault(pair, []).append(label)
    for (first, second), labels in sorted(shared.items(), key=lambda kv: str(kv[0])):
        quoted = ", ".join(f'"{label}"' for label in labels)
        yield Finding(
            ERROR,
            "duplicate-label",
            str(first),
            f"shares {quoted} with {short(str(second))}: the matcher cannot tell them apart",
        )


def _false_corrections(facts: _Facts) -> Iterator[Finding]:
    """error: a false claim whose correction is false as well corrects nothing."""
    for claim in sorted(facts.claims, key=str):
        if facts.status(claim) != "StatusFalse":
            continue
        for correction in sorted(facts.objects(claim, facts.dlc.correctedBy), key=str):
            if facts.status(correction) == "StatusFalse":
                yield Finding(
                    ERROR,
                    "false-correction",
                    str(claim),
                    f"a false claim corrected by {short(str(correction))}, which is false too",
                )


def _unsupported_claims(facts: _Facts) -> Iterator[Finding]:
    """warning: following sources and evidence from the claim reaches no source and no other
    claim, so a verdict on it could cite nothing."""
    from rdflib import URIRef

    steps = [URIRef(p) for p in _JUSTIFYING]
    for claim in sorted(facts.claims, key=str):
        seen, frontier, grounded = {claim}, [claim], False
        while frontier and not grounded:
            node = frontier.pop()
            for predicate in steps:
                for target in facts.objects(node, predicate):
                    if target in facts.sources or (target in facts.claims and target != claim):
                        grounded = True
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
        if not grounded:
            yield Finding(
                WARNING,
                "unsupported-claim",
                str(claim),
                "its justification reaches no evidence claim and no source "
                "(add prov:wasDerivedFrom a declared source, or evidence)",
            )


def _uncited_sources(facts: _Facts) -> Iterator[Finding]:
    """warning: a source nothing cites, directly or through one of its sections.

    A concept's source counts as cited: verdicts show it on the taxonomy steps of their
    justification (kg/compile.py), so it is not dead weight.
    """
    from rdflib.namespace import DCTERMS, PROV

    cited = set()
    for node in facts.claims | facts.concepts:
        for source in facts.objects(node, PROV.wasDerivedFrom):
            parts = [source]  # the source and what it is part of, transitively
            while parts:
                part = parts.pop()
                if part not in cited:
                    cited.add(part)
                    parts.extend(facts.objects(part, DCTERMS.isPartOf))
    for source in sorted(facts.sources - cited, key=str):
        yield Finding(
            WARNING,
            "uncited-source",
            str(source),
            f'no claim or concept cites "{facts.label(source)}"',
        )


# The number a section's dlc:section starts with ("9.2 Converting Raw Text...",
# "Section 5.2 Capacity..."): what a book's readers cite it by. Ranges ("Sections 2-4") and
# names without a leading number ("Myth 1", "Lecture 6.5") carry none.
_SECTION_NUMBER = re.compile(
    r"^(?:(?:section|chapter|§)\s*)?(\d+(?:\.\d+)*)(?![\d.]*\d|\s*[-–])", re.IGNORECASE
)


def _section_number(section: str) -> str | None:
    found = _SECTION_NUMBER.match(section.strip())
    return found.group(1) if found else None


def _duplicate_sections(facts: _Facts) -> Iterator[Finding]:
    """error: two source sections of one publication with the same section number. A
    verdict cites one of them, a query counting what a section supports finds half, and a
    curator adding a claim picks either: one section, one node."""
    from rdflib.namespace import DCTERMS

    numbered: dict[tuple, list] = {}
    for node in facts.sources:
        section = facts.value(node, facts.dlc.section)
        number = _section_number(str(section)) if section is not None else None
        if number is None:
            continue
        for publication in facts.objects(node, DCTERMS.isPartOf):
            numbered.setdefault((str(publication), number), []).append(node)
    for (publication, number), nodes in sorted(numbered.items()):
        first, *others = sorted(nodes, key=str)
        for other in others:
            yield Finding(
                ERROR,
                "duplicate-section",
                str(other),
                f"is section {number} of {short(publication)}, as {short(str(first))} is: "
                "merge them into one node and cite it",
            )


def _duplicate_publications(facts: _Facts) -> Iterator[Finding]:
    """error: two publications with the same title (case and spacing aside): their sections
    then escape duplicate-section, and a source's claims are split between two nodes."""
    from rdflib.namespace import DCTERMS

    titled: dict[str, list] = {}
    for node in facts.sources:
        title = facts.value(node, DCTERMS.title)
        if title is not None and (key := " ".join(str(title).split()).casefold()):
            titled.setdefault(key, []).append(node)
    for nodes in titled.values():
        first, *others = sorted(nodes, key=str)
        for other in others:
            yield Finding(
                ERROR,
                "duplicate-publication",
                str(other),
                f'has the title of {short(str(first))}, "{facts.value(first, DCTERMS.title)}": '
                "merge them into one node, and their sections",
            )


def _near_duplicates(facts: _Facts) -> Iterator[Finding]:
    """warning: two claims with the same subject, relation and object, or nearly the same
    label (difflib ratio above SIMILAR): one of them is probably redundant."""
    from rdflib.namespace import RDFS

    dlc = facts.dlc
    claims = sorted(facts.claims, key=str)
    by_triple: dict[tuple, list] = {}
    for claim in claims:
        key = tuple(facts.value(claim, p) for p in (dlc.subject, dlc.relation, dlc.object))
        if None not in key:
            by_triple.setdefault(key, []).append(claim)
    paired = set()
    for (subject, relation, obj), group in sorted(by_triple.items(), key=lambda kv: str(kv[1])):
        for first, second in itertools.combinations(group, 2):
            paired.add((first, second))
            said = f"{short(str(subject))} {short(str(relation))} {short(str(obj))}"
            yield Finding(
                WARNING,
                "duplicate-claim",
                str(first),
                f"{short(str(second))} says the same ({said}){_modalities(facts, first, second)}",
            )
    labels = {claim: facts.value(claim, RDFS.label) for claim in claims}
    for first, second, ratio in _similar_labels(labels, paired):
        yield Finding(
            WARNING,
            "similar-claims",
            str(first),
            f"its label is {ratio:.0%} like that of {short(str(second))}: "
            f'"{labels[first]}" / "{labels[second]}"',
        )


def _similar_labels(labels: dict, skip: set) -> Iterator[tuple]:
    """Pairs of claims (in IRI order) whose labels (`labels`: claim -> label) have a difflib
    ratio above SIMILAR.

    Comparing every pair of close length grows with the square of the graph. Labels that
    similar differ by a few characters, which change a few words at most: this search
    assumes at most CHANGED_WORDS words of each label are not in the other (counted with
    repeats; the bundled graph's similar wordings of one fact differ by one or two, and the
    pairs it skips are claims and contraries that swap a worked-out number). Two such labels share
    all but CHANGED_WORDS of their words, and the k rarest words they share are among each
    label's CHANGED_WORDS + k rarest (prefix filtering, as in all-pairs similarity joins).
    So a label of CHANGED_WORDS + 3 words or more is filed in an index under each triple of
    its CHANGED_WORDS + 3 rarest words, and compared only with the labels filed under one
    of its triples; shorter labels are found through their rarest words one by one. Pairs
    that do not share all but CHANGED_WORDS words are skipped, and labels of CHANGED_WORDS
    words or fewer are compared with every label of close length. Then, as before: the
    length bound, the cheap upper bounds (real_quick_ratio, quick_ratio) and ratio itself.
    """
    labelled = sorted(
        (len(text), str(claim), claim, text)
        for claim, label in labels.items()
        if (text := _normalise(str(label or "")))
    )
    lengths = [length for length, *_ in labelled]
    words = [frozenset(_tokens(text)) for *_, text in labelled]
    sizes = [len(bag) for bag in words]
    frequency: dict[tuple[str, int], int] = {}
    for bag in words:
        for token in bag:
            frequency[token] = frequency.get(token, 0) + 1
    # Each word's rank, rarest first: ints sort and hash faster than the words themselves.
    rank = {token: n for n, token in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
    long_index: dict[tuple, list[int]] = {}  # long labels, by triples of rare words
    every_label: dict[int, list[int]] = {}  # every label, by its rare words one by one
    short_labels: dict[int, list[int]] = {}  # the shorter labels alone, the same way
    few_words: list[int] = []  # labels compared with every label of close length
    matcher = difflib.SequenceMatcher(autojunk=False)
    for j, (length_b, _, claim_b, text_b) in enumerate(labelled):
        # Only labels at least this long can reach the ratio (2a / (a + b) > SIMILAR).
        first = bisect.bisect_right(lengths, SIMILAR * length_b / (2 - SIMILAR) - 1e-9)
        rare = sorted(map(rank.__getitem__, words[j]))
        singles = rare[: CHANGED_WORDS + 1]
        triples = list(itertools.combinations(rare[: CHANGED_WORDS + 3], 3))
        size = sizes[j]
        if size <= CHANGED_WORDS:
            candidates = range(j - 1, first - 1, -1)
        else:
            found = set(few_words[bisect.bisect_left(few_words, first) :])
            if size >= CHANGED_WORDS + 3:  # shares three words with any similar long label
                lookups = [(long_index, triples), (short_labels, singles)]
            else:  # shares a word with any similar label
                lookups = [(every_label, singles)]
            for index, keys in lookups:
                for key in keys:
                    filed = index.get(key)
                    if filed:
                        found.update(filed[bisect.bisect_left(filed, first) :])
            candidates = sorted(found, reverse=True)
        compared = False  # the matcher reads this label only when a candidate gets that far
        for i in candidates:  # longest first: labels are sorted by length
            length_a = lengths[i]
            if 2 * length_a / (length_a + length_b) <= SIMILAR:
                break  # shorter labels only get further away
            if len(words[i] & words[j]) < max(sizes[i], size) - CHANGED_WORDS:
                continue
            _, _, claim_a, text_a = labelled[i]
            first_claim, second_claim = sorted((claim_a, claim_b), key=str)
            if (first_claim, second_claim) in skip:
                continue
            if not compared:
                matcher.set_seq2(text_b)
                compared = True
            matcher.set_seq1(text_a)
            if matcher.real_quick_ratio() <= SIMILAR or matcher.quick_ratio() <= SIMILAR:
                continue
            ratio = matcher.ratio()
            if ratio > SIMILAR:
                yield first_claim, second_claim, ratio
        if size <= CHANGED_WORDS:
            few_words.append(j)
            continue
        for key in singles:
            every_label.setdefault(key, []).append(j)
        if size >= CHANGED_WORDS + 3:
            for key in triples:
                long_index.setdefault(key, []).append(j)
        else:
            for key in singles:
                short_labels.setdefault(key, []).append(j)


def _tokens(text: str) -> list[tuple[str, int]]:
    """The label's words, the k-th repeat of a word numbered k, so that a bag becomes a set;
    a plural's "s" is dropped ("states" is "state"): labels that similar often differ by an
    inflection, and counted as changed words such pairs broke the search's assumption."""
    seen: dict[str, int] = {}
    tokens = []
    for word in re.findall(r"\w+", text):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        seen[word] = seen.get(word, 0) + 1
        tokens.append((word, seen[word]))
    return tokens


def _modalities(facts: _Facts, first, second) -> str:
    one, two = (facts.value(c, facts.dlc.modality) for c in (first, second))
    if one == two:
        return ""
    return f"; modalities {short(str(one))} and {short(str(two))}"


def _unmentioned_concepts(facts: _Facts) -> Iterator[Finding]:
    """info: a concept no claim has as its subject or object (docs/queries/unmentioned-concepts.rq
    asks the same); it may still serve the taxonomy."""
    # Whatever has a dlc:subject or dlc:object is a claim (their domain), typed or not. The
    # tables the near-duplicate check read already hold every such triple.
    mentioned = {o for p in (facts.dlc.subject, facts.dlc.object) for o in facts.everything(p)}
    for concept in sorted(facts.concepts - mentioned, key=str):
        yield Finding(
            INFO,
            "unmentioned-concept",
            str(concept),
            f'no claim is about "{facts.label(concept)}" (as subject or object)',
        )


def _normalise(label: str) -> str:
    return re.sub(r"[\s.!?]+$", "", " ".join(label.split()).casefold())
