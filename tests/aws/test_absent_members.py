"""Absent, not empty: a response member that AWS leaves out of an answer is absent through the AWS
door (boto3 finds no key) and null through GraphQL, never ``[]`` or ``""``. Table-driven over
every key spec and key usage keygraph serves (``api.keys.model.USAGES``).

Where AWS documents each member's presence (AWS KMS API reference; botocore's KMS model carries
the same text):
- KeyMetadata, https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html:
  EncryptionAlgorithms "is present only when the KeyUsage of the KMS key is ENCRYPT_DECRYPT",
  SigningAlgorithms "appears only when the KeyUsage of the KMS key is SIGN_VERIFY",
  MacAlgorithms "is present only when the KeyUsage of the KMS key is GENERATE_VERIFY_MAC";
  CurrentKeyMaterialId "is present for symmetric encryption keys with AWS_KMS or EXTERNAL
  origin"; DeletionDate only in PendingDeletion; PendingDeletionWindowInDays "only when the
  KeyState of the KMS key is PendingReplicaDeletion" (a multi-Region primary key: never here);
  ExpirationModel "only when Origin is EXTERNAL"; ValidTo only for EXTERNAL keys whose material
  expires; CustomKeyStoreId "only when the KMS key is created in a custom key store". All
  "Required: No".
- GetPublicKey, https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html:
  EncryptionAlgorithms "appears in the response only when the KeyUsage of the public key is
  ENCRYPT_DECRYPT", SigningAlgorithms "only when the KeyUsage of the public key is
  SIGN_VERIFY", KeyAgreementAlgorithms "only when the KMS key has a KeyUsage value of
  KEY_AGREEMENT".
- Decrypt, https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html: KeyMaterialId
  "is present only when the operation uses a symmetric encryption KMS key"; ReEncrypt
  (API_ReEncrypt.html): SourceKeyMaterialId and DestinationKeyMaterialId likewise for the source
  and the destination key.
- ListGrants, https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html: Name
  "If a name was provided in the CreateGrant request, that name is returned. Otherwise this
  value is null"; RetiringPrincipal and Constraints "Required: No", present when the grant has
  them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.keys.model import USAGES, KeyUsage
from hsm import KeySpec
from tests.aws.door import AwsServer
from tests.aws.kms import new_key
from tests.graphql_client import gql

pytestmark = pytest.mark.slow

# Each algorithm list, and the one usage AWS sends it for.
LISTS = {
    "EncryptionAlgorithms": KeyUsage.ENCRYPT_DECRYPT,
    "SigningAlgorithms": KeyUsage.SIGN_VERIFY,
    "MacAlgorithms": KeyUsage.GENERATE_VERIFY_MAC,
    "KeyAgreementAlgorithms": KeyUsage.KEY_AGREEMENT,
}
PUBLIC_KEY_LISTS = {name: usage for name, usage in LISTS.items() if name != "MacAlgorithms"}
# Members of a new key's metadata that apply to none made here: an AWS_KMS key outside any
# custom key store and not scheduled for deletion.
NEVER_HERE = (
    "DeletionDate",
    "PendingDeletionWindowInDays",
    "ExpirationModel",
    "ValidTo",
    "CustomKeyStoreId",
)


def _kinds() -> Iterator[tuple[KeySpec, KeyUsage]]:
    for spec, usages in USAGES.items():
        for usage in usages:
            yield spec, usage


KINDS = list(_kinds())


def _id(kind: tuple[KeySpec, KeyUsage]) -> str:
    spec, usage = kind
    return f"{spec.value}-{usage.value}"


def camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def expected_metadata(spec: KeySpec, usage: KeyUsage) -> dict[str, bool]:
    """Whether AWS sends each optional member of a new key's KeyMetadata."""
    present = {name: usage is served for name, served in LISTS.items()}
    present["CurrentKeyMaterialId"] = spec is KeySpec.SYMMETRIC_DEFAULT
    present.update(dict.fromkeys(NEVER_HERE, False))
    return present


def expected_public_key(usage: KeyUsage) -> dict[str, bool]:
    return {name: usage is served for name, served in PUBLIC_KEY_LISTS.items()}


