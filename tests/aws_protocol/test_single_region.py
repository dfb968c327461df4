"""Members and operations of AWS's current KMS model that apply to one region, through both doors
in-process: GetKeyLastUsage, DryRunModifiers, ListKeys' ResourceOwners, GenerateRandom's
CustomKeyStoreId, and service principals on grants. Each expectation cites the page of AWS's API
reference (botocore's model carries the same text) it comes from; tests/aws/test_single_region.py
makes the same calls with boto3 against a served keygraph."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from api.services import Services
from db.key_usage import LAST_USE
from hsm import HsmConfig
from tests.authz.conftest import allow, policy, principal_client, user_arn
from tests.aws_protocol.conftest import AwsAnswer, post
from tests.graphql_client import GraphQLFailure, gql, gql_failure

__all__ = ["principal_client"]  # the fixture, shared with the authorization tests


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def aws(client: httpx.AsyncClient, action: str, body: dict[str, Any]) -> AwsAnswer:
    return await post(client, action, body)


async def new_key(client: httpx.AsyncClient, **members: Any) -> dict[str, Any]:
    answer = await aws(client, "CreateKey", members)
    assert answer.status == 200, answer.body
    metadata: dict[str, Any] = answer.body["KeyMetadata"]
    return metadata


LAST_USAGE = """
query ($keyId: String!) {
  getKeyLastUsage(input: {keyId: $keyId}) {
    keyId keyCreationDate trackingStartDate
    keyLastUsage { operation timestamp cloudTrailEventId kmsRequestId }
  }
}"""


async def last_usage(client: httpx.AsyncClient, key_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(client, LAST_USAGE, {"keyId": key_id}))["getKeyLastUsage"]
    return found


# --- GetKeyLastUsage ------------------------------------------------------------------------
# https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html: "If the key has
# not been used since tracking began, this response element is an empty object"; TrackingStartDate
# is "the date from which KMS began recording cryptographic activity for this key, or the date the
# KMS key was created, whichever is later"; ReEncrypt "usage information is recorded for both
# keys"; the operation's errors are NotFound, InvalidArn, DependencyTimeout and KMSInternal only.


async def test_a_key_never_used_has_an_empty_last_usage(client: httpx.AsyncClient) -> None:
    key = await new_key(client)
    answer = await aws(client, "GetKeyLastUsage", {"KeyId": key["KeyId"]})
    assert answer.status == 200
    assert answer.body == {
        "KeyId": key["KeyId"],
        "KeyLastUsage": {},
        "TrackingStartDate": key["CreationDate"],
        "KeyCreationDate": key["CreationDate"],
    }
    found = await last_usage(client, key["Arn"])
    assert found["keyId"] == key["KeyId"]
    assert found["keyLastUsage"] == dict.fromkeys(
        ("operation", "timestamp", "cloudTrailEventId", "kmsRequestId")
    )
    assert found["trackingStartDate"] == found["keyCreationDate"]


async def test_the_last_successful_use_is_answered_with_its_request_and_event(
    client: httpx.AsyncClient, services: Services
) -> None:
    key = await new_key(client)
    encrypted = await aws(client, "Encrypt", {"KeyId": key["KeyId"], "Plaintext": b64(b"hi")})
    request_id = encrypted.headers["x-amzn-requestid"]
    # A dry run and a refused call are no successful use.
    dry = await aws(
        client, "Decrypt", {"CiphertextBlob": encrypted.body["CiphertextBlob"], "DryRun": True}
    )
    assert dry.body["__type"] == "DryRunOperationException"
    await aws(client, "Sign", {"KeyId": key["KeyId"], "Message": b64(b"m"),
                               "SigningAlgorithm": "RSASSA_PSS_SHA_256"})  # fmt: skip
    await services.audit.flush()

    answer = await aws(client, "GetKeyLastUsage", {"KeyId": key["Arn"]})
    usage = answer.body["KeyLastUsage"]
    assert (usage["Operation"], usage["KmsRequestId"]) == ("Encrypt", request_id)
    events = await gql(
        client,
        "query ($key: String) { auditEvents(filter: {keyId: $key, action: "
        '"kms:Encrypt"}) { events { seq time } } }',
        {"key": key["Arn"]},
    )
    (event,) = events["auditEvents"]["events"]
    assert usage["CloudTrailEventId"] == event["seq"]
    assert usage["Timestamp"] == datetime.fromisoformat(event["time"]).timestamp()


async def test_re_encrypt_is_the_last_use_of_both_keys(
    client: httpx.AsyncClient, services: Services
) -> None:
    source, destination = await new_key(client), await new_key(client)
    blob = await aws(client, "Encrypt", {"KeyId": source["KeyId"], "Plaintext": b64(b"x")})
    moved = await aws(
        client,
        "ReEncrypt",
        {"CiphertextBlob": blob.body["CiphertextBlob"], "DestinationKeyId": destination["KeyId"]},
    )
    await services.audit.flush()
    for key in (source, destination):
        usage = (await last_usage(client, key["KeyId"]))["keyLastUsage"]
        assert usage["operation"] == "ReEncrypt"
        assert usage["kmsRequestId"] == moved.headers["x-amzn-requestid"]


async def test_every_key_state_answers(client: httpx.AsyncClient) -> None:
    key = await new_key(client)
    await aws(client, "DisableKey", {"KeyId": key["KeyId"]})
    assert (await aws(client, "GetKeyLastUsage", {"KeyId": key["KeyId"]})).status == 200
    await aws(client, "ScheduleKeyDeletion", {"KeyId": key["KeyId"], "PendingWindowInDays": 7})
    assert (await last_usage(client, key["KeyId"]))["keyId"] == key["KeyId"]


async def test_it_is_authorized_as_kms_get_key_last_usage(
    client: httpx.AsyncClient, principal_client: Any
) -> None:
    key = await new_key(client)
    alice = await principal_client("alice")
    refused = await gql_failure(alice, LAST_USAGE, {"keyId": key["Arn"]})
    assert refused.code == "AccessDeniedException"
    assert "kms:GetKeyLastUsage" in refused.message
    await aws(
        client,
        "PutKeyPolicy",
        {
            "KeyId": key["KeyId"],
            "PolicyName": "default",
            "Policy": policy(
                allow(f"arn:aws:iam::{key['AWSAccountId']}:root", "kms:*"),
                allow(user_arn("alice"), "kms:GetKeyLastUsage"),
            ),
        },
    )
    assert (await last_usage(alice, key["Arn"]))["keyId"] == key["KeyId"]


async def test_an_alias_is_no_key_here(client: httpx.AsyncClient) -> None:
    """API_GetKeyLastUsage.html, KeyId: "use its key ID or key ARN. Alias names are not
    supported"."""
    key = await new_key(client)
    await aws(client, "CreateAlias", {"AliasName": "alias/last-used", "TargetKeyId": key["KeyId"]})
    answer = await aws(client, "GetKeyLastUsage", {"KeyId": "alias/last-used"})
    assert answer.error[0] == "NotFoundException"
    assert (await gql_failure(client, LAST_USAGE, {"keyId": "alias/last-used"})).code == (
        "NotFoundException"
    )


