"""Many threads at once: the crash python-pkcs11 can cause (heap corruption under python-pkcs11's
no-locking initialisation) must be impossible, and every result must still be right."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
from collections.abc import Callable, Iterator

import pytest

from hsm import (
    Hsm,
    HsmConfig,
    HsmEngine,
    InvalidCiphertext,
    KeySpec,
    KeyStoreEngine,
    MessageType,
    Sealed,
    SigningAlgorithm,
    WrappedKey,
    mac_algorithm,
)

THREADS = 8
CALLS_PER_THREAD = 1_000


@pytest.fixture(scope="module")
def churning_engine(hsm: Hsm, hsm_config: HsmConfig) -> Iterator[HsmEngine]:
    """Eight sessions with a handle cache of two each, so keys are unwrapped and destroyed all
    the time."""
    engine = HsmEngine(
        dataclasses.replace(hsm_config, session_pool_size=THREADS, handle_cache_size=2 * THREADS)
    )
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def key_store_engine(key_store_config: HsmConfig) -> Iterator[KeyStoreEngine]:
    engine = KeyStoreEngine(dataclasses.replace(key_store_config, session_pool_size=THREADS))
    engine.create_key("stress-key")
    yield engine
    engine.delete_key("stress-key")
    engine.close()


@pytest.mark.slow
def test_mixed_operations_from_eight_threads(
    churning_engine: HsmEngine, key_store_engine: KeyStoreEngine
) -> None:
    engine = churning_engine
    shared_aes = [engine.generate_key(KeySpec.SYMMETRIC_DEFAULT) for _ in range(24)]
    p256 = engine.generate_key(KeySpec.ECC_NIST_P256)
    hmac_key = engine.generate_key(KeySpec.HMAC_256)
    hmac_algorithm = mac_algorithm(KeySpec.HMAC_256)

    def fresh_key_round_trip(i: int) -> None:
        key = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
        sealed = engine.encrypt(key, i.to_bytes(4, "big"), b"fresh")
        assert engine.decrypt(key, sealed, b"fresh") == i.to_bytes(4, "big")

    def fresh_ec_key(i: int) -> None:
        key = engine.generate_key(KeySpec.ECC_NIST_P256)
        signature = engine.sign(key, b"fresh ec", SigningAlgorithm.ECDSA_SHA_256)
        engine.verify(key, b"fresh ec", signature, SigningAlgorithm.ECDSA_SHA_256)

    def gcm_on_shared_keys(i: int) -> None:
        key = shared_aes[i % len(shared_aes)]
        plaintext = os.urandom(1 + i % 200)
        sealed = engine.encrypt(key, plaintext, b"ctx")
        assert engine.decrypt(key, sealed, b"ctx") == plaintext
        forged = Sealed(sealed.iv, sealed.ciphertext[:-1] + bytes([sealed.ciphertext[-1] ^ 1]))
        with pytest.raises(InvalidCiphertext):
            engine.decrypt(key, forged, b"ctx")

    def ecdsa(i: int) -> None:
        message = i.to_bytes(8, "big")
        signature = engine.sign(p256, message, SigningAlgorithm.ECDSA_SHA_256, MessageType.RAW)
        engine.verify(p256, message, signature, SigningAlgorithm.ECDSA_SHA_256)

    def hmac_round_trip(i: int) -> None:
        mac = engine.generate_mac(hmac_key, b"m%d" % i, hmac_algorithm)
        engine.verify_mac(hmac_key, b"m%d" % i, mac, hmac_algorithm)

    def object_lookup(i: int) -> None:
        assert key_store_engine.has_key("stress-key")
        assert not key_store_engine.has_key(f"absent-{i}")
        sealed = key_store_engine.encrypt("stress-key", b"store")
        assert key_store_engine.decrypt("stress-key", sealed) == b"store"

    def random_bytes(i: int) -> None:
        assert len(engine.generate_random(32)) == 32

    operations: list[Callable[[int], None]] = [
        fresh_key_round_trip,
        gcm_on_shared_keys,
        ecdsa,
        hmac_round_trip,
        object_lookup,
        gcm_on_shared_keys,
        random_bytes,
        fresh_ec_key,
    ]
    failures: list[BaseException] = []
    done = [0] * THREADS
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        start.wait()
        try:
            for i in range(CALLS_PER_THREAD):
                operations[(index + i) % len(operations)](i)
                done[index] += 1
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert done == [CALLS_PER_THREAD] * THREADS


async def test_async_facade_under_concurrent_tasks(hsm: Hsm, aes_key: WrappedKey) -> None:
    """Hundreds of concurrent awaits share the thread pool and the sessions."""

    async def one(i: int) -> bytes:
        sealed = await hsm.encrypt(aes_key, i.to_bytes(2, "big"), b"async")
        return await hsm.decrypt(aes_key, sealed, b"async")

    results = await asyncio.gather(*(one(i) for i in range(500)))
    assert results == [i.to_bytes(2, "big") for i in range(500)]
