"""What can go wrong around throttling, apart from the throttling itself.

Being throttled is ``api.errors.ThrottlingException``, the caller's to see. These are not: a rate
setting that cannot be read stops start-up (``RateConfigError``, each subclass naming the entry),
and a request that fits no quota is a bug in the calling operation (``UnclassifiedRequest``).
"""

from __future__ import annotations


class RateConfigError(ValueError):
    """The rate setting cannot be used; ``str()`` names the offending entry."""

    def __init__(self, entry: str, problem: str) -> None:
        super().__init__(f"{entry!r}: {problem}")
        self.entry = entry


class MalformedRateEntry(RateConfigError):
    """An entry that is not ``name=number``."""


class UnknownRateName(RateConfigError):
    """A name that is neither a rate class nor an action with a quota of its own."""


class InvalidRate(RateConfigError):
    """A rate that is not a finite number above zero."""


class DuplicateRateEntry(RateConfigError):
    """Two entries set the same class; which one wins would be a guess."""


class UnclassifiedRequest(LookupError):
    """An action keygraph has no quota for, or a keyed action called without its key's spec."""
