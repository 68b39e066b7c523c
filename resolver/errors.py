"""The exceptions resolver raises, as a tree:

    ResolverError              anything the tool reports as one line to a person
    ├── InputError             an input that cannot be scanned (binary, empty, too large, unreadable)
    │   └── FetchError         an article URL that could not be fetched
    └── UsageError             a bad option or argument (exit code 2 in the CLI)

Each carries a message that names the input and the reason, written for people:
the CLI prints it as-is on one line and never shows a traceback.
"""

from __future__ import annotations


class ResolverError(Exception):
    """Base class: `str(error)` is the whole one-line message."""


class InputError(ResolverError):
    """An input that cannot be scanned; other inputs of the same run go on."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class FetchError(InputError):
    """An article given by URL that could not be fetched."""


class UsageError(ResolverError):
    """The command line asks for something impossible."""
