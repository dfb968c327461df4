"""Start-up configuration: every bad setting stops start-up with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import ConfigurationError, Mode, from_env

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
BASE = {
    "KEYGRAPH_DATABASE_URL": "postgresql://kg@127.0.0.1:5432/keygraph",
    "KEYGRAPH_PKCS11_MODULE": SOFTHSM,
    "KEYGRAPH_TOKEN_LABEL": "prod",
    "KEYGRAPH_PIN": "user:secret-pin",
}


def test_production_settings_are_read(tmp_path: Path) -> None:
    env = {
        **BASE,
        "KEYGRAPH_HOME": str(tmp_path),
        "KEYGRAPH_ACCOUNT_ID": "444455556666",
        "KEYGRAPH_REGION": "eu-west-1",
        "KEYGRAPH_PORT": "9090",
        "KEYGRAPH_MODE": "production",
    }
    settings = from_env(env)
    assert settings.account_id == "444455556666"
    assert settings.region == "eu-west-1"
    assert settings.port == 9090
    assert settings.mode is Mode.PRODUCTION
    assert settings.hsm.token_label == "prod"
    assert settings.admin_token_path == tmp_path / "admin-token"


def test_defaults() -> None:
    settings = from_env(BASE)
    assert (settings.account_id, settings.region, settings.port) == (
        "111122223333",
        "us-east-1",
        8080,
    )
    assert settings.mode is Mode.DEVELOPMENT


def test_pin_file_is_read(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("user:from-file\n")
    env = {k: v for k, v in BASE.items() if k != "KEYGRAPH_PIN"}
    settings = from_env({**env, "KEYGRAPH_PIN_FILE": str(pin_file)})
    assert settings.hsm.pin == "user:from-file"


def test_secrets_stay_out_of_repr() -> None:
    text = repr(from_env(BASE))
    assert "secret-pin" not in text
    assert "postgresql://" not in text


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"KEYGRAPH_DATABASE_URL": ""}, "KEYGRAPH_DATABASE_URL"),
        ({"KEYGRAPH_DATABASE_URL": "mysql://x"}, "KEYGRAPH_DATABASE_URL"),
        ({"KEYGRAPH_PKCS11_MODULE": ""}, "KEYGRAPH_PKCS11_MODULE"),
        ({"KEYGRAPH_PKCS11_MODULE": "/nonexistent/lib.so"}, "KEYGRAPH_PKCS11_MODULE"),
        ({"KEYGRAPH_TOKEN_LABEL": ""}, "KEYGRAPH_TOKEN_LABEL"),
        ({"KEYGRAPH_PIN": ""}, "KEYGRAPH_PIN"),
        ({"KEYGRAPH_PIN_FILE": "/etc/hostname"}, "KEYGRAPH_PIN"),
        ({"KEYGRAPH_ACCOUNT_ID": "12345"}, "KEYGRAPH_ACCOUNT_ID"),
        ({"KEYGRAPH_REGION": "Mars"}, "KEYGRAPH_REGION"),
        ({"KEYGRAPH_PORT": "80808"}, "KEYGRAPH_PORT"),
        ({"KEYGRAPH_PORT": "http"}, "KEYGRAPH_PORT"),
        ({"KEYGRAPH_MODE": "staging"}, "KEYGRAPH_MODE"),
        ({"KEYGRAPH_JOB_INTERVAL": "soon"}, "KEYGRAPH_JOB_INTERVAL"),
        ({"KEYGRAPH_JOB_INTERVAL": "0"}, "KEYGRAPH_JOB_INTERVAL"),
    ],
)
def test_bad_setting_is_named(change: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        from_env({**BASE, **change})
    assert raised.value.setting == setting
    assert str(raised.value).startswith(f"{setting}: ")
    assert "\n" not in str(raised.value)
    assert "secret-pin" not in str(raised.value)


def test_unreadable_pin_file_is_named(tmp_path: Path) -> None:
    env = {k: v for k, v in BASE.items() if k != "KEYGRAPH_PIN"}
    with pytest.raises(ConfigurationError) as raised:
        from_env({**env, "KEYGRAPH_PIN_FILE": str(tmp_path / "missing")})
    assert raised.value.setting == "KEYGRAPH_PIN_FILE"