async def test_the_read_is_one_probe_of_the_successful_uses_index(services: Services) -> None:
    """The statement must repeat migration 0011's predicate for the planner to use the index."""
    async with services.pool.acquire() as conn:
        await conn.execute("SET enable_seqscan = off")
        plan = "\n".join(row[0] for row in await conn.fetch(f"EXPLAIN {LAST_USE}", "arn:aws:kms:x"))
    assert "audit_events_key_use" in plan


# --- DryRunModifiers ------------------------------------------------------------------------
# https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#KMS-Decrypt-request-
# DryRunModifiers: "DryRunModifiers is an optional parameter that only applies when DryRun is set
# to true. When set to IGNORE_CIPHERTEXT, KMS performs only authorization validation without
# ciphertext validation"; the answer of a dry run is DryRunOperationException
# (https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html).

NULL_CIPHERTEXT = (
    "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
    "Member must not be null"
)


async def test_a_dry_run_ignoring_the_ciphertext_checks_authorization_only(
    client: httpx.AsyncClient,
) -> None:
    key = await new_key(client)
    ignore = {"DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}
    answer = await aws(client, "Decrypt", {"KeyId": key["KeyId"], **ignore})
    assert answer.body["__type"] == "DryRunOperationException"
    destination = await new_key(client)
    answer = await aws(
        client,
        "ReEncrypt",
        {"SourceKeyId": key["KeyId"], "DestinationKeyId": destination["KeyId"], **ignore},
    )
    assert answer.body["__type"] == "DryRunOperationException"
    failure = await gql_failure(
        client,
        "mutation ($k: String) { decrypt(input: {keyId: $k, dryRun: true, "
        "dryRunModifiers: [IGNORE_CIPHERTEXT]}) { keyId } }",
        {"k": key["KeyId"]},
    )
    assert failure.code == "DryRunOperationException"


async def test_a_dry_run_ignoring_the_ciphertext_is_refused_without_permission(
    client: httpx.AsyncClient, principal_client: Any
) -> None:
    key = await new_key(client)
    alice = await principal_client("alice")
    failure = await gql_failure(
        alice,
        "mutation ($k: String) { decrypt(input: {keyId: $k, dryRun: true, "
        "dryRunModifiers: [IGNORE_CIPHERTEXT]}) { keyId } }",
        {"k": key["Arn"]},
    )
    assert failure.code == "AccessDeniedException"
    assert "kms:Decrypt" in failure.message


async def test_the_ciphertext_is_required_otherwise(client: httpx.AsyncClient) -> None:
    key = await new_key(client)
    for body in (
        {"KeyId": key["KeyId"]},
        {"KeyId": key["KeyId"], "DryRunModifiers": ["IGNORE_CIPHERTEXT"]},  # DryRun not true
        {"KeyId": key["KeyId"], "DryRun": True},
    ):
        assert (await aws(client, "Decrypt", body)).error == (
            "ValidationException",
            NULL_CIPHERTEXT,
        )
    failure = await gql_failure(
        client, 'mutation { reEncrypt(input: {destinationKeyId: "x"}) { keyId } }'
    )
    assert (failure.code, failure.message) == ("ValidationException", NULL_CIPHERTEXT)


async def test_without_a_ciphertext_the_key_must_be_named(client: httpx.AsyncClient) -> None:
    answer = await aws(
        client, "Decrypt", {"DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}
    )
    assert answer.error == (
        "ValidationException",
        "KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.",
    )


# --- ListKeys ResourceOwners ----------------------------------------------------------------
# https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html#KMS-ListKeys-request-
# ResourceOwners: SELF "Lists the KMS keys in your Amazon Web Services account and Region";
# OTHER_ACCOUNTS_VIA_RAM lists keys other accounts share through RAM, which keygraph has none of.

LIST_KEYS = """
query ($owners: [ResourceOwnerType!], $marker: String) {
  listKeys(input: {resourceOwners: $owners, marker: $marker, limit: 1000}) {
    keys { keyId } truncated nextMarker
  }
}"""


async def test_resource_owners_self_lists_the_accounts_keys(client: httpx.AsyncClient) -> None:
    key = await new_key(client)
    default = await aws(client, "ListKeys", {"Limit": 1000})
    own = await aws(client, "ListKeys", {"Limit": 1000, "ResourceOwners": ["SELF"]})
    both = await aws(
        client, "ListKeys", {"Limit": 1000, "ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM", "SELF"]}
    )
    assert own.body == default.body == both.body
    assert key["KeyId"] in [entry["KeyId"] for entry in own.body["Keys"]]
    listed = (await gql(client, LIST_KEYS, {"owners": ["SELF"]}))["listKeys"]
    assert key["KeyId"] in [entry["keyId"] for entry in listed["keys"]]


async def test_keys_shared_through_ram_are_none(client: httpx.AsyncClient) -> None:
    await new_key(client)
    answer = await aws(client, "ListKeys", {"ResourceOwners": ["OTHER_ACCOUNTS_VIA_RAM"]})
    assert answer.body == {"Keys": [], "Truncated": False}
    listed = await gql(client, LIST_KEYS, {"owners": ["OTHER_ACCOUNTS_VIA_RAM"]})
    assert listed["listKeys"] == {"keys": [], "truncated": False, "nextMarker": None}
    failure = await gql_failure(
        client, LIST_KEYS, {"owners": ["OTHER_ACCOUNTS_VIA_RAM"], "marker": "x"}
    )
    assert failure.code == "InvalidMarkerException"


async def test_resource_owners_takes_one_or_two_values(client: httpx.AsyncClient) -> None:
    answer = await aws(client, "ListKeys", {"ResourceOwners": []})
    assert answer.error[0] == "ValidationException"
    assert "resourceOwners" in answer.error[1]


# --- GenerateRandom CustomKeyStoreId --------------------------------------------------------
# https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html: CustomKeyStoreId
# "Generates the random byte string in the CloudHSM cluster that is associated with the specified
# CloudHSM key store"; errors CustomKeyStoreNotFoundException and
# CustomKeyStoreInvalidStateException.

RANDOM = """
mutation ($store: String) {
  generateRandom(input: {numberOfBytes: 48, customKeyStoreId: $store}) { plaintext }
}"""


@pytest.fixture
async def store(client: httpx.AsyncClient, key_store_config: HsmConfig) -> AsyncIterator[str]:
    """A custom key store of the spare token, disconnected; deleted afterwards."""
    created = await aws(
        client,
        "CreateCustomKeyStore",
        {
            "CustomKeyStoreName": "random-source",
            "Pkcs11ModulePath": key_store_config.module_path,
            "TokenLabel": key_store_config.token_label,
            "KeyStorePassword": key_store_config.pin,
        },
    )
    store_id: str = created.body["CustomKeyStoreId"]
    yield store_id
    await aws(client, "DisconnectCustomKeyStore", {"CustomKeyStoreId": store_id})
    await aws(client, "DeleteCustomKeyStore", {"CustomKeyStoreId": store_id})


async def test_random_bytes_from_a_connected_store(client: httpx.AsyncClient, store: str) -> None:
    await aws(client, "ConnectCustomKeyStore", {"CustomKeyStoreId": store})
    answer = await aws(client, "GenerateRandom", {"NumberOfBytes": 32, "CustomKeyStoreId": store})
    assert len(base64.b64decode(answer.body["Plaintext"])) == 32
    made = (await gql(client, RANDOM, {"store": store}))["generateRandom"]
    assert len(base64.b64decode(made["plaintext"])) == 48


async def test_a_store_not_connected_is_an_invalid_state(
    client: httpx.AsyncClient, store: str
) -> None:
    answer = await aws(client, "GenerateRandom", {"NumberOfBytes": 8, "CustomKeyStoreId": store})
    assert answer.error[0] == "CustomKeyStoreInvalidStateException"
    failure = await gql_failure(client, RANDOM, {"store": store})
    assert failure.code == "CustomKeyStoreInvalidStateException"


async def test_an_unknown_store_is_not_found(client: httpx.AsyncClient) -> None:
    missing = "cks-0123456789abcdef0"
    answer = await aws(client, "GenerateRandom", {"NumberOfBytes": 8, "CustomKeyStoreId": missing})
    assert answer.error == (
        "CustomKeyStoreNotFoundException",
        f"Custom key store '{missing}' does not exist",
    )
    assert (await gql_failure(client, RANDOM, {"store": missing})).code == (
        "CustomKeyStoreNotFoundException"
    )


# --- Service principals on grants ------------------------------------------------------------
# https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html: "You must specify
# either GranteePrincipal or GranteeServicePrincipal, but not both"; "When you specify a
# GranteeServicePrincipal, you must also specify a SourceArn grant constraint. In addition, you
# must specify either a RetiringPrincipal or a RetiringServicePrincipal"; "You can specify either
# RetiringPrincipal or RetiringServicePrincipal, but not both". API_GrantListEntry.html: for a
# service grantee "the GranteePrincipal field contains an Amazon Web Services service principal".

SERVICE = "dynamodb.amazonaws.com"
SOURCE = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"


def service_grant(key_id: str, **members: Any) -> dict[str, Any]:
    return {
        "KeyId": key_id,
        "GranteeServicePrincipal": SERVICE,
        "RetiringServicePrincipal": SERVICE,
        "Operations": ["Encrypt", "Decrypt"],
        "Constraints": {"SourceArn": SOURCE},
        **members,
    }


async def test_a_grant_to_a_service_principal_is_stored_and_listed(
    client: httpx.AsyncClient,
) -> None:
    key = await new_key(client)
    made = await aws(client, "CreateGrant", service_grant(key["KeyId"]))
    assert made.status == 200, made.body
    listed = await aws(
        client, "ListGrants", {"KeyId": key["KeyId"], "GranteeServicePrincipal": SERVICE}
    )
    (grant,) = listed.body["Grants"]
    assert grant["GrantId"] == made.body["GrantId"]
    assert (grant["GranteePrincipal"], grant["GranteeServicePrincipal"]) == (SERVICE, SERVICE)
    assert (grant["RetiringPrincipal"], grant["RetiringServicePrincipal"]) == (SERVICE, SERVICE)
    assert grant["Constraints"] == {"SourceArn": SOURCE}
    retirable = await gql(
        client,
        "query ($s: String) { listRetirableGrants(input: {retiringServicePrincipal: $s}) "
        "{ grants { grantId granteeServicePrincipal constraints { sourceArn } } } }",
        {"s": SERVICE},
    )
    assert {
        "grantId": made.body["GrantId"],
        "granteeServicePrincipal": SERVICE,
        "constraints": {"sourceArn": SOURCE},
    } in retirable["listRetirableGrants"]["grants"]
    other = await aws(
        client,
        "ListGrants",
        {"KeyId": key["KeyId"], "GranteePrincipal": f"arn:aws:iam::{key['AWSAccountId']}:root"},
    )
    assert other.body["Grants"] == []


async def test_a_grant_to_an_iam_principal_lists_no_service_principal(
    client: httpx.AsyncClient,
) -> None:
    key = await new_key(client)
    await aws(
        client,
        "CreateGrant",
        {"KeyId": key["KeyId"], "GranteePrincipal": user_arn("bob"), "Operations": ["Encrypt"]},
    )
    (grant,) = (await aws(client, "ListGrants", {"KeyId": key["KeyId"]})).body["Grants"]
    assert "GranteeServicePrincipal" not in grant and "RetiringServicePrincipal" not in grant


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            {"GranteePrincipal": user_arn("bob")},
            "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
        ),
        (
            {"GranteeServicePrincipal": None},
            "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.",
        ),
        (
            {"RetiringPrincipal": user_arn("bob")},
            "You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.",
        ),
        (
            {"Constraints": None},
            "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant "
            "constraint.",
        ),
        (
            {"RetiringServicePrincipal": None},
            "When you specify a GranteeServicePrincipal, you must specify either a "
            "RetiringPrincipal or a RetiringServicePrincipal.",
        ),
    ],
)
async def test_create_grant_rules_for_service_principals(
    client: httpx.AsyncClient, members: dict[str, Any], message: str
) -> None:
    key = await new_key(client)
    body = {k: v for k, v in service_grant(key["KeyId"], **members).items() if v is not None}
    assert (await aws(client, "CreateGrant", body)).error == ("ValidationException", message)


