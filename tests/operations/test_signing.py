"""Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret and GetPublicKey through the pipeline:
signatures and secrets checked offline with ``cryptography`` against GetPublicKey's key, AWS's
errors, and the public keys of a page of keys read in one statement."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import asyncpg
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

import api.crypto.public_keys
from api.crypto.agreement import DeriveSharedSecretRequest
from api.crypto.macs import GenerateMacRequest, VerifyMacRequest
from api.crypto.signing import SignRequest, VerifyRequest
from api.invoke import Caller, new_call
from api.keys.model import CustomerMasterKeySpec, KeyAgreementAlgorithm, KeyUsage
from api.operations import BY_NAME
from api.operations.structures import KeyTokensRequest
from api.principals import Principal
from api.services import Services
from db.keys import public_keys_for_keys
from hsm import KeySpec, MacAlgorithm, MessageType, SigningAlgorithm
from tests.aws_messages import validation_message
from tests.operations.conftest import Invoke, created_key, refused

MESSAGE = b"pay 100 to alice"
SIGN_VERIFY, MAC, AGREEMENT = (
    KeyUsage.SIGN_VERIFY,
    KeyUsage.GENERATE_VERIFY_MAC,
    KeyUsage.KEY_AGREEMENT,
)


async def new_key(services: Services, root: Principal, spec: KeySpec, usage: KeyUsage) -> str:
    return (await created_key(services, root, key_spec=spec, key_usage=usage)).key_id


async def test_sign_and_verify_with_an_rsa_key(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.RSA_2048, SIGN_VERIFY)
    algorithm = SigningAlgorithm.RSASSA_PSS_SHA_256
    signed = await call(
        "Sign", SignRequest(key_id=key_id, message=MESSAGE, signing_algorithm=algorithm)
    )
    assert signed.key_id.endswith(f":key/{key_id}") and signed.key_id.startswith("arn:aws:kms:")
    assert signed.signing_algorithm is algorithm
    found = await call("GetPublicKey", KeyTokensRequest(key_id=key_id))
    public = load_der_public_key(found.public_key)
    assert isinstance(public, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    public.verify(signed.signature, MESSAGE, pss, hashes.SHA256())

    verified = await call(
        "Verify",
        VerifyRequest(
            key_id=key_id, message=MESSAGE, signature=signed.signature, signing_algorithm=algorithm
        ),
    )
    assert (verified.key_id, verified.signature_valid) == (signed.key_id, True)
    tampered = await refused(
        call(
            "Verify",
            VerifyRequest(
                key_id=key_id,
                message=MESSAGE + b"0",
                signature=signed.signature,
                signing_algorithm=algorithm,
            ),
        )
    )
    assert tampered.code == "KMSInvalidSignatureException"


async def test_sign_a_digest_with_an_ecc_key(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.ECC_NIST_P256, SIGN_VERIFY)
    digest = hashlib.sha256(MESSAGE).digest()
    algorithm = SigningAlgorithm.ECDSA_SHA_256
    signed = await call(
        "Sign",
        SignRequest(
            key_id=key_id,
            message=digest,
            message_type=MessageType.DIGEST,
            signing_algorithm=algorithm,
        ),
    )
    # A DIGEST signature is the RAW message's signature.
    verified = await call(
        "Verify",
        VerifyRequest(
            key_id=key_id, message=MESSAGE, signature=signed.signature, signing_algorithm=algorithm
        ),
    )
    assert verified.signature_valid is True
    short = await refused(
        call(
            "Sign",
            SignRequest(
                key_id=key_id,
                message=digest[:31],
                message_type=MessageType.DIGEST,
                signing_algorithm=algorithm,
            ),
        )
    )
    assert (short.code, short.message) == (
        "ValidationException",
        "Digest is invalid length for algorithm ECDSA_SHA_256.",
    )
    mismatched = await refused(
        call(
            "Sign",
            SignRequest(
                key_id=key_id,
                message=MESSAGE,
                signing_algorithm=SigningAlgorithm.ECDSA_SHA_384,
            ),
        )
    )
    assert (mismatched.code, mismatched.message) == (
        "InvalidKeyUsageException",
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
    )


async def test_signing_members_are_validated_in_aws_words(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.ECC_NIST_P256, SIGN_VERIFY)
    algorithm = SigningAlgorithm.ECDSA_SHA_256
    for message, bound in (
        (b"", "greater than or equal to 1"),
        (b"m" * 4097, "less than or equal to 4096"),
    ):
        error = await refused(
            call("Sign", SignRequest(key_id=key_id, message=message, signing_algorithm=algorithm))
        )
        assert (error.code, error.message) == (
            "ValidationException",
            validation_message("message", f"have length {bound}"),
        )
    long_id = "k" * 3000
    error = await refused(
        call(
            "Verify",
            VerifyRequest(
                key_id=long_id,
                message=MESSAGE,
                signature=b"s" * 6145,
                signing_algorithm=algorithm,
            ),
        )
    )
    assert error.message == (
        f"2 validation errors detected: Value '{long_id}' at 'keyId' failed to satisfy "
        "constraint: Member must have length less than or equal to 2048; Value at 'signature' "
        "failed to satisfy constraint: Member must have length less than or equal to 6144"
    )
    dry = await refused(
        call(
            "Sign",
            SignRequest(key_id=key_id, message=MESSAGE, signing_algorithm=algorithm, dry_run=True),
        )
    )
    assert dry.code == "DryRunOperationException"


async def test_generate_and_verify_a_mac(call: Invoke, services: Services, root: Principal) -> None:
    key_id = await new_key(services, root, KeySpec.HMAC_256, MAC)
    algorithm = MacAlgorithm.HMAC_SHA_256
    made = await call(
        "GenerateMac", GenerateMacRequest(key_id=key_id, message=MESSAGE, mac_algorithm=algorithm)
    )
    assert (len(made.mac), made.mac_algorithm) == (32, algorithm)
    again = await call(
        "GenerateMac", GenerateMacRequest(key_id=key_id, message=MESSAGE, mac_algorithm=algorithm)
    )
    assert again.mac == made.mac
    verified = await call(
        "VerifyMac",
        VerifyMacRequest(key_id=key_id, message=MESSAGE, mac_algorithm=algorithm, mac=made.mac),
    )
    assert (verified.key_id, verified.mac_valid) == (made.key_id, True)
    wrong = await refused(
        call(
            "VerifyMac",
            VerifyMacRequest(
                key_id=key_id, message=MESSAGE + b"0", mac_algorithm=algorithm, mac=made.mac
            ),
        )
    )
    assert wrong.code == "KMSInvalidMacException"
    incompatible = await refused(
        call(
            "GenerateMac",
            GenerateMacRequest(
                key_id=key_id, message=MESSAGE, mac_algorithm=MacAlgorithm.HMAC_SHA_512
            ),
        )
    )
    assert (incompatible.code, incompatible.message) == (
        "InvalidKeyUsageException",
        "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.",
    )
    oversized = await refused(
        call(
            "VerifyMac",
            VerifyMacRequest(key_id=key_id, message=MESSAGE, mac_algorithm=algorithm, mac=b""),
        )
    )
    assert oversized.message == validation_message("mac", "have length greater than or equal to 1")


async def test_derive_the_secret_the_peer_derives(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.ECC_NIST_P384, AGREEMENT)
    ours = load_der_public_key(
        (await call("GetPublicKey", KeyTokensRequest(key_id=key_id))).public_key
    )
    assert isinstance(ours, ec.EllipticCurvePublicKey)
    peer = ec.generate_private_key(ec.SECP384R1())
    peer_public = peer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ecdh = KeyAgreementAlgorithm.ECDH
    derived = await call(
        "DeriveSharedSecret",
        DeriveSharedSecretRequest(
            key_id=key_id, key_agreement_algorithm=ecdh, public_key=peer_public
        ),
    )
    assert derived.shared_secret == peer.exchange(ec.ECDH(), ours)
    assert (derived.key_agreement_algorithm, derived.key_origin.value) == (ecdh, "AWS_KMS")
    other_curve = ec.generate_private_key(ec.SECP256R1()).public_key()
    foreign = await refused(
        call(
            "DeriveSharedSecret",
            DeriveSharedSecretRequest(
                key_id=key_id,
                key_agreement_algorithm=ecdh,
                public_key=other_curve.public_bytes(
                    Encoding.DER, PublicFormat.SubjectPublicKeyInfo
                ),
            ),
        )
    )
    # AWS's message is empty (recorded against AWS); keygraph's reason is the detail.
    assert (foreign.code, foreign.message, foreign.detail) == (
        "ValidationException",
        "",
        "The publicKey is not a DER-encoded SubjectPublicKeyInfo of a ECC_NIST_P384 key.",
    )
    huge = await refused(
        call(
            "DeriveSharedSecret",
            DeriveSharedSecretRequest(
                key_id=key_id, key_agreement_algorithm=ecdh, public_key=b"k" * 8193
            ),
        )
    )
    assert huge.message == validation_message(
        "publicKey",
        "have length less than or equal to 8192",
        "java.nio.HeapByteBuffer[pos=0 lim=8193 cap=8193]",  # AWS never prints a blob's bytes
    )


async def test_get_public_key_answers_what_the_key_is_for(
    call: Invoke, services: Services, root: Principal
) -> None:
    key_id = await new_key(services, root, KeySpec.RSA_3072, KeyUsage.ENCRYPT_DECRYPT)
    found = await call("GetPublicKey", KeyTokensRequest(key_id=key_id, grant_tokens=["t"]))
    public = load_der_public_key(found.public_key)
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 3072
    assert found.key_spec == KeySpec.RSA_3072
    assert found.customer_master_key_spec == CustomerMasterKeySpec.RSA_3072
    assert found.key_usage is KeyUsage.ENCRYPT_DECRYPT
    assert [a.value for a in found.encryption_algorithms or []] == [
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
    ]
    assert (found.signing_algorithms, found.key_agreement_algorithms) == (None, None)

    symmetric = await new_key(services, root, KeySpec.SYMMETRIC_DEFAULT, KeyUsage.ENCRYPT_DECRYPT)
    unsupported = await refused(call("GetPublicKey", KeyTokensRequest(key_id=symmetric)))
    assert unsupported.code == "UnsupportedOperationException"
    assert unsupported.message.endswith(
        "key spec is SYMMETRIC_DEFAULT which is not valid for GetPublicKey."
    )
    missing = await refused(call("GetPublicKey", KeyTokensRequest(key_id="not a key")))
    assert (missing.code, missing.message) == ("NotFoundException", "Invalid keyId 'not a key'")
    too_long = await refused(call("GetPublicKey", KeyTokensRequest(key_id="k" * 3000)))
    assert (too_long.code, too_long.message) == (
        "ValidationException",
        validation_message("keyId", "have length less than or equal to 2048", "k" * 3000),
    )


async def test_public_keys_of_many_keys_in_one_call_are_one_statement(
    call: Invoke, services: Services, root: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the graph's ``Key.publicKey`` does for a page of ``listKeys``: GetPublicKey's handler
    for each key, sharing the listing's call (and so its loaders), and one read of the public keys
    for them all."""
    key_ids = [await new_key(services, root, KeySpec.ECC_NIST_P256, SIGN_VERIFY) for _ in range(4)]
    alone = {
        key_id: (await call("GetPublicKey", KeyTokensRequest(key_id=key_id))).public_key
        for key_id in key_ids
    }
    batches: list[list[uuid.UUID]] = []

    async def counted(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, bytes]:
        batches.append(ids)
        return await public_keys_for_keys(conn, ids)

    monkeypatch.setattr(api.crypto.public_keys, "public_keys_for_keys", counted)
    page = new_call(services, Caller(root))
    handler = BY_NAME["GetPublicKey"].handler
    found = await asyncio.gather(
        *(handler(services, page, KeyTokensRequest(key_id=key_id)) for key_id in key_ids)
    )
    assert [response.public_key for response in found] == list(alone.values())
    assert batches == [[uuid.UUID(key_id) for key_id in key_ids]]
    assert [decision.action for decision in page.decisions] == ["kms:GetPublicKey"] * 4
