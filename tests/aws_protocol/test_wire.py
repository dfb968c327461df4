"""AWS's JSON 1.1 protocol as keygraph speaks it: members, blobs, timestamps, empty answers,
and the protocol's own errors."""

from __future__ import annotations

import base64
import time

import pytest

from tests.aws_messages import validation_message
from tests.aws_protocol.conftest import AwsCall


async def test_create_key_answers_aws_members_with_epoch_seconds(aws_call: AwsCall) -> None:
    answer = await aws_call("CreateKey", {"Description": "wire", "Tags": []})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/x-amz-json-1.1"
    metadata = answer.body["KeyMetadata"]
    assert metadata["Description"] == "wire"
    assert metadata["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert metadata["Arn"].endswith(f":key/{metadata['KeyId']}")
    assert isinstance(metadata["CreationDate"], float)
    assert abs(metadata["CreationDate"] - time.time()) < 60
    # Members AWS omits are absent, not null.
    assert "DeletionDate" not in metadata
    assert None not in metadata.values()


async def test_every_answer_names_the_request(aws_call: AwsCall) -> None:
    answer = await aws_call("ListKeys", {})
    assert answer.headers["x-amzn-requestid"] == answer.headers["x-request-id"]
    assert len(answer.headers["x-amzn-requestid"]) == 32


async def test_an_operation_aws_answers_with_nothing_answers_an_empty_object(
    aws_call: AwsCall,
) -> None:
    key_id = (await aws_call("CreateKey", {})).body["KeyMetadata"]["KeyId"]
    answer = await aws_call("DisableKey", {"KeyId": key_id})
    assert (answer.status, answer.body) == (200, {})


async def test_blobs_travel_as_base64(aws_call: AwsCall) -> None:
    key_id = (await aws_call("CreateKey", {})).body["KeyMetadata"]["KeyId"]
    plaintext = base64.b64encode(b"over the wire").decode()
    encrypted = await aws_call(
        "Encrypt", {"KeyId": key_id, "Plaintext": plaintext, "EncryptionContext": {"a": "b"}}
    )
    assert encrypted.body["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    decrypted = await aws_call(
        "Decrypt",
        {"CiphertextBlob": encrypted.body["CiphertextBlob"], "EncryptionContext": {"a": "b"}},
    )
    assert base64.b64decode(decrypted.body["Plaintext"]) == b"over the wire"
    assert decrypted.body["KeyId"] == encrypted.body["KeyId"]


async def test_an_unknown_target_is_an_unknown_operation(aws_call: AwsCall) -> None:
    answer = await aws_call("LaunchRockets", {})
    assert answer.status == 400
    assert answer.body["__type"] == "UnknownOperationException"


async def test_keygraph_own_operations_are_not_aws_targets(aws_call: AwsCall) -> None:
    answer = await aws_call("Whoami", {})
    assert answer.body["__type"] == "UnknownOperationException"


async def test_a_body_that_is_not_json_is_a_serialization_error(aws_call: AwsCall) -> None:
    answer = await aws_call("ListKeys", b"{not json")
    assert (answer.status, answer.body["__type"]) == (400, "SerializationException")


async def test_json_nested_without_end_is_a_serialization_error(aws_call: AwsCall) -> None:
    answer = await aws_call("ListKeys", b"[" * 100_000 + b"]" * 100_000)
    assert (answer.status, answer.body["__type"]) == (400, "SerializationException")


async def test_a_member_of_the_wrong_type_is_a_serialization_error(aws_call: AwsCall) -> None:
    answer = await aws_call("DescribeKey", {"KeyId": 5})
    assert answer.error == ("SerializationException", "The value of KeyId must be a string.")
    answer = await aws_call("Encrypt", {"KeyId": "k", "Plaintext": "not base64!"})
    assert answer.error == (
        "SerializationException",
        "The value of Plaintext must be a base64 string.",
    )


async def test_an_unknown_enum_value_is_aws_validation_message(aws_call: AwsCall) -> None:
    answer = await aws_call("CreateKey", {"KeySpec": "RSA_1024"})
    code, message = answer.error
    assert code == "ValidationException"
    assert message.startswith(
        "1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    assert "RSA_2048, RSA_3072" in message


async def test_a_missing_required_member_is_aws_validation_message(aws_call: AwsCall) -> None:
    answer = await aws_call("DescribeKey", {})
    assert answer.error == (
        "ValidationException",
        validation_message("keyId", "not be null", None).replace("Value at", "Value null at"),
    )


async def test_a_member_keygraph_does_not_serve_is_refused_not_ignored(aws_call: AwsCall) -> None:
    key_id = (await aws_call("CreateKey", {})).body["KeyMetadata"]["KeyId"]
    answer = await aws_call(
        "GenerateDataKey",
        {"KeyId": key_id, "NumberOfBytes": 32, "Recipient": {"AttestationDocument": "AA=="}},
    )
    code, message = answer.error
    assert code == "UnsupportedOperationException"
    assert message.startswith("Recipient is not supported: ")


async def test_a_missing_key_is_not_found(aws_call: AwsCall) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    answer = await aws_call("DescribeKey", {"KeyId": missing})
    assert answer.status == 400
    assert answer.body["__type"] == "NotFoundException"
    assert missing in answer.body["message"]


async def test_paging_is_aws_truncated_and_next_marker(aws_call: AwsCall) -> None:
    for _ in range(3):
        await aws_call("CreateKey", {})
    first = await aws_call("ListKeys", {"Limit": 2})
    assert first.body["Truncated"] is True
    assert len(first.body["Keys"]) == 2
    rest = await aws_call("ListKeys", {"Limit": 2, "Marker": first.body["NextMarker"]})
    assert rest.body["Truncated"] is False
    assert "NextMarker" not in rest.body


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("DescribeKey", b'{"KeyId": "abc\\u0000def"}'),
        ("DescribeKey", b'{"KeyId": "\\ud800"}'),
        ("ImportKeyMaterial", b'{"KeyId": "k", "ImportToken": "AA==", '
         b'"EncryptedKeyMaterial": "AA==", "ValidTo": 1e300}'),
        ("ImportKeyMaterial", b'{"KeyId": "k", "ImportToken": "AA==", '
         b'"EncryptedKeyMaterial": "AA==", "ValidTo": NaN}'),
        ("ListKeys", b'{"Limit": ' + b"9" * 5000 + b"}"),
    ],
)  # fmt: skip
async def test_hostile_values_get_a_client_error(
    aws_call: AwsCall, action: str, body: bytes
) -> None:
    answer = await aws_call(action, body)
    assert answer.status == 400, answer.body
