"""How an action's name becomes a GraphQL operation and root field name.

Most actions authorise exactly one API operation of the same name. A few actions are permissions
that one operation needs together (``ReEncrypt`` needs ``ReEncryptFrom`` on the source key and
``ReEncryptTo`` on the destination key); that mapping is kept here so the schema never hard-codes
it.
"""

from __future__ import annotations

import re

# (service prefix, action name) -> the API operation that action authorises, where they differ.
_SHARED_OPERATIONS: dict[tuple[str, str], str] = {
    ("kms", "ReEncryptFrom"): "ReEncrypt",
    ("kms", "ReEncryptTo"): "ReEncrypt",
}

_LEADING_CAPITALS = re.compile(r"^[A-Z]+")


def operation_name(prefix: str, action_name: str) -> str:
    """The API operation that ``prefix:action_name`` authorises (usually the same name)."""
    return _SHARED_OPERATIONS.get((prefix.casefold(), action_name), action_name)


def root_field_name(operation: str) -> str:
    """lowerCamelCase: ``Encrypt`` -> ``encrypt``, ``ListResourceTags`` -> ``listResourceTags``.

    A leading acronym is lowered as a word (``KMSKeys`` -> ``kmsKeys``), which is how GraphQL APIs
    usually spell it, instead of leaving ``kMSKeys``.
    """
    match = _LEADING_CAPITALS.match(operation)
    if match is None:
        return operation
    capitals = match.group()
    rest = operation[len(capitals) :]
    if len(capitals) > 1 and rest[:1].islower():
        return capitals[:-1].lower() + capitals[-1] + rest
    return capitals.lower() + rest