async def test_a_service_principal_has_the_models_pattern(client: httpx.AsyncClient) -> None:
    key = await new_key(client)
    failure = await gql_failure(
        client,
        "mutation ($k: String!) { createGrant(input: {keyId: $k, operations: [Encrypt], "
        'granteeServicePrincipal: "dynamodb", retiringServicePrincipal: "dynamodb.amazonaws.com",'
        ' constraints: {sourceArn: "arn:aws:dynamodb:us-east-1:111122223333:table/t"}}) '
        "{ grantId } }",
        {"k": key["KeyId"]},
    )
    assert failure.code == "ValidationException"
    assert "granteeServicePrincipal" in failure.message and "regular expression" in failure.message


async def test_list_retirable_grants_needs_one_retiring_principal(
    client: httpx.AsyncClient,
) -> None:
    message = "You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both."
    assert (await aws(client, "ListRetirableGrants", {})).error == ("ValidationException", message)
    failure = await gql_failure(
        client,
        "query ($p: String, $s: String) { listRetirableGrants(input: {retiringPrincipal: $p, "
        "retiringServicePrincipal: $s}) { truncated } }",
        {"p": user_arn("bob"), "s": SERVICE},
    )
    assert failure == GraphQLFailure("ValidationException", message)


async def test_a_source_arn_constraint_permits_no_keygraph_call(
    client: httpx.AsyncClient, principal_client: Any
) -> None:
    """keygraph's requests are never made on behalf of an AWS resource (aws:SourceArn), so a grant
    constrained to one permits nothing, as a service principal's grant permits no keygraph
    caller."""
    key = await new_key(client)
    alice = await principal_client("alice")
    await aws(
        client,
        "CreateGrant",
        {
            "KeyId": key["KeyId"],
            "GranteePrincipal": user_arn("alice"),
            "Operations": ["Encrypt"],
            "Constraints": {"SourceArn": SOURCE},
        },
    )
    failure = await gql_failure(
        alice,
        'mutation ($k: String!) { encrypt(input: {keyId: $k, plaintext: "aGk="}) { keyId } }',
        {"k": key["Arn"]},
    )
    assert failure.code == "AccessDeniedException"


