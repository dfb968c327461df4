"""``together``: many operations in one thread-pool task on one session, each with its own result
or error, and a device failure recovered from for the group as a whole."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from pkcs11 import exceptions as p11

from hsm import (
    Hsm,
    IncompatibleAlgorithm,
    InvalidCiphertext,
    KeySpec,
    Sealed,
    SigningAlgorithm,
    WrappedKey,
)
from hsm._session import SessionPool

AAD = b"aad"


@pytest.fixture
def acquisitions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per session taken from a pool: what ``together`` takes once for many calls."""
    taken: list[int] = []
    acquire = SessionPool.acquire

    def counted(pool: SessionPool, token: Any, generation: int) -> Any:
        taken.append(generation)
        return acquire(pool, token, generation)

    monkeypatch.setattr(SessionPool, "acquire", counted)
    return taken


async def test_each_call_gets_its_result_or_error_in_its_place(
    hsm: Hsm, aes_key: WrappedKey, acquisitions: list[int]
) -> None:
    engine = hsm.engine
    sealed = await hsm.encrypt(aes_key, b"kept", AAD)
    acquisitions.clear()
    outcomes = await hsm.together(
        [
            functools.partial(engine.encrypt, aes_key, b"one", AAD),
            functools.partial(engine.decrypt, aes_key, sealed, AAD),
            functools.partial(engine.decrypt, aes_key, sealed, b"other aad"),
            functools.partial(engine.sign, aes_key, b"m", SigningAlgorithm.ECDSA_SHA_256),
            functools.partial(engine.generate_random, 16),
        ]
    )
    assert len(acquisitions) == 1
    first, kept, tampered, unsigned, random = outcomes
    assert isinstance(first, Sealed)
    assert await hsm.decrypt(aes_key, first, AAD) == b"one"
    assert kept == b"kept"
    assert isinstance(tampered, InvalidCiphertext)
    assert isinstance(unsigned, IncompatibleAlgorithm)
    assert isinstance(random, bytes) and len(random) == 16


async def test_a_device_failure_runs_the_whole_group_again_on_a_fresh_session(
    hsm: Hsm, acquisitions: list[int]
) -> None:
    engine = hsm.engine
    signer = await hsm.generate_key(KeySpec.ECC_NIST_P256)
    attempts: list[str] = []

    def failing_once() -> bytes:
        attempts.append("failing")
        if attempts.count("failing") == 1:
            raise p11.DeviceError()
        return b"second time"

    def signing() -> bytes:
        attempts.append("signing")
        return engine.sign(signer, b"message", SigningAlgorithm.ECDSA_SHA_256)

    acquisitions.clear()
    signature, recovered = await hsm.together([signing, failing_once])
    assert recovered == b"second time"
    assert isinstance(signature, bytes)
    assert attempts == ["signing", "failing", "signing", "failing"]
    assert len(acquisitions) == 2
