"""Recovery for real: the token vanishes or the module is reset under a running backend, and the
first call after the token is back succeeds."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hsm import (
    ConnectionState,
    Hsm,
    HsmConfig,
    HsmEngine,
    HsmUnavailable,
    KeySpec,
    SigningAlgorithm,
    mac_algorithm,
)
from hsm._cryptoki import FunctionList


@pytest.fixture
def engine(recovery_config: HsmConfig) -> Iterator[HsmEngine]:
    opened = HsmEngine(recovery_config)
    opened.ensure_domain_key()
    yield opened
    opened.close()


def _state(engine: HsmEngine) -> ConnectionState:
    """Read afresh (a bare ``engine.state`` comparison would be narrowed by mypy)."""
    return engine.state


def _token_directory(softhsm_dir: Path, label: str) -> Path:
    padded = label.encode().ljust(32)
    for token_object in (softhsm_dir / "tokens").glob("*/token.object"):
        if padded in token_object.read_bytes():
            return token_object.parent
    raise AssertionError(f"no token directory holds label {label!r}")


@pytest.mark.slow
async def test_token_directory_removed_and_restored(
    engine: HsmEngine,
    recovery_config: HsmConfig,
    softhsm_dir: Path,
    hsm: Hsm,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    sealed = engine.encrypt(key, b"before the outage", b"aad")
    signer = engine.generate_key(KeySpec.ECC_NIST_P256)

    directory = _token_directory(softhsm_dir, recovery_config.token_label)
    parked = softhsm_dir / "parked-token"  # outside the token directory: SoftHSM scans all of it
    shutil.move(directory, parked)
    try:
        with pytest.raises(HsmUnavailable):
            engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)  # needs the domain key on the token
        assert _state(engine) is ConnectionState.DISCONNECTED
    finally:
        shutil.move(parked, directory)

    # the very next call succeeds: new session, new login, domain key found again
    fresh = engine.generate_key(KeySpec.SYMMETRIC_DEFAULT)
    assert _state(engine) is ConnectionState.CONNECTED
    assert engine.decrypt(key, sealed, b"aad") == b"before the outage"
    assert engine.decrypt(fresh, engine.encrypt(fresh, b"after", b""), b"") == b"after"
    signature = engine.sign(signer, b"m", SigningAlgorithm.ECDSA_SHA_256)
    engine.verify(signer, b"m", signature, SigningAlgorithm.ECDSA_SHA_256)
    assert "re-initialised" in caplog.text

    # the module re-initialisation did not break the other token's running backend
    await hsm.self_test()


def test_module_finalised_under_a_running_backend(
    engine: HsmEngine, recovery_config: HsmConfig, caplog: pytest.LogCaptureFixture
) -> None:
    key = engine.generate_key(KeySpec.HMAC_256)
    algorithm = mac_algorithm(KeySpec.HMAC_256)
    mac_before = engine.generate_mac(key, b"m", algorithm)

    FunctionList(recovery_config.module_path).finalize()  # what a module reset looks like
    with caplog.at_level(logging.WARNING):
        mac_after = engine.generate_mac(key, b"m", algorithm)
    assert mac_after == mac_before
    assert engine.state is ConnectionState.CONNECTED
    assert "re-initialised" in caplog.text
