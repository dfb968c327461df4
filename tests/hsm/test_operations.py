"""Every operation on every key spec, with the errors a caller relies on."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pkcs11
import pytest
from pkcs11 import Mechanism

from hsm import (
    EncryptionAlgorithm,
    Hsm,
    HsmConfig,
    HsmConfigurationError,
    IncompatibleAlgorithm,
    InvalidCiphertext,
    InvalidDigestLength,
    InvalidInput,
    InvalidMac,
    InvalidPublicKey,
    InvalidSignature,
    IvMode,
    KeyKind,
    KeySpec,
    MessageType,
    PlaintextTooLarge,
    Sealed,
    SigningAlgorithm,
    WrappedKey,
    _gcm,
    mac_algorithm,
    open_hsm,
    signing_algorithms,
)

AAD = b"header|context"


async def test_gcm_round_trip_with_aad(hsm: Hsm, aes_key: WrappedKey) -> None:
    sealed = await hsm.encrypt(aes_key, b"attack at dawn", AAD)
    assert len(sealed.iv) == 12
    assert len(sealed.ciphertext) == len(b"attack at dawn") + 16
    assert await hsm.decrypt(aes_key, sealed, AAD) == b"attack at dawn"


async def test_gcm_ivs_differ_between_encryptions(hsm: Hsm, aes_key: WrappedKey) -> None:
    ivs = {(await hsm.encrypt(aes_key, b"same", AAD)).iv for _ in range(20)}
    assert len(ivs) == 20


async def test_gcm_caller_iv_is_used(hsm: Hsm, aes_key: WrappedKey) -> None:
    iv = bytes(range(12))
    first = await hsm.encrypt(aes_key, b"payload", AAD, iv=iv)
    second = await hsm.encrypt(aes_key, b"payload", AAD, iv=iv)
    assert first.iv == iv
    assert first == second  # deterministic for a fixed key, IV, AAD and plaintext
    with pytest.raises(InvalidInput):
        await hsm.encrypt(aes_key, b"payload", AAD, iv=b"short")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: dataclasses.replace(
            s, ciphertext=s.ciphertext[:-1] + bytes([s.ciphertext[-1] ^ 1])
        ),
        lambda s: dataclasses.replace(
            s, ciphertext=bytes([s.ciphertext[0] ^ 1]) + s.ciphertext[1:]
        ),
        lambda s: dataclasses.replace(s, iv=bytes(12)),
        lambda s: dataclasses.replace(s, ciphertext=s.ciphertext[:10]),
        lambda s: dataclasses.replace(s, iv=s.iv[:8]),
    ],
    ids=["tag", "body", "iv", "truncated", "short-iv"],
)
async def test_gcm_tampering_is_invalid_ciphertext(
    hsm: Hsm, aes_key: WrappedKey, tamper: Any
) -> None:
    sealed = await hsm.encrypt(aes_key, b"do not touch", AAD)
    with pytest.raises(InvalidCiphertext):
        await hsm.decrypt(aes_key, tamper(sealed), AAD)
    # a data error leaves the backend healthy
    assert await hsm.decrypt(aes_key, sealed, AAD) == b"do not touch"


async def test_gcm_wrong_aad_or_key_is_invalid_ciphertext(hsm: Hsm, aes_key: WrappedKey) -> None:
    sealed = await hsm.encrypt(aes_key, b"bound to context", AAD)
    with pytest.raises(InvalidCiphertext):
        await hsm.decrypt(aes_key, sealed, AAD + b"x")
    other = await hsm.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    with pytest.raises(InvalidCiphertext):
        await hsm.decrypt(other, sealed, AAD)


def test_raw_gcm_parameters_match_python_pkcs11(hsm_inspector: Any) -> None:
    """The ctypes CK_GCM_PARAMS path (the one CloudHSM's HSM-generated IVs need) gives the same
    bytes as python-pkcs11's own GCMParams for a caller IV."""
    key = _gcm.scratch_key(hsm_inspector)
    try:
        iv = bytes.fromhex("00112233445566778899aabb")
        used, raw = _gcm.encrypt(key, b"same path, same bytes", AAD, iv)
        reference = key.encrypt(
            b"same path, same bytes",
            mechanism=Mechanism.AES_GCM,
            mechanism_param=pkcs11.GCMParams(iv, AAD),
        )
        assert used == iv
        assert raw == reference
        assert _gcm.decrypt(key, iv, raw, AAD) == b"same path, same bytes"
        _, without_aad = _gcm.encrypt(key, b"x", b"", iv)
        assert without_aad == key.encrypt(
            b"x", mechanism=Mechanism.AES_GCM, mechanism_param=pkcs11.GCMParams(iv)
        )
    finally:
        key.destroy()


async def test_hsm_iv_mode_is_refused_by_a_token_that_takes_caller_ivs(
    hsm: Hsm, hsm_config: HsmConfig
) -> None:
    assert hsm.capabilities.iv_mode is IvMode.CALLER  # SoftHSM takes the caller's IV
    with pytest.raises(HsmConfigurationError, match="behaves as caller"):
        await open_hsm(dataclasses.replace(hsm_config, iv_mode=IvMode.HSM))


async def test_encrypt_refuses_non_aes_keys(hsm: Hsm, rsa_2048: WrappedKey) -> None:
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.encrypt(rsa_2048, b"x")


@pytest.fixture(scope="module")
async def ec_keys(hsm: Hsm) -> dict[KeySpec, WrappedKey]:
    specs = [s for s in KeySpec if s.kind is KeyKind.EC]
    return {spec: await hsm.generate_key(spec) for spec in specs}


@pytest.mark.parametrize("message_type", list(MessageType))
async def test_ecdsa_every_curve(
    hsm: Hsm, ec_keys: dict[KeySpec, WrappedKey], message_type: MessageType
) -> None:
    for spec, key in ec_keys.items():
        (algorithm,) = signing_algorithms(spec)
        message = b"ledger entry 42"
        if message_type is MessageType.DIGEST:
            message = hashlib.new(algorithm.hash.value.replace("_", "").lower(), message).digest()
        signature = await hsm.sign(key, message, algorithm, message_type)
        assert signature[0] == 0x30  # DER SEQUENCE, not raw r||s
        await hsm.verify(key, message, signature, algorithm, message_type)
        with pytest.raises(InvalidSignature):
            await hsm.verify(
                key,
                message + b"!" if message_type is MessageType.RAW else bytes(len(message)),
                signature,
                algorithm,
                message_type,
            )


async def test_rsa_sign_every_algorithm(hsm: Hsm, rsa_2048: WrappedKey) -> None:
    for algorithm in signing_algorithms(KeySpec.RSA_2048):
        for message_type in MessageType:
            message = b"contract v7"
            if message_type is MessageType.DIGEST:
                name = algorithm.hash.value.replace("_", "").lower()
                message = hashlib.new(name, message).digest()
            signature = await hsm.sign(rsa_2048, message, algorithm, message_type)
            assert len(signature) == 256
            await hsm.verify(rsa_2048, message, signature, algorithm, message_type)
            tampered = bytes([signature[0] ^ 1]) + signature[1:]
            with pytest.raises(InvalidSignature):
                await hsm.verify(rsa_2048, message, tampered, algorithm, message_type)


async def test_pkcs1_signatures_are_deterministic_and_pss_are_not(
    hsm: Hsm, rsa_2048: WrappedKey
) -> None:
    pkcs1 = SigningAlgorithm.RSASSA_PKCS1_V1_5_SHA_256
    pss = SigningAlgorithm.RSASSA_PSS_SHA_256
    assert await hsm.sign(rsa_2048, b"m", pkcs1) == await hsm.sign(rsa_2048, b"m", pkcs1)
    assert await hsm.sign(rsa_2048, b"m", pss) != await hsm.sign(rsa_2048, b"m", pss)


async def test_digest_of_wrong_length_is_refused(hsm: Hsm, rsa_2048: WrappedKey) -> None:
    with pytest.raises(InvalidDigestLength, match="RSASSA_PSS_SHA_384"):
        await hsm.sign(rsa_2048, bytes(32), SigningAlgorithm.RSASSA_PSS_SHA_384, MessageType.DIGEST)


async def test_algorithm_must_suit_the_spec(
    hsm: Hsm, rsa_2048: WrappedKey, ec_keys: dict[KeySpec, WrappedKey]
) -> None:
    with pytest.raises(IncompatibleAlgorithm, match="incompatible with key spec ECC_NIST_P256"):
        await hsm.sign(ec_keys[KeySpec.ECC_NIST_P256], b"m", SigningAlgorithm.ECDSA_SHA_384)
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.sign(rsa_2048, b"m", SigningAlgorithm.ECDSA_SHA_256)
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.rsa_encrypt(
            ec_keys[KeySpec.ECC_NIST_P256], b"m", EncryptionAlgorithm.RSAES_OAEP_SHA_1
        )


@pytest.mark.parametrize("algorithm", list(EncryptionAlgorithm))
async def test_rsa_oaep_round_trip(
    hsm: Hsm, rsa_2048: WrappedKey, algorithm: EncryptionAlgorithm
) -> None:
    ciphertext = await hsm.rsa_encrypt(rsa_2048, b"wrapped data key", algorithm)
    assert await hsm.rsa_decrypt(rsa_2048, ciphertext, algorithm) == b"wrapped data key"
    with pytest.raises(InvalidCiphertext):
        await hsm.rsa_decrypt(rsa_2048, bytes([ciphertext[0] ^ 1]) + ciphertext[1:], algorithm)
    with pytest.raises(InvalidCiphertext):
        await hsm.rsa_decrypt(rsa_2048, ciphertext[:-1], algorithm)


async def test_oaep_with_the_other_hash_is_invalid_ciphertext(
    hsm: Hsm, rsa_2048: WrappedKey
) -> None:
    ciphertext = await hsm.rsa_encrypt(rsa_2048, b"m", EncryptionAlgorithm.RSAES_OAEP_SHA_1)
    with pytest.raises(InvalidCiphertext):
        await hsm.rsa_decrypt(rsa_2048, ciphertext, EncryptionAlgorithm.RSAES_OAEP_SHA_256)


@pytest.mark.parametrize(
    ("algorithm", "limit"),
    [(EncryptionAlgorithm.RSAES_OAEP_SHA_1, 214), (EncryptionAlgorithm.RSAES_OAEP_SHA_256, 190)],
)
async def test_rsa_plaintext_limits(
    hsm: Hsm, rsa_2048: WrappedKey, algorithm: EncryptionAlgorithm, limit: int
) -> None:
    largest = bytes(range(256))[:limit]
    ciphertext = await hsm.rsa_encrypt(rsa_2048, largest, algorithm)
    assert await hsm.rsa_decrypt(rsa_2048, ciphertext, algorithm) == largest
    with pytest.raises(PlaintextTooLarge, match=f"larger than {limit} bytes"):
        await hsm.rsa_encrypt(rsa_2048, largest + b"x", algorithm)


async def test_rsa_3072_and_4096(hsm: Hsm) -> None:
    """The larger moduli, once each (RSA-4096 generation is the slowest thing in the suite)."""
    for spec, size in ((KeySpec.RSA_3072, 384), (KeySpec.RSA_4096, 512)):
        key = await hsm.generate_key(spec)
        signature = await hsm.sign(key, b"m", SigningAlgorithm.RSASSA_PSS_SHA_512)
        assert len(signature) == size
        await hsm.verify(key, b"m", signature, SigningAlgorithm.RSASSA_PSS_SHA_512)
        algorithm = EncryptionAlgorithm.RSAES_OAEP_SHA_256
        ciphertext = await hsm.rsa_encrypt(key, b"k" * 100, algorithm)
        assert await hsm.rsa_decrypt(key, ciphertext, algorithm) == b"k" * 100


@pytest.mark.parametrize("spec", [s for s in KeySpec if s.name.startswith("HMAC")])
async def test_hmac_generate_and_verify(hsm: Hsm, spec: KeySpec) -> None:
    key = await hsm.generate_key(spec)
    algorithm = mac_algorithm(spec)
    mac = await hsm.generate_mac(key, b"message", algorithm)
    assert len(mac) == algorithm.hash.digest_size
    assert await hsm.generate_mac(key, b"message", algorithm) == mac
    await hsm.verify_mac(key, b"message", mac, algorithm)
    with pytest.raises(InvalidMac):
        await hsm.verify_mac(key, b"messagE", mac, algorithm)
    with pytest.raises(InvalidMac):
        await hsm.verify_mac(key, b"message", mac[:-1], algorithm)


async def test_hmac_algorithm_must_match_the_spec(hsm: Hsm) -> None:
    key = await hsm.generate_key(KeySpec.HMAC_256)
    wrong = mac_algorithm(KeySpec.HMAC_384)
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.generate_mac(key, b"m", wrong)


async def test_ecdh_refuses_a_peer_key_on_another_curve(
    hsm: Hsm, ec_keys: dict[KeySpec, WrappedKey]
) -> None:
    other_curve = ec_keys[KeySpec.ECC_NIST_P384].public_key
    assert other_curve is not None
    with pytest.raises(InvalidPublicKey):
        await hsm.derive_shared_secret(ec_keys[KeySpec.ECC_NIST_P256], other_curve)
    with pytest.raises(InvalidPublicKey):
        await hsm.derive_shared_secret(ec_keys[KeySpec.ECC_NIST_P256], b"not DER")


async def test_generate_random(hsm: Hsm) -> None:
    values = {await hsm.generate_random(32) for _ in range(10)}
    assert len(values) == 10
    assert all(len(v) == 32 for v in values)
    assert len(await hsm.generate_random(1024)) == 1024
    for size in (0, 1025):
        with pytest.raises(InvalidInput):
            await hsm.generate_random(size)


async def test_self_test_round_trips(hsm: Hsm) -> None:
    await hsm.self_test()
    await hsm.self_test()


async def test_sealed_repr_hides_ciphertext(hsm: Hsm, aes_key: WrappedKey) -> None:
    sealed = await hsm.encrypt(aes_key, b"secret plaintext")
    assert sealed.ciphertext.hex() not in repr(sealed)
    assert isinstance(sealed, Sealed)
