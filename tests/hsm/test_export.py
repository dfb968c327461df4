"""Data key pairs: generated in the HSM, handed out as PKCS#8 / SubjectPublicKeyInfo DER, and no
copy left behind in the token."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
)
from pkcs11 import Attribute

from hsm import ExportedKeyPair, Hsm, IncompatibleAlgorithm, KeySpec

RSA_SPECS = (KeySpec.RSA_2048, KeySpec.RSA_3072, KeySpec.RSA_4096)
EC_SPECS = (
    KeySpec.ECC_NIST_P256,
    KeySpec.ECC_NIST_P384,
    KeySpec.ECC_NIST_P521,
    KeySpec.ECC_SECG_P256K1,
)


def _session_objects(inspector: Any) -> set[int]:
    """Handles of every session object of this process (working copies included)."""
    return {obj.handle for obj in inspector.get_objects({Attribute.TOKEN: False})}


def _check_signature(private: Any, public: Any) -> None:
    message = b"signed with an exported data key pair"
    if isinstance(private, rsa.RSAPrivateKey):
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        public.verify(private.sign(message, pss, hashes.SHA256()), message, pss, hashes.SHA256())
    else:
        ecdsa = ec.ECDSA(hashes.SHA256())
        public.verify(private.sign(message, ecdsa), message, ecdsa)


@pytest.mark.parametrize("spec", [*RSA_SPECS, *EC_SPECS], ids=lambda spec: spec.value)
async def test_exported_pair_is_a_working_key_pair_and_leaves_nothing_behind(
    hsm: Hsm, hsm_inspector: Any, spec: KeySpec
) -> None:
    before = _session_objects(hsm_inspector)
    pair = await hsm.generate_exportable_key_pair(spec)
    assert _session_objects(hsm_inspector) == before

    private = load_der_private_key(pair.private_key_der, password=None)
    assert pair.private_key_der == private.private_bytes(
        Encoding.DER, PrivateFormat.PKCS8, NoEncryption()
    )
    public = load_der_public_key(pair.public_key_der)
    assert pair.public_key_der == private.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )
    if spec in RSA_SPECS:
        assert isinstance(private, rsa.RSAPrivateKey)
        assert isinstance(public, rsa.RSAPublicKey)
        assert private.key_size == spec.bits
        assert public.public_numbers().e == 65537
    else:
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert private.curve.name == spec.curve
    _check_signature(private, public)


async def test_every_pair_is_new(hsm: Hsm) -> None:
    first = await hsm.generate_exportable_key_pair(KeySpec.ECC_NIST_P256)
    second = await hsm.generate_exportable_key_pair(KeySpec.ECC_NIST_P256)
    assert first.private_key_der != second.private_key_der
    assert first.public_key_der != second.public_key_der


async def test_repr_hides_the_private_key(hsm: Hsm) -> None:
    pair = await hsm.generate_exportable_key_pair(KeySpec.ECC_NIST_P256)
    shown = repr(pair)
    assert shown.startswith("ExportedKeyPair(")
    assert pair.private_key_der.hex() not in shown
    assert str(pair.private_key_der) not in shown
    assert str(ExportedKeyPair(b"\x01secret", b"public")) == (
        "ExportedKeyPair(private_key_der=7 B, public_key_der=6 B)"
    )


@pytest.mark.parametrize("spec", [KeySpec.SYMMETRIC_DEFAULT, KeySpec.HMAC_256])
async def test_symmetric_specs_are_refused(hsm: Hsm, hsm_inspector: Any, spec: KeySpec) -> None:
    before = _session_objects(hsm_inspector)
    with pytest.raises(IncompatibleAlgorithm, match=spec.value):
        await hsm.generate_exportable_key_pair(spec)
    assert _session_objects(hsm_inspector) == before
