"""The key hierarchy: one non-extractable domain key per token, customer keys only as wrapped
bytes outside the HSM, working copies that nobody can read or export."""

from __future__ import annotations

import dataclasses
from typing import Any

import pkcs11
import pytest
from pkcs11 import Attribute, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from hsm import (
    Hsm,
    HsmConfig,
    HsmEngine,
    InvalidKeyMaterial,
    KeySpec,
    MessageType,
    SigningAlgorithm,
    WrappedKey,
    mac_algorithm,
    signing_algorithms,
)
from hsm.config import DEFAULT_DOMAIN_KEY_LABEL


def _keys(session: Any, **attrs: Any) -> list[Any]:
    template = {Attribute.CLASS: ObjectClass.SECRET_KEY}
    template.update({getattr(Attribute, k.upper()): v for k, v in attrs.items()})
    return list(session.get_objects(template))


def _secret_attribute(obj: Any) -> Attribute:
    rsa = obj[Attribute.KEY_TYPE] == pkcs11.KeyType.RSA
    return Attribute.PRIVATE_EXPONENT if rsa else Attribute.VALUE


async def test_domain_key_is_a_single_non_extractable_token_object(
    hsm: Hsm, hsm_inspector: Any
) -> None:
    await hsm.ensure_domain_key()
    await hsm.ensure_domain_key()
    found = _keys(hsm_inspector, label=DEFAULT_DOMAIN_KEY_LABEL)
    assert len(found) == 1
    domain = found[0]
    assert domain[Attribute.TOKEN] is True
    assert domain[Attribute.EXTRACTABLE] is False
    assert domain[Attribute.SENSITIVE] is True
    assert domain[Attribute.NEVER_EXTRACTABLE] is True
    assert domain[Attribute.ENCRYPT] is False  # it wraps keys, nothing else
    with pytest.raises(p11.AttributeSensitive):
        domain[Attribute.VALUE]


@pytest.mark.parametrize(
    ("spec", "size"),
    [
        (KeySpec.SYMMETRIC_DEFAULT, 40),
        (KeySpec.HMAC_224, 40),
        (KeySpec.HMAC_512, 72),
        (KeySpec.ECC_NIST_P256, 80),
    ],
)
async def test_generated_material_leaves_only_wrapped(hsm: Hsm, spec: KeySpec, size: int) -> None:
    first = await hsm.generate_key(spec)
    second = await hsm.generate_key(spec)
    assert first.spec is spec
    assert len(first.material) == size  # RFC 5649 output for this key size
    assert first.material != second.material
    assert "material" in repr(first) and first.material.hex() not in repr(first)


