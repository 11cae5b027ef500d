"""Value types shared by every question-bank parser: options, questions, banks and errors."""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import DlcheckError

#: Input formats understood by :func:`checker.exam.read_bank`.
FORMATS: tuple[str, ...] = ("gift", "aiken", "moodlexml", "csv", "json", "jsonl")

#: Question kinds the checker can decide.
DECIDABLE_KINDS: tuple[str, ...] = ("multichoice", "truefalse")

#: Question kinds that are parsed but handed back with ``skipped`` set.
SKIPPED_KINDS: tuple[str, ...] = (
    "numerical",
    "matching",
    "shortanswer",
    "essay",
    "description",
    "cloze",
    "other",
)


@dataclass(frozen=True)
class Option:
    """One answer choice of a multiple-choice question."""

    letter: str
    text: str
    correct: bool | None
    weight: float | None
    feedback: str | None


@dataclass(frozen=True)
class Question:
    """One question as written in a bank, with the key the file gives for it."""

    id: str
    kind: str
    stem: str
    options: tuple[Option, ...]
    key: bool | tuple[str, ...] | None
    line: int
    source: str
    category: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class BankError:
    """A problem with one question; the rest of the file was still read."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Bank:
    """Everything read from one question-bank file."""

    source: str
    format: str
    questions: tuple[Question, ...]
    errors: tuple[BankError, ...]


class ExamFormatError(DlcheckError):
    """The whole file cannot be read as a question bank (exit status 1; `dlcheck exam`
    reports it and goes on with the other files)."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        super().__init__(source, line, message)
        self.source = source
        self.line = line
        self.message = message

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.line}: {self.message}"
