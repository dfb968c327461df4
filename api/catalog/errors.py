"""What can go wrong with the privilege catalog.

These are operator-facing failures (a page that does not parse, committed data that does not load),
not errors a GraphQL caller sees, so they stand apart from ``api.errors.KeygraphError`` and carry no
AWS exception name. The CLI prints ``str(error)``; each message is one line that names the place and
the fault.
"""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every catalog failure, so the CLI and start-up can catch one class."""


class PageUnreadableError(CatalogError):
    """The page file could not be read as UTF-8 text."""


class PageFormatError(CatalogError):
    """The page departs from the privileges-page format; ``line`` (1-based) is where."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class ShapeError(CatalogError):
    """A JSON value (from a page or from package data) lacks the shape a catalog entry needs."""


class CatalogDataError(CatalogError):
    """The committed package data is inconsistent: bad file, duplicate, orphaned additions."""
