"""The README's snippets, taken from README.md as they are written and run as a newcomer runs
them: in a shell from the repository, against `keygraph dev` on a home and a port that are not the
defaults (KEYGRAPH_HOME and KEYGRAPH_PORT set), so a snippet that hard-codes either fails here.

Not run here: `make run`/`make test` (they are this suite's own setup) and the backup snippet,
which deletes its home (tests/recovery/ restores a backup the same way)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.test_dev_server import DevServer, free_port

pytestmark = pytest.mark.slow
REPOSITORY = Path(__file__).resolve().parents[2]
README = REPOSITORY / "README.md"
VENV = Path(sys.prefix)
ACCOUNT = "111122223333"


def readme_block(fence: str, containing: str) -> str:
    """The one ```fence block of README.md that contains ``containing``."""
    text = README.read_text(encoding="utf-8")
    blocks: list[str] = re.findall(rf"^```{fence}\n(.*?)^```$", text, re.M | re.S)
    found = [block for block in blocks if containing in block]
    assert len(found) == 1, f"{len(found)} ```{fence} blocks of README.md contain {containing!r}"
    return found[0]


class Shell:
    """A newcomer's shell: in a copy of the repository's layout (``.venv`` and ``examples``), with
    KEYGRAPH_HOME and KEYGRAPH_PORT exported and no AWS settings of its own."""

    def __init__(self, workdir: Path, home: Path, port: int) -> None:
        self.workdir = workdir
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("KEYGRAPH_", "SOFTHSM2_", "AWS_"))
        }
        self.env = {**inherited, "KEYGRAPH_HOME": str(home), "KEYGRAPH_PORT": str(port)}

    def run(self, script: str) -> list[str]:
        """The lines ``script`` printed; it must succeed, every command of it (bash -e)."""
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{script}\n--- stdout\n{result.stdout}\n{result.stderr}"
        return result.stdout.splitlines()


@pytest.fixture
def shell(keygraph_home: Path, tmp_path: Path) -> Iterator[Shell]:
    # make install (scripts/bootstrap.sh) provides all of these: a missing one is a broken install.
    assert (VENV / "bin" / "keygraph").exists(), "the README's commands run .venv/bin/keygraph"
    missing = [tool for tool in ("curl", "sed", "base64") if shutil.which(tool) is None]
    assert not missing, f"the README's snippets call {', '.join(missing)}, which is not installed"
    workdir = tmp_path / "repository"
    workdir.mkdir()
    (workdir / ".venv").symlink_to(VENV)
    (workdir / "examples").symlink_to(REPOSITORY / "examples")
    home, port = keygraph_home / "not-the-default-home", free_port()
    server = DevServer(home, port)
    try:
        server.wait_ready()
        yield Shell(workdir, home, port)
    finally:
        code, stderr = server.interrupt()
        assert code == 0, stderr


def test_the_readme_in_order_with_port_and_home_set(shell: Shell) -> None:
    first_query = json.loads(shell.run(readme_block("sh", "privileges(filter:"))[0])
    assert first_query["data"]["whoami"] == {"arn": "arn:aws:iam::111122223333:root"}

    principals = shell.run(readme_block("sh", "principal create ci-deployer"))
    assert "arn:aws:iam::111122223333:user/ci-deployer" in principals
    assert "revoked arn:aws:iam::444455556666:role/auditor" in principals

    app = shell.run(readme_block("sh", "principal attach-policy app app-policy.json"))
    assert app[0] == "attached the policy to arn:aws:iam::111122223333:user/app"
    answer = json.loads(app[-1])
    assert "errors" not in answer
    data_key = answer["data"]["generateDataKey"]
    assert data_key["keyId"].startswith("arn:aws:kms:us-east-1:111122223333:key/")
    assert data_key["ciphertextBlob"]

    access_keys = shell.run(readme_block("sh", "create-access-key ci-deployer"))
    key_id = access_keys[0].split("\t")[0]
    assert access_keys[1:] == [f"deactivated {key_id}", f"deleted {key_id}"]

    keys = shell.run(readme_block("sh", "q() {"))
    encrypted = json.loads(keys[-1])["data"]["encrypt"]
    assert encrypted["keyId"] == f"arn:aws:kms:us-east-1:111122223333:key/{keys[0]}"

    roundtrip = shell.run(readme_block("sh", "examples/roundtrip.py"))
    assert roundtrip == [
        "encrypt -> decrypt: ok",
        "sign -> verify with cryptography: ok",
        "encrypt with cryptography -> decrypt: ok",
    ]

    policy = shell.run(readme_block("sh", "principal show-policy ci-deployer"))
    assert policy[0] == "attached the policy to arn:aws:iam::111122223333:user/ci-deployer"
    assert policy[-1] == "detached the policy of arn:aws:iam::111122223333:user/ci-deployer"

    # The boto3 snippet runs in the shell the AWS CLI snippet left: its credentials exported.
    python = readme_block("python", "boto3.client")
    aws = shell.run(f"{readme_block('sh', 'aws kms')}\n.venv/bin/python - <<'PY'\n{python}PY\n")
    assert aws[0] == "hello"
    listed = json.loads("\n".join(aws[1:]))["Keys"]
    assert listed
    assert all(key["KeyArn"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/") for key in listed)


def test_a_new_principals_first_call_is_denied_without_the_policy(shell: Shell) -> None:
    """What the README says of the call before the policy is attached, and after it is gone."""
    walkthrough = readme_block("sh", "principal attach-policy app app-policy.json")
    app_call = walkthrough.rstrip().splitlines()[-1]
    assert app_call.startswith('gql "$APP_TOKEN"')
    detached = f"{walkthrough}.venv/bin/keygraph principal detach-policy app\n{app_call}\n"

    error = json.loads(shell.run(detached)[-1])["errors"][0]

    assert error["extensions"]["code"] == "AccessDeniedException"
    assert error["message"].startswith(
        "User: arn:aws:iam::111122223333:user/app is not authorized to perform: "
        "kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/"
    )
