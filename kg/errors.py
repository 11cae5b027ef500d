"""Errors a user can cause, each with the exit status the CLI turns it into."""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_USAGE = 2


class DlcheckError(Exception):
    """Base of every error dlcheck reports as one line on stderr instead of a traceback."""

    exit_code = EXIT_FAILURE


class UsageError(DlcheckError):
    """The command was given input it cannot use (exit status 2)."""

    exit_code = EXIT_USAGE


class GraphLoadError(DlcheckError):
    """A Turtle file could not be read or parsed; the message names the file and line."""


class QuerySyntaxError(UsageError):
    """A SPARQL query does not parse; the message shows where."""


class QueryRefused(UsageError):
    """A SPARQL query would write or reach the network; the message says which part."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written; clean-up has run.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it.
    """

    def __init__(self, signum: int):
        super().__init__(f"terminated by signal {signum}")
        self.exit_code = 128 + signum
