"""Amendments: condition keys AWS lists today for actions of the imported page that the page lacks.

The seed page predates many condition keys (``kms:KeySpec``, ``aws:RequestTag/${TagKey}``, ...),
and policies may only use keys the catalog lists for an action, so the additions file can amend a
page action with the keys it is missing. They join the action's ``""`` (all resources) row, where
the page keeps its own keys; a page action without that row gets one.

Every amendment must add something the page does not say: a key the page already lists, a key or
action given twice, or an action the page does not hold is refused rather than merged quietly. So
the file stays minimal, and a newer page that catches up with an amendment fails to import until
someone deletes what the page now says itself.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api.catalog.errors import CatalogDataError
from api.catalog.model import Privilege, ResourceType, Service

_FIELDS = frozenset({"action", "condition_keys"})
_CONDITION_KEY = re.compile(r"^[A-Za-z0-9-]+:\S+$")
_ALL_RESOURCES = ""


@dataclass(frozen=True, slots=True)
class Amendment:
    """Condition keys to add to one action of a service's page, named without the prefix."""

    action: str
    condition_keys: tuple[str, ...]


def decode_amendments(value: object, origin: str) -> tuple[Amendment, ...]:
    """The ``amendments`` list of the additions file ``origin``, checked entry by entry."""
    if not isinstance(value, list):
        raise CatalogDataError(f"{origin}: amendments must be a list")
    return tuple(
        _decode(entry, f"{origin}: amendments[{index}]") for index, entry in enumerate(value)
    )


def amend(page: Service, amendments: Sequence[Amendment], origin: str) -> Service:
    """``page`` with each amendment's keys on its action; ``origin`` names the file in errors."""
    by_name = {p.name.casefold(): p for p in page.privileges}
    amended: dict[str, Privilege] = {}
    for index, amendment in enumerate(amendments):
        where = f"{origin}: amendments[{index}] ({amendment.action})"
        privilege = by_name.get(amendment.action.casefold())
        if privilege is None:
            raise CatalogDataError(
                f"{where}: no such action on the {page.prefix} page; only page actions are"
                " amended, an action newer than the page belongs in privileges"
            )
        if privilege.name.casefold() in amended:
            raise CatalogDataError(f"{where}: {privilege.name} is amended twice; merge the entries")
        listed = {key.casefold() for key in privilege.condition_keys}
        already = [key for key in amendment.condition_keys if key.casefold() in listed]
        if already:
            raise CatalogDataError(
                f"{where}: {', '.join(already)} already listed by the {page.prefix} page;"
                " remove them from the amendment"
            )
        amended[privilege.name.casefold()] = _with_keys(privilege, amendment.condition_keys)
    return Service(
        name=page.name,
        prefix=page.prefix,
        privileges=tuple(amended.get(p.name.casefold(), p) for p in page.privileges),
    )


def _decode(entry: object, where: str) -> Amendment:
    if not isinstance(entry, Mapping) or set(entry) != _FIELDS:
        raise CatalogDataError(f"{where}: must be an object with exactly {sorted(_FIELDS)}")
    action, keys = entry["action"], entry["condition_keys"]
    if not isinstance(action, str) or not action:
        raise CatalogDataError(f"{where}: action must be a non-empty string")
    where = f"{where} ({action})"
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise CatalogDataError(f"{where}: condition_keys must be a non-empty list of strings")
    malformed = [key for key in keys if not _CONDITION_KEY.match(key)]
    if malformed:
        raise CatalogDataError(
            f"{where}: {', '.join(map(repr, malformed))} not of the form service:key"
        )
    folded = [key.casefold() for key in keys]
    twice = sorted({key for key, f in zip(keys, folded, strict=True) if folded.count(f) > 1})
    if twice:
        raise CatalogDataError(f"{where}: {', '.join(twice)} listed twice")
    return Amendment(action=action, condition_keys=tuple(keys))


def _with_keys(privilege: Privilege, keys: tuple[str, ...]) -> Privilege:
    rows = list(privilege.resource_types)
    at = next((i for i, row in enumerate(rows) if row.resource_type == _ALL_RESOURCES), None)
    if at is None:
        rows.append(
            ResourceType(_ALL_RESOURCES, required=False, condition_keys=keys, dependent_actions=())
        )
    else:
        rows[at] = dataclasses.replace(rows[at], condition_keys=rows[at].condition_keys + keys)
    return dataclasses.replace(privilege, resource_types=tuple(rows), amended_condition_keys=keys)
