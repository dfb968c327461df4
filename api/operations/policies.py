"""GetKeyPolicy, ListKeyPolicies and PutKeyPolicy: a key has one policy, named ``default``.

AWS answers PutKeyPolicy with nothing; keygraph answers with the key's metadata after the
change, as its GraphQL door always has. ``GetKeyPolicy`` is also the graph's ``Key.policy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api import limits
from api.calls import Call
from api.operation import change, read
from api.operations.keys import KeyPageRequest, KeyRequest
from api.operations.structures import KeyMetadata, KeyMetadataResponse
from api.policy import operations
from api.policy.operations import policy_document
from api.services import Services
from api.shapes import member


def policy_name() -> Any:
    """An optional ``PolicyName`` (``default`` when absent): the model's length. Its pattern
    stays with ``api.policy.operations``, whose message echoes the name as AWS's does."""
    return member(None, length=(limits.POLICY_NAME_LENGTH.low, limits.POLICY_NAME_LENGTH.high))


@dataclass(frozen=True, kw_only=True)
class GetKeyPolicyRequest(KeyRequest):
    policy_name: str | None = policy_name()


@dataclass(frozen=True, kw_only=True)
class GetKeyPolicyResponse:
    policy: str
    policy_name: str


class ListKeyPoliciesRequest(KeyPageRequest):
    pass


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


class PutKeyPolicyResponse(KeyMetadataResponse):
    pass


async def get_key_policy(
    services: Services, call: Call, request: GetKeyPolicyRequest
) -> GetKeyPolicyResponse:
    found = await operations.get_key_policy(services, call, request.key_id, request.policy_name)
    return GetKeyPolicyResponse(policy=found.document, policy_name=found.name)


async def list_key_policies(
    services: Services, call: Call, request: ListKeyPoliciesRequest
) -> ListKeyPoliciesResponse:
    page = await operations.list_key_policies(
        services, call, request.key_id, request.limit, request.marker
    )
    return ListKeyPoliciesResponse(
        policy_names=page.items, next_marker=page.next_marker, truncated=page.truncated
    )


async def put_key_policy(
    services: Services, call: Call, request: PutKeyPolicyRequest
) -> PutKeyPolicyResponse:
    key = await operations.put_key_policy(
        services,
        call,
        request.key_id,
        request.policy,
        request.policy_name,
        bypass_lockout_check=request.bypass_policy_lockout_safety_check,
    )
    return PutKeyPolicyResponse(key_metadata=KeyMetadata.of(key))


OPERATIONS = (
    read("GetKeyPolicy", get_key_policy),
    read("ListKeyPolicies", list_key_policies),
    change("PutKeyPolicy", put_key_policy),
)
