"""The README's round-trip script, run as a user would: against a served keygraph found through
KEYGRAPH_PORT and KEYGRAPH_HOME (or named on its command line), and, when what it needs is
missing, saying so in one line instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app.test_dev_server import free_port
from tests.served import Replica

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).parents[2] / "examples" / "roundtrip.py"
THREE_OKS = [
    "encrypt -> decrypt: ok",
    "sign -> verify with cryptography: ok",
    "encrypt with cryptography -> decrypt: ok",
]


def roundtrip(
    *args: str, cwd: Path | None = None, **settings: str
) -> subprocess.CompletedProcess[str]:
    """The script run as from a shell in ``cwd`` where only ``settings`` of keygraph's
    variables are set."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("KEYGRAPH_")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env={**env, **settings}, cwd=cwd,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_roundtrip_with_url_and_token_file(replica: Replica, keygraph_home: Path) -> None:
    result = roundtrip(f"{replica.url}/graphql", str(keygraph_home / "admin-token"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == THREE_OKS


def test_roundtrip_finds_keygraph_through_its_variables(
    replica: Replica, keygraph_home: Path
) -> None:
    result = roundtrip(KEYGRAPH_PORT=str(replica.port), KEYGRAPH_HOME=str(keygraph_home))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == THREE_OKS


def test_a_refused_token_is_one_line(replica: Replica, tmp_path: Path) -> None:
    stale = tmp_path / "admin-token"
    stale.write_text("kg1.not-a-token.at-all\n", encoding="ascii")

    result = roundtrip(f"{replica.url}/graphql", str(stale))

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"roundtrip.py: keygraph at {replica.url}/graphql refused the token (401): "
        "use a current one\n"
    )


def test_an_empty_home_is_one_line_naming_the_token_file(tmp_path: Path) -> None:
    result = roundtrip(KEYGRAPH_HOME=str(tmp_path), KEYGRAPH_PORT=str(free_port()))

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"roundtrip.py: no token file at {tmp_path / 'admin-token'}: start `make run` "
        "(keygraph dev) with this KEYGRAPH_HOME first, or pass one: "
        "python examples/roundtrip.py URL TOKEN_FILE\n"
    )


def test_the_default_home_is_the_shells_dot_keygraph(tmp_path: Path) -> None:
    result = roundtrip(cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("roundtrip.py: no token file at .keygraph/admin-token: ")


def test_no_server_is_one_line_naming_the_port(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("kg1.a.b\n", encoding="ascii")
    port = free_port()

    result = roundtrip(KEYGRAPH_HOME=str(tmp_path), KEYGRAPH_PORT=str(port))

    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        f"roundtrip.py: no keygraph answers at http://127.0.0.1:{port}/"
    )
    assert "start `make run` in another terminal, with the same KEYGRAPH_PORT" in result.stderr
