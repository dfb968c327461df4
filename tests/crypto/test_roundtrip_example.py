"""The README's round-trip script, run as a user would, against a served keygraph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.served import Replica

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).parents[2] / "examples" / "roundtrip.py"


def test_roundtrip_script(replica: Replica, keygraph_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), f"{replica.url}/graphql", str(keygraph_home / "admin-token")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "encrypt -> decrypt: ok",
        "sign -> verify with cryptography: ok",
        "encrypt with cryptography -> decrypt: ok",
    ]
