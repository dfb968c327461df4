"""Key policies and identity policies decide, as AWS KMS decides: each test has two principals,
one that may and one that may not."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from api.principals import PrincipalKind
from api.services import Services
from api.settings import ConfigurationError, from_env
from tests.authz.conftest import (
    ACCOUNT,
    OTHER_ACCOUNT,
    ROOT_ADMIN,
    Clients,
    allow,
    attach,
    create_key,
    decrypt,
    deny,
    encrypt,
    grants_identity,
    identity,
    policy,
    user_arn,
)
from tests.graphql_client import GraphQLFailure, gql

KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"
ENV = {
    "KEYGRAPH_DATABASE_URL": "postgresql://localhost/keygraph",
    "KEYGRAPH_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "KEYGRAPH_TOKEN_LABEL": "keygraph",
    "KEYGRAPH_PIN": "1234",
}


async def denied(call: object) -> GraphQLFailure:
    with pytest.raises(GraphQLFailure) as caught:
        await call  # type: ignore[misc]
    assert caught.value.code == "AccessDeniedException"
    return caught.value


async def test_a_user_without_policy_or_grant_is_denied_with_awss_message(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    key_id = await create_key(client)
    failure = await denied(encrypt(alice, key_id))
    assert failure.message == (
        f"User: {user_arn('alice')} is not authorized to perform: kms:Encrypt on resource: "
        f"{KEY_ARN}{key_id} because no resource-based policy allows the kms:Encrypt action"
    )
    # The root of the account is allowed by the default key policy.
    assert await encrypt(client, key_id)


async def test_a_key_policy_naming_a_user_allows_that_user_only(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    key_id = await create_key(
        client, policy(ROOT_ADMIN, allow(user_arn("alice"), "kms:Encrypt", "kms:Decrypt"))
    )
    blob = await encrypt(alice, key_id)
    assert await decrypt(alice, blob) == "c2VjcmV0"
    await denied(encrypt(bob, key_id))
    await denied(decrypt(bob, blob))
    # Allowed Encrypt and Decrypt, not DescribeKey.
    describe = "query($k: String!) { describeKey(input: {keyId: $k}) { keyMetadata { keyId } } }"
    await denied(gql(alice, describe, {"k": key_id}))


async def test_the_default_key_policy_delegates_to_identity_policies(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    key_id = await create_key(client)
    await attach(client, user_arn("alice"), identity(grants_identity("kms:Encrypt")))
    assert await encrypt(alice, key_id)
    await denied(encrypt(bob, key_id))
    # The identity policy names Encrypt only.
    blob = await encrypt(alice, key_id)
    await denied(decrypt(alice, blob))


async def test_an_identity_policy_does_not_reach_a_key_whose_policy_does_not_delegate(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    await attach(client, user_arn("alice"), identity(grants_identity("kms:*")))
    delegating = await create_key(client)
    assert await encrypt(alice, delegating)
    # Names bob only: nothing for the account's identity policies to build on.
    bobs = await create_key(
        client, policy(allow(user_arn("bob"), "kms:*")), bypassPolicyLockoutSafetyCheck=True
    )
    await denied(encrypt(alice, bobs))
    await denied(encrypt(client, bobs))  # not even the root: the policy left it out


async def test_an_explicit_deny_wins_over_an_allow(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    no_bob = deny(user_arn("bob"), "kms:Encrypt")
    key_id = await create_key(client, policy(ROOT_ADMIN, allow("*", "kms:Encrypt"), no_bob))
    assert await encrypt(alice, key_id)
    failure = await denied(encrypt(bob, key_id))
    assert failure.message.endswith("with an explicit deny in a resource-based policy")


async def test_encryption_context_conditions_are_honoured(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    statement = allow(
        user_arn("alice"),
        "kms:Encrypt",
        Condition={"StringEquals": {"kms:EncryptionContext:Department": "Finance"}},
    )
    other = allow(
        user_arn("bob"),
        "kms:Encrypt",
        Condition={"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Project"]}},
    )
    key_id = await create_key(client, policy(ROOT_ADMIN, statement, other))
    assert await encrypt(alice, key_id, {"Department": "Finance"})
    await denied(encrypt(alice, key_id, {"Department": "Sales"}))
    await denied(encrypt(alice, key_id))
    assert await encrypt(bob, key_id, {"Project": "x"})
    await denied(encrypt(bob, key_id, {"Project": "x", "Department": "Finance"}))


async def test_catalog_condition_keys_are_supplied_from_the_request(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    statement = allow(
        "*",
        "kms:Encrypt",
        Condition={
            "StringEquals": {
                "kms:CallerAccount": ACCOUNT,
                "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "aws:PrincipalArn": user_arn("alice"),
            },
            "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
        },
    )
    key_id = await create_key(client, policy(ROOT_ADMIN, statement))
    assert await encrypt(alice, key_id)
    await denied(encrypt(bob, key_id))


async def test_a_key_the_catalog_does_not_list_for_the_action_is_absent(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    """kms:SigningAlgorithm means nothing to Encrypt: Null says it is absent, and a statement
    that needs it never matches."""
    alice, bob = await principal_client("alice"), await principal_client("bob")
    absent = allow(
        user_arn("alice"),
        "kms:Encrypt",
        "kms:Sign",
        Condition={"Null": {"kms:SigningAlgorithm": "true"}},
    )
    present = allow(
        user_arn("bob"),
        "kms:Encrypt",
        "kms:Sign",
        Condition={"StringLike": {"kms:SigningAlgorithm": "*"}},
    )
    key_id = await create_key(client, policy(ROOT_ADMIN, absent, present))
    assert await encrypt(alice, key_id)
    await denied(encrypt(bob, key_id))


async def test_resource_tags_feed_aws_resource_tag(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    statement = allow(
        user_arn("alice"),
        "kms:Encrypt",
        Condition={"StringEquals": {"aws:ResourceTag/Team": "Blue"}},
    )
    key_id = await create_key(client, policy(ROOT_ADMIN, statement))
    await denied(encrypt(alice, key_id))
    await gql(
        client,
        "mutation($i: TagResourceInput!) { tagResource(input: $i) { keyMetadata { keyId } } }",
        {"i": {"keyId": key_id, "tags": [{"tagKey": "Team", "tagValue": "Blue"}]}},
    )
    assert await encrypt(alice, key_id)


async def test_actions_without_a_key_follow_the_identity_policy(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice, bob = await principal_client("alice"), await principal_client("bob")
    create = "mutation { createKey { keyMetadata { keyId } } }"
    await attach(client, user_arn("alice"), identity(grants_identity("kms:CreateKey")))
    assert (await gql(alice, create))["createKey"]["keyMetadata"]["keyId"]
    failure = await denied(gql(bob, create))
    assert failure.message == (
        f"User: {user_arn('bob')} is not authorized to perform: kms:CreateKey on resource: * "
        "because no identity-based policy allows the kms:CreateKey action"
    )
    assert (await gql(client, create))["createKey"]["keyMetadata"]["keyId"]  # root


async def test_identity_policy_conditions_on_create_key(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    alice = await principal_client("alice")
    only_symmetric = grants_identity(
        "kms:CreateKey", Condition={"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}
    )
    await attach(client, user_arn("alice"), identity(only_symmetric))
    assert await create_key(alice)
    await denied(create_key(alice, keySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY"))


async def test_a_principal_of_another_account_needs_the_key_policy_and_its_own_policy(
    client: httpx.AsyncClient, principal_client: Clients
) -> None:
    carol = await principal_client("carol", account=OTHER_ACCOUNT)
    key_id = await create_key(client, policy(ROOT_ADMIN, allow(OTHER_ACCOUNT, "kms:Encrypt")))
    key_arn = f"{KEY_ARN}{key_id}"
    await denied(encrypt(carol, key_arn))
    # Its own account's root attaches the identity policy.
    other_root = await principal_client("root", PrincipalKind.ROOT, OTHER_ACCOUNT)
    carols = identity(grants_identity("kms:Encrypt"))
    await attach(other_root, user_arn("carol", OTHER_ACCOUNT), carols)
    assert await encrypt(carol, key_arn)


async def test_authorization_off_is_for_measuring_only(
    services: Services, principal_client: Clients, client: httpx.AsyncClient
) -> None:
    """KEYGRAPH_AUTHORIZATION=off lets every call through (the benchmark compares with it), and
    production refuses it."""
    with pytest.raises(ConfigurationError, match="cannot be off in production"):
        from_env({**ENV, "KEYGRAPH_AUTHORIZATION": "off", "KEYGRAPH_MODE": "production"})
    assert from_env({**ENV, "KEYGRAPH_AUTHORIZATION": "off"}).authorization is False
    alice = await principal_client("alice")
    key_id = await create_key(client)
    await denied(encrypt(alice, key_id))
    services.settings = replace(services.settings, authorization=False)
    assert await encrypt(alice, key_id)


async def test_another_accounts_principals_never_get_keyless_actions_here(
    principal_client: Clients,
) -> None:
    """Their own root, or their own identity policy, speaks for their account, not this one."""
    outsider_root = await principal_client("root", PrincipalKind.ROOT, OTHER_ACCOUNT)
    carol = await principal_client("carol", account=OTHER_ACCOUNT)
    await attach(
        outsider_root, user_arn("carol", OTHER_ACCOUNT), identity(grants_identity("kms:*"))
    )
    for caller in (outsider_root, carol):
        await denied(gql(caller, "mutation { createKey { keyMetadata { keyId } } }"))
        await denied(gql(caller, "{ listKeys { keys { keyId } } }"))
