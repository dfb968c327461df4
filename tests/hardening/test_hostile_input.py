"""Input an attacker would send is refused with the AWS code that names it, through both doors,
never a 500 or ``InternalError``: a key id holding NUL (Postgres holds no text with it), other
text with NUL or a lone surrogate, and a key policy of arrays nested ~15,000 deep (deeper than
Python's JSON decoder recurses), through the key policy and the GraphQL StringMap."""

from __future__ import annotations

import pytest

from tests.hardening.doors import Answer, Doors

pytestmark = pytest.mark.slow

DESCRIBE = "query($i: DescribeKeyInput!) { describeKey(input: $i) { keyMetadata { keyId } } }"
CREATE = "mutation($i: CreateKeyInput!) { createKey(input: $i) { keyMetadata { keyId } } }"
PUT_POLICY = (
    "mutation($i: PutKeyPolicyInput!) { putKeyPolicy(input: $i) { keyMetadata { keyId } } }"
)
ENCRYPT = "mutation($i: EncryptInput!) { encrypt(input: $i) { ciphertextBlob } }"
NUL_KEY_IDS = [
    "\x00",
    "alias/a\x00b",
    "arn:aws:kms:us-east-1:111122223333:alias/\x00",
    "arn:aws:kms:us-east-1:111122223333:key/\x00",
    "1234abcd-12ab-34cd-56ef-1234567890ab\x00",
]
# ~30 KB: a document that is an object, whose Statement nests arrays past the recursion limit.
NESTED_POLICY = '{"Statement": ' + "[" * 15_000 + "]" * 15_000 + "}"


def refused(answer: Answer, code: str, *, aws: bool) -> None:
    """AWS's code; through GraphQL a field error (200) or, refused before it ran, a 400."""
    assert answer.code == code, answer
    assert answer.status in ((400,) if aws else (200, 400)), answer


@pytest.mark.parametrize("key_id", NUL_KEY_IDS, ids=repr)
def test_a_key_id_holding_nul_is_an_invalid_key_id(doors: Doors, key_id: str) -> None:
    graphql = doors.graphql(DESCRIBE, {"i": {"keyId": key_id}})
    refused(graphql, "NotFoundException", aws=False)
    assert graphql.body["errors"][0]["message"].startswith("Invalid keyId")
    aws = doors.aws("DescribeKey", {"KeyId": key_id})
    refused(aws, "NotFoundException", aws=True)
    assert aws.body["message"].startswith("Invalid keyId")
    encrypt = doors.aws("Encrypt", {"KeyId": key_id, "Plaintext": "eA=="})
    refused(encrypt, "NotFoundException", aws=True)


def test_nul_in_text_is_a_validation_error(doors: Doors) -> None:
    """Postgres refuses it after every shape check passed it: the caller's input all the same."""
    refused(
        doors.graphql(CREATE, {"i": {"description": "a\x00b"}}), "ValidationException", aws=False
    )
    refused(doors.aws("CreateKey", {"Description": "a\x00b"}), "ValidationException", aws=True)
    tags = {"Tags": [{"TagKey": "team", "TagValue": "a\x00b"}]}
    refused(doors.aws("CreateKey", tags), "ValidationException", aws=True)


def test_a_lone_surrogate_is_refused_as_text_that_is_not_unicode(doors: Doors) -> None:
    code = "ValidationException"
    refused(doors.graphql(CREATE, {"i": {"description": "\ud800"}}), code, aws=False)
    refused(doors.aws("CreateKey", {"Description": "\ud800"}), code, aws=True)
    tags = {"Tags": [{"TagKey": "team", "TagValue": "x\udfff"}]}
    refused(doors.aws("CreateKey", tags), code, aws=True)
    assert doors.aws("CreateKey", {"Description": "caf\u00e9 \U0001f511"}).status == 200


def test_a_policy_nested_past_the_recursion_limit_is_malformed(doors: Doors) -> None:
    assert 29_000 < len(NESTED_POLICY) < 31_000
    code = "MalformedPolicyDocumentException"
    refused(doors.graphql(CREATE, {"i": {"policy": NESTED_POLICY}}), code, aws=False)
    refused(doors.aws("CreateKey", {"Policy": NESTED_POLICY}), code, aws=True)
    key_id = doors.aws("CreateKey", {}).body["KeyMetadata"]["KeyId"]
    put = {"keyId": key_id, "policyName": "default", "policy": NESTED_POLICY}
    refused(doors.graphql(PUT_POLICY, {"i": put}), code, aws=False)
    aws_put = {"KeyId": key_id, "PolicyName": "default", "Policy": NESTED_POLICY}
    refused(doors.aws("PutKeyPolicy", aws_put), code, aws=True)
    assert doors.healthy()


def test_an_encryption_context_nested_past_the_recursion_limit_is_refused(doors: Doors) -> None:
    key_id = doors.aws("CreateKey", {}).body["KeyMetadata"]["KeyId"]
    nested = "[" * 15_000 + "]" * 15_000
    answer = doors.graphql(
        ENCRYPT, {"i": {"keyId": key_id, "plaintext": "eA==", "encryptionContext": nested}}
    )
    refused(answer, "ValidationException", aws=False)
    assert doors.healthy()
