"""Access keys through the GraphQL door, as the account's root and as the user who holds them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from api.access_keys import signing_key
from api.principals import PrincipalKind, create_principal, principal_for
from api.services import Services
from keygraph.app import keygraph_app
from tests.graphql_client import GraphQLFailure, app_client, gql

ALICE = "arn:aws:iam::111122223333:user/alice"
CREATE = """mutation($p: String!) { createAccessKey(input: {principal: $p}) {
    accessKey { principal accessKeyId status secretAccessKey createDate } } }"""
LIST = """query($p: String!) { listAccessKeys(input: {principal: $p}) {
    accessKeyMetadata { principal accessKeyId status createDate } } }"""
DEACTIVATE = """mutation($k: String!) { deactivateAccessKey(input: {accessKeyId: $k}) {
    accessKeyMetadata { accessKeyId status } } }"""
DELETE = """mutation($k: String!) { deleteAccessKey(input: {accessKeyId: $k}) {
    accessKeyMetadata { accessKeyId status } } }"""


@pytest.fixture
async def alice(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with services.pool.acquire() as conn:
        issued = await create_principal(
            conn, principal_for(services.settings.account_id, "alice", PrincipalKind.USER)
        )
    async with app_client(keygraph_app(services.settings, services), issued.value) as http:
        yield http


async def test_a_key_from_creation_to_deletion(
    client: httpx.AsyncClient, alice: httpx.AsyncClient, services: Services
) -> None:
    created = (await gql(client, CREATE, {"p": ALICE}))["createAccessKey"]["accessKey"]
    key_id, secret = created["accessKeyId"], created["secretAccessKey"]
    assert (created["principal"], created["status"]) == (ALICE, "Active")
    found = await signing_key(services, key_id)
    assert found is not None and found.secret == secret

    listed = (await gql(alice, LIST, {"p": ALICE}))["listAccessKeys"]["accessKeyMetadata"]
    assert listed == [
        {
            "principal": ALICE,
            "accessKeyId": key_id,
            "status": "Active",
            "createDate": created["createDate"],
        }
    ]
    # A principal has no secretAccessKey to ask for but in the creation's answer.
    with pytest.raises(GraphQLFailure) as unknown:
        await gql(alice, LIST.replace("createDate", "secretAccessKey"), {"p": ALICE})
    assert "secretAccessKey" in unknown.value.message

    deactivated = await gql(client, DEACTIVATE, {"k": key_id})
    inactive = {"accessKeyId": key_id, "status": "Inactive"}
    assert deactivated["deactivateAccessKey"]["accessKeyMetadata"] == inactive
    assert await signing_key(services, key_id) is None
    deleted = await gql(client, DELETE, {"k": key_id})
    assert deleted["deleteAccessKey"]["accessKeyMetadata"] == inactive
    assert (await gql(client, LIST, {"p": ALICE}))["listAccessKeys"]["accessKeyMetadata"] == []


async def test_a_user_may_not_manage_its_own_keys(
    client: httpx.AsyncClient, alice: httpx.AsyncClient
) -> None:
    with pytest.raises(GraphQLFailure) as denied:
        await gql(alice, CREATE, {"p": ALICE})
    assert denied.value == GraphQLFailure(
        "AccessDeniedException",
        f"User: {ALICE} is not authorized to perform: keygraph:CreateAccessKey on resource: "
        f"{ALICE}: only the root principal of account 111122223333 may.",
    )
    key_id = (await gql(client, CREATE, {"p": ALICE}))["createAccessKey"]["accessKey"][
        "accessKeyId"
    ]
    for change in (DEACTIVATE, DELETE):
        with pytest.raises(GraphQLFailure) as refused:
            await gql(alice, change, {"k": key_id})
        assert refused.value.code == "AccessDeniedException"
    with pytest.raises(GraphQLFailure) as missing:
        await gql(client, DELETE, {"k": "KGAK" + "A" * 16})
    assert missing.value == GraphQLFailure(
        "NotFoundException", "Access key KGAKAAAAAAAAAAAAAAAA does not exist."
    )
