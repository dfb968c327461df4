"""What the HSM produces checks out with independent implementations: ``cryptography`` and
Python's ``hmac``."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hsm import (
    EncryptionAlgorithm,
    Hsm,
    KeyKind,
    KeySpec,
    MessageType,
    Sealed,
    SignaturePadding,
    WrappedKey,
    WrappingAlgorithm,
    mac_algorithm,
    signing_algorithms,
)
from tests.hsm._material import encrypt_for_import

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "SHA_256": hashes.SHA256(),
    "SHA_384": hashes.SHA384(),
    "SHA_512": hashes.SHA512(),
}


def _public(key: WrappedKey) -> object:
    assert key.public_key is not None
    return serialization.load_der_public_key(key.public_key)


async def test_rsa_signatures_verify_with_cryptography(hsm: Hsm, rsa_2048: WrappedKey) -> None:
    public = _public(rsa_2048)
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    for algorithm in signing_algorithms(KeySpec.RSA_2048):
        digest_algorithm = _HASHES[algorithm.hash.value]
        signature = await hsm.sign(rsa_2048, b"interop message", algorithm)
        scheme: padding.AsymmetricPadding = padding.PKCS1v15()
        if algorithm.padding is SignaturePadding.PSS:
            scheme = padding.PSS(
                mgf=padding.MGF1(digest_algorithm), salt_length=digest_algorithm.digest_size
            )
        public.verify(signature, b"interop message", scheme, digest_algorithm)


@pytest.mark.parametrize("spec", [s for s in KeySpec if s.kind is KeyKind.EC])
async def test_ecdsa_signatures_verify_with_cryptography(hsm: Hsm, spec: KeySpec) -> None:
    key = await hsm.generate_key(spec)
    public = _public(key)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == spec.curve
    (algorithm,) = signing_algorithms(spec)
    digest_algorithm = _HASHES[algorithm.hash.value]
    signature = await hsm.sign(key, b"interop message", algorithm)
    public.verify(signature, b"interop message", ec.ECDSA(digest_algorithm))
    digest = hashlib.new(digest_algorithm.name, b"prehashed").digest()
    signature = await hsm.sign(key, digest, algorithm, MessageType.DIGEST)
    public.verify(signature, digest, ec.ECDSA(utils.Prehashed(digest_algorithm)))


@pytest.mark.parametrize("algorithm", list(EncryptionAlgorithm))
async def test_oaep_from_cryptography_decrypts_in_the_hsm(
    hsm: Hsm, rsa_2048: WrappedKey, algorithm: EncryptionAlgorithm
) -> None:
    public = _public(rsa_2048)
    assert isinstance(public, rsa.RSAPublicKey)
    sha1 = algorithm is EncryptionAlgorithm.RSAES_OAEP_SHA_1
    digest = hashes.SHA1() if sha1 else hashes.SHA256()  # noqa: S303 (the algorithm under test)
    plaintext = os.urandom(64)
    ciphertext = public.encrypt(plaintext, padding.OAEP(padding.MGF1(digest), digest, None))
    assert await hsm.rsa_decrypt(rsa_2048, ciphertext, algorithm) == plaintext


@pytest.mark.parametrize("spec", [s for s in KeySpec if s.kind is KeyKind.EC])
async def test_ecdh_agrees_with_cryptography(hsm: Hsm, spec: KeySpec) -> None:
    key = await hsm.generate_key(spec)
    mine = _public(key)
    assert isinstance(mine, ec.EllipticCurvePublicKey)
    peer = ec.generate_private_key(mine.curve)
    peer_der = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    shared = await hsm.derive_shared_secret(key, peer_der)
    assert shared == peer.exchange(ec.ECDH(), mine)
    assert len(shared) == (spec.bits + 7) // 8


@pytest.mark.parametrize("spec", [s for s in KeySpec if s.name.startswith("HMAC")])
async def test_hmac_equals_python_hmac(hsm: Hsm, import_key: WrappedKey, spec: KeySpec) -> None:
    """Import known material so the reference implementation can hold the same key."""
    material = os.urandom(spec.bits // 8)
    blob = encrypt_for_import(import_key, material, WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256)
    key = await hsm.import_key_material(
        import_key, blob, WrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256, spec
    )
    algorithm = mac_algorithm(spec)
    name = algorithm.hash.value.replace("_", "").lower()
    for message in (b"", b"a", os.urandom(4096)):
        expected = hmac.new(material, message, name).digest()
        assert await hsm.generate_mac(key, message, algorithm) == expected
        await hsm.verify_mac(key, message, expected, algorithm)


async def test_aes_gcm_interoperates_with_cryptography(hsm: Hsm, import_key: WrappedKey) -> None:
    material = os.urandom(32)
    blob = encrypt_for_import(import_key, material, WrappingAlgorithm.RSAES_OAEP_SHA_1)
    key = await hsm.import_key_material(
        import_key, blob, WrappingAlgorithm.RSAES_OAEP_SHA_1, KeySpec.SYMMETRIC_DEFAULT
    )
    sealed = await hsm.encrypt(key, b"from the HSM", b"aad")
    assert AESGCM(material).decrypt(sealed.iv, sealed.ciphertext, b"aad") == b"from the HSM"
    iv = os.urandom(12)
    ciphertext = AESGCM(material).encrypt(iv, b"from software", b"aad")
    assert await hsm.decrypt(key, Sealed(iv, ciphertext), b"aad") == b"from software"
