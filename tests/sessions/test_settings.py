"""The settings of sessions, CORS and the dashboard, as read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import DEFAULT_DASHBOARD_DIR, ConfigurationError, from_env

ENV = {
    "KEYGRAPH_DATABASE_URL": "postgresql://localhost/keygraph",
    "KEYGRAPH_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
    "KEYGRAPH_TOKEN_LABEL": "keygraph",
    "KEYGRAPH_PIN": "1234",
}


def test_defaults() -> None:
    settings = from_env(ENV)
    assert settings.session_idle_seconds == 1_800
    assert settings.session_max_seconds == 43_200
    assert settings.cors_origins == frozenset()
    assert settings.dashboard_dir == DEFAULT_DASHBOARD_DIR
    # The source tree's build, wherever keygraph runs from.
    source_tree = Path(__file__).resolve().parents[2]
    assert source_tree / "dashboard" / "dist" == DEFAULT_DASHBOARD_DIR


def test_values(tmp_path: Path) -> None:
    settings = from_env(
        {
            **ENV,
            "KEYGRAPH_SESSION_IDLE_SECONDS": "600",
            "KEYGRAPH_SESSION_MAX_SECONDS": "3600",
            "KEYGRAPH_CORS_ORIGINS": " https://A.example.com, http://localhost:5173,,",
            "KEYGRAPH_DASHBOARD_DIR": str(tmp_path),
        }
    )
    assert settings.session_idle_seconds == 600
    assert settings.session_max_seconds == 3_600
    assert settings.cors_origins == {"https://a.example.com", "http://localhost:5173"}
    assert settings.dashboard_dir == tmp_path


@pytest.mark.parametrize(
    "origin", ["*", "https://a.example.com/", "https://a.example.com/ui", "a.example.com", "null"]
)
def test_an_origin_that_is_not_one_stops_start_up(origin: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^KEYGRAPH_CORS_ORIGINS: .* is not an origin"):
        from_env({**ENV, "KEYGRAPH_CORS_ORIGINS": f"https://ok.example.com,{origin}"})


@pytest.mark.parametrize("name", ["KEYGRAPH_SESSION_IDLE_SECONDS", "KEYGRAPH_SESSION_MAX_SECONDS"])
@pytest.mark.parametrize("value", ["0", "-5", "soon", "2592001"])
def test_session_times_must_be_positive_and_bounded(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{name}: "):
        from_env({**ENV, name: value})