# --- Members and values keygraph does not serve ----------------------------------------------
# AWS answers UnsupportedOperationException for a feature an endpoint does not support (e.g.
# API_GenerateRandom.html: "If you specify the ID of an external key store, GenerateRandom throws
# an UnsupportedOperationException"). keygraph answers it, with the reason, for each member and
# enum value it does not serve (api.differences), through both doors alike.

MULTI_REGION = "MultiRegion is not supported: keygraph has no multi-region keys."


@pytest.mark.parametrize(
    ("action", "body", "graphql", "starts"),
    [
        ("CreateKey", {"MultiRegion": True}, "createKey(input: {multiRegion: true})", MULTI_REGION),
        (
            "CreateKey",
            {"XksKeyId": "ext-key-1"},
            'createKey(input: {xksKeyId: "ext-key-1"})',
            "XksKeyId is not supported: External key stores",
        ),
        (
            "CreateKey",
            {"KeySpec": "ML_DSA_44"},
            "createKey(input: {keySpec: ML_DSA_44})",
            "ML_DSA_44 is not supported: ",
        ),
        (
            "CreateKey",
            {"KeySpec": "SM2"},
            "createKey(input: {keySpec: SM2})",
            "SM2 is not supported: SM2 is offered only in China regions",
        ),
        (
            "GenerateRandom",
            {"NumberOfBytes": 8, "Recipient": {"AttestationDocument": b64(b"doc")}},
            'generateRandom(input: {numberOfBytes: 8, recipient: {attestationDocument: "ZG9j"}})',
            "Recipient is not supported: Recipient and CiphertextForRecipient serve Nitro",
        ),
        (
            "CreateCustomKeyStore",
            {
                "CustomKeyStoreName": "xks",
                "Pkcs11ModulePath": "/nowhere",
                "TokenLabel": "t",
                "KeyStorePassword": "p",
                "XksProxyUriEndpoint": "https://xks.example.com",
            },
            'createCustomKeyStore(input: {customKeyStoreName: "xks", pkcs11ModulePath: "/nowhere",'
            ' tokenLabel: "t", keyStorePassword: "p", xksProxyUriEndpoint: '
            '"https://xks.example.com"})',
            "XksProxyUriEndpoint is not supported: External key stores",
        ),
        (
            "CreateCustomKeyStore",
            {
                "CustomKeyStoreName": "xks",
                "Pkcs11ModulePath": "/nowhere",
                "TokenLabel": "t",
                "KeyStorePassword": "p",
                "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            },
            'createCustomKeyStore(input: {customKeyStoreName: "xks", pkcs11ModulePath: "/nowhere",'
            ' tokenLabel: "t", keyStorePassword: "p", customKeyStoreType: EXTERNAL_KEY_STORE})',
            "EXTERNAL_KEY_STORE is not supported: External key stores",
        ),
    ],
    ids=["multi-region", "xks-key", "ml-dsa", "sm2", "recipient", "xks-store", "xks-type"],
)
async def test_an_unserved_feature_is_refused_alike_through_both_doors(
    client: httpx.AsyncClient, action: str, body: dict[str, Any], graphql: str, starts: str
) -> None:
    code, message = (await aws(client, action, body)).error
    assert code == "UnsupportedOperationException" and message.startswith(starts), message
    failure = await gql_failure(client, f"mutation {{ {graphql} {{ __typename }} }}")
    assert (failure.code, failure.message) == (code, message)


async def test_a_member_that_asks_for_nothing_is_not_refused(client: httpx.AsyncClient) -> None:
    """MultiRegion: false asks for a single-region key, which every keygraph key is."""
    answer = await aws(client, "CreateKey", {"MultiRegion": False})
    assert answer.status == 200
    made = await gql(client, "mutation { createKey(input: {multiRegion: false}) { __typename } }")
    assert made["createKey"]["__typename"] == "CreateKeyResult"
