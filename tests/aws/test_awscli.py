"""The AWS CLI (``awscli`` from PyPI) against keygraph, configured only by its environment as the
README tells a user: ``AWS_ENDPOINT_URL_KMS`` (or ``--endpoint-url``), the region and an access
key. A HOME of its own keeps the host's AWS configuration out."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.aws.door import AwsServer
from tests.aws.kms import key_arn

pytestmark = pytest.mark.slow


@pytest.fixture
def cli_env(aws: AwsServer, tmp_path: Path) -> dict[str, str]:
    """``aws.env`` with a HOME, config and credentials files of the test's own (absent)."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **aws.env,
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
    }


def aws_cli(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "awscli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def json_of(env: dict[str, str], *args: str) -> Any:
    return json.loads(aws_cli(env, *args, "--output", "json").stdout)


def test_create_key(aws: AwsServer, cli_env: dict[str, str]) -> None:
    metadata = json_of(cli_env, "kms", "create-key", "--description", "from the cli")["KeyMetadata"]
    assert metadata["Arn"] == key_arn(aws, metadata["KeyId"])
    assert (metadata["Description"], metadata["KeyState"], metadata["KeySpec"]) == (
        "from the cli",
        "Enabled",
        "SYMMETRIC_DEFAULT",
    )


def test_encrypt_and_decrypt_files(cli_env: dict[str, str], tmp_path: Path) -> None:
    key_id = json_of(cli_env, "kms", "create-key")["KeyMetadata"]["KeyId"]
    plaintext = tmp_path / "plain.bin"
    plaintext.write_bytes(b"\x00binary file contents\xff" + uuid.uuid4().bytes)
    encrypted = aws_cli(
        cli_env,
        *("kms", "encrypt", "--key-id", key_id, "--plaintext", f"fileb://{plaintext}"),
        *("--encryption-context", "purpose=cli"),
        *("--output", "text", "--query", "CiphertextBlob"),
    )
    ciphertext = tmp_path / "cipher.bin"
    ciphertext.write_bytes(base64.b64decode(encrypted.stdout.strip()))
    decrypted = aws_cli(
        cli_env,
        *("kms", "decrypt", "--ciphertext-blob", f"fileb://{ciphertext}"),
        *("--encryption-context", "purpose=cli"),
        *("--output", "text", "--query", "Plaintext"),
    )
    assert base64.b64decode(decrypted.stdout.strip()) == plaintext.read_bytes()


def test_list_keys_with_the_endpoint_on_the_command_line(
    aws: AwsServer, cli_env: dict[str, str]
) -> None:
    key_id = json_of(cli_env, "kms", "create-key")["KeyMetadata"]["KeyId"]
    without = {name: value for name, value in cli_env.items() if name != "AWS_ENDPOINT_URL_KMS"}
    listed = json_of(without, "kms", "list-keys", "--endpoint-url", aws.url)
    assert {"KeyId": key_id, "KeyArn": key_arn(aws, key_id)} in listed["Keys"]


def test_an_error_is_reported_with_aws_s_code_and_message(
    aws: AwsServer, cli_env: dict[str, str]
) -> None:
    missing = str(uuid.uuid4())
    failed = aws_cli(cli_env, "kms", "describe-key", "--key-id", missing, check=False)
    assert failed.returncode == 255  # AWS CLI v1 exits 255 on any error
    assert failed.stderr.strip() == (
        "An error occurred (NotFoundException) when calling the DescribeKey operation: "
        f"Key '{key_arn(aws, missing)}' does not exist"
    )
