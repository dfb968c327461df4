"""The commands that print lists, as a script reads them: `--output json` is an array of objects
with fixed field names and no secret; `--output text` (the default) is the lines people read."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from api.services import Services
from tests.app.test_dev_server import keygraph
from tests.served import serve_environment

pytestmark = pytest.mark.slow


@pytest.fixture
def env(services: Services, keygraph_home: Path) -> dict[str, str]:
    """The server's environment (its database and HSM), as an operator's shell has it."""
    settings = services.settings
    return serve_environment(settings.database_url, settings.hsm, keygraph_home)


def principal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        keygraph("principal", *args), env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def succeeded(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_principal_list_as_json_and_as_text(env: dict[str, str]) -> None:
    token = succeeded(principal(env, "create", "app")).strip()
    succeeded(principal(env, "create", "auditor", "--role", "--account", "444455556666"))

    listed = json.loads(succeeded(principal(env, "list", "--output", "json")))

    assert listed == [
        {
            "arn": "arn:aws:iam::111122223333:root",
            "accountId": "111122223333",
            "name": "root",
            "type": "ROOT",
        },
        {
            "arn": "arn:aws:iam::111122223333:user/app",
            "accountId": "111122223333",
            "name": "app",
            "type": "USER",
        },
        {
            "arn": "arn:aws:iam::444455556666:role/auditor",
            "accountId": "444455556666",
            "name": "auditor",
            "type": "ROLE",
        },
    ]
    text = succeeded(principal(env, "list"))
    assert text == succeeded(principal(env, "list", "--output", "text"))
    assert text.splitlines() == [row["arn"] for row in listed]
    assert token not in text + json.dumps(listed)


def test_access_keys_as_json_and_as_text_without_secrets(env: dict[str, str]) -> None:
    succeeded(principal(env, "create", "app"))
    none = succeeded(principal(env, "list-access-keys", "app", "--output", "json"))
    assert json.loads(none) == []
    created = succeeded(principal(env, "create-access-key", "app"))
    pairs = dict(line.split("=", 1) for line in created.splitlines())
    key_id, secret = pairs["AWS_ACCESS_KEY_ID"], pairs["AWS_SECRET_ACCESS_KEY"]
    succeeded(principal(env, "deactivate-access-key", key_id))

    as_json = succeeded(principal(env, "list-access-keys", "app", "--output", "json"))
    (key,) = json.loads(as_json)

    assert set(key) == {"accessKeyId", "principal", "status", "createDate"}
    assert key["accessKeyId"] == key_id
    assert key["principal"] == "arn:aws:iam::111122223333:user/app"
    assert key["status"] == "Inactive"
    text = succeeded(principal(env, "list-access-keys", "app"))
    assert text == f"{key_id}\tInactive\t{key['createDate']}\n"
    assert secret not in as_json + text


def test_an_unknown_output_format_is_a_usage_error(env: dict[str, str]) -> None:
    refused = principal(env, "list", "--output", "yaml")

    assert refused.returncode == 2
    assert "invalid choice: 'yaml'" in refused.stderr
