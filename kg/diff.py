"""What a change to the graph does: claims and concepts added, removed and changed, and the
checker's verdicts that change on a set of labelled statements.

A side of the comparison is `bundled` (the shipped data), a Turtle file, a directory (its
`*.ttl`), a git revision (`REV` means `REV:kg/data`, or `REV:PATH`), a SPARQL endpoint URL,
or several of these joined by `+` (`bundled+mine.ttl`). The ontology is always added.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import UsageError

CheckTexts = Callable[[Sequence[Path], list[str]], list[tuple[str, str]]]

CLAIM_FIELDS = (
    "status",
    "labels",
    "paraphrases",
    "sources",
    "modality",
    "subject",
    "relation",
    "object",
    "corrected_by",
    "condition",
)
CONCEPT_FIELDS = ("label", "labels", "broader")
FIXED, BROKEN, CHANGED = "fixed", "broken", "changed"


@dataclass(frozen=True)
class Side:
    spec: str  # as the user wrote it
    files: tuple[Path, ...]  # () is the bundled graph


@dataclass
class Changed:
    id: str
    label: str
    changes: dict[str, dict[str, object]]  # field -> {"old": ..., "new": ...}


@dataclass
class Section:
    added: list[dict[str, str]] = field(default_factory=list)  # {"id", "label"}
    removed: list[dict[str, str]] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)


@dataclass
class VerdictChange:
    set: str
    text: str
    expected: str | None
    old: str
    new: str
    effect: str  # fixed (now matches its label), broken (no longer does), changed


@dataclass
class GraphDiff:
    old: str
    new: str
    claims: Section
    concepts: Section
    statements: int  # how many statements were checked on both sides
    sets: list[str]
    verdicts: list[VerdictChange]

    @property
    def broken(self) -> list[VerdictChange]:
        return [v for v in self.verdicts if v.effect == BROKEN]

    def as_dict(self) -> dict:
        data = asdict(self)
        data["verdict_summary"] = {
            effect: sum(v.effect == effect for v in self.verdicts)
            for effect in (FIXED, BROKEN, CHANGED)
        }
        return data


# --- the two sides ------------------------------------------------------------------------


def resolve_side(spec: str, scratch: Path) -> Side:
    """The graph files `spec` names (see the module doc); git revisions are written out
    under `scratch`."""
    from kg.store import bundled_data_files

    files: list[Path] = []
    parts = [spec] if Path(spec).exists() else spec.split("+")
    for part in parts:
        if part == "bundled":
            files += bundled_data_files()
        elif re.match(r"^https?://", part):
            from kg.remote import snapshot

            files.append(snapshot(part))
        elif Path(part).is_dir():
            found = sorted(Path(part).glob("*.ttl"))
            if not found:
                raise UsageError(f"{part}: a directory with no *.ttl file")
            files += found
        elif Path(part).is_file():
            files.append(Path(part))
        else:
            files += _git_files(part, scratch)
    if spec == "bundled":
        return Side(spec, ())
    return Side(spec, tuple(files))


def _git_files(spec: str, scratch: Path) -> list[Path]:
    """The *.ttl files of `REV:PATH` (PATH default kg/data), copied out of git."""
    revision, _, path = spec.partition(":")
    path = path or "kg/data"
    if not revision or revision.startswith("-"):
        raise UsageError(f"{spec!r}: no such file, directory, git revision or URL")
    if _git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        raise UsageError(f"{spec!r}: no such file, directory, git revision or URL")
    listing = _git("ls-tree", "-r", "--name-only", revision, "--", path) or b""
    names = [n for n in listing.decode().splitlines() if n.endswith((".ttl", ".nt"))]
    if not names:
        raise UsageError(f"{spec!r}: no Turtle file at {path} in git revision {revision}")
    folder = scratch / re.sub(r"[^A-Za-z0-9._-]", "_", spec)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in names:
        target = folder / Path(name).name
        target.write_bytes(_git("show", f"{revision}:{name}") or b"")
        files.append(target)
    return files


def _git(*args: str) -> bytes | None:
    """git's output in the current directory, None when it fails (or there is no git)."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# --- what changed in the graph ------------------------------------------------------------


