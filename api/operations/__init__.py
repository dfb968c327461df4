"""Every operation keygraph serves, declared once, in one list.

Each module of this package declares the operations of one area (``OPERATIONS``): their AWS
request and response shapes, their handlers, what they authorize, how they are audited. A
handler is the operation's logic, whole, on top of the domain packages (keys reached through
``api.authz.access``, grants, policies, key stores...); the cryptographic handlers alone hand
over to ``api.crypto``, where the work shared between them lives. Nothing below this package
imports it. Doors read ``OPERATIONS`` and build their routes and types from it; adding an
operation means adding it to its area's module (see the README's "Adding an operation").
"""

from __future__ import annotations

from typing import Any

from api.operation import Operation
from api.operations import (
    access,
    access_keys,
    aliases,
    audit,
    catalog,
    datakeys,
    encryption,
    grants,
    imports,
    key_specs,
    keys,
    keystores,
    policies,
    rotation,
    signing,
    structures,  # noqa: F401 - its shape names and spellings hold for every door
    tags,
    usage,
)

OPERATIONS: tuple[Operation[Any, Any], ...] = (
    *catalog.OPERATIONS,
    *access.OPERATIONS,
    *access_keys.OPERATIONS,
    *key_specs.OPERATIONS,
    *keys.OPERATIONS,
    *usage.OPERATIONS,
    *aliases.OPERATIONS,
    *tags.OPERATIONS,
    *policies.OPERATIONS,
    *rotation.OPERATIONS,
    *imports.OPERATIONS,
    *keystores.OPERATIONS,
    *signing.OPERATIONS,
    *encryption.OPERATIONS,
    *datakeys.OPERATIONS,
    *grants.OPERATIONS,
    *audit.OPERATIONS,
)

BY_NAME: dict[str, Operation[Any, Any]] = {operation.name: operation for operation in OPERATIONS}
