"""createGrant, listGrants, listRetirableGrants, retireGrant and revokeGrant over GraphQL, as the
account's root: what is stored, what is listed, and AWS's refusals."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

import httpx
import pytest

from api.grants import validation
from api.services import Services
from tests.grants.calls import (
    LIST_RETIRABLE,
    ROOT,
    create_grant,
    grant_ids,
    key_arn,
    list_grants,
    retire,
    revoke,
    user,
)
from tests.graphql_client import GraphQLFailure, gql
from tests.keys.test_aliases import new_key, set_state

GRANT_ID = re.compile(r"^[0-9a-f]{64}$")


async def refused(coroutine: object) -> GraphQLFailure:
    with pytest.raises(GraphQLFailure) as raised:
        await coroutine  # type: ignore[misc]
    return raised.value


async def test_create_list_retire_and_revoke(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    first = await create_grant(
        client,
        key_id,
        user("alice"),
        "Decrypt",
        "Encrypt",
        retiringPrincipal=user("ops"),
        constraints={"encryptionContextSubset": {"Department": "IT"}},
        name="alice-crypto",
    )
    second = await create_grant(client, f"{key_arn(key_id)}", user("bob"), "DescribeKey")
    assert GRANT_ID.match(first["grantId"]) and GRANT_ID.match(second["grantId"])
    assert first["grantToken"].startswith("kgt1.")

    page = await list_grants(client, key_id)
    assert page["truncated"] is False and page["nextMarker"] is None
    entries = {entry["grantId"]: entry for entry in page["grants"]}
    alice = entries[first["grantId"]]
    assert datetime.fromisoformat(alice.pop("creationDate"))
    assert alice == {
        "keyId": key_arn(key_id),
        "grantId": first["grantId"],
        "name": "alice-crypto",
        "granteePrincipal": user("alice"),
        "retiringPrincipal": user("ops"),
        "issuingAccount": ROOT,
        "operations": ["Decrypt", "Encrypt"],
        "constraints": {
            "encryptionContextSubset": {"Department": "IT"},
            "encryptionContextEquals": None,
        },
    }
    bob = entries[second["grantId"]]
    assert (bob["name"], bob["retiringPrincipal"], bob["constraints"]) == (None, None, None)
    assert [e["grantId"] for e in page["grants"]] == sorted(entries)

    filtered = await list_grants(client, key_id, granteePrincipal=user("bob"))
    assert [e["grantId"] for e in filtered["grants"]] == [second["grantId"]]
    one = await list_grants(client, key_id, grantId=first["grantId"])
    assert [e["grantId"] for e in one["grants"]] == [first["grantId"]]

    retired = await retire(client, grantToken=first["grantToken"])
    assert retired == {"keyId": key_arn(key_id), "grantId": first["grantId"]}
    await revoke(client, key_id, second["grantId"])
    assert await grant_ids(client, key_id) == []


async def test_listing_never_shows_a_token(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    created = await create_grant(client, key_id, user("alice"), "Encrypt")
    fields = await gql(client, '{ __type(name: "GrantListEntry") { fields { name } } }')
    names = [field["name"].lower() for field in fields["__type"]["fields"]]
    assert names and not [name for name in names if "token" in name]
    response = await client.post(
        "/graphql",
        json={
            "query": "query($k: String!) { listGrants(input: {keyId: $k}) "
            "{ grants { grantId keyId granteePrincipal operations } } }",
            "variables": {"k": key_id},
        },
    )
    assert created["grantId"] in response.text
    assert created["grantToken"] not in response.text
    assert created["grantToken"].split(".")[-1] not in response.text


async def test_the_same_named_request_returns_the_same_grant_with_a_new_token(
    client: httpx.AsyncClient,
) -> None:
    key_id = await new_key(client)
    members = {"name": "retry-me", "constraints": {"encryptionContextEquals": {"a": "1"}}}
    first = await create_grant(client, key_id, user("alice"), "Encrypt", "Decrypt", **members)
    again = await create_grant(client, key_id, user("alice"), "Decrypt", "Encrypt", **members)
    assert again["grantId"] == first["grantId"]
    assert again["grantToken"] != first["grantToken"]
    assert await grant_ids(client, key_id) == [first["grantId"]]

    # The same name with other parameters is another grant, as is a repeat without a name.
    wider = await create_grant(client, key_id, user("alice"), "Encrypt", name="retry-me")
    other_key = await create_grant(
        client, await new_key(client), user("alice"), "Encrypt", "Decrypt", **members
    )
    unnamed = [await create_grant(client, key_id, user("bob"), "Encrypt") for _ in range(2)]
    assert len({first["grantId"], wider["grantId"], other_key["grantId"]}) == 3
    assert unnamed[0]["grantId"] != unnamed[1]["grantId"]
    assert len(await grant_ids(client, key_id)) == 4

    # Every token of the grant works: the older one retires it.
    await retire(client, grantToken=first["grantToken"])
    assert first["grantId"] not in await grant_ids(client, key_id)
    gone = await refused(retire(client, grantToken=again["grantToken"]))
    assert gone.code == "NotFoundException"


async def test_operations_must_suit_the_key(client: httpx.AsyncClient) -> None:
    symmetric = await new_key(client)
    signing = await new_key(client, keySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY")
    rsa = await new_key(client, keySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")
    hmac = await new_key(client, keySpec="HMAC_256", keyUsage="GENERATE_VERIFY_MAC")

    sign = await refused(create_grant(client, symmetric, user("a"), "Encrypt", "Sign"))
    assert sign == GraphQLFailure(
        "ValidationException",
        f"Grant operation Sign is not valid for {key_arn(symmetric)}, a key with key spec "
        "SYMMETRIC_DEFAULT and key usage ENCRYPT_DECRYPT.",
    )
    data_key = await refused(create_grant(client, rsa, user("a"), "GenerateDataKey"))
    assert data_key.code == "ValidationException" and "GenerateDataKey" in data_key.message
    encrypt = await refused(create_grant(client, signing, user("a"), "Encrypt"))
    assert encrypt.code == "ValidationException"
    assert (await refused(create_grant(client, hmac, user("a"), "Sign"))).code == (
        "ValidationException"
    )
    # What each key can do is grantable.
    await create_grant(client, signing, user("a"), "Sign", "Verify", "GetPublicKey", "DescribeKey")
    await create_grant(
        client, rsa, user("a"), "Encrypt", "Decrypt", "ReEncryptFrom", "GetPublicKey"
    )
    await create_grant(client, hmac, user("a"), "GenerateMac", "VerifyMac", "RetireGrant")
    await create_grant(client, symmetric, user("a"), "GenerateDataKeyPair", "ReEncryptTo")

    only = await refused(create_grant(client, symmetric, user("a"), "CreateGrant"))
    assert only == GraphQLFailure(
        "ValidationException", "Grants must not contain only the CreateGrant operation."
    )
    none = await refused(create_grant(client, symmetric, user("a")))
    assert none.code == "ValidationException"


async def test_constraints_only_where_an_encryption_context_is_taken(
    client: httpx.AsyncClient,
) -> None:
    signing = await new_key(client, keySpec="RSA_2048", keyUsage="SIGN_VERIFY")
    rsa = await new_key(client, keySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")
    subset = {"encryptionContextSubset": {"k": "v"}}
    on_sign = await refused(create_grant(client, signing, user("a"), "Sign", constraints=subset))
    assert on_sign == GraphQLFailure(
        "ValidationException",
        f"Grant constraints are not valid with the grant operation Sign on {key_arn(signing)}: "
        "it takes no encryption context.",
    )
    on_rsa = await refused(create_grant(client, rsa, user("a"), "Decrypt", constraints=subset))
    assert on_rsa.code == "ValidationException"

    symmetric = await new_key(client)
    too_many = {"encryptionContextEquals": {f"k{n}": "v" for n in range(9)}}
    many = await refused(
        create_grant(client, symmetric, user("a"), "Decrypt", constraints=too_many)
    )
    assert many == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value at 'constraints.encryptionContextEquals' failed to "
        "satisfy constraint: Member must have at most 8 encryption context pairs",
    )
    long_value = {"encryptionContextSubset": {"k": "v" * 385}}
    long = await refused(
        create_grant(client, symmetric, user("a"), "Decrypt", constraints=long_value)
    )
    assert long.code == "ValidationException" and "v" * 385 not in long.message
    # Eight pairs of 384 characters, and constraints beside DescribeKey and CreateGrant, are fine.
    fits = {"encryptionContextSubset": {f"k{n}": "v" * 384 for n in range(8)}}
    await create_grant(
        client, symmetric, user("a"), "Decrypt", "DescribeKey", "CreateGrant", constraints=fits
    )


async def test_principals_names_and_key_ids_are_checked(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    not_arn = await refused(create_grant(client, key_id, "alice", "Encrypt"))
    assert not_arn == GraphQLFailure(
        "InvalidArnException", "ARN does not refer to a valid principal: alice"
    )
    group = await refused(
        create_grant(client, key_id, f"arn:aws:iam::{'1' * 12}:group/admins", "Encrypt")
    )
    assert group.code == "InvalidArnException"
    spaced = await refused(
        create_grant(client, key_id, "arn:aws:iam::111122223333:user/a b", "Encrypt")
    )
    assert spaced.code == "ValidationException" and "'granteePrincipal'" in spaced.message
    retiring = await refused(
        create_grant(client, key_id, user("a"), "Encrypt", retiringPrincipal="nobody")
    )
    assert retiring.code == "InvalidArnException"
    bad_name = await refused(create_grant(client, key_id, user("a"), "Encrypt", name="no spaces"))
    assert bad_name.code == "ValidationException" and "'name'" in bad_name.message

    await gql(
        client,
        "mutation($n: String!, $k: String!) { createAlias(input: {aliasName: $n, targetKeyId: $k})"
        " { keyMetadata { keyId } } }",
        {"n": "alias/granted", "k": key_id},
    )
    alias = await refused(create_grant(client, "alias/granted", user("a"), "Encrypt"))
    assert alias == GraphQLFailure(
        "InvalidArnException", "Key Aliases are not supported for this operation."
    )
    assert (await refused(list_grants(client, "alias/granted"))).code == "InvalidArnException"
    absent = await refused(
        create_grant(client, "1234abcd-12ab-34cd-56ef-1234567890ab", user("a"), "Encrypt")
    )
    assert absent.code == "NotFoundException"

    malformed = await refused(
        create_grant(client, key_id, user("a"), "Encrypt", grantTokens=["not-a-grant-token"])
    )
    assert malformed.code == "InvalidGrantTokenException"
    assert "not-a-grant-token" not in malformed.message
    eleven = await refused(
        create_grant(client, key_id, user("a"), "Encrypt", grantTokens=["t"] * 11)
    )
    assert eleven.code == "ValidationException"


async def test_grant_ids_and_markers_are_checked(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    bad_id = await refused(revoke(client, key_id, "not-a-grant-id"))
    assert bad_id == GraphQLFailure(
        "InvalidGrantIdException",
        "The request was rejected because the specified GrantId is not valid.",
    )
    assert (await refused(list_grants(client, key_id, grantId="x"))).code == (
        "InvalidGrantIdException"
    )
    unknown = "0" * 64
    absent = await refused(revoke(client, key_id, unknown))
    assert absent == GraphQLFailure(
        "NotFoundException", f"Grant {unknown} is not found for {key_arn(key_id)}."
    )
    assert (await list_grants(client, key_id, grantId=unknown))["grants"] == []
    marker = await refused(list_grants(client, key_id, marker="somewhere"))
    assert marker == GraphQLFailure("InvalidMarkerException", "The marker is not valid.")
    assert (await refused(list_grants(client, key_id, limit=0))).code == "ValidationException"

    neither = await refused(retire(client, keyId=key_id))
    assert neither.code == "ValidationException"
    no_input = await refused(gql(client, "mutation { retireGrant { grantId } }"))
    assert no_input.code == "ValidationException"


async def test_pages_of_grants(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    created = sorted(
        [
            (await create_grant(client, key_id, user(f"u{n}"), "Encrypt"))["grantId"]
            for n in range(5)
        ]
    )
    seen: list[str] = []
    marker = None
    pages = 0
    while True:
        page = await list_grants(client, key_id, limit=2, **({"marker": marker} if marker else {}))
        pages += 1
        seen += [entry["grantId"] for entry in page["grants"]]
        assert page["truncated"] is (page["nextMarker"] is not None)
        if not page["truncated"]:
            break
        assert page["nextMarker"] == page["grants"][-1]["grantId"]
        marker = page["nextMarker"]
    assert (seen, pages) == (created, 3)


async def test_retirable_grants_of_one_principal_across_keys(client: httpx.AsyncClient) -> None:
    first_key, second_key = await new_key(client), await new_key(client)
    mine = [
        (await create_grant(client, key, user("a"), "Encrypt", retiringPrincipal=user("ops")))[
            "grantId"
        ]
        for key in (first_key, second_key, first_key)
    ]
    await create_grant(client, first_key, user("a"), "Encrypt", retiringPrincipal=user("other"))
    await create_grant(client, second_key, user("ops"), "Encrypt")

    async def page(**members: object) -> dict[str, object]:
        data = await gql(
            client, LIST_RETIRABLE, {"i": {"retiringPrincipal": user("ops"), **members}}
        )
        found: dict[str, object] = data["listRetirableGrants"]
        return found

    everything = await page()
    listed = everything["grants"]
    assert isinstance(listed, list)
    assert [entry["grantId"] for entry in listed] == sorted(mine)
    assert {entry["keyId"] for entry in listed} == {key_arn(first_key), key_arn(second_key)}
    first = await page(limit=2)
    assert first["truncated"] is True
    rest = await page(limit=2, marker=first["nextMarker"])
    assert rest["truncated"] is False
    grants = [*first["grants"], *rest["grants"]]  # type: ignore[misc]
    assert [entry["grantId"] for entry in grants] == sorted(mine)
    bad = await refused(gql(client, LIST_RETIRABLE, {"i": {"retiringPrincipal": "ops"}}))
    assert bad.code == "InvalidArnException"


async def test_revoke_removes_the_grant_and_its_tokens(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    created = await create_grant(client, key_id, user("a"), "Encrypt", "RetireGrant")
    await revoke(client, key_arn(key_id), created["grantId"])
    assert await grant_ids(client, key_id) == []
    again = await refused(revoke(client, key_id, created["grantId"]))
    assert again.code == "NotFoundException"
    token = await refused(retire(client, grantToken=created["grantToken"]))
    assert token.code == "NotFoundException"


async def test_dry_runs_change_nothing(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    dry = await refused(create_grant(client, key_id, user("a"), "Encrypt", dryRun=True))
    assert dry == GraphQLFailure(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )
    assert await grant_ids(client, key_id) == []
    created = await create_grant(client, key_id, user("a"), "Encrypt")
    for attempt in (
        revoke(client, key_id, created["grantId"], dryRun=True),
        retire(client, keyId=key_id, grantId=created["grantId"], dryRun=True),
        retire(client, grantToken=created["grantToken"], dryRun=True),
    ):
        assert (await refused(attempt)).code == "DryRunOperationException"
    assert await grant_ids(client, key_id) == [created["grantId"]]


async def test_the_key_state_table_applies(client: httpx.AsyncClient, services: Services) -> None:
    key_id = await new_key(client)
    created = await create_grant(client, key_id, user("a"), "Encrypt")
    await set_state(services, key_id, "PendingDeletion")
    pending = await refused(create_grant(client, key_id, user("b"), "Encrypt"))
    assert pending == GraphQLFailure(
        "KMSInvalidStateException", f"{key_arn(key_id)} is pending deletion."
    )
    assert await grant_ids(client, key_id) == [created["grantId"]]
    await set_state(services, key_id, "Disabled")
    disabled = await refused(create_grant(client, key_id, user("b"), "Encrypt"))
    assert disabled == GraphQLFailure("DisabledException", f"{key_arn(key_id)} is disabled.")
    await set_state(services, key_id, "PendingDeletion")
    await retire(client, keyId=key_id, grantId=created["grantId"])
    assert await grant_ids(client, key_id) == []


async def test_constraints_are_listed_as_given(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    both = {"encryptionContextEquals": {"b": "2", "a": "1"}, "encryptionContextSubset": {"a": "1"}}
    await create_grant(client, key_id, user("a"), "Decrypt", constraints=both)
    page = await list_grants(client, key_id)
    constraints = page["grants"][0]["constraints"]
    assert constraints == {
        "encryptionContextEquals": {"a": "1", "b": "2"},
        "encryptionContextSubset": {"a": "1"},
    }


async def test_concurrent_retries_make_one_grant(client: httpx.AsyncClient) -> None:
    key_id = await new_key(client)
    created = await asyncio.gather(
        *(create_grant(client, key_id, user("a"), "Encrypt", name="once") for _ in range(6))
    )
    assert len({grant["grantId"] for grant in created}) == 1
    assert len({grant["grantToken"] for grant in created}) == 6
    assert await grant_ids(client, key_id) == [created[0]["grantId"]]


async def test_a_key_holds_a_bounded_number_of_grants(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS's quota is 50,000 grants per key; filling a key that far costs seconds, so the test
    lowers the bound and checks the rule."""
    assert validation.GRANTS_PER_KEY == 50_000
    monkeypatch.setattr(validation, "GRANTS_PER_KEY", 3)
    key_id = await new_key(client)
    named = await create_grant(client, key_id, user("a"), "Encrypt", name="kept")
    for grantee in ("b", "c"):
        await create_grant(client, key_id, user(grantee), "Encrypt")
    full = await refused(create_grant(client, key_id, user("d"), "Encrypt"))
    assert full == GraphQLFailure(
        "LimitExceededException",
        f"{key_arn(key_id)} already has 3 grants, the most a key can have.",
    )
    # A retry of an existing grant makes none, so it still answers.
    again = await create_grant(client, key_id, user("a"), "Encrypt", name="kept")
    assert again["grantId"] == named["grantId"]
    await revoke(client, key_id, named["grantId"])
    await create_grant(client, key_id, user("d"), "Encrypt")
