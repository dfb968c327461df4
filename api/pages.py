"""The pages of every List call, so that each one sizes, cuts and resumes them alike.

A List call fetches ``fetch_size(size)`` rows: the one beyond the page is never returned, it only
tells that there is more, and the marker that resumes is the one of the page's last row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from api import limits, messages
from api.errors import InvalidMarkerException
from api.validation import member_range

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a List call: ``next_marker`` is set exactly when ``truncated``."""

    items: list[T]
    next_marker: str | None = None

    @property
    def truncated(self) -> bool:
        return self.next_marker is not None


def page_size(
    limit: int | None,
    default: int = limits.LIST_LIMIT_DEFAULT,
    maximum: int = limits.LIST_LIMIT.high,
) -> int:
    """The caller's Limit, which must lie in the API model's range, at most ``maximum`` (some
    calls return fewer per page than the model lets a caller ask for)."""
    if limit is None:
        return default
    return min(member_range("limit", limit, limits.LIST_LIMIT), maximum)


def fetch_size(size: int) -> int:
    """Rows to fetch for a page of ``size``: one more, to know whether another page follows."""
    return size + 1


def page_of(found: Sequence[T], size: int, marker_of: Callable[[T], str]) -> Page[T]:
    """The page of ``size`` out of ``fetch_size(size)`` rows fetched in the call's order."""
    items = list(found[:size])
    return Page(items, marker_of(items[-1]) if len(found) > size else None)


def invalid_marker() -> InvalidMarkerException:
    """AWS words every refused Marker alike, whatever made it invalid."""
    return messages.INVALID_MARKER()
