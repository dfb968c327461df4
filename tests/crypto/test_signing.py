"""sign and verify over GraphQL, checked offline with ``cryptography`` on getPublicKey's key."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from tests.aws_messages import validation_message
from tests.crypto.asymmetric import (
    call,
    create_alias,
    create_key,
    disable,
    failure,
    public_key,
    schedule_deletion,
    unb64,
)
from tests.graphql_client import GraphQLFailure

ARN = re.compile(r"^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$")
SIGNED = "keyId signature signingAlgorithm"
VERIFIED = "keyId signatureValid signingAlgorithm"
MESSAGE = b"pay 100 to alice"

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
RSA_ALGORITHMS = [
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
]  # fmt: skip
# Every spec with every algorithm AWS pairs with it (one ECDSA hash per curve).
ALGORITHMS_BY_SPEC = {
    "RSA_2048": RSA_ALGORITHMS,
    "RSA_3072": RSA_ALGORITHMS,
    "RSA_4096": RSA_ALGORITHMS,
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
}


def hash_of(algorithm: str) -> hashes.HashAlgorithm:
    return HASHES[algorithm.rsplit("_", 1)[1]]()


def digest(message: bytes, algorithm: str) -> bytes:
    return hashlib.new(hash_of(algorithm).name, message).digest()


def verify_offline(
    public: PublicKeyTypes, signature: bytes, message: bytes, algorithm: str, *, prehashed: bool
) -> None:
    """What a relying party does with the public key: raises InvalidSignature on a mismatch."""
    chosen = hash_of(algorithm)
    scheme: hashes.HashAlgorithm | utils.Prehashed = (
        utils.Prehashed(chosen) if prehashed else chosen
    )
    if algorithm.startswith("ECDSA"):
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, message, ec.ECDSA(scheme))
        return
    assert isinstance(public, rsa.RSAPublicKey)
    if algorithm.startswith("RSASSA_PSS"):
        # AWS's PSS salt is the digest length; an explicit salt length makes OpenSSL insist on it.
        pss = padding.PSS(mgf=padding.MGF1(chosen), salt_length=chosen.digest_size)
        public.verify(signature, message, pss, scheme)
    else:
        public.verify(signature, message, padding.PKCS1v15(), scheme)


async def sign(
    client: httpx.AsyncClient, key_id: str, message: bytes, algorithm: str, **members: object
) -> bytes:
    signed = await call(
        client, "sign", SIGNED, keyId=key_id, message=message, signingAlgorithm=algorithm,
        **members,
    )  # fmt: skip
    assert ARN.match(signed["keyId"])
    assert signed["signingAlgorithm"] == algorithm
    return unb64(signed["signature"])


async def verify(
    client: httpx.AsyncClient,
    key_id: str,
    message: bytes,
    signature: bytes,
    algorithm: str,
    **members: object,
) -> dict[str, object]:
    return await call(
        client, "verify", VERIFIED, keyId=key_id, message=message, signature=signature,
        signingAlgorithm=algorithm, **members,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "algorithms"), ALGORITHMS_BY_SPEC.items(), ids=list(ALGORITHMS_BY_SPEC)
)
async def test_signatures_verify_offline_for_raw_and_digest_messages(
    client: httpx.AsyncClient, spec: str, algorithms: list[str]
) -> None:
    key = await create_key(client, spec, "SIGN_VERIFY")
    public = await public_key(client, key["keyId"])
    for algorithm in algorithms:
        raw = await sign(client, key["keyId"], MESSAGE, algorithm)
        verify_offline(public, raw, MESSAGE, algorithm, prehashed=False)
        hashed = digest(MESSAGE, algorithm)
        signed_digest = await sign(client, key["keyId"], hashed, algorithm, messageType="DIGEST")
        verify_offline(public, signed_digest, hashed, algorithm, prehashed=True)
        # A DIGEST signature is a signature of the message the digest came from.
        verify_offline(public, signed_digest, MESSAGE, algorithm, prehashed=False)

        for message, signature, message_type in (
            (MESSAGE, raw, "RAW"),
            (hashed, raw, "DIGEST"),
            (MESSAGE, signed_digest, "RAW"),
        ):
            verified = await verify(
                client, key["keyId"], message, signature, algorithm, messageType=message_type
            )
            assert verified == {
                "keyId": key["arn"],
                "signatureValid": True,
                "signingAlgorithm": algorithm,
            }


@pytest.mark.parametrize(
    ("spec", "algorithm"), [("RSA_2048", "RSASSA_PSS_SHA_256"), ("ECC_NIST_P256", "ECDSA_SHA_256")]
)
async def test_tampered_signature_or_message_raises(
    client: httpx.AsyncClient, spec: str, algorithm: str
) -> None:
    key = await create_key(client, spec, "SIGN_VERIFY")
    signature = await sign(client, key["keyId"], MESSAGE, algorithm)
    flipped = bytes([signature[0] ^ 0x01]) + signature[1:]
    other = b"pay 900 to alice"
    for message, candidate in (
        (MESSAGE, flipped),
        (other, signature),
        (MESSAGE, signature[:-1]),
        (MESSAGE, b"\x00" * 64),
    ):
        error = await failure(verify(client, key["keyId"], message, candidate, algorithm))
        assert error.code == "KMSInvalidSignatureException"
        with pytest.raises(InvalidSignature):
            verify_offline(
                await public_key(client, key["keyId"]), candidate, message, algorithm,
                prehashed=False,
            )  # fmt: skip


async def test_the_algorithm_must_suit_the_key_spec(client: httpx.AsyncClient) -> None:
    ecc = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    rsa_key = await create_key(client, "RSA_2048", "SIGN_VERIFY")
    for key, spec, algorithm in (
        (ecc, "ECC_NIST_P256", "ECDSA_SHA_384"),
        (ecc, "ECC_NIST_P256", "RSASSA_PSS_SHA_256"),
        (rsa_key, "RSA_2048", "ECDSA_SHA_256"),
    ):
        for operation in (
            sign(client, key["keyId"], MESSAGE, algorithm),
            verify(client, key["keyId"], MESSAGE, b"\x30" * 70, algorithm),
        ):
            assert await failure(operation) == GraphQLFailure(
                "InvalidKeyUsageException",
                f"Algorithm {algorithm} is incompatible with key spec {spec}.",
            )


@pytest.mark.parametrize("size", [31, 33, 48, 0])
async def test_a_digest_must_have_the_digest_length(client: httpx.AsyncClient, size: int) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    error = await failure(
        sign(client, key["keyId"], b"\x01" * size, "ECDSA_SHA_256", messageType="DIGEST")
    )
    if size == 0:
        assert error.code == "ValidationException"
        assert "'message'" in error.message
        return
    assert error == GraphQLFailure(
        "ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256."
    )
    error = await failure(
        verify(client, key["keyId"], b"\x01" * size, b"\x30" * 70, "ECDSA_SHA_256",
               messageType="DIGEST")
    )  # fmt: skip
    assert error.message == "Digest is invalid length for algorithm ECDSA_SHA_256."


async def test_message_size_limits(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    largest = b"m" * 4096
    signature = await sign(client, key["keyId"], largest, "ECDSA_SHA_256")
    verify_offline(await public_key(client, key["keyId"]), signature, largest, "ECDSA_SHA_256",
                   prehashed=False)  # fmt: skip
    assert await failure(sign(client, key["keyId"], largest + b"m", "ECDSA_SHA_256")) == (
        GraphQLFailure(
            "ValidationException",
            "1 validation error detected: Value at 'message' failed to satisfy constraint: "
            "Member must have length less than or equal to 4096",
        )
    )
    assert await failure(sign(client, key["keyId"], b"", "ECDSA_SHA_256")) == GraphQLFailure(
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )
    error = await failure(verify(client, key["keyId"], MESSAGE, b"", "ECDSA_SHA_256"))
    assert error.code == "ValidationException"
    assert "'signature'" in error.message


async def test_only_sign_verify_keys_sign(client: httpx.AsyncClient) -> None:
    symmetric = await create_key(client, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    rsa_encryption = await create_key(client, "RSA_2048", "ENCRYPT_DECRYPT")
    hmac_key = await create_key(client, "HMAC_256", "GENERATE_VERIFY_MAC")
    agreement = await create_key(client, "ECC_NIST_P256", "KEY_AGREEMENT")
    for key, usage, algorithm in (
        (symmetric, "ENCRYPT_DECRYPT", "RSASSA_PSS_SHA_256"),
        (rsa_encryption, "ENCRYPT_DECRYPT", "RSASSA_PSS_SHA_256"),
        (hmac_key, "GENERATE_VERIFY_MAC", "ECDSA_SHA_256"),
        (agreement, "KEY_AGREEMENT", "ECDSA_SHA_256"),
    ):
        assert await failure(sign(client, key["keyId"], MESSAGE, algorithm)) == GraphQLFailure(
            "InvalidKeyUsageException",
            f"{key['arn']} key usage is {usage} which is not valid for Sign.",
        )
        error = await failure(verify(client, key["keyId"], MESSAGE, b"\x30" * 70, algorithm))
        assert error == GraphQLFailure(
            "InvalidKeyUsageException",
            f"{key['arn']} key usage is {usage} which is not valid for Verify.",
        )


async def test_key_states(client: httpx.AsyncClient) -> None:
    disabled = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    signature = await sign(client, disabled["keyId"], MESSAGE, "ECDSA_SHA_256")
    await disable(client, disabled["keyId"])
    deleting = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    await schedule_deletion(client, deleting["keyId"])
    for key, expected in (
        (disabled, GraphQLFailure("DisabledException", f"{disabled['arn']} is disabled.")),
        (deleting, GraphQLFailure(
            "KMSInvalidStateException", f"{deleting['arn']} is pending deletion.")),
    ):  # fmt: skip
        assert await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256")) == expected
        assert (
            await failure(verify(client, key["keyId"], MESSAGE, signature, "ECDSA_SHA_256"))
            == expected
        )


async def test_dry_run_checks_everything_then_stops(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P384", "SIGN_VERIFY")
    dry_run = GraphQLFailure(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )
    assert await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_384", dryRun=True)) == (
        dry_run
    )
    # Even a signature that would not verify: a dry run does not get as far as checking it.
    assert (
        await failure(
            verify(client, key["keyId"], MESSAGE, b"\x30" * 70, "ECDSA_SHA_384", dryRun=True)
        )
        == dry_run
    )
    error = await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256", dryRun=True))
    assert error.code == "InvalidKeyUsageException"
    signature = await sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_384", dryRun=False)
    verify_offline(await public_key(client, key["keyId"]), signature, MESSAGE, "ECDSA_SHA_384",
                   prehashed=False)  # fmt: skip
    await disable(client, key["keyId"])
    error = await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_384", dryRun=True))
    assert error.code == "DisabledException"


async def test_any_key_identifier_and_the_arn_in_the_answer(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    await create_alias(client, "alias/release-signing", key["keyId"])
    alias_arn = key["arn"].split(":key/")[0] + ":alias/release-signing"
    for identifier in (key["keyId"], key["arn"], "alias/release-signing", alias_arn):
        signed = await call(
            client, "sign", SIGNED, keyId=identifier, message=MESSAGE,
            signingAlgorithm="ECDSA_SHA_256",
        )  # fmt: skip
        assert signed["keyId"] == key["arn"]
        verified = await verify(
            client, identifier, MESSAGE, unb64(signed["signature"]), "ECDSA_SHA_256"
        )
        assert verified["keyId"] == key["arn"]
    missing = key["arn"][:-12] + "000000000000"
    error = await failure(sign(client, missing, MESSAGE, "ECDSA_SHA_256"))
    assert error == GraphQLFailure("NotFoundException", f"Key '{missing}' does not exist")


async def test_grant_tokens_are_accepted_up_to_ten(client: httpx.AsyncClient) -> None:
    key = await create_key(client, "ECC_NIST_P256", "SIGN_VERIFY")
    tokens = [f"token-{n}" for n in range(10)]
    signature = await sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256", grantTokens=tokens)
    await verify(client, key["keyId"], MESSAGE, signature, "ECDSA_SHA_256", grantTokens=tokens)
    too_many = [*tokens, "one-more"]
    error = await failure(
        sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256", grantTokens=too_many)
    )
    assert error == GraphQLFailure(
        "ValidationException",
        validation_message(
            "grantTokens", "have length less than or equal to 10", f"[{', '.join(too_many)}]"
        ),
    )
    error = await failure(sign(client, key["keyId"], MESSAGE, "ECDSA_SHA_256", grantTokens=[""]))
    assert error.code == "ValidationException"
    assert "'grantTokens'" in error.message
