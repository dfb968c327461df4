"""The condition values a request supplies, limited to the keys its action allows.

Values come from four places: the principal (``aws:PrincipalArn``, ``kms:CallerAccount``...), the
request as the server saw it (``aws:SourceIp``, ``aws:CurrentTime``, ``kms:ViaService``), the key
(``kms:KeySpec``, ``aws:ResourceTag/...``) and the operation's own members, which each operation
passes as ``facts`` (``kms:EncryptionAlgorithm``, ``kms:GrantOperations``...) or as its encryption
context (``kms:EncryptionContextKeys`` and ``kms:EncryptionContext:<key>``).

Which of them a policy may see is the catalog's table (``condition_key_applies``): a key the
catalog does not list for the action is absent from the request, exactly as in AWS, where
``kms:EncryptionAlgorithm`` means nothing to ``CreateKey``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from api.calls import Call
from api.catalog import Privilege
from api.keys.model import Key
from api.keys.tags import Tag
from api.policy.checks import condition_key_applies
from api.principals import Principal, PrincipalKind

Values = Mapping[str, str | Sequence[str]]

_PRINCIPAL_TYPES = {PrincipalKind.ROOT: "Account", PrincipalKind.USER: "User"}


@dataclass(frozen=True)
class Origin:
    """Where and when a request was made: what the server saw, not what the caller said."""

    now: datetime
    source_ip: str | None = None
    via_service: str | None = None

    @classmethod
    def of(cls, call: Call) -> Origin:
        return cls(call.now, call.source_ip, call.via_service)


def principal_values(principal: Principal) -> dict[str, str | Sequence[str]]:
    values: dict[str, str | Sequence[str]] = {
        "aws:PrincipalArn": principal.arn,
        "aws:PrincipalAccount": principal.account_id,
        "aws:PrincipalType": _PRINCIPAL_TYPES.get(principal.kind, "AssumedRole"),
        "kms:CallerAccount": principal.account_id,
    }
    if principal.kind is PrincipalKind.USER:
        values["aws:username"] = principal.name
    return values


def origin_values(origin: Origin, region: str) -> dict[str, str | Sequence[str]]:
    values: dict[str, str | Sequence[str]] = {
        "aws:CurrentTime": origin.now.isoformat().replace("+00:00", "Z"),
        "aws:EpochTime": str(int(origin.now.timestamp())),
        "aws:RequestedRegion": region,
    }
    if origin.source_ip is not None:
        values["aws:SourceIp"] = origin.source_ip
    if origin.via_service is not None:
        values["kms:ViaService"] = origin.via_service
    return values


def key_values(key: Key, tags: Mapping[str, str]) -> dict[str, str | Sequence[str]]:
    values: dict[str, str | Sequence[str]] = {
        "kms:KeySpec": key.spec.value,
        "kms:KeyUsage": key.usage.value,
        "kms:KeyOrigin": key.origin.value,
        "kms:MultiRegion": "false",
        "aws:ResourceAccount": key.account_id,
    }
    for tag_key, tag_value in tags.items():
        values[f"aws:ResourceTag/{tag_key}"] = tag_value
    return values


def tag_facts(tags: Sequence[Tag]) -> Values:
    """The condition values of a request that sets tags (CreateKey, TagResource):
    ``aws:TagKeys`` and each ``aws:RequestTag/<key>``."""
    return {
        "aws:TagKeys": tuple(tag.tag_key for tag in tags),
        **{f"aws:RequestTag/{tag.tag_key}": tag.tag_value for tag in tags},
    }


def context_values(context: Mapping[str, str]) -> dict[str, str | Sequence[str]]:
    values: dict[str, str | Sequence[str]] = {"kms:EncryptionContextKeys": tuple(context)}
    for name, value in context.items():
        values[f"kms:EncryptionContext:{name}"] = value
    return values


# (action, condition key) -> whether the catalog lists the key for the action. Keyed by the
# action's name: hashing the Privilege itself would walk its resource types on every call.
_APPLIES: dict[tuple[str, str], bool] = {}
_APPLIES_MAX = 8192


def _applies(privilege: Privilege, key: str) -> bool:
    found = _APPLIES.get((privilege.action, key))
    if found is None:
        if len(_APPLIES) >= _APPLIES_MAX:
            _APPLIES.clear()
        found = _APPLIES[(privilege.action, key)] = condition_key_applies(privilege, key)
    return found


def applicable(
    privilege: Privilege, wanted: frozenset[str] | None, *sources: Values
) -> dict[str, str | Sequence[str]]:
    """The values of ``sources`` (later ones win) whose keys the catalog lists for the action,
    limited to the ``wanted`` keys (lower case) when given."""
    merged: dict[str, str | Sequence[str]] = {}
    for source in sources:
        merged.update(source)
    return {
        key: value
        for key, value in merged.items()
        if (wanted is None or key.casefold() in wanted) and _applies(privilege, key)
    }
