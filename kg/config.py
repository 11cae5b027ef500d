"""The user's dlcheck settings file: where a team's triple store is, so no flag is needed.

The file is INI, found at $DLCHECK_CONFIG, else $XDG_CONFIG_HOME/dlcheck/config.ini, else
~/.config/dlcheck/config.ini:

    [dlcheck]
    endpoint = http://127.0.0.1:7878/query
    curator = Ada Lovelace

`curator` is who `dlcheck kg import` attributes claims to (prov:wasAttributedTo).

A flag beats the environment, which beats this file.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from kg.errors import UsageError


def config_path() -> Path:
    explicit = os.environ.get("DLCHECK_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "dlcheck" / "config.ini"


def configured_endpoint() -> str | None:
    """The `endpoint` of the [dlcheck] section, or None when there is no such setting."""
    return _setting("endpoint")


def configured_curator() -> str | None:
    """The `curator` of the [dlcheck] section: the name (or IRI) imports are attributed to."""
    return _setting("curator")


def _setting(name: str) -> str | None:
    path = config_path()
    if not path.is_file():
        if os.environ.get("DLCHECK_CONFIG"):
            raise UsageError(f"{path}: no such settings file ($DLCHECK_CONFIG)")
        return None
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        first = " ".join(str(exc).split())[:200]
        raise UsageError(f"{path}: not a valid settings file ({first})") from None
    value = parser.get("dlcheck", name, fallback="").strip()
    return value or None
