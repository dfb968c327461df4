"""The errors a boto3 user meets, as botocore raises them: the exception class KMS's model names
(``client.exceptions.NotFoundException``...), AWS's error code and message, HTTP 400. Errors
botocore's KMS model does not name (AccessDeniedException, ValidationException and the
authentication errors, AWS's common errors) are plain ``ClientError``s with AWS's code, as they
are against AWS."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from api.errors import DryRunOperationException
from tests.aws.door import SECOND_PRINCIPAL, AccessKey, AwsServer
from tests.aws.kms import alias_arn, error_of, key_arn, new_key, unique
from tests.aws_messages import validation_message

pytestmark = pytest.mark.slow


def refused(kms: Any, error: str, attempt: Any, *args: Any, **members: Any) -> str:
    """The message of ``attempt(*args, **members)``, which must fail with ``error``: botocore's
    modeled class when KMS's model has one, else a plain ``ClientError``; HTTP 400."""
    modeled = getattr(kms.exceptions, error, None)
    with pytest.raises(ClientError) as raised:
        attempt(*args, **members)
    if modeled is None:
        assert type(raised.value) is ClientError
    else:
        assert isinstance(raised.value, modeled)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    code, message = error_of(raised.value)
    assert code == error
    return message


def test_a_key_that_does_not_exist_is_not_found(aws: AwsServer, kms: Any) -> None:
    missing = str(uuid.uuid4())
    message = refused(kms, "NotFoundException", kms.describe_key, KeyId=missing)
    assert message == f"Key '{key_arn(aws, missing)}' does not exist"
    message = refused(
        kms, "NotFoundException", kms.encrypt, KeyId=key_arn(aws, missing), Plaintext=b"x"
    )
    assert message == f"Key '{key_arn(aws, missing)}' does not exist"
    alias = unique("alias/missing")
    message = refused(kms, "NotFoundException", kms.encrypt, KeyId=alias, Plaintext=b"x")
    assert message == f"Alias {alias_arn(aws, alias)} is not found."
    message = refused(kms, "NotFoundException", kms.describe_key, KeyId="not-a-key-id")
    assert message == "Invalid keyId 'not-a-key-id'"


def test_a_disabled_key_refuses_cryptography(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    ciphertext = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key_id)
    disabled = f"{key_arn(aws, key_id)} is disabled."
    assert refused(kms, "DisabledException", kms.encrypt, KeyId=key_id, Plaintext=b"x") == disabled
    assert refused(kms, "DisabledException", kms.decrypt, CiphertextBlob=ciphertext) == disabled
    message = refused(
        kms, "DisabledException", kms.generate_data_key, KeyId=key_id, NumberOfBytes=32
    )
    assert message == disabled


def test_a_key_pending_deletion_is_in_an_invalid_state(aws: AwsServer, kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    pending = f"{key_arn(aws, key_id)} is pending deletion."
    message = refused(kms, "KMSInvalidStateException", kms.encrypt, KeyId=key_id, Plaintext=b"x")
    assert message == pending
    assert refused(kms, "KMSInvalidStateException", kms.enable_key, KeyId=key_id) == pending
    # Scheduling again is refused too; cancelling works and leaves the key disabled.
    message = refused(kms, "KMSInvalidStateException", kms.schedule_key_deletion, KeyId=key_id)
    assert message == pending
    kms.cancel_key_deletion(KeyId=key_id)
    message = refused(kms, "KMSInvalidStateException", kms.cancel_key_deletion, KeyId=key_id)
    assert message == f"{key_arn(aws, key_id)} is not pending deletion."


def test_a_ciphertext_that_is_not_one_is_invalid(kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"a": "1"})["CiphertextBlob"]
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    for attempt in (
        {"CiphertextBlob": b"not a ciphertext at all"},
        {"CiphertextBlob": tampered, "EncryptionContext": {"a": "1"}},
        {"CiphertextBlob": blob},  # without its encryption context
        {"CiphertextBlob": blob, "EncryptionContext": {"a": "2"}},
    ):
        assert refused(kms, "InvalidCiphertextException", kms.decrypt, **attempt) == ""


