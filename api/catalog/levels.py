"""Access levels and the GraphQL operation kind they decide.

The access level is the one fact that makes an action a Query or a Mutation in keygraph's GraphQL
API (README, "Keys and cryptography"), so the rule lives here and nowhere else.
"""

from __future__ import annotations

import enum


class AccessLevel(enum.Enum):
    """AWS's access levels; the value is AWS's spelling as it appears on a privileges page."""

    READ = "Read"
    LIST = "List"
    WRITE = "Write"
    PERMISSIONS_MANAGEMENT = "Permissions management"
    TAGGING = "Tagging"

    @classmethod
    def from_label(cls, label: str) -> AccessLevel | None:
        """Pages differ in capitalisation ("Permissions Management"); the meaning does not."""
        wanted = " ".join(label.split()).casefold()
        for level in cls:
            if level.value.casefold() == wanted:
                return level
        return None


class OperationType(enum.Enum):
    """Which GraphQL root type an action's operation belongs to."""

    QUERY = "Query"
    MUTATION = "Mutation"


_READ_ONLY = frozenset({AccessLevel.READ, AccessLevel.LIST})


def operation_type(level: AccessLevel) -> OperationType:
    """Read and List change nothing, so they are queries; every other level changes state."""
    return OperationType.QUERY if level in _READ_ONLY else OperationType.MUTATION
