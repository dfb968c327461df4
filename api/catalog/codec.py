"""The catalog's JSON shapes, shared by the page parser and the package data.

A page gives each action's resource types as a JSON object keyed by resource type; the data files
keep them as a list so the page's order (required types first, ``""`` last) survives ``sort_keys``.
Both describe a resource type with the same four fields, checked here once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from api.catalog.errors import ShapeError
from api.catalog.levels import AccessLevel
from api.catalog.model import Privilege, ResourceType, Service

_RESOURCE_TYPE_FIELDS = frozenset(
    {"resource_type", "required", "condition_keys", "dependent_actions"}
)
_PRIVILEGE_FIELDS = frozenset({"name", "description", "access_level", "resource_types"})


def decode_resource_type(value: object) -> ResourceType:
    if not isinstance(value, Mapping):
        raise ShapeError("a resource type must be a JSON object")
    fields = set(value)
    if fields != _RESOURCE_TYPE_FIELDS:
        missing = sorted(_RESOURCE_TYPE_FIELDS - fields)
        extra = sorted(fields - _RESOURCE_TYPE_FIELDS)
        raise ShapeError(f"resource type fields: missing {missing}, unexpected {extra}")
    name = value["resource_type"]
    if not isinstance(name, str):
        raise ShapeError("resource_type must be a string")
    required = value["required"]
    if not isinstance(required, bool):
        raise ShapeError(f"resource type {name!r}: required must be true or false")
    return ResourceType(
        resource_type=name,
        required=required,
        condition_keys=_strings(value["condition_keys"], f"resource type {name!r}: condition_keys"),
        dependent_actions=_strings(
            value["dependent_actions"], f"resource type {name!r}: dependent_actions"
        ),
    )


def decode_privilege(value: object, prefix: str, *, from_seed: bool) -> Privilege:
    if not isinstance(value, Mapping) or set(value) != _PRIVILEGE_FIELDS:
        raise ShapeError(f"a privilege must be an object with exactly {sorted(_PRIVILEGE_FIELDS)}")
    name, description, label = value["name"], value["description"], value["access_level"]
    if not isinstance(name, str) or not name:
        raise ShapeError("privilege name must be a non-empty string")
    if not isinstance(description, str):
        raise ShapeError(f"{name}: description must be a string")
    level = AccessLevel.from_label(label) if isinstance(label, str) else None
    if level is None:
        raise ShapeError(f"{name}: unknown access level {label!r}")
    rows = value["resource_types"]
    if not isinstance(rows, list):
        raise ShapeError(f"{name}: resource_types must be a list")
    try:
        resource_types = tuple(decode_resource_type(row) for row in rows)
    except ShapeError as exc:
        raise ShapeError(f"{name}: {exc}") from None
    return Privilege(
        prefix=prefix,
        name=name,
        description=description,
        access_level=level,
        resource_types=resource_types,
        from_seed=from_seed,
    )


def encode_privilege(privilege: Privilege) -> dict[str, object]:
    return {
        "name": privilege.name,
        "description": privilege.description,
        "access_level": privilege.access_level.value,
        "resource_types": [
            {
                "resource_type": row.resource_type,
                "required": row.required,
                "condition_keys": list(row.condition_keys),
                "dependent_actions": list(row.dependent_actions),
            }
            for row in privilege.resource_types
        ],
    }


def encode_service(service: Service) -> bytes:
    """Byte-for-byte stable: sorted keys, fixed indent, privileges in name order, final newline."""
    document = {
        "name": service.name,
        "prefix": service.prefix,
        "privileges": [encode_privilege(p) for p in service.privileges],
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ShapeError(f"{what} must be a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise ShapeError(f"{what} must be a list of strings")
    return tuple(value)