def _claim_fields(claim) -> dict[str, object]:
    """The compared fields of a claim; all its rdfs:labels, since the compiled claim's
    `label` is one of them, and which one may depend on the order the triples were read in."""
    values = {name: getattr(claim, name) for name in CLAIM_FIELDS if name != "labels"}
    values["labels"] = list(claim.labels) or [claim.label]
    for name in ("paraphrases", "sources", "corrected_by"):
        values[name] = sorted(values[name])
    return values


def _concept_fields(concept) -> dict[str, object]:
    return {
        "label": concept.label,
        "labels": sorted(concept.labels),
        "broader": sorted(concept.broader),
    }


def compare(
    old: dict,
    new: dict,
    fields: Callable[[object], dict[str, object]],
) -> Section:
    """Added, removed and changed entries of two {iri: value} maps, in IRI order; `fields`
    gives what is compared."""
    section = Section()
    for iri in sorted(new.keys() - old.keys()):
        section.added.append({"id": iri, "label": new[iri].label})
    for iri in sorted(old.keys() - new.keys()):
        section.removed.append({"id": iri, "label": old[iri].label})
    for iri in sorted(old.keys() & new.keys()):
        before, after = fields(old[iri]), fields(new[iri])
        changes = {
            name: {"old": before[name], "new": after[name]}
            for name in before
            if before[name] != after[name]
        }
        if changes:
            section.changed.append(Changed(iri, new[iri].label, changes))
    return section


# --- what changed in the verdicts ---------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    set: str
    text: str
    expected: str | None


def default_statement_sets(root: Path | None = None) -> list[Path]:
    """The labelled sets at the top level of tests/fixtures (not its subfolders): of the
    current directory's checkout, else of the checkout dlcheck runs from, else none."""
    candidates = [root] if root else [Path("tests/fixtures"), _checkout() / "tests" / "fixtures"]
    for folder in candidates:
        if folder.is_dir():
            return sorted(folder.glob("*.tsv"))
    return []


def _checkout() -> Path:
    return Path(__file__).resolve().parents[1]


def read_statements(paths: Sequence[Path]) -> list[Statement]:
    """Statements of TSV files with a `text` column (and `expected`, the label), or of plain
    text files with one statement per line."""
    statements = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the statements ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path}: the statements are not UTF-8 text") from None
        lines = text.splitlines()
        if lines and "text" in lines[0].split("\t"):
            for row in csv.DictReader(lines, delimiter="\t"):
                if (row.get("text") or "").strip():
                    expected = (row.get("expected") or "").strip() or None
                    statements.append(Statement(path.name, row["text"].strip(), expected))
        else:
            statements += [Statement(path.name, t.strip(), None) for t in lines if t.strip()]
    return statements


def _effect(expected: str | None, old: str, new: str) -> str:
    if expected is not None and old == expected:
        return BROKEN
    if expected is not None and new == expected:
        return FIXED
    return CHANGED


# --- the whole comparison -----------------------------------------------------------------


def diff_graphs(
    old: Side,
    new: Side,
    statement_files: Sequence[Path],
    check: CheckTexts,
) -> GraphDiff:
    """Compare two graphs, and the checker's verdicts over them on the statements."""
    from kg.cache import load_knowledge

    old_kb = load_knowledge(list(old.files) or None)
    new_kb = load_knowledge(list(new.files) or None)
    claims = compare(old_kb.claims, new_kb.claims, _claim_fields)
    concepts = compare(old_kb.concepts, new_kb.concepts, _concept_fields)
    statements = read_statements(statement_files)
    changes: list[VerdictChange] = []
    if statements:
        texts = [s.text for s in statements]
        before = check(old.files, texts)
        after = check(new.files, texts)
        for statement, (was, _), (now, _) in zip(statements, before, after, strict=True):
            if was != now:
                effect = _effect(statement.expected, was, now)
                changes.append(
                    VerdictChange(
                        statement.set, statement.text, statement.expected, was, now, effect
                    )
                )
    order = {BROKEN: 0, FIXED: 1, CHANGED: 2}
    changes.sort(key=lambda c: (order[c.effect], c.set, c.text))
    return GraphDiff(
        old.spec,
        new.spec,
        claims,
        concepts,
        len(statements),
        sorted({s.set for s in statements}),
        changes,
    )


