"""Key policies over GraphQL: getKeyPolicy, listKeyPolicies (queries) and putKeyPolicy."""

from __future__ import annotations

import strawberry

from api.policy import operations
from schema.keys import GraphQLInfo, KeyChangeResult, KeyIdInput, KeyMetadata


@strawberry.input
class GetKeyPolicyInput(KeyIdInput):
    policy_name: str | None = None


@strawberry.type
class GetKeyPolicyResult:
    policy: str
    policy_name: str


@strawberry.input
class PutKeyPolicyInput(KeyIdInput):
    policy: str
    policy_name: str | None = None
    bypass_policy_lockout_safety_check: bool = False


@strawberry.type
class PutKeyPolicyResult(KeyChangeResult):
    pass


@strawberry.input
class ListKeyPoliciesInput(KeyIdInput):
    limit: int | None = None
    marker: str | None = None


@strawberry.type
class ListKeyPoliciesResult:
    policy_names: list[str]
    next_marker: str | None
    truncated: bool


async def get_key_policy_resolver(
    info: GraphQLInfo, input: GetKeyPolicyInput
) -> GetKeyPolicyResult:
    context = info.context
    found = await operations.get_key_policy(
        context.services, context.call(info), input.key_id, input.policy_name
    )
    return GetKeyPolicyResult(policy=found.document, policy_name=found.name)


async def put_key_policy_resolver(
    info: GraphQLInfo, input: PutKeyPolicyInput
) -> PutKeyPolicyResult:
    context = info.context
    key = await operations.put_key_policy(
        context.services,
        context.call(info),
        input.key_id,
        input.policy,
        input.policy_name,
        bypass_lockout_check=input.bypass_policy_lockout_safety_check,
    )
    return PutKeyPolicyResult(key_metadata=KeyMetadata.of(key))


async def list_key_policies_resolver(
    info: GraphQLInfo, input: ListKeyPoliciesInput
) -> ListKeyPoliciesResult:
    context = info.context
    page = await operations.list_key_policies(
        context.services, context.call(info), input.key_id, input.limit, input.marker
    )
    return ListKeyPoliciesResult(
        policy_names=page.items, next_marker=page.next_marker, truncated=page.truncated
    )


@strawberry.type
class PoliciesQuery:
    get_key_policy: GetKeyPolicyResult = strawberry.field(resolver=get_key_policy_resolver)
    list_key_policies: ListKeyPoliciesResult = strawberry.field(resolver=list_key_policies_resolver)


@strawberry.type
class PoliciesMutation:
    put_key_policy: PutKeyPolicyResult = strawberry.field(resolver=put_key_policy_resolver)
