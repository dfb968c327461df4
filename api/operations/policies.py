"""GetKeyPolicy, ListKeyPolicies and PutKeyPolicy: a key has one policy, named ``default``.

PutKeyPolicy stores a document only once it is a policy AWS would store (``api.policy``) and the
lockout safety check (``api.authz.lockout``) finds that the caller could change the policy again.
What keygraph's checker finds besides (an action the catalog does not know...) refuses it under
``KEYGRAPH_POLICY_CHECK=strict``, and otherwise comes back as warnings (``api.policy.findings``).

AWS answers PutKeyPolicy with nothing; keygraph answers with the key's metadata after the
change, as its GraphQL door always has. ``GetKeyPolicy`` is also the graph's ``Key.policy``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import asyncpg

from api import limits, messages
from api.authz.access import read_key, readable_key
from api.authz.lockout import check_lockout
from api.calls import Call
from api.keys.ids import absent
from api.keys.model import Key
from api.operation import change, read
from api.operations.keys import changed_key
from api.operations.structures import KeyPageRequest, KeyRequest, PolicyStoredResponse
from api.pages import page_of, page_size
from api.policy.documents import DEFAULT_POLICY_NAME
from api.policy.validation import check_key_policy, policy_document
from api.services import Services
from api.shapes import constraint_failed, member, project, rendered, validation_error
from api.validation import member_length
from db.policies import policies_for_keys

# AWS's pattern for PolicyName (Java's \w: ASCII letters, digits and underscore).
POLICY_NAME_PATTERN = r"[\w]+"
_POLICY_NAME = re.compile(POLICY_NAME_PATTERN, re.ASCII)


def policy_name() -> Any:
    """An optional ``PolicyName`` (``default`` when absent): the model's length and pattern."""
    return member(
        None,
        length=(limits.POLICY_NAME_LENGTH.low, limits.POLICY_NAME_LENGTH.high),
        pattern=POLICY_NAME_PATTERN,
    )


@dataclass(frozen=True, kw_only=True)
class GetKeyPolicyRequest(KeyRequest):
    policy_name: str | None = policy_name()


@dataclass(frozen=True, kw_only=True)
class GetKeyPolicyResponse:
    policy: str
    policy_name: str


@dataclass(frozen=True, kw_only=True)
class ListKeyPoliciesResponse:
    policy_names: list[str]
    next_marker: str | None
    truncated: bool


@dataclass(frozen=True, kw_only=True)
class PutKeyPolicyRequest(KeyRequest):
    policy: str = policy_document()
    policy_name: str | None = policy_name()
    bypass_policy_lockout_safety_check: bool = False


def checked_policy_name(name: str | None) -> str:
    """The name asked for (``default`` when omitted, as AWS does), if it is well formed."""
    if name is None:
        return DEFAULT_POLICY_NAME
    member_length("policyName", name, limits.POLICY_NAME_LENGTH.high, limits.POLICY_NAME_LENGTH.low)
    if not _POLICY_NAME.fullmatch(name):
        pattern = f"Member must satisfy regular expression pattern: {POLICY_NAME_PATTERN}"
        raise validation_error([constraint_failed("policyName", pattern, rendered(name))])
    return name


def require_existing(name: str) -> None:
    if name != DEFAULT_POLICY_NAME:
        raise messages.NO_SUCH_POLICY()


async def get_key_policy(
    services: Services, call: Call, request: GetKeyPolicyRequest
) -> GetKeyPolicyResponse:
    """The document comes through the call's loader, so the graph's ``Key.policy`` of a page
    of keys costs one statement."""
    wanted = checked_policy_name(request.policy_name)
    key = await readable_key(services, call, request.key_id, "GetKeyPolicy")
    require_existing(wanted)
    document = await call.loader(services.pool, policies_for_keys).load(key.uuid)
    if document is None:  # deleted since it was read
        raise absent(call.scope, key.key_id)
    return GetKeyPolicyResponse(policy=document, policy_name=wanted)


async def list_key_policies(
    services: Services, call: Call, request: KeyPageRequest
) -> ListKeyPoliciesResponse:
    """The key's policy names after ``marker`` (the last name of the previous page)."""
    size = page_size(request.limit)
    marker = request.marker
    if marker is not None:
        member_length("marker", marker, limits.MARKER_LENGTH.high, limits.MARKER_LENGTH.low)
    async with services.pool.acquire() as conn:
        await read_key(services, conn, call, request.key_id, "ListKeyPolicies")
    names = [name for name in (DEFAULT_POLICY_NAME,) if marker is None or name > marker]
    page = page_of(names, size, str)
    return project(ListKeyPoliciesResponse, page, policy_names=page.items)


async def put_key_policy(
    services: Services, call: Call, request: PutKeyPolicyRequest
) -> PolicyStoredResponse:
    """Replace the key's policy with the document once it is one that may be stored and it
    passes the lockout safety check (unless bypassed)."""
    wanted = checked_policy_name(request.policy_name)
    document = request.policy
    checked = check_key_policy(document, services.catalog, services.settings.policy_check)
    bypass = request.bypass_policy_lockout_safety_check

    async def change(conn: asyncpg.Connection, key: Key) -> dict[str, Any]:
        require_existing(wanted)
        await check_lockout(services, call, key, checked.policy, bypass=bypass)
        return {"policy": document}

    facts = {"kms:BypassPolicyLockoutSafetyCheck": str(bypass).lower()}
    key = await changed_key(services, call, request.key_id, "PutKeyPolicy", change, facts)
    return PolicyStoredResponse.stored(call, key, checked.warnings)


OPERATIONS = (
    read("GetKeyPolicy", get_key_policy),
    read("ListKeyPolicies", list_key_policies),
    change("PutKeyPolicy", put_key_policy),
)
