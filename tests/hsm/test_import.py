"""Import of customer key material: unwrapped in the HSM, re-wrapped under the domain key."""

from __future__ import annotations

import dataclasses
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from hsm import (
    Hsm,
    IncompatibleAlgorithm,
    InvalidInput,
    InvalidKeyMaterial,
    KeyMaterialMismatch,
    KeySpec,
    Sealed,
    SigningAlgorithm,
    WrappedKey,
    WrappingAlgorithm,
    signing_algorithms,
)
from tests.hsm._material import encrypt_for_import


@pytest.fixture(scope="module")
async def rsa_3072_import_key(hsm: Hsm) -> WrappedKey:
    return await hsm.create_import_key(KeySpec.RSA_3072)


async def test_import_key_is_rsa_with_an_exportable_public_key(
    hsm: Hsm, import_key: WrappedKey
) -> None:
    assert import_key.spec is KeySpec.RSA_2048
    assert import_key.public_key is not None
    public = serialization.load_der_public_key(import_key.public_key)
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.create_import_key(KeySpec.ECC_NIST_P256)


@pytest.mark.parametrize("algorithm", list(WrappingAlgorithm))
async def test_imported_aes_key_decrypts_what_the_material_encrypted(
    hsm: Hsm, import_key: WrappedKey, algorithm: WrappingAlgorithm
) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    material = os.urandom(32)
    blob = encrypt_for_import(import_key, material, algorithm)
    key = await hsm.import_key_material(import_key, blob, algorithm, KeySpec.SYMMETRIC_DEFAULT)
    assert key.spec is KeySpec.SYMMETRIC_DEFAULT
    assert material not in key.material and len(key.material) == 40
    iv = os.urandom(12)
    ciphertext = AESGCM(material).encrypt(iv, b"imported", b"")
    assert await hsm.decrypt(key, Sealed(iv, ciphertext)) == b"imported"


async def test_imported_rsa_private_key_signs_for_its_public_key(
    hsm: Hsm, import_key: WrappedKey
) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    algorithm = WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256
    key = await hsm.import_key_material(
        import_key, encrypt_for_import(import_key, pkcs8, algorithm), algorithm, KeySpec.RSA_2048
    )
    expected = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key.public_key == expected
    signature = await hsm.sign(key, b"m", SigningAlgorithm.RSASSA_PKCS1_V1_5_SHA_256)
    private.public_key().verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())


async def test_asymmetric_material_needs_aes_key_wrap(hsm: Hsm, import_key: WrappedKey) -> None:
    with pytest.raises(InvalidInput):
        await hsm.import_key_material(
            import_key, bytes(256), WrappingAlgorithm.RSAES_OAEP_SHA_256, KeySpec.RSA_2048
        )


@pytest.mark.parametrize(
    ("spec", "curve"),
    [
        (KeySpec.ECC_NIST_P256, ec.SECP256R1()),
        (KeySpec.ECC_NIST_P384, ec.SECP384R1()),
        (KeySpec.ECC_NIST_P521, ec.SECP521R1()),
        (KeySpec.ECC_SECG_P256K1, ec.SECP256K1()),
    ],
)
@pytest.mark.parametrize("algorithm", list(WrappingAlgorithm))
async def test_imported_ec_private_key_gets_its_public_key_from_the_hsm(
    hsm: Hsm,
    rsa_3072_import_key: WrappedKey,
    spec: KeySpec,
    curve: ec.EllipticCurve,
    algorithm: WrappingAlgorithm,
) -> None:
    """A PKCS#11 EC private key does not give its public point back; hsm computes it in the HSM
    (ECDH with the generator) and proves it with a signature, so the stored public key is the
    offline one whichever wrapping carried the key (RSA_3072: OAEP carries a P-521 PKCS#8)."""
    private = ec.generate_private_key(curve)
    pkcs8 = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    blob = encrypt_for_import(rsa_3072_import_key, pkcs8, algorithm)
    key = await hsm.import_key_material(rsa_3072_import_key, blob, algorithm, spec)
    assert key.public_key == private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pkcs8 not in key.material
    signing = signing_algorithms(spec)[0]
    signature = await hsm.sign(key, b"m", signing)
    private.public_key().verify(signature, b"m", ec.ECDSA(signing.hash.algorithm()))


async def test_a_private_key_that_is_not_pkcs8_is_a_mismatch_not_a_failing_hsm(
    hsm: Hsm, import_key: WrappedKey
) -> None:
    """SoftHSM answers an unparsable private key with CKR_FUNCTION_FAILED, a device-failure
    code; hsm tells it apart, so the caller's mistake neither drops sessions nor re-initialises
    the module, and the next call works."""
    sec1 = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    for algorithm in WrappingAlgorithm:
        with pytest.raises(KeyMaterialMismatch, match="PKCS#8"):
            await hsm.import_key_material(
                import_key,
                encrypt_for_import(import_key, sec1, algorithm),
                algorithm,
                KeySpec.ECC_NIST_P256,
            )
    assert len(await hsm.generate_random(8)) == 8


async def test_a_key_of_another_curve_is_a_mismatch(hsm: Hsm, import_key: WrappedKey) -> None:
    pkcs8 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    algorithm = WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_1
    with pytest.raises(KeyMaterialMismatch):
        await hsm.import_key_material(
            import_key,
            encrypt_for_import(import_key, pkcs8, algorithm),
            algorithm,
            KeySpec.ECC_NIST_P256,
        )


@pytest.mark.parametrize("algorithm", list(WrappingAlgorithm))
async def test_tampered_import_is_invalid_key_material(
    hsm: Hsm, import_key: WrappedKey, algorithm: WrappingAlgorithm
) -> None:
    blob = bytearray(encrypt_for_import(import_key, os.urandom(32), algorithm))
    blob[-3] ^= 0x10
    with pytest.raises(InvalidKeyMaterial):
        await hsm.import_key_material(import_key, bytes(blob), algorithm, KeySpec.SYMMETRIC_DEFAULT)
    with pytest.raises(InvalidKeyMaterial):
        await hsm.import_key_material(import_key, bytes(blob[:100]), algorithm, KeySpec.HMAC_256)


async def test_material_under_another_import_key_is_refused(
    hsm: Hsm, import_key: WrappedKey, rsa_2048: WrappedKey
) -> None:
    algorithm = WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_1
    blob = encrypt_for_import(rsa_2048, os.urandom(32), algorithm)
    with pytest.raises(InvalidKeyMaterial):
        await hsm.import_key_material(import_key, blob, algorithm, KeySpec.SYMMETRIC_DEFAULT)


async def test_material_of_the_wrong_size_is_refused(hsm: Hsm, import_key: WrappedKey) -> None:
    algorithm = WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256
    blob = encrypt_for_import(import_key, os.urandom(64), algorithm)
    with pytest.raises(KeyMaterialMismatch):
        await hsm.import_key_material(import_key, blob, algorithm, KeySpec.SYMMETRIC_DEFAULT)


async def test_import_key_must_be_an_import_key_spec(hsm: Hsm, import_key: WrappedKey) -> None:
    not_rsa = dataclasses.replace(import_key, spec=KeySpec.ECC_NIST_P256)
    with pytest.raises(IncompatibleAlgorithm):
        await hsm.import_key_material(
            not_rsa, bytes(300), WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_1, KeySpec.HMAC_256
        )
