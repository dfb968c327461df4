"""deriveSharedSecret: ECDH with KEY_AGREEMENT keys, agreeing with ``cryptography`` on the peer's
side."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.crypto.asymmetric import (
    call,
    create_key,
    disable,
    failure,
    public_key,
    schedule_deletion,
    unb64,
)
from tests.graphql_client import GraphQLFailure

FIELDS = "keyId sharedSecret keyAgreementAlgorithm keyOrigin"
CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
}


def spki(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


async def derive(
    client: httpx.AsyncClient, key_id: str, peer_public: bytes, **members: object
) -> dict[str, str]:
    return await call(
        client, "deriveSharedSecret", FIELDS, keyId=key_id, keyAgreementAlgorithm="ECDH",
        publicKey=peer_public, **members,
    )  # fmt: skip


@pytest.mark.parametrize("spec", CURVES)
async def test_both_sides_derive_the_same_secret(client: httpx.AsyncClient, spec: str) -> None:
    key = await create_key(client, spec, "KEY_AGREEMENT")
    ours = await public_key(client, key["keyId"])
    assert isinstance(ours, ec.EllipticCurvePublicKey)
    peer = ec.generate_private_key(CURVES[spec])
    derived = await derive(client, key["keyId"], spki(peer))
    expected = peer.exchange(ec.ECDH(), ours)
    assert unb64(derived.pop("sharedSecret")) == expected
    assert len(expected) == (CURVES[spec].key_size + 7) // 8
    assert derived == {"keyId": key["arn"], "keyAgreementAlgorithm": "ECDH", "keyOrigin": "AWS_KMS"}
    another = ec.generate_private_key(CURVES[spec])
    second = await derive(client, key["keyId"], spki(another))
    assert unb64(second["sharedSecret"]) == another.exchange(ec.ECDH(), ours) != expected


async def test_the_peer_key_must_be_der_spki_on_the_same_curve(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    # AWS's message is empty (recorded); keygraph's reason is extensions.detail
    # (tests/aws_protocol/test_recorded_answers.py).
    refused = GraphQLFailure("ValidationException", "")
    wrong_curve = spki(ec.generate_private_key(ec.SECP384R1()))
    point_only = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    rsa_key = spki(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    for candidate in (wrong_curve, point_only, rsa_key, b"\x30\x03\x02\x01\x00"):
        assert await failure(derive(client, key["keyId"], candidate)) == refused
    error = await failure(derive(client, key["keyId"], b""))
    assert error.code == "ValidationException"
    assert "'publicKey'" in error.message


async def test_only_key_agreement_keys(client: httpx.AsyncClient) -> None:
    peer = spki(ec.generate_private_key(ec.SECP256R1()))
    for spec, usage in (("ECC_NIST_P256", "SIGN_VERIFY"), ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")):
        key = await create_key(client, spec, usage)
        assert await failure(derive(client, key["keyId"], peer)) == GraphQLFailure(
            "InvalidKeyUsageException",
            f"{key['arn']} key usage is {usage} which is not valid for DeriveSharedSecret.",
        )


async def test_key_states_dry_run_and_grant_tokens(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P384", "KEY_AGREEMENT")
    peer = spki(ec.generate_private_key(ec.SECP384R1()))
    tokens = [f"token-{n}" for n in range(10)]
    assert (await derive(client, key["keyId"], peer, grantTokens=tokens))["keyId"] == key["arn"]
    error = await failure(derive(client, key["keyId"], peer, grantTokens=[*tokens, "x"]))
    assert error.code == "ValidationException"
    assert await failure(derive(client, key["keyId"], peer, dryRun=True)) == GraphQLFailure(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )
    # The peer key is checked before the dry run stops.
    wrong_curve = spki(ec.generate_private_key(ec.SECP256R1()))
    error = await failure(derive(client, key["keyId"], wrong_curve, dryRun=True))
    assert error.code == "ValidationException"
    await disable(client, key["keyId"])
    assert await failure(derive(client, key["keyId"], peer)) == GraphQLFailure(
        "DisabledException", f"{key['arn']} is disabled."
    )
    await schedule_deletion(client, key["keyId"])
    assert await failure(derive(client, key["keyId"], peer)) == GraphQLFailure(
        "KMSInvalidStateException", f"{key['arn']} is pending deletion."
    )