def aws_presence(answer: dict[str, Any], members: dict[str, bool]) -> dict[str, bool]:
    """Which members the answer has; a present list is never empty."""
    for name in members:
        if isinstance(answer.get(name), list):
            assert answer[name], f"{name} is an empty list"
        if name in answer:
            assert answer[name] not in ("", None), name
    return {name: name in answer for name in members}


def graphql_presence(answer: dict[str, Any], members: dict[str, bool]) -> dict[str, bool]:
    """Which members are not null; a list that is not null is never empty."""
    for name in members:
        value = answer[camel(name)]
        assert value != [] and value != "", name
    return {name: answer[camel(name)] is not None for name in members}


# Through the AWS door: boto3 against the served keygraph.


@pytest.mark.parametrize(("spec", "usage"), KINDS, ids=[_id(kind) for kind in KINDS])
def test_key_metadata_through_the_aws_door(kms: Any, spec: KeySpec, usage: KeyUsage) -> None:
    expected = expected_metadata(spec, usage)
    created = new_key(kms, KeySpec=spec.value, KeyUsage=usage.value)
    assert aws_presence(created, expected) == expected
    described = kms.describe_key(KeyId=created["KeyId"])["KeyMetadata"]
    assert aws_presence(described, expected) == expected
    if spec is not KeySpec.SYMMETRIC_DEFAULT and usage is not KeyUsage.GENERATE_VERIFY_MAC:
        public = kms.get_public_key(KeyId=created["KeyId"])
        assert aws_presence(public, expected_public_key(usage)) == expected_public_key(usage)


def test_members_of_other_answers_through_the_aws_door(aws: AwsServer, kms: Any) -> None:
    symmetric = new_key(kms)["KeyId"]
    rsa = new_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
    algorithm = "RSAES_OAEP_SHA_256"
    blob = kms.encrypt(KeyId=rsa, Plaintext=b"x", EncryptionAlgorithm=algorithm)["CiphertextBlob"]
    decrypted = kms.decrypt(CiphertextBlob=blob, KeyId=rsa, EncryptionAlgorithm=algorithm)
    assert "KeyMaterialId" not in decrypted
    symmetric_blob = kms.encrypt(KeyId=symmetric, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=symmetric_blob)["KeyMaterialId"]
    reencrypted = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceKeyId=rsa,
        SourceEncryptionAlgorithm=algorithm,
        DestinationKeyId=symmetric,
    )
    assert "SourceKeyMaterialId" not in reencrypted
    assert reencrypted["DestinationKeyMaterialId"]

    kms.create_grant(KeyId=symmetric, GranteePrincipal=aws.second.principal_arn,
                     Operations=["Encrypt"])  # fmt: skip
    (grant,) = kms.list_grants(KeyId=symmetric)["Grants"]
    assert not {"Name", "RetiringPrincipal", "Constraints"} & set(grant)

    kms.schedule_key_deletion(KeyId=symmetric, PendingWindowInDays=7)
    scheduled = kms.describe_key(KeyId=symmetric)["KeyMetadata"]
    assert scheduled["DeletionDate"]
    assert "PendingDeletionWindowInDays" not in scheduled


# Through GraphQL: the same table, null where AWS leaves the member out.

METADATA = """
mutation($spec: KeySpec!, $usage: KeyUsageType) {
  createKey(input: {keySpec: $spec, keyUsage: $usage}) {
    keyMetadata {
      keyId encryptionAlgorithms signingAlgorithms macAlgorithms keyAgreementAlgorithms
      currentKeyMaterialId deletionDate pendingDeletionWindowInDays expirationModel validTo
      customKeyStoreId
    }
  }
}
"""
DESCRIBE = """
query($id: String!) {
  describeKey(input: {keyId: $id}) {
    keyMetadata {
      encryptionAlgorithms signingAlgorithms macAlgorithms keyAgreementAlgorithms
      currentKeyMaterialId deletionDate pendingDeletionWindowInDays expirationModel validTo
      customKeyStoreId
    }
  }
}
"""
PUBLIC_KEY = """
query($id: String!) {
  getPublicKey(input: {keyId: $id}) {
    encryptionAlgorithms signingAlgorithms keyAgreementAlgorithms
  }
}
"""


