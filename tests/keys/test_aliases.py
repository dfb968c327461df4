"""createAlias, updateAlias, deleteAlias, listAliases over GraphQL, and the batch loader."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.keys.aliases import aliases_for_keys
from api.services import Services
from tests.graphql_client import GraphQLFailure, gql, walk_pages
from tests.keys.test_lifecycle import create_key
from tests.statements import looked_up_in_one_statement

SCOPE = "arn:aws:kms:us-east-1:111122223333"
CREATED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREATE = """
mutation($name: String!, $target: String!) {
  createAlias(input: {aliasName: $name, targetKeyId: $target}) { keyMetadata { keyId } }
}"""
UPDATE = """
mutation($name: String!, $target: String!) {
  updateAlias(input: {aliasName: $name, targetKeyId: $target}) { keyMetadata { keyId } }
}"""
DELETE = """
mutation($name: String!) { deleteAlias(input: {aliasName: $name}) { keyMetadata { keyId } } }
"""
LIST = """
query($input: ListAliasesInput) {
  listAliases(input: $input) {
    aliases { aliasName aliasArn targetKeyId creationDate lastUpdatedDate } nextMarker truncated
  }
}"""
DESCRIBE = "query($id: String!) { describeKey(input: {keyId: $id}) { keyMetadata { keyId } } }"


async def new_key(client: httpx.AsyncClient, **members: object) -> str:
    return str((await create_key(client, **members))["keyId"])


async def create_alias(client: httpx.AsyncClient, name: str, target: str) -> str:
    data = await gql(client, CREATE, {"name": name, "target": target})
    return str(data["createAlias"]["keyMetadata"]["keyId"])


async def update_alias(client: httpx.AsyncClient, name: str, target: str) -> str:
    data = await gql(client, UPDATE, {"name": name, "target": target})
    return str(data["updateAlias"]["keyMetadata"]["keyId"])


async def list_aliases(client: httpx.AsyncClient, **members: object) -> dict[str, Any]:
    data = await gql(client, LIST, {"input": members or None})
    page: dict[str, Any] = data["listAliases"]
    return page


async def described(client: httpx.AsyncClient, key_id: str) -> str:
    data = await gql(client, DESCRIBE, {"id": key_id})
    return str(data["describeKey"]["keyMetadata"]["keyId"])


async def failure(query: str, client: httpx.AsyncClient, **variables: object) -> GraphQLFailure:
    with pytest.raises(GraphQLFailure) as raised:
        await gql(client, query, variables)
    return raised.value


async def set_state(services: Services, key_id: str, state: str) -> None:
    """Puts a key straight into a state, so these tests need not depend on the operations that
    lead there (scheduleKeyDeletion is another part of the service)."""
    async with services.pool.acquire() as conn:
        await conn.execute("UPDATE keys SET state = $2 WHERE id = $1", uuid.UUID(key_id), state)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_an_alias_names_its_key_everywhere(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.clock = lambda: CREATED_AT
    key_id = await new_key(client)
    assert await create_alias(client, "alias/payments", key_id) == key_id
    assert await described(client, "alias/payments") == key_id
    assert await described(client, f"{SCOPE}:alias/payments") == key_id
    page = await list_aliases(client)
    assert page["truncated"] is False
    assert page["nextMarker"] is None
    [entry] = page["aliases"]
    assert entry["aliasName"] == "alias/payments"
    assert entry["aliasArn"] == f"{SCOPE}:alias/payments"
    assert entry["targetKeyId"] == key_id
    assert at(entry["creationDate"]) == at(entry["lastUpdatedDate"]) == CREATED_AT


async def test_an_alias_target_is_a_key_id_or_key_arn(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    assert await create_alias(client, "alias/by-arn", f"{SCOPE}:key/{key_id}") == key_id
    for target in ("alias/by-arn", f"{SCOPE}:alias/by-arn", "alias/missing"):
        assert await failure(CREATE, client, name="alias/other", target=target) == GraphQLFailure(
            "ValidationException", "Aliases must refer to keys. Not aliases"
        )
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert await failure(CREATE, client, name="alias/other", target=missing) == GraphQLFailure(
        "NotFoundException", f"Key '{SCOPE}:key/{missing}' does not exist"
    )
    assert await failure(CREATE, client, name="alias/other", target="nope") == GraphQLFailure(
        "NotFoundException", "Invalid keyId 'nope'"
    )
    assert [entry["aliasName"] for entry in (await list_aliases(client))["aliases"]] == [
        "alias/by-arn"
    ]


async def test_alias_names_follow_aws_rules(client: httpx.AsyncClient) -> None:
    source = await new_key(client)
    target = await new_key(client)
    await create_alias(client, "alias/existing", source)
    cases = {
        "payments": (
            "ValidationException",
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ),
        "alias/my alias": (
            "ValidationException",
            "1 validation error detected: Value 'alias/my alias' at 'aliasName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9:/_-]+$",
        ),
        "alias/é": (
            "ValidationException",
            "1 validation error detected: Value 'alias/é' at 'aliasName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9:/_-]+$",
        ),
        "alias/my:alias": (
            "ValidationException",
            "alias/my:alias contains invalid characters for an alias",
        ),
        "": (
            "ValidationException",
            # Both of the model's constraints fail, and AWS names each.
            "2 validation errors detected: Value '' at 'aliasName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; Value '' at 'aliasName' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "^[a-zA-Z0-9:/_-]+$",
        ),
        "alias/" + "a" * 251: (
            "ValidationException",
            f"1 validation error detected: Value 'alias/{'a' * 251}' at 'aliasName' failed to "
            "satisfy constraint: Member must have length less than or equal to 256",
        ),
    }
    for name, (code, message) in cases.items():
        for query in (CREATE, UPDATE):
            got = await failure(query, client, name=name, target=target)
            assert (got.code, got.message) == (code, message), (query, name)
        got = await failure(DELETE, client, name=name)
        assert (got.code, got.message) == (code, message), name
    for query in (CREATE, UPDATE):
        got = await failure(query, client, name="alias/aws/ebs", target=target)
        assert got.code == "NotAuthorizedException"
    # Longest allowed name, and every allowed kind of character.
    longest = "alias/" + "a" * 250
    assert await create_alias(client, longest, target) == target
    assert await create_alias(client, "alias/Team_1/svc-A", target) == target
    names = {entry["aliasName"] for entry in (await list_aliases(client))["aliases"]}
    assert names == {"alias/existing", longest, "alias/Team_1/svc-A"}


async def test_alias_names_are_unique_in_the_account_and_region(
    client: httpx.AsyncClient,
) -> None:
    first = await new_key(client)
    second = await new_key(client)
    await create_alias(client, "alias/shared", first)
    for target in (first, second):
        assert await failure(CREATE, client, name="alias/shared", target=target) == GraphQLFailure(
            "AlreadyExistsException",
            f"An alias with the name {SCOPE}:alias/shared already exists",
        )
    assert await described(client, "alias/shared") == first


async def test_at_most_fifty_aliases_per_key(client: httpx.AsyncClient) -> None:
    full = await new_key(client)
    other = await new_key(client)
    for number in range(50):
        await create_alias(client, f"alias/a{number:02}", full)
    refused = (
        "LimitExceededException",
        f"{SCOPE}:key/{full} already has 50 aliases, the most a key can have.",
    )
    got = await failure(CREATE, client, name="alias/one-more", target=full)
    assert (got.code, got.message) == refused
    await create_alias(client, "alias/elsewhere", other)
    got = await failure(UPDATE, client, name="alias/elsewhere", target=full)
    assert (got.code, got.message) == refused
    assert await described(client, "alias/elsewhere") == other
    assert len((await list_aliases(client, keyId=full, limit=100))["aliases"]) == 50
    # Pointing one of the key's own aliases at it again is no new alias.
    assert await update_alias(client, "alias/a00", full) == full


async def test_concurrent_creates_respect_the_limit_and_uniqueness(
    client: httpx.AsyncClient,
) -> None:
    key_id = await new_key(client)
    for number in range(45):
        await create_alias(client, f"alias/base{number:02}", key_id)

    async def attempt(name: str, target: str) -> str:
        try:
            await create_alias(client, name, target)
        except GraphQLFailure as failed:
            return failed.code
        return "ok"

    outcomes = await asyncio.gather(*(attempt(f"alias/race{n}", key_id) for n in range(12)))
    assert sorted(outcomes) == ["LimitExceededException"] * 7 + ["ok"] * 5
    assert len((await list_aliases(client, keyId=key_id, limit=100))["aliases"]) == 50

    others = [await new_key(client) for _ in range(4)]
    outcomes = await asyncio.gather(*(attempt("alias/contested", other) for other in others))
    assert sorted(outcomes) == ["AlreadyExistsException"] * 3 + ["ok"]
    assert await described(client, "alias/contested") in others


async def test_update_alias_points_it_at_another_key(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.clock = lambda: CREATED_AT
    first = await new_key(client)
    second = await new_key(client)
    await create_alias(client, "alias/moving", first)
    services.clock = lambda: CREATED_AT + timedelta(hours=1)
    assert await update_alias(client, "alias/moving", second) == second
    assert await described(client, "alias/moving") == second
    [entry] = (await list_aliases(client))["aliases"]
    assert entry["targetKeyId"] == second
    assert at(entry["creationDate"]) == CREATED_AT
    assert at(entry["lastUpdatedDate"]) == CREATED_AT + timedelta(hours=1)
    assert await failure(UPDATE, client, name="alias/absent", target=first) == GraphQLFailure(
        "NotFoundException", f"Alias {SCOPE}:alias/absent is not found."
    )
    assert await failure(UPDATE, client, name="alias/moving", target="alias/moving") == (
        GraphQLFailure("ValidationException", "Aliases must refer to keys. Not aliases")
    )


async def test_update_alias_keeps_key_type_and_usage(client: httpx.AsyncClient) -> None:
    symmetric = await new_key(client)
    hmac = await new_key(client, keySpec="HMAC_256", keyUsage="GENERATE_VERIFY_MAC")
    rsa = await new_key(client, keySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")
    p256 = await new_key(client, keySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY")
    p384 = await new_key(client, keySpec="ECC_NIST_P384", keyUsage="SIGN_VERIFY")
    await create_alias(client, "alias/sym", symmetric)
    assert await failure(UPDATE, client, name="alias/sym", target=hmac) == GraphQLFailure(
        "ValidationException",
        "Alias alias/sym cannot be changed from a CMK with key usage ENCRYPT_DECRYPT to a CMK "
        "with key usage GENERATE_VERIFY_MAC. The key usage of the current CMK and the new CMK "
        "must be the same.",
    )
    assert await failure(UPDATE, client, name="alias/sym", target=rsa) == GraphQLFailure(
        "ValidationException",
        "Alias alias/sym cannot be changed from a CMK with key type SYMMETRIC to a CMK with key "
        "type ASYMMETRIC. The key type of the current CMK and the new CMK must be the same.",
    )
    assert await described(client, "alias/sym") == symmetric
    # Two asymmetric signing keys of different specs are the same type and usage.
    await create_alias(client, "alias/signer", p256)
    assert await update_alias(client, "alias/signer", p384) == p384


async def test_key_states(client: httpx.AsyncClient, services: Services) -> None:
    doomed = await new_key(client)
    disabled = await new_key(client)
    live = await new_key(client)
    await create_alias(client, "alias/doomed", doomed)
    await create_alias(client, "alias/rescue", doomed)
    await create_alias(client, "alias/live", live)
    await gql(client, "mutation($id: String!) { disableKey(input: {keyId: $id}) { keyMetadata "
              "{ keyState } } }", {"id": disabled})  # fmt: skip
    assert await create_alias(client, "alias/disabled", disabled) == disabled
    await set_state(services, doomed, "PendingDeletion")
    pending = GraphQLFailure(
        "KMSInvalidStateException", f"{SCOPE}:key/{doomed} is pending deletion."
    )
    assert await failure(CREATE, client, name="alias/more", target=doomed) == pending
    assert await failure(UPDATE, client, name="alias/live", target=doomed) == pending
    # Moving an alias away from a key pending deletion, listing and deleting its aliases work.
    assert await update_alias(client, "alias/rescue", live) == live
    listed = await list_aliases(client, keyId=doomed)
    assert [entry["aliasName"] for entry in listed["aliases"]] == ["alias/doomed"]
    data = await gql(client, DELETE, {"name": "alias/doomed"})
    assert data["deleteAlias"]["keyMetadata"]["keyId"] == doomed
    assert (await list_aliases(client, keyId=doomed))["aliases"] == []


async def test_delete_alias(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    await create_alias(client, "alias/short-lived", key_id)
    data = await gql(client, DELETE, {"name": "alias/short-lived"})
    assert data["deleteAlias"]["keyMetadata"]["keyId"] == key_id
    gone = GraphQLFailure("NotFoundException", f"Alias {SCOPE}:alias/short-lived is not found.")
    assert await failure(DESCRIBE, client, id="alias/short-lived") == gone
    assert await failure(DELETE, client, name="alias/short-lived") == gone
    # keygraph has no AWS managed aliases: a reserved name is simply absent.
    assert await failure(DELETE, client, name="alias/aws/ebs") == GraphQLFailure(
        "NotFoundException", f"Alias {SCOPE}:alias/aws/ebs is not found."
    )
    assert await described(client, key_id) == key_id
    # The name is free again.
    assert await create_alias(client, "alias/short-lived", key_id) == key_id


async def test_list_aliases_pages_and_filters(client: httpx.AsyncClient) -> None:
    first = await new_key(client)
    second = await new_key(client)
    names = [f"alias/p{number}" for number in range(5)]
    for number, name in enumerate(names):
        await create_alias(client, name, first if number % 2 == 0 else second)
    pages = await walk_pages(lambda marker: list_aliases(client, limit=2, marker=marker), "aliases")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [entry["aliasName"] for page in pages for entry in page] == names
    for key_id, mine in ((first, names[0::2]), (second, names[1::2])):
        page = await list_aliases(client, keyId=key_id)
        assert [entry["aliasName"] for entry in page["aliases"]] == mine
        assert {entry["targetKeyId"] for entry in page["aliases"]} == {key_id}
    # ListAliases' KeyId takes a key id or key ARN only (AWS's reference, API_ListAliases.html).
    with pytest.raises(GraphQLFailure) as by_alias:
        await list_aliases(client, keyId="alias/p1")
    assert by_alias.value == GraphQLFailure("NotFoundException", "Invalid keyId 'alias/p1'")
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(GraphQLFailure) as raised:
        await list_aliases(client, keyId=missing)
    assert raised.value == GraphQLFailure(
        "NotFoundException", f"Key '{SCOPE}:key/{missing}' does not exist"
    )
    for limit, bound in ((0, "greater than or equal to 1"), (1001, "less than or equal to 1000")):
        with pytest.raises(GraphQLFailure) as raised:
            await list_aliases(client, limit=limit)
        assert raised.value == GraphQLFailure(
            "ValidationException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {bound}",
        )
    with pytest.raises(GraphQLFailure) as raised:
        await list_aliases(client, marker="garbage")
    assert raised.value == GraphQLFailure("InvalidMarkerException", "The marker is not valid.")


async def test_list_aliases_pages_hold_at_most_one_hundred(client: httpx.AsyncClient) -> None:
    key_ids = [await new_key(client) for _ in range(3)]
    for batch in (range(0, 50), range(50, 101)):
        fields = " ".join(
            f'a{n}: createAlias(input: {{aliasName: "alias/n{n:03}", targetKeyId: '
            f'"{key_ids[n % 3]}"}}) {{ keyMetadata {{ keyId }} }}'
            for n in batch
        )
        await gql(client, f"mutation {{ {fields} }}")
    default = await list_aliases(client)
    assert len(default["aliases"]) == 50
    assert default["truncated"] is True
    most = await list_aliases(client, limit=1000)
    assert len(most["aliases"]) == 100
    rest = await list_aliases(client, limit=1000, marker=most["nextMarker"])
    assert [entry["aliasName"] for entry in rest["aliases"]] == ["alias/n100"]
    assert rest["truncated"] is False


async def test_aliases_for_keys_is_one_statement(
    client: httpx.AsyncClient, services: Services
) -> None:
    keys = [await new_key(client) for _ in range(3)]
    await create_alias(client, "alias/b", keys[0])
    await create_alias(client, "alias/a", keys[0])
    await create_alias(client, "alias/c", keys[1])
    ids = [uuid.UUID(key_id) for key_id in keys]
    found = await looked_up_in_one_statement(services, aliases_for_keys, ids)
    assert list(found) == ids
    assert [alias.name for alias in found[ids[0]]] == ["alias/a", "alias/b"]
    assert [alias.arn for alias in found[ids[1]]] == [f"{SCOPE}:alias/c"]
    assert found[ids[2]] == []
    assert {alias.target_key_id for alias in found[ids[0]]} == {keys[0]}