# --- output -------------------------------------------------------------------------------


def _short(value: object) -> str:
    from kg.sheet import curie

    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if value is None:
        return "-"
    text = str(value)
    return curie(text) if text.startswith("http") else text


def format_diff(result: GraphDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.as_dict(), indent=1, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(result)
    return _text(result)


def _text(result: GraphDiff) -> str:
    lines = [f"graph diff {result.old} -> {result.new}"]
    for name, section in (("claims", result.claims), ("concepts", result.concepts)):
        counts = f"{len(section.added)} added, {len(section.removed)} removed, "
        lines.append(f"{name}: {counts}{len(section.changed)} changed")
        lines += [f"  + {_short(e['id'])}  {e['label']}" for e in section.added]
        lines += [f"  - {_short(e['id'])}  {e['label']}" for e in section.removed]
        for entry in section.changed:
            lines.append(f"  ~ {_short(entry.id)}  {entry.label}")
            for what, values in entry.changes.items():
                old, new = _short(values["old"]), _short(values["new"])
                lines.append(f"      {what}: {old} -> {new}")
    lines.append(_verdict_headline(result))
    for change in result.verdicts:
        label = f" (label {change.expected})" if change.expected else ""
        lines.append(
            f"  {change.effect:<7} [{change.set}] {change.text!r}: {change.old} -> "
            f"{change.new}{label}"
        )
    return "\n".join(lines) + "\n"


def _verdict_headline(result: GraphDiff) -> str:
    if not result.statements:
        return "verdicts: no statements to check (give --statements FILE)"
    summary = result.as_dict()["verdict_summary"]
    return (
        f"verdicts: {len(result.verdicts)} of {result.statements} statements changed "
        f"({summary[FIXED]} fixed, {summary[BROKEN]} broken, {summary[CHANGED]} other) "
        f"on {', '.join(result.sets)}"
    )


def _markdown(result: GraphDiff) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = [f"### Graph diff: `{result.old}` → `{result.new}`", ""]
    for name, section in (("Claims", result.claims), ("Concepts", result.concepts)):
        out.append(
            f"**{name}**: {len(section.added)} added, {len(section.removed)} removed, "
            f"{len(section.changed)} changed"
        )
        rows = [("added", e["id"], e["label"], "") for e in section.added]
        rows += [("removed", e["id"], e["label"], "") for e in section.removed]
        for entry in section.changed:
            what = "; ".join(
                f"{k}: {_short(v['old'])} → {_short(v['new'])}" for k, v in entry.changes.items()
            )
            rows.append(("changed", entry.id, entry.label, what))
        if rows:
            out += ["", "| | id | label | what |", "|---|---|---|---|"]
            out += [
                f"| {kind} | `{_short(iri)}` | {cell(label)} | {cell(what)} |"
                for kind, iri, label, what in rows
            ]
        out.append("")
    out.append(f"**Verdicts**: {_verdict_headline(result).removeprefix('verdicts: ')}")
    if result.verdicts:
        out += ["", "| effect | set | statement | label | old | new |", "|---|---|---|---|---|---|"]
        out += [
            f"| {c.effect} | {c.set} | {cell(c.text)} | {c.expected or ''} | {c.old} | {c.new} |"
            for c in result.verdicts
        ]
    return "\n".join(out) + "\n"