async def test_key_metadata_through_graphql(client: httpx.AsyncClient) -> None:
    """One served keygraph for the whole table: each kind is a new key of its own."""
    for spec, usage in KINDS:
        expected = expected_metadata(spec, usage)
        variables = {"spec": spec.value, "usage": usage.value}
        created = (await gql(client, METADATA, variables))["createKey"]["keyMetadata"]
        assert graphql_presence(created, expected) == expected, (spec, usage)
        described = await gql(client, DESCRIBE, {"id": created["keyId"]})
        assert graphql_presence(described["describeKey"]["keyMetadata"], expected) == expected
        if spec is not KeySpec.SYMMETRIC_DEFAULT and usage is not KeyUsage.GENERATE_VERIFY_MAC:
            public = (await gql(client, PUBLIC_KEY, {"id": created["keyId"]}))["getPublicKey"]
            wanted = expected_public_key(usage)
            assert graphql_presence(public, wanted) == wanted, (spec, usage)


OTHERS = """
mutation($rsa: String!, $symmetric: String!, $blob: Base64!, $symmetricBlob: Base64!) {
  rsa: decrypt(input: {ciphertextBlob: $blob, keyId: $rsa,
                       encryptionAlgorithm: RSAES_OAEP_SHA_256}) { keyMaterialId }
  symmetric: decrypt(input: {ciphertextBlob: $symmetricBlob}) { keyMaterialId }
  reEncrypt(input: {ciphertextBlob: $blob, sourceKeyId: $rsa,
                    sourceEncryptionAlgorithm: RSAES_OAEP_SHA_256,
                    destinationKeyId: $symmetric}) {
    sourceKeyMaterialId destinationKeyMaterialId
  }
}
"""
CREATE = """
mutation($spec: KeySpec!, $usage: KeyUsageType) {
  createKey(input: {keySpec: $spec, keyUsage: $usage}) { keyMetadata { keyId } }
}
"""
ENCRYPT = """
mutation($id: String!, $algorithm: EncryptionAlgorithmSpec! = SYMMETRIC_DEFAULT) {
  encrypt(input: {keyId: $id, plaintext: "eA==", encryptionAlgorithm: $algorithm}) {
    ciphertextBlob
  }
}
"""
GRANTS = """
mutation($id: String!, $grantee: String!) {
  createGrant(input: {keyId: $id, granteePrincipal: $grantee, operations: [Encrypt]}) { grantId }
}
"""
LIST_GRANTS = """
query($id: String!) {
  listGrants(input: {keyId: $id}) {
    grants { name retiringPrincipal constraints { encryptionContextSubset } }
  }
}
"""


async def test_members_of_other_answers_through_graphql(client: httpx.AsyncClient) -> None:
    async def key(spec: str, usage: str) -> str:
        made = await gql(client, CREATE, {"spec": spec, "usage": usage})
        return str(made["createKey"]["keyMetadata"]["keyId"])

    async def encrypted(key_id: str, algorithm: str = "SYMMETRIC_DEFAULT") -> str:
        answer = await gql(client, ENCRYPT, {"id": key_id, "algorithm": algorithm})
        return str(answer["encrypt"]["ciphertextBlob"])

    symmetric = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    rsa = await key("RSA_2048", "ENCRYPT_DECRYPT")
    variables = {
        "rsa": rsa,
        "symmetric": symmetric,
        "blob": await encrypted(rsa, "RSAES_OAEP_SHA_256"),
        "symmetricBlob": await encrypted(symmetric),
    }
    answers = await gql(client, OTHERS, variables)
    assert answers["rsa"] == {"keyMaterialId": None}
    assert answers["symmetric"]["keyMaterialId"]
    assert answers["reEncrypt"]["sourceKeyMaterialId"] is None
    assert answers["reEncrypt"]["destinationKeyMaterialId"]

    grantee = "arn:aws:iam::111122223333:root"
    await gql(client, GRANTS, {"id": symmetric, "grantee": grantee})
    (grant,) = (await gql(client, LIST_GRANTS, {"id": symmetric}))["listGrants"]["grants"]
    assert grant == {"name": None, "retiringPrincipal": None, "constraints": None}