def test_a_ciphertext_of_another_key_is_the_incorrect_key(kms: Any) -> None:
    blob = kms.encrypt(KeyId=new_key(kms)["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    other = new_key(kms)["KeyId"]
    message = refused(kms, "IncorrectKeyException", kms.decrypt, CiphertextBlob=blob, KeyId=other)
    assert message == (
        "The key ID in the request does not identify a CMK that can perform this operation."
    )


def test_a_principal_without_permission_is_denied(
    aws: AwsServer, kms: Any, second_kms: Any
) -> None:
    arn = key_arn(aws, new_key(kms)["KeyId"])
    bob = aws.second.principal_arn
    message = refused(
        second_kms, "AccessDeniedException", second_kms.encrypt, KeyId=arn, Plaintext=b"x"
    )
    assert message == (
        f"User: {bob} is not authorized to perform: kms:Encrypt on resource: {arn} "
        "because no resource-based policy allows the kms:Encrypt action"
    )
    message = refused(second_kms, "AccessDeniedException", second_kms.describe_key, KeyId=arn)
    assert message == (
        f"User: {bob} is not authorized to perform: kms:DescribeKey on resource: {arn} "
        "because no resource-based policy allows the kms:DescribeKey action"
    )
    # An action without a key is the identity policy's to allow, and the user has none.
    message = refused(second_kms, "AccessDeniedException", second_kms.create_key)
    assert message == (
        f"User: {bob} is not authorized to perform: kms:CreateKey on resource: * "
        "because no identity-based policy allows the kms:CreateKey action"
    )


def test_invalid_members_are_aws_validation_errors(unvalidated_kms: Any) -> None:
    kms = unvalidated_kms
    message = refused(kms, "ValidationException", kms.create_key, KeySpec="NOT_A_SPEC")
    assert message.startswith(
        "1 validation error detected: Value 'NOT_A_SPEC' at 'keySpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    assert "SYMMETRIC_DEFAULT" in message
    message = refused(kms, "ValidationException", kms.describe_key)
    assert message == validation_message("keyId", "not be null").replace(
        "Value at", "Value null at"
    )
    message = refused(kms, "ValidationException", kms.generate_random, NumberOfBytes=2000)
    assert message == validation_message(
        "numberOfBytes", "have value less than or equal to 1024", 2000
    )
    description = "d" * 8193
    message = refused(kms, "ValidationException", kms.create_key, Description=description)
    assert message == validation_message(
        "description", "have length less than or equal to 8192", description
    )


def test_a_wrong_marker_is_an_invalid_marker(kms: Any) -> None:
    message = refused(kms, "InvalidMarkerException", kms.list_keys, Marker="not-a-marker")
    assert message == "The marker is not valid."


def test_a_dry_run_that_would_succeed_says_so(kms: Any) -> None:
    key_id = new_key(kms)["KeyId"]
    message = refused(
        kms, "DryRunOperationException", kms.encrypt, KeyId=key_id, Plaintext=b"x", DryRun=True
    )
    assert message == DryRunOperationException().message


def test_signature_failures_are_aws_authentication_errors(aws: AwsServer) -> None:
    unknown = aws.client(AccessKey(aws.second.principal_arn, "KGAK" + "A" * 16, "s" * 40))
    message = refused(unknown, "UnrecognizedClientException", unknown.list_keys)
    assert message == "The security token included in the request is invalid."
    wrong_secret = aws.client(
        AccessKey(aws.second.principal_arn, aws.second.access_key_id, "s" * 40)
    )
    message = refused(wrong_secret, "InvalidSignatureException", wrong_secret.list_keys)
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_a_deactivated_access_key_stops_working_at_once(aws: AwsServer) -> None:
    key = aws.create_access_key(aws.second.principal_arn, SECOND_PRINCIPAL)
    kms = aws.client(key)
    refused(kms, "AccessDeniedException", kms.list_keys)  # authenticated, then not allowed
    aws.keygraph("principal", "deactivate-access-key", key.access_key_id)
    message = refused(kms, "UnrecognizedClientException", kms.list_keys)
    assert message == "The security token included in the request is invalid."


def test_temporary_credentials_are_refused_clearly(aws: AwsServer) -> None:
    kms = aws.client(session_token="temporary")
    with pytest.raises(ClientError) as raised:
        kms.list_keys()
    code, message = error_of(raised.value)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)
    assert code and message
