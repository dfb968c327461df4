"""ARN patterns as IAM matches them, in ``Resource`` elements and ``Arn*`` conditions.

An ARN has six colon-separated parts (``arn:partition:service:region:account:resource``); the last
one may itself hold colons (``alias/a:b``). ``*`` and ``?`` match within a part and never across
the colons that separate the first five, so ``arn:aws:kms:*:111122223333:key/*`` cannot match an
ARN of another account. The comparison is case-sensitive, as IAM's is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PARTS = 6


def is_arn(value: str) -> bool:
    """Whether ``value`` has an ARN's six parts (what ``Arn*`` conditions can compare)."""
    return value.startswith("arn:") and value.count(":") >= _PARTS - 1


def _part(pattern: str, anything: str) -> str:
    return "".join(
        f"{anything}*" if c == "*" else anything if c == "?" else re.escape(c) for c in pattern
    )


def _regex(pattern: str) -> str | None:
    parts = pattern.split(":", _PARTS - 1)
    if len(parts) < _PARTS:
        return None
    head = (_part(part, "[^:]") for part in parts[:-1])
    return ":".join((*head, _part(parts[-1], ".")))


def arn_pattern(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """ARN patterns as one regular expression, or None when none of them has six parts (such a
    pattern matches nothing)."""
    regexes = [r for r in map(_regex, patterns) if r is not None]
    if not regexes:
        return None
    return re.compile("|".join(f"(?:{r})" for r in regexes), re.DOTALL)
