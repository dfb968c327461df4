"""GetKeyPolicy, PutKeyPolicy and ListKeyPolicies: a key has one policy, named ``default``.

PutKeyPolicy stores a document only once the catalog accepts it and the lockout safety check
(``api.authz.lockout``) finds that the caller could change the policy again.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from api import limits
from api.authz.lockout import check_lockout
from api.calls import Call
from api.crypto.keyring import readable_key
from api.errors import NotFoundException, ValidationException
from api.keys.ids import absent
from api.keys.model import Key
from api.keys.store import change_key, read_key
from api.keys.validation import member_length
from api.pages import Page, page_of, page_size
from api.policy.documents import DEFAULT_POLICY_NAME
from api.policy.validation import POLICY_CHARACTERS, parse_key_policy
from api.services import Services
from api.shapes import member
from db.policies import policies_for_keys

# AWS's pattern for PolicyName (Java's \w: ASCII letters, digits and underscore).
POLICY_NAME_PATTERN = r"[\w]+"
_POLICY_NAME = re.compile(POLICY_NAME_PATTERN, re.ASCII)
# The API model's longest Policy member, in characters.
POLICY_MODEL_LENGTH = 131_072


def policy_document(default: Any = dataclasses.MISSING) -> Any:
    """A ``Policy`` member as AWS's model bounds it: 1 to 131,072 characters of its pattern.
    keygraph then refuses a document over 32 KB as ``MalformedPolicyDocumentException``."""
    return member(default, length=(1, POLICY_MODEL_LENGTH), pattern=POLICY_CHARACTERS)


@dataclass(frozen=True)
class KeyPolicy:
    name: str
    document: str


def policy_name(name: str | None) -> str:
    """The name asked for (``default`` when omitted, as AWS does), if it is well formed."""
    if name is None:
        return DEFAULT_POLICY_NAME
    member_length("policyName", name, limits.POLICY_NAME_LENGTH.high, limits.POLICY_NAME_LENGTH.low)
    if not _POLICY_NAME.fullmatch(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {POLICY_NAME_PATTERN}"
        )
    return name


def require_existing(name: str) -> None:
    if name != DEFAULT_POLICY_NAME:
        raise NotFoundException("No such policy exists")


async def get_key_policy(
    services: Services, call: Call, key_id: str, name: str | None = None
) -> KeyPolicy:
    """The document comes through the call's loader, so the graph's ``Key.policy`` of a page
    of keys costs one statement."""
    wanted = policy_name(name)
    key = await readable_key(services, call, key_id, "GetKeyPolicy")
    require_existing(wanted)
    document = await call.loader(services.pool, policies_for_keys).load(key.uuid)
    if document is None:  # deleted since it was read
        raise absent(call.scope, key.key_id)
    return KeyPolicy(name=wanted, document=document)


async def put_key_policy(
    services: Services,
    call: Call,
    key_id: str,
    document: str,
    name: str | None = None,
    *,
    bypass_lockout_check: bool = False,
) -> Key:
    """Replace the key's policy with ``document`` once the catalog accepts it and it passes the
    lockout safety check (unless bypassed)."""
    wanted = policy_name(name)
    policy = parse_key_policy(document, services.catalog)

    async def change(key: Key) -> dict[str, Any]:
        require_existing(wanted)
        await check_lockout(services, call, key, policy, bypass=bypass_lockout_check)
        return {"policy": document}

    async with services.pool.acquire() as conn:
        return await change_key(
            services,
            conn,
            call,
            key_id,
            "PutKeyPolicy",
            change,
            {"kms:BypassPolicyLockoutSafetyCheck": str(bypass_lockout_check).lower()},
        )


async def list_key_policies(
    services: Services,
    call: Call,
    key_id: str,
    limit: int | None = None,
    marker: str | None = None,
) -> Page[str]:
    """The key's policy names after ``marker`` (the last name of the previous page)."""
    size = page_size(limit)
    if marker is not None:
        member_length("marker", marker, limits.MARKER_LENGTH.high, limits.MARKER_LENGTH.low)
    async with services.pool.acquire() as conn:
        await read_key(services, conn, call, key_id, "ListKeyPolicies")
    names = [name for name in (DEFAULT_POLICY_NAME,) if marker is None or name > marker]
    return page_of(names, size, str)
