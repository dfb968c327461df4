"""Members of AWS's current KMS model that apply to one region, called with boto3 as a user calls
AWS: GetKeyLastUsage, DryRunModifiers, ListKeys' ResourceOwners and service principals on grants
(GenerateRandom's CustomKeyStoreId is in test_boto3_operations.py, with the spare token's store).
tests/aws_protocol/test_single_region.py makes the same calls through GraphQL."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws.door import AwsServer
from tests.aws.kms import error_of, new_key, wait_for_use

pytestmark = pytest.mark.slow

SERVICE = "dynamodb.amazonaws.com"
SOURCE = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"


def test_re_encrypt_is_the_last_use_of_both_keys(kms: Any) -> None:
    """API_GetKeyLastUsage.html: "The ReEncrypt operation uses two keys ... Usage information is
    recorded for both keys independently"."""
    source, destination = new_key(kms)["KeyId"], new_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=source, Plaintext=b"x")["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination)
    for key_id in (source, destination):
        usage = wait_for_use(kms, key_id, moved["ResponseMetadata"]["RequestId"])
        assert usage["Operation"] == "ReEncrypt"


def test_get_key_last_usage_is_refused_without_permission(kms: Any, second_kms: Any) -> None:
    """Required permissions: kms:GetKeyLastUsage (key policy), API_GetKeyLastUsage.html."""
    key_id = new_key(kms)["Arn"]
    with pytest.raises(ClientError) as refused:
        second_kms.get_key_last_usage(KeyId=key_id)
    code, message = error_of(refused.value)
    assert code == "AccessDeniedException" and "kms:GetKeyLastUsage" in message


def test_a_dry_run_ignoring_the_ciphertext(kms: Any, second_kms: Any) -> None:
    """API_Decrypt.html, DryRunModifiers: "When set to IGNORE_CIPHERTEXT, KMS performs only
    authorization validation without ciphertext validation"."""
    key_id = new_key(kms)["Arn"]
    for client, expected in ((kms, "DryRunOperationException"), (second_kms, "AccessDenied")):
        with pytest.raises(ClientError) as stopped:
            client.decrypt(KeyId=key_id, DryRun=True, DryRunModifiers=["IGNORE_CIPHERTEXT"])
        assert error_of(stopped.value)[0].startswith(expected)
    with pytest.raises(ClientError) as stopped:
        kms.re_encrypt(
            SourceKeyId=key_id,
            DestinationKeyId=new_key(kms)["KeyId"],
            DryRun=True,
            DryRunModifiers=["IGNORE_CIPHERTEXT"],
        )
    assert error_of(stopped.value)[0] == "DryRunOperationException"
    with pytest.raises(ClientError) as invalid:
        kms.decrypt(KeyId=key_id, DryRunModifiers=["IGNORE_CIPHERTEXT"])
    assert error_of(invalid.value) == (
        "ValidationException",
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_list_keys_resource_owners(kms: Any) -> None:
    """API_ListKeys.html, ResourceOwners: SELF lists the account's keys; OTHER_ACCOUNTS_VIA_RAM
    those shared through RAM, which keygraph has none of."""
    key_id = new_key(kms)["KeyId"]
    own = kms.list_keys(Limit=1000, ResourceOwners=["SELF"])
    assert key_id in [entry["KeyId"] for entry in own["Keys"]]
    shared = kms.list_keys(ResourceOwners=["OTHER_ACCOUNTS_VIA_RAM"])
    assert (shared["Keys"], shared["Truncated"]) == ([], False)


def test_a_grant_to_a_service_principal(kms: Any, aws: AwsServer) -> None:
    """API_CreateGrant.html: GranteeServicePrincipal needs a SourceArn constraint and a retiring
    principal; API_GrantListEntry.html lists the service principal as GranteePrincipal too."""
    key_id = new_key(kms)["KeyId"]
    with pytest.raises(ClientError) as refused:
        kms.create_grant(
            KeyId=key_id,
            GranteeServicePrincipal=SERVICE,
            RetiringServicePrincipal=SERVICE,
            Operations=["Decrypt"],
        )
    assert error_of(refused.value) == (
        "ValidationException",
        "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant "
        "constraint.",
    )
    grant_id = kms.create_grant(
        KeyId=key_id,
        GranteeServicePrincipal=SERVICE,
        RetiringPrincipal=f"arn:aws:iam::{aws.account_id}:root",
        Operations=["Decrypt"],
        Constraints={"SourceArn": SOURCE},
    )["GrantId"]
    (grant,) = kms.list_grants(KeyId=key_id, GranteeServicePrincipal=SERVICE)["Grants"]
    assert grant["GrantId"] == grant_id
    assert grant["GranteePrincipal"] == grant["GranteeServicePrincipal"] == SERVICE
    assert "RetiringServicePrincipal" not in grant
    assert grant["Constraints"] == {"SourceArn": SOURCE}
    kms.revoke_grant(KeyId=key_id, GrantId=grant_id)
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


@pytest.mark.parametrize(
    ("members", "starts"),
    [
        ({"MultiRegion": True}, "MultiRegion is not supported: keygraph has no multi-region keys."),
        ({"KeySpec": "ML_DSA_65", "KeyUsage": "SIGN_VERIFY"}, "ML_DSA_65 is not supported: "),
        ({"XksKeyId": "ext-key-1"}, "XksKeyId is not supported: External key stores"),
    ],
    ids=["multi-region", "ml-dsa", "xks"],
)
def test_an_unserved_feature_is_unsupported(kms: Any, members: dict[str, Any], starts: str) -> None:
    """What AWS answers a request for a feature an endpoint lacks: UnsupportedOperationException
    (API_CreateKey.html lists it among CreateKey's errors)."""
    with pytest.raises(ClientError) as refused:
        kms.create_key(**members)
    code, message = error_of(refused.value)
    assert code == "UnsupportedOperationException" and message.startswith(starts)
    assert kms.create_key(MultiRegion=False)["KeyMetadata"]["KeyState"] == "Enabled"
