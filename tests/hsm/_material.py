"""What a customer does before ImportKeyMaterial: encrypt known key material under the import
public key with ``cryptography``, as the AWS documentation describes for each wrapping
algorithm."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from hsm import WrappedKey, WrappingAlgorithm


def encrypt_for_import(
    import_key: WrappedKey, material: bytes, algorithm: WrappingAlgorithm
) -> bytes:
    assert import_key.public_key is not None
    public = serialization.load_der_public_key(import_key.public_key)
    assert isinstance(public, rsa.RSAPublicKey)
    sha1 = algorithm.value.endswith("SHA_1")
    digest = hashes.SHA1() if sha1 else hashes.SHA256()  # noqa: S303 (AWS's SHA_1 variants)
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if not algorithm.uses_aes_key_wrap:
        return public.encrypt(material, oaep)
    ephemeral = os.urandom(32)
    return public.encrypt(ephemeral, oaep) + aes_key_wrap_with_padding(ephemeral, material)
