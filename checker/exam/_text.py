"""Text clean-up helpers shared by the parsers: input checks, HTML reduction, whitespace."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from .model import Bank, ExamFormatError

_WS = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")

# Tags whose start or end separates words even when the markup has no space around them.
_BREAKING_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# Content of these is never shown to a reader, so it is not part of the question.
_HIDDEN_TAGS = frozenset(("script", "style", "head", "title"))


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")
        elif tag == "img":
            # Alt text is the only part of an image a text checker can use.
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Reduce an HTML fragment to collapsed plain text (tags dropped, entities decoded)."""
    if "<" not in markup and "&" not in markup:
        return collapse(markup)
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except (AssertionError, ValueError):
        # html.parser still asserts on some malformed markup (e.g. "<![foo[") in
        # older Pythons; a crude tag strip is better than losing the question.
        return collapse(html.unescape(_TAG.sub(" ", markup)))
    return collapse("".join(extractor.parts))


def prepare(text: str, source: str) -> str:
    """Check in-memory input and normalise BOM and line ends; raise for unusable text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise ExamFormatError(source, None, "binary data (NUL characters); expected a text file")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise ExamFormatError(source, line, "text is not valid Unicode (lone surrogate)") from None
    if not text.strip():
        raise ExamFormatError(source, None, "empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def guarded(fmt: str) -> Callable[[Callable[[str, str], Bank]], Callable[[str, str], Bank]]:
    """Make a parser keep its promise of raising nothing but ExamFormatError.

    Parsers are written to report every problem themselves; this net only turns a
    programming error into a readable failure instead of a traceback in the CLI.
    """

    def decorate(func: Callable[[str, str], Bank]) -> Callable[[str, str], Bank]:
        @functools.wraps(func)
        def wrapper(text: str, source: str = "<string>") -> Bank:
            try:
                return func(text, source)
            except ExamFormatError:
                raise
            except RecursionError:
                raise ExamFormatError(source, None, "input is nested too deeply") from None
            except MemoryError:
                raise ExamFormatError(source, None, "input is too large to parse") from None
            except Exception as exc:
                raise ExamFormatError(
                    source, None, f"internal {fmt} parser error ({type(exc).__name__}: {exc})"
                ) from exc

        return wrapper

    return decorate


def option_letter(index: int) -> str:
    """Letter for the 0-based option index: A..Z, then AA, AB, ... like spreadsheet columns."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


_SKIP_REASONS = {
    "numerical": "numerical questions are not supported",
    "matching": "matching questions are not supported",
    "shortanswer": "short-answer questions are not supported",
    "essay": "essay questions are not supported",
    "description": "descriptions carry no question to check",
    "cloze": "cloze (embedded answers) questions are not supported",
}


def skipped_for(kind: str) -> str | None:
    """None for a kind the checker decides, else why it cannot."""
    from .model import DECIDABLE_KINDS

    return None if kind in DECIDABLE_KINDS else skip_reason(kind)


def skip_reason(kind: str, type_name: str | None = None) -> str:
    """Why the checker cannot decide a question of this kind."""
    if kind in _SKIP_REASONS:
        return _SKIP_REASONS[kind]
    return f"question type {type_name or kind!r} is not supported"
