"""Provisioning a SoftHSM token, configuration hygiene, and what a bad configuration raises."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from hsm import (
    DomainKeyMissing,
    Hsm,
    HsmConfig,
    HsmConfigurationError,
    KeySpec,
    LoginFailed,
    TokenNotFound,
    open_hsm,
    provision_softhsm,
)
from tests.fixtures.softhsm import KEY_STORE_LABEL, MAIN_LABEL


def test_configuration_file_and_secret_files(softhsm_dir: Path, hsm_config: HsmConfig) -> None:
    conf = softhsm_dir / "softhsm2.conf"
    assert os.environ["SOFTHSM2_CONF"] == str(conf)
    text = conf.read_text()
    assert f"directories.tokendir = {softhsm_dir / 'tokens'}" in text
    assert "objectstore.backend = file" in text
    for name in (f"{MAIN_LABEL}.pin", f"{MAIN_LABEL}.so-pin"):
        mode = stat.S_IMODE((softhsm_dir / name).stat().st_mode)
        assert mode == 0o600
    assert (softhsm_dir / f"{MAIN_LABEL}.pin").read_text() == hsm_config.pin
    assert hsm_config.pin != (softhsm_dir / f"{MAIN_LABEL}.so-pin").read_text()


def test_provisioning_again_reuses_the_token(softhsm_dir: Path, hsm_config: HsmConfig) -> None:
    again = provision_softhsm(softhsm_dir, MAIN_LABEL)
    assert again == hsm_config
    other = provision_softhsm(softhsm_dir, KEY_STORE_LABEL)
    assert other.pin != hsm_config.pin


def test_pin_is_not_in_repr(hsm_config: HsmConfig) -> None:
    assert hsm_config.pin not in repr(hsm_config)
    assert "pin=" not in repr(hsm_config)


def test_bad_labels_are_refused(softhsm_dir: Path) -> None:
    for label in ("", "a/b", "x" * 33, "spaces here"):
        with pytest.raises(ValueError):
            provision_softhsm(softhsm_dir, label)


async def test_a_second_softhsm_configuration_is_refused(hsm: Hsm, tmp_path: Path) -> None:
    with pytest.raises(HsmConfigurationError, match="one SoftHSM configuration per process"):
        provision_softhsm(tmp_path, "elsewhere")


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        HsmConfig("/m.so", "t", "p", session_pool_size=0)
    with pytest.raises(ValueError):
        HsmConfig("/m.so", "t", "p", session_pool_size=4, handle_cache_size=2)


async def test_wrong_pin_is_login_failed_without_the_pin(login_config: HsmConfig) -> None:
    wrong = dataclasses.replace(login_config, pin="not-the-pin-1234")
    with pytest.raises(LoginFailed) as raised:
        await open_hsm(wrong)
    assert "not-the-pin-1234" not in str(raised.value)
    assert login_config.token_label in str(raised.value)


async def test_absent_token_is_token_not_found(hsm_config: HsmConfig) -> None:
    with pytest.raises(TokenNotFound, match="no-such-token"):
        await open_hsm(dataclasses.replace(hsm_config, token_label="no-such-token"))


async def test_bad_module_path_is_a_configuration_error(hsm_config: HsmConfig) -> None:
    with pytest.raises(HsmConfigurationError, match="cannot load"):
        await open_hsm(dataclasses.replace(hsm_config, module_path="/nonexistent/libp11.so"))


async def test_keys_need_the_domain_key_first(login_config: HsmConfig) -> None:
    opened = await open_hsm(login_config)
    try:
        with pytest.raises(DomainKeyMissing):
            await opened.generate_key(KeySpec.SYMMETRIC_DEFAULT)
        with pytest.raises(DomainKeyMissing):
            await opened.self_test()
        await opened.ensure_domain_key()
        await opened.self_test()
    finally:
        await opened.aclose()


async def test_wrong_pin_cannot_ride_on_an_existing_login(hsm: Hsm, hsm_config: HsmConfig) -> None:
    """The token is logged in already (login is per process): a backend configured with another
    PIN must still be refused."""
    with pytest.raises(LoginFailed):
        await open_hsm(dataclasses.replace(hsm_config, pin="another-pin"))
    await hsm.self_test()
