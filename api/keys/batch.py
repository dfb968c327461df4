"""Grouping the rows of one batched statement by key, for the DataLoaders behind ``Key``."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar


class KeyedRow(Protocol):
    @property
    def key_id(self) -> uuid.UUID: ...


R = TypeVar("R", bound=KeyedRow)
T = TypeVar("T")


def by_key(
    key_ids: Sequence[uuid.UUID], found: Iterable[R], convert: Callable[[R], T]
) -> dict[uuid.UUID, list[T]]:
    """Each asked key's rows, converted, in the statement's order. A DataLoader needs an answer
    for every key it asked for, so a key without rows gets an empty list."""
    grouped: dict[uuid.UUID, list[T]] = defaultdict(list)
    for row in found:
        grouped[row.key_id].append(convert(row))
    return {key_id: grouped[key_id] for key_id in key_ids}
