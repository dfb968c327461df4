"""Who may retire a grant: its retiring principal, its grantee when it allows RetireGrant, and the
key's account root; nobody else. The decision is recorded on the call for the audit trail."""

from __future__ import annotations

import httpx
import pytest

from api.calls import Call, Scope
from api.decisions import Outcome, Reason, Source
from api.errors import AccessDeniedException
from api.operations.grants import RetireGrantRequest, retire_grant
from api.principals import Principal, PrincipalKind
from api.services import Services
from tests.authz.conftest import Clients
from tests.grants.calls import create_grant, grant_ids, key_arn, not_authorized, retire, user
from tests.graphql_client import GraphQLFailure
from tests.keys.test_aliases import new_key


async def test_the_retiring_principal_may_retire(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    ops = await principal_client("ops")
    key_id = await new_key(client)
    by_id = await create_grant(
        client, key_id, user("alice"), "Encrypt", retiringPrincipal=user("ops")
    )
    by_token = await create_grant(
        client, key_id, user("alice"), "Encrypt", retiringPrincipal=user("ops")
    )
    await retire(ops, keyId=key_id, grantId=by_id["grantId"])
    await retire(ops, grantToken=by_token["grantToken"])
    assert await grant_ids(client, key_id) == []


async def test_the_grantee_only_with_retire_grant(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await new_key(client)
    without = await create_grant(client, key_id, user("alice"), "Encrypt")
    with_retire = await create_grant(client, key_id, user("alice"), "Encrypt", "RetireGrant")
    with pytest.raises(GraphQLFailure) as raised:
        await retire(alice, grantToken=without["grantToken"])
    assert raised.value == not_authorized(user("alice"), "RetireGrant", key_id)
    await retire(alice, grantToken=with_retire["grantToken"])
    assert await grant_ids(client, key_id) == [without["grantId"]]


async def test_another_principal_may_not_even_with_the_token(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    mallory = await principal_client("mallory")
    key_id = await new_key(client)
    created = await create_grant(
        client, key_id, user("alice"), "Encrypt", "RetireGrant", retiringPrincipal=user("ops")
    )
    for attempt in (
        retire(mallory, grantToken=created["grantToken"]),
        retire(mallory, keyId=key_id, grantId=created["grantId"]),
    ):
        with pytest.raises(GraphQLFailure) as raised:
            await attempt
        assert raised.value == not_authorized(user("mallory"), "RetireGrant", key_id)
    assert await grant_ids(client, key_id) == [created["grantId"]]


def call_as(services: Services, principal: Principal) -> Call:
    settings = services.settings
    return Call(
        principal=principal,
        scope=Scope(settings.account_id, settings.region),
        now=services.clock(),
    )


async def test_the_decision_is_recorded_on_the_call(
    client: httpx.AsyncClient, services: Services
) -> None:
    key_id = await new_key(client)
    first = await create_grant(
        client, key_id, user("alice"), "Encrypt", retiringPrincipal=user("ops")
    )
    second = await create_grant(client, key_id, user("alice"), "Encrypt")
    account = services.settings.account_id

    refused = call_as(services, Principal(account, PrincipalKind.USER, "mallory"))
    with pytest.raises(AccessDeniedException):
        await retire_grant(services, refused, RetireGrantRequest(grant_token=first["grantToken"]))
    [decision] = refused.decisions
    assert (decision.action, decision.resource, decision.outcome, decision.reasons) == (
        "kms:RetireGrant",
        key_arn(key_id),
        Outcome.IMPLICIT_DENY,
        (),
    )

    retiring = call_as(services, Principal(account, PrincipalKind.USER, "ops"))
    await retire_grant(services, retiring, RetireGrantRequest(grant_token=first["grantToken"]))
    [decision] = retiring.decisions
    assert decision.allowed
    assert decision.reasons == (Reason(Source.GRANT, "Allow", grant_id=first["grantId"]),)
    assert decision.grant_ids == (first["grantId"],)

    root = call_as(services, Principal.root(account))
    request = RetireGrantRequest(key_id=key_id, grant_id=second["grantId"])
    retired = await retire_grant(services, root, request)
    assert retired.grant_id == second["grantId"]
    assert [d.decided_by for d in root.decisions] == ["Root"]
