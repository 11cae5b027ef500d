"""The spaCy pipeline: blank English, the lookup lemmatizer, cue finder, mention matcher."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language

# Importing the modules registers their factories; the spacy_factories entry points in
# setup.cfg name the same functions for other people's pipelines.
from checker import cues, lemmatizer, mentions  # noqa: F401
from checker.opening import once_per_pipeline

MAX_CHARS = 10_000


def build_pipeline(
    graph_files: Sequence[Path] | None = None, cue_rules: Path | None = None
) -> Language:
    """A blank English pipeline with dlcheck's three components; no model is downloaded."""
    nlp = spacy.blank("en")
    nlp.max_length = MAX_CHARS + 1
    files = [str(p) for p in graph_files] if graph_files else []
    rules = str(cue_rules) if cue_rules else None
    with once_per_pipeline():  # the two components that read the graph open it once
        nlp.add_pipe("dlcheck_lemmatizer", config={"graph_files": files, "rules_file": rules})
        nlp.add_pipe("dlcheck_cues", config={"rules_file": rules})
        nlp.add_pipe("dlcheck_mentions", config={"graph_files": files})
    return nlp