async def test_no_key_object_reveals_its_value(
    hsm: Hsm, hsm_inspector: Any, aes_key: WrappedKey, rsa_2048: WrappedKey
) -> None:
    """Use one key of every kind so working copies exist, then audit every key object the
    process can see: values unreadable, working copies not extractable, wrapping refused."""
    ec_key = await hsm.generate_key(KeySpec.ECC_NIST_P384)
    hmac_key = await hsm.generate_key(KeySpec.HMAC_256)
    await hsm.encrypt(aes_key, b"x")
    await hsm.sign(rsa_2048, b"x", SigningAlgorithm.RSASSA_PSS_SHA_256)
    await hsm.sign(ec_key, b"x", SigningAlgorithm.ECDSA_SHA_384)
    await hsm.generate_mac(hmac_key, b"x", mac_algorithm(KeySpec.HMAC_256))

    wrapper = hsm_inspector.generate_key(
        pkcs11.KeyType.AES, 256, capabilities=0, template={Attribute.WRAP: True}
    )
    try:
        secret = list(hsm_inspector.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY}))
        private = list(hsm_inspector.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
        working = [o for o in secret + private if not o[Attribute.TOKEN] and o != wrapper]
        assert {o[Attribute.KEY_TYPE] for o in working} >= {
            pkcs11.KeyType.AES,
            pkcs11.KeyType.GENERIC_SECRET,
            pkcs11.KeyType.RSA,
            pkcs11.KeyType.EC,
        }
        for obj in secret + private:
            if obj == wrapper:
                continue
            assert obj[Attribute.SENSITIVE] is True
            with pytest.raises(p11.AttributeSensitive):
                obj[_secret_attribute(obj)]
        for obj in working:
            assert obj[Attribute.EXTRACTABLE] is False
            with pytest.raises(p11.KeyUnextractable):
                wrapper.wrap_key(obj, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    finally:
        wrapper.destroy()


async def test_tampered_wrapped_key_is_refused(hsm: Hsm, aes_key: WrappedKey) -> None:
    broken = bytearray(aes_key.material)
    broken[5] ^= 0x40
    with pytest.raises(InvalidKeyMaterial):
        await hsm.encrypt(dataclasses.replace(aes_key, material=bytes(broken)), b"x")


async def test_wrapped_key_under_the_wrong_spec_is_refused(hsm: Hsm, aes_key: WrappedKey) -> None:
    as_hmac_512 = WrappedKey(KeySpec.HMAC_512, aes_key.material)
    with pytest.raises(InvalidKeyMaterial):
        await hsm.generate_mac(as_hmac_512, b"x", mac_algorithm(KeySpec.HMAC_512))
    p256 = await hsm.generate_key(KeySpec.ECC_NIST_P256)
    as_p384 = WrappedKey(KeySpec.ECC_NIST_P384, p256.material, p256.public_key)
    with pytest.raises(InvalidKeyMaterial):
        await hsm.sign(as_p384, b"x", SigningAlgorithm.ECDSA_SHA_384)


def test_handle_cache_is_bounded_and_evicts_least_recently_used(
    recovery_config: HsmConfig,
) -> None:
    """On a token no other test uses while this runs, so every session object seen is ours."""
    small = HsmEngine(
        dataclasses.replace(recovery_config, session_pool_size=1, handle_cache_size=3)
    )
    token = pkcs11.lib(recovery_config.module_path).get_token(
        token_label=recovery_config.token_label
    )
    try:
        small.ensure_domain_key()
        keys = [small.generate_key(KeySpec.HMAC_256) for _ in range(5)]
        algorithm = mac_algorithm(KeySpec.HMAC_256)
        with token.open() as auditor:

            def working_copies() -> set[int]:
                return {o.handle for o in _keys(auditor, token=False)}

            assert working_copies() == set()
            for key in keys:
                small.generate_mac(key, b"m", algorithm)
            cached = working_copies()
            assert len(cached) == 3  # five keys through a cache of three
            for key in (keys[2], keys[3], keys[4]):  # the three most recent: hits
                small.generate_mac(key, b"m", algorithm)
            assert working_copies() == cached
            small.generate_mac(keys[2], b"m", algorithm)  # keys[3] is now least recent
            small.generate_mac(keys[0], b"m", algorithm)  # a miss evicts keys[3]
            after_miss = working_copies()
            assert len(after_miss) == 3 and len(after_miss - cached) == 1
            small.generate_mac(keys[2], b"m", algorithm)  # still cached
            small.generate_mac(keys[4], b"m", algorithm)  # still cached
            assert working_copies() == after_miss
            small.close()
            assert working_copies() == set()  # closing the session freed its copies
    finally:
        small.close()


def test_signing_works_on_unwrapped_copies_after_cache_eviction(
    hsm_config: HsmConfig,
) -> None:
    tiny = HsmEngine(dataclasses.replace(hsm_config, session_pool_size=1, handle_cache_size=1))
    try:
        first = tiny.generate_key(KeySpec.ECC_NIST_P256)
        second = tiny.generate_key(KeySpec.ECC_NIST_P256)
        algorithm = signing_algorithms(KeySpec.ECC_NIST_P256)[0]
        for key in (first, second, first):
            signature = tiny.sign(key, b"m", algorithm, MessageType.RAW)
            tiny.verify(key, b"m", signature, algorithm)
    finally:
        tiny.close()
